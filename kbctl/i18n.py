"""The language of kbctl's messages: choosing it, and translating with gettext.

English is the source language; translations are gettext catalogs under ``kbctl/locale/``
(``kbctl.po`` edited by translators, ``kbctl.mo`` compiled by Babel and shipped). Mark a
user-facing string with :func:`_` (or :func:`ngettext` when it holds a count); mark a string
that is translated later, when it is shown, with :func:`N_`.

The language is chosen once per process (:func:`choose_language`): ``KBCTL_LANG``, then the
locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``; ``C`` and ``POSIX`` say nothing), then the team's
``lang`` in ``kbctl.toml``, then English. Outputs made for readers other than the user (the
report, the help centre) take a :class:`Translator` for the base's own language instead.
Only the standard library is imported here; Babel is imported by the functions that format
dates and numbers, when they are called.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kbctl"
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "ru")

_active: str | None = None


def language_of(tag: str | None) -> str | None:
    """The supported language a locale name or language tag names (``ru_RU.UTF-8`` -> ``ru``),
    or None when it names none (empty, ``C``, ``POSIX``, an unsupported language)."""
    if not tag:
        return None
    code = tag.split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0].lower()
    return code if code in LANGUAGES else None


def choose_language(environ: Mapping[str, str] | None = None, team: str | None = None) -> str:
    """The language for this user: ``KBCTL_LANG``, the locale, the team's setting, English."""
    env = os.environ if environ is None else environ
    explicit = language_of(env.get("KBCTL_LANG"))
    if explicit:
        return explicit
    # POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG; the first one set
    # decides, even when it names a language kbctl does not speak (then the team's choice).
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            if value.split(".", 1)[0] in ("C", "POSIX"):
                break
            chosen = language_of(value)
            if chosen:
                return chosen
            break
    return language_of(team) or SOURCE_LANGUAGE


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def activate(language: str) -> None:
    """Speak ``language`` (one of :data:`LANGUAGES`) from now on in this process."""
    global _active
    _active = language if language in LANGUAGES else SOURCE_LANGUAGE


def speak_for_libraries() -> None:
    """Let Click and Typer's own messages ("Usage:", "Options", "No such option") follow
    kbctl's language: both take ``gettext.gettext`` when imported (``from gettext import
    gettext as _``), so it is pointed at kbctl's catalog first. Not through ``LANGUAGE``,
    which git and other child processes would inherit. kbctl's catalog holds their
    messages (``cli/library_messages.py``)."""
    _gettext.gettext = _
    _gettext.ngettext = ngettext  # type: ignore[assignment]


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block, then the language spoken before: for an output
    made for other readers (the report) whose texts come from the core's messages."""
    global _active
    before = _active
    activate(language)
    try:
        yield
    finally:
        _active = before


def active_language() -> str:
    """The language messages are in; chosen from the environment on first use."""
    global _active
    if _active is None:
        _active = choose_language()
    return _active


def _(message: str) -> str:
    """``message`` in the active language."""
    return _catalog(active_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` (Russian has three) in the active language."""
    return _catalog(active_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it where shown."""
    return message


class Translator:
    """Messages, dates and numbers in one given language (for outputs made for others)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else SOURCE_LANGUAGE
        self._translations = _catalog(self.language)

    def gettext(self, message: str) -> str:
        """``message`` in this translator's language."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of a message for ``count`` in this translator's language."""
        return self._translations.ngettext(singular, plural, count)

    def format_date(self, when: date, form: str = "medium") -> str:
        """``when`` as this language writes dates (``30 нояб. 2026 г.``, ``Nov 30, 2026``)."""
        from babel.dates import format_date

        return str(format_date(when, format=form, locale=self.language))

    def format_number(self, number: float) -> str:
        """``number`` with this language's separators (``12 345``, ``12,345``)."""
        from babel.numbers import format_decimal

        return str(format_decimal(number, locale=self.language))

    def age(self, days: int) -> str:
        """How long ago, counted in days: ``3 d ago`` / ``3 дня назад``, ``8 mo ago``..."""
        if days < 0:
            return self.gettext("in the future")
        if days < 45:
            return self.ngettext("{count} d ago", "{count} d ago", days).format(count=days)
        if days < 730:
            months = round(days / 30.44)
            return self.ngettext("{count} mo ago", "{count} mo ago", months).format(count=months)
        years = round(days / 365.25, 1)
        # A fraction takes the form of a few ("1,5 года"): counting by 2 picks it in Russian
        # and the plural in English.
        text = self.ngettext("{count} y ago", "{count} y ago", 2)
        return text.format(count=f"{years:.1f}".replace(".", DECIMAL_SIGN[self.language]))


# The decimal sign of each language (Babel knows it too, at ~25 ms of import).
DECIMAL_SIGN = {"en": ".", "ru": ","}


def age_text(days: int) -> str:
    """How long ago ``days`` were, in the unit that reads best, in the active language."""
    return Translator(active_language()).age(days)
