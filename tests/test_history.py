"""kbctl.history on real git repositories with fixed dates (no mocks of git)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kbctl.articles import load_base
from kbctl.config import cache_root, load_config
from kbctl.errors import KbError
from kbctl.history import (
    article_log,
    changed_paths,
    load_cached_history,
    read_history,
)
from kbctl.history.log import log_args, records
from kbctl.history.settings import HistorySettings, bulk_threshold
from kbctl.history.walk import Walker
from kbctl.policy.stale import stale_items, usable_last_change
from tests.conftest import GitRepo

ALICE = ("Alice Writer", "alice@relay.example")
BOB = ("Bob Editor", "bob@relay.example")


def history_of(path: Path, **options):
    config = load_config(kb=path)
    base = load_base(config)
    return config, base, read_history(config, base.articles, **options)


def last_subject(report, path: str) -> str | None:
    change = report.facts[path].last_change
    return change.subject if change else None


def write_config(repo: GitRepo, text: str) -> None:
    repo.write("kbctl.toml", text)


@pytest.fixture
def simple(git_repo: GitRepo) -> GitRepo:
    """Two articles with a few commits at fixed dates."""
    git_repo.write_article("billing/refund.md", "First.\n", id="KB-1", title="Refund")
    git_repo.write_article("email/spam.md", "Spam.\n", id="KB-2", title="Spam")
    git_repo.commit("add articles", "2025-01-10T09:00:00+03:00", author=ALICE)
    git_repo.write_article("billing/refund.md", "Second.\n", id="KB-1", title="Refund")
    git_repo.commit("edit refund", "2025-03-01T01:30:00+03:00", author=BOB)
    return git_repo


def test_last_and_first_change_with_author_dates_and_offsets(simple: GitRepo) -> None:
    _config, _base, report = history_of(simple.path)
    refund = report.facts["billing/refund.md"]
    assert report.available and not report.notices
    assert refund.last_change is not None and refund.first_change is not None
    assert refund.last_change.subject == "edit refund"
    assert refund.last_change.author == BOB[0]
    assert refund.last_change.authored == datetime(
        2025, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=3))
    )
    # Ages are computed in UTC: 01:30 at +03:00 is the previous day in UTC.
    assert usable_last_change(refund) == date(2025, 2, 28)
    assert refund.first_change.subject == "add articles"
    assert refund.commit_count == 2
    assert refund.authors == {ALICE[1], BOB[1]}
    assert report.facts["email/spam.md"].last_change.subject == "add articles"


def test_mailmap_merges_one_person_with_two_addresses(simple: GitRepo) -> None:
    simple.write_article("billing/refund.md", "Third.\n", id="KB-1", title="Refund")
    simple.commit("edit again", "2025-04-01T10:00:00+00:00", author=("bob", "bob@old.example"))
    simple.write(".mailmap", f"{BOB[0]} <{BOB[1]}> <bob@old.example>\n")
    _config, _base, report = history_of(simple.path)
    refund = report.facts["billing/refund.md"]
    assert refund.authors == {ALICE[1], BOB[1]}
    assert refund.last_change.author == BOB[0]


def test_rebase_changes_committer_dates_but_author_dates_are_reported(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("base", "2025-01-01T10:00:00+00:00")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write_article("a.md", "A edited on a branch.\n", id="A")
    git_repo.commit("feature edit", "2025-02-01T10:00:00+00:00")
    git_repo.git("checkout", "-q", "main")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("main work", "2025-03-01T10:00:00+00:00")
    git_repo.git("checkout", "-q", "feature")
    git_repo.git("rebase", "-q", "main", env={"GIT_COMMITTER_DATE": "2026-06-01T10:00:00+00:00"})
    committer = git_repo.git("log", "-1", "--format=%cI").strip()
    assert committer.startswith("2026-06-01")
    _config, _base, report = history_of(git_repo.path)
    assert report.facts["a.md"].last_change.subject == "feature edit"
    assert report.facts["a.md"].last_change.authored.date() == date(2025, 2, 1)


def test_pure_move_keeps_age_and_edited_rename_counts(git_repo: GitRepo) -> None:
    long_body = "".join(f"Line {n} of a long article body.\n" for n in range(30))
    git_repo.write_article("old/moved.md", long_body, id="M")
    git_repo.write_article("old/edited.md", long_body, id="E")
    git_repo.commit("create", "2024-05-01T10:00:00+00:00")
    git_repo.move("old/moved.md", "new/moved.md")
    git_repo.move("old/edited.md", "new/edited.md")
    git_repo.write_article("new/edited.md", long_body + "One more line.\n", id="E")
    git_repo.commit("restructure", "2025-06-01T10:00:00+00:00")
    _config, _base, report = history_of(git_repo.path)
    moved = report.facts["new/moved.md"]
    assert moved.last_change.subject == "create"  # a move is not a content change
    assert moved.first_change.subject == "create"  # ... and history follows it
    assert moved.commit_count == 2
    edited = report.facts["new/edited.md"]
    assert edited.last_change.subject == "restructure"
    assert edited.first_change.subject == "create"


def test_restructure_that_deletes_and_re_adds_starts_a_new_history(git_repo: GitRepo) -> None:
    git_repo.write_article("old/guide.md", "Original text about refunds.\n", id="G")
    git_repo.commit("create", "2024-05-01T10:00:00+00:00")
    git_repo.remove("old/guide.md")
    git_repo.commit("drop old tree", "2025-06-01T10:00:00+00:00")
    git_repo.write_article("new/guide.md", "Original text about refunds.\n", id="G")
    git_repo.commit("re-add in new tree", "2025-06-02T10:00:00+00:00")
    _config, _base, report = history_of(git_repo.path)
    guide = report.facts["new/guide.md"]
    # Git cannot see a rename across two commits: the history honestly starts at the re-add.
    assert guide.first_change.subject == "re-add in new tree"
    assert guide.last_change.subject == "re-add in new tree"
    assert guide.commit_count == 1


def test_copy_from_template_does_not_inherit_its_history(git_repo: GitRepo) -> None:
    template = "## Issue\n\n## Environment\n\n## Resolution\n\n## Cause\n" * 5
    git_repo.write_article("_templates/howto.md", template, id="TEMPLATE")
    git_repo.commit("template", "2023-01-01T10:00:00+00:00")
    git_repo.write_article("_templates/howto.md", template + "\nMore.\n", id="TEMPLATE")
    git_repo.commit("template tweak", "2023-02-01T10:00:00+00:00")
    git_repo.write_article("howto/new.md", template, id="NEW")
    git_repo.commit("new article from template", "2025-09-01T10:00:00+00:00")
    _config, base, report = history_of(git_repo.path)
    assert [a.path for a in base.articles] == ["howto/new.md"]
    new = report.facts["howto/new.md"]
    assert new.first_change.subject == "new article from template"
    assert new.commit_count == 1


def test_change_made_only_in_a_merge_counts(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("base", "2025-01-01T10:00:00+00:00")
    git_repo.git("checkout", "-q", "-b", "side")
    git_repo.write_article("b.md", "B on side.\n", id="B")
    git_repo.commit("side edit", "2025-02-01T10:00:00+00:00")
    git_repo.git("checkout", "-q", "main")
    git_repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    git_repo.write_article("a.md", "A changed while merging.\n", id="A")
    git_repo.commit("merge side", "2025-03-01T10:00:00+00:00")
    _config, _base, report = history_of(git_repo.path)
    assert last_subject(report, "a.md") == "merge side"
    assert last_subject(report, "b.md") == "side edit"  # taken as is: the merge is not a change


def test_ignore_revs_file_skips_a_bulk_commit(simple: GitRepo) -> None:
    simple.write_article("billing/refund.md", "Second.\n", id="KB-1", title="Refund", x=1)
    simple.write_article("email/spam.md", "Spam.\n", id="KB-2", title="Spam", x=1)
    sweep = simple.commit("metadata sweep", "2025-06-01T10:00:00+00:00")
    simple.write(".git-blame-ignore-revs", f"# reformat\n{sweep}\n")
    _config, _base, report = history_of(simple.path)
    assert last_subject(report, "billing/refund.md") == "edit refund"
    assert last_subject(report, "email/spam.md") == "add articles"
    assert [(s.commit, s.reason) for s in report.skipped] == [
        (sweep, "ignore-revs (.git-blame-ignore-revs)")
    ]
    assert report.facts["email/spam.md"].commit_count == 2  # counted as a commit, not a change


def test_commit_over_the_bulk_threshold_is_skipped(git_repo: GitRepo) -> None:
    write_config(git_repo, "[history]\nbulk_threshold = 3\nbulk_share = 0\n")
    for number in range(5):
        git_repo.write_article(f"a{number}.md", "v1\n", id=f"A{number}")
    git_repo.commit("import", "2025-01-01T10:00:00+00:00")
    for number in range(3):
        git_repo.write_article(f"a{number}.md", "v2\n", id=f"A{number}")
    git_repo.commit("three edits", "2025-02-01T10:00:00+00:00")
    for number in range(5):
        git_repo.write_article(f"a{number}.md", "v3\n", id=f"A{number}")
    git_repo.commit("sweep", "2025-03-01T10:00:00+00:00")
    _config, _base, report = history_of(git_repo.path)
    reasons = {s.subject: s.reason for s in report.skipped}
    assert reasons == {"import": "bulk: touched 5 articles", "sweep": "bulk: touched 5 articles"}
    assert last_subject(report, "a0.md") == "three edits"  # 3 is not over the threshold
    assert last_subject(report, "a4.md") is None  # only noise: no dated content change
    assert report.facts["a4.md"].first_change.subject == "import"


def test_default_threshold_treats_a_whole_small_base_import_as_noise(git_repo: GitRepo) -> None:
    for number in range(20):
        git_repo.write_article(f"a{number:02}.md", "v1\n", id=f"A{number}")
    git_repo.commit("import the base", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("a00.md", "v2\n", id="A0")
    git_repo.commit("real edit", "2025-02-01T10:00:00+00:00")
    _config, _base, report = history_of(git_repo.path)
    assert [s.subject for s in report.skipped] == ["import the base"]
    assert last_subject(report, "a00.md") == "real edit"
    assert last_subject(report, "a01.md") is None


def test_meta_only_commits_can_be_ignored(git_repo: GitRepo) -> None:
    write_config(git_repo, '[history]\nignore_meta_only_keys = ["ms.date"]\n')
    git_repo.write_article("a.md", "Body.\n", **{"id": "A", "ms.date": "01/01/2025"})
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("a.md", "Body changed.\n", **{"id": "A", "ms.date": "01/01/2025"})
    git_repo.commit("real edit", "2025-02-01T10:00:00+00:00")
    git_repo.write_article("a.md", "Body changed.\n", **{"id": "A", "ms.date": "06/01/2025"})
    git_repo.commit("bump ms.date", "2025-06-01T10:00:00+00:00")
    _config, _base, report = history_of(git_repo.path)
    assert last_subject(report, "a.md") == "real edit"


def test_cyrillic_and_nfd_file_names(git_repo: GitRepo) -> None:
    nfd = unicodedata.normalize("NFD", "справка/возврат й.md")
    git_repo.write_article("справка/оплата картой.md", "Текст.\n", id="RU-1")
    git_repo.write_article(nfd, "Текст.\n", id="RU-2")
    git_repo.commit("русские статьи", "2025-01-01T10:00:00+00:00")
    git_repo.move("справка/оплата картой.md", "справка/оплата «картой».md")
    git_repo.commit("переименование", "2025-02-01T10:00:00+00:00")
    _config, base, report = history_of(git_repo.path)
    assert {a.path for a in base.articles} == {
        "справка/оплата «картой».md",
        unicodedata.normalize("NFC", nfd),
    }
    for article in base.articles:
        assert report.facts[article.path].last_change.subject == "русские статьи"


def test_uncommitted_files_are_never_dated(simple: GitRepo) -> None:
    simple.write_article("new/draft.md", "Draft.\n", id="D")
    _config, _base, report = history_of(simple.path)
    draft = report.facts["new/draft.md"]
    assert not draft.committed and draft.last_change is None
    assert draft.note == "not committed yet"


def test_repository_without_commits(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    _config, _base, report = history_of(git_repo.path)
    assert not report.facts["a.md"].committed
    assert report.notices == ["the repository has no commits yet"]


def test_base_in_a_subfolder_of_a_larger_repository(git_repo: GitRepo) -> None:
    write_config(git_repo, 'content = "kb"\n')
    git_repo.write("src/app.py", "print(1)\n")
    git_repo.write_article("kb/a.md", "A.\n", id="A")
    git_repo.commit("code and kb", "2025-01-01T10:00:00+00:00")
    git_repo.write("src/app.py", "print(2)\n")
    git_repo.write("README.md", "# Top readme\n")
    git_repo.commit("code only", "2025-02-01T10:00:00+00:00")
    git_repo.move("kb/a.md", "kb/sub/a.md")
    git_repo.commit("move inside kb", "2025-03-01T10:00:00+00:00")
    _config, base, report = history_of(git_repo.path / "kb")
    assert [a.path for a in base.articles] == ["sub/a.md"]
    assert set(report.facts) == {"sub/a.md"}
    assert last_subject(report, "sub/a.md") == "code and kb"
    assert report.facts["sub/a.md"].commit_count == 2


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nid: A\n---\nA.\n", encoding="utf-8")
    _config, _base, report = history_of(tmp_path)
    assert not report.available
    assert report.facts == {}
    assert report.notices == ["not a git repository: staleness from front-matter dates alone"]


def clone(source: GitRepo, target: Path, *options: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *options, f"file://{source.path}", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def test_shallow_clone_is_detected_and_every_date_flagged(simple: GitRepo, tmp_path: Path) -> None:
    shallow = clone(simple, tmp_path / "shallow", "--depth", "1")
    _config, _base, report = history_of(shallow)
    assert any("shallow clone" in n and "fetch-depth: 0" in n for n in report.notices)
    assert all(not facts.reliable for facts in report.facts.values())
    assert usable_last_change(report.facts["email/spam.md"]) is None


def test_missing_blob_degrades_and_says_which_articles(git_repo: GitRepo) -> None:
    body = "".join(f"Step {n}: do the thing number {n}.\n" for n in range(40))
    git_repo.write_article("old/a.md", body, id="A")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.move("old/a.md", "new/a.md")
    git_repo.write_article("new/a.md", body + "Step 41.\n", id="A")
    git_repo.commit("move with an edit", "2025-02-01T10:00:00+00:00")
    git_repo.write_article("b.md", "B2.\n", id="B")
    git_repo.commit("edit b", "2025-03-01T10:00:00+00:00")
    blob = git_repo.git("rev-parse", "HEAD~2:old/a.md").strip()
    (git_repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    _config, _base, report = history_of(git_repo.path)
    assert any(n.startswith("missing objects in the repository") for n in report.notices)
    assert any("new/a.md" in n for n in report.notices)
    assert last_subject(report, "b.md") == "edit b"
    assert report.facts["b.md"].reliable
    moved = report.facts["new/a.md"]
    assert moved.last_change.subject == "move with an edit"
    # The last change is known (a rename with edits is a content change either way); where
    # the article began is not, and is never guessed.
    assert moved.first_change is None and "object missing" in moved.note
    assert article_log(load_config(kb=git_repo.path), _base.find("b.md")).entries


def test_blobless_clone_follows_exact_renames_without_fetching(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.git("config", "uploadpack.allowFilter", "true")
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.move("a.md", "moved/a.md")
    git_repo.commit("move", "2025-02-01T10:00:00+00:00")
    partial = clone(git_repo, tmp_path / "partial", "--filter=blob:none")
    # The promisor remote is gone: any attempt to fetch a blob would now fail.
    shutil.move(git_repo.path, tmp_path / "gone")
    _config, _base, report = history_of(partial)
    assert [n for n in report.notices if not n.startswith("blobless clone")] == []
    assert last_subject(report, "moved/a.md") == "create"
    assert report.facts["moved/a.md"].commit_count == 2


def test_time_budget_reports_partial_history(simple: GitRepo) -> None:
    write_config(simple, "[history]\ntime_budget = 0.000001\n")
    _config, _base, report = history_of(simple.path)
    assert any("time budget" in n for n in report.notices)


def test_last_change_only_mode_agrees_with_a_full_pass(simple: GitRepo) -> None:
    config, base, full = history_of(simple.path, use_cache=False)
    quick = read_history(config, base.articles[:1], last_change_only=True)
    path = base.articles[0].path
    assert quick.facts[path].last_change == full.facts[path].last_change


# --------------------------------------------------------------------------- cache


def test_cache_is_used_then_extended_incrementally(simple: GitRepo) -> None:
    config, base, first = history_of(simple.path)
    assert not first.from_cache
    assert load_cached_history(config) is not None
    again = read_history(config, base.articles)
    assert again.from_cache and again.facts == first.facts
    simple.move("email/spam.md", "email/junk.md")
    simple.commit("rename spam", "2025-05-01T10:00:00+00:00")
    simple.write_article("billing/refund.md", "Third.\n", id="KB-1", title="Refund")
    simple.commit("third edit", "2025-05-02T10:00:00+00:00")
    assert load_cached_history(config) is None  # HEAD moved: the cache is not valid as is
    base = load_base(config)
    incremental = read_history(config, base.articles)
    assert incremental.from_cache
    full = read_history(config, base.articles, use_cache=False)
    assert incremental.facts == full.facts
    assert last_subject(incremental, "billing/refund.md") == "third edit"
    assert last_subject(incremental, "email/junk.md") == "add articles"
    cached = load_cached_history(config)
    assert cached is not None and cached["email/junk.md"].last_change.subject == "add articles"
    some = load_cached_history(config, ["email/junk.md", "not/an/article.md"])
    assert some is not None and set(some) == {"email/junk.md"}


def test_rewritten_history_falls_back_to_a_full_pass(simple: GitRepo) -> None:
    config, base, _first = history_of(simple.path)
    simple.git("reset", "-q", "--hard", "HEAD~1")
    simple.write_article("email/spam.md", "Rewritten.\n", id="KB-2", title="Spam")
    simple.commit("another future", "2025-07-01T10:00:00+00:00")
    base = load_base(config)
    report = read_history(config, base.articles)
    assert not report.from_cache
    assert last_subject(report, "billing/refund.md") == "add articles"
    assert last_subject(report, "email/spam.md") == "another future"


def test_corrupt_cache_is_rebuilt_silently(simple: GitRepo) -> None:
    config, base, first = history_of(simple.path)
    cache_files = list((cache_root(config) / "history").glob("*.json"))
    assert cache_files
    for cache_file in cache_files:
        cache_file.write_bytes(b"\x00garbage")
    assert load_cached_history(config) is None
    report = read_history(config, base.articles)
    assert not report.from_cache and not report.notices
    assert report.facts == first.facts
    assert read_history(config, base.articles).from_cache


def test_changing_noise_settings_invalidates_the_cache(simple: GitRepo) -> None:
    config, base, _first = history_of(simple.path)
    edit = simple.git("rev-parse", "HEAD").strip()
    simple.write(".kbctl-ignore-revs", edit + "\n")
    assert load_cached_history(config) is None
    report = read_history(config, base.articles)
    assert not report.from_cache
    assert last_subject(report, "billing/refund.md") == "add articles"


# --------------------------------------------------------------------------- other API


def test_article_log_marks_moves_and_skipped_commits(git_repo: GitRepo) -> None:
    write_config(git_repo, "[history]\nbulk_threshold = 1\nbulk_share = 0\n")
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create a", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("create b", "2025-01-02T10:00:00+00:00")
    git_repo.move("a.md", "docs/a.md")
    git_repo.commit("move a", "2025-02-01T10:00:00+00:00")
    git_repo.write_article("docs/a.md", "A2.\n", id="A")
    git_repo.write_article("b.md", "B2.\n", id="B")
    git_repo.commit("sweep", "2025-03-01T10:00:00+00:00")
    config = load_config(kb=git_repo.path)
    base = load_base(config)
    log = article_log(config, base.find("A"))
    assert [(e.change.subject, e.kind, e.reason, e.path) for e in log.entries] == [
        ("sweep", "skipped", "bulk: touched 2 articles", "docs/a.md"),
        ("move a", "move", None, "docs/a.md"),
        ("create a", "content", None, "a.md"),
    ]


def test_changed_paths_sees_commits_edits_and_new_files(simple: GitRepo) -> None:
    config = load_config(kb=simple.path)
    start = simple.git("rev-parse", "HEAD").strip()
    simple.write_article("email/spam.md", "Changed.\n", id="KB-2")
    simple.commit("edit spam", "2025-05-01T10:00:00+00:00")
    simple.write_article("billing/refund.md", "Uncommitted.\n", id="KB-1")
    simple.write_article("новое/статья.md", "New.\n", id="KB-3")
    assert changed_paths(config, start) == {"email/spam.md", "billing/refund.md", "новое/статья.md"}
    with pytest.raises(KbError, match="unknown git revision"):
        changed_paths(config, "no-such-branch")


def test_stale_items_use_git_only_without_a_review_date(simple: GitRepo) -> None:
    simple.write_article(
        "email/spam.md", "Spam.\n", id="KB-2", title="Spam", last_reviewed="2025-06-01"
    )
    simple.commit("review spam", "2025-06-01T10:00:00+00:00")
    config, base, report = history_of(simple.path)
    items = stale_items(base.articles, report.facts, config, date(2025, 12, 1))
    assert [(i.article.id, i.review.basis, i.review.days_overdue) for i in items] == [
        ("KB-1", "last_changed", 96),
        ("KB-2", "last_reviewed", 3),
    ]
    from kbctl.render.vocabulary import stale_record

    assert stale_record(items[0])["last_changed_by"] == BOB[0]
    assert datetime.now(UTC) > stale_record(items[0])["last_changed"]


def test_stream_parser_is_independent_of_chunk_boundaries(git_repo: GitRepo) -> None:
    git_repo.write_article("kb/a b.md", "A.\n", id="A")
    git_repo.write_article("kb/статья.md", "Б.\n", id="B")
    git_repo.commit("create\x1e odd subject", "2025-01-01T10:00:00+00:00")
    git_repo.move("kb/a b.md", "kb/moved.md")
    git_repo.commit("move", "2025-01-02T10:00:00+00:00")

    output = subprocess.run(
        ["git", *log_args(["HEAD"], "auto", ["--", "kb/"])],
        cwd=git_repo.path,
        capture_output=True,
        check=True,
    ).stdout

    def parsed(size: int) -> list[tuple[str, list[tuple[bytes, bytes, bytes]]]]:
        chunks = (output[i : i + size] for i in range(0, len(output), size))
        return [(commit.fields()[3], entries) for commit, entries in records(chunks, b"kb/")]

    expected = [
        ("move", [(b"R100", b"a b.md", b"moved.md")]),
        ("create\x1e odd subject", [(b"A", b"", b"a b.md"), (b"A", b"", "статья.md".encode())]),
    ]
    for size in (1, 2, 7, len(output)):
        assert parsed(size) == expected


class _CountingEntries(list):
    """A commit's entries that count how many of them the walker reads."""

    read = 0

    def __iter__(self):
        for entry in super().__iter__():
            _CountingEntries.read += 1
            yield entry


