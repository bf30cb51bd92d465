"""The parse cache: parsed articles kept as sealed JSON, reused while their files are unchanged.

YAML parsing is most of the cost of loading a large base; with this cache a run after a few
edits parses only the edited files. The cache is data only (JSON with a few tagged values for
dates, tuples and maps with non-string keys) and is sealed (see :mod:`kbctl.cachefile`): a
file kbctl did not write is ignored, never decoded.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.model import Article, Diagnostic, Flag, Severity

CACHE_FILE = "articles.json"
TAG = "\x00"  # the key of a tagged value; YAML keys never start a dict with it in practice

Identity = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Entry = tuple[Identity, Article | None, tuple[Diagnostic, ...]]


class Uncacheable(Exception):
    """A value the cache cannot store as data; its article is parsed again next time."""


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data; tagged dicts keep what JSON cannot say."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "v": [encode(item) for item in value]}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and TAG not in value:
            return {key: encode(item) for key, item in value.items()}
        return {TAG: "map", "v": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, Flag):
        return {TAG: "flag", "v": [value.by, encode(value.date), value.reason, value.line]}
    if isinstance(value, bytes):
        return {TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    if isinstance(value, set | frozenset):
        return {TAG: "set", "v": [encode(item) for item in value]}
    raise Uncacheable(type(value).__name__)


def _hashable(value: Any) -> Any:
    return tuple(_hashable(item) for item in value) if isinstance(value, list) else value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "tuple": tuple,
    "map": lambda pairs: {_hashable(key): item for key, item in pairs},
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "flag": lambda parts: Flag(*parts),
    "bytes": lambda text: base64.b64decode(text),
    "set": set,
}


def _decode_object(data: dict[str, Any]) -> Any:
    kind = data.get(TAG)
    if kind is None:
        return data
    return _DECODERS[kind](data["v"])


_ARTICLE_FIELDS = [field.name for field in dataclasses.fields(Article) if field.name != "abs_path"]


def _encode_entry(entry: Entry) -> list[Any]:
    identity, article, diagnostics = entry
    fields = (
        None if article is None else [encode(getattr(article, name)) for name in _ARTICLE_FIELDS]
    )
    diags = [[d.path, d.line, d.message, str(d.severity), d.code] for d in diagnostics]
    return [list(identity), fields, diags]


def _decode_entry(data: list[Any]) -> Entry:
    identity, fields, diags = data
    article = None
    if fields is not None:
        values = dict(zip(_ARTICLE_FIELDS, fields, strict=True))
        article = Article(abs_path=Path(), **values)
    diagnostics = tuple(
        Diagnostic(path, line, message, Severity(severity), code)
        for path, line, message, severity, code in diags
    )
    return (tuple(identity), article, diagnostics)  # type: ignore[return-value]


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

        key = hashlib.sha256(
            repr(
                (
                    cls.VERSION,
                    __version__,
                    _ARTICLE_FIELDS,
                    str(config.root),
                    sorted(config.fields.items()),
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
            stored = json.loads(data.decode("utf-8", "surrogatepass"), object_hook=_decode_object)
            if stored.get("key") != key:
                return cls(file, key, {})
            entries = {path: _decode_entry(entry) for path, entry in stored["entries"].items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls(file, key, {})
        return cls(file, key, entries)

    def read_article(
        self, path: Path, relative: str, config: Config
    ) -> tuple[Article | None, list[Diagnostic]]:
        """Like :func:`kbctl.articles.read_article`, from the cache when the file is unchanged."""
        from kbctl.articles import read_article

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
