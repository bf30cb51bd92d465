"""What kbctl prints in Russian: check summaries with their plural forms, tables, errors, rule
documentation; and machine formats that stay English unless KBCTL_LANG asks otherwise."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kbctl import i18n
from kbctl.model import Hit
from kbctl.render.language import format_language_is_english
from tests.conftest import run_kbctl

TODAY = "2026-11-30"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def russian_form(count: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for ``count``, by the grammar (not by kbctl's catalog)."""
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


@pytest.fixture
def russian() -> Iterator[None]:
    """Speak Russian in this process for one test, then the language tests run in again."""
    previous = i18n.active_language()
    i18n.activate("ru")
    try:
        yield
    finally:
        i18n.activate(previous)


def ru_env(**more: str) -> dict[str, str]:
    return {"KBCTL_LANG": "ru", **more}


def locale_only_env() -> dict[str, str]:
    """A Russian locale, and no KBCTL_LANG (the fixture sets it to en for every test)."""
    return {"KBCTL_LANG": "", "LANG": "ru_RU.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}


# ------------------------------------------------------------------ plural forms


@pytest.mark.parametrize(
    ("count", "errors", "articles"),
    [
        (1, "1 ошибка", "1 статья"),
        (2, "2 ошибки", "2 статьи"),
        (5, "5 ошибок", "5 статей"),
        (11, "11 ошибок", "11 статей"),
        (21, "21 ошибка", "21 статья"),
        (22, "22 ошибки", "22 статьи"),
        (25, "25 ошибок", "25 статей"),
    ],
)
def test_counted_messages_take_the_russian_plural_form(
    russian: None, count: int, errors: str, articles: str
) -> None:
    from kbctl.rules.engine import CheckResult

    assert i18n.ngettext("{count} error", "{count} errors", count).format(count=count) == errors
    result = CheckResult(findings=[], rules=[], checked=count, silenced=0)
    from kbctl.render.text import summary_line

    assert summary_line(result) == (
        f"0 ошибок, 0 предупреждений, 0 к сведению; проверено: {articles}"
    )


def test_english_plurals_are_unchanged_in_english() -> None:
    from kbctl.render.text import summary_line
    from kbctl.rules.engine import CheckResult

    i18n.activate("en")
    assert summary_line(CheckResult(findings=[], rules=[], checked=1, silenced=2)) == (
        "0 errors, 0 warnings, 0 info in 1 article checked (2 silenced)"
    )


# ------------------------------------------------------------------ kbctl check


def test_check_text_on_the_bundled_base_is_russian_with_correct_plurals(kb_copy: Path) -> None:
    result = run_kbctl("check", "--today", TODAY, cwd=kb_copy, env=ru_env())
    assert result.returncode == 1, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    summary = re.fullmatch(
        r"(\d+) (\w+), (\d+) (\w+), (\d+) к сведению; проверено: (\d+) (\w+)", lines[-1]
    )
    assert summary, lines[-1]
    errors, warnings, articles = int(summary[1]), int(summary[3]), int(summary[6])
    assert errors + warnings > 0  # the sample base plants problems to show
    assert summary[2] == russian_form(errors, "ошибка", "ошибки", "ошибок")
    assert summary[4] == russian_form(
        warnings, "предупреждение", "предупреждения", "предупреждений"
    )
    assert summary[7] == russian_form(articles, "статья", "статьи", "статей")
    # Findings keep their machine-readable head (path:line: severity KBnnn), then Russian.
    finding = re.compile(r"^\S+:\d+: (error|warning|info) KB\d{3} (.+)$")
    messages = [match[2] for line in lines if (match := finding.match(line))]
    assert messages and all(CYRILLIC.search(message) for message in messages)
    hints = [line for line in lines if line.startswith("    ")]
    assert hints and all(line.startswith("    подсказка: ") for line in hints)
    assert "hint:" not in result.stdout


def test_check_in_english_says_the_same_in_english(kb_copy: Path) -> None:
    result = run_kbctl("check", "--today", TODAY, cwd=kb_copy)
    last = result.stdout.rstrip("\n").split("\n")[-1]
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ info in \d+ articles? checked", last)
    assert "    hint: " in result.stdout


def _sarif(kb: Path, env: dict[str, str]) -> dict[str, object]:
    result = run_kbctl("check", "--format", "sarif", "--today", TODAY, cwd=kb, env=env)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _results(sarif: dict[str, object]) -> list[dict[str, object]]:
    return sarif["runs"][0]["results"]  # type: ignore[index,no-any-return]


def _where(item: dict[str, object]) -> tuple[object, ...]:
    location = item["locations"][0]["physicalLocation"]  # type: ignore[index]
    return (item["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"])


def test_sarif_stays_english_under_a_russian_locale_and_follows_kbctl_lang(
    kb_copy: Path,
) -> None:
    english = _sarif(kb_copy, {"KBCTL_LANG": "en"})
    from_locale = _sarif(kb_copy, locale_only_env())
    asked = _sarif(kb_copy, ru_env())
    # LANG=ru_RU.UTF-8 alone: the report is exactly the English one.
    assert from_locale == english
    # KBCTL_LANG=ru: the same results at the same places, messages in Russian.
    assert [_where(item) for item in _results(asked)] == [
        _where(item) for item in _results(english)
    ]
    texts = [item["message"]["text"] for item in _results(asked)]  # type: ignore[index]
    assert texts and all(CYRILLIC.search(text) for text in texts)
    english_texts = [item["message"]["text"] for item in _results(english)]  # type: ignore[index]
    assert english_texts != texts
    rules = asked["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    assert "Как исправить:" in rules[0]["help"]["text"]
    assert [rule["id"] for rule in rules] == [
        rule["id"]
        for rule in english["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    ]


def test_only_machine_formats_are_kept_english_and_only_without_kbctl_lang() -> None:
    for name in ("json", "sarif", "junit", "gitlab", "github"):
        assert format_language_is_english(name, {"LANG": "ru_RU.UTF-8"})
        assert not format_language_is_english(name, {"KBCTL_LANG": "ru"})
    assert not format_language_is_english("text", {"LANG": "ru_RU.UTF-8"})
    assert not format_language_is_english("markdown", {})


def test_loader_messages_are_not_served_from_the_cache_in_another_language(
    kb_copy: Path,
) -> None:
    (kb_copy / "kb-content" / "empty.md").write_text("", encoding="utf-8")
    english = run_kbctl("check", "--today", TODAY, cwd=kb_copy)
    assert "empty.md:1: error KB101 empty file" in english.stdout
    russian = run_kbctl("check", "--today", TODAY, cwd=kb_copy, env=ru_env())
    assert "empty.md:1: error KB101 пустой файл" in russian.stdout


# ------------------------------------------------------------------ tables


def test_stale_and_list_headings_are_russian(kb_copy: Path) -> None:
    stale = run_kbctl("stale", "--today", TODAY, cwd=kb_copy, env=ru_env())
    assert stale.returncode in (0, 1), stale.stderr
    header, *rows = stale.stdout.rstrip("\n").split("\n")
    assert header.split("\t") == [
        "срок", "просрочена", "id", "проверена", "каждые", "последнее изменение", "владельцы",
        "путь", "примечание",
    ]  # fmt: skip
    assert rows
    # "every" and "overdue" count days in Russian ("180 дн."), the title goes to stderr.
    every = {row.split("\t")[4] for row in rows}
    assert all(re.fullmatch(r"\d+ дн\.", value) for value in every), every
    assert "Пора проверить:" in stale.stderr
    listed = run_kbctl("list", cwd=kb_copy, env=ru_env())
    assert listed.stdout.split("\n", 1)[0].split("\t") == [
        "id", "заголовок", "владельцы", "статус", "аудитория", "проверена", "путь",
    ]  # fmt: skip
    english = run_kbctl("list", cwd=kb_copy)
    assert english.stdout.startswith("id\ttitle\towners\tstatus\taudience\treviewed\tpath\n")


def test_search_hits_show_russian_ages(russian: None) -> None:
    from rich.console import Console

    from kbctl.render.table import print_hits

    hit = Hit(
        id="KB-0001",
        path="billing/refund.md",
        title="Возврат платежа",
        line=3,
        score=1.0,
        snippet="",
        status="validated",
        owners=("@relay/billing",),
        last_reviewed=date(2026, 11, 27),
    )
    console = Console(width=200, no_color=True, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    print_hits(console, [hit], today=date(2026, 11, 30))
    text = console.export_text()
    assert "проверена 2026-11-27 (3 дня назад)" in text
    hit = replace(hit, last_reviewed=None)
    console = Console(width=200, no_color=True, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    print_hits(console, [hit], today=date(2026, 11, 30))
    assert "проверена -" in console.export_text()


# ------------------------------------------------------------------ errors and rule docs


def test_an_unknown_article_is_an_error_in_russian_with_its_hint(kb_copy: Path) -> None:
    result = run_kbctl("show", "KB-9999", cwd=kb_copy, env=ru_env())
    assert result.returncode == 2
    assert "нет статьи с id или путём 'KB-9999'" in result.stderr
    assert "id и пути покажет `kbctl list`" in result.stderr
    assert "no article" not in result.stderr


def test_did_you_mean_is_russian(kb_copy: Path) -> None:
    result = run_kbctl("show", "KB-00011", cwd=kb_copy, env=ru_env())
    assert result.returncode == 2
    assert "(возможно, вы имели в виду 'KB-0011'?)" in result.stderr


def test_rule_documentation_is_russian_and_json_keeps_its_keys(kb_copy: Path) -> None:
    doc = run_kbctl("rules", "KB301", cwd=kb_copy, env=ru_env())
    assert doc.returncode == 0, doc.stderr
    assert "# KB301 review-overdue" in doc.stdout
    assert "Важность по умолчанию: **error**." in doc.stdout
    assert "- Почему это важно: KCS избавляется от устаревшего" in doc.stdout
    asked = json.loads(run_kbctl("rules", "KB301", "-f", "json", env=ru_env()).stdout)
    kept = json.loads(run_kbctl("rules", "KB301", "-f", "json", env=locale_only_env()).stdout)
    assert asked.keys() == kept.keys()
    assert asked["family"] == kept["family"] == "review and staleness"
    assert CYRILLIC.search(asked["summary"]) and not CYRILLIC.search(kept["summary"])