def _one_commit_log(repo: GitRepo, count: int) -> bytes:
    """``git log`` output (kbctl's options) of a base of ``count`` articles imported in one
    commit that also deletes a file (the delete sorts last, after every added article)."""
    repo.write("zz-old-notes.txt", "Minutes of the 2019 meeting, kept for the record.\n" * 40)
    repo.commit("notes", "2025-01-01T10:00:00+00:00")
    for number in range(count):
        repo.write_article(f"topic/a{number:04}.md", f"Article {number}.\n", id=f"KB-{number}")
    repo.remove("zz-old-notes.txt")
    repo.commit("import the base", "2025-01-02T10:00:00+00:00")

    return subprocess.run(
        ["git", *log_args(["HEAD"], "auto")],
        cwd=repo.path,
        capture_output=True,
        check=True,
    ).stdout


def test_one_commit_of_many_paths_is_folded_in_linear_work(git_repo: GitRepo) -> None:
    """Each of a commit's entries is read a bounded number of times, however many articles
    the commit adds (it was once read again for every added article: quadratic)."""
    count = 300
    output = _one_commit_log(git_repo, count)
    config = load_config(kb=git_repo.path)
    paths = {f"topic/a{number:04}.md".encode(): f"topic/a{number:04}.md" for number in range(count)}
    walker = Walker(config, paths, {}, bulk_threshold(HistorySettings(), count), frozenset())
    _CountingEntries.read = 0
    total = 0
    for commit, entries in records(iter([output]), b""):
        total += len(entries)
        walker.fold(commit, _CountingEntries(entries))
    assert total == count + 2  # the articles, the deleted notes; the notes' first commit
    assert _CountingEntries.read <= 4 * total
    # And the folding itself is unchanged: every article is born in the import, next to a
    # deletion (so it is named if renames turn out not to be followed), which was bulk noise.
    assert walker.born_beside_delete == set(paths.values())
    assert all(facts.born and facts.count == 1 for facts in walker.facts.values())
    assert [why for _commit, why in walker.skipped] == [f"bulk: touched {count} articles"]


