"""The parse cache: parsed articles kept as sealed JSON, reused while their files are unchanged.

YAML parsing is most of the cost of loading a large base; with this cache a run after a few
edits parses only the edited files. The cache is data only (JSON; an article whose front
matter holds something JSON cannot give back exactly is parsed again instead) and sealed
(see :mod:`kbctl.cachefile`): a file kbctl did not write is ignored, never decoded.
"""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

from kbctl.articles.parse import read_article
from kbctl.config import Config
from kbctl.model import Article, Diagnostic, Flag, Severity

CACHE_FILE = "articles.json"

Identity = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Entry = tuple[Identity, Article | None, tuple[Diagnostic, ...]]


class Uncacheable(Exception):
    """A value JSON cannot hold exactly; its article is parsed again next time."""


_SCALARS = (str, int, bool, float, type(None))


def _plain(value: Any) -> Any:
    """``value`` itself when JSON gives it back unchanged, else :class:`Uncacheable`."""
    # Exact types first: the common case, and much cheaper than isinstance with a union.
    if type(value) in _SCALARS or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        for item in value:
            _plain(item)
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise Uncacheable("a key that is not a string")
            _plain(item)
        return value
    raise Uncacheable(type(value).__name__)


def _iso(value: date | None) -> str | None:
    if value is None:
        return None
    if type(value) is not date:
        raise Uncacheable("a date with a time")
    return value.isoformat()


_TUPLES = {"tags", "owners", "reviewers", "aliases"}
_DATES = {"created", "last_reviewed"}
_ARTICLE_FIELDS = [field.name for field in dataclasses.fields(Article)]
_TUPLE_AT = [number for number, name in enumerate(_ARTICLE_FIELDS) if name in _TUPLES]
_DATE_AT = [number for number, name in enumerate(_ARTICLE_FIELDS) if name in _DATES]
_FLAGS_AT = _ARTICLE_FIELDS.index("flags")
_PATH_AT = _ARTICLE_FIELDS.index("abs_path")
_NO_PATH = Path()  # set to the real path when the article is handed out


def _encode_field(name: str, value: Any) -> Any:
    if name == "abs_path":
        return None
    if name in _TUPLES:
        return [_plain(item) for item in value]
    if name in _DATES:
        return _iso(value)
    if name == "flags":
        return [[flag.by, _iso(flag.date), flag.reason, flag.line] for flag in value]
    return _plain(value)


_SPECIAL = _TUPLES | _DATES | {"flags", "abs_path"}
_FIELD_KINDS = [(number, name, name in _SPECIAL) for number, name in enumerate(_ARTICLE_FIELDS)]


def _encode_entry(entry: Entry) -> list[Any]:
    identity, article, diagnostics = entry
    fields: list[Any] | None = None
    if article is not None:
        fields = [None] * len(_ARTICLE_FIELDS)
        for number, name, special in _FIELD_KINDS:
            value = getattr(article, name)
            # Most fields are plain strings or None: kept as they are without the checks.
            if not special and (type(value) is str or value is None):
                fields[number] = value
            else:
                fields[number] = _encode_field(name, value)
    diags = [[d.path, d.line, d.message, str(d.severity), d.code] for d in diagnostics]
    return [list(identity), fields, diags]


def _decode_entry(data: list[Any]) -> Entry:
    identity, fields, diags = data
    article = None
    if fields is not None:
        if len(fields) != len(_ARTICLE_FIELDS):
            raise ValueError("another article shape")
        for number in _TUPLE_AT:
            fields[number] = tuple(fields[number])
        for number in _DATE_AT:
            if fields[number] is not None:
                fields[number] = date.fromisoformat(fields[number])
        fields[_FLAGS_AT] = tuple(
            Flag(by, None if when is None else date.fromisoformat(when), reason, line)
            for by, when, reason, line in fields[_FLAGS_AT]
        )
        fields[_PATH_AT] = _NO_PATH
        article = Article(*fields)
    diagnostics = tuple(
        Diagnostic(path, line, message, Severity(severity), code)
        for path, line, message, severity, code in diags
    )
    return (tuple(identity), article, diagnostics)


class ParseCache:
    """Parsed articles keyed by path and file identity (size, mtime, ctime, inode).

    Tied to the base, the field map and kbctl's version; rewritten atomically. Anything
    wrong with it (absent, not sealed by this user, another version, unwritable) means
    "parse everything".
    """

    VERSION = 2
    # Racy-git rule: a file changed within this many ns of saving may change again within the
    # file system's timestamp granularity without its stat changing, so it is not cached.
    RACY_NS = 2_000_000_000

    def __init__(self, file: Path | None, key: str, entries: dict[str, Entry]) -> None:
        self.file = file
        self.key = key
        self.entries = entries
        self.seen: set[str] = set()
        self.dirty = False

    @classmethod
    def open(cls, config: Config) -> ParseCache:
        """The cache of ``config``'s base (empty when there is none or it is unusable)."""
        import hashlib

        from kbctl import __version__
        from kbctl.cachefile import read_sealed
        from kbctl.config import cache_root
        from kbctl.errors import KbError
        from kbctl.i18n import active_language

        key = hashlib.sha256(
            repr(
                (
                    cls.VERSION,
                    __version__,
                    active_language(),  # diagnostics are stored in the language they were made in
                    _ARTICLE_FIELDS,
                    str(config.root),
                    sorted(config.fields.items()),
                    config.max_article_bytes,
                    config.settings.dates,
                    config.settings.ids,
                )
            ).encode()
        ).hexdigest()
        try:
            file: Path | None = cache_root(config) / CACHE_FILE
        except KbError:
            return cls(None, key, {})
        assert file is not None
        data = read_sealed(file)
        if data is None:
            return cls(file, key, {})
        try:
            stored = json.loads(data.decode("utf-8", "surrogatepass"))
            if stored.get("key") != key:
                return cls(file, key, {})
            entries = {path: _decode_entry(entry) for path, entry in stored["entries"].items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls(file, key, {})
        return cls(file, key, entries)

    def read_article(
        self, path: Path, relative: str, config: Config
    ) -> tuple[Article | None, list[Diagnostic]]:
        """Like :func:`kbctl.articles.parse.read_article`, from the cache when the file is
        unchanged."""
        self.seen.add(relative)
        try:
            info = path.stat()
        except OSError:
            return read_article(path, config, relative)
        identity = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        cached = self.entries.get(relative)
        if cached is not None and cached[0] == identity:
            article = cached[1]
            if article is not None:
                article.abs_path = path
            return article, list(cached[2])
        article, diagnostics = read_article(path, config, relative)
        self.entries[relative] = (identity, article, tuple(diagnostics))
        self.dirty = True
        return article, diagnostics

    def save(self) -> None:
        """Write the cache back if anything changed; forget files that are gone.

        A cache that cannot be written only makes the next run slower: no error.
        """
        from kbctl.cachefile import CacheWriteError, write_sealed

        if self.file is None:
            return
        gone = [relative for relative in self.entries if relative not in self.seen]
        if not self.dirty and not gone:
            return
        racy_after = time.time_ns() - self.RACY_NS
        encoded: dict[str, Any] = {}
        for relative, entry in self.entries.items():
            if relative in self.seen and entry[0][1] < racy_after:
                try:
                    encoded[relative] = _encode_entry(entry)
                except Uncacheable:
                    continue
        data = json.dumps(
            {"key": self.key, "entries": encoded}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8", "surrogatepass")
        try:
            write_sealed(self.file, data)
        except CacheWriteError:
            return
