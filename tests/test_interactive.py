"""``kbctl search -i``: the pure helpers, the Textual app driven by its pilot on the bundled
base, and once the real command on a pseudo-terminal with a fake editor."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kbctl.config import load_config
from kbctl.interactive.app import ResultList, SearchApp
from kbctl.interactive.panel import (
    age,
    passage_window,
    read_query_line,
    result_row,
    section_text,
    trust_rows,
)
from kbctl.interactive.session import SearchSession
from kbctl.model import Flag, Hit
from kbctl.search.query import search
from tests.conftest import Cli, run_in_pty
from tests.test_editor import fake_editor

TODAY = date(2026, 11, 30)
LOCKED = "accounts/account-locked-failed-logins.md"  # under the base root, kb-content/


def hit(**fields: object) -> Hit:
    values: dict[str, object] = {
        "id": "KB-1",
        "path": "a/b.md",
        "title": "Title",
        "score": 1.0,
        "line": 5,
        "snippet": "the refund limit",
    }
    values.update(fields)
    return Hit(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- pure helpers


def test_query_line_splits_words_and_filters() -> None:
    line = read_query_line("refund tag:billing Status:validated 0x8007:5 owner:@anna тег:api")
    assert line.words == "refund 0x8007:5"
    assert line.selection.tags == ("billing", "api")
    assert line.selection.statuses == ("validated",)
    assert line.selection.owners == ("@anna",)
    assert line.filter_text == "tag:billing tag:api owner:@anna status:validated"
    assert line.problems == ()


def test_query_line_drops_a_bad_filter_value_and_says_so() -> None:
    line = read_query_line("refund status:nope status:wip audience:")
    assert line.words == "refund"
    assert line.selection.statuses == ("wip",)
    assert len(line.problems) == 1 and "nope" in line.problems[0]


def test_ages_are_short() -> None:
    assert age(None, TODAY) == "-"
    assert age(TODAY, TODAY) == "today"
    assert age(date(2026, 11, 18), TODAY) == "12d"
    assert age(date(2026, 5, 30), TODAY) == "6mo"
    assert age(date(2023, 11, 30), TODAY) == "3.0y"
    assert age(date(2027, 1, 1), TODAY) == "future"


def test_result_row_marks_status_and_cuts_hostile_titles() -> None:
    mark, title, key, shown = result_row(
        hit(title="Evil\x1b[2J title " + "x" * 80, status="archived", last_reviewed=TODAY),
        TODAY,
        width=20,
    )
    assert (mark, key, shown) == ("×", "KB-1", "today")
    assert "\x1b" not in title and len(title) == 20 and title.endswith("…")


def test_trust_panel_rows() -> None:
    rows = trust_rows(
        hit(
            status="validated",
            owners=("@anna", "@ivan"),
            audience="customer",
            last_reviewed=date(2026, 11, 1),
            last_changed=datetime(2026, 10, 1, 12, tzinfo=UTC),
            last_changed_by="Anna",
        ),
        TODAY,
        flags=[Flag("@ivan", date(2026, 9, 10), "old\nlayout", 14)],
        review="last reviewed 2026-11-01, every 180d: due 2027-04-30",
        review_tone="ok",
    )
    shown = {row.label: (row.value, row.tone) for row in rows}
    assert shown["status"] == ("validated", "ok")
    assert shown["owners"] == ("@anna, @ivan", "")
    assert shown["audience"] == ("customer", "")
    assert shown["reviewed"] == ("2026-11-01 (29 d ago)", "")
    assert shown["changed"] == ("2026-10-01 (2 mo ago) by Anna", "")
    assert shown["review"][1] == "ok"
    assert shown["flag"] == ("@ivan 2026-09-10: old\\nlayout", "bad")


def test_trust_panel_says_what_is_missing() -> None:
    shown = {row.label: (row.value, row.tone) for row in trust_rows(hit(), TODAY)}
    assert shown["status"] == ("no status", "warn")
    assert shown["owner"] == ("no owner", "bad")
    assert shown["reviewed"] == ("-", "warn")
    assert shown["flags"] == ("none", "dim")


def test_passage_window_around_the_best_line() -> None:
    lines = [f"line {number}" for number in range(1, 31)]
    window = passage_window(lines, 10, before=2, after=3)
    assert [item.number for item in window] == [8, 9, 10, 11, 12, 13]
    assert [item.number for item in window if item.best] == [10]
    # A line past the end (the file shrank since it was indexed) shows the end.
    assert passage_window(lines, 99, before=1, after=1)[-1].number == 30
    assert passage_window([], 3) == []
    assert passage_window(["\x1b]52;c;eA==\x07"], 1)[0].text == "\\x1b]52;c;eA==\\x07"


def test_resolution_section() -> None:
    body = (
        "## Issue\n\nIt breaks.\n\n## Resolution:\n\n1. Do this.\n\n### Detail\n\nMore.\n\n"
        "```\n# not a heading\n```\n\n## Cause\n\nWhy.\n"
    )
    assert section_text(body) == "1. Do this.\n\n### Detail\n\nMore.\n\n```\n# not a heading\n```"
    assert section_text("# Проблема\n\nx\n\n# Решение\n\nСделайте так.\n") == "Сделайте так."
    assert section_text("## Issue\n\nNo fix yet.\n") is None


# ---------------------------------------------------------------------- the app (pilot)


@pytest.fixture
def session(kb_copy: Path) -> SearchSession:
    opened = SearchSession(load_config(cwd=kb_copy))
    yield opened  # type: ignore[misc]
    opened.close()


async def settle(app: SearchApp, pilot: object) -> None:
    """Wait until the searches started so far have reached the screen."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        if not any(worker.is_running for worker in app.workers):
            return
    raise AssertionError("searches never settled")


