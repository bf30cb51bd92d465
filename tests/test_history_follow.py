"""History that follows the content, not the folder (issue 11, item 3): real git repositories
with fixed dates, no mocks of git."""

from __future__ import annotations

from pathlib import Path

from kbctl.articles import load_base
from kbctl.config import load_config
from kbctl.history import read_history
from tests.conftest import GitRepo

ALICE = ("Alice Writer", "alice@relay.example")
BOB = ("Bob Merger", "bob@relay.example")
BOT = ("Loc Bot", "bot@relay.example")


def last_subject(path: Path, article: str) -> str | None:
    change = report_of(path).facts[article].last_change
    return change.subject if change else None


def report_of(path: Path, base: str = ""):
    config = load_config(kb=path / base)
    return read_history(config, load_base(config).articles, use_cache=False)


def test_content_folder_moved_out_and_back_keeps_its_history(git_repo: GitRepo) -> None:
    git_repo.write_article("content/a.md", "Alpha text.\n", id="A")
    git_repo.write_article("content/b.md", "Beta text.\n", id="B")
    git_repo.commit("write articles", "2024-01-10T10:00:00+00:00", author=ALICE)
    git_repo.move("content/a.md", "old-site/content/a.md")
    git_repo.move("content/b.md", "old-site/content/b.md")
    git_repo.commit("restructure: move out", "2024-06-01T10:00:00+00:00")
    git_repo.move("old-site/content/a.md", "content/a.md")
    git_repo.move("old-site/content/b.md", "content/b.md")
    git_repo.commit("restructure: move back", "2024-07-01T10:00:00+00:00")
    report = report_of(git_repo.path, "content")
    for name in ("a.md", "b.md"):
        facts = report.facts[name]
        assert facts.last_change is not None
        assert facts.last_change.subject == "write articles"
        assert facts.first_change is not None
        assert facts.first_change.subject == "write articles"


def _two_branches(repo: GitRepo, *, conflict: bool) -> None:
    lines = "".join(f"line {n}\n" for n in range(1, 11))
    repo.write_article("a.md", lines, id="A")
    repo.commit("create", "2025-01-01T10:00:00+00:00", author=ALICE)
    repo.git("checkout", "-q", "-b", "side")
    repo.write_article("a.md", lines.replace("line 1\n", "line one\n"), id="A")
    repo.commit("side edit", "2025-02-01T10:00:00+00:00", author=ALICE)
    repo.git("checkout", "-q", "main")
    changed = "line ten\n" if not conflict else "line uno\n"
    old = "line 10\n" if not conflict else "line 1\n"
    repo.write_article("a.md", lines.replace(old, changed), id="A")
    repo.commit("main edit", "2025-03-01T10:00:00+00:00", author=ALICE)
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side", check=False)
    if conflict:  # resolved by hand: neither side's text
        resolved = lines.replace("line 1\n", "line 1 (resolved)\n")
        repo.write_article("a.md", resolved, id="A")
    repo.commit("merge side", "2025-04-01T10:00:00+00:00", author=BOB)


def test_a_clean_merge_is_not_an_edit_by_the_merger(git_repo: GitRepo) -> None:
    _two_branches(git_repo, conflict=False)
    assert "line one" in (git_repo.path / "a.md").read_text()  # both edits merged
    report = report_of(git_repo.path)
    # Either branch's edit may come first in topological order; never the merge.
    assert report.facts["a.md"].last_change.subject in ("main edit", "side edit")
    assert "bob@relay.example" not in report.facts["a.md"].authors


def test_a_conflict_resolving_merge_credits_the_merger(git_repo: GitRepo) -> None:
    _two_branches(git_repo, conflict=True)
    report = report_of(git_repo.path)
    assert report.facts["a.md"].last_change.subject == "merge side"
    assert report.facts["a.md"].last_change.email == "bob@relay.example"


def _write_loc(repo: GitRepo, name: str, body: str, handoff: str) -> None:
    repo.write_article(name, body, title="T", **{"ms.lasthandoff": handoff, "ms.locfileid": "x"})


