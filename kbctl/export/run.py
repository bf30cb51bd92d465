"""One export run: the plan, the format, the incremental state and the withheld report.

Next to the output (never inside it) go two files: ``OUTPUT.withheld.json`` (what was left
out and why: it names withheld articles, so it is not for publishing) and
``OUTPUT.kbctl-state.json`` (what the last export wrote: ids, slugs and digests of the
exported articles, and its files). With ``--since`` and a state from an export of the same
format, audience and options, a run writes only the articles git says changed or whose
digest changed, and deletes what is no longer exported; every run removes the files it
wrote before that no longer belong to the output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from kbctl.errors import UsageError
from kbctl.export.output import OutputDir, write_file
from kbctl.export.plan import Deleted, ExportPlan, ExportReport, build_plan
from kbctl.i18n import _
from kbctl.model import Article
from kbctl.settings import Config

FORMATS = ("jsonl", "opensearch", "html", "llms")
STATE_VERSION = 1
MAX_STATE_BYTES = 64 * 1024 * 1024


@dataclass(slots=True)
class ExportResult:
    """What a run did, for the summary line."""

    exported: int
    written: int
    deleted: int
    withheld: int
    links_removed: int
    incremental: bool
    removed_files: list[str] = field(default_factory=list)
    report_path: Path | None = None
    notices: list[str] = field(default_factory=list)


def sibling(output: Path, suffix: str) -> Path:
    """``OUTPUT.suffix`` next to the output file or folder."""
    clean = output.absolute()
    return clean.with_name(clean.name + suffix)


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_STATE_BYTES:
            return None
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    return state


def _options(fmt: str, plan: ExportPlan, include_owners: bool) -> dict[str, Any]:
    return {
        "format": fmt,
        "audience": plan.audience,
        "statuses": list(plan.statuses),
        "include_owners": include_owners,
    }


def _incremental(
    plan: ExportPlan, state: dict[str, Any] | None, since: set[str] | None
) -> ExportPlan:
    """The plan narrowed to what changed, with the deletions (from the state only: an
    article never exported is never named, not even in a delete action)."""
    before: dict[str, Any] = state.get("articles", {}) if state else {}
    deleted = tuple(
        Deleted(str(article_id), str(values[1]))
        for article_id, values in sorted(before.items())
        if article_id not in {article.id for article in plan.articles}
        and isinstance(values, list)
        and len(values) == 3
    )
    changed = frozenset(
        article.number
        for article in plan.articles
        if (since is not None and article.path in since)
        or not isinstance(before.get(article.id), list)
        or before[article.id][2] != article.digest
        or before[article.id][1] != article.slug
    )
    return replace(plan, changed=changed, deleted=deleted)


def run_export(
    articles: Sequence[Article],
    config: Config,
    *,
    fmt: str,
    output: Path,
    audience: str,
    statuses: Sequence[str] = (),
    files: frozenset[str] = frozenset(),
    include_owners: bool = False,
    since: set[str] | None = None,
    today: date | None = None,
    synonyms: Sequence[str] = (),
) -> ExportResult:
    """Export ``articles`` for ``audience`` in format ``fmt`` to ``output``."""
    if fmt not in FORMATS:
        raise UsageError(
            _("unknown export format {format!r}").format(format=fmt),
            hint=_("use {formats}").format(formats=", ".join(FORMATS)),
        )
    plan, report = build_plan(
        articles,
        config,
        audience=audience,
        statuses=statuses,
        files=files,
        include_owners=include_owners,
        today=today,
        synonyms=synonyms,
    )
    state_path = sibling(output, ".kbctl-state.json")
    state = _read_state(state_path)
    notices: list[str] = []
    if state is not None and state.get("options") != _options(fmt, plan, include_owners):
        notices.append(_("the last export had other options: exporting everything"))
        state = None
    if since is not None and state is None:
        notices.append(
            _(
                "no state of an earlier export next to {output}: every article is written, and"
                " deletions are known only from a state file"
            ).format(output=output)
        )
    incremental = state is not None and since is not None
    if incremental:
        plan = _incremental(plan, state, since)
    previous_files = {str(name) for name in (state or {}).get("files", []) if isinstance(name, str)}
    removed: list[str] = []
    if fmt == "jsonl":
        from kbctl.export.jsonl import jsonl_lines

        _refuse_folder(output)
        output.absolute().parent.mkdir(parents=True, exist_ok=True)
        write_file(output.absolute(), jsonl_lines(plan).encode("utf-8"))
        belongs: set[str] = set()
    else:
        if output.exists() and not output.is_dir():
            raise UsageError(
                _("{output} is a file; --format {format} writes a folder").format(
                    output=output, format=fmt
                ),
                hint=_("give a folder for --output (created when missing)"),
            )
        if state is None and output.exists() and any(output.iterdir()):
            raise UsageError(
                _("{output} is not empty and no earlier export of these options wrote it").format(
                    output=output
                ),
                hint=_(
                    "choose an empty or new folder for --output (kbctl export never deletes"
                    " files it did not write)"
                ),
            )
        folder = OutputDir(output)
        try:
            belongs = _write_folder(fmt, plan, folder, config)
        except BaseException:
            # Remember what was written, so the next run cleans it up (and writes everything).
            _write_state(state_path, fmt, plan, include_owners, {}, previous_files | folder.written)
            raise
        for name in sorted(previous_files - belongs):
            if folder.remove(name):
                removed.append(name)
    articles_state = {a.id: [a.path, a.slug, a.digest] for a in plan.articles}
    _write_state(state_path, fmt, plan, include_owners, articles_state, belongs)
    report_path = sibling(output, ".withheld.json")
    write_file(report_path, report_json(report, plan).encode("utf-8"))
    return ExportResult(
        exported=len(plan.articles),
        written=len(plan.to_write()),
        deleted=len(plan.deleted),
        withheld=len(report.withheld),
        links_removed=len(report.links),
        incremental=incremental,
        removed_files=removed,
        report_path=report_path,
        notices=notices,
    )


def _write_folder(fmt: str, plan: ExportPlan, folder: OutputDir, config: Config) -> set[str]:
    if fmt == "html":
        from kbctl.export.html import write_html

        # The base's language, not the user's: the help center is for the base's readers.
        lang = config.settings.lang or "en"
        return write_html(plan, folder, config.root, config.settings.export.templates, lang)
    if fmt == "llms":
        from kbctl.export.llms import write_llms

        return write_llms(plan, folder, config.settings.lang or "en")
    from kbctl.export.opensearch import write_opensearch

    return write_opensearch(plan, folder)


def _write_state(
    path: Path,
    fmt: str,
    plan: ExportPlan,
    include_owners: bool,
    articles: dict[str, list[str]],
    files: set[str],
) -> None:
    state = {
        "version": STATE_VERSION,
        "options": _options(fmt, plan, include_owners),
        "articles": articles,
        "files": sorted(files),
    }
    write_file(path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))


def _refuse_folder(output: Path) -> None:
    if output.is_dir():
        raise UsageError(
            _("{output} is a folder; --format jsonl writes one file").format(output=output),
            hint=_("give a file name, e.g. --output articles.jsonl"),
        )


def report_json(report: ExportReport, plan: ExportPlan) -> str:
    """The withheld report as JSON (names withheld articles: keep it out of what you publish)."""
    data = {
        "audience": plan.audience,
        "statuses": list(plan.statuses),
        "exported": len(plan.articles),
        "withheld": [
            {"id": item.id, "path": item.path, "title": item.title, "reason": item.reason}
            for item in report.withheld
        ],
        "links_to_text": [
            {"article": item.article, "target": item.target, "reason": item.reason}
            for item in report.links
        ],
        "internal_parts_removed": report.internal_parts,
        "keys_left_out": report.keys,
        "deleted": [{"id": gone.id, "slug": gone.slug} for gone in plan.deleted],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_synonyms(config: Config) -> tuple[str, ...]:
    """The synonym rules search uses (built-in and ``[search] synonyms``), as Solr lines
    for OpenSearch's synonym_graph filter: only lines search accepted, so a bad line in the
    base's file cannot break the index definition."""
    from kbctl.search.synonyms import load_synonyms

    return tuple(load_synonyms(config).lines)
