"""Ownership: CODEOWNERS with GitHub's semantics, front matter first, the roster, team expansion."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kbctl.articles import load_base
from kbctl.config import Config
from kbctl.model import Severity
from kbctl.ownership import (
    OwnershipFacts,
    OwnerStanding,
    Roster,
    RosterEntry,
    find_codeowners,
    load_roster,
    owned_by,
    ownership_report,
    parse_codeowners,
    queue_owners,
    resolve_ownership,
)
from kbctl.policy.queue import owners_summary, review_queue
from kbctl.selection import ArticleFilter
from tests.conftest import article_text

# GitHub's documented example CODEOWNERS (docs.github.com, "About code owners"), in order.
GITHUB_EXAMPLE = """\
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most precedence.
*.js    @js-owner #This is an inline comment.

*.go docs@example.com

*.txt @octo-org/octocats

/build/logs/ @doctocat

# The `docs/*` pattern will match files like `docs/getting-started.md`
# but not further nested files like `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

apps/ @octocat

/docs/ @doctocat

/scripts/ @doctocat @octocat

**/logs @octocat

/apps/ @octocat
/apps/github @doctocat
"""


OwnersOf = Callable[..., dict[str, tuple[tuple[str, ...], str, int]]]


@pytest.fixture
def owners_of(tmp_path: Path) -> OwnersOf:
    """Resolve (owners, source, line) of article files with no front-matter owner."""

    def resolve(codeowners: str, *paths: str) -> dict[str, tuple[tuple[str, ...], str, int]]:
        root = tmp_path / "repo"
        (root / ".github").mkdir(parents=True, exist_ok=True)
        (root / ".github" / "CODEOWNERS").write_text(codeowners, encoding="utf-8")
        for path in paths:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(article_text(id=path), encoding="utf-8")
        config = Config(root=root, include=["**/*.md"], exclude=[])
        base = load_base(config, [root / path for path in paths])
        return {
            path: (found.owners, found.source, found.line)
            for path, found in resolve_ownership(config, base.articles).items()
        }

    return resolve


class TestGitHubExample:
    def test_last_matching_pattern_wins(self, owners_of: OwnersOf) -> None:
        found = owners_of(GITHUB_EXAMPLE, "src/app.js", "README.md", "main.go", "notes.txt")
        assert found["src/app.js"][0] == ("@js-owner",)  # inline comment is not an owner
        assert found["README.md"][0] == ("@global-owner1", "@global-owner2")
        assert found["main.go"][0] == ("docs@example.com",)
        assert found["notes.txt"][0] == ("@octo-org/octocats",)
        assert found["src/app.js"][1] == "codeowners"
        assert found["src/app.js"][2] == 5  # the line that matched

    def test_docs_star_matches_direct_children_only(self, owners_of: OwnersOf) -> None:
        found = owners_of(
            "docs/*  docs@example.com\n",
            "docs/getting-started.md",
            "docs/build-app/troubleshooting.md",
        )
        assert found["docs/getting-started.md"][0] == ("docs@example.com",)
        assert found["docs/build-app/troubleshooting.md"] == ((), "none", 1)

    def test_docs_double_star_matches_nested_files(self, owners_of: OwnersOf) -> None:
        found = owners_of(
            "docs/**  @writers\n", "docs/a.md", "docs/deep/er/b.md", "other/docs/c.md"
        )
        assert found["docs/a.md"][0] == ("@writers",)
        assert found["docs/deep/er/b.md"][0] == ("@writers",)
        assert found["other/docs/c.md"][1] == "none"  # a pattern with a slash is anchored

    def test_directory_pattern_vs_star(self, owners_of: OwnersOf) -> None:
        found = owners_of(
            "apps/ @octocat\n/build/logs/ @doctocat\n",
            "apps/x.md",
            "deep/apps/y.md",
            "build/logs/today/z.md",
            "other/build/logs/w.md",
        )
        assert found["apps/x.md"][0] == ("@octocat",)  # "apps/" matches at any depth
        assert found["deep/apps/y.md"][0] == ("@octocat",)
        assert found["build/logs/today/z.md"][0] == ("@doctocat",)  # and all subfolders
        assert found["other/build/logs/w.md"][1] == "none"  # "/build/logs/" is anchored

    def test_double_star_logs_anywhere(self, owners_of: OwnersOf) -> None:
        found = owners_of("**/logs @octocat\n", "build/logs/a.md", "deeply/nested/logs/b.md")
        assert found["build/logs/a.md"][0] == ("@octocat",)
        assert found["deeply/nested/logs/b.md"][0] == ("@octocat",)

    def test_subfolder_with_its_own_owner(self, owners_of: OwnersOf) -> None:
        found = owners_of(GITHUB_EXAMPLE, "apps/github/a.md", "apps/web/b.md")
        assert found["apps/github/a.md"][0] == ("@doctocat",)
        assert found["apps/web/b.md"][0] == ("@octocat",)

    def test_pattern_without_owners_makes_paths_unowned(self, owners_of: OwnersOf) -> None:
        text = "* @global\n/apps/ @octocat\n/apps/github\n"
        found = owners_of(text, "apps/github/a.md", "apps/web/b.md", "x.md")
        # Explicitly unowned: no owners, but the CODEOWNERS line that said so is known.
        assert found["apps/github/a.md"] == ((), "codeowners", 3)
        assert found["apps/web/b.md"][0] == ("@octocat",)
        assert found["x.md"][0] == ("@global",)

    def test_no_matching_line_is_unowned_with_source_none(self, owners_of: OwnersOf) -> None:
        found = owners_of("/billing/ @relay/billing\n", "faq/a.md")
        assert found["faq/a.md"] == ((), "none", 1)

    def test_paths_are_case_sensitive(self, owners_of: OwnersOf) -> None:
        found = owners_of("/Docs/ @writers\n", "docs/a.md", "Docs/b.md")
        assert found["docs/a.md"][1] == "none"
        assert found["Docs/b.md"][0] == ("@writers",)

    def test_escaped_space_in_pattern(self, owners_of: OwnersOf) -> None:
        found = owners_of("/faq/Export\\ to\\ CSV.md @sarah\n", "faq/Export to CSV.md")
        assert found["faq/Export to CSV.md"][0] == ("@sarah",)


class TestUnsupportedSyntax:
    @pytest.mark.parametrize(
        ("line", "why"),
        [
            ("!docs/secret.md @nobody", "negation"),
            ("\\#notes.md @nobody", "escaping '#'"),
            ("docs/[ab].md @nobody", "character ranges"),
        ],
    )
    def test_lines_github_cannot_use_are_ignored_with_a_warning(
        self, owners_of: OwnersOf, line: str, why: str
    ) -> None:
        text = f"* @global\n{line}\n"
        (_sections, gitlab), diagnostics = parse_codeowners(text)
        assert not gitlab
        assert [d.line for d in diagnostics] == [2]
        assert why in diagnostics[0].message
        assert diagnostics[0].severity is Severity.WARNING
        found = owners_of(text, "docs/secret.md", "docs/a.md", "#notes.md")
        assert all(owners == ("@global",) for owners, _source, _line in found.values())

    def test_hash_line_is_a_comment(self, owners_of: OwnersOf) -> None:
        found = owners_of("* @global\n#docs/ @other\n", "docs/a.md")
        assert found["docs/a.md"][0] == ("@global",)

    def test_invalid_owner_is_reported(self, owners_of: OwnersOf) -> None:
        _sections, diagnostics = parse_codeowners("* @ok not-an-owner\n")
        assert len(diagnostics) == 1
        assert "not-an-owner" in diagnostics[0].message


class TestGitLabSections:
    def test_every_matching_section_adds_owners(self, owners_of: OwnersOf) -> None:
        text = textwrap.dedent(
            """\
            [Docs] @docs-team
            *.md
            /billing/ @billing-writer

            [Security][2] @security
            /billing/ @sec-reviewer
            """
        )
        found = owners_of(text, "billing/a.md", "faq/b.md")
        assert set(found["billing/a.md"][0]) == {"@billing-writer", "@sec-reviewer"}
        assert found["faq/b.md"][0] == ("@docs-team",)  # default owners of the section


class TestLocations:
    def test_configured_file_wins(self, tmp_path: Path) -> None:
        custom = tmp_path / "owners" / "CODEOWNERS"
        custom.parent.mkdir()
        custom.write_text("* @custom\n")
        (tmp_path / "CODEOWNERS").write_text("* @root\n")
        assert find_codeowners(Config(root=tmp_path, codeowners=custom)) == custom

    def test_github_order_then_git_root(self, tmp_path: Path) -> None:
        repo = tmp_path / "repo"
        base = repo / "docs"
        base.mkdir(parents=True)
        (repo / ".git").mkdir()
        (repo / "CODEOWNERS").write_text("/docs/billing/ @billing\n")
        config = Config(root=base)
        assert find_codeowners(config) == repo / "CODEOWNERS"
        (base / "CODEOWNERS").write_text("* @base-root\n")
        assert find_codeowners(config) == base / "CODEOWNERS"
        (base / ".github").mkdir()
        (base / ".github" / "CODEOWNERS").write_text("* @base-github\n")
        assert find_codeowners(config) == base / ".github" / "CODEOWNERS"

    def test_patterns_are_relative_to_the_repository_root(self, tmp_path: Path) -> None:
        repo = tmp_path / "repo"
        base = repo / "docs"
        (repo / ".git").mkdir(parents=True)
        (repo / "docs" / "billing").mkdir(parents=True)
        # docs/CODEOWNERS governs the repository root, not docs/.
        (repo / "docs" / "CODEOWNERS").write_text("/docs/billing/ @billing\n/billing/ @wrong\n")
        (base / "billing" / "card.md").write_text(article_text(id="KB-1"))
        config = Config(root=base)
        found = resolve_ownership(config, load_base(config).articles)
        assert found["billing/card.md"].owners == ("@billing",)
        assert found["billing/card.md"].line == 1


def test_front_matter_owner_beats_codeowners(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / ".github").mkdir(parents=True)
    (root / ".github" / "CODEOWNERS").write_text("* @from-codeowners\n")
    (root / "a.md").write_text(article_text(id="A", title="A", owner="@from-front"))
    (root / "b.md").write_text(article_text(id="B", title="B", **{"ms.author": "someone"}))
    (root / "c.md").write_text(article_text(id="C", title="C"))
    config = Config(root=root)
    found = resolve_ownership(config, load_base(config).articles)
    assert found["a.md"].owners == ("@from-front",)
    assert found["a.md"].source == "front-matter"
    assert found["a.md"].line == 4  # --- id title owner
    assert found["b.md"].owners == ("someone",)  # configured alias ms.author
    assert found["c.md"].owners == ("@from-codeowners",)
    assert found["c.md"].source == "codeowners"


def test_missing_configured_codeowners_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article_text(id="A"))
    config = Config(root=tmp_path, codeowners=tmp_path / "nope" / "CODEOWNERS")
    report = ownership_report(config, load_base(config).articles)
    assert report.ownership["a.md"].source == "none"
    assert [d.severity for d in report.diagnostics] == [Severity.WARNING]


# --------------------------------------------------------------------------- roster

ROSTER = """\
# people and teams
people:
  - handle: "@anna.petrova"
    name: Anna Petrova
    email: anna.petrova@relay.example
    active: true
  - handle: "@oleg.kuznetsov"
    name: Oleg
    active: false
  - handle: "@dmitry.volkov"
