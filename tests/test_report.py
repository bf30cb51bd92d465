"""``kbctl report``: one model, four formats; the HTML page checked in a real Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from kbctl.config import load_config
from kbctl.report.model import build_report, counts, review_weeks
from kbctl.usage.gaps import usage_facts
from kbctl.usage.read import read_logs
from tests.conftest import GitRepo

TODAY = "2026-11-22"
CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "<script>alert(1)</script> [x](https://evil.example) \x1b[31m"


def report(cli, kb: Path, *args: str):
    result = cli("report", "--today", TODAY, *args, cwd=kb)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def hostile_kb(kb_copy: Path) -> Path:
    """The bundled base with one article whose title, owner and tag are hostile."""
    (kb_copy / "kb-content" / "hostile.md").write_text(
        "---\nid: KB-0666\ntitle: "
        + json.dumps(HOSTILE)
        + "\nowner: '<img src=x onerror=alert(1)>'\n"
        "status: wip\ncreated: 2025-01-01\ntags: ['<b>bold</b>']\n---\nBody.\n",
        encoding="utf-8",
    )
    return kb_copy


# ------------------------------------------------------------------------------ the model


def test_json_report_counts_the_whole_base(cli, kb_copy: Path) -> None:
    data = json.loads(report(cli, kb_copy, "--format", "json").stdout)
    assert data["articles"] == 67 and data["live"] == 65
    assert sum(item["articles"] for item in data["by_status"]) == 67
    trust = data["trust"]
    assert trust["target"] == 0.8 and 0 < trust["trusted"] <= trust["total"] == 65
    assert trust["met"] is (trust["share"] >= 0.8)
    review = data["review"]
    assert sum(review.values()) == 65
    assert len(data["weeks"]) == 12 and data["weeks"][-1]["end"] == TODAY
    assert data["weeks"][-1]["overdue"] == review["overdue"]
    assert {line["id"] for line in data["ownerless"]} == {"KB-0055"}
    assert {line["id"] for line in data["departed_owner"]} == {"KB-0023", "KB-0035"}
    assert [line["id"] for line in data["flags"]] == ["KB-0015"]
    assert data["duplicates"] is None  # not wired on this branch: said, not faked
    usage = data["usage"]  # the bundled sample log is configured
    assert usage["gaps"][0]["query"] == "chargeback dispute"
    assert usage["archive_candidates"]


def test_trust_score_is_validated_and_on_time(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n[report]\ntrust_target = 0.5\n')
    fresh = {"owner": "@a", "last_reviewed": "2026-11-01"}
    git_repo.write_article("kb/a.md", id="A", title="A", status="validated", **fresh)
    git_repo.write_article("kb/b.md", id="B", title="B", status="not_validated", **fresh)
    git_repo.write_article(
        "kb/c.md", id="C", title="C", status="validated", owner="@a", last_reviewed="2020-01-01"
    )
    git_repo.write_article("kb/d.md", id="D", title="D", status="archived", owner="@a")
    git_repo.commit("base")
    from kbctl.workspace import Workspace

    ws = Workspace(config=load_config(cwd=git_repo.path))
    built = build_report(
        ws.articles, ws.ownership.by_path, ws.roster, ws.config, date(2026, 11, 30)
    )
    assert (built.trust.trusted, built.trust.total) == (1, 3)
    assert not built.trust.met and built.trust.target == 0.5
    assert (built.review.ok, built.review.overdue) == (2, 1)


def test_weeks_count_only_what_was_known_at_each_week_end(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\nreview_interval = "30d"\n')
    git_repo.write_article("kb/a.md", id="A", title="A", last_reviewed="2026-10-01")
    git_repo.write_article("kb/b.md", id="B", title="B", last_reviewed="2026-11-25")
    git_repo.write_article(
        "kb/c.md", id="C", title="C", created="2026-11-20", last_reviewed="2026-11-20"
    )
    git_repo.commit("base")
    from kbctl.workspace import Workspace

    ws = Workspace(config=load_config(cwd=git_repo.path))
    weeks = review_weeks(ws.articles, ws.config, date(2026, 11, 30), 3)
    assert [str(week.end) for week in weeks] == ["2026-11-16", "2026-11-23", "2026-11-30"]
    # A: reviewed 10-01 every 30d -> overdue from 10-31. B: reviewed later: unknown before.
    # C: created 11-20: not counted in the first week.
    assert [(w.overdue, w.unknown, w.on_time + w.due_soon) for w in weeks] == [
        (1, 1, 0),
        (1, 1, 1),
        (1, 0, 2),
    ]
    assert [week.reviews for week in weeks] == [0, 1, 1]


def test_counts_order_and_name_missing_values() -> None:
    assert [(c.label, c.value) for c in counts(["b", None, "a", "b", ""])] == [
        ("(none)", 2),
        ("b", 2),
        ("a", 1),
    ]


# ------------------------------------------------------------------------------ formats


def test_text_report_piped_is_plain(cli, hostile_kb: Path) -> None:
    text = report(cli, hostile_kb).stdout
    assert "Trust score" in text and "Review health by week" in text
    assert "\x1b" not in text and "\\x1b[31m" in text  # the hostile title, escaped
    assert "KB-0015" in text  # the open flag
    assert not any(line.startswith("::") for line in text.splitlines())


def test_markdown_report_fits_a_job_summary(cli, hostile_kb: Path) -> None:
    text = report(cli, hostile_kb, "--format", "markdown").stdout
    assert text.startswith("## Knowledge base health: kb-content")
    assert "**Trust score" in text and "### Review health by week" in text
    assert "<script>" not in text and "](https://evil" not in text and "\x1b" not in text
    assert "<img" not in text and "<b>" not in text
    assert "\\<script\\>" in text


def test_output_file_gets_the_report_and_stdout_nothing(cli, kb_copy: Path) -> None:
    result = report(cli, kb_copy, "--format", "json", "--output", "r.json")
    assert result.stdout == "" and "report written to r.json" in result.stderr
    assert json.loads((kb_copy / "r.json").read_text(encoding="utf-8"))["articles"] == 67


def html_of(cli, kb: Path, *args: str) -> str:
    report(cli, kb, "--format", "html", "--output", "report.html", *args)
    return (kb / "report.html").read_text(encoding="utf-8")


def test_html_is_one_self_contained_escaped_file(cli, hostile_kb: Path) -> None:
    page = html_of(cli, hostile_kb, "--lang", "en")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert '<meta charset="utf-8">' in page and "default-src 'none'" in page
    assert not re.search(r"<(script|link|img|iframe|object)\b", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", page)


def test_html_labels_in_russian(cli, kb_copy: Path) -> None:
    page = html_of(cli, kb_copy, "--lang", "ru")
    assert '<html lang="ru">' in page and "Индекс доверия" in page


def test_the_default_language_follows_lang(
    cli, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --lang, no team language: the user's locale."""
    from kbctl import i18n

    monkeypatch.setattr(i18n, "_active", i18n._active)  # restored after the test
    result = cli(
        "report",
        "--format",
        "html",
        "--today",
        TODAY,
        cwd=kb_copy,
        env={"LANG": "ru_RU.UTF-8", "LC_ALL": "", "KBCTL_LANG": ""},
    )
    assert '<html lang="ru">' in result.stdout