def titles(app: SearchApp) -> list[str]:
    return [hit.title for hit in app.hits]


def status_text(app: SearchApp) -> str:
    return str(app.query_one("#status").render())


def test_typing_shows_results_and_the_trust_panel(session: SearchSession) -> None:
    async def scenario() -> None:
        app = SearchApp(session)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            assert app.hits == [] and "type to search" in status_text(app)
            await pilot.press(*"locked out")
            await settle(app, pilot)
            assert titles(app)[0] == "Account locked after failed login attempts"
            assert "hits" in status_text(app)
            trust = str(app.query_one("#preview").render())
            assert "@elena.sokolova" in trust and "customer" in trust
            assert "Steps in Resolution refer to the old Settings layout" in trust
            passage = str(app.query_one("#preview").render())
            assert f"▶ {_line(session, LOCKED, app.hits[0].line)}" in passage
            # Russian, and the cursor moves the preview.
            await pilot.press(*(["backspace"] * 10), *"письма в спам")
            await settle(app, pilot)
            assert "Письма из Relay попадают в спам" in titles(app)[:3]
            await pilot.press("down")
            await pilot.pause()
            assert app.hits[1].title in str(app.query_one("#preview").render())

    asyncio.run(scenario())


def test_filters_narrow_the_results(session: SearchSession) -> None:
    async def scenario() -> None:
        app = SearchApp(session, "password")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            everything = app.hits
            assert len({hit.audience for hit in everything}) > 1
            await pilot.press(*" audience:customer")
            await settle(app, pilot)
            assert app.hits, status_text(app)
            assert all(hit.audience == "customer" for hit in app.hits)
            assert len(app.hits) < len(everything)
            assert "filters: audience:customer" in status_text(app)
            await pilot.press(*" status:bogus")
            await settle(app, pilot)
            assert "bogus" in status_text(app)

    asyncio.run(scenario())


