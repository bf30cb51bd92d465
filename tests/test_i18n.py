"""Translations: choosing the language, Russian plural forms, and catalogs kept complete."""

from __future__ import annotations

import gettext
import io
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kbctl import i18n
from kbctl.i18n import Translator, choose_language, language_of

PACKAGE = Path(i18n.__file__).parent
LOCALE = PACKAGE / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]")


@pytest.mark.parametrize(
    ("environ", "team", "expected"),
    [
        ({}, None, "en"),
        ({"LANG": "ru_RU.UTF-8"}, None, "ru"),
        ({"LANG": "ru_RU.UTF-8", "KBCTL_LANG": "en"}, None, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU.UTF-8"}, None, "en"),
        ({"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, None, "ru"),
        ({"LANG": "C.UTF-8"}, "ru", "ru"),
        ({"LANG": "POSIX"}, None, "en"),
        ({"LANG": "en_GB.UTF-8"}, "ru", "en"),
        ({"LANG": "de_DE.UTF-8"}, "ru", "ru"),
        ({"KBCTL_LANG": "xx"}, None, "en"),
        ({"KBCTL_LANG": "ru-RU"}, None, "ru"),
    ],
)
def test_language_is_chosen_by_kbctl_lang_then_locale_then_team(
    environ: dict[str, str], team: str | None, expected: str
) -> None:
    assert choose_language(environ, team) == expected


def test_language_tags_are_read_loosely() -> None:
    assert language_of("ru_RU.UTF-8@euro") == "ru"
    assert language_of("EN") == "en"
    assert language_of("") is None
    assert language_of("C") is None


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (1, "1 день назад"),
        (2, "2 дня назад"),
        (5, "5 дней назад"),
        (11, "11 дней назад"),
        (21, "21 день назад"),
        (22, "22 дня назад"),
        (25, "25 дней назад"),
        (61, "2 месяца назад"),
        (335, "11 месяцев назад"),
        (800, "2,2 года назад"),
    ],
)
def test_russian_ages_take_the_right_plural_form(days: int, text: str) -> None:
    assert Translator("ru").age(days) == text


def test_english_ages_keep_their_short_forms() -> None:
    english = Translator("en")
    assert [english.age(days) for days in (1, 40, 61, 800)] == [
        "1 d ago",
        "40 d ago",
        "2 mo ago",
        "2.2 y ago",
    ]


def test_dates_and_numbers_follow_the_language() -> None:
    assert Translator("ru").format_date(date(2026, 11, 30)) == "30 нояб. 2026\u202fг."
    assert Translator("en").format_date(date(2026, 11, 30)) == "Nov 30, 2026"
    assert Translator("ru").format_number(12345) == "12\xa0345"
    assert Translator("en").format_number(12345) == "12,345"


def _russian_catalog():  # type: ignore[no-untyped-def]
    with (LOCALE / "ru" / "LC_MESSAGES" / "kbctl.po").open("rb") as handle:
        return read_po(handle, locale="ru")


def test_every_message_in_the_code_is_in_the_russian_catalog_with_its_placeholders() -> None:
    """`pybabel extract` over the package (code and the help center's Jinja2 templates)
    finds nothing the Russian catalog lacks."""
    catalog = _russian_catalog()
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    missing, broken = [], []
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords=keywords,
    ):
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{filename}: {msgid!r}")
            continue
        sources = [message] if isinstance(message, str) else list(message)
        wanted = set(PLACEHOLDER.findall(" ".join(sources)))
        forms = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        broken.extend(
            f"{filename}: {msgid!r} -> {form!r}"
            for form in forms
            if set(PLACEHOLDER.findall(form)) != wanted
        )
    assert not missing, "untranslated (update kbctl/locale, see README):\n" + "\n".join(missing)
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_the_shipped_compiled_catalog_is_the_compiled_po_file() -> None:
    """kbctl.mo is what `pybabel compile` makes of kbctl.po today (no stale binary)."""
    buffer = io.BytesIO()
    write_mo(buffer, _russian_catalog())
    fresh = gettext.GNUTranslations(io.BytesIO(buffer.getvalue()))
    with (LOCALE / "ru" / "LC_MESSAGES" / "kbctl.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    assert shipped._catalog == fresh._catalog  # type: ignore[attr-defined]


def test_the_help_center_templates_are_extracted() -> None:
    """Babel's Jinja2 extractor (babel.cfg, and the completeness test above) reads the help
    center's templates: their `_()` messages reach the catalog."""
    found = {
        message
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[("**/templates/**.html", "jinja2")]
        )
    }
    assert {"Search the help center", "All articles", "Reviewed {date}"} <= found
    assert "[jinja2: **/templates/**.html]" in (PACKAGE.parent / "babel.cfg").read_text()
