"""A light scan of an existing base: every Markdown file's front-matter keys, nothing more.

``kbctl init`` must be quick on thousands of articles, so it reads only the head of each
file (front matter is at the top) and parses only the front matter, with kbctl's one YAML
reader; bodies are never parsed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kbctl.articles import read_head
from kbctl.articles.parse import split_front_matter
from kbctl.articles.yaml import read_front_matter

# Enough for any real front matter; a file whose front matter does not close within it
# counts as having none (the full parser caps front matter at 256 KiB anyway).
HEAD_BYTES = 64 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")
# Folders that never hold articles: dependencies anywhere, generated sites at the top.
SKIPPED_ANYWHERE = frozenset({"node_modules", "__pycache__"})
SKIPPED_AT_TOP = frozenset({"vendor", "_site", "public", "site", "build", "resources"})


@dataclass(slots=True)
class ScannedFile:
    """One Markdown file: its path relative to the scanned folder and its front matter."""

    path: str
    has_front_matter: bool
    meta: dict[str, Any] = field(default_factory=dict)
    # First segments of site-absolute link targets in the file's first 64 KiB ("/foo/bar" -> foo).
    link_roots: tuple[str, ...] = ()


@dataclass(slots=True)
class Scan:
    """Every Markdown file under a folder (hidden and tooling folders left out)."""

    root: Path
    files: list[ScannedFile] = field(default_factory=list)
    skipped_folders: list[str] = field(default_factory=list)

    def fronted(self, under: str = "") -> list[ScannedFile]:
        """The files with front matter at or below folder ``under`` ("" is the root)."""
        return [item for item in self.files if item.has_front_matter and _below(item.path, under)]

    def under(self, folder: str) -> list[ScannedFile]:
        """Every scanned file at or below ``folder``."""
        return [item for item in self.files if _below(item.path, folder)]

    def key_counts(self, folder: str) -> Counter[str]:
        """How many front-mattered files below ``folder`` have each top-level key."""
        counts: Counter[str] = Counter()
        for item in self.fronted(folder):
            counts.update(str(key) for key in item.meta)
        return counts


def _below(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def scan_base(root: Path) -> Scan:
    """Scan ``root`` for Markdown files and read the front matter of each (never raises on
    a bad file: an unreadable one counts as a file without front matter)."""
    scan = Scan(root=root)
    for folder, names, files in os.walk(root):
        relative_folder = os.path.relpath(folder, root)
        keep = []
        for name in sorted(names):
            generated = name in SKIPPED_AT_TOP and relative_folder == "."
            if name.startswith(".") or name in SKIPPED_ANYWHERE or generated:
                if not name.startswith("."):
                    scan.skipped_folders.append(_join(relative_folder, name))
                continue
            if Path(folder, name).is_symlink():
                continue
            keep.append(name)
        names[:] = keep
        for name in sorted(files):
            if not name.lower().endswith(MARKDOWN_SUFFIXES) or name.startswith("."):
                continue
            path = Path(folder, name)
            if path.is_symlink():
                continue
            scan.files.append(_scan_file(path, _join(relative_folder, name)))
    return scan


def _join(folder: str, name: str) -> str:
    return name if folder in ("", ".") else str(PurePosixPath(folder.replace(os.sep, "/"), name))


def _scan_file(path: Path, relative: str) -> ScannedFile:
    head = read_head(path, HEAD_BYTES)
    if not head:
        return ScannedFile(relative, False)
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    front, body, _line, has_front = split_front_matter(text)
    if not has_front:
        return ScannedFile(relative, False)
    roots = tuple(sorted(set(_ABSOLUTE_LINK.findall(body))))
    parsed = read_front_matter(front)
    if parsed.error is not None:
        # Front matter is there but broken: an article all the same (kbctl check says why).
        return ScannedFile(relative, True, link_roots=roots)
    meta = {str(key): value for key, value in parsed.meta.items()}
    return ScannedFile(relative, True, meta, roots)


# A Markdown link to a site-absolute path: [text](/docset/page...) -> "docset".
_ABSOLUTE_LINK = re.compile(r"\]\(/([A-Za-z0-9_.-]+)/")
