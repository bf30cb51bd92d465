"""The only reader of article files: find them, parse front matter, normalise fields.

Every problem becomes a :class:`~kbctl.model.Diagnostic` with ``path:line``; a bad file never
stops the rest of the base from loading.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kbctl.config import Config, shared_cache_dir
from kbctl.front_yaml import FrontMatter, read_front_matter
from kbctl.model import Article, Audience, Diagnostic, Flag, LoadResult, Severity, Status
from kbctl.values import (
    glob_match_any,
    is_missing,
    parse_date,
    parse_interval,
    parse_list,
    parse_text,
)

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


def article_files(config: Config) -> list[Path]:
    """Every article file of the base, sorted by path: included, not excluded, not hidden."""
    return [path for _relative, path in _article_entries(config)]


def _article_entries(
    config: Config, problems: list[Diagnostic] | None = None
) -> list[tuple[str, Path]]:
    found = [
        (relative, Path(entry.path)) for relative, entry in _readable_entries(config, problems)
    ]
    found.sort()
    return found


def base_files(config: Config) -> frozenset[str]:
    """Every file in the base (articles, images, includes), as base-relative POSIX paths.

    Rules that check links and images use it, so that they stay free of I/O.
    """
    return frozenset(relative for relative, _path in _walk(config))


def scan_article_files(config: Config, known: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """Every article file as base-relative path -> (size, mtime_ns), as cheaply as possible.

    What the search index's freshness check runs before every search: one ``scandir`` pass
    (its entries carry the stat). Paths already ``known`` to be articles skip the
    include/exclude matching. The files are those :func:`load_base` reads: regular files, no
    links, none larger than ``max_article_bytes``.
    """
    found: dict[str, tuple[int, int]] = {}
    for relative, entry in _readable_entries(config, None, known):
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size <= config.max_article_bytes:
            found[relative] = (info.st_size, info.st_mtime_ns)
    return found


def _readable_entries(
    config: Config, problems: list[Diagnostic] | None, known: Iterable[str] = ()
) -> list[tuple[str, os.DirEntry[str]]]:
    """The article files kbctl reads, as (base-relative path, directory entry).

    The policy for what the tree holds (each skipped case is a ``scan`` diagnostic in
    ``problems``, which ``kbctl check`` reports as KB107):

    - Only regular files are articles. A FIFO, socket or device with an article's name is
      skipped and never opened (opening a FIFO blocks until a writer comes).
    - A symbolic link with an article's name is skipped, wherever it points: kbctl never
      reads or edits through a link. One whose target is in the base is still read under the
      target's own path when that is an article; the diagnostic says which case it is.
    - Links to folders are never followed (no loop, no way out of the base); one leading out
      of the base where articles could be is reported.
    - A name that is not valid UTF-8 cannot be shown, indexed or reported in CI: skipped.
    - A folder that cannot be read is reported, its files are not checked.
    - Two names that are one name in two Unicode normalisations (NFC and NFD, as macOS
      writes them) are both read, the second under its own spelling, with a diagnostic:
      a checkout on macOS or Windows keeps only one of them.
    """
    known_set = known if isinstance(known, (set, frozenset, dict)) else set(known)
    found: list[tuple[str, os.DirEntry[str]]] = []
    for relative, entry in _scan(config, problems):
        if relative not in known_set and not is_article_path(relative, config):
            if problems is not None:
                _report_skipped(relative, entry, config, problems)
            continue
        try:
            is_link = entry.is_symlink()
            is_regular = not is_link and entry.is_file(follow_symlinks=False)
        except OSError:
            is_link = is_regular = False
        if is_regular:
            found.append((relative, entry))
        elif problems is not None:
            if is_link:
                problems.append(_link_diagnostic(relative, entry, config))
            else:
                kind = _file_kind(entry)
                message = f"not a regular file ({kind}); not read"
                problems.append(Diagnostic(relative, 1, message, code=SCAN_CODE))
    return _separate_twins(config, found, problems)


SCAN_CODE = "scan"
"""The code of diagnostics about files or folders kbctl could not or would not read."""


def _walk(config: Config) -> Iterator[tuple[str, Path]]:
    """(base-relative path, path) of every file outside hidden folders and the cache."""
    for relative, entry in _scan(config):
        yield relative, Path(entry.path)


def _scan(
    config: Config, problems: list[Diagnostic] | None = None
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(base-relative NFC path, directory entry) of every file of the base.

    Hidden files and folders are skipped, and so is a cache folder set by the user
    (``$KBCTL_CACHE_DIR`` or ``cache_dir``), which may sit inside the base. Links to folders
    are never followed (they come out as files). A folder that cannot be read, or that
    disappears while the scan runs, is reported in ``problems`` when it could hold articles.
    """
    cache = shared_cache_dir(config)
    skip = str(cache) if cache else None
    stack = [(str(config.root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError as error:
            _report_folder(prefix, error, config, problems)
            continue
        with entries:
            iterator = iter(entries)
            while True:
                try:
                    entry = next(iterator)
                except StopIteration:
                    break
                except OSError as error:
                    _report_folder(prefix, error, config, problems)
                    break
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    # Not following links to folders: a link to a parent would loop.
                    is_folder = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_folder = False
                if is_folder:
                    if entry.path != skip:
                        stack.append((entry.path, f"{prefix}{name}/"))
                    continue
                relative = prefix + name
                if not relative.isascii() and not unicodedata.is_normalized("NFC", relative):
                    relative = unicodedata.normalize("NFC", relative)
                yield relative, entry


def _could_hold_articles(folder: str, config: Config) -> bool:
    """Whether a base-relative folder (``""`` or ending in ``/``) is where articles may be."""
    folder = _SURROGATE.sub("_", folder)
    return any(is_article_path(f"{folder}article{ext}", config) for ext in (".md", ".markdown"))


def shown_path(relative: str) -> str:
    """A base-relative path for messages: a name that is not UTF-8 shows its bytes escaped."""
    if relative.isascii() or not _SURROGATE.search(relative):
        return relative
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def _report_folder(
    prefix: str, error: OSError, config: Config, problems: list[Diagnostic] | None
) -> None:
    if problems is None or not _could_hold_articles(prefix, config):
        return
    if isinstance(error, FileNotFoundError):
        reason = "disappeared while it was read"
    else:
        reason = f"cannot be read ({error.strerror or error})"
    where = shown_path(prefix) or "./"
    problems.append(
        Diagnostic(where, 1, f"folder {reason}; its files are not checked", code=SCAN_CODE)
    )


def _report_skipped(
    relative: str, entry: os.DirEntry[str], config: Config, problems: list[Diagnostic]
) -> None:
    """Report a file outside the article set that kbctl skips against the user's intent."""
    if not relative.isascii() and _SURROGATE.search(relative):
        readable = _SURROGATE.sub("_", relative)
        if is_article_path(readable, config):
            message = "file name is not valid UTF-8; not read (rename the file)"
            problems.append(Diagnostic(shown_path(relative), 1, message, code=SCAN_CODE))
        return
    try:
        is_link_to_folder = entry.is_symlink() and entry.is_dir()
    except OSError:
        return
    if (
        is_link_to_folder
        and not _inside(entry.path, config)
        and _could_hold_articles(relative + "/", config)
    ):
        message = "link to a folder outside the base; not followed, its files are not checked"
        problems.append(Diagnostic(relative, 1, message, code=SCAN_CODE))


def _inside(path: str, config: Config) -> bool:
    """Whether ``path``'s real path (links resolved; a loop never hangs) is in the base."""
    return Path(os.path.realpath(path)).is_relative_to(config.root.resolve())


def _link_diagnostic(relative: str, entry: os.DirEntry[str], config: Config) -> Diagnostic:
    real = Path(os.path.realpath(entry.path))
    root = config.root.resolve()
    if not real.is_relative_to(root):
        where = "leads out of the base"
    elif not real.exists():
        where = "is broken"
    else:
        target = relative_path(real, root)
        read = " (read under that path)" if is_article_path(target, config) else ""
        where = f"points to {target}{read}"
    message = f"symbolic link that {where}; not read (kbctl never reads or edits through a link)"
    return Diagnostic(relative, 1, message, code=SCAN_CODE)


def _file_kind(entry: os.DirEntry[str]) -> str:
    try:
        return _mode_kind(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return "unknown type"


def _mode_kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages."""
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return kind
    return "unknown type"


def _separate_twins(
    config: Config,
    found: list[tuple[str, os.DirEntry[str]]],
    problems: list[Diagnostic] | None,
) -> list[tuple[str, os.DirEntry[str]]]:
    """Give files whose names differ only in Unicode normalisation paths of their own.

    The scan reports names in NFC; two files spelt NFC and NFD on disk would both get one
    path and one would hide the other. The file spelt in NFC (else the first) keeps the NFC
    path, any other keeps its own spelling, and each twin is reported.
    """
    seen: dict[str, int] = {}
    twins: list[int] = []
    for number, (relative, _entry) in enumerate(found):
        if relative.isascii():
            continue
        if relative in seen:
            twins.append(number)
        else:
            seen[relative] = number
    if not twins:
        return found
    root = len(str(config.root)) + 1
    result = list(found)
    groups: dict[str, list[int]] = {}
    for number in twins:
        groups.setdefault(found[number][0], [seen[found[number][0]]]).append(number)
    for relative, members in groups.items():
        spelt = {number: found[number][1].path[root:].replace(os.sep, "/") for number in members}
        keeper = next((number for number in members if spelt[number] == relative), members[0])
        for number in members:
            if number == keeper:
                continue
            own = spelt[number]
            if own == relative:
                continue
            result[number] = (own, found[number][1])
            if problems is not None:
                message = (
                    f"file name {own!a} is {spelt[keeper]!a} in another Unicode"
                    " normalisation (NFC/NFD); both are read, but a checkout on macOS or"
                    " Windows keeps only one: rename or remove one"
                )
                problems.append(
                    Diagnostic(own, 1, message, severity=Severity.ERROR, code=SCAN_CODE)
                )
    return result


def is_article_path(relative: str, config: Config) -> bool:
    """Whether a base-relative POSIX path is in the configured scope.

    A name that is not valid UTF-8 (it arrives with surrogates) is skipped: no index, cache
    or CI report could hold it.
    """
    if any(part.startswith(".") for part in relative.split("/")):
        return False
    if not relative.isascii() and _SURROGATE.search(relative):
        return False
    if not glob_match_any(config.include, relative):
        return False
    return not glob_match_any(config.exclude, relative)


def relative_path(path: Path, root: Path) -> str:
    """A path relative to ``root``, POSIX, in Unicode NFC (macOS writes NFD names)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return unicodedata.normalize("NFC", relative)


def load_base(
    config: Config, paths: Iterable[Path] | None = None, *, use_cache: bool = True
) -> LoadResult:
    """Load every article (or only ``paths``), collecting diagnostics instead of failing.

    Parsed files are cached (see :class:`kbctl.parsecache.ParseCache`), so a second run parses only the files
    that changed since.
    """
    from kbctl.parsecache import ParseCache

    result = LoadResult(root=config.root)
    cache = ParseCache.open(config) if use_cache else None
    if paths is None:
        entries = _article_entries(config, result.diagnostics)
    else:
        entries = [(relative_path(path, config.root), path) for path in paths]
    for relative, path in entries:
        if cache is not None:
            article, diagnostics = cache.read_article(path, relative, config)
        else:
            article, diagnostics = read_article(path, config, relative)
        result.diagnostics.extend(diagnostics)
        if article is not None:
            result.articles.append(article)
    if cache is not None:
        cache.save()
    result.diagnostics.extend(duplicate_id_diagnostics(result.articles))
    return result


_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def id_key(value: str) -> str:
    """The form in which two ids are compared: the same key means the same id.

    Case is ignored, the Unicode normalisation too (NFC), and so are the characters no one
    can see: zero-width space, non-joiner and joiner, word joiner, BOM and soft hyphen.
    """
    if value.isascii():
        return value.casefold()
    value = unicodedata.normalize("NFC", _INVISIBLE.sub("", value))
    return unicodedata.normalize("NFC", value.casefold())


def duplicate_id_diagnostics(articles: Iterable[Article]) -> Iterator[Diagnostic]:
    """One diagnostic for each article whose id an earlier article already has (see id_key)."""
    first_path: dict[str, str] = {}
    for article in articles:
        key = id_key(article.id)
        if key in first_path:
            yield Diagnostic(
                article.path,
                article.line_of("id"),
                f"duplicate id {article.id!r} (also in {first_path[key]})",
                code="duplicate-id",
            )
        else:
            first_path[key] = article.path


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
        message = f"cannot read file: {error.strerror or error}"
        return None, [Diagnostic(shown_path(relative), 1, message, code="io")]
    return parse_article(data, relative, path, config)


class NotReadable(OSError):
    """A file kbctl refuses to read: a link, not a regular file, or too large.

    An OSError, so that callers that skip unreadable files skip these too.
    """


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def read_article_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of an article file, read without ever blocking or reading without bound.

    The path is checked with ``lstat`` before it is opened: a link, a FIFO, a socket or a
    device is refused (:class:`NotReadable`) unopened, and so is a file over ``max_bytes``.
    The open itself does not follow a link nor wait for a FIFO's writer (the file may be
    swapped between the check and the open), the open file is checked again, and at most
    ``max_bytes + 1`` bytes are read. Raises OSError when the file cannot be read.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        path = on_disk(path)
        info = os.lstat(path)
    _check_readable(info, max_bytes)
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotReadable(_LINK_REFUSED) from None
        raise
    try:
        _check_readable(os.fstat(handle), max_bytes)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(handle)
    if left <= 0:
        raise NotReadable(f"file grew past max_article_bytes ({max_bytes}); not read")
    return b"".join(chunks)


def on_disk(path: Path) -> Path:
    """``path`` as it is spelt on disk, where the scan's NFC spelling is not (a name written
    in NFD, as macOS writes them, on a file system that keeps names as bytes)."""
    if path.name.isascii() or path.parent == path:
        return path
    parent = path.parent if path.parent.exists() else on_disk(path.parent)
    wanted = unicodedata.normalize("NFC", path.name)
    try:
        for entry in parent.iterdir():
            if unicodedata.normalize("NFC", entry.name) == wanted:
                return entry
    except OSError:
        return path
    return path


_LINK_REFUSED = "symbolic link; not read (kbctl never reads or edits through a link)"


def _check_readable(info: os.stat_result, max_bytes: int) -> None:
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        raise NotReadable(_LINK_REFUSED)
    if not stat.S_ISREG(mode):
        kind = _mode_kind(mode)
        raise NotReadable(f"not a regular file ({kind}); not read")
    if info.st_size > max_bytes:
        raise NotReadable(
            f"file of {info.st_size} bytes is larger than max_article_bytes ({max_bytes});"
            " not read (raise max_article_bytes in kbctl.toml, or split the article)"
        )


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
        parsed = read_front_matter(front)
        if parsed.error is not None:
            what = "front matter refused" if parsed.refused else "front matter is not valid YAML"
            report(parsed.error_line, f"{what}: {parsed.error}")
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
    from frontmatter import YAMLHandler

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


def _load_yaml(front: str) -> tuple[dict[str, Any], int, str | None]:
    """Parse front matter safely. Returns (mapping, error line, error message or None).

    Keys whose value cannot be read are left out (see :func:`kbctl.front_yaml.read_front_matter`).
    """
    parsed = read_front_matter(front)
    return parsed.meta, parsed.error_line, parsed.error


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
        status=normalise_status(status),
        audience=normalise_audience(coerce("audience", parse_text)),
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


def normalise_status(value: str | None) -> str | None:
    """A status as kbctl stores it: ``Work in progress``, ``draft``, ``not-validated`` map to
    the KCS values; unknown values are kept (lower case) for rules to report."""
    return _normalise(value, _STATUS_ALIASES)


def normalise_audience(value: str | None) -> str | None:
    """An audience as kbctl stores it (``customers`` -> ``customer``, ``external`` -> ``public``)."""
    return _normalise(value, _AUDIENCE_ALIASES)


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


# --------------------------------------------------------------------------- editing


def update_front_matter(
    path: Path,
    updates: Mapping[str, object | None] | Callable[[Article | None], Mapping[str, object | None]],
    *,
    shown: str | None = None,
    config: Config | None = None,
) -> Mapping[str, object | None]:
    """Set, replace or delete (value None) top-level front-matter keys of an article file.

    Only the given keys change: every other byte (key order, comments, quoting, line endings,
    a BOM, the body) stays as it was. New keys go at the end of the front matter; a file
    without front matter gets one at the top. The new text is checked by parsing it before
    it is written (atomically: a temporary file in the same folder, then ``os.replace``,
    keeping the file mode) and the written bytes are checked afterwards.

    The edit holds a lock per article (a lock file in the cache folder of ``config``'s base)
    from reading the file to replacing it, so concurrent kbctl edits of one article apply one
    after the other. ``updates`` may be a function of the article as it is on disk under the
    lock (None when it no longer parses), so that, for example, a new flag is appended to the
    flags present now, not to those seen when the command started. Returns the updates applied.

    The file is opened without following links: a symbolic link, a file whose folder lies
    outside the base (``config.root``; default: the file's own folder) or a read-only file or
    folder is refused. Raises :class:`~kbctl.errors.EditError` (file untouched) when the file
    cannot be edited safely: not UTF-8, front matter that is not valid YAML or not a mapping, a
    key written twice, or a value spread over several lines that is not a list. ``shown`` names
    the file in messages (default: ``path``).
    """
    from kbctl.errors import EditError

    path = Path(path)
    shown = shown or str(path)
    if config is None:
        config = Config(root=path.absolute().parent)
    folder, name, relative = _article_folder(path, config, shown)
    try:
        info = _editable_file(folder, name, shown)
        with _edit_lock(config, relative, shown):
            original = _read_no_follow(folder, name, shown)
            if callable(updates):
                current, _diagnostics = parse_article(original, relative, path, config)
                updates = updates(current)
            edited = edit_front_matter_bytes(original, updates, shown=shown)
            if edited == original:
                return updates
            _replace_in_folder(folder, name, edited, info.st_mode, shown)
            if _read_no_follow(folder, name, shown) != edited:
                raise EditError(
                    f"{shown}: the file changed while it was written",
                    hint="another program is editing it; check the file and try again",
                )
            return updates
    finally:
        os.close(folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically, keeping its mode.

    A symbolic link is refused (never written through); the file must be a regular file.
    """
    path = Path(path)
    folder, name, _relative = _article_folder(path, Config(root=path.absolute().parent), str(path))
    try:
        info = _editable_file(folder, name, str(path))
        _replace_in_folder(folder, name, data, info.st_mode, str(path))
    finally:
        os.close(folder)


_LOCK_TIMEOUT_S = 30.0


def _article_folder(path: Path, config: Config, shown: str) -> tuple[int, str, str]:
    """(descriptor of the file's real folder, file name, base-relative path), checked.

    The folder (links resolved) must lie inside the base; the file name itself is never
    resolved, so a link is seen as a link.
    """
    from kbctl.errors import EditError

    absolute = path.absolute()
    root = Path(os.path.realpath(config.root))
    real_folder = Path(os.path.realpath(absolute.parent))
    if not real_folder.is_relative_to(root) or absolute.name in ("", ".", ".."):
        raise EditError(
            f"{shown}: the file is outside the knowledge base ({real_folder}); not edited",
            hint=f"kbctl only edits articles inside {root}",
        )
    try:
        folder = os.open(real_folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise EditError(f"{shown}: cannot open its folder ({error.strerror}); not edited") from None
    return folder, absolute.name, relative_path(real_folder / absolute.name, root)


def _editable_file(folder: int, name: str, shown: str) -> os.stat_result:
    """The ``lstat`` of a regular, writable file in a writable folder; else EditError."""
    import stat

    from kbctl.errors import EditError

    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError as error:
        raise EditError(f"{shown}: cannot read ({error.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise EditError(
            f"{shown}: is a symbolic link; kbctl never edits through links; not edited",
            hint="edit the file the link points to by hand, or replace the link with the file",
        )
    if not stat.S_ISREG(info.st_mode):
        raise EditError(f"{shown}: not a regular file; not edited")
    # Root may write anything, so the mode bits are checked too: a file or folder nobody may
    # write to was made read-only on purpose.
    if not info.st_mode & 0o222 or not os.access(name, os.W_OK, dir_fd=folder):
        raise EditError(
            f"{shown}: the file is read-only; not edited",
            hint="make it writable (chmod u+w) if it should be edited",
        )
    folder_info = os.fstat(folder)
    if not folder_info.st_mode & 0o222 or not os.access(".", os.W_OK, dir_fd=folder):
        raise EditError(
            f"{shown}: its folder is read-only; not edited",
            hint="kbctl replaces a file by writing a new one next to it: make the folder writable",
        )
    return info


def _edit_lock(config: Config, relative: str, shown: str) -> contextlib.AbstractContextManager[Any]:
    """The lock of one article, held while it is read, edited and replaced."""
    import hashlib

    from filelock import FileLock, Timeout

    from kbctl.cachefile import CacheWriteError, own_folder
    from kbctl.config import cache_root
    from kbctl.errors import EditError

    folder = cache_root(config) / "locks"
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    lock = FileLock(folder / f"{digest}.lock", timeout=_LOCK_TIMEOUT_S)

    @contextlib.contextmanager
    def held() -> Iterator[None]:
        try:
            own_folder(folder)
            lock.acquire()
        except CacheWriteError as error:
            raise EditError(f"{shown}: {error.message}; not edited", hint=error.hint) from None
        except Timeout:
            raise EditError(
                f"{shown}: another kbctl has been editing this article for "
                f"{_LOCK_TIMEOUT_S:.0f} s; not edited",
                hint=f"try again; if nothing else runs, delete {lock.lock_file}",
            ) from None
        except OSError as error:
            raise EditError(
                f"{shown}: cannot lock the article ({error.strerror}: {folder}); not edited",
                hint="set $KBCTL_CACHE_DIR to a writable folder",
            ) from None
        try:
            yield
        finally:
            lock.release()

    return held()


def _read_no_follow(folder: int, name: str, shown: str) -> bytes:
    """The bytes of a regular file in ``folder``, opened without following a link."""
    import errno
    import stat

    from kbctl.errors import EditError

    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(name, flags, dir_fd=folder)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise EditError(
                f"{shown}: is a symbolic link; kbctl never edits through links; not edited"
            ) from None
        raise EditError(f"{shown}: cannot read ({error.strerror})") from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise EditError(f"{shown}: not a regular file; not edited")
        return stream.read()


def _replace_in_folder(folder: int, name: str, data: bytes, mode: int, shown: str) -> None:
    """Write ``data`` to a new file in ``folder`` and rename it over ``name`` (never a link)."""
    import secrets
    import stat

    from kbctl.errors import EditError

    # A short name: "." + a long article name + a suffix could pass the 255-byte name limit.
    temporary = f".kbctl-{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        handle = os.open(temporary, flags, 0o600, dir_fd=folder)
    except OSError as error:
        raise EditError(
            f"{shown}: cannot write ({error.strerror}); file left as it was",
            hint="check that the folder is writable and the disk is not full",
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), stat.S_IMODE(mode))
            os.fsync(stream.fileno())
        # rename() replaces the name itself: if a link appeared there meanwhile, the link is
        # replaced, its target is not written.
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise EditError(
            f"{shown}: cannot write ({error.strerror}); file left as it was",
            hint="check that the folder is writable and the disk is not full",
        ) from None
    with contextlib.suppress(OSError):
        os.fsync(folder)


def edit_front_matter_bytes(
    data: bytes, updates: Mapping[str, object | None], shown: str = "article"
) -> bytes:
    """The file ``data`` with ``updates`` applied to its front matter. Pure; see update_front_matter."""
    from frontmatter import YAMLHandler

    from kbctl.errors import EditError

    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise EditError(
            f"{shown}:{line}: not UTF-8; not edited", hint="save the file as UTF-8 first"
        ) from None
    first_break = text.find("\n")
    newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    boundary = YAMLHandler.FM_BOUNDARY
    opening = boundary.match(text)
    closing = boundary.search(text, opening.end()) if opening else None
    if opening is not None and closing is None:
        # Front matter that is never closed (or closed with YAML's "..."): a new block on top
        # would turn it into body text.
        raise EditError(
            f"{shown}: the front matter opened on line 1 is never closed with '---'; not edited",
            hint="add the closing '---' line by hand first",
        )
    if opening is None:
        if all(value is None for value in updates.values()):
            return data
        lines = "".join(_entry_text(key, value, newline, shown) for key, value in updates.items())
        new_text = f"---{newline}{lines}---{newline}{text}"
        _verify_edit(text, new_text, updates, shown, had_front=False)
        return bom + new_text.encode("utf-8")
    front_start = first_break + 1
    front = text[front_start : closing.start()]
    parsed = read_front_matter(front)
    new_front = _edit_front(front, parsed, updates, newline, shown)
    new_text = text[:front_start] + new_front + text[closing.start() :]
    _verify_edit(text, new_text, updates, shown, had_front=True, known=(front, parsed.meta))
    return bom + new_text.encode("utf-8")


def _edit_front(
    front: str,
    parsed: FrontMatter,
    updates: Mapping[str, object | None],
    newline: str,
    shown: str,
) -> str:
    import yaml

    from kbctl.errors import EditError

    root = parsed.root
    if parsed.error is not None and (root is None or isinstance(root, yaml.MappingNode)):
        what = "refused" if parsed.refused else "not valid YAML"
        raise EditError(
            f"{shown}: front matter is {what} ({parsed.error}); not edited",
            hint="fix the front matter by hand first (see `kbctl check`)",
        )
    entries: list[tuple[str, Any, Any]] = []
    if root is not None:
        if not isinstance(root, yaml.MappingNode) or root.flow_style:
            kind = "a flow mapping" if isinstance(root, yaml.MappingNode) else "not a mapping"
            raise EditError(
                f"{shown}: front matter is {kind}; not edited",
                hint="front matter must be a block of 'key: value' lines",
            )
        for key_node, value_node in root.value:
            if key_node.start_mark.column != 0:
                raise EditError(f"{shown}: front matter is indented; not edited")
            entries.append((str(key_node.value), key_node, value_node))
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    for key, value in updates.items():
        found = [entry for entry in entries if entry[0] == key]
        if len(found) > 1:
            raise EditError(f"{shown}: key {key!r} appears twice in the front matter; not edited")
        if not found:
            if value is not None:
                appended.append(_entry_text(key, value, newline, shown))
            continue
        _key, key_node, value_node = found[0]
        edits.append(_replace_entry(front, key, key_node, value_node, value, newline, shown))
    for start, end, replacement in sorted(edits, reverse=True):
        front = front[:start] + replacement + front[end:]
    return front + "".join(appended)


def _replace_entry(
    front: str, key: str, key_node: Any, value_node: Any, value: object, newline: str, shown: str
) -> tuple[int, int, str]:
    """One edit (start, end, new text) of the front matter for an existing key."""
    import yaml

    from kbctl.errors import EditError

    entry_start = key_node.start_mark.index
    content_end = _content_end(front, value_node)
    line_end = front.find("\n", content_end)
    entry_end = len(front) if line_end < 0 else line_end + 1
    if value is None:
        return entry_start, entry_end, ""
    value_text = front[value_node.start_mark.index : content_end]
    if value_text[:1] in ("&", "*", "!"):
        raise EditError(
            f"{shown}: {key!r} uses a YAML anchor, alias or tag; not edited",
            hint="edit this key by hand",
        )
    one_line = "\n" not in front[entry_start:content_end]
    is_block_list = isinstance(value_node, yaml.SequenceNode) and not value_node.flow_style
    if is_block_list and isinstance(value, (list, tuple)):
        old = read_front_matter(front[entry_start:entry_end]).meta.get(key) or []
        new = list(value)
        if _same_value(new, old):
            return entry_start, entry_start, ""
        if len(new) > len(old) and _same_value(new[: len(old)], old) and value_node.value:
            first_item = value_node.value[0].start_mark
            item_line_start = front.rfind("\n", 0, first_item.index) + 1
            indent = front[item_line_start : first_item.index].split("-", 1)[0]
            items = "".join(_list_item(item, indent, newline, shown) for item in new[len(old) :])
            if line_end < 0:
                items = newline + items.removesuffix(newline)
            return entry_end, entry_end, items
        return entry_start, entry_end, _entry_text(key, value, newline, shown)
    if not one_line:
        raise EditError(
            f"{shown}: {key!r} has a value spread over several lines; not edited",
            hint=f"edit {key!r} by hand, or put its value on one line",
        )
    if isinstance(value, (list, tuple)) and any(isinstance(item, Mapping) for item in value):
        # A list of mappings is written as a block: the whole (one-line) entry is replaced.
        replacement = _entry_text(key, value, newline, shown)
        if line_end < 0:
            replacement = replacement.removesuffix(newline)
        return entry_start, entry_end, replacement
    style = getattr(value_node, "style", None) if isinstance(value_node, yaml.ScalarNode) else None
    rendered = _inline_value(value, shown, quote=style if style in ("'", '"') else None)
    start = value_node.start_mark.index
    if start == content_end and not front[start - 1 : start].isspace():
        rendered = " " + rendered  # "key:" with no value yet
    return start, content_end, rendered


def _content_end(front: str, node: Any) -> int:
    """Where a value's own text ends (block collections and block scalars trimmed)."""
    import yaml

    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style:
        if not node.value:
            return node.end_mark.index
        last = node.value[-1]
        return _content_end(front, last[1] if isinstance(last, tuple) else last)
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        while end > node.start_mark.index and front[end - 1] in " \t\r\n":
            end -= 1
    return end


def _entry_text(key: str, value: object, newline: str, shown: str) -> str:
    """A whole ``key: value`` entry, ending with ``newline`` (lists of mappings as a block)."""
    name = _inline_value(key, shown)
    if isinstance(value, (list, tuple)) and value and any(isinstance(i, Mapping) for i in value):
        items = "".join(_list_item(item, "  ", newline, shown) for item in value)
        return f"{name}:{newline}{items}"
    return f"{name}: {_inline_value(value, shown)}{newline}"


def _list_item(item: object, indent: str, newline: str, shown: str) -> str:
    if not isinstance(item, Mapping):
        return f"{indent}- {_inline_value(item, shown)}{newline}"
    lines = []
    for number, (name, value) in enumerate(item.items()):
        lead = f"{indent}- " if number == 0 else f"{indent}  "
        lines.append(f"{lead}{_inline_value(name, shown)}: {_inline_value(value, shown)}{newline}")
    return "".join(lines) or f"{indent}- {{}}{newline}"


def _inline_value(value: object, shown: str, quote: str | None = None) -> str:
    """A YAML value on one line: scalars quoted only when needed, lists in flow style."""
    import json
    from datetime import date

    import yaml

    from kbctl.errors import EditError

    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline_value(item, shown) for item in value) + "]"
    if isinstance(value, Mapping):
        raise EditError(f"{shown}: cannot write a mapping value here")
    if isinstance(value, date) and quote is not None:
        value = value.isoformat()  # keep a quoted date quoted
    if isinstance(value, str) and quote == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, str) and quote == '"':
        return json.dumps(value, ensure_ascii=False)
    if value is not None and not isinstance(value, (str, bool, int, float, date)):
        value = str(value)
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_flow_style=True)
    dumped = dumped.removesuffix("\n").removesuffix("\n...").removesuffix("\n")
    if "\n" in dumped or (isinstance(value, str) and not value.isprintable()):
        return json.dumps(value, ensure_ascii=False)
    return dumped


def _same_value(new: object, read: object) -> bool:
    """Whether a value to write (``new``) is the value read back (``read``).

    The loader keeps dates as text, so a ``date`` to write is the same as its ISO text.
    """
    from datetime import date

    if isinstance(new, date) and isinstance(read, str):
        return new.isoformat() == read
    if isinstance(new, (list, tuple)) and isinstance(read, (list, tuple)):
        return len(new) == len(read) and all(map(_same_value, new, read))
    if isinstance(new, Mapping) and isinstance(read, Mapping):
        return new.keys() == read.keys() and all(_same_value(new[k], read[k]) for k in new)
    return new == read


def _verify_edit(
    old_text: str,
    new_text: str,
    updates: Mapping[str, object | None],
    shown: str,
    had_front: bool,
    known: tuple[str, dict[str, Any]] | None = None,
) -> None:
    """Parse the edited text: the given keys have their new values, everything else is unchanged.

    Both sides come from :func:`_load_yaml`, which refuses front matter whose aliases would
    expand past a small bound: the comparisons below walk bounded data, so they stay fast on
    any file the loader accepts (an alias bomb once made this take minutes). ``known`` is a
    front matter already parsed (text, mapping), used when the old text's is the same.
    """
    from kbctl.errors import EditError

    def meta_and_body(text: str) -> tuple[dict[str, Any], str]:
        front, body, _line, has_front = split_front_matter(text)
        if known is not None and has_front and front == known[0]:
            return known[1], body
        meta, _error_line, error = _load_yaml(front) if has_front else ({}, 1, None)
        if error is not None:
            raise EditError(f"{shown}: the edit would break the front matter ({error}); not edited")
        return meta, body

    old_meta, old_body = meta_and_body(old_text) if had_front else ({}, old_text)
    new_meta, new_body = meta_and_body(new_text)

    problems = [key for key, value in updates.items() if value is None and key in new_meta]
    problems += [
        key
        for key, value in updates.items()
        if value is not None and not _same_value(value, new_meta.get(key))
    ]
    problems += [
        key
        for key in set(old_meta) | set(new_meta)
        if key not in updates and old_meta.get(key, ...) != new_meta.get(key, ...)
    ]
    if problems or new_body != old_body:
        what = ", ".join(sorted(map(str, problems))) or "the body"
        raise EditError(
            f"{shown}: the edit could not be made safely ({what}); not edited",
            hint="edit the front matter by hand",
        )
