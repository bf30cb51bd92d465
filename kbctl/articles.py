"""The only reader of article files: find them, parse front matter, normalise fields.

Every problem becomes a :class:`~kbctl.model.Diagnostic` with ``path:line``; a bad file never
stops the rest of the base from loading.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.model import Article, Audience, Diagnostic, Flag, LoadResult, Severity, Status
from kbctl.values import glob_match, is_missing, parse_date, parse_interval, parse_list, parse_text

_KEY_LINE = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#"'][^:]*?))\s*:(?:\s|$)""")
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


def article_files(config: Config) -> list[Path]:
    """Every article file of the base, sorted: included, not excluded, not hidden."""
    root = config.root
    cache = config.cache_dir.resolve() if config.cache_dir else None
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        folder_path = Path(folder)
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".") and (cache is None or folder_path / name != cache)
        )
        for name in files:
            path = folder_path / name
            relative = relative_path(path, root)
            if is_article_path(relative, config):
                found.append(path)
    found.sort(key=lambda path: relative_path(path, root))
    return found


def base_files(config: Config) -> frozenset[str]:
    """Every file in the base (articles, images, includes), as base-relative POSIX paths.

    Rules that check links and images use it, so that they stay free of I/O.
    """
    found: set[str] = set()
    for folder, subfolders, files in os.walk(config.root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found.update(relative_path(Path(folder) / name, config.root) for name in files)
    return frozenset(found)


def is_article_path(relative: str, config: Config) -> bool:
    """Whether a base-relative POSIX path is in the configured scope."""
    if any(part.startswith(".") for part in relative.split("/")):
        return False
    if not any(glob_match(pattern, relative) for pattern in config.include):
        return False
    return not any(glob_match(pattern, relative) for pattern in config.exclude)


def relative_path(path: Path, root: Path) -> str:
    """A path relative to ``root``, POSIX, in Unicode NFC (macOS writes NFD names)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return unicodedata.normalize("NFC", relative)


def load_base(config: Config, paths: Iterable[Path] | None = None) -> LoadResult:
    """Load every article (or only ``paths``), collecting diagnostics instead of failing."""
    result = LoadResult(root=config.root)
    for path in article_files(config) if paths is None else paths:
        article, diagnostics = read_article(path, config)
        result.diagnostics.extend(diagnostics)
        if article is not None:
            result.articles.append(article)
    result.diagnostics.extend(duplicate_id_diagnostics(result.articles))
    return result


def duplicate_id_diagnostics(articles: Iterable[Article]) -> Iterator[Diagnostic]:
    """One diagnostic for each article whose id an earlier article already has."""
    first_path: dict[str, str] = {}
    for article in articles:
        key = article.id.casefold()
        if key in first_path:
            yield Diagnostic(
                article.path,
                article.line_of("id"),
                f"duplicate id {article.id!r} (also in {first_path[key]})",
                code="duplicate-id",
            )
        else:
            first_path[key] = article.path


def read_article(path: Path, config: Config) -> tuple[Article | None, list[Diagnostic]]:
    """Read and parse one article file; None when it cannot be used at all."""
    relative = relative_path(path, config.root)
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [Diagnostic(relative, 1, f"cannot read file: {error.strerror}", code="io")]
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
        report(line, f"not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8")
        return None, diagnostics
    if not text.strip():
        report(1, "empty file")
        return None, diagnostics
    front, body, body_line, has_front = split_front_matter(text)
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    if has_front:
        meta, error_line, error_message = _load_yaml(front)
        if error_message is not None:
            report(error_line, f"front matter is not valid YAML: {error_message}")
            return None, diagnostics
        key_lines = _key_lines(front)
    article = _build_article(meta, body, body_line, relative, abs_path, config, key_lines, report)
    article.has_front_matter = has_front
    return article, diagnostics


def split_front_matter(text: str) -> tuple[str, str, int, bool]:
    """Split ``text`` into (front matter, body, body's first line, has front matter).

    Uses python-frontmatter's boundary (a line of three or more dashes).
    """
    from frontmatter import YAMLHandler

    boundary = YAMLHandler.FM_BOUNDARY
    opening = boundary.match(text)
    if opening is None:
        return "", text, 1, False
    closing = boundary.search(text, opening.end())
    if closing is None:
        return "", text, 1, False
    front = text[opening.end() : closing.start()]
    front = front[2:] if front.startswith("\r\n") else front.removeprefix("\n")
    body_start = closing.end()
    if text.startswith("\r\n", body_start):
        body_start += 2
    elif text.startswith("\n", body_start):
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    return front, text[body_start:], body_line, True


def _load_yaml(front: str) -> tuple[dict[str, Any], int, str | None]:
    """Parse front matter safely. Returns (mapping, error line, error message or None)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        value = yaml.load(front, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark is not None else 1
        return {}, line, (error.problem or error.context or "syntax error").strip()
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
        # PyYAML's constructors raise plain ValueError for e.g. 2024-13-45.
        return {}, 1, str(error).splitlines()[0] if str(error) else type(error).__name__
    if value is None:
        return {}, 1, None
    if not isinstance(value, dict):
        return {}, 2, f"expected a mapping of keys, got {type(value).__name__}"
    return {str(key): item for key, item in value.items()}, 1, None


def _key_lines(front: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(front.splitlines(), start=2):
        match = _KEY_LINE.match(line)
        if match:
            key = next(group for group in match.groups() if group is not None).strip()
            lines.setdefault(key, number)
    return lines


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

    article_id = coerce("id", parse_text) or relative.rsplit(".", 1)[0]
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
        status=_normalise(status, _STATUS_ALIASES),
        audience=_normalise(coerce("audience", parse_text), _AUDIENCE_ALIASES),
        product=coerce("product", parse_text),
        environment=coerce("environment", parse_text),
        created=coerce("created", parse_date),
        last_reviewed=coerce("last_reviewed", parse_date),
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


def _normalise(value: str | None, aliases: dict[str, str]) -> str | None:
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
            report(line, "flags: each flag must be a mapping with by, date and reason")
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
