"""The parse cache: reused when files are unchanged, never stale when they change."""

from __future__ import annotations

import os
from pathlib import Path

from kbctl.articles import ParseCache, load_base
from kbctl.config import Config, cache_root
from tests.conftest import article_text

OLD = 1_600_000_000  # a file time far from "now", so the racy-git rule lets it be cached


def write_old(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (OLD, OLD))


def test_unchanged_files_come_from_the_cache_and_changes_are_seen(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    first = config.root / "a.md"
    write_old(first, article_text(id="A", title="Title one"))
    write_old(config.root / "b.md", article_text(id="B", title="Other"))
    assert [a.title for a in load_base(config).articles] == ["Title one", "Other"]
    cache = ParseCache.open(config)
    assert set(cache.entries) == {"a.md", "b.md"}

    write_old(first, article_text(id="A", title="Title two"))  # same size, same mtime
    titles = [a.title for a in load_base(config).articles]
    assert titles == ["Title two", "Other"]  # the ctime differs


def test_recent_files_are_not_cached(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    (config.root).mkdir()
    (config.root / "new.md").write_text(article_text(id="N"), encoding="utf-8")
    load_base(config)
    assert "new.md" not in ParseCache.open(config).entries


def test_deleted_files_leave_the_cache(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    write_old(config.root / "a.md", article_text(id="A"))
    write_old(config.root / "b.md", article_text(id="B"))
    load_base(config)
    (config.root / "b.md").unlink()
    assert [a.id for a in load_base(config).articles] == ["A"]
    assert set(ParseCache.open(config).entries) == {"a.md"}


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    write_old(config.root / "a.md", article_text(id="A"))
    load_base(config)
    (cache_root(config) / "articles.json").write_bytes(b"not a pickle")
    assert [a.id for a in load_base(config).articles] == ["A"]
    assert set(ParseCache.open(config).entries) == {"a.md"}


def test_diagnostics_are_cached_too(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    write_old(config.root / "bad.md", "---\ntitle: [x\n---\n")
    for _ in range(2):
        result = load_base(config)
        assert [str(d) for d in result.diagnostics] == [
            "bad.md:3: front matter is not valid YAML: did not find expected ',' or ']'"
        ]


def test_an_article_from_the_cache_equals_the_parsed_one(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    text = (
        "---\nid: KB-1\ntitle: Возврат\ntags: [billing, refund]\nowner: '@anna'\n"
        "last_reviewed: '2025-03-01'\nflags:\n  - by: '@bob'\n    date: '2025-04-01'\n"
        "    reason: outdated\nextra: {nested: [1, 2.5, true, null]}\n---\n# Возврат\nBody\n"
    )
    write_old(config.root / "a.md", text)
    parsed = load_base(config, use_cache=False).articles
    load_base(config)  # fills the cache
    assert set(ParseCache.open(config).entries) == {"a.md"}
    assert load_base(config).articles == parsed
