"""Coercion of messy front-matter values."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from kbctl.values import glob_match, is_missing, parse_date, parse_interval, parse_list


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 14), date(2025, 3, 14)),
        ("2025-03-14", date(2025, 3, 14)),
        ("2025-3-4", date(2025, 3, 4)),
        ("04/21/2020", date(2020, 4, 21)),
        ("4/2/2020", date(2020, 4, 2)),
        ("21.04.2020", date(2020, 4, 21)),
        ("\u201c2025-03-14\u201d", date(2025, 3, 14)),
        ("2025-03-14T23:30:00-02:00", date(2025, 3, 15)),
        (datetime(2024, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=3))), date(2024, 2, 29)),
    ],
)
def test_parse_date_accepts_common_spellings(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "  ", "yyyy-mm-dd", "MM/DD/YYYY", "{{ .Date }}", "{% now %}", "TBD", "<date>"],
)
def test_placeholders_and_blanks_are_missing(value: object) -> None:
    assert is_missing(value)
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["soon", "2025-13-01", "31/31/2020", True, [2025]])
def test_unreadable_dates_raise_value_error(value: object) -> None:
    with pytest.raises(ValueError, match=r"date"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "days"), [("90d", 90), ("2w", 14), ("6m", 180), ("1y", 365), (45, 45), ("30", 30)]
)
def test_parse_interval(value: object, days: int) -> None:
    assert parse_interval(value) == days


@pytest.mark.parametrize("value", ["often", "0d", -5, True])
def test_bad_intervals_raise(value: object) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(value)


def test_parse_list_accepts_lists_and_comma_strings() -> None:
    assert parse_list(["a", " b ", 3]) == ("a", "b", "3")
    assert parse_list("billing, refunds,") == ("billing", "refunds")
    assert parse_list(None) == ()
    with pytest.raises(ValueError, match="list"):
        parse_list({"a": 1})
    with pytest.raises(ValueError, match="list"):
        parse_list([{"nested": True}])


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("_templates/**", "_templates/a.md", True),
        ("_templates/**", "x/_templates/a.md", False),
        ("README.md", "README.md", True),
        ("README.md", "billing/README.md", True),
        ("/README.md", "billing/README.md", False),
        ("**/*.md", "a.md", True),
        ("**/*.md", "a/b/c.md", True),
        ("*.md", "a/b.md", True),
        ("docs/*.md", "docs/a/b.md", False),
        ("checklists/", "checklists/a/b.md", True),
        ("faq/Export ?o CSV.md", "faq/Export to CSV.md", True),
    ],
)
def test_glob_match(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches
