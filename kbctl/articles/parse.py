"""Front matter -> :class:`~kbctl.model.Article`: split, parse, coerce and normalise fields.

Parsing is pure (bytes in, article and diagnostics out); one bad key loses only that key.
Every problem becomes a :class:`~kbctl.model.Diagnostic` with ``path:line``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kbctl.articles.read import NotReadable, read_article_bytes
from kbctl.articles.tree import SCAN_CODE, relative_path, shown_path
from kbctl.articles.yaml import read_front_matter
from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article, Audience, Diagnostic, Flag, Severity, Status
from kbctl.values import is_missing, parse_date, parse_interval, parse_list, parse_text

_SURROGATE = re.compile("[\ud800-\udfff]")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_STATUS_ALIASES = {
    "wip": Status.WIP,
    "work in progress": Status.WIP,
    "draft": Status.WIP,
    "in progress": Status.WIP,
    "not validated": Status.NOT_VALIDATED,
    "unvalidated": Status.NOT_VALIDATED,
    "validated": Status.VALIDATED,
    "valid": Status.VALIDATED,
    "archived": Status.ARCHIVED,
    "archive": Status.ARCHIVED,
    "retired": Status.ARCHIVED,
    "obsolete": Status.ARCHIVED,
}
_AUDIENCE_ALIASES = {
    "internal": Audience.INTERNAL,
    "private": Audience.INTERNAL,
    "staff": Audience.INTERNAL,
    "partner": Audience.PARTNER,
    "partners": Audience.PARTNER,
    "customer": Audience.CUSTOMER,
    "customers": Audience.CUSTOMER,
    "public": Audience.PUBLIC,
    "external": Audience.PUBLIC,
}


def read_article(
    path: Path, config: Config, relative: str | None = None
) -> tuple[Article | None, list[Diagnostic]]:
    """Read and parse one article file; None when it cannot be used at all."""
    relative = relative or relative_path(path, config.root)
    try:
        data = read_article_bytes(path, config.max_article_bytes)
    except NotReadable as refusal:
        return None, [Diagnostic(shown_path(relative), 1, str(refusal), code=SCAN_CODE)]
    except OSError as error:
        message = _("cannot read file: {error}").format(error=error.strerror or error)
        return None, [Diagnostic(shown_path(relative), 1, message, code="io")]
    return parse_article(data, relative, path, config)


def parse_article(
    data: bytes, relative: str, abs_path: Path, config: Config
) -> tuple[Article | None, list[Diagnostic]]:
    """Parse an article from its bytes. Pure: no I/O, never raises on bad input."""
    diagnostics: list[Diagnostic] = []

    def report(line: int, message: str, severity: Severity = Severity.ERROR) -> None:
        diagnostics.append(Diagnostic(relative, line, message, severity))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report(
            line,
            _("not UTF-8 (byte 0x{byte}); save the file as UTF-8").format(
                byte=f"{data[error.start]:02x}"
            ),
        )
        return None, diagnostics
    if not text.strip():
        report(1, _("empty file"))
        return None, diagnostics
    front, body, body_line, has_front = split_front_matter(text)
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    if has_front:
        parsed = read_front_matter(front)
        if parsed.error is not None:
            if parsed.refused:
                message = _("front matter refused: {error}")
            else:
                message = _("front matter is not valid YAML: {error}")
            report(parsed.error_line, message.format(error=parsed.error))
            return None, diagnostics
        meta, key_lines = parsed.meta, parsed.key_lines
        for problem in parsed.problems:
            diagnostics.append(
                Diagnostic(relative, problem.line, problem.message, Severity.ERROR, problem.code)
            )
    article = _build_article(meta, body, body_line, relative, abs_path, config, key_lines, report)
    article.has_front_matter = has_front
    return article, diagnostics


def split_front_matter(text: str) -> tuple[str, str, int, bool]:
    """Split ``text`` into (front matter, body, body's first line, has front matter).

    Uses python-frontmatter's boundary (a line of three or more dashes).
    """
    from frontmatter.default_handlers import YAMLHandler

    boundary = YAMLHandler.FM_BOUNDARY
    opening = boundary.match(text)
    if opening is None:
        return "", text, 1, False
    # The front matter starts on line 2. (The boundary's trailing \s* may also have eaten
    # blank lines after the opening dashes, so opening.end() is not where it starts.)
    start = text.find("\n") + 1
    if start == 0:
        return "", text, 1, False
    closing = boundary.search(text, start)
    if closing is None:
        return "", text, 1, False
    front = text[start : closing.start()]
    body_start = closing.end()
    if text.startswith("\r\n", body_start):
        body_start += 2
    elif text.startswith("\n", body_start):
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    return front, text[body_start:], body_line, True


def _build_article(
    meta: dict[str, Any],
    body: str,
    body_line: int,
    relative: str,
    abs_path: Path,
    config: Config,
    key_lines: dict[str, int],
    report: Any,
) -> Article:
    field_keys: dict[str, str] = {}

    def raw(name: str) -> Any:
        for key in config.fields.get(name, [name]):
            if key in meta and not is_missing(meta[key]):
                field_keys[name] = key
                return meta[key]
        return None

    def line(name: str) -> int:
        return key_lines.get(field_keys.get(name, name), 1)

    def coerce(name: str, parser: Any, default: Any = None) -> Any:
        value = raw(name)
        try:
            result = parser(value)
        except ValueError as error:
            report(line(name), f"{field_keys.get(name, name)}: {error}")
            return default
        return default if result is None else result

    day_first = config.settings.dates.slash == "day-first"

    def read_date(value: object) -> Any:
        return parse_date(value, day_first=day_first)

    path_id = relative.rsplit(".", 1)[0]
    if config.settings.ids.source == "path":
        article_id = path_id  # [ids] from = "path": the base names articles by path
    else:
        article_id = coerce("id", parse_text) or path_id
    title = coerce("title", parse_text) or _first_heading(body) or Path(relative).stem
    status = coerce("status", parse_text)
    if status is None and meta.get("draft") is True:
        status = Status.WIP.value
    return Article(
        id=article_id,
        path=relative,
        abs_path=abs_path,
        title=title,
        body=body,
        body_line=body_line,
        description=coerce("description", parse_text),
        type=_lower(coerce("type", parse_text)),
        tags=coerce("tags", parse_list, ()),
        owners=coerce("owner", parse_list, ()),
        reviewers=coerce("reviewers", parse_list, ()),
        status=normalise_status(status),
        audience=normalise_audience(coerce("audience", parse_text)),
        product=coerce("product", parse_text),
        environment=coerce("environment", parse_text),
        created=coerce("created", read_date),
        last_reviewed=coerce("last_reviewed", read_date),
        reviewed_by=coerce("reviewed_by", parse_text),
        review_interval=coerce("review_interval", parse_interval),
        aliases=coerce("aliases", parse_list, ()),
        flags=_flags(raw("flags"), line("flags"), report),
        ignored_rules=_ignored_rules(raw("ignore"), line("ignore"), report),
        meta=meta,
        key_lines=key_lines,
        field_keys=field_keys,
    )


def _first_heading(body: str) -> str | None:
    match = _HEADING.search(body)
    return match.group(1) if match else None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


def normalise_status(value: str | None) -> str | None:
    """A status as kbctl stores it: ``Work in progress``, ``draft``, ``not-validated`` map to
    the KCS values; unknown values are kept (lower case) for rules to report."""
    return _normalise(value, _STATUS_ALIASES)


def normalise_audience(value: str | None) -> str | None:
    """An audience as kbctl stores it (``customers`` -> ``customer``, ``external`` -> ``public``)."""
    return _normalise(value, _AUDIENCE_ALIASES)


def _normalise(value: str | None, aliases: Mapping[str, str]) -> str | None:
    """Map known spellings to the canonical value; keep unknown ones for rules to report."""
    if value is None:
        return None
    key = value.strip().lower().replace("_", " ").replace("-", " ")
    return str(aliases.get(key, value.strip().lower()))


def _flags(value: Any, line: int, report: Any) -> tuple[Flag, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    flags: list[Flag] = []
    for item in items:
        if isinstance(item, str):
            flags.append(Flag(by=None, date=None, reason=item.strip(), line=line))
            continue
        if not isinstance(item, dict):
            report(line, _("flags: each flag must be a mapping with by, date and reason"))
            continue
        try:
            flag_date = parse_date(item.get("date"))
        except ValueError as error:
            report(line, f"flags: {error}")
            flag_date = None
        by = item.get("by")
        flags.append(
            Flag(
                by=str(by) if by is not None else None,
                date=flag_date,
                reason=str(item.get("reason") or "").strip(),
                line=line,
            )
        )
    return tuple(flags)


def _ignored_rules(value: Any, line: int, report: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(rule).upper(): str(reason or "") for rule, reason in value.items()}
    try:
        return dict.fromkeys((rule.upper() for rule in parse_list(value)), "")
    except ValueError as error:
        report(line, f"kbctl-ignore: {error}")
        return {}
