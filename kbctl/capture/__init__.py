"""Capturing knowledge: new articles from templates (``kbctl new``).

Layer 2 (beside policy and rules): it reads the base, the roster, git's user and the
search index, and writes one new file; it never prints.
"""

from kbctl.capture.create import (
    Draft,
    create_article,
    plan_article,
    resolve_owner,
    similar_articles,
    write_draft,
)
from kbctl.capture.ids import id_pattern, next_id
from kbctl.capture.names import clean_title, file_stem, title_language
from kbctl.capture.templates import Template, available_templates, find_template

__all__ = [
    "Draft",
    "Template",
    "available_templates",
    "clean_title",
    "create_article",
    "file_stem",
    "find_template",
    "id_pattern",
    "next_id",
    "plan_article",
    "resolve_owner",
    "similar_articles",
    "title_language",
    "write_draft",
]
