"""The only reader and writer of article files.

- :mod:`~kbctl.articles.tree`: the one scan of a base (regular files inside the base only)
  and the bounded, link-refusing read of an article's bytes;
- :mod:`~kbctl.articles.yaml`: the safe, bounded YAML loader for front matter;
- :mod:`~kbctl.articles.parse`: front matter -> :class:`~kbctl.model.Article`;
- :mod:`~kbctl.articles.cache`: the parse cache;
- :mod:`~kbctl.articles.base`: loading a base (one scan, through the cache);
- :mod:`~kbctl.articles.edit_text` and :mod:`~kbctl.articles.edit`: byte-preserving
  front-matter edits, then locked and atomically written.

Every bad file becomes a :class:`~kbctl.model.Diagnostic` with ``path:line``; a bad file
never stops the rest of the base from loading. PyYAML and python-frontmatter are imported
only when a front matter is parsed or edited.
"""

from typing import TYPE_CHECKING

from kbctl.lazy import lazy_names

if TYPE_CHECKING:
    from kbctl.articles.base import (
        DUPLICATE_ID_CODE,
        article_files,
        base_files,
        duplicate_id_diagnostics,
        id_key,
        load_base,
        scan_article_files,
        site_files,
    )
    from kbctl.articles.cache import ParseCache
    from kbctl.articles.edit import preview_front_matter, update_front_matter
    from kbctl.articles.edit_text import edit_front_matter_bytes
    from kbctl.articles.parse import (
        normalise_audience,
        normalise_status,
        parse_article,
        read_article,
        split_front_matter,
    )
    from kbctl.articles.read import NotReadable, on_disk, read_article_bytes, read_head
    from kbctl.articles.tree import (
        SCAN_CODE,
        Tree,
        is_article_path,
        relative_path,
        shown_path,
        walk,
    )
    from kbctl.articles.yaml import DUPLICATE_KEY, FrontMatter, KeyProblem, read_front_matter

# Imported on first use (PEP 562): a search reads one article's bytes (``tree``) and should
# not load the parser, the YAML reader, the parse cache and the editors with it.
_HOME = {
    "DUPLICATE_ID_CODE": "base",
    "article_files": "base",
    "base_files": "base",
    "duplicate_id_diagnostics": "base",
    "id_key": "base",
    "load_base": "base",
    "scan_article_files": "base",
    "site_files": "base",
    "ParseCache": "cache",
    "preview_front_matter": "edit",
    "update_front_matter": "edit",
    "edit_front_matter_bytes": "edit_text",
    "normalise_audience": "parse",
    "normalise_status": "parse",
    "parse_article": "parse",
    "read_article": "parse",
    "split_front_matter": "parse",
    "SCAN_CODE": "tree",
    "NotReadable": "read",
    "Tree": "tree",
    "is_article_path": "tree",
    "on_disk": "read",
    "read_article_bytes": "read",
    "read_head": "read",
    "relative_path": "tree",
    "shown_path": "tree",
    "walk": "tree",
    "DUPLICATE_KEY": "yaml",
    "FrontMatter": "yaml",
    "KeyProblem": "yaml",
    "read_front_matter": "yaml",
}


__getattr__ = lazy_names(__name__, _HOME, globals())


__all__ = [
    "DUPLICATE_ID_CODE",
    "DUPLICATE_KEY",
    "SCAN_CODE",
    "FrontMatter",
    "KeyProblem",
    "NotReadable",
    "ParseCache",
    "Tree",
    "article_files",
    "base_files",
    "duplicate_id_diagnostics",
    "edit_front_matter_bytes",
    "id_key",
    "is_article_path",
    "load_base",
    "normalise_audience",
    "normalise_status",
    "on_disk",
    "parse_article",
    "preview_front_matter",
    "read_article",
    "read_article_bytes",
    "read_front_matter",
    "read_head",
    "relative_path",
    "scan_article_files",
    "shown_path",
    "site_files",
    "split_front_matter",
    "update_front_matter",
    "walk",
]
