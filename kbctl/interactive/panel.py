"""Pure helpers of interactive search: reading the query line, the trust panel, ages, the
passage window and the Resolution section. No terminal, no Textual: unit-tested directly.

Everything returned here is text a person reads, already made safe by
:func:`kbctl.textsafe.one_line` (values from articles are untrusted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from kbctl.errors import KbError
from kbctl.i18n import _, age_text, ngettext
from kbctl.model import Flag, Hit
from kbctl.selection import ArticleFilter
from kbctl.textsafe import one_line

# Filter words of the query line, as the one-shot options (`--tag` is `tag:`); Russian
# spellings too, so a Russian query needs no switch of keyboard layout.
FILTER_KEYS: dict[str, str] = {
    "tag": "tags",
    "owner": "owners",
    "status": "statuses",
    "audience": "audiences",
    "product": "products",
    "where": "where",
    "тег": "tags",
    "владелец": "owners",
    "статус": "statuses",
    "аудитория": "audiences",
    "продукт": "products",
}

RESOLUTION_HEADINGS = ("resolution", "solution", "решение")
"""Headings of the section the "copy Resolution" key copies (KB407's default names)."""

STATUS_MARKS: dict[str, str] = {
    "validated": "✓",
    "not_validated": "?",
    "wip": "…",
    "archived": "×",
}


@dataclass(frozen=True, slots=True)
class QueryLine:
    """The query line read: the words to search for, the filter and what was wrong."""

    words: str
    selection: ArticleFilter = field(default_factory=ArticleFilter)
    problems: tuple[str, ...] = ()

    @property
    def filter_text(self) -> str:
        """The filters in force, as ``key:value`` words (empty when none)."""
        chosen = self.selection
        parts = [
            *(f"tag:{value}" for value in chosen.tags),
            *(f"owner:{value}" for value in chosen.owners),
            *(f"status:{value}" for value in chosen.statuses),
            *(f"audience:{value}" for value in chosen.audiences),
            *(f"product:{value}" for value in chosen.products),
            *(f"where:{key}={value}" for key, value in chosen.where),
        ]
        return one_line(" ".join(parts))


def read_query_line(text: str) -> QueryLine:
    """Split the query line into search words and ``key:value`` filters.

    ``tag:x owner:y status:z audience:a product:p where:key=value`` (and ``тег:``,
    ``владелец:``, ``статус:``, ``аудитория:``, ``продукт:``) filter as the options of
    ``kbctl search`` do; values of one key OR together, keys AND. A word with another key
    (``0x8007:5``) stays a search word. A bad value (``status:nope``) is dropped with a
    problem message; the rest still counts.
    """
    words: list[str] = []
    values: dict[str, list[str]] = {}
    problems: list[str] = []
    for word in text.split():
        key, colon, value = word.partition(":")
        target = FILTER_KEYS.get(key.casefold()) if colon else None
        if target is None:
            words.append(word)
        elif value:
            values.setdefault(target, []).append(value)
    for target, given in values.items():
        kept: list[str] = []
        for value in given:
            try:
                ArticleFilter.build(**{target: [value]})
            except KbError as error:
                problems.append(one_line(error.message))
            else:
                kept.append(value)
        values[target] = kept
    try:
        selection = ArticleFilter.build(**{key: value for key, value in values.items() if value})
    except KbError as error:  # pragma: no cover - every value was tried alone above
        problems.append(one_line(error))
    return QueryLine(" ".join(words), selection, tuple(problems))


def age(when: date | None, today: date) -> str:
    """A short age for the results list: ``today``, ``12d``, ``5mo``, ``2.3y``; ``-`` when
    unknown, ``future`` for a date after today."""
    if when is None:
        return "-"
    days = (today - when).days
    if days < 0:
        return _("future")
    if days == 0:
        return _("today")
    # TRANSLATORS: short ages of the results list, at most 6 characters ("12d", "5mo", "2.3y").
    if days < 45:
        return ngettext("{count}d", "{count}d", days).format(count=days)
    if days < 730:
        months = round(days / 30.44)
        return ngettext("{count}mo", "{count}mo", months).format(count=months)
    return _("{count}y").format(count=f"{days / 365.25:.1f}")


def status_mark(status: str | None) -> str:
    """One character for the status in the results list (a space when there is none)."""
    return STATUS_MARKS.get(status or "", " ")


def hit_age(hit: Hit, today: date) -> str:
    """The age shown in the results list: since the last review, else the last change."""
    if hit.last_reviewed is not None:
        return age(hit.last_reviewed, today)
    if hit.last_changed is not None:
        return age(hit.last_changed.date(), today)
    return "-"


def result_row(hit: Hit, today: date, width: int = 60) -> tuple[str, str, str, str]:
    """(status mark, title, id, age) of one hit in the results list, the title cut to
    ``width`` characters."""
    title = one_line(hit.title)
    if len(title) > width:
        title = title[: max(width - 1, 1)] + "…"
    return status_mark(hit.status), title, one_line(hit.id), hit_age(hit, today)


@dataclass(frozen=True, slots=True)
class TrustRow:
    """One line of the trust panel: a label, its value and a tone (ok, warn, bad, dim)."""

    label: str
    value: str
    tone: str = ""


def trust_rows(
    hit: Hit,
    today: date,
    *,
    flags: Sequence[Flag] = (),
    review: str | None = None,
    review_tone: str = "",
) -> list[TrustRow]:
    """The trust panel of a hit: status, owners, audience, last reviewed, last changed (and
    by whom), the review verdict when known, then one row per open flag."""
    status_tone = {"validated": "ok", "archived": "bad"}.get(hit.status or "", "warn")
    rows = [
        TrustRow(_("status"), one_line(hit.status or _("no status")), status_tone),
        TrustRow(
            _("owner") if len(hit.owners) < 2 else _("owners"),
            one_line(", ".join(hit.owners) or _("no owner")),
            "" if hit.owners else "bad",
        ),
        TrustRow(_("audience"), one_line(hit.audience or "-"), "" if hit.audience else "dim"),
        TrustRow(
            _("reviewed"), _dated(hit.last_reviewed, today), "" if hit.last_reviewed else "warn"
        ),
    ]
    if hit.last_changed is not None:
        changed = _dated(hit.last_changed.date(), today)
        if hit.last_changed_by:
            changed = _("{when} by {author}").format(
                when=changed, author=one_line(hit.last_changed_by)
            )
        rows.append(TrustRow(_("changed"), changed))
    else:
        rows.append(TrustRow(_("changed"), _("- (no git history cached)"), "dim"))
    if review:
        rows.append(TrustRow(_("review"), one_line(review), review_tone))
    if not flags:
        rows.append(TrustRow(_("flags"), _("none"), "dim"))
    for flag in flags:
        who = one_line(flag.by) if flag.by else _("someone")
        reason = one_line(flag.reason)
        if flag.date:
            value = _("{who} {date}: {reason}").format(
                who=who, date=flag.date.isoformat(), reason=reason
            )
        else:
            value = _("{who}: {reason}").format(who=who, reason=reason)
        rows.append(TrustRow(_("flag"), value, "bad"))
    return rows


def _dated(when: date | None, today: date) -> str:
    if when is None:
        return "-"
    days = (today - when).days
    shown = _("today") if days == 0 else age_text(days)
    return _("{date} ({age})").format(date=when.isoformat(), age=shown)


@dataclass(frozen=True, slots=True)
class PassageLine:
    """One line of the preview: its number in the file, its text, whether it is the best."""

    number: int
    text: str
    best: bool = False


def passage_window(
    lines: Sequence[str], line: int, *, before: int = 3, after: int = 12
) -> list[PassageLine]:
    """The lines of a file around the best passage (``line``, 1-based), each made safe to
    show on one line. A line beyond the end (the file shrank) shows its last lines."""
    if not lines:
        return []
    line = min(max(line, 1), len(lines))
    start = max(line - before, 1)
    end = min(line + after, len(lines))
    return [
        PassageLine(number, one_line(lines[number - 1]), number == line)
        for number in range(start, end + 1)
    ]


def section_text(body: str, names: Sequence[str] = RESOLUTION_HEADINGS) -> str | None:
    """The text of the first section of ``body`` whose heading is one of ``names`` (compared
    without case and a trailing colon): the lines under the heading up to the next heading of
    the same or a higher level, stripped. None when there is no such section.

    Headings are read as CommonMark reads them (markdown-it-py): a ``#`` line inside a code
    block is no heading.
    """
    from kbctl.rules.markdown import headings

    wanted = {name.casefold() for name in names}
    found = list(headings(body))
    lines = body.splitlines()
    for index, heading in enumerate(found):
        if " ".join(heading.text.strip().rstrip(":.").split()).casefold() not in wanted:
            continue
        end = len(lines)
        for later in found[index + 1 :]:
            if later.level <= heading.level:
                end = later.line - 1
                break
        return "\n".join(lines[heading.line : end]).strip("\n")
    return None
