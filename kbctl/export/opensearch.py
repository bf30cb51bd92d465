"""``--format opensearch``: bulk NDJSON and an index definition for OpenSearch/Elasticsearch.

Files: ``index.json`` (settings and mappings, built-in components only: the ``standard``
tokenizer, ``lowercase``, ``stop``, ``stemmer`` (russian, english), ``synonym_graph`` and a
``mapping`` char filter folding ``ё`` to ``е``), ``bulk.ndjson`` (an ``index`` action and its
document per article, a ``delete`` action per article removed since the last export),
``aliases.json`` (the ``_aliases`` call that moves the alias to the new index) and
``index-name.txt``. A full export targets a new versioned index (``kb-AUDIENCE-vDIGEST``); an
incremental one writes through the alias (``kb-AUDIENCE``).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from kbctl.export.jsonl import record
from kbctl.export.output import OutputDir
from kbctl.export.plan import ExportPlan

_CODE = re.compile(r"\b(?=[\w.\-]*\d)[\w]+(?:[.\-][\w]+)*\b")
MAX_CODES = 50


def alias_name(plan: ExportPlan) -> str:
    """The alias searches go through: ``kb-AUDIENCE``."""
    return f"kb-{plan.audience}"


def synonym_lines(lines: tuple[str, ...]) -> list[str]:
    """Solr-format synonym rules as OpenSearch's ``synonym_graph`` takes them (comments and
    blank lines dropped; ``a, b`` and ``a => b`` pass through)."""
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def index_definition(plan: ExportPlan) -> dict[str, Any]:
    """Settings and mappings of the index; the synonyms only in the search analyzer."""
    base_filters = ["lowercase", "kb_stop_ru", "kb_stop_en"]
    stemmers = ["kb_stem_ru", "kb_stem_en"]
    filters: dict[str, Any] = {
        "kb_stop_ru": {"type": "stop", "stopwords": "_russian_"},
        "kb_stop_en": {"type": "stop", "stopwords": "_english_"},
        "kb_stem_ru": {"type": "stemmer", "language": "russian"},
        "kb_stem_en": {"type": "stemmer", "language": "english"},
    }
    search_filters = [*base_filters, *stemmers]
    synonyms = synonym_lines(plan.synonyms)
    if synonyms:
        filters["kb_synonyms"] = {"type": "synonym_graph", "synonyms": synonyms, "lenient": True}
        search_filters = [*base_filters, "kb_synonyms", *stemmers]
    analyzer = {"type": "custom", "char_filter": ["kb_yo"], "tokenizer": "standard"}
    text = {"type": "text", "analyzer": "kb_text", "search_analyzer": "kb_search"}
    return {
        "settings": {
            "analysis": {
                "char_filter": {"kb_yo": {"type": "mapping", "mappings": ["ё => е", "Ё => Е"]}},
                "filter": filters,
                "analyzer": {
                    "kb_text": {**analyzer, "filter": [*base_filters, *stemmers]},
                    "kb_search": {**analyzer, "filter": search_filters},
                },
                "normalizer": {"kb_code": {"type": "custom", "filter": ["lowercase"]}},
            }
        },
        "mappings": {
            "dynamic": False,
            "properties": {
                "id": {"type": "keyword"},
                "title": {**text, "fields": {"raw": {"type": "keyword"}}},
                "description": text,
                "aliases": text,
                "body_text": text,
                "tags": {"type": "keyword"},
                "product": {"type": "keyword"},
                "language": {"type": "keyword"},
                "audience": {"type": "keyword"},
                "status": {"type": "keyword"},
                "review_state": {"type": "keyword"},
                "last_reviewed": {"type": "date", "format": "yyyy-MM-dd"},
                "url": {"type": "keyword", "index": False},
                "path": {"type": "keyword"},
                "codes": {"type": "keyword", "normalizer": "kb_code"},
                "terms": {"type": "text", "analyzer": "whitespace"},
                "sections": {
                    "properties": {
                        "heading": text,
                        "anchor": {"type": "keyword", "index": False},
                        "kind": {"type": "keyword"},
                        "markdown": {"type": "text", "index": False},
                    }
                },
                "body_markdown": {"type": "text", "index": False},
            },
        },
    }


def codes(text: str) -> list[str]:
    """Error codes and other tokens with digits (``0x80070005``, ``5.7.708``), as typed."""
    return list(dict.fromkeys(match.group() for match in _CODE.finditer(text)))[:MAX_CODES]


def write_opensearch(plan: ExportPlan, output: OutputDir) -> set[str]:
    """Write the four files; returns them."""
    definition = index_definition(plan)
    version = hashlib.sha256(
        json.dumps([definition, [a.digest for a in plan.articles]], sort_keys=True).encode()
    ).hexdigest()[:10]
    alias = alias_name(plan)
    incremental = plan.changed is not None
    target = alias if incremental else f"{alias}-v{version}"
    lines: list[str] = []
    for article in plan.to_write():
        document = record(plan, article)
        document["codes"] = codes(" ".join([article.title, article.text]))
        lines.append(
            json.dumps({"index": {"_index": target, "_id": article.id}}, ensure_ascii=False)
        )
        lines.append(json.dumps(document, ensure_ascii=False, default=str))
    for gone in plan.deleted:
        lines.append(json.dumps({"delete": {"_index": target, "_id": gone.id}}, ensure_ascii=False))
    output.write("bulk.ndjson", "".join(line + "\n" for line in lines))
    output.write("index.json", json.dumps(definition, ensure_ascii=False, indent=2) + "\n")
    aliases = {
        "actions": [
            {"remove": {"index": f"{alias}-v*", "alias": alias, "must_exist": False}},
            {"add": {"index": f"{alias}-v{version}", "alias": alias}},
        ]
    }
    output.write("aliases.json", json.dumps(aliases, indent=2) + "\n")
    output.write("index-name.txt", f"{target}\n")
    return set(output.written)
