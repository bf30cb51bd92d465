"""Index hygiene on a real index: markup is not searchable, compound words are by parts."""

from __future__ import annotations

from pathlib import Path

from kbctl.config import load_config
from kbctl.search.index import current_folder
from kbctl.search.query import search
from kbctl.search.spelling import load_spelling
from tests.conftest import article_text


def test_markup_is_not_indexed_and_compound_words_are_found_by_parts(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "it").mkdir(parents=True)
    (root / "it/shell.md").write_text(
        article_text(
            "Run the script in PowerShell, then restart fail2ban over ipv6.\n\n"
            "![diagram](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgQuokkaZebra=)\n"
            '<div class="marmosetclass">See [the manual](https://example.com/capybarapath).</div>\n',
            title="Scripts",
        ),
        encoding="utf-8",
    )
    (root / "it/other.md").write_text(
        article_text("Nothing here.\n", title="Other"), encoding="utf-8"
    )
    config = load_config(kb=str(root))

    def paths(query: str) -> list[str]:
        return [hit.path for hit in search(config, query).hits]

    assert paths("powershell") == ["it/shell.md"]
    assert paths("power shell") == ["it/shell.md"]
    assert paths("fail2ban") == ["it/shell.md"]
    assert paths("ban") == ["it/shell.md"]
    assert paths("ipv6") == ["it/shell.md"]
    assert paths("manual") == ["it/shell.md"]  # link text stays
    for gone in ("capybarapath", "marmosetclass", "iVBORw0KGgoAAAANSUhEUgQuokkaZebra", "base64"):
        assert paths(gone) == [], gone
    folder = current_folder(config)
    assert folder is not None
    vocabulary = "\n".join(load_spelling(folder).values()).split()
    assert "manual" in vocabulary
    assert not any(word.startswith(("ivborw", "capybara", "marmoset")) for word in vocabulary)