teams:
  - handle: "@relay/billing"
    name: Billing
    members: ["@anna.petrova", "@Dmitry.Volkov"]
    active: true
"""


def roster_config(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "owners.yaml"
    path.write_text(text, encoding="utf-8")
    return Config(root=tmp_path, roster=path)


def test_roster_lookup_is_case_insensitive_with_optional_at(tmp_path: Path) -> None:
    roster, diagnostics = load_roster(roster_config(tmp_path, ROSTER))
    assert diagnostics == []
    assert roster is not None
    assert roster.get("ANNA.petrova").handle == "@anna.petrova"
    assert roster.get("@anna.petrova").name == "Anna Petrova"
    assert roster.get("anna.petrova@relay.example").handle == "@anna.petrova"
    assert roster.get("@nobody") is None
    assert roster.get("@oleg.kuznetsov").active is False


def test_team_expands_to_members(tmp_path: Path) -> None:
    roster, _ = load_roster(roster_config(tmp_path, ROSTER))
    assert roster is not None
    assert roster.expand("@relay/billing") == ("@relay/billing", "@anna.petrova", "@dmitry.volkov")
    assert roster.expand("anna.petrova") == ("@anna.petrova",)
    assert roster.expand("@stranger") == ("@stranger",)
    # An article owned by the team and by a member is in that member's queue once.
    assert queue_owners(["@relay/billing", "@anna.petrova"], roster) == (
        "@relay/billing",
        "@anna.petrova",
        "@dmitry.volkov",
    )
    assert owned_by(["@relay/billing"], "@Dmitry.Volkov", roster)
    assert owned_by(["@relay/billing"], "anna.petrova@relay.example", roster)
    assert not owned_by(["@relay/billing"], "@oleg.kuznetsov", roster)


def test_nested_teams_and_cycles_terminate() -> None:
    roster = Roster(
        [
            RosterEntry("@a", None, None, True, ("@b",), True),
            RosterEntry("@b", None, None, True, ("@a", "@p"), True),
            RosterEntry("@p", None, None, True),
        ]
    )
    assert roster.expand("@a") == ("@a", "@b", "@p")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("people: [", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("people: 5\n", "'people' must be a list"),
        ("people:\n  - name: No Handle\n", "has no handle"),
        ("people:\n  - handle: '@a'\n    active: maybe\n", "'active' must be true or false"),
        ("people:\n  - handle: '@a'\n  - handle: '@A'\n", "listed twice"),
        ("teams:\n  - handle: '@t'\n    members: ['@ghost']\n", "not in the roster"),
    ],
)
def test_bad_roster_gives_diagnostics_not_crashes(tmp_path: Path, text: str, expected: str) -> None:
    _roster, diagnostics = load_roster(roster_config(tmp_path, text))
    assert any(expected in d.message for d in diagnostics), diagnostics


def test_bad_roster_entry_line_is_reported(tmp_path: Path) -> None:
    _roster, diagnostics = load_roster(
        roster_config(tmp_path, "people:\n  - handle: '@a'\n  - name: X\n")
    )
    assert [d.line for d in diagnostics] == [3]


def test_missing_roster_file(tmp_path: Path) -> None:
    roster, diagnostics = load_roster(Config(root=tmp_path, roster=tmp_path / "none.yaml"))
    assert roster is None
    assert "not found" in diagnostics[0].message


# --------------------------------------------------------------------------- summaries


def make_base(tmp_path: Path, articles: dict[str, dict], roster: str = ROSTER) -> Config:
    root = tmp_path / "kb"
    for path, front in articles.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(article_text(**front), encoding="utf-8")
    (tmp_path / "owners.yaml").write_text(roster, encoding="utf-8")
    return Config(root=root, roster=tmp_path / "owners.yaml")


TODAY = date(2026, 11, 22)


def test_owners_summary_counts_teams_and_members_and_inactive_owners(tmp_path: Path) -> None:
    config = make_base(
        tmp_path,
        {
            "team.md": {"id": "T", "owner": "@relay/billing", "last_reviewed": "2025-01-01"},
            "both.md": {
                "id": "B",
                "owners": ["@relay/billing", "@anna.petrova"],
                "last_reviewed": "2026-10-01",
                "flags": [{"by": "@x", "date": "2026-11-01", "reason": "wrong"}],
            },
            "gone.md": {"id": "G", "owner": "@oleg.kuznetsov", "last_reviewed": "2026-11-01"},
            "none.md": {"id": "N", "last_reviewed": "2026-11-01"},
            "old.md": {"id": "O", "owner": "@anna.petrova", "status": "archived"},
        },
    )
    base = load_base(config)
    roster, _ = load_roster(config)
    summary = owners_summary(
        base.articles, resolve_ownership(config, base.articles), roster, config, TODAY
    )
    rows = {row.owner: row for row in summary.owners}
    assert rows["@anna.petrova"].articles == 2  # team article + own, "both.md" once
    assert rows["@anna.petrova"].overdue == 1
    assert rows["@anna.petrova"].flagged == 1
    assert rows["@anna.petrova"].oldest == date(2025, 1, 1)
    assert rows["@dmitry.volkov"].articles == 2
    assert rows["@relay/billing"].is_team
    assert [row.owner for row in summary.roster_problems] == ["@oleg.kuznetsov"]
    assert summary.roster_problems[0].standing is OwnerStanding.INACTIVE
    # Without a live owner: nobody named (N), or only owners who left (G); archived left out.
    assert [article.id for article, _ in summary.ownerless] == ["G", "N"]


def test_review_queue_ranks_external_overdue_first(tmp_path: Path) -> None:
    config = make_base(
        tmp_path,
        {
            "internal-very-old.md": {
                "id": "INT",
                "owner": "@anna.petrova",
                "audience": "internal",
                "last_reviewed": "2024-01-01",
            },
            "customer.md": {
                "id": "CUS",
                "owner": "@anna.petrova",
                "audience": "customer",
                "last_reviewed": "2026-01-01",
            },
            "public-soon.md": {
                "id": "SOON",
                "owner": "@anna.petrova",
                "audience": "public",
                "last_reviewed": "2026-06-01",
            },
            "fresh.md": {"id": "OK", "owner": "@anna.petrova", "last_reviewed": "2026-11-01"},
            "gone.md": {
                "id": "GONE",
                "owner": "@oleg.kuznetsov",
                "status": "validated",
                "last_reviewed": "2026-11-01",
            },
            "wip.md": {
                "id": "WIP",
                "owner": "@relay/billing",
                "status": "wip",
                "created": "2026-09-01",
                "last_reviewed": "2026-11-01",
            },
            "flagged.md": {
                "id": "FLAG",
                "owner": "@dmitry.volkov",
                "audience": "internal",
                "last_reviewed": "2026-11-01",
                "flags": [{"by": "@x", "date": "2026-11-01", "reason": "wrong"}],
            },
        },
    )
    base = load_base(config)
    roster, _ = load_roster(config)
    ownership = resolve_ownership(config, base.articles)
    queue = review_queue(base.articles, ownership, roster, config, TODAY)
    assert [item.article.id for item in queue] == ["FLAG", "CUS", "INT", "GONE", "WIP", "SOON"]
    assert str(queue[3].reasons[0]) == "owner missing"
    facts = OwnershipFacts(ownership, roster)
    dmitry = ArticleFilter(owners=("@dmitry.volkov",)).select(base.articles, facts)
    mine = review_queue(dmitry, ownership, roster, config, TODAY)
    assert [item.article.id for item in mine] == ["FLAG", "WIP"]  # WIP via @relay/billing
