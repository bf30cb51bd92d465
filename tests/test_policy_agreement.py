"""One review policy: the review queue and ``kbctl check`` agree on every article.

"Overdue" is KB301, "due soon" KB302, "owner missing" KB201, "wip too old" KB304; both
commands ask :mod:`kbctl.policy` for the verdict, so they can never disagree. Also the one
WIP limit (``[review] wip_max_age``) and its deprecated alias.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KB_CONTENT, Cli, GitRepo

TODAY = "2026-11-22"
QUEUE_REASON_TO_RULE = {
    "overdue": "KB301",
    "due soon": "KB302",
    "owner missing": "KB201",
    "wip too old": "KB304",
}

ROSTER = """\
people:
  - handle: "@anna"
    active: true
  - handle: "@gone"
    active: false
"""


def verdicts_of_queue(cli: Cli, cwd: Path) -> dict[str, set[str]]:
    """Per base-relative path: the check rules the review queue's reasons stand for."""
    result = cli("review", "--format", "json", "--today", TODAY, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    found: dict[str, set[str]] = {}
    for item in json.loads(result.stdout):
        rules = {QUEUE_REASON_TO_RULE[r] for r in item["reasons"] if r in QUEUE_REASON_TO_RULE}
        if rules:
            found[item["base_path"]] = rules
    return found


def verdicts_of_check(cli: Cli, cwd: Path, content: str) -> dict[str, set[str]]:
    """Per base-relative path: the findings of the rules the review queue stands for."""
    result = cli("check", "--format", "json", "--today", TODAY, "--fail-on", "never", cwd=cwd)
    assert result.exit_code == 0, result.stderr
    found: dict[str, set[str]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        if finding["rule"] in QUEUE_REASON_TO_RULE.values():
            path = finding["base_path"].removeprefix(f"{content}/")
            found.setdefault(path, set()).add(finding["rule"])
    return found


@pytest.mark.skipif(not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there")
def test_queue_and_check_agree_on_the_bundled_base(cli: Cli, kb_copy: Path) -> None:
    queue = verdicts_of_queue(cli, kb_copy)
    assert queue  # the sample base has overdue, ownerless and old WIP articles
    assert queue == verdicts_of_check(cli, kb_copy, "kb-content")


def wip_base(repo: GitRepo, review: str) -> GitRepo:
    """WIP articles of several ages, ownerless and departed-owner articles, in git."""
    repo.write("kbctl.toml", f'content = "kb"\nroster = "owners.yaml"\n{review}')
    repo.write("owners.yaml", ROSTER)
    recent = {"last_reviewed": "2026-11-01"}
    articles = {
        "wip-young.md": {"owner": "@anna", "status": "wip", "created": "2026-11-12"},
        "wip-40d.md": {"owner": "@anna", "status": "wip", "created": "2026-10-13"},
        "wip-50d.md": {"owner": "@anna", "status": "wip", "created": "2026-10-03"},
        "wip-ancient.md": {"owner": "@anna", "status": "wip", "created": "2025-06-01"},
        "wip-from-git.md": {"owner": "@anna", "status": "wip"},  # first commit: 2026-01-15
        "draft-no-owner.md": {"status": "not_validated"},
        "validated-no-owner.md": {"status": "validated"},
        "owner-gone.md": {"owner": "@gone", "status": "validated"},
        "owner-unknown.md": {"owner": "@nobody", "status": "validated"},
        "one-owner-left.md": {"owners": ["@gone", "@anna"], "status": "validated"},
        "wip-no-owner.md": {"status": "wip", "created": "2026-01-01"},
        "archived.md": {"status": "archived", "created": "2020-01-01"},
        "overdue.md": {"owner": "@anna", "status": "validated", "last_reviewed": "2025-01-01"},
        "due-soon.md": {"owner": "@anna", "status": "validated", "last_reviewed": "2026-06-10"},
    }
    for name, front in articles.items():
        repo.write_article(f"kb/{name}", id=name.removesuffix(".md"), **{**recent, **front})
    repo.commit("Write the base")
    return repo


EXPECTED = {
    "wip-50d.md": {"KB304"},
    "wip-ancient.md": {"KB304"},
    "wip-from-git.md": {"KB304"},
    "draft-no-owner.md": {"KB201"},
    "validated-no-owner.md": {"KB201"},
    "owner-gone.md": {"KB201"},
    "owner-unknown.md": {"KB201"},
    "wip-no-owner.md": {"KB201", "KB304"},
    "overdue.md": {"KB301"},
    "due-soon.md": {"KB302"},
}


@pytest.mark.parametrize(
    "review",
    ['[review]\nwip_max_age = "45d"\n', "[check.rules.KB304]\nmax_days = 45\n"],
    ids=["wip_max_age", "deprecated-max_days"],
)
def test_queue_and_check_agree_on_wip_ages_and_owners(
    cli: Cli, git_repo: GitRepo, review: str
) -> None:
    repo = wip_base(git_repo, review)
    queue = verdicts_of_queue(cli, repo.path)
    assert queue == EXPECTED
    assert verdicts_of_check(cli, repo.path, "kb") == EXPECTED


def test_the_default_wip_limit_is_30_days_for_both(cli: Cli, git_repo: GitRepo) -> None:
    repo = wip_base(git_repo, "")
    queue = verdicts_of_queue(cli, repo.path)
    assert queue["wip-40d.md"] == {"KB304"}
    assert queue == verdicts_of_check(cli, repo.path, "kb")


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        (
            '[review]\nwip_max_age = "30d"\n[check.rules.KB304]\nmax_days = 45\n',
            4,
            "'check.rules.KB304.max_days' (45d) contradicts 'review.wip_max_age' (30d)",
        ),
        (
            '[[check.overrides]]\npaths = ["a/**"]\nrules = { wip-too-old = { max_days = 9 } }\n',
            3,
            "'check.overrides[1].rules.wip-too-old.max_days': the WIP limit cannot differ per path",
        ),
    ],
)
def test_a_second_wip_limit_is_refused_with_its_line(
    cli: Cli, tmp_path: Path, toml: str, line: int, message: str
) -> None:
    (tmp_path / "kbctl.toml").write_text(toml, encoding="utf-8")
    result = cli("review", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 2
    assert f"kbctl.toml:{line}: {message}" in result.stderr
    assert "wip_max_age" in result.stderr
