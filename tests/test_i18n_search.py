"""Issue 17: ``kbctl search`` (fast path and Typer), the interactive search and the usage
commands speak Russian.

Real processes run a copy of the package whose Russian catalog is compiled from kbctl.po
(tests/test_i18n_cli.py's ``package_copy``); the interactive search runs in-process on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbctl import i18n
from tests.conftest import run_kbctl
from tests.test_i18n_cli import package_copy  # noqa: F401 (a fixture)

SAMPLE_LOG = "kb-content/usage/sample-usage.jsonl"


@pytest.fixture
def russian(package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:  # noqa: F811
    """A user who asked for Russian, running the package copy."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    return {"KBCTL_LANG": "ru", "PYTHONPATH": str(package_copy), "KBCTL_USAGE_LOG": ""}


def notices(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("kbctl: ")]


def test_no_hits_and_did_you_mean_in_russian_on_both_paths(
    kb_copy: Path, russian: dict[str, str]
) -> None:
    fast = run_kbctl("search", "jura", cwd=kb_copy, env=russian)
    assert fast.returncode == 1 and fast.stdout == ""
    assert notices(fast.stderr) == [
        "kbctl: подходящих статей нет",
        'kbctl: возможно, вы имели в виду: kbctl search "jira"',
    ]
    # A filter sends the command line to Typer: the same messages, plus the filter's hint.
    typer = run_kbctl("search", "jura", "--status", "validated", cwd=kb_copy, env=russian)
    assert typer.returncode == 1
    assert notices(typer.stderr)[0].startswith("kbctl: подходящих статей нет (включены фильтры:")
    assert 'kbctl: возможно, вы имели в виду: kbctl search "jira"' in notices(typer.stderr)


def test_layout_switch_is_the_same_russian_notice_on_both_paths(
    kb_copy: Path, russian: dict[str, str]
) -> None:
    fast = run_kbctl("search", "gfhjkm", "-n", "50", "--format", "paths", cwd=kb_copy, env=russian)
    typer = run_kbctl(
        "search",
        "gfhjkm",
        "-n",
        "50",
        "--format",
        "paths",
        "--tag",
        "accounts",
        cwd=kb_copy,
        env=russian,
    )
    switched = "kbctl: раскладка клавиатуры исправлена: gfhjkm -> пароль"
    assert fast.returncode == typer.returncode == 0, fast.stderr + typer.stderr
    assert notices(fast.stderr) == notices(typer.stderr) == [switched]


def test_counted_notices_take_the_russian_plural(kb_copy: Path, russian: dict[str, str]) -> None:
    shown = run_kbctl("search", "пароль", "-n", "1", "--format", "paths", cwd=kb_copy, env=russian)
    (line,) = [text for text in notices(shown.stderr) if "показано" in text]
    assert line.startswith("kbctl: показано 1 из ") and "(--limit N" in line
    built = run_kbctl("index", "--rebuild", cwd=kb_copy, env=russian)
    assert built.returncode == 0, built.stderr
    (summary,) = notices(built.stderr)
    assert summary.startswith("kbctl: индекс построен: ")
    assert summary.endswith(("статья", "статьи", "статей"))


def test_english_is_kept_with_kbctl_lang_en(kb_copy: Path, russian: dict[str, str]) -> None:
    result = run_kbctl("search", "jura", cwd=kb_copy, env={**russian, "KBCTL_LANG": "en"})
    assert notices(result.stderr) == [
        "kbctl: no articles match",
        'kbctl: did you mean: kbctl search "jira"',
    ]


def test_gaps_and_usage_headings_in_russian(kb_copy: Path, russian: dict[str, str]) -> None:
    gaps = run_kbctl("gaps", SAMPLE_LOG, cwd=kb_copy, env=russian)
    assert gaps.returncode == 0, gaps.stderr
    header = gaps.stdout.splitlines()[0].split("\t")
    assert header == [
        "запрос",
        "неудачных",
        "нет результатов",
        "слабо",
        "последний",
        "что поможет",
        "что сделать",
    ]
    fixes = {line.split("\t")[5] for line in gaps.stdout.splitlines()[1:]}
    assert fixes <= {"псевдоним", "синоним", "новая статья"} and fixes
    assert any(" в " in line and "пробел" in line for line in notices(gaps.stderr))
    usage = run_kbctl("usage", SAMPLE_LOG, "--today", "2026-11-22", cwd=kb_copy, env=russian)
    assert usage.returncode == 0, usage.stderr
    assert "открыта\tпоказана\tпоследнее открытие" in usage.stdout.splitlines()[0]
    assert "Кандидаты в архив" in usage.stderr
    markdown = run_kbctl("gaps", SAMPLE_LOG, "--format", "markdown", cwd=kb_copy, env=russian)
    assert markdown.stdout.startswith("## Пробелы поиска\n")
    assert "Что вставить:" in markdown.stdout


def test_machine_formats_stay_english(kb_copy: Path, russian: dict[str, str]) -> None:
    """JSON is read by programs: without KBCTL_LANG a Russian locale leaves it English."""
    env = {**russian, "KBCTL_LANG": "", "LANG": "ru_RU.UTF-8"}
    result = run_kbctl("gaps", SAMPLE_LOG, "--format", "json", cwd=kb_copy, env=env)
    assert result.returncode == 0, result.stderr
    assert "add" in result.stdout and "добавьте" not in result.stdout


@pytest.fixture
def russian_catalog(package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # noqa: F811
    """This process speaks Russian from the package copy's catalog; English again after."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", package_copy / "kbctl" / "locale")
    i18n._catalog.cache_clear()
    i18n.activate("ru")
    try:
        yield
    finally:
        i18n.activate("en")
        monkeypatch.undo()
        i18n._catalog.cache_clear()


def test_interactive_status_line_and_trust_panel_in_russian(
    kb_copy: Path, russian_catalog: None
) -> None:
    from kbctl.config import load_config
    from kbctl.interactive.app import SearchApp
    from kbctl.interactive.session import SearchSession
    from tests.test_interactive import settle, status_text

    session = SearchSession(load_config(cwd=kb_copy))

    async def scenario() -> None:
        app = SearchApp(session)
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(app, pilot)
            assert status_text(app).startswith("вводите запрос (по-русски или по-английски)")
            assert "Enter открыть в редакторе" in str(app.query_one("#keys").render())
            await pilot.press(*"locked out")
            await settle(app, pilot)
            status = status_text(app)
            assert "результат" in status and " мс" in status, status
            trust = str(app.query_one("#preview").render())
            assert "статус" in trust and "проверена" in trust and "пометка" in trust
            await pilot.press(*(["backspace"] * 10), *"jura")
            await settle(app, pilot)
            status = status_text(app)
            assert status.startswith("подходящих статей нет · возможно, вы имели в виду: jira")

    try:
        asyncio.run(scenario())
    finally:
        session.close()