def test_enter_opens_the_editor_at_the_passage_line(
    session: SearchSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vim, record = fake_editor(tmp_path, "vim")
    monkeypatch.setenv("EDITOR", str(vim))
    monkeypatch.delenv("VISUAL", raising=False)

    async def scenario() -> None:
        app = SearchApp(session, "locked out")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            first = app.hits[0]
            await pilot.press("enter")
            await settle(app, pilot)
            path = str((session.config.root / first.path).absolute())
            assert json.loads(record.read_text()) == [f"+{first.line}", path]
            assert first.line > 20  # a line of the body, not the top of the file

    asyncio.run(scenario())


def test_copy_keys(session: SearchSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(session.config.root)

    async def scenario() -> None:
        app = SearchApp(session, "locked out")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+y", "ctrl+r")
            assert app.copied[0] == LOCKED
            assert app.copied[1].startswith("1. Wait 15 minutes and try once more")
            assert app.copied[1].endswith("IP allowlisting.")  # and not the Cause after it
            assert app.clipboard == app.copied[1]

    asyncio.run(scenario())


def test_archived_toggle_and_a_missing_editor(
    session: SearchSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)

    async def scenario() -> None:
        app = SearchApp(session, "paypal")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            assert "PayPal payment not going through (legacy PayPal billing)" not in titles(app)
            await pilot.press("ctrl+t")
            await settle(app, pilot)
            assert "PayPal payment not going through (legacy PayPal billing)" in titles(app)
            assert "archived shown" in status_text(app)
            await pilot.press("enter")  # no $VISUAL/$EDITOR: a message, the app goes on
            await settle(app, pilot)
            assert any("no editor" in str(note.message) for note in app._notifications)
            assert app.is_running

    asyncio.run(scenario())


def test_the_list_scrolls_with_the_cursor(session: SearchSession) -> None:
    async def scenario() -> None:
        app = SearchApp(session, "relay")
        async with app.run_test(size=(120, 14)) as pilot:
            await settle(app, pilot)
            results = app.query_one(ResultList)
            assert len(app.hits) > results.size.height + 2
            await pilot.press(*(["down"] * (results.size.height + 2)), "up")
            await pilot.pause()
            assert results.cursor == results.size.height + 1
            # The top was set when the cursor was lowest, and kept on the way up.
            assert results.top == 3
            shown = str(results.render()).splitlines()
            assert len(shown) == results.size.height
            assert app.hits[results.cursor].id in shown[results.cursor - results.top]
            assert app.hits[results.cursor].title in str(app.query_one("#preview").render())
            await pilot.press("pageup", "pageup", "pageup")
            await pilot.pause()
            assert (results.cursor, results.top) == (0, 0)

    asyncio.run(scenario())


def _line(session: SearchSession, path: str, number: int) -> str:
    return (session.config.root / path).read_text(encoding="utf-8").splitlines()[number - 1]


# ---------------------------------------------------------------------- the real command


def test_not_a_terminal_exits_2(cli: Cli, kb_copy: Path) -> None:
    result = cli("search", "-i", "refund", cwd=kb_copy)
    assert result.exit_code == 2
    assert "needs a terminal" in result.stderr
    assert "--format json" in result.stderr


def test_search_i_on_a_pty_opens_the_editor(kb_copy: Path, tmp_path: Path) -> None:
    vim, record = fake_editor(tmp_path, "vim")
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "EDITOR": str(vim),
        "VISUAL": "",
        "TERM": "xterm-256color",
    }
    run = run_in_pty(
        ("search", "-i"),
        kb_copy,
        env,
        size=(30, 120),
        stdin_on_pty=True,
        script=[
            (b"type to search", "заблокирован locked".encode()),
            (b"Account locked after failed", b"\r"),
            (record.exists, b"\x1b"),
        ],
    )
    assert run.returncode == 0, run.text[-2000:]
    expected = search(load_config(cwd=kb_copy), "заблокирован locked").hits[0]
    assert json.loads(record.read_text()) == [
        f"+{expected.line}",
        str((kb_copy / "kb-content" / expected.path).absolute()),
    ]
    assert expected.path == LOCKED


def test_hostile_values_are_shown_escaped_and_never_as_markup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "kb"
    base.mkdir()
    evil = "Refund \x1b]52;c;ZXZpbA==\x07 [bold red]x[/] \u202e"
    (base / "evil.md").write_text(
        "---\nid: KB-9\ntitle: " + json.dumps(evil) + '\nowner: "[link=file:///etc]me[/link]"\n'
        "flags:\n  - by: '@x'\n    date: 2026-01-01\n    reason: \"\\e[2Jwiped\"\n---\n\n"
        "## Resolution\n\nRefund \x1b[31m now.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(base)
    opened = SearchSession(load_config(str(base)))

    async def scenario() -> None:
        app = SearchApp(opened, "refund")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            shown = "".join(
                str(app.query_one(name).render()) for name in ("#results", "#preview", "#status")
            )
            assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
            assert "\\x1b]52;c;ZXZpbA==\\x07 [bold red]x[/] \\u202e" in shown
            assert "[link=file:///etc]me[/link]" in shown
            assert "\\x1b[2Jwiped" in shown
            assert "Refund \\x1b[31m now." in shown

    try:
        asyncio.run(scenario())
    finally:
        opened.close()
