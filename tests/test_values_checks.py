"""Values are checked like options; zero-config is announced; .gitignore is honoured;
snippets read like text (issue 12, items 4, 7 and 8)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kbctl.values import glob_match, glob_match_any
from tests.conftest import KB_CONTENT, PROJECT_ROOT, Cli, GitRepo

needs_sample = pytest.mark.skipif(
    not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there"
)


def _ids(output: str) -> set[str]:
    return {record["id"] for record in json.loads(output)}


# ----------------------------------------------------------------- filter values


@needs_sample
def test_unknown_owner_warns_with_did_you_mean(cli: Cli) -> None:
    result = cli("stale", "--owner", "@elena.sokolov", "--today", "2026-11-22", cwd=PROJECT_ROOT)
    assert "--owner @elena.sokolov matches no article" in result.stderr
    assert "did you mean @elena.sokolova" in result.stderr
    assert result.stdout == ""  # the empty-result message is not data


@needs_sample
def test_unknown_tag_and_product_warn(cli: Cli) -> None:
    result = cli("list", "--tag", "biling", "--product", "relay-mobil", cwd=PROJECT_ROOT)
    assert "--tag biling matches no article" in result.stderr
    assert "did you mean billing" in result.stderr
    assert "did you mean relay-mobile" in result.stderr
    assert result.stdout == ""


@needs_sample
def test_known_owner_gives_no_warning(cli: Cli) -> None:
    result = cli("list", "--owner", "@elena.sokolova", cwd=PROJECT_ROOT)
    assert "matches no article" not in result.stderr
    assert result.stdout


# ----------------------------------------------------------------- check over nothing


def test_check_over_an_empty_folder_exits_2(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("--kb", str(empty), "check")
    assert result.exit_code == 2
    assert "no articles under" in result.stderr


def test_check_with_content_pointing_at_a_folder_without_articles(
    cli: Cli, git_repo: GitRepo
) -> None:
    git_repo.write("kbctl.toml", 'content = "docs"\n')
    git_repo.write("docs/readme.txt", "not an article\n")
    git_repo.write_article("articles/a.md", id="KB-1", title="A")
    result = cli("check", cwd=git_repo.path)
    assert result.exit_code == 2
    assert "is `content` in kbctl.toml right?" in result.stderr


# ----------------------------------------------------------------- config globs


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["*.{md,markdown}"], "a/b.markdown", True),
        (["*.{md,markdown}"], "a/b.txt", False),
        (["[ab]*.md"], "x/alpha.md", True),
        (["[ab]*.md"], "x/gamma.md", False),
        (["[!ab]*.md"], "x/gamma.md", True),
        (["**/*.md", "!drafts/**"], "drafts/x.md", False),
        (["**/*.md", "!drafts/**"], "guides/x.md", True),
        ([r"what\?.md"], "what?.md", True),
        ([r"what\?.md"], "whatx.md", False),
        (["/top.md"], "sub/top.md", False),
        (["docs/"], "docs/a/b.md", True),
        (["a/**/b.md"], "a/b.md", True),
    ],
)
def test_glob_syntax(patterns: list[str], path: str, expected: bool) -> None:
    assert glob_match_any(patterns, path) is expected


def test_glob_match_single_pattern() -> None:
    assert glob_match("howto/**", "howto/x/y.md")
    assert not glob_match("howto/**", "faq/y.md")


def test_config_braces_classes_and_negation_choose_articles(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write(
        "kbctl.toml",
        'include = ["**/*.{md,markdown}"]\nexclude = ["[ab]*.md", "!b-keep.md"]\n',
    )
    git_repo.write_article("guide.markdown", id="KB-1", title="Markdown extension")
    git_repo.write_article("notes.md", id="KB-2", title="Notes")
    git_repo.write_article("a-draft.md", id="KB-3", title="Excluded by class")
    git_repo.write_article("b-keep.md", id="KB-4", title="Taken back by !")
    git_repo.commit("articles")
    result = cli("list", "--format", "json", cwd=git_repo.path)
    assert result.exit_code == 0, result.stderr
    assert _ids(result.stdout) == {"KB-1", "KB-2", "KB-4"}


def test_config_pattern_matching_nothing_warns(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write(
        "kbctl.toml",
        'include = ["**/*.md", "guides/[xy]*.md"]\n[review_interval_by_path]\n"howto/**" = "1y"\n',
    )
    git_repo.write_article("faq/a.md", id="KB-1", title="A", owner="@a", last_reviewed="2026-01-01")
    git_repo.commit("articles")
    result = cli("check", "--no-history", cwd=git_repo.path)
    assert "review_interval_by_path: pattern 'howto/**' matches no file" in result.stderr
    assert "include: pattern 'guides/[xy]*.md' matches no file" in result.stderr
    assert "'**/*.md'" not in result.stderr


# ----------------------------------------------------------------- zero config


def test_zero_config_base_is_announced_on_stderr(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", id="KB-1", title="A")
    result = cli("list", "--format", "json", cwd=git_repo.path)
    assert result.exit_code == 0, result.stderr
    assert _ids(result.stdout) == {"KB-1"}
    assert result.stderr.count("no kbctl.toml") == 1
    assert str(git_repo.path.resolve()) in result.stderr
    assert "kbctl init" in result.stderr


def test_zero_config_refuses_the_home_folder(cli: Cli) -> None:
    home = Path(os.environ["HOME"])
    (home / "note.md").write_text("# a note\n", encoding="utf-8")
    result = cli("list", cwd=home)
    assert result.exit_code == 2
    assert "home folder" in result.stderr
    assert "--kb" in result.stderr
    assert cli("--kb", str(home), "list", "--format", "json", cwd=home).exit_code == 0


def test_zero_config_refuses_the_file_system_root(cli: Cli) -> None:
    if (Path("/") / "kbctl.toml").exists():
        pytest.skip("a kbctl.toml at /")
    result = cli("list", cwd=Path("/"))
    assert result.exit_code == 2
    assert "file system root" in result.stderr


def test_an_explicit_base_is_not_announced(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", id="KB-1", title="A")
    result = cli("--kb", str(git_repo.path), "list", "--format", "json")
    assert "no kbctl.toml" not in result.stderr


# ----------------------------------------------------------------- .gitignore


def test_gitignored_and_ignored_articles_are_not_listed(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write(".gitignore", "drafts/\nscratch-*.md\n")
    git_repo.write("guides/.gitignore", "*.md\n!kept.md\n")
    git_repo.write("faq/.ignore", "private.md\n")
    git_repo.write_article("a.md", id="KB-1", title="A")
    git_repo.write_article("scratch-1.md", id="KB-2", title="Ignored by name")
    git_repo.write_article("drafts/b.md", id="KB-3", title="Ignored folder")
    git_repo.write_article("guides/x.md", id="KB-4", title="Ignored by a nested .gitignore")
    git_repo.write_article("guides/kept.md", id="KB-5", title="Taken back by !")
    git_repo.write_article("faq/private.md", id="KB-6", title="Ignored by .ignore")
    git_repo.write_article("faq/public.md", id="KB-7", title="Listed")
    result = cli("--kb", str(git_repo.path), "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert _ids(result.stdout) == {"KB-1", "KB-5", "KB-7"}


def test_gitignore_above_the_base_counts(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write(".gitignore", "content/tmp/\n")
    git_repo.write("kbctl.toml", 'content = "content"\n')
    git_repo.write_article("content/a.md", id="KB-1", title="A")
    git_repo.write_article("content/tmp/b.md", id="KB-2", title="Ignored from above")
    result = cli("list", "--format", "json", cwd=git_repo.path)
    assert _ids(result.stdout) == {"KB-1"}


def test_gitignore_outside_a_repository_is_not_read(cli: Cli, tmp_path: Path) -> None:
    base = tmp_path / "plain"
    base.mkdir()
    (base / ".gitignore").write_text("*.md\n", encoding="utf-8")
    (base / "a.md").write_text("---\nid: KB-1\ntitle: A\n---\nText.\n", encoding="utf-8")
    result = cli("--kb", str(base), "list", "--format", "json")
    assert _ids(result.stdout) == {"KB-1"}


# ----------------------------------------------------------------- snippets


def test_snippets_are_plain_text_with_highlights(cli: Cli, git_repo: GitRepo) -> None:
    body = (
        "# Signature\n\n"
        '<a name="verify"></a>**Check** the __webhook__ signature in the'
        " [signing docs](https://example.com/sign?x=1) ![diagram](img/webhook.png) `header`.\n"
    )
    git_repo.write_article("hooks.md", body, id="KB-1", title="Hooks", description="")
    git_repo.commit("article")
    result = cli("--kb", str(git_repo.path), "search", "webhook", "--format", "json")
    assert result.exit_code == 0, result.stderr
    hit = json.loads(result.stdout)[0]
    snippet = hit["snippet"]
    assert snippet == "Check the webhook signature in the signing docs diagram header."
    for raw in ("**", "__", "<a", "](", "https://", "!["):
        assert raw not in snippet
    marked = [snippet[start:end] for start, end in hit["highlights"]]
    assert marked and all(word.casefold() == "webhook" for word in marked)
    line = (git_repo.path / "hooks.md").read_text(encoding="utf-8").split("\n")[hit["line"] - 1]
    column = hit.get("column")
    if column is not None:  # the byte column still points at the word in the raw line
        assert line.encode()[column - 1 :].startswith(b"webhook")


def test_gitignore_reading_agrees_with_git(cli: Cli, git_repo: GitRepo) -> None:
    """The articles kbctl lists are those git does not ignore (git itself is the oracle)."""
    git_repo.write(
        ".gitignore",
        "# comment\n*.tmp.md\n/top-only.md\nbuild/\n**/secret/**\ndocs/**/old-*.md\n"
        "!docs/keep/old-keep.md\n\\#hash.md\n[ab]-*.md\nspace.md   \n",
    )
    git_repo.write("nested/.gitignore", "local.md\n/anchored.md\n!kept.tmp.md\n")
    names = [
        "a.md", "x.tmp.md", "top-only.md", "sub/top-only.md", "build/b.md", "sub/build/c.md",
        "deep/secret/s.md", "docs/v1/old-a.md", "docs/keep/old-keep.md", "docs/new.md",
        "#hash.md", "a-1.md", "c-1.md", "space.md", "nested/local.md", "nested/anchored.md",
        "nested/more/anchored.md", "nested/kept.tmp.md", "other/local.md",
    ]  # fmt: skip
    for number, name in enumerate(names):
        git_repo.write_article(name, id=f"KB-{number}", title=name)
    listed = git_repo.git("ls-files", "--others", "--exclude-standard", "-z").split("\0")
    expected = {f"KB-{names.index(name)}" for name in listed if name in names}
    result = cli("--kb", str(git_repo.path), "list", "--format", "json")
    assert _ids(result.stdout) == expected
    assert len(expected) < len(names)