def test_stream_parser_reads_one_huge_commit_in_linear_work(git_repo: GitRepo) -> None:
    """A commit whose record spans many chunks is scanned a bounded number of times (it was
    once joined and split again at every chunk: quadratic in the record's size)."""
    output = _one_commit_log(git_repo, 300)
    scanned = 0

    def profile(_frame, event: str, function) -> None:
        nonlocal scanned
        if event == "c_call" and getattr(function, "__name__", "") == "split":
            receiver = getattr(function, "__self__", None)
            if isinstance(receiver, bytes):
                scanned += len(receiver)

    size = 64
    chunks = (output[i : i + size] for i in range(0, len(output), size))
    sys.setprofile(profile)
    try:
        parsed = list(records(chunks, b""))
    finally:
        sys.setprofile(None)
    size_of_log = len(output)
    assert [len(entries) for _commit, entries in parsed] == [301, 1]
    assert size_of_log > 80 * size  # the import spans many chunks
    assert scanned <= 4 * size_of_log


def test_reading_history_leaves_the_garbage_collector_as_it_was(simple: GitRepo) -> None:
    import gc

    assert gc.isenabled()
    history_of(simple.path)
    assert gc.isenabled()
    gc.disable()
    try:
        history_of(simple.path)
        assert not gc.isenabled()
    finally:
        gc.enable()
