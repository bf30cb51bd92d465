"""One meaning of ``--owner``: front matter, else CODEOWNERS; teams expanded; handles and e-mails.

The same ``--owner`` selects the same articles in ``list``, ``stale``, ``review`` and ``owners``
(each command then shows the part of that set it is about).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbctl.articles import load_base
from kbctl.config import Config, load_config
from kbctl.ownership import belongs_to, effective_owners, load_ownership_facts
from tests.conftest import KB_CONTENT, Cli, GitRepo

TODAY = "2026-11-22"

# A person with articles of their own, in a team's folder of CODEOWNERS and in teams; a team
# named only in CODEOWNERS; a team of the roster; a person by e-mail.
OWNERS = [
    "@elena.sokolova",
    "elena.sokolova@relay.example",
    "@relay/support-leads",
    "@relay/billing",
    "@anna.petrova",
    "anna.petrova@relay.example",
    "@igor.smirnov",
]


def _paths(cli: Cli, cwd: Path, *args: str) -> list[str]:
    result = cli(*args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.stderr
    return [item["base_path"] for item in json.loads(result.stdout)]


@pytest.mark.skipif(not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there")
@pytest.mark.parametrize("owner", OWNERS)
def test_owner_selects_the_same_articles_in_every_command(
    cli: Cli, kb_copy: Path, owner: str
) -> None:
    listed = cli("list", "--owner", owner, "--format", "json", cwd=kb_copy)
    assert listed.exit_code == 0, listed.stderr
    articles = json.loads(listed.stdout)
    mine = {item["base_path"] for item in articles}
    live = {item["base_path"] for item in articles if item["status"] != "archived"}
    assert mine, f"{owner} owns nothing on the bundled base"

    owned = _paths(cli, kb_copy, "owners", "--owner", owner, "--today", TODAY)
    assert set(owned) == live

    stale = _paths(cli, kb_copy, "stale", "--owner", owner, "--today", TODAY)
    every_stale = _paths(cli, kb_copy, "stale", "--today", TODAY)
    assert set(stale) == set(every_stale) & mine

    queue = _paths(cli, kb_copy, "review", "--owner", owner, "--today", TODAY)
    whole_queue = _paths(cli, kb_copy, "review", "--today", TODAY)
    assert set(queue) == set(whole_queue) & mine


@pytest.mark.skipif(not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there")
def test_list_owner_uses_codeowners_teams_and_emails(cli: Cli, kb_copy: Path) -> None:
    by_handle = _paths(cli, kb_copy, "list", "--owner", "@elena.sokolova")
    assert _paths(cli, kb_copy, "list", "--owner", "ELENA.SOKOLOVA@relay.example") == by_handle
    assert _paths(cli, kb_copy, "list", "--owner", "elena.sokolova") == by_handle
    # CODEOWNERS gives her /checklists/ (with a team); front matter still wins elsewhere.
    assert "checklists/incident-communication.md" in by_handle
    # A member gets her team's articles: @anna.petrova is in @relay/billing.
    billing = set(_paths(cli, kb_copy, "list", "--owner", "@relay/billing"))
    assert billing <= set(_paths(cli, kb_copy, "list", "--owner", "@anna.petrova"))


def test_belongs_to_front_matter_first_then_codeowners(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\nroster = "owners.yaml"\n')
    git_repo.write(
        "owners.yaml",
        "people:\n  - handle: '@ann'\n    email: ann@example.com\n"
        "teams:\n  - handle: '@org/docs'\n    members: ['@ann']\n",
    )
    git_repo.write("kb/.github/CODEOWNERS", "/guides/ @org/docs\n/drafts/\n")
    git_repo.write("kb/guides/own.md", "---\nid: A\nowner: '@bob'\n---\nBody\n")
    git_repo.write("kb/guides/team.md", "---\nid: B\n---\nBody\n")
    git_repo.write("kb/drafts/none.md", "---\nid: C\n---\nBody\n")
    config: Config = load_config(cwd=git_repo.path)
    base = load_base(config)
    facts = load_ownership_facts(config, base.articles)
    by_id = {article.id: article for article in base.articles}

    assert effective_owners(by_id["A"], facts).owners == ("@bob",)
    assert effective_owners(by_id["A"], facts).source == "front-matter"
    assert effective_owners(by_id["B"], facts).owners == ("@org/docs",)
    assert effective_owners(by_id["B"], facts).source == "codeowners"
    assert effective_owners(by_id["C"], facts).owners == ()

    assert not belongs_to(by_id["A"], "@ann", facts)  # front matter wins over CODEOWNERS
    assert belongs_to(by_id["B"], "@ann", facts)  # team expanded to its member
    assert belongs_to(by_id["B"], "ann@example.com", facts)  # e-mail of the roster
    assert belongs_to(by_id["B"], "ORG/DOCS", facts)  # case and @ optional
    assert belongs_to(by_id["A"], ["@nobody", "bob"], facts)  # any of several
    assert not any(belongs_to(by_id["C"], who, facts) for who in ("@ann", "@org/docs"))