def test_bulk_bot_commit_counts_body_changes_per_file_not_metadata(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", "[history]\nbulk_threshold = 3\nbulk_share = 0\n")
    for n in range(6):
        _write_loc(git_repo, f"a{n}.md", f"Текст статьи {n}.\nВторая строка {n}.\n", "01/01/2025")
        git_repo.commit(f"write a{n}", f"2025-01-{n + 1:02}T10:00:00+00:00", author=ALICE)
    # One bot commit over the threshold: three articles retranslated (their own new text,
    # each of a different shape), three with only localisation metadata bumped.
    for n in range(3):
        new_body = f"Новый перевод {n}.\n" * (n + 1) + f"Вторая строка {n}.\n" + "Ещё.\n" * n
        _write_loc(git_repo, f"a{n}.md", new_body, "03/01/2025")
    for n in range(3, 6):
        _write_loc(git_repo, f"a{n}.md", f"Текст статьи {n}.\nВторая строка {n}.\n", "03/01/2025")
    bot = git_repo.commit("loc bot sync", "2025-03-01T10:00:00+00:00", author=BOT)
    report = report_of(git_repo.path)
    for n in range(3):
        assert report.facts[f"a{n}.md"].last_change.subject == "loc bot sync"
    for n in range(3, 6):
        assert report.facts[f"a{n}.md"].last_change.subject == f"write a{n}"
    reasons = {s.commit: s.reason for s in report.skipped}
    assert reasons[bot].startswith("bulk: touched 6 articles; counted for 3")


def test_small_commit_of_localisation_metadata_only_is_noise(git_repo: GitRepo) -> None:
    _write_loc(git_repo, "a.md", "Текст.\n", "01/01/2025")
    git_repo.commit("write", "2025-01-01T10:00:00+00:00")
    _write_loc(git_repo, "a.md", "Текст.\n", "02/02/2025")
    git_repo.commit("bot: handoff", "2025-02-02T10:00:00+00:00", author=BOT)
    assert last_subject(git_repo.path, "a.md") == "write"


def test_a_sweep_of_the_same_small_edit_stays_noise(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", "[history]\nbulk_threshold = 3\nbulk_share = 0\n")
    for n in range(5):
        git_repo.write_article(f"a{n}.md", f"See http://example.com/{n} for more.\n", id=f"A{n}")
    git_repo.commit("import", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("a0.md", "See http://example.com/0 for more. Edited.\n", id="A0")
    git_repo.commit("real edit", "2025-02-01T10:00:00+00:00")
    for n in range(5):
        text = (git_repo.path / f"a{n}.md").read_text().replace("http://", "https://")
        git_repo.write(f"a{n}.md", text)
    git_repo.commit("https everywhere", "2025-03-01T10:00:00+00:00")
    assert last_subject(git_repo.path, "a0.md") == "real edit"
    assert last_subject(git_repo.path, "a1.md") is None  # only the import and the sweep


def test_a_merge_does_not_bring_back_a_skipped_bulk_commit(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", "[history]\nbulk_threshold = 3\nbulk_share = 0\n")

    def written(n: int) -> str:  # long enough that the sweep and the rewrite merge cleanly
        return "".join(f"Paragraph {p} of article {n}.\n\n" for p in range(6))

    for n in range(5):
        git_repo.write_article(f"a{n}.md", "Body.\n", id=f"A{n}", owner="old")
    git_repo.commit("import", "2025-01-01T10:00:00+00:00")
    for n in range(5):
        git_repo.write_article(f"a{n}.md", written(n), id=f"A{n}", owner="old")
        git_repo.commit(f"write a{n}", f"2025-01-{n + 2:02}T10:00:00+00:00", author=ALICE)
    git_repo.git("checkout", "-q", "-b", "sweep")
    for n in range(5):
        git_repo.write_article(f"a{n}.md", written(n), id=f"A{n}", owner="new")
    sweep = git_repo.commit("owner sweep", "2025-02-01T10:00:00+00:00", author=BOT)
    git_repo.git("checkout", "-q", "main")
    for n in range(2):  # two change on main too: they differ from both parents at the merge
        git_repo.write_article(
            f"a{n}.md", written(n) + "A new last paragraph.\n", id=f"A{n}", owner="old"
        )
        git_repo.commit(f"rewrite a{n}", f"2025-02-{n + 10:02}T10:00:00+00:00", author=ALICE)
    git_repo.git("merge", "-q", "--no-ff", "--no-commit", "sweep")
    git_repo.commit("merge sweep", "2025-03-01T10:00:00+00:00", author=BOB)
    report = report_of(git_repo.path)
    assert any(s.commit == sweep for s in report.skipped)
    for n in range(5):
        expected = f"rewrite a{n}" if n < 2 else f"write a{n}"
        assert report.facts[f"a{n}.md"].last_change.subject == expected


def test_classify_tells_metadata_from_text() -> None:
    from kbctl.history.changes import classify

    before = b"---\ntitle: T\nms.locfileid: 1\n---\nText.\n"
    assert not classify(before, before.replace(b"1\n---", b"2\n---"), ["ms.locfileid"]).visible
    assert classify(before, before.replace(b"Text", b"Texte"), ["ms.locfileid"]).visible
    assert classify(before, before.replace(b"title: T", b"title: U"), ["ms.locfileid"]).visible
    assert not classify(before, before.replace(b"\n", b"\r\n"), []).visible
