"""The history pass reads one ``git log`` without rename detection, over every file (when
nearly every file is an article: cheaper for git than a wildcard pathspec) or over the
article pathspec (when other files are a real share), and asks git about renames, merges
and history simplification only where needed. These tests hold both to the facts of the
pathspec-limited ``git log -M``, on real repositories with fixed dates; and check that a
read started before the command line is parsed is taken over only by the same base."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbctl.articles import load_base
from kbctl.cli.fast import early_history
from kbctl.config import load_config
from kbctl.history import read, read_history, start_history
from kbctl.history.git import GitRepo as Handle
from kbctl.history.git import open_git
from kbctl.history.walk import article_name_filter
from tests.conftest import GitRepo

ALICE = ("Alice Writer", "alice@relay.example")
BOB = ("Bob Merger", "bob@relay.example")


Facts = tuple[dict[str, tuple[str, str, int, tuple[str, ...]]], list[str]]


def facts_of(path: Path, base: str = "") -> Facts:
    config = load_config(kb=path / base)
    report = read_history(config, load_base(config).articles, use_cache=False)
    facts = {
        name: (
            repr(fact.last_change),
            repr(fact.first_change),
            fact.commit_count,
            tuple(sorted(fact.authors)),
        )
        for name, fact in report.facts.items()
    }
    return facts, [repr(skipped) for skipped in report.skipped]


def facts_in_mode(monkeypatch: pytest.MonkeyPatch, path: Path, base: str, mode: str) -> Facts:
    """The facts with the main log limited as ``mode`` says (see GitRepo.log_mode)."""
    with monkeypatch.context() as patch:
        patch.setattr(Handle, "log_mode", lambda self: mode if self.article_spec else "folder")
        return facts_of(path, base)


def both_ways(monkeypatch: pytest.MonkeyPatch, path: Path, base: str = "") -> tuple[Facts, Facts]:
    """The facts from the log over every file, then from the pathspec-limited log ``-M``;
    the log over the article pathspec without renames must give the same as both."""
    wide = facts_in_mode(monkeypatch, path, base, "wide")
    spec = facts_in_mode(monkeypatch, path, base, "folder")
    narrow = facts_in_mode(monkeypatch, path, base, "narrow")
    assert narrow == spec
    return wide, spec


def test_a_side_edit_that_the_merge_dropped_is_not_history(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_repo.write_article("a.md", "First text.\n", id="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00", author=ALICE)
    git_repo.git("checkout", "-q", "-b", "side")
    git_repo.write_article("a.md", "Side text nobody kept.\n", id="A")
    git_repo.commit("side edit", "2025-03-01T10:00:00+00:00", author=BOB)
    git_repo.git("checkout", "-q", "main")
    git_repo.write_article("a.md", "Main text.\n", id="A")
    git_repo.commit("main edit", "2025-02-01T10:00:00+00:00", author=ALICE)
    git_repo.git("merge", "-q", "--no-ff", "-s", "ours", "-m", "merge side", "side")
    config = load_config(kb=git_repo.path)
    report = read_history(config, load_base(config).articles, use_cache=False)
    facts = report.facts["a.md"]
    assert facts.last_change is not None and facts.last_change.subject == "main edit"
    assert facts.commit_count == 2  # the side's edit never reached the base
    assert "bob@relay.example" not in [author.casefold() for author in facts.authors]
    wide, narrow = both_ways(monkeypatch, git_repo.path)
    assert wide == narrow


def test_the_log_over_every_file_gives_the_facts_of_the_pathspec_log(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_repo.write("kbctl.toml", 'content = "content"\nexclude = ["_templates/**"]\n')
    lines = "".join(f"line {n} of a text long enough to be recognised\n" for n in range(12))
    git_repo.write_article("content/a.md", lines, id="A")
    git_repo.write_article("content/b.md", "Beta text.\n", id="B")
    git_repo.write_article("content/_templates/t.md", lines.upper(), id="T")
    git_repo.write("content/img/logo.png", b"\x89PNG one")
    git_repo.write("src/app.py", "print(1)\n")
    git_repo.commit("start", "2024-01-10T10:00:00+00:00", author=ALICE)
    # A rename with an edit, beside an image deleted and another added.
    git_repo.move("content/a.md", "content/guides/a.md")
    git_repo.write_article("content/guides/a.md", lines + "one more line\n", id="A")
    git_repo.remove("content/img/logo.png")
    git_repo.write("content/img/new.png", b"\x89PNG two")
    git_repo.commit("move a into guides", "2024-02-10T10:00:00+00:00", author=BOB)
    # The folder moved out of the base and back.
    git_repo.move("content/b.md", "old/b.md")
    git_repo.commit("move b out", "2024-03-10T10:00:00+00:00")
    git_repo.move("old/b.md", "content/b.md")
    git_repo.commit("move b back", "2024-04-10T10:00:00+00:00")
    # A template (excluded) renamed into an article, and a new article beside a deletion.
    git_repo.move("content/_templates/t.md", "content/t.md")
    git_repo.commit("promote the template", "2024-05-10T10:00:00+00:00")
    git_repo.write_article("content/c.md", "Gamma text.\n", id="C")
    git_repo.remove("content/guides/a.md")
    git_repo.write_article("content/guides/a.md", lines, id="A")
    git_repo.commit("rewrite a, add c", "2024-06-10T10:00:00+00:00")
    # A side branch merged cleanly, one merged with a resolution, one dropped.
    for branch, text, resolve in (("s1", "Beta side.\n", False), ("s2", "Gamma side.\n", True)):
        git_repo.git("checkout", "-q", "-b", branch)
        target = "content/b.md" if branch == "s1" else "content/c.md"
        git_repo.write_article(target, text, id=target[-4].upper())
        git_repo.commit(f"{branch} edit", "2024-07-10T10:00:00+00:00", author=BOB)
        git_repo.git("checkout", "-q", "main")
        git_repo.write("src/app.py", f"print('{branch}')\n")
        git_repo.commit(f"code on main ({branch})", "2024-07-11T10:00:00+00:00")
        git_repo.git("merge", "-q", "--no-ff", "--no-commit", branch, check=False)
        if resolve:
            git_repo.write_article(target, "Gamma resolved by hand.\n", id="C")
        git_repo.commit(f"merge {branch}", "2024-08-10T10:00:00+00:00", author=BOB)
    git_repo.git("checkout", "-q", "-b", "s3")
    git_repo.write_article("content/b.md", "Beta dropped.\n", id="B")
    git_repo.commit("s3 edit", "2024-09-10T10:00:00+00:00", author=BOB)
    git_repo.git("checkout", "-q", "main")
    git_repo.git("merge", "-q", "--no-ff", "-s", "ours", "-m", "merge s3", "s3")
    # Noise listed by id: a commit of code only and one of the template only are not shown
    # by a pathspec log, so they are not "skipped" either; one of articles is.
    git_repo.write("src/app.py", "print('reformatted')\n")
    noise = [git_repo.commit("reformat code", "2024-10-10T10:00:00+00:00")]
    git_repo.write_article("content/_templates/u.md", "Template.\n", id="U")
    noise.append(git_repo.commit("new template", "2024-10-11T10:00:00+00:00"))
    git_repo.write_article("content/c.md", "Gamma reformatted.\n", id="C")
    noise.append(git_repo.commit("reformat c", "2024-10-12T10:00:00+00:00"))
    git_repo.write(".git-blame-ignore-revs", "".join(f"{sha}\n" for sha in noise))
    git_repo.commit("ignore the reformats", "2024-10-13T10:00:00+00:00")
    wide, narrow = both_ways(monkeypatch, git_repo.path, "content")
    assert wide == narrow
    facts, skipped = wide
    assert len(skipped) == 1 and noise[2] in skipped[0]
    assert set(facts) == {"guides/a.md", "b.md", "t.md", "c.md"}


def test_a_merge_patch_with_a_marker_like_line_is_read_whole(git_repo: GitRepo) -> None:
    # The old marker, and a line like a diff header, in text resolved by hand at a merge.
    base = "".join(f"line {n}\n" for n in range(10))
    git_repo.write_article("a.md", base, id="A")
    git_repo.write_article("b.md", base, id="B")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00", author=ALICE)
    git_repo.git("checkout", "-q", "-b", "side")
    git_repo.write_article("a.md", base.replace("line 1\n", "side\n"), id="A")
    git_repo.write_article("b.md", base.replace("line 1\n", "side\n"), id="B")
    git_repo.commit("side edit", "2025-02-01T10:00:00+00:00", author=ALICE)
    git_repo.git("checkout", "-q", "main")
    git_repo.write_article("a.md", base.replace("line 1\n", "main\n"), id="A")
    git_repo.write_article("b.md", base.replace("line 1\n", "main\n"), id="B")
    git_repo.commit("main edit", "2025-03-01T10:00:00+00:00", author=ALICE)
    git_repo.git("merge", "-q", "--no-ff", "--no-commit", "side", check=False)
    resolved = "kbctl-end-of-merge\ndiff --cc b.md\n"
    git_repo.write_article("a.md", base.replace("line 1\n", resolved), id="A")
    git_repo.write_article("b.md", base.replace("line 1\n", "main\n"), id="B")  # ours
    git_repo.commit("merge side", "2025-04-01T10:00:00+00:00", author=BOB)
    config = load_config(kb=git_repo.path)
    report = read_history(config, load_base(config).articles, use_cache=False)
    a_last, b_last = report.facts["a.md"].last_change, report.facts["b.md"].last_change
    assert a_last is not None and a_last.subject == "merge side"
    # b.md kept one side's text: the "diff --cc b.md" line inside a.md's patch is text.
    assert b_last is not None and b_last.subject != "merge side"


def test_article_names_are_matched_as_git_matches_the_pathspec(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'include = ["docs/**/*.md", "**/*.markdown", "faq/[0-9]*.txt"]\n')
    like = article_name_filter(load_config(kb=git_repo.path))
    assert like(b"docs/a.md") and like(b"../elsewhere/deep/b.md")  # any folder: moves
    assert like(b"x.markdown") and like(b"faq/1-intro.txt") and like(b"other/2.txt")
    assert not like(b"docs/a.mdx") and not like(b"img/a.png") and not like(b"faq/intro.txt")


def log_mode_of(path: Path) -> str:
    handle, _why = open_git(load_config(kb=path))
    assert handle is not None
    return handle.log_mode()


def test_the_log_reads_every_file_only_when_nearly_every_file_is_an_article(
    git_repo: GitRepo,
) -> None:
    for n in range(10):
        git_repo.write_article(f"a{n}.md", f"Text {n}.\n", id=f"A{n}")
    git_repo.commit("articles", "2025-01-01T10:00:00+00:00")
    assert log_mode_of(git_repo.path) == "wide"  # a pathspec would filter out nothing
    for n in range(3):
        git_repo.write(f"img/{n}.png", b"\x89PNG")
    git_repo.commit("images", "2025-01-02T10:00:00+00:00")
    assert log_mode_of(git_repo.path) == "narrow"  # 10 of 13 files: git drops the rest
    git_repo.write("kbctl.toml", 'include = ["**"]\n')  # no article pathspec can be written
    git_repo.commit("every file", "2025-01-03T10:00:00+00:00")
    assert log_mode_of(git_repo.path) == "folder"


@pytest.fixture
def no_early_read() -> Iterator[None]:
    yield
    read._drop_early()  # a test must not leave git running


def small_base(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "First text.\n", id="A")
    git_repo.write("img/logo.png", b"\x89PNG")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00", author=ALICE)
    git_repo.write_article("a.md", "Second text.\n", id="A")
    git_repo.commit("edit", "2025-02-01T10:00:00+00:00", author=BOB)


def test_a_read_started_early_is_taken_over_by_the_same_base(
    git_repo: GitRepo, tmp_path: Path, no_early_read: None
) -> None:
    small_base(git_repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # --kb after the command is moved before it by the CLI; the last one wins.
    early_history(["-v", "--kb", str(elsewhere), "stale", "--all", f"--kb={git_repo.path}"])
    assert read._early is not None
    early_plan = read._early[0]
    config = load_config(kb=git_repo.path)
    plan = start_history(config)
    assert plan is early_plan and read._early is None
    report = read_history(config, load_base(config).articles, prefetch=plan)
    last = report.facts["a.md"].last_change
    assert last is not None and last.subject == "edit"
    # Another base: the early git is stopped, and the command reads its own history.
    git_repo.write_article("a.md", "Third text.\n", id="A")
    git_repo.commit("edit again", "2025-03-01T10:00:00+00:00", author=BOB)  # git has work
    early_history(["--kb", str(git_repo.path), "stale"])
    assert read._early is not None
    early_plan = read._early[0]
    assert early_plan.log is not None
    process = early_plan.log.process
    plan = start_history(load_config(kb=elsewhere))
    assert plan is not early_plan and plan.handle is None  # not a repository
    assert early_plan.log is None and process.poll() is not None  # stopped, and waited for


def test_only_a_plain_stale_command_line_starts_git_early(
    git_repo: GitRepo, no_early_read: None
) -> None:
    small_base(git_repo)
    kb = str(git_repo.path)
    for args in (
        ["--kb", kb, "stale", "--help"],
        ["--kb", kb, "check"],
        ["--kb", kb, "--unknown", "stale"],
        ["--kb", kb, "search", "stale"],
        ["--kb", kb, "--", "stale"],
        ["stale", "--kb"],
        [],
    ):
        early_history(args)
        assert read._early is None, args
    git_repo.write("kbctl.toml", "content = [\n")  # malformed: the command reports it
    early_history(["--kb", kb, "stale"])
    assert read._early is None


def imports_in_order(cwd: Path, *args: str) -> list[str]:
    """The modules a real ``python -m kbctl ARGS`` imported, in order (``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kbctl", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return [
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]


def test_kbctl_stale_starts_git_before_the_cli_is_built(git_repo: GitRepo) -> None:
    small_base(git_repo)
    stale = imports_in_order(git_repo.path, "stale", "--format", "json")
    assert stale.index("kbctl.history.read") < stale.index("kbctl.cli.app")
    listing = imports_in_order(git_repo.path, "list", "--format", "json")
    assert "kbctl.history.read" not in listing[: listing.index("kbctl.cli.app")]
