"""The workspace builds each fact of a run once, and the rules are pure functions of it.

Scans and loads are counted by wrapping the real functions (the real tree is walked, the real
git runs); nothing is replaced.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import KB_CONTENT, PROJECT_ROOT, GitRepo

import kbctl.articles
import kbctl.articles.tree
import kbctl.history
import kbctl.ownership
from kbctl.errors import KbError, UsageError
from kbctl.model import Diagnostic
from kbctl.rules.engine import fails, run_check
from kbctl.rules.registry import CheckContext
from kbctl.workspace import Workspace

TODAY = date(2026, 11, 22)


@pytest.fixture
def kb_repo(git_repo: GitRepo) -> GitRepo:
    """The bundled sample base with its config, committed in a real git repository."""
    shutil.copytree(KB_CONTENT, git_repo.path / "kb-content")
    shutil.copy(PROJECT_ROOT / "kbctl.toml", git_repo.path / "kbctl.toml")
    git_repo.commit("docs(kb): the sample base", "2026-01-15T10:00:00+03:00")
    return git_repo


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the run scanned the tree, loaded the base, resolved owners and read git."""
    counts: Counter[str] = Counter()

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    real_walk = kbctl.articles.tree.walk

    def walk(*args: Any, **kwargs: Any) -> Iterator[Any]:
        counts["tree scan"] += 1
        yield from real_walk(*args, **kwargs)

    monkeypatch.setattr(kbctl.articles.tree, "walk", walk)
    for module, name in (
        (kbctl.articles, "load_base"),
        (kbctl.ownership, "ownership_report"),
        (kbctl.ownership, "load_roster"),
        (kbctl.history, "read_history"),
    ):
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    return counts


ONCE = {
    "tree scan": 1,
    "load_base": 1,
    "ownership_report": 1,
    "load_roster": 1,
    "read_history": 1,
}


def test_check_of_two_folders_builds_each_fact_once(
    cli: Any, kb_repo: GitRepo, builds: Counter[str]
) -> None:
    result = cli(
        "check", "kb-content/billing", "kb-content/faq", "--today", "2026-11-22", cwd=kb_repo.path
    )
    assert result.exit_code == 1, result.stderr
    assert "articles checked" in result.stdout
    assert dict(builds) == ONCE


def test_stale_builds_each_fact_once(cli: Any, kb_repo: GitRepo, builds: Counter[str]) -> None:
    result = cli("stale", "--today", "2026-11-22", "--format", "json", cwd=kb_repo.path)
    assert result.exit_code == 1, result.stderr
    assert dict(builds) == ONCE


@pytest.mark.parametrize(
    "args",
    [
        ("owners", "--today", "2026-11-22"),
        ("review", "--today", "2026-11-22"),
        ("check", "--today", "2026-11-22", "--format", "json"),
    ],
)
def test_other_commands_build_each_fact_once(
    cli: Any, kb_repo: GitRepo, builds: Counter[str], args: tuple[str, ...]
) -> None:
    cli(*args, cwd=kb_repo.path)
    assert dict(builds) == ONCE


def test_list_reads_no_git_and_resolves_owners_once(
    cli: Any, kb_repo: GitRepo, builds: Counter[str]
) -> None:
    # list shows the effective owners (front matter, else CODEOWNERS), as every command does
    assert cli("list", cwd=kb_repo.path).exit_code == 0
    assert dict(builds) == {k: v for k, v in ONCE.items() if k != "read_history"}


def _base(tmp_path: Path, roster: str | None = None) -> Path:
    (tmp_path / "kbctl.toml").write_text(
        'content = "kb"\n' + (f'roster = "{roster}"\n' if roster else ""), encoding="utf-8"
    )
    kb = tmp_path / "kb"
    (kb / "billing").mkdir(parents=True)
    (kb / "billing" / "refund.md").write_text(
        "---\nid: KB-1\ntitle: Refund\nowner: '@anna'\nstatus: validated\n---\nText.\n",
        encoding="utf-8",
    )
    (kb / "faq.md").write_text("---\nid: kb-1\ntitle: Twin\n---\nText.\n", encoding="utf-8")
    (kb / "broken.md").write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
    return tmp_path


def test_workspace_reports_each_problem_and_notice_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _base(tmp_path, roster="owners.yaml")
    # owners.yaml is missing: one roster problem
    monkeypatch.chdir(folder)
    problems: list[Diagnostic] = []
    notices: list[str] = []
    ws = Workspace(on_problems=problems.extend, on_notice=notices.append)

    assert ws.base is ws.base and ws.tree is ws.tree
    loaded = len(problems)
    assert loaded >= 2  # the broken file and the duplicate id
    assert ws.roster is ws.roster
    assert ws.ownership is ws.ownership
    assert ws.ownership.roster is ws.roster
    after_owners = list(problems)
    ws.history()
    ws.history()
    assert ws.built.counts == {
        "config": 1,
        "tree": 1,
        "base": 1,
        "roster": 1,
        "ownership": 1,
        "history": 1,
    }
    assert problems == after_owners, "no problem reported twice"
    assert len(problems) == len(set(map(str, problems)))
    assert len(notices) == 1  # not a git repository: said once, though asked twice
    assert len([p for p in problems if p.path.endswith("owners.yaml")]) == 1


def test_scope_is_chosen_in_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_base(tmp_path))
    ws = Workspace()
    scope = ws.scope([Path("kb/billing"), Path("/")])
    assert scope.paths == frozenset({"billing/refund.md"})
    assert scope.outside == (Path("/"),)
    assert ws.scope().paths is None
    with pytest.raises(UsageError) as raised:
        ws.scope([Path("kb/nope")])
    assert "--" not in raised.value.message + (raised.value.hint or "")


def _context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckContext:
    monkeypatch.chdir(_base(tmp_path))
    return Workspace().check_context(TODAY, with_history=False)


def test_rules_are_pure_functions_of_a_frozen_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = _context(tmp_path, monkeypatch)
    before = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}

    first = run_check(context)
    shutil.rmtree(tmp_path / "kb")  # rules read no files: the context is all they see
    second = run_check(context)

    assert first.findings == second.findings
    assert {f.name: getattr(context, f.name) for f in dataclasses.fields(context)} == before
    assert not context.params, "the engine gives each rule its own copy, never this one"
    assert {finding.rule_id for finding in first.findings} >= {"KB101", "KB105"}


def test_the_check_context_cannot_be_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = _context(tmp_path, monkeypatch)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.params = {"max_words": 1}  # type: ignore[misc]
    with pytest.raises(TypeError):
        context.params["max_words"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        context.by_path["x.md"] = context.articles[0]  # type: ignore[index]
    with pytest.raises(AttributeError):
        context.articles.append(context.articles[0])  # type: ignore[attr-defined]
    assert context.with_params({"days": 3}).by_path is context.by_path


def test_duplicate_ids_come_from_the_loader_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KB105 reports the loader's duplicate-id diagnostics; no second computation."""
    context = _context(tmp_path, monkeypatch)
    loaded = [d for d in context.diagnostics if d.code == kbctl.articles.DUPLICATE_ID_CODE]
    found = run_check(context, only=["KB105"]).findings
    assert [(f.path, f.line, f.message) for f in found] == [
        (d.path, d.line, d.message) for d in loaded
    ]
    assert len(found) == 1
    without = dataclasses.replace(context, diagnostics=())
    assert run_check(without, only=["KB105"]).findings == []


def test_core_errors_name_no_cli_flag() -> None:
    with pytest.raises(ValueError) as raised:
        fails([], "sometimes")
    assert "--" not in str(raised.value)
    assert not isinstance(raised.value, KbError)
