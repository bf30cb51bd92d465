"""What ``kbctl init`` makes of a scanned base: each decision with the evidence for it.

Every guess is made from what the files actually hold (which keys, how often, what values),
never from the generator's name alone; the reasons are kept so that ``init`` can say why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbctl.articles.parse import normalise_audience, normalise_status
from kbctl.history.changes import DEFAULT_META_ONLY_KEYS
from kbctl.init.scan import Scan, ScannedFile
from kbctl.settings.model import DEFAULT_FIELDS
from kbctl.values import glob_match_any

# A folder holds "the articles" when this share of the front-mattered files is below it.
CONTENT_SHARE = 0.9
# A key is "in most files" (required, or the id) at this share.
MOST = 0.9
MAX_LISTED_FILES = 40

# Per field: the keys real bases use for it, in order of preference. kbctl's own key comes
# first in what init writes, so that `kbctl review mark` and `kbctl flag` write kbctl's key
# and it wins over the base's (the first present key wins).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "id": ("id", "uid", "kb_id", "article_id"),
    "title": ("title",),
    "description": ("description", "summary", "excerpt"),
    "tags": ("tags", "labels", "keywords", "categories"),
    "owner": ("owner", "owners", "ms.author", "author", "authors", "maintainer", "created_by"),
    "reviewers": ("reviewers", "ms.reviewer"),
    "last_reviewed": ("last_reviewed", "reviewed", "review_date", "ms.date", "audit_date"),
    "status": ("status", "state", "confidence"),
    "audience": ("audience", "visibility"),
    "product": ("product", "applies_to"),
    "created": ("created", "date", "created_at"),
    "aliases": ("aliases", "synonyms"),
}
# Modification dates: not reviews, but worth naming (the history compares them with git).
MODIFIED_KEYS = ("lastmod", "last_modified_at", "last_modified_date", "last_update", "updated")
# Metadata a localisation pipeline rewrites without changing what a reader sees.
LOCALISATION_KEYS = DEFAULT_META_ONLY_KEYS
REVIEW_BOOKKEEPING = ("last_reviewed", "reviewed_by", "flags")
TEMPLATE_FOLDERS = ("_templates", "article-templates", "archetypes")
# Names that are unambiguous: a docs section called "templates" or "partials" is content.
INCLUDE_FOLDERS = ("includes", "_includes", "_snippets", "_partials")
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")

_SLASH = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\b")
_ISO = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_DOT = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{4}\b")


@dataclass(slots=True)
class Proposal:
    """The settings ``init`` proposes, each with a comment saying why."""

    content: str = "."
    exclude: list[str] = field(default_factory=list)
    exclude_notes: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    field_notes: dict[str, str] = field(default_factory=dict)
    ids_from: str = "key"
    required: list[str] = field(default_factory=list)
    owners_anywhere: bool = True
    slash_dates: str = "month-first"
    date_notes: list[str] = field(default_factory=list)
    codeowners: str | None = None
    review_interval: str = "180d"
    meta_only_keys: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    link_style: str | None = None
    static_dirs: list[str] = field(default_factory=list)
    link_ignore: list[str] = field(default_factory=list)
    term_anchors: bool = False
    modified_keys: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    articles: int = 0


def propose(scan: Scan) -> Proposal:
    """Decide every setting from the scan of a base."""
    proposal = Proposal()
    proposal.content = content_folder(scan, proposal)
    files = _articles(scan, proposal)
    proposal.articles = len(files)
    counts: Counter[str] = Counter()
    for item in files:
        counts.update(str(key) for key in item.meta)
    _fields(files, counts, proposal)
    _ids(files, counts, proposal)
    _dates(files, proposal)
    _localisation(counts, len(files), proposal)
    _codeowners(scan.root, proposal)
    owner_keys = [key for key in proposal.fields.get("owner", ()) if counts[key]]
    proposal.owners_anywhere = bool(owner_keys or proposal.codeowners)
    from kbctl.init.sites import site_links

    site_links(scan.root, files, counts, proposal)
    return proposal


def content_folder(scan: Scan, proposal: Proposal) -> str:
    """The deepest folder holding at least CONTENT_SHARE of the front-mattered files."""
    pieces = (*INCLUDE_FOLDERS, *TEMPLATE_FOLDERS)
    fronted = [
        item for item in scan.fronted() if not any(part in pieces for part in item.path.split("/"))
    ]
    if not fronted:
        proposal.findings.append("no Markdown file with front matter: the base is this folder")
        return "."
    docs_dir = _mkdocs_docs_dir(scan.root)
    folder = ""
    while True:
        children = Counter(
            item.path[len(folder) + 1 if folder else 0 :].split("/", 1)[0]
            for item in fronted
            if "/" in item.path[len(folder) + 1 if folder else 0 :] and _inside(item.path, folder)
        )
        if not children:
            break
        child, count = children.most_common(1)[0]
        if count < CONTENT_SHARE * len(fronted):
            break
        folder = f"{folder}/{child}" if folder else child
    if docs_dir and folder != docs_dir and (scan.root / docs_dir).is_dir():
        proposal.findings.append(f"mkdocs.yml names docs_dir {docs_dir!r}: using it")
        folder = docs_dir
    held = sum(1 for item in fronted if _inside(item.path, folder))
    proposal.findings.append(
        f"articles: {folder or '.'}/ holds {held} of the {len(fronted)} Markdown files"
        " with front matter"
    )
    return folder or "."


def _inside(path: str, folder: str) -> bool:
    return not folder or folder == "." or path.startswith(folder + "/")


def _mkdocs_docs_dir(root: Path) -> str | None:
    path = root / "mkdocs.yml"
    if not path.is_file():
        return None
    match = re.search(r"^docs_dir:\s*['\"]?([^'\"\s#]+)", head_text(path), re.MULTILINE)
    return match.group(1).strip("/") if match else "docs"


def head_text(path: Path, size: int = 65536) -> str:
    """The first ``size`` bytes of a regular file as text (empty for anything else)."""
    from kbctl.articles import read_head

    return read_head(path, size).decode("utf-8", errors="replace")


def _articles(scan: Scan, proposal: Proposal) -> list[ScannedFile]:
    """Decide the excludes; return the files that stay articles (relative to the content)."""
    prefix = "" if proposal.content == "." else proposal.content + "/"
    files = [
        ScannedFile(item.path[len(prefix) :], item.has_front_matter, item.meta, item.link_roots)
        for item in scan.files
        if item.path.startswith(prefix)
    ]
    exclude: list[str] = []

    def add(pattern: str, why: str) -> None:
        matched = [item for item in files if glob_match_any((pattern,), item.path)]
        if matched and pattern not in exclude:
            exclude.append(pattern)
            proposal.exclude_notes.append(f"{pattern}: {len(matched)} {why}")

    for name in INCLUDE_FOLDERS:
        add(f"**/{name}/**", "files in include folders (pieces of other pages)")
    for name in TEMPLATE_FOLDERS:
        add(f"**/{name}/**", "files in template folders")
    for item in files:
        if _never_rendered(item.meta.get("cascade")) and item.path.endswith("_index.md"):
            folder = item.path.rpartition("/")[0]
            if folder:
                add(f"{folder}/**", "files of a bundle the site never renders (headless)")
    for item in files:
        if _never_rendered(item.meta) or item.meta.get("headless") is True:
            add(item.path, "page the site never renders (build.render: never)")
    if any(item.path.endswith("_index.md") for item in files) and _is_hugo(scan.root):
        add("**/_index.md", "Hugo section pages (lists, not articles)")
    remaining = [item for item in files if not glob_match_any(exclude, item.path)]
    bare = [item.path for item in remaining if not item.has_front_matter]
    for folder in _bare_folders(remaining):
        add(f"{folder}/**", "files, none with front matter (not articles)")
    bare = [path for path in bare if not glob_match_any(exclude, path)]
    if len(bare) <= MAX_LISTED_FILES:
        for path in bare:
            add(path, "file without front matter")
    else:
        proposal.exclude_notes.append(
            f"{len(bare)} files without front matter are left in (too many to list):"
            " `kbctl check` reports them (KB103)"
        )
    proposal.exclude = exclude
    left = [item for item in files if not glob_match_any(exclude, item.path)]
    proposal.findings.append(
        f"excluded {len(files) - len(left)} of {len(files)} Markdown files"
        f" ({', '.join(exclude) or 'none'})"
    )
    return [item for item in left if item.has_front_matter]


def _never_rendered(meta: object) -> bool:
    """Hugo's ``build: {render: never}`` (or ``_build``) in a front matter or a cascade."""
    for table in meta if isinstance(meta, list) else [meta]:
        if isinstance(table, dict):
            for key in ("build", "_build"):
                build = table.get(key)
                if isinstance(build, dict) and build.get("render") in ("never", False):
                    return True
    return False


