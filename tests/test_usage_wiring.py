"""Interactive search and the MCP server log searches and opens like `kbctl search` does."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from kbctl.config import load_config
from kbctl.interactive.app import SearchApp
from kbctl.interactive.session import SearchSession
from kbctl.mcp.service import KbService
from tests.test_interactive import fake_editor, settle


def _events(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_mcp_searches_and_reads_are_logged(
    kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "usage.jsonl"
    monkeypatch.setenv("KBCTL_USAGE_LOG", str(log))
    service = KbService(str(kb_copy))
    answer = service.search("locked out", limit=3)
    service.get_article(answer.hits[0].id)
    search, read = _events(log)
    assert search["event"] == "mcp-search" and search["query"] == "locked out"
    assert search["shown"] == [hit.id for hit in answer.hits]
    assert read["event"] == "mcp-show" and read["opened"] == answer.hits[0].id


def test_mcp_logs_nothing_when_the_log_is_off(kb_copy: Path) -> None:
    def logs() -> dict[Path, bytes]:
        places = [kb_copy, Path(os.environ["HOME"])]
        return {path: path.read_bytes() for place in places for path in place.rglob("*.jsonl")}

    before = logs()  # the bundled sample log only
    service = KbService(str(kb_copy))
    service.get_article(service.search("locked out", limit=3).hits[0].id)
    assert logs() == before


def test_an_interactive_search_that_opens_an_article_is_logged(
    kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "usage.jsonl"
    monkeypatch.setenv("KBCTL_USAGE_LOG", str(log))
    vim, _record = fake_editor(tmp_path, "vim")
    monkeypatch.setenv("EDITOR", str(vim))
    monkeypatch.delenv("VISUAL", raising=False)
    session = SearchSession(load_config(cwd=kb_copy))

    async def scenario() -> str:
        app = SearchApp(session, "locked out")
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            first = app.hits[0].id
            await pilot.press("enter")
            await settle(app, pilot)
            return first

    try:
        opened = asyncio.run(scenario())
    finally:
        session.close()
    events = _events(log)
    assert [event["event"] for event in events] == ["interactive-search", "interactive-open"]
    assert events[0]["query"] == "locked out" and opened in events[0]["shown"]  # type: ignore[operator]
    assert events[1]["opened"] == opened
