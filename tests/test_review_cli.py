"""``kbctl owners``, ``review``, ``review mark``, ``flag`` and ``flags`` through the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kbctl.articles import load_base
from kbctl.config import load_config
from kbctl.policy.review import ReviewState, review_status
from tests.conftest import KB_CONTENT, Cli, GitRepo, run_kbctl

TODAY = "2026-11-22"

ROSTER = """\
people:
  - handle: "@anna.petrova"
    name: Anna Petrova
    email: anna.petrova@relay.example
    active: true
  - handle: "@dmitry.volkov"
    email: dmitry.volkov@relay.example
    active: true
  - handle: "@oleg.kuznetsov"
    active: false
teams:
  - handle: "@relay/billing"
    members: ["@anna.petrova", "@dmitry.volkov"]
"""

CODEOWNERS = """\
/billing/ @relay/billing
/howto/drafts/
"""

# Hand-written, with everything a careless edit would break: comments, odd quoting, a body
# with "---" lines.
CARD = """\
---
# Owned by the billing team (see CODEOWNERS)
id: KB-0012
title:   'Card declined: what it''s about'   # keep the quoting
status: validated
audience: customer
last_reviewed: "2025-01-10"  # the audit
review_interval: 180d
---
# Card declined

Steps.

---

owner: not front matter
---
"""

# CRLF line endings and a BOM.
INVOICE = (
    '\ufeff---\r\nid: KB-0020\r\ntitle: Invoice unpaid\r\nowner: "@dmitry.volkov"\r\n'
    "audience: internal\r\nstatus: validated\r\nlast_reviewed: 2024-05-01\r\n---\r\nBody\r\n"
)


@pytest.fixture
def kb(git_repo: GitRepo) -> GitRepo:
    """A small base in a git repository: roster, CODEOWNERS, awkward files."""
    git_repo.write("kbctl.toml", 'content = "kb"\nroster = "owners.yaml"\n')
    git_repo.write("owners.yaml", ROSTER)
    git_repo.write("kb/.github/CODEOWNERS", CODEOWNERS)
    git_repo.write("kb/billing/card.md", CARD)
    git_repo.write("kb/billing/invoice.md", INVOICE)
    git_repo.write_article(
        "kb/howto/drafts/merge.md", id="KB-0030", title="Merge", status="wip", created="2025-01-01"
    )
    git_repo.write_article(
        "kb/integrations/webhook.md",
        id="KB-0040",
        title="Webhook",
        owner="@oleg.kuznetsov",
        status="validated",
        audience="public",
        last_reviewed="2026-10-01",
    )
    git_repo.commit("Add the base", "2026-01-15T10:00:00+03:00")
    return git_repo


def as_json(result) -> object:
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_owners_json_counts_team_members_and_roster_problems(cli: Cli, kb: GitRepo) -> None:
    data = as_json(cli("owners", "--format", "json", "--today", TODAY, cwd=kb.path))
    rows = {row["owner"]: row for row in data["owner_rows"]}
    assert rows["@relay/billing"] == {
        "owner": "@relay/billing",
        "roster": "ok",
        "team": True,
        "articles": 1,
        "due": 0,
        "overdue": 1,
        "flagged": 0,
        "oldest": "2025-01-10",
        "oldest_id": "KB-0012",
    }
    assert rows["@anna.petrova"]["articles"] == 1  # via the team
    assert rows["@dmitry.volkov"]["articles"] == 2  # via the team and his own article
    assert [row["owner"] for row in data["roster_problems"]] == ["@oleg.kuznetsov"]
    assert data["roster_problems"][0]["roster"] == "inactive"
    # "Owner missing" means no live owner: nobody named, or only owners who left.
    assert [item["base_path"] for item in data["ownerless"]] == [
        "howto/drafts/merge.md",
        "integrations/webhook.md",
    ]
    assert data["ownerless"][0]["why"] == "CODEOWNERS line without owners"
    assert data["ownerless"][1]["why"] == "no live owner"


def test_owners_missing_lists_only_ownerless_and_exits_1(cli: Cli, kb: GitRepo) -> None:
    result = cli("owners", "--missing", cwd=kb.path)
    assert result.exit_code == 1
    assert "howto/drafts/merge.md" in result.stdout
    assert "@relay/billing" not in result.stdout
    assert "integrations/webhook.md" in result.stdout  # its only owner left
    kb.write_article("kb/howto/drafts/merge.md", id="KB-0030", owner="@anna.petrova")
    kb.write_article("kb/integrations/webhook.md", id="KB-0040", owner="@anna.petrova")
    assert cli("owners", "--missing", cwd=kb.path).exit_code == 0


def test_review_queue_is_ranked_and_filtered_by_owner(cli: Cli, kb: GitRepo) -> None:
    queue = as_json(cli("review", "--format", "json", "--today", TODAY, cwd=kb.path))
    assert [(item["id"], item["reasons"]) for item in queue] == [
        ("KB-0012", ["overdue"]),  # customer-facing first
        ("KB-0020", ["overdue"]),  # internal, although longer overdue
        # No review date: due from its last commit; no owner (an owner-less CODEOWNERS line).
        ("KB-0030", ["overdue", "owner missing", "wip too old"]),
        ("KB-0040", ["owner missing"]),  # its only owner left
    ]
    mine = as_json(
        cli("review", "--owner", "anna.petrova", "--format", "json", "--today", TODAY, cwd=kb.path)
    )
    assert [item["id"] for item in mine] == ["KB-0012"]
    table = cli("review", "--today", TODAY, cwd=kb.path)
    assert table.exit_code == 0
    assert "KB-0012" in table.stdout and "overdue" in table.stdout


def test_review_mark_changes_only_the_review_keys(cli: Cli, kb: GitRepo) -> None:
    card = kb.path / "kb/billing/card.md"
    invoice = kb.path / "kb/billing/invoice.md"
    before_invoice = invoice.read_bytes()
    result = cli(
        "review", "mark", "KB-0012", "billing/invoice.md", "--by", "@anna.petrova",
        "--date", "2026-11-20", cwd=kb.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "marked KB-0012 reviewed" in result.stderr
    assert card.read_text() == CARD.replace('"2025-01-10"', '"2026-11-20"').replace(
        "review_interval: 180d\n", "review_interval: 180d\nreviewed_by: '@anna.petrova'\n"
    )
    assert invoice.read_bytes() == before_invoice.replace(b"2024-05-01", b"2026-11-20").replace(
        b"2026-11-20\r\n---", b"2026-11-20\r\nreviewed_by: '@anna.petrova'\r\n---"
    )


def test_marking_reviewed_removes_the_article_from_the_stale_list(cli: Cli, kb: GitRepo) -> None:
    today = date.fromisoformat(TODAY)

    def stale_ids() -> set[str]:
        config = load_config(cwd=kb.path)
        return {
            article.id
            for article in load_base(config).articles
            if review_status(article, None, config, today).state
            in (ReviewState.OVERDUE, ReviewState.DUE_SOON, ReviewState.NEVER)
        }

    def stale_command_ids() -> list[str]:
        result = cli("stale", "--format", "json", "--today", TODAY, cwd=kb.path)
        return [item["id"] for item in as_json(result)]

    assert "KB-0012" in stale_ids()
    assert "KB-0012" in stale_command_ids()
    result = cli("review", "mark", "KB-0012", "--by", "@anna.petrova", "--date", TODAY, cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert "KB-0012" not in stale_ids()
    assert "KB-0012" not in stale_command_ids()
    queue = as_json(cli("review", "--format", "json", "--today", TODAY, cwd=kb.path))
    assert "KB-0012" not in [item["id"] for item in queue]


def test_review_mark_defaults_to_the_git_user_as_a_roster_handle(cli: Cli, kb: GitRepo) -> None:
    result = cli("review", "mark", "KB-0012", "--status", "validated", cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    text = (kb.path / "kb/billing/card.md").read_text()
    assert "reviewed_by: '@anna.petrova'" in text  # git's anna.petrova@relay.example


def test_review_mark_commit_commits_only_the_marked_files(cli: Cli, kb: GitRepo) -> None:
    kb.write("kb/billing/unrelated.md", "---\nid: KB-0099\n---\nWork in progress\n")
    result = cli("review", "mark", "KB-0012", "--by", "@anna.petrova", "--commit", cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert kb.git("log", "-1", "--format=%s").strip() == "docs(kb): mark KB-0012 reviewed"
    assert kb.git("show", "--name-only", "--format=", "HEAD").split() == ["kb/billing/card.md"]
    assert "kb/billing/unrelated.md" in kb.git("status", "--porcelain")


def test_review_mark_all_due_of_an_owner(cli: Cli, kb: GitRepo) -> None:
    result = cli(
        "review", "mark", "--owner", "@dmitry.volkov", "--all-due", "--by", "@dmitry.volkov",
        "--date", TODAY, cwd=kb.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "KB-0012" in result.stderr and "KB-0020" in result.stderr
    assert "KB-0040" not in result.stderr


def test_review_mark_refuses_unsafe_file_and_leaves_it_untouched(cli: Cli, kb: GitRepo) -> None:
    folded = "---\nid: KB-0050\nlast_reviewed: >\n  2024-01-01\n---\nBody\n"
    path = kb.write("kb/billing/folded.md", folded)
    result = cli("review", "mark", "KB-0050", "--by", "@anna.petrova", cwd=kb.path)
    assert result.exit_code == 2
    assert "kbctl: error:" in result.stderr and "several lines" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text() == folded


def test_review_mark_of_several_edits_and_commits_the_safe_ones(cli: Cli, kb: GitRepo) -> None:
    folded = "---\nid: KB-0050\nlast_reviewed: >\n  2024-01-01\n---\nBody\n"
    path = kb.write("kb/billing/folded.md", folded)
    kb.commit("Add a folded date", "2026-02-01T10:00:00+03:00")
    result = cli(
        "review", "mark", "KB-0050", "KB-0012", "--by", "@anna.petrova", "--date", TODAY,
        "--commit", cwd=kb.path,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "1 of 2 articles were not edited" in result.stderr
    assert path.read_text() == folded
    assert kb.git("show", "--name-only", "--format=", "HEAD").split() == ["kb/billing/card.md"]
    assert f'last_reviewed: "{TODAY}"' in (kb.path / "kb/billing/card.md").read_text()


def test_review_mark_unknown_article_edits_nothing(cli: Cli, kb: GitRepo) -> None:
    before = (kb.path / "kb/billing/card.md").read_bytes()
    result = cli("review", "mark", "KB-0012", "KB-9999", "--by", "@a", cwd=kb.path)
    assert result.exit_code == 2
    assert "KB-9999" in result.stderr
    assert (kb.path / "kb/billing/card.md").read_bytes() == before


def test_review_mark_rejects_unknown_status(cli: Cli, kb: GitRepo) -> None:
    result = cli("review", "mark", "KB-0012", "--status", "approved", "--by", "@a", cwd=kb.path)
    assert result.exit_code == 2
    assert "unknown status" in result.stderr


def test_flag_then_flags_then_clear(cli: Cli, kb: GitRepo) -> None:
    invoice = kb.path / "kb/billing/invoice.md"
    before = invoice.read_bytes()
    result = cli(
        "flag", "KB-0020", "Step 2: the console moved", "--by", "@ivan", "--date", "2026-11-01",
        cwd=kb.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    flagged = invoice.read_bytes()
    assert flagged == before.replace(
        b"---\r\nBody",
        b"flags:\r\n  - by: '@ivan'\r\n    date: 2026-11-01\r\n"
        b"    reason: 'Step 2: the console moved'\r\n---\r\nBody",
    )
    second = cli("flag", "KB-0020", "typo", "--by", "@anna", "--date", "2026-11-02", cwd=kb.path)
    assert second.exit_code == 0, second.stderr
    listed = as_json(cli("flags", "--format", "json", cwd=kb.path))
    assert [item["id"] for item in listed] == ["KB-0020"]  # one record per article
    assert [(f["by"], f["date"], f["reason"]) for f in listed[0]["flags"]] == [
        ("@ivan", "2026-11-01", "Step 2: the console moved"),
        ("@anna", "2026-11-02", "typo"),
    ]
    assert listed[0]["owners"] == ["@dmitry.volkov"]
    queue = as_json(cli("review", "--format", "json", "--today", TODAY, cwd=kb.path))
    assert queue[0]["id"] == "KB-0020" and queue[0]["reasons"][0] == "flagged"

    cleared = cli(
        "review", "mark", "KB-0020", "--clear-flags", "--by", "@dmitry.volkov",
        "--date", "2026-11-03", cwd=kb.path,
    )  # fmt: skip
    assert cleared.exit_code == 0, cleared.stderr
    assert as_json(cli("flags", "--format", "json", cwd=kb.path)) == []
    assert invoice.read_bytes() == before.replace(b"2024-05-01", b"2026-11-03").replace(
        b"---\r\nBody", b"reviewed_by: '@dmitry.volkov'\r\n---\r\nBody"
    )


def test_review_through_a_real_process(kb: GitRepo) -> None:
    result = run_kbctl("review", "--format", "json", "--today", TODAY, cwd=kb.path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == "KB-0012"
    marked = run_kbctl("review", "mark", "KB-0040", "--by", "@anna.petrova", cwd=kb.path)
    assert marked.returncode == 0, marked.stderr
    assert "reviewed_by: '@anna.petrova'" in (kb.path / "kb/integrations/webhook.md").read_text()


@pytest.mark.skipif(not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there")
def test_bundled_base_queues_are_believable(cli: Cli, kb_copy: Path) -> None:
    owners = as_json(cli("owners", "--format", "json", "--today", TODAY, cwd=kb_copy))
    problems = {row["owner"]: row["roster"] for row in owners["roster_problems"]}
    assert problems == {"@oleg.kuznetsov": "inactive", "@m.ivanova": "not in roster"}
    assert [item["base_path"] for item in owners["ownerless"]] == [
        "howto/drafts/merge-duplicate-contacts.md",
        "integrations/webhook-otklyuchen-posle-oshibok.md",  # its owner left
        "mobile/android-push-energosberezhenie.md",  # its owner is not in the roster
    ]
    queue = as_json(cli("review", "--format", "json", "--today", TODAY, cwd=kb_copy))
    ids = [item["id"] for item in queue]
    assert ids[0] == "KB-0015"  # flagged and customer-facing
    reasons = {item["base_path"]: item["reasons"] for item in queue}
    assert "overdue" in reasons["faq/data-retention.md"]
    assert "wip too old" in reasons["checklists/peredacha-statey-pri-uhode-sotrudnika.md"]
    assert "owner missing" in reasons["integrations/webhook-otklyuchen-posle-oshibok.md"]
    assert "owner missing" in reasons["howto/drafts/merge-duplicate-contacts.md"]
    assert not any(path.startswith("integrations/hipchat") for path in reasons)  # archived


def test_review_mark_updates_an_aliased_key_in_its_own_style(cli: Cli, kb: GitRepo) -> None:
    text = "---\nms.author: annap\nms.date: 04/21/2020\nstate: Draft\n---\nBody\n"
    path = kb.write("kb/howto/legacy.md", text)
    result = cli(
        "review", "mark", "howto/legacy.md", "--by", "@anna.petrova", "--date", "2026-11-22",
        "--status", "validated", cwd=kb.path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert path.read_text() == (
        "---\nms.author: annap\nms.date: 11/22/2026\nstate: validated\n"
        "reviewed_by: '@anna.petrova'\n---\nBody\n"
    )


def test_review_mark_refuses_front_matter_that_is_not_a_mapping(cli: Cli, kb: GitRepo) -> None:
    text = "---\n- just\n- a list\n---\nBody\n"
    path = kb.write("kb/billing/list.md", text)
    result = cli("review", "mark", "kb/billing/list.md", "--by", "@anna.petrova", cwd=kb.path)
    assert result.exit_code == 2
    assert "kbctl: error: billing/list.md: front matter is not a mapping; not edited" in (
        result.stderr
    )
    assert path.read_text() == text