def _bare_folders(files: list[ScannedFile]) -> list[str]:
    """The topmost folders in which no Markdown file has front matter."""
    has_front: dict[str, bool] = {}
    for item in files:
        parts = item.path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            has_front[folder] = has_front.get(folder, False) or item.has_front_matter
    bare = sorted(folder for folder, fronted in has_front.items() if not fronted)
    return [f for f in bare if not any(f.startswith(other + "/") for other in bare)]


def _is_hugo(root: Path) -> bool:
    return any((root / name).is_file() for name in ("hugo.toml", "hugo.yaml", "hugo.json")) or (
        (root / "config.toml").is_file() and "baseURL" in head_text(root / "config.toml")
    )


def _share(count: int, total: int) -> str:
    return f"{count}/{total}"


def _fields(files: list[ScannedFile], counts: Counter[str], proposal: Proposal) -> None:
    total = len(files)
    for name, candidates in CANDIDATES.items():
        found = [key for key in candidates if counts[key]]
        found = [key for key in found if _values_fit(name, key, files, proposal)]
        if name == "id":
            continue  # decided with the ids
        own = DEFAULT_FIELDS[name][0]
        # kbctl's own key first, unless the base uses it for something else.
        keys = ([own] if own not in found and not counts[own] else []) + found
        proposal.fields[name] = keys
        seen = ", ".join(f"{key} {_share(counts[key], total)}" for key in found)
        rejected = [key for key in candidates if counts[key] and key not in found]
        note = f"found: {seen}" if seen else "not in the base"
        if rejected:
            note += f"; not used: {', '.join(rejected)} (values do not fit)"
        proposal.field_notes[name] = note
        if found:
            proposal.findings.append(f"{name}: {seen}")
    modified = [key for key in MODIFIED_KEYS if counts[key]]
    if modified:
        proposal.findings.append(
            "modification dates (not reviews; git is compared with them): "
            + ", ".join(f"{key} {_share(counts[key], total)}" for key in modified)
        )


