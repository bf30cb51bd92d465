"""The only reader of article files: find them, parse front matter, normalise fields.

Every problem becomes a :class:`~kbctl.model.Diagnostic` with ``path:line``; a bad file never
stops the rest of the base from loading.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
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


def _article_entries(config: Config) -> list[tuple[str, Path]]:
    found = [
        (relative, path) for relative, path in _walk(config) if is_article_path(relative, config)
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
    include/exclude matching.
    """
    known_set = known if isinstance(known, (set, frozenset, dict)) else set(known)
    found: dict[str, tuple[int, int]] = {}
    for relative, entry in _scan(config):
        if relative not in known_set and not is_article_path(relative, config):
            continue
        try:
            info = entry.stat()
        except OSError:
            continue
        found[relative] = (info.st_size, info.st_mtime_ns)
    return found


def _walk(config: Config) -> Iterator[tuple[str, Path]]:
    """(base-relative path, path) of every file outside hidden folders and the cache."""
    for relative, entry in _scan(config):
        yield relative, Path(entry.path)


def _scan(config: Config) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(base-relative NFC path, directory entry) of every file of the base.

    Hidden files and folders are skipped, and so is a cache folder set by the user
    (``$KBCTL_CACHE_DIR`` or ``cache_dir``), which may sit inside the base.
    """
    cache = shared_cache_dir(config)
    skip = str(cache) if cache else None
    stack = [(str(config.root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    # Not following links to folders: a link to a parent would loop.
                    is_folder = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_folder:
                    if entry.path != skip:
                        stack.append((entry.path, f"{prefix}{name}/"))
                    continue
                relative = prefix + name
                if not relative.isascii() and not unicodedata.is_normalized("NFC", relative):
                    relative = unicodedata.normalize("NFC", relative)
                yield relative, entry


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

    Parsed files are cached (see :class:`ParseCache`), so a second run parses only the files
    that changed since.
    """
    result = LoadResult(root=config.root)
    cache = ParseCache.open(config) if use_cache else None
    if paths is None:
        entries = _article_entries(config)
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


class ParseCache:
    """Parsed articles keyed by path and file identity (size, mtime, ctime, inode).

    YAML parsing is most of the cost of loading a large base; with this cache a run after a
    few edits parses only the edited files. It lives in the cache folder, is tied to the
    base, the field map and kbctl's version, and is rewritten atomically. Anything wrong with
    it (unreadable, another version, no writable cache folder) means "parse everything".
    """

    VERSION = 2  # 2: front-matter dates stay text in Article.meta
    # Racy-git rule: a file changed within this many ns of saving may change again within the
    # file system's timestamp granularity without its stat changing, so it is not cached.
    RACY_NS = 2_000_000_000

    def __init__(self, file: Path | None, key: str, entries: dict[str, tuple[Any, ...]]) -> None:
        self.file = file
        self.key = key
        self.entries = entries
        self.seen: set[str] = set()
        self.dirty = False

    @classmethod
    def open(cls, config: Config) -> ParseCache:
        """The cache of ``config``'s base (empty when there is none or it is unusable)."""
        import dataclasses
        import hashlib
        import pickle

        from kbctl import __version__
        from kbctl.config import cache_root
        from kbctl.errors import KbError

        shape = [field.name for field in dataclasses.fields(Article)]
        key = hashlib.sha1(
            repr(
                (cls.VERSION, __version__, shape, str(config.root), sorted(config.fields.items()))
            ).encode()
        ).hexdigest()
        try:
            file: Path | None = cache_root(config) / "articles.pickle"
        except KbError:
            return cls(None, key, {})
        try:
            with open(file, "rb") as stream:
                stored_key, entries = pickle.load(stream)
        except Exception:
            return cls(file, key, {})
        return cls(file, key, entries if stored_key == key else {})

    def read_article(
        self, path: Path, relative: str, config: Config
    ) -> tuple[Article | None, list[Diagnostic]]:
        """Like :func:`read_article`, from the cache when the file has not changed."""
        import dataclasses

        self.seen.add(relative)
        try:
            info = path.stat()
        except OSError:
            return read_article(path, config, relative)
        identity = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        cached = self.entries.get(relative)
        if cached is not None and cached[0] == identity:
            article, diagnostics = cached[1], cached[2]
            if article is not None:
                article.abs_path = path
            return article, list(diagnostics)
        article, diagnostics = read_article(path, config, relative)
        # abs_path is left out of the cache: rebuilding 10k Path objects costs more than it saves.
        stored = dataclasses.replace(article, abs_path=None) if article is not None else None
        self.entries[relative] = (identity, stored, tuple(diagnostics))
        self.dirty = True
        return article, diagnostics

    def save(self) -> None:
        """Write the cache back if anything changed; forget files that are gone."""
        import pickle
        import time

        if self.file is None:
            return
        gone = [relative for relative in self.entries if relative not in self.seen]
        if not self.dirty and not gone:
            return
        racy_after = time.time_ns() - self.RACY_NS
        entries = {
            relative: entry
            for relative, entry in self.entries.items()
            if relative in self.seen and entry[0][1] < racy_after
        }
        import tempfile

        # Streamed to a temporary file, then renamed: a whole-base bytes copy would double
        # the memory of a large run.
        # A cache that cannot be written only makes the next run slower: no error.
        try:
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump((self.key, entries), stream, pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(self.file)
        except (OSError, pickle.PicklingError, RecursionError):
            with contextlib.suppress(OSError):
                Path(temporary).unlink()


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


def read_article(
    path: Path, config: Config, relative: str | None = None
) -> tuple[Article | None, list[Diagnostic]]:
    """Read and parse one article file; None when it cannot be used at all."""
    relative = relative or relative_path(path, config.root)
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
    path: Path, updates: Mapping[str, object | None], *, shown: str | None = None
) -> None:
    """Set, replace or delete (value None) top-level front-matter keys of an article file.

    Only the given keys change: every other byte (key order, comments, quoting, line endings,
    a BOM, the body) stays as it was. New keys go at the end of the front matter; a file
    without front matter gets one at the top. The new text is checked by parsing it before
    it is written (atomically: a temporary file in the same folder, then ``os.replace``,
    keeping the file mode) and the written bytes are checked afterwards.

    Raises :class:`~kbctl.errors.EditError` (file untouched) when the file cannot be edited
    safely: not UTF-8, front matter that is not valid YAML or not a mapping, a key written
    twice, or a value spread over several lines that is not a list. ``shown`` names the file
    in messages (default: ``path``).
    """
    from kbctl.errors import EditError

    path = Path(path)
    shown = shown or str(path)
    try:
        original = path.read_bytes()
    except OSError as error:
        raise EditError(f"{shown}: cannot read ({error.strerror})") from None
    edited = edit_front_matter_bytes(original, updates, shown=shown)
    if edited == original:
        return
    write_atomic(path, edited)
    if path.read_bytes() != edited:
        raise EditError(
            f"{shown}: the file changed while it was written",
            hint="another program is editing it; check the file and try again",
        )


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically, keeping its mode (and symlinks)."""
    import stat
    import tempfile

    from kbctl.errors import EditError

    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".kbctl-tmp"
    )
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise EditError(f"{path}: cannot write ({error.strerror}); file left as it was") from None


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