def test_unknown_language_is_a_usage_error(cli, kb_copy: Path) -> None:
    result = cli("report", "--format", "html", "--lang", "de", cwd=kb_copy)
    assert result.exit_code == 2 and "--lang en" in result.stderr


# ------------------------------------------------------------------------------ the browser


def _browser_or_skip() -> None:
    required = os.environ.get("KBCTL_REQUIRE_BROWSER") == "1"
    missing = None
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        missing = "Chromium is not installed (/usr/bin/chromium; apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install playwright)"
    if missing is not None:
        if required:
            pytest.fail(f"KBCTL_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


def test_html_report_in_a_real_chromium(cli, hostile_kb: Path, tmp_path: Path) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(html_of(cli, hostile_kb, "--lang", "ru"), encoding="utf-8")
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            headless=True,
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            def route(request_route) -> None:
                url = request_route.request.url
                if url.startswith("file://"):
                    request_route.continue_()
                else:
                    requests.append(url)
                    request_route.abort()

            page.route("**/*", route)
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(page_file.as_uri(), wait_until="load")
            shot = page.screenshot(full_page=False)
            text = page.inner_text("body")
            trust = page.inner_text("#trust")
            svg_count = page.locator("svg").count()
        finally:
            browser.close()
    assert errors == [] and requests == [] and dialogs == []
    assert "Состояние базы знаний" in text and "Индекс доверия" in trust
    assert "Не приходит письмо для сброса пароля" in text or "Вебхук" in text
    assert HOSTILE.split(" ")[0] in text  # the hostile title shows as text
    assert svg_count >= 5
    _assert_not_blank(shot)


def _assert_not_blank(png: bytes) -> None:
    """A screenshot with real content: many distinct colours, not one background."""
    import struct
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    data = b""
    position = 8
    while position < len(png):
        length = struct.unpack(">I", png[position : position + 4])[0]
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(data)
    channels = (len(raw) // height - 1) // width
    stride = width * channels + 1
    # Sample unfiltered bytes of each row (filters change values, but a blank page stays
    # nearly uniform whatever the filter); count distinct pixel values.
    seen = {
        raw[row * stride + 1 + col * channels : row * stride + 1 + (col + 1) * channels]
        for row in range(0, height, 7)
        for col in range(0, width, 5)
    }
    assert len(seen) > 40, f"the screenshot looks blank ({len(seen)} distinct pixels)"


def test_report_reads_given_logs(cli, kb_copy: Path, tmp_path: Path) -> None:
    log = tmp_path / "agent.jsonl"
    log.write_text(
        '{"time": "2026-11-29T10:00:00Z", "event": "search", "query": "квокка", "hits": 0}\n',
        encoding="utf-8",
    )
    data = json.loads(report(cli, kb_copy, "--format", "json", "--log", str(log)).stdout)
    assert [gap["query"] for gap in data["usage"]["gaps"]] == ["квокка"]
    facts = usage_facts(read_logs([log]).events)
    assert facts.searches == 1


def test_text_report_on_a_terminal_has_colour_bars_and_escaped_titles(hostile_kb: Path) -> None:
    from tests.conftest import run_in_pty

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    shown = run_in_pty(("report", "--today", TODAY, "--no-pager"), hostile_kb, env, size=(50, 160))
    assert shown.returncode == 0, shown.text[-2000:]
    assert "\x1b[" in shown.text  # colour on a terminal
    assert "█" in shown.text and "Trust score" in shown.text
    assert "\\x1b[31m" in shown.text  # the title's escape shows as text, it does not act
    assert "<script>alert(1)</script>" in shown.text  # as text: Rich markup not read


# ------------------------------------------------------------------- the report's language


def _team_speaks_russian(kb: Path) -> None:
    toml = kb / "kbctl.toml"
    toml.write_text('lang = "ru"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")


def test_the_team_language_chooses_the_report_language_over_the_user(cli, kb_copy: Path) -> None:
    _team_speaks_russian(kb_copy)
    page = html_of(cli, kb_copy)  # KBCTL_LANG=en in tests: the user speaks English
    assert '<html lang="ru">' in page and "Состояние базы знаний" in page
    assert "Knowledge base health" not in page
    english = html_of(cli, kb_copy, "--lang", "en")  # --lang comes first
    assert '<html lang="en">' in english and "Knowledge base health" in english


def test_report_sentences_take_russian_plural_forms() -> None:
    from kbctl.i18n import Translator

    russian = Translator("ru")
    live = ("{live} live article of {total}", "{live} live articles of {total}")
    assert [russian.ngettext(*live, n).format(live=n, total=n) for n in (1, 2, 5, 11, 21, 22)] == [
        "1 действующая статья из 1",
        "2 действующие статьи из 2",
        "5 действующих статей из 5",
        "11 действующих статей из 11",
        "21 действующая статья из 21",
        "22 действующие статьи из 22",
    ]
    gaps = ("Top search gaps ({count} search)", "Top search gaps ({count} searches)")
    assert russian.ngettext(*gaps, 3).format(count=3) == "Главные пробелы поиска (3 поиска)"


# Words a Russian page may show in Latin letters: ids, names, data, and terms Russian
# support teams write in Latin ("git", "front matter").
LATIN_ALLOWED = re.compile(r"^(id|kbctl|git|front|matter|KB-\d+|@[\w./-]+|[\w./-]+\.md)$")


def test_html_report_in_russian_in_a_real_chromium(cli, kb_copy: Path, tmp_path: Path) -> None:
    """The page's own texts (headings, column names, sentences) are Russian in a browser."""
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    _team_speaks_russian(kb_copy)
    page_file = tmp_path / "report.html"
    page_file.write_text(html_of(cli, kb_copy), encoding="utf-8")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            headless=True,
        )
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            lang = page.get_attribute("html", "lang")
            chrome = page.locator("h1, h2, th, header div, footer, p.muted").all_inner_texts()
        finally:
            browser.close()
    assert lang == "ru"
    assert "Состояние базы знаний: kb-content" in chrome
    assert "Открытые пометки" in chrome and "Кандидаты в архив" in chrome
    words = [
        word
        for text in chrome
        if "kb-content" not in text  # the base's name is data
        for word in re.findall(r"[A-Za-z][\w@./-]*", text)
    ]
    assert [word for word in words if not LATIN_ALLOWED.match(word)] == []