def _values(files: list[ScannedFile], key: str) -> list[Any]:
    return [item.meta[key] for item in files if key in item.meta and item.meta[key] is not None]


def _values_fit(name: str, key: str, files: list[ScannedFile], proposal: Proposal) -> bool:
    """Whether the values of ``key`` mean what field ``name`` needs (else it is not mapped)."""
    values = _values(files, key)
    if not values:
        return True
    if name in ("status", "audience"):
        normalise = normalise_status if name == "status" else normalise_audience
        known = {"wip", "not_validated", "validated", "archived", "internal", "partner"}
        known |= {"customer", "public"}
        texts = [str(value) for value in values if isinstance(value, str)]
        fitting = sum(1 for text in texts if normalise(text) in known)
        if fitting < 0.5 * len(values):
            shown = ", ".join(f"{v!r}" for v, _ in Counter(texts).most_common(3))
            proposal.findings.append(
                f"{name}: key {key!r} holds values kbctl does not know ({shown}): not mapped"
            )
            return False
    if name == "aliases" and sum(1 for v in _flat(values) if str(v).startswith("/")) > 0:
        proposal.findings.append(
            f"aliases: {key!r} holds site paths (redirects), not search synonyms: not mapped"
        )
        return False
    if name in ("product", "description", "title") and not all(
        isinstance(value, str) for value in values
    ):
        proposal.findings.append(f"{name}: {key!r} is not always text: not mapped")
        return False
    return True


