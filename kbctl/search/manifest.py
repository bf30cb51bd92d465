"""What the index was built from, and the freshness check against the files on disk.

The manifest maps every article path to (size, mtime_ns, content hash), so that a freshness
check only stats files and hashes the few whose size or mtime moved; only files whose content
really changed are parsed and re-indexed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbctl.cachefile import read_regular, write_atomic
from kbctl.config import Config

# The format of everything in an index folder (Whoosh schema, manifest, spelling file).
FORMAT_VERSION = 7  # 7: CamelCase/letter-digit parts, no markup in bodies (analysis)
MANIFEST_FILE = "manifest.json"

FileState = tuple[int, int, str]  # size, mtime_ns, content hash


@dataclass(slots=True)
class Manifest:
    """What the index was built from: per file (size, mtime_ns, hash), and the config used."""

    fingerprint: str
    files: dict[str, FileState] = field(default_factory=dict)
    stamp: tuple[int, int, int] | None = None  # (inode, mtime_ns, size) of the file read


def config_fingerprint(config: Config) -> str:
    """What, in the configuration, changes which files are articles and what they contain."""
    parts = [
        str(config.root),
        repr(sorted(config.include)),
        repr(sorted(config.exclude)),
        repr(sorted((name, tuple(keys)) for name, keys in config.fields.items())),
        f"format={FORMAT_VERSION}",
        f"owners={_owner_files_digest(config)}",  # the owner field depends on these files
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _owner_files_digest(config: Config) -> str:
    from kbctl.ownership import owner_files_digest

    return owner_files_digest(config)


def file_hash(data: bytes) -> str:
    """The content hash kept in the manifest."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def load_manifest(folder: Path) -> Manifest | None:
    """The manifest of the index in ``folder`` (None if missing, unreadable or outdated)."""
    path = folder / MANIFEST_FILE
    data = read_regular(path)
    try:
        info = path.stat()
        version, fingerprint, files = json.loads(data.decode("utf-8", "surrogatepass"))  # type: ignore[union-attr]
        files = {str(name): (int(a), int(b), str(c)) for name, (a, b, c) in files.items()}
    except (OSError, AttributeError, ValueError, TypeError):
        return None
    if version != FORMAT_VERSION:
        return None
    return Manifest(str(fingerprint), files, (info.st_ino, info.st_mtime_ns, info.st_size))


def save_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``manifest`` into ``folder`` atomically."""
    data = json.dumps(
        [FORMAT_VERSION, manifest.fingerprint, manifest.files],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    write_atomic(folder / MANIFEST_FILE, data.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class Plan:
    """The difference between the manifest and the files on disk."""

    to_index: dict[str, bytes] = field(default_factory=dict)  # path -> content (added/changed)
    added: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    files: dict[str, FileState] = field(default_factory=dict)  # the manifest after the change
    # The folders as they were before the walk (kbctl.search.snapshot), and whether every
    # article file the walk found is in ``files`` (else no snapshot can vouch for the plan).
    watched: Any = None
    complete: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to write to the index (metadata-only changes may still need saving)."""
        return not self.to_index and not self.removed

    def content(self, path: str, size: int, mtime: int) -> tuple[bytes, FileState] | None:
        """The content this plan read of ``path`` and its state, if the file still has that
        ``size`` and ``mtime`` (so that a later pass need not read it again)."""
        data = self.to_index.get(path)
        state = self.files.get(path)
        if data is None or state is None or state[:2] != (size, mtime):
            return None
        return data, state


def plan_changes(
    config: Config, manifest: Manifest, earlier: Plan | None = None
) -> tuple[Plan, bool]:
    """Compare disk with the manifest. Returns the plan and whether the manifest needs saving.

    Contents an ``earlier`` plan read are taken from it while the file's size and mtime are
    still those it saw: a changed file is read once per refresh.
    """
    from kbctl.articles import read_article_bytes, scan_article_files
    from kbctl.search.snapshot import watch_folders

    plan = Plan(watched=watch_folders(config))  # before the walk: later changes must show
    on_disk = scan_article_files(config, manifest.files)
    dirty = False
    old = manifest.files
    for path, (size, mtime) in on_disk.items():
        state = old.get(path)
        if state is not None and state[0] == size and state[1] == mtime:
            plan.files[path] = state
            continue
        known = earlier.content(path, size, mtime) if earlier is not None else None
        if known is not None:
            data, (_size, _mtime, digest) = known
        else:
            try:
                data = read_article_bytes(config.root / path, config.max_article_bytes)
            except OSError:
                continue
            digest = file_hash(data)
        plan.files[path] = (len(data), mtime, digest)
        dirty = True
        if state is not None and state[2] == digest:
            continue  # touched, not changed
        plan.to_index[path] = data
        if state is None:
            plan.added.add(path)
    plan.removed = [path for path in old if path not in on_disk]
    plan.complete = len(plan.files) == len(on_disk)
    return plan, dirty or bool(plan.removed)
