"""The review policy: due dates from review dates or the last change, per-tag/path intervals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kbctl.config import Config
from kbctl.model import Article
from kbctl.policy.review import ReviewBasis, ReviewState, review_interval, review_status
from kbctl.settings import Settings

TODAY = date(2026, 11, 22)


def article(**fields: object) -> Article:
    defaults: dict[str, object] = {
        "id": "a",
        "path": "billing/a.md",
        "abs_path": Path("/kb/billing/a.md"),
        "title": "A",
        "body": "",
    }
    return Article(**{**defaults, **fields})  # type: ignore[arg-type]


def test_overdue_from_last_reviewed() -> None:
    status = review_status(article(last_reviewed=date(2026, 1, 1)), None, Config(Path()), TODAY)
    assert status.state is ReviewState.OVERDUE
    assert status.basis is ReviewBasis.LAST_REVIEWED
    assert status.due_date == date(2026, 6, 30)
    assert status.days_overdue == 145
    assert "overdue by 145d" in status.reason


def test_due_soon_and_ok() -> None:
    config = Config(Path())
    soon = review_status(article(last_reviewed=date(2026, 6, 10)), None, config, TODAY)
    assert soon.state is ReviewState.DUE_SOON
    assert soon.due_date == date(2026, 12, 7)
    assert soon.days_overdue == -15
    fine = review_status(article(last_reviewed=date(2026, 10, 1)), None, config, TODAY)
    assert fine.state is ReviewState.OK


def test_without_review_date_the_last_change_counts_and_is_shown() -> None:
    status = review_status(article(), date(2025, 1, 1), Config(Path()), TODAY)
    assert status.basis is ReviewBasis.LAST_CHANGED
    assert status.state is ReviewState.OVERDUE
    assert "last changed 2025-01-01" in status.reason


def test_no_dates_at_all_and_archived() -> None:
    assert review_status(article(), None, Config(Path()), TODAY).state is ReviewState.NEVER
    archived = article(status="archived", last_reviewed=date(2020, 1, 1))
    assert review_status(archived, None, Config(Path()), TODAY).state is ReviewState.ARCHIVED


def test_interval_precedence() -> None:
    settings = Settings(
        review_interval=180,
        review_interval_by_tag={"security": 90, "slow": 400},
        review_interval_by_path={"billing/**": 120},
    )
    config = Config(Path(), settings=settings)
    assert review_interval(article(review_interval=30), config) == 30
    assert review_interval(article(), config) == 120
    assert review_interval(article(path="x/a.md", tags=("Security", "slow")), config) == 90
    assert review_interval(article(path="x/a.md"), config) == 180
