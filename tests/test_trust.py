"""The trust verdict and the audience ceiling (kbctl.policy.trust): pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kbctl.config import Config
from kbctl.model import (
    Article,
    ArticleHistory,
    Change,
    Flag,
    audience_allows,
    visible_audiences,
    within_ceiling,
)
from kbctl.ownership import Ownership
from kbctl.policy.review import review_status
from kbctl.policy.trust import TrustLevel, assess_trust

TODAY = date(2026, 11, 22)
OWNED = Ownership(("@anna",), "front-matter")


def article(**fields: object) -> Article:
    values: dict[str, object] = {
        "id": "KB-1",
        "path": "a.md",
        "abs_path": Path("/kb/a.md"),
        "title": "A",
        "body": "text",
        "status": "validated",
        "last_reviewed": date(2026, 10, 1),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def verdict(item: Article, history: ArticleHistory | None = None, owned: Ownership = OWNED):
    config = Config(root=Path("/kb"))
    review = review_status(item, None, config, TODAY)
    return assess_trust(item, review, owned, None, history)


@pytest.mark.parametrize(
    ("ceiling", "seen"),
    [
        ("public", {"public"}),
        ("customer", {"customer", "public"}),
        ("partner", {"partner", "customer", "public"}),
    ],
)
def test_an_audience_sees_its_own_and_wider_ones(ceiling: str, seen: set[str]) -> None:
    assert visible_audiences(ceiling) == seen
    allowed = visible_audiences(ceiling)
    assert not within_ceiling("internal", allowed)
    assert not within_ceiling(None, allowed)  # no audience: not known to be meant for them


def test_internal_sees_everything() -> None:
    assert visible_audiences("internal") is None
    assert within_ceiling(None, None) and within_ceiling("internal", None)


def test_export_and_mcp_share_one_audience_rule() -> None:
    """`audience_allows` (export) agrees with `visible_audiences` (mcp) everywhere."""
    audiences = ["internal", "partner", "customer", "public", None, "bogus"]
    for reader in ["internal", "partner", "customer", "public", "bogus"]:
        for audience in audiences:
            assert audience_allows(reader, audience) == within_ceiling(
                audience, visible_audiences(reader)
            )
    assert not audience_allows("bogus", "public")  # an unknown reader sees nothing


def test_a_validated_reviewed_owned_article_is_trusted() -> None:
    trust = verdict(article())
    assert trust.level is TrustLevel.HIGH and trust.warnings == ()
    assert trust.summary.startswith("high trust: validated; last reviewed 2026-10-01")


@pytest.mark.parametrize(
    ("fields", "warning", "level"),
    [
        ({"status": "wip"}, "wip", TrustLevel.LOW),
        ({"status": "not_validated"}, "not_validated", TrustLevel.MEDIUM),
        ({"status": "archived"}, "archived", TrustLevel.LOW),
        ({"last_reviewed": date(2025, 1, 1)}, "review_overdue", TrustLevel.LOW),
        ({"last_reviewed": None}, "never_reviewed", TrustLevel.LOW),
        ({"last_reviewed": date(2026, 6, 1)}, "review_due_soon", TrustLevel.MEDIUM),
        (
            {"flags": (Flag("@ivan", date(2026, 11, 1), "old screenshots", 9),)},
            "flagged",
            TrustLevel.LOW,
        ),
    ],
)
def test_each_reason_to_warn(fields: dict[str, object], warning: str, level: TrustLevel) -> None:
    trust = verdict(article(**fields))
    assert warning in trust.warnings
    assert trust.level is level
    assert trust.summary.startswith(f"{level.value} trust")


def test_no_owner_and_a_change_since_the_review_are_named() -> None:
    changed = Change("abc", datetime(2026, 11, 2, tzinfo=UTC), "Ivan", "i@x", "edit")
    history = ArticleHistory("a.md", last_change=changed, commit_count=2)
    trust = verdict(article(), history, Ownership((), "none"))
    assert trust.warnings == ("owner_missing", "changed_since_review")
    assert trust.level is TrustLevel.MEDIUM
    assert "no owner" in trust.summary and "changed since the review (2026-11-02)" in trust.summary
