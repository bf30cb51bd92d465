"""The exported help center in headless Chromium: offline search finds Russian word forms and
English typos, no console errors, no request leaves the export's files.

Skipped (with the reason) when Chromium or Playwright is absent, unless
``KBCTL_REQUIRE_BROWSER=1`` (as in CI): then it fails.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT, GitRepo
from tests.test_export import FORBIDDEN, leak_base, scan

CHROMIUM = os.environ.get("KBCTL_CHROMIUM", "/usr/bin/chromium")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (Debian: apt install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    why = _missing()
    if why is not None:
        if os.environ.get("KBCTL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KBCTL_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


class Page:
    """A page of the help center with console errors and non-file requests recorded."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda message: self._console(message))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._route)
        self.page.goto(url)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def search(self, query: str) -> list[str]:
        self.page.fill("#kb-search", query)
        self.page.wait_for_function(
            "query => document.getElementById('kb-results').dataset.query === query",
            arg=query,
            timeout=5000,
        )
        return [str(text) for text in self.page.locator("#kb-results li a").all_inner_texts()]


def test_search_box_finds_word_forms_and_typos_offline(
    browser: Any, cli: Any, git_repo: GitRepo, tmp_path: Path
) -> None:
    leak_base(git_repo)
    site = tmp_path / "site"
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(site),
        cwd=git_repo.path,
    )
    assert result.exit_code == 0, result.stderr
    page = Page(browser, (site / "index.html").as_uri())
    assert page.search("kraken регламент") == []  # only the internal article has them
    # "письмами" is not in the base (it has "письма"): the stem matches.
    assert page.search("клиенты письмами")[0] == "Клиент не получает письма"
    assert page.search("webhok signture")[0] == "Webhook signature verification fails"
    assert "Секретный регламент Кракен" not in page.page.content()
    page.page.click("#kb-results li a")
    page.page.wait_for_selector("article h1.title")
    assert page.page.inner_text("nav.crumbs").startswith("Relay Help")
    assert page.errors == []
    assert page.blocked == []
    scan(site, FORBIDDEN)


def test_bundled_help_center_in_the_browser(browser: Any, cli: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(site),
        cwd=PROJECT_ROOT,
    )
    assert result.exit_code == 0, result.stderr
    page = Page(browser, (site / "index.html").as_uri())
    assert any("429" in title for title in page.search("429"))
    for link in page.page.locator("main a").all():
        href = link.get_attribute("href") or ""
        assert not href.startswith(("http:", "https:", "//")), href
    assert page.errors == [] and page.blocked == []


def test_russian_help_center_of_the_bundled_base(
    browser: Any, cli: Any, kb_copy: Path, tmp_path: Path
) -> None:
    """`lang = "ru"` in kbctl.toml: the help center speaks Russian whatever the user speaks
    (KBCTL_LANG=en in tests), and its search still finds a Russian word form."""
    toml = kb_copy / "kbctl.toml"
    toml.write_text('lang = "ru"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    site = tmp_path / "site"
    result = cli(
        "export", "--audience", "public", "--format", "html", "--output", str(site), cwd=kb_copy
    )
    assert result.exit_code == 0, result.stderr
    assert "full html export" in result.stderr  # kbctl's own messages: the user's language
    page = Page(browser, (site / "index.html").as_uri())
    assert page.page.get_attribute("html", "lang") == "ru"
    assert page.page.get_attribute("#kb-search", "placeholder") == "Поиск"
    assert page.page.get_attribute("#kb-search", "aria-label") == "Поиск по справочному центру"
    assert page.page.get_attribute("nav.crumbs", "aria-label") == "Навигационная цепочка"
    assert page.page.locator("main h2").all_inner_texts() == ["Продукты", "Теги", "Все статьи"]
    # "тарифами" is not in the base (it has "Тарифы"): the stem matches.
    assert "Тарифы и лимиты Relay" in page.search("тарифами")
    assert page.search("zzqxv") == []
    assert page.page.inner_text("#kb-results li.none") == "Ничего не найдено"
    page.search("тарифами")
    page.page.click("#kb-results li a")
    page.page.wait_for_selector("article h1.title")
    crumbs = page.page.inner_text("nav.crumbs")
    assert crumbs.startswith("Relay Help Center") and "Тарифы и лимиты Relay" in crumbs
    facts = page.page.inner_text("aside.facts")
    assert re.search(r"Проверена \d{1,2} [а-я]+\.? \d{4}", facts), facts
    assert page.errors == [] and page.blocked == []
    llms = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "llms",
        "--output",
        str(tmp_path / "l"),
        cwd=kb_copy,
    )
    assert llms.exit_code == 0, llms.stderr
    index = (tmp_path / "l" / "llms.txt").read_text(encoding="utf-8")
    assert "> Статьи базы знаний для читателей с аудиторией public." in index
