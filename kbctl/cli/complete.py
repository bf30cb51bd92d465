"""Shell completion of article ids and paths, tags, owners, products, statuses and rule ids.

The shell asks on every Tab, so the answer must come fast even from a 10k-article base:
loading the base (even through the parse cache) takes seconds there. Completion keeps its own
small sealed cache instead (``complete.json`` next to the other caches of the base): per
article file its (size, mtime) and the few values completion offers. A Tab stats the files
(one scan) and parses only the files that changed since. Completion never prints an error: a
base that cannot be read completes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from kbctl.config import Config

CACHE_FILE = "complete.json"
CACHE_VERSION = 1
# A file changed within this many nanoseconds of the scan may change again within the same
# mtime tick; such entries are not stored (as in the parse cache).
RACY_NS = 2_000_000_000
# Above this many changed files the parse cache is cheaper than parsing each one.
BULK = 200

# Per article: size, mtime_ns, id, title, tags, owners, product, status.
Record = list[Any]


@dataclass(slots=True)
class Facts:
    """What completion offers from one base."""

    records: dict[str, Record] = field(default_factory=dict)  # base-relative path -> record

    def values(self, position: int) -> set[str]:
        """Every value at ``position`` of the records (lists flattened)."""
        found: set[str] = set()
        for record in self.records.values():
            value = record[position]
            if isinstance(value, list):
                found.update(str(item) for item in value if item)
            elif value:
                found.add(str(value))
        return found


def load_facts(config: Config) -> Facts:
    """The completion facts of ``config``'s base, from the completion cache where unchanged."""
    from kbctl.articles import Tree
    from kbctl.cachefile import read_sealed
    from kbctl.config import cache_root

    file = cache_root(config) / CACHE_FILE
    key = f"{CACHE_VERSION}:{config.root}:{sorted(config.fields.items())}"
    stored: dict[str, Record] = {}
    data = read_sealed(file)
    if data is not None:
        try:
            loaded = json.loads(data.decode("utf-8", "surrogatepass"))
            if loaded.get("key") == key:
                stored = dict(loaded["files"])
        except (ValueError, TypeError, KeyError, AttributeError):
            stored = {}
    tree = Tree(config)
    stats = tree.article_stats(known=stored)
    records: dict[str, Record] = {}
    changed: list[str] = []
    for relative, (size, mtime) in stats.items():
        record = stored.get(relative)
        if isinstance(record, list) and len(record) == 8 and record[:2] == [size, mtime]:
            records[relative] = record
        else:
            changed.append(relative)
    records.update(_parse(config, changed, stats))
    if changed or len(records) != len(stored):
        _save(file, key, records)
    return Facts(records)


def _parse(
    config: Config, changed: list[str], stats: dict[str, tuple[int, int]]
) -> dict[str, Record]:
    from kbctl.articles.cache import ParseCache
    from kbctl.articles.parse import read_article

    cache = ParseCache.open(config) if len(changed) > BULK else None
    records: dict[str, Record] = {}
    for relative in changed:
        path = config.root / relative
        if cache is not None:
            article, _problems = cache.read_article(path, relative, config)
        else:
            article, _problems = read_article(path, config, relative)
        if article is None:
            continue
        size, mtime = stats[relative]
        records[relative] = [
            size,
            mtime,
            article.id,
            article.title,
            list(article.tags),
            list(article.owners),
            article.product,
            article.status,
        ]
    if cache is not None:
        cache.save()
    return records


def _save(file: Any, key: str, records: dict[str, Record]) -> None:
    from kbctl.cachefile import write_sealed
    from kbctl.errors import KbError

    settled = time.time_ns() - RACY_NS
    kept = {relative: record for relative, record in records.items() if record[1] < settled}
    data = json.dumps({"key": key, "files": kept}, ensure_ascii=False, separators=(",", ":"))
    with contextlib.suppress(KbError, OSError):  # no cache only makes the next Tab slower
        write_sealed(file, data.encode("utf-8", "surrogatepass"))


def _facts(ctx: typer.Context) -> tuple[Config, Facts] | None:
    """The config and facts of the base the command line names (``--kb``), None on error."""
    try:
        from kbctl.config import load_config

        config = load_config(kb=ctx.find_root().params.get("kb"))
        return config, load_facts(config)
    except Exception:
        return None


def _matching(
    candidates: dict[str, str | None], incomplete: str
) -> list[tuple[str, str]] | list[str]:
    """The candidates starting with ``incomplete`` in any case, sorted, with help when known.

    The part already typed is kept as typed (``kb30`` -> ``kb301``): Typer keeps only the
    answers that start with it, and kbctl reads ids and rule ids in any case.
    """
    wanted = incomplete.casefold()
    chosen = sorted(value for value in candidates if value.casefold().startswith(wanted))
    return [(incomplete + value[len(incomplete) :], candidates[value] or "") for value in chosen]


def complete_articles(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]] | list[str]:
    """Article ids (with their titles) and paths (relative to the current folder)."""
    found = _facts(ctx)
    if found is None:
        return []
    config, facts = found
    here = str(Path.cwd())
    candidates: dict[str, str | None] = {}
    for relative, record in facts.records.items():
        if record[2]:
            candidates[str(record[2])] = str(record[3] or "")
        candidates[_shown(config, relative, here)] = None
    return _matching(candidates, incomplete)


def _shown(config: Config, relative: str, here: str) -> str:
    """A base-relative path as the user would type it: from the current folder when under
    it, else absolute."""
    absolute = str(config.root / relative)
    inside = os.path.relpath(absolute, here)
    return absolute if inside.startswith("..") else inside


def _values(
    position: int, ctx: typer.Context, incomplete: str
) -> list[tuple[str, str]] | list[str]:
    found = _facts(ctx)
    if found is None:
        return []
    return _matching(dict.fromkeys(found[1].values(position)), incomplete)


def complete_tags(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]] | list[str]:
    """Every tag of the base."""
    return _values(4, ctx, incomplete)


def complete_owners(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]] | list[str]:
    """Every owner named in front matter."""
    return _values(5, ctx, incomplete)


def complete_products(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]] | list[str]:
    """Every product of the base."""
    return _values(6, ctx, incomplete)


def complete_statuses(incomplete: str) -> list[tuple[str, str]] | list[str]:
    """The KCS statuses."""
    from kbctl.model import Status

    return _matching({status.value: None for status in Status}, incomplete)


def complete_audiences(incomplete: str) -> list[tuple[str, str]] | list[str]:
    """The audiences."""
    from kbctl.model import Audience

    return _matching({audience.value: None for audience in Audience}, incomplete)


def complete_rules(incomplete: str) -> list[tuple[str, str]] | list[str]:
    """Rule ids (with their summaries) and names."""
    try:
        from kbctl.rules.registry import all_rules

        rules = all_rules()
    except Exception:
        return []
    candidates: dict[str, str | None] = {}
    for rule in rules:
        candidates[rule.id] = rule.summary
        candidates[rule.name] = rule.summary
    return _matching(candidates, incomplete)
