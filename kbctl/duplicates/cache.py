"""The signature cache: each article's MinHash signature, kept while its body is unchanged.

Shingling and MinHash are nearly all the cost of ``kbctl duplicates`` (and of the duplicates
part of ``kbctl report``); with this cache a run after a few edits computes them only for the
edited articles, then queries LSH. An entry is keyed by the article's base-relative path and
a hash of its body; the whole file by the detection parameters (shingle length, number of
permutations, datasketch's version) and kbctl's version, so stemming or parameters that
change make every entry stale. The file is JSON (never pickle) and sealed (see
:mod:`kbctl.cachefile`): a file kbctl did not write is ignored, never decoded, and every
entry is checked again on read (shape, sizes, values) before it is used.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from kbctl.config import Config

CACHE_FILE = "duplicates.json"
LANGUAGES = frozenset({"ru", "en", ""})


@dataclass(frozen=True, slots=True)
class Signature:
    """What the LSH step needs of one article: its body's digest, language, number of
    distinct shingles and MinHash values (:data:`kbctl.duplicates.detect.NUM_PERM` of them)."""

    digest: str
    language: str
    shingles: int
    values: np.ndarray[Any, Any]


def body_digest(body: str) -> str:
    """The hash an entry is keyed by (with the path): BLAKE2b of the body's UTF-8 bytes."""
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _parameters_key() -> str:
    from importlib.metadata import version

    from kbctl import __version__
    from kbctl.duplicates.detect import NUM_PERM, SHINGLE

    return hashlib.sha256(
        repr(
            (SignatureCache.VERSION, __version__, version("datasketch"), SHINGLE, NUM_PERM)
        ).encode()
    ).hexdigest()


class SignatureCache:
    """Signatures by path, reused while the body's digest matches.

    ``computed`` lists the paths whose signature was computed in this run (a miss), for
    tests and benchmarks. Anything wrong with the file (absent, not sealed by this user,
    another version, malformed) means "compute everything"; a cache that cannot be written
    only makes the next run slower.
    """

    VERSION = 1

    def __init__(self, file: Path | None, key: str, entries: dict[str, Signature]) -> None:
        self.file = file
        self.key = key
        self.entries = entries
        self.computed: list[str] = []
        self.dirty = False

    @classmethod
    def memory(cls) -> SignatureCache:
        """A cache that is never saved (one run, or a caller without a base)."""
        return cls(None, "", {})

    @classmethod
    def open(cls, config: Config) -> SignatureCache:
        """The cache of ``config``'s base (empty when there is none or it is unusable)."""
        from kbctl.cachefile import read_sealed
        from kbctl.config import cache_root
        from kbctl.errors import KbError

        key = _parameters_key()
        try:
            file = cache_root(config) / CACHE_FILE
        except KbError:
            return cls(None, key, {})
        data = read_sealed(file)
        if data is None:
            return cls(file, key, {})
        try:
            stored = json.loads(data.decode("utf-8"))
            if not isinstance(stored, dict) or stored.get("key") != key:
                return cls(file, key, {})
            raw = stored["entries"]
            if not isinstance(raw, dict):
                return cls(file, key, {})
        except (ValueError, KeyError):
            return cls(file, key, {})
        entries = {}
        for path, entry in raw.items():
            signature = _decode(entry)
            if signature is not None:
                entries[path] = signature
        return cls(file, key, entries)

    def get(self, path: str, digest: str) -> Signature | None:
        """The cached signature of ``path`` if its body still has ``digest``."""
        found = self.entries.get(path)
        return found if found is not None and found.digest == digest else None

    def put(self, path: str, signature: Signature) -> None:
        """Record a freshly computed signature."""
        self.entries[path] = signature
        self.computed.append(path)
        self.dirty = True

    def save(self, live: Collection[str] | None = None) -> None:
        """Write the cache back if anything changed. ``live``: the base's article paths now;
        entries of other paths (deleted or renamed articles) are dropped."""
        from kbctl.cachefile import CacheWriteError, write_sealed

        if self.file is None:
            return
        gone = [] if live is None else [path for path in self.entries if path not in live]
        for path in gone:
            del self.entries[path]
        if not self.dirty and not gone:
            return
        data = json.dumps(
            {
                "key": self.key,
                "entries": {path: _encode(sig) for path, sig in self.entries.items()},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8", "surrogatepass")
        try:
            write_sealed(self.file, data)
        except CacheWriteError:
            return
        self.dirty = False


def _encode(signature: Signature) -> list[Any]:
    # datasketch's scheme (affine32, part of its version in the key) keeps values < 2**32.
    packed = signature.values.astype("<u4", copy=False)
    return [
        signature.digest,
        signature.language,
        signature.shingles,
        base64.b64encode(packed.tobytes()).decode("ascii"),
    ]


def _decode(entry: Any) -> Signature | None:
    """One entry, or None when it is not exactly what :func:`_encode` writes."""
    import binascii

    import numpy as np

    from kbctl.duplicates.detect import NUM_PERM

    if not isinstance(entry, list) or len(entry) != 4:
        return None
    digest, language, shingles, values = entry
    if (
        not isinstance(digest, str)
        or len(digest) != 32
        or language not in LANGUAGES
        or type(shingles) is not int
        or shingles < 0
        or not isinstance(values, str)
        or len(values) > 8 * NUM_PERM
    ):
        return None
    try:
        raw = base64.b64decode(values, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 4 * NUM_PERM:
        return None
    return Signature(digest, language, shingles, np.frombuffer(raw, dtype="<u4").astype(np.uint32))