def _flat(values: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _ids(files: list[ScannedFile], counts: Counter[str], proposal: Proposal) -> None:
    total = len(files) or 1
    for key in CANDIDATES["id"]:
        values = [str(value) for value in _values(files, key)]
        if counts[key] >= MOST * total and len(set(values)) == len(values):
            proposal.fields["id"] = [key]
            proposal.field_notes["id"] = f"found: {key} {_share(counts[key], total)}, all unique"
            proposal.findings.append(f"ids: key {key!r} in {counts[key]} of {total}, unique")
            proposal.required = [key]
            break
    else:
        proposal.ids_from = "path"
        proposal.fields["id"] = []
        proposal.field_notes["id"] = "no key holds unique ids in most articles: ids are paths"
        best = max(CANDIDATES["id"], key=lambda key: counts[key])
        why = f" (best: {best} in {counts[best]})" if counts[best] else ""
        proposal.findings.append(f"ids: no id key in most articles{why}: ids from paths")
    if counts["title"] >= MOST * total:
        proposal.required.append("title")


def _dates(files: list[ScannedFile], proposal: Proposal) -> None:
    keys = {*proposal.fields.get("last_reviewed", ()), *proposal.fields.get("created", ())}
    keys |= set(MODIFIED_KEYS)
    forms: Counter[str] = Counter()
    month_first = day_first = 0
    for key in sorted(keys):
        for value in _values(files, key):
            text = str(value)
            if match := _SLASH.match(text):
                first, second = int(match.group(1)), int(match.group(2))
                forms[f"{key}: M/D/YYYY or D/M/YYYY"] += 1
                day_first += first > 12
                month_first += second > 12
            elif _ISO.match(text):
                forms[f"{key}: YYYY-MM-DD"] += 1
            elif _DOT.match(text):
                forms[f"{key}: D.M.YYYY"] += 1
    proposal.date_notes = [f"{form} ({count})" for form, count in sorted(forms.items())]
    if day_first and not month_first:
        proposal.slash_dates = "day-first"
        proposal.findings.append(f"dates: {day_first} slash dates start above 12: D/M/YYYY")
    elif month_first and not day_first:
        proposal.findings.append(
            f"dates: {month_first} slash dates have a middle above 12: M/D/YYYY"
        )
    elif month_first and day_first:
        proposal.findings.append("dates: slash dates of both orders; kept M/D/YYYY (check them)")
    elif any("M/D" in form for form in forms):
        proposal.findings.append("dates: slash dates never above 12: M/D/YYYY assumed")


def _localisation(counts: Counter[str], total: int, proposal: Proposal) -> None:
    found = [key for key in LOCALISATION_KEYS if counts[key]]
    if found:
        proposal.meta_only_keys = [*found, *REVIEW_BOOKKEEPING]
        most = max(counts[key] for key in found)
        proposal.findings.append(
            f"localisation metadata in {most} of {total} articles ({', '.join(found)}):"
            " edits of only those keys are not content changes"
        )


def _codeowners(root: Path, proposal: Proposal) -> None:
    places = list(CODEOWNERS_PLACES)
    if proposal.content != ".":
        places += [f"{proposal.content}/{place}" for place in CODEOWNERS_PLACES]
    for place in places:
        if (root / place).is_file() and not (root / place).is_symlink():
            proposal.codeowners = place
            proposal.findings.append(f"CODEOWNERS: {place}")
            return
    proposal.findings.append("CODEOWNERS: none; owners come from front matter only")
