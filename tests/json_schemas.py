"""JSON Schemas of every command's ``--format json`` output: the shapes the README documents.

Built from a few shared pieces, so that one fact has one name and one type everywhere.
Every object is closed (``additionalProperties: false``) and lists every key as required:
a key added, renamed or dropped in kbctl.render.vocabulary fails tests/test_json_shapes.py.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TEXT = {"type": "string"}
MAYBE_TEXT = {"type": ["string", "null"]}
MAYBE_INT = {"type": ["integer", "null"]}
DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATETIME = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"}
TEXTS = {"type": "array", "items": TEXT}
LINE = {"type": "integer", "minimum": 1}

VOCABULARY: dict[str, Schema] = {
    "schema_version": {"const": 2},
    "id": TEXT,
    "path": TEXT,
    "base_path": TEXT,
    "line": LINE,
    "title": TEXT,
    "owners": TEXTS,
    "owner_source": {"enum": ["front-matter", "codeowners", "none"]},
    "status": MAYBE_TEXT,
    "audience": MAYBE_TEXT,
    "product": MAYBE_TEXT,
    "tags": TEXTS,
    "last_reviewed": DATE,
    "last_changed": DATETIME,
    "last_changed_by": MAYBE_TEXT,
    "review_state": {"enum": ["ok", "due_soon", "overdue", "never", "archived"]},
    "review_basis": {"enum": ["last_reviewed", "last_changed", "none"]},
    "review_interval_days": MAYBE_INT,
    "due": DATE,
    "days_overdue": MAYBE_INT,
    "flags": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"by": MAYBE_TEXT, "date": DATE, "reason": TEXT},
            "required": ["by", "date", "reason"],
            "additionalProperties": False,
        },
    },
}


def record(*names: str, **extra: Schema) -> Schema:
    """A closed object of vocabulary keys (``names``) and command-specific ones (``extra``)."""
    properties = {name: VOCABULARY[name] for name in names} | extra
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def array_of(item: Schema) -> Schema:
    """A top-level list of records."""
    return {"type": "array", "items": item}


ARTICLE_KEYS = (
    "schema_version", "id", "path", "base_path", "line", "title", "owners", "owner_source", "status",
    "audience", "product", "tags", "last_reviewed", "review_interval_days", "flags",
)  # fmt: skip
ARTICLE_EXTRA: dict[str, Schema] = {
    "description": MAYBE_TEXT,
    "type": MAYBE_TEXT,
    "reviewers": TEXTS,
    "aliases": TEXTS,
    "created": DATE,
    "reviewed_by": MAYBE_TEXT,
}
REVIEW_KEYS = ("review_state", "review_basis", "review_interval_days", "due", "days_overdue")

LIST = array_of(record(*ARTICLE_KEYS, **ARTICLE_EXTRA))
SHOW = record(*ARTICLE_KEYS, **ARTICLE_EXTRA, body=TEXT)
SEARCH = array_of(
    record(
        "schema_version", "id", "path", "base_path", "line", "title", "owners", "status", "audience",
        "product", "tags", "last_reviewed", "last_changed", "last_changed_by",
        column=LINE,
        score={"type": "number"},
        snippet=TEXT,
        highlights={"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
    )
)  # fmt: skip
STALE = array_of(
    record(
        "schema_version", "id", "path", "base_path", "title", "owners", "owner_source", "status",
        "audience", "last_reviewed", *REVIEW_KEYS, "last_changed", "last_changed_by", "flags",
        last_changed_commit=MAYBE_TEXT,
        last_changed_subject=MAYBE_TEXT,
        committed={"type": ["boolean", "null"]},
        git_reliable={"type": ["boolean", "null"]},
        git_note=MAYBE_TEXT,
        front_matter_modified=DATE,
        disagreement={
            "type": ["object", "null"],
            "properties": {"front_matter": DATE, "git": DATE, "days": {"type": "integer"}},
            "required": ["front_matter", "git", "days"],
            "additionalProperties": False,
        },
        reason=TEXT,
    )
)  # fmt: skip
SKIPPED = array_of(
    record(
        "schema_version",
        commit=TEXT,
        authored=DATETIME,
        subject=TEXT,
        kind=TEXT,
        reason=TEXT,
    )
)
REVIEW = array_of(
    record(
        "schema_version", "id", "path", "base_path", "title", "owners", "owner_source", "status",
        "audience", "last_reviewed", *REVIEW_KEYS, "flags",
        reasons=TEXTS,
        detail=TEXTS,
    )
)  # fmt: skip
OWNED = array_of(
    record(
        "schema_version", "id", "path", "base_path", "title", "owners", "owner_source", "status",
        "audience", "last_reviewed", *REVIEW_KEYS, "flags",
    )
)  # fmt: skip
OWNER_ROW = {
    "type": "object",
    "properties": {
        "owner": TEXT,
        "roster": {"enum": ["ok", "inactive", "not in roster", "-"]},
        "team": {"type": "boolean"},
        "articles": {"type": "integer"},
        "due": {"type": "integer"},
        "overdue": {"type": "integer"},
        "flagged": {"type": "integer"},
        "oldest": DATE,
        "oldest_id": MAYBE_TEXT,
    },
    "additionalProperties": False,
}
OWNER_ROW["required"] = list(OWNER_ROW["properties"])
OWNERLESS = record(
    "schema_version", "id", "path", "base_path", "title", "owners", "owner_source", "status", "audience",
    owner_from=TEXT,
    why={"enum": ["no owner", "CODEOWNERS line without owners", "no live owner"]},
)  # fmt: skip
OWNERS = record(
    "schema_version",
    roster=MAYBE_TEXT,
    owner_rows={"type": "array", "items": OWNER_ROW},
    ownerless={"type": "array", "items": OWNERLESS},
    roster_problems={"type": "array", "items": OWNER_ROW},
)
OWNERS_MISSING = array_of(OWNERLESS)
FLAGS = array_of(
    record("schema_version", "id", "path", "base_path", "line", "title", "owners", "flags")
)
COMMIT = {
    "type": "object",
    "properties": {
        "commit": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
        "authored": DATETIME,
        "author": TEXT,
        "email": TEXT,
        "subject": TEXT,
        "kind": {"enum": ["content", "move", "skipped"]},
        "reason": MAYBE_TEXT,
        "path": TEXT,
        "base_path": TEXT,
    },
    "additionalProperties": False,
}
COMMIT["required"] = list(COMMIT["properties"])
HISTORY = record(
    "schema_version", "id", "path", "base_path",
    git={"type": "boolean"},
    committed={"type": "boolean"},
    commits={"type": "array", "items": COMMIT},
    notices=TEXTS,
)  # fmt: skip
FINDING = {
    "type": "object",
    "properties": {
        "rule": {"type": "string", "pattern": "^KB\\d{3}$"},
        "name": TEXT,
        "severity": {"enum": ["info", "warning", "error"]},
        "path": TEXT,
        "base_path": TEXT,
        "line": LINE,
        "message": TEXT,
        "hint": MAYBE_TEXT,
    },
    "additionalProperties": False,
}
FINDING["required"] = list(FINDING["properties"])
COUNT = {"type": "integer", "minimum": 0}
CHECK = record(
    "schema_version",
    summary={
        "type": "object",
        "properties": dict.fromkeys(("info", "warning", "error", "checked", "silenced"), COUNT),
        "required": ["info", "warning", "error", "checked", "silenced"],
        "additionalProperties": False,
    },
    findings={"type": "array", "items": FINDING},
)

NUMBER_0_1 = {"type": "number", "minimum": 0, "maximum": 1}
PASSAGE = {
    "type": "object",
    "properties": {"line": LINE, "other_line": LINE, "words": COUNT, "text": TEXT},
    "required": ["line", "other_line", "words", "text"],
    "additionalProperties": False,
}
DUPLICATES = array_of(
    record(
        "schema_version",
        similarity=NUMBER_0_1,
        keeper=record("id", "path", "base_path"),
        keeper_reasons=TEXTS,
        articles={
            "type": "array",
            "minItems": 2,
            "items": record(
                "id",
                "path",
                "base_path",
                "title",
                "status",
                "last_reviewed",
                links_in=COUNT,
                reuse=COUNT,
                keep={"type": "boolean"},
            ),
        },
        pairs={
            "type": "array",
            "minItems": 1,
            "items": record(
                "id",
                "path",
                "base_path",
                other_id=TEXT,
                other_path=TEXT,
                other_base_path=TEXT,
                similarity=NUMBER_0_1,
                passages={"type": "array", "items": PASSAGE},
            ),
        },
    )
)

SCHEMAS: dict[str, Schema] = {
    "list": LIST,
    "show": SHOW,
    "search": SEARCH,
    "stale": STALE,
    "review": REVIEW,
    "owners": OWNERS,
    "owners --missing": OWNERS_MISSING,
    "owners --owner": OWNED,
    "flags": FLAGS,
    "history": HISTORY,
    "history --skipped": SKIPPED,
    "stale --all": STALE,
    "check": CHECK,
    "duplicates": DUPLICATES,
}
