"""A hostile review of ``kbctl export``: bases built to make it leak, escape or hang.

Each test is one trick a base can play (link syntaxes the first tests did not try, nested
internal marks, odd audience values, templates that loop or grow, links planted in the
base); the export must leave nothing withheld in any file, write only its output, and stop.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo

CONFIG = 'content = "kb"\n\n[export]\nsite_title = "Hostile Help"\n'
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
SECRET_TITLE = "Walrus escalation ledger"
SECRET = ("INT-WALRUS-1", SECRET_TITLE, "walrus-ledger", "walrus-only.png")
FORMATS = {"jsonl": "out.jsonl", "opensearch": "os", "html": "site", "llms": "llms"}


def hostile_base(repo: GitRepo, public_body: str, **internal: Any) -> None:
    """A base with one public article (``public_body``) and one internal article."""
    repo.write("kbctl.toml", CONFIG)
    repo.write("kb/images/walrus-only.png", PNG)
    repo.write("kb/images/shared.png", PNG)
    repo.write_article(
        "kb/public/open.md",
        public_body,
        id="PUB-1",
        title="Open article",
        status="validated",
        audience="public",
        product="relay",
    )
    front = {
        "id": "INT-WALRUS-1",
        "title": SECRET_TITLE,
        "status": "validated",
        "audience": "internal",
        "product": "relay",
        **internal,
    }
    repo.write_article(
        "kb/internal/walrus-ledger.md", "Secret body ![x](../images/walrus-only.png)\n", **front
    )
    repo.commit("hostile base")


def export_all(cli: Any, repo: GitRepo, out: Path, audience: str = "public") -> None:
    for fmt, name in FORMATS.items():
        result = cli(
            "export",
            "--audience",
            audience,
            "--format",
            fmt,
            "--output",
            str(out / name),
            "--today",
            "2026-02-01",
            cwd=repo.path,
        )
        assert result.exit_code == 0, result.stderr


def scan(out: Path, forbidden: tuple[str, ...]) -> None:
    """No forbidden word in any exported file (the reports beside the outputs excepted)."""
    for name in FORMATS.values():
        target = out / name
        paths = [target] if target.is_file() else [p for p in target.rglob("*") if p.is_file()]
        for path in paths:
            text = path.read_bytes().decode("utf-8", "replace").casefold()
            for word in forbidden:
                assert word.casefold() not in text, f"{word!r} leaked into {path}"
                assert json.dumps(word)[1:-1].casefold() not in text, f"{word!r} in {path}"


def test_reference_links_whose_text_names_a_withheld_article(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    body = (
        f"Full [{SECRET_TITLE}][w], collapsed [INT-WALRUS-1][], shortcut [{SECRET_TITLE}].\n"
        "Kept: [the ledger][w].\n\n"
        "[w]: ../internal/walrus-ledger.md\n"
        "[INT-WALRUS-1]: ../internal/walrus-ledger.md\n"
        f"[{SECRET_TITLE}]: ../internal/walrus-ledger.md\n"
    )
    hostile_base(git_repo, body)
    export_all(cli, git_repo, tmp_path)
    scan(tmp_path, SECRET)
    assert "the ledger" in (tmp_path / "llms/articles/open.md").read_text()


def test_unquoted_html_attributes_to_withheld_article_and_image(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    body = (
        "See <a href=../internal/walrus-ledger.md>the ledger</a> and"
        " <img src=../images/walrus-only.png alt=diagram> and"
        ' <a title=">" href="../internal/walrus-ledger.md">odd</a>.\n'
    )
    hostile_base(git_repo, body)
    export_all(cli, git_repo, tmp_path)
    scan(tmp_path, SECRET[:3])
    # The image the public article shows itself is published, from the export's own files.
    page = (tmp_path / "site/articles/open.html").read_text()
    assert 'src="../media/images/walrus-only.png"' in page
    assert (tmp_path / "site/media/images/walrus-only.png").read_bytes() == PNG


def test_nested_and_unclosed_internal_marks(cli: Any, git_repo: GitRepo, tmp_path: Path) -> None:
    body = (
        "Before.\n\n<!-- internal -->\nA ZEBRA-ONE\n<!-- internal -->\nB ZEBRA-TWO\n"
        "<!-- /internal -->\nC ZEBRA-THREE\n<!-- /internal -->\n\nAfter.\n\n"
        "<!--INTERNAL-->D ZEBRA-FOUR<!--/ Internal -->\n\n"
        "<!-- internal -->\nE ZEBRA-FIVE runs to the end\n"
    )
    hostile_base(git_repo, body)
    export_all(cli, git_repo, tmp_path)
    scan(tmp_path, (*SECRET, "ZEBRA-"))
    text = (tmp_path / "llms/articles/open.md").read_text()
    assert "Before." in text and "After." in text


@pytest.mark.parametrize(
    "audience",
    [["public", "internal"], ["internal", "public"], " Internal ", "INTERNAL", "", None, 7],
)
def test_odd_audience_values_count_as_internal(
    cli: Any, git_repo: GitRepo, tmp_path: Path, audience: Any
) -> None:
    hostile_base(git_repo, "Public words.\n", audience=audience)
    export_all(cli, git_repo, tmp_path)
    scan(tmp_path, SECRET)


def test_duplicate_id_internal_copy_and_shared_alias(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    hostile_base(git_repo, "Public words.\n", id="PUB-1", aliases=["Walrus alias zz"])
    export_all(cli, git_repo, tmp_path)
    scan(tmp_path, (SECRET_TITLE, "walrus-ledger", "Walrus alias zz", "walrus-only"))


@pytest.mark.parametrize(
    "template",
    [
        "{{ 10 ** 100000000 }}",
        "{{ 'x' * 4000000000 }}",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{% include 'home.html' %}",
        "{{ ('x' * 100000) * 100000 }}",
        "{{ [1] * 10 ** 9 }}",
        "{{ '%*d' % (2000000000, 1) }}",
        "{{ '{:>2000000000}'.format(1) }}",
    ],
)
def test_hostile_template_is_an_error_not_a_hang(
    cli: Any, git_repo: GitRepo, tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kbctl.export.html

    # The real limits are a minute and more; the same mechanism with a shorter budget here.
    monkeypatch.setattr(kbctl.export.html, "RENDER_CPU_SECONDS", 1)
    hostile_base(git_repo, "Public words.\n")
    folder = git_repo.path / "kb/_export/templates"
    folder.mkdir(parents=True)
    (folder / "home.html").write_text(template)
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(tmp_path / "s"),
        cwd=git_repo.path,
    )
    assert result.exit_code == 2, result.stderr
    assert "export template home.html" in result.stderr or "took too long" in result.stderr
    assert "Traceback" not in result.stderr


def test_link_text_that_names_a_withheld_article_in_disguise(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    body = (
        "[_Walrus escalation ledger_](../internal/walrus-ledger.md),"
        ' <a href="../internal/walrus-ledger.md">Walrus&#32;escalation&#x20;ledger</a>,'
        " [![Walrus escalation ledger](../images/shared.png)](../internal/walrus-ledger.md),"
        " [see the Walrus escalation ledger now](../internal/walrus-ledger.md),"
        " [int_walrus_1](../internal/walrus-ledger.md). Kept: [the ledger](walrus-ledger.md).\n"
    )
    hostile_base(git_repo, body)
    export_all(cli, git_repo, tmp_path)
    scan(tmp_path, (SECRET_TITLE, "INT-WALRUS-1", "int_walrus_1", "walrus-ledger"))
    assert "the ledger" in (tmp_path / "llms/articles/open.md").read_text()


def test_output_reaching_into_the_base_through_dots_or_a_link(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    hostile_base(git_repo, "Public words.\n")
    link = tmp_path / "base-link"
    link.symlink_to(git_repo.path / "kb")
    for output in (git_repo.path / "nowhere" / ".." / "kb" / "site", link / "site"):
        result = cli(
            "export",
            "--audience",
            "public",
            "--format",
            "llms",
            "--output",
            str(output),
            cwd=git_repo.path,
        )
        assert result.exit_code == 2, result.stderr
        assert "inside the base" in result.stderr
    assert not (git_repo.path / "kb" / "site").exists()
    assert not list((git_repo.path / "kb").glob("site.*"))


def test_media_through_a_linked_folder_is_not_copied(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwords.txt").write_text("HUNTER2-SECRET")
    (outside / "photo.png").write_bytes(PNG)
    body = "[pw](../linked/passwords.txt) ![p](../linked/photo.png)\n"
    hostile_base(git_repo, body)
    (git_repo.path / "kb/linked").symlink_to(outside)
    export_all(cli, git_repo, tmp_path / "out")
    scan(tmp_path / "out", ("HUNTER2-SECRET",))
    assert not list((tmp_path / "out").rglob("photo.png"))


def test_template_error_text_reaches_the_terminal_without_control_characters(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    hostile_base(git_repo, "Public words.\n")
    folder = git_repo.path / "kb/_export/templates"
    folder.mkdir(parents=True)
    (folder / "home.html").write_text("{{ \x1b[2J\x1b]0;pwned\x07 }}{% endfor \x1b[31m %}")
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(tmp_path / "s"),
        cwd=git_repo.path,
    )
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_an_article_of_unclosed_tags_and_brackets_does_not_hang(
    kbctl_process: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    # Before the patterns were bounded, the first line alone took minutes (quadratic time).
    body = "\n\n".join(
        [
            '<a href="x.md">' * 20000,
            "<img src=x.png " * 10000,
            "[" * 20000,
            "[a](" * 20000,
            '<a "' * 20000,
            "<!-- internal -->" * 10000 + "<!-- /internal -->" * 10000,
        ]
    )
    hostile_base(git_repo, "Public words.\n\n" + body + "\n")
    for fmt, name in (("jsonl", "out.jsonl"), ("html", "site")):
        result = kbctl_process(
            "export",
            "--audience",
            "public",
            "--format",
            fmt,
            "--output",
            str(tmp_path / name),
            cwd=git_repo.path,
            timeout=90,
        )
        assert result.returncode == 0, result.stderr
    assert "Public words." in (tmp_path / "out.jsonl").read_text()


def test_incremental_export_after_an_article_turns_internal(
    cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    hostile_base(git_repo, "Public words, see [rotation](narwhal.md).\n")
    front = {
        "id": "PUB-NARWHAL",
        "title": "Narwhal rotation",
        "status": "validated",
        "audience": "public",
        "product": "narwhal-product",
        "tags": ["narwhal-tag"],
    }
    git_repo.write("kb/images/narwhal.png", PNG)
    git_repo.write_article("kb/public/narwhal.md", "Rotate. ![n](../images/narwhal.png)\n", **front)
    git_repo.commit("narwhal", date="2026-01-20T10:00:00+03:00")
    export_all(cli, git_repo, tmp_path)
    assert (tmp_path / "site/tags/narwhal-tag.html").exists()
    git_repo.write_article(
        "kb/public/narwhal.md",
        "Rotate. ![n](../images/narwhal.png)\n",
        **front | {"audience": "Internal"},
    )
    git_repo.write_article(
        "kb/public/orca.md",
        "Orca body.\n",
        id="ORCA-1",
        title="Never public orca",
        status="validated",
        audience="internal",
        tags=["orca-tag"],
    )
    git_repo.commit("narwhal internal, orca added", date="2026-01-21T10:00:00+03:00")
    for fmt, name in FORMATS.items():
        result = cli(
            "export",
            "--audience",
            "public",
            "--format",
            fmt,
            "--output",
            str(tmp_path / name),
            "--since",
            "HEAD~1",
            "--today",
            "2026-02-01",
            cwd=git_repo.path,
        )
        assert result.exit_code == 0, result.stderr
        assert "incremental" in result.stderr
    scan(
        tmp_path,
        (
            "Narwhal rotation",
            "narwhal-product",
            "narwhal-tag",
            "narwhal.png",
            "ORCA-1",
            "orca-tag",
            "Never public orca",
            *SECRET,
        ),
    )
    tombstones = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert {"id": "PUB-NARWHAL", "deleted": True} in tombstones
    bulk = (tmp_path / "os/bulk.ndjson").read_text()
    assert '"delete"' in bulk and "PUB-NARWHAL" in bulk
    assert "narwhal" not in (tmp_path / "site/articles/open.html").read_text().lower()
