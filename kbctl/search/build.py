"""Indexing articles, and building a whole index folder from scratch.

A full build writes a new folder and switches ``CURRENT`` at the end, so a killed build leaves
the old index (or nothing) in place; the next writer removes what a failed or killed build
left.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kbctl.articles import read_article_bytes, scan_article_files
from kbctl.cachefile import cache_write_error, seal_folder, write_atomic
from kbctl.config import Config
from kbctl.errors import KbError
from kbctl.search.document import document, schema
from kbctl.search.manifest import (
    FORMAT_VERSION,
    FileState,
    Manifest,
    Plan,
    config_fingerprint,
    file_hash,
    save_manifest,
)
from kbctl.search.report import Progress, RefreshReport
from kbctl.search.spelling import save_vocabulary
from kbctl.search.store import CURRENT_FILE, FORMAT_FILE, read_text, remove_stale_folders


def index_documents(
    writer: Any,
    config: Config,
    contents: Mapping[str, bytes | None],
    vocabulary: Counter[str],
    report: RefreshReport,
    progress: Progress | None,
    *,
    update: bool,
    files: dict[str, FileState] | None = None,
) -> None:
    """Parse and index articles. ``None`` contents are read here (one file in memory at a
    time) and their state is recorded in ``files``."""
    from kbctl.articles import parse_article
    from kbctl.ownership import load_owner_files
    from kbctl.search.analysis import vocabulary_words

    owners = load_owner_files(config)
    total = len(contents)
    for done, path in enumerate(sorted(contents), start=1):
        data = contents[path]
        if data is None:
            try:
                data = read_article_bytes(config.root / path, config.max_article_bytes)
            except OSError:
                continue
            if files is not None:
                files[path] = (len(data), files[path][1], file_hash(data))
        article, _diagnostics = parse_article(data, path, config.root / path, config)
        if article is None:
            report.unreadable.append(path)
            if update:
                writer.delete_by_term("path", path)
        else:
            fields = document(article, owners)
            (writer.update_document if update else writer.add_document)(**fields)
            vocabulary.update(
                set(vocabulary_words(f"{article.title}\n{' '.join(article.aliases)}"))
                | set(vocabulary_words(fields["body"]))
            )
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)


def full_build(
    config: Config,
    root: Path,
    report: RefreshReport,
    progress: Progress | None,
    earlier: Plan | None = None,
) -> Path:
    """Build a new index folder from scratch and make it current (call under the lock).

    Whatever earlier failed or killed builds left is removed first; a build that fails
    removes its own folder, and a full disk is a one-line error naming the cache folder.
    Contents an ``earlier`` plan read are not read again (see :meth:`Plan.content`).
    """
    import shutil
    import tempfile

    current = read_text(root / CURRENT_FILE)
    remove_stale_folders(root, keep=current or "")
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"ix-{time.strftime('%Y%m%d%H%M%S')}-", dir=root))
    except OSError as error:
        raise cache_write_error(root / "ix", error) from None
    try:
        _build_into(config, folder, report, progress, earlier)
        write_atomic(root / CURRENT_FILE, folder.name.encode())
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError) and not isinstance(error, KbError):
            raise cache_write_error(folder, error) from None
        raise
    report.rebuilt = True
    remove_stale_folders(root, keep=folder.name)
    return folder


def _build_into(
    config: Config,
    folder: Path,
    report: RefreshReport,
    progress: Progress | None,
    earlier: Plan | None,
) -> None:
    """Index every article into the empty ``folder`` and seal it."""
    from whoosh.index import create_in

    from kbctl.search.snapshot import save_snapshot, watch_folders

    manifest = Manifest(config_fingerprint(config))
    watched = watch_folders(config)  # before the walk: what changes later must show
    # Files are read one at a time while indexing: a 50k base does not fit in memory twice.
    files: dict[str, FileState] = {
        path: (size, mtime, "") for path, (size, mtime) in scan_article_files(config).items()
    }
    contents: dict[str, bytes | None] = dict.fromkeys(files)
    for path, (size, mtime, _hash) in files.items():
        known = earlier.content(path, size, mtime) if earlier is not None else None
        if known is not None:
            contents[path], files[path] = known
    ix = create_in(str(folder), schema())
    writer = ix.writer(timeout=60.0, limitmb=64, compound=False)
    vocabulary: Counter[str] = Counter()
    try:
        index_documents(
            writer, config, contents, vocabulary, report, progress, update=False, files=files
        )
        writer.commit(optimize=True)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    finally:
        ix.close()
    manifest.files = {path: state for path, state in files.items() if state[2]}
    save_vocabulary(folder, vocabulary)
    save_manifest(folder, manifest)
    if len(manifest.files) == len(files):
        save_snapshot(folder, config, manifest.fingerprint, watched, manifest.files)
    write_atomic(folder / FORMAT_FILE, f"{FORMAT_VERSION}\n".encode())
    seal_folder(folder)
    report.added = len(manifest.files) - len(report.unreadable)
    report.total = report.added
