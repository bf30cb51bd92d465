"""Creating an article from a template: id, file name, owner, front matter; no printing.

:func:`create_article` is the one call (``kbctl new`` and the MCP ``create_draft`` tool use
it); :func:`plan_article` and :func:`write_draft` split it for a caller that shows the
similar articles and asks before writing (:func:`similar_articles`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kbctl.capture.ids import next_id
from kbctl.capture.names import clean_title, file_stem, title_language
from kbctl.capture.templates import LANGUAGES, PLACEHOLDER, find_template, substitute
from kbctl.errors import EditError, KbError, UsageError
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.config import Config
    from kbctl.model import Article, Hit
    from kbctl.ownership import Roster

# A top-level "key: value" line of a template's front matter.
_ENTRY = re.compile(r"(?P<key>[^\s#'\"\-][^:\n]*?):(?P<value>[ \t].*|)$")
_FRONT = re.compile(r"---[ \t]*\n(?P<front>(?:.*\n)*?)---[ \t]*(?:\n(?P<body>.*))?", re.DOTALL)
_BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_BODY = 1024 * 1024
MAX_SUFFIX = 999
# A similar article shares half the title's words and scores at least this share of the best.
SIMILAR_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Draft:
    """A new article, ready to write: its id, title, folder (absolute), file-name stem and
    text; the template's source, the language and the owner written."""

    id: str
    title: str
    folder: Path
    stem: str
    text: str
    template: str
    language: str
    owner: str | None


def plan_article(
    config: Config,
    *,
    title: str,
    template: str = "kcs",
    owner: str | None = None,
    tags: Sequence[str] = (),
    body: str | None = None,
    language: str | None = None,
    folder: str | None = None,
    today: date | None = None,
    fields: Mapping[str, object] | None = None,
    articles: Sequence[Article] | None = None,
    roster: Roster | None = None,
) -> Draft:
    """The new article, not yet written (see :func:`create_article` for the arguments)."""
    cleaned = clean_title(title)
    if not any(char.isalnum() or ord(char) > 0x2000 for char in cleaned):
        raise UsageError(_("the title is empty"), hint=_('e.g. --title "Invoice PDF is blank"'))
    language = (language or title_language(cleaned)).lower()
    if language not in LANGUAGES:
        raise UsageError(
            _("unknown language {language}").format(language=repr(language)),
            hint=_("use en or ru"),
        )
    if articles is None:
        from kbctl.articles import load_base

        articles = load_base(config).articles
    if roster is None:
        from kbctl.ownership import load_roster

        roster, _problems = load_roster(config)
    found = find_template(config, template, language)
    new_id = next_id([a.id for a in articles], config.settings.new.id_pattern)
    who = resolve_owner(config, owner, roster)
    day = today or date.today()
    text = render(
        config,
        found.text,
        found.source,
        new_id=new_id,
        title=cleaned,
        owner=who,
        tags=[clean_title(tag) for tag in tags if clean_title(tag)],
        day=day,
        language=language,
        body=body,
        fields=fields or {},
    )
    return Draft(
        id=new_id,
        title=cleaned,
        folder=article_folder(config, folder),
        stem=file_stem(cleaned, new_id),
        text=text,
        template=found.source,
        language=language,
        owner=who,
    )


def create_article(
    config: Config,
    *,
    title: str,
    template: str = "kcs",
    owner: str | None = None,
    tags: Sequence[str] = (),
    body: str | None = None,
    language: str | None = None,
    folder: str | None = None,
    today: date | None = None,
    fields: Mapping[str, object] | None = None,
    articles: Sequence[Article] | None = None,
    roster: Roster | None = None,
) -> Path:
    """Create a new article from a template and return its path (absolute).

    ``template`` names the base's ``_templates/NAME[.LANG].md`` or a built-in one (``kcs``:
    Issue/Environment/Resolution/Cause, in English and Russian); ``language`` (``en``/``ru``)
    defaults to the title's script. The id is the next free one in the base's scheme (or
    ``[new] id_pattern``); the file name comes from the title (transliterated, at most 80
    characters, ``-2``, ``-3``... rather than overwrite) in ``folder`` (base-relative;
    default ``[new] folder``). ``owner`` defaults to git's user, as a roster handle when the
    roster knows the address; status is ``wip`` and ``created`` is ``today``. ``body``
    replaces the template's body; ``fields`` sets more front-matter keys (e.g.
    ``audience``). ``articles`` and ``roster`` are loaded when not given.

    Raises UsageError (empty title, bad folder or template), NotFoundError (no such
    template), EditError (a template whose front matter cannot be filled in).
    """
    draft = plan_article(
        config,
        title=title,
        template=template,
        owner=owner,
        tags=tags,
        body=body,
        language=language,
        folder=folder,
        today=today,
        fields=fields,
        articles=articles,
        roster=roster,
    )
    return write_draft(config, draft)


def resolve_owner(config: Config, owner: str | None, roster: Roster | None) -> str | None:
    """``owner`` (else git's user.email / user.name) as the roster's handle when it is
    known there (people only), else as given; None when there is nobody to name."""
    if owner is None:
        from kbctl.history import git_identity

        owner = git_identity(config.root)
    owner = clean_title(owner or "")
    if not owner:
        return None
    if roster is not None and (entry := roster.get(owner)) is not None and not entry.is_team:
        return entry.handle
    return owner


def article_folder(config: Config, folder: str | None) -> Path:
    """The folder (absolute) for a new article: ``folder`` or ``[new] folder``, which must
    lie inside the base (links resolved). UsageError otherwise."""
    chosen = folder if folder is not None else config.settings.new.folder
    root = config.root.resolve()
    target = (root / chosen).resolve()
    if not target.is_relative_to(root):
        raise UsageError(
            _("folder {folder} lies outside the base").format(folder=repr(chosen)),
            hint=_("name a folder inside the base"),
        )
    if target.exists() and not target.is_dir():
        raise UsageError(_("{folder} is not a folder").format(folder=repr(chosen)))
    return target


def render(
    config: Config,
    template: str,
    source: str,
    *,
    new_id: str,
    title: str,
    owner: str | None,
    tags: Sequence[str],
    day: date,
    language: str,
    body: str | None,
    fields: Mapping[str, object],
) -> str:
    """The article's text: the template with placeholders filled in and the front-matter
    keys of a new article set (id, title, owner, status wip, created, tags)."""
    from kbctl.articles import edit_front_matter_bytes, read_front_matter

    values = {
        "id": new_id,
        "title": title,
        "owner": owner or "",
        "created": day.isoformat(),
        "today": day.isoformat(),
        "date": day.isoformat(),
        "tags": ", ".join(tags),
        "lang": language,
    }
    text = template.replace("\r\n", "\n")
    parts = _FRONT.fullmatch(text)
    front, template_body = (parts["front"], parts["body"] or "") if parts else ("", text)
    front, filled = _fill_front(front, values)
    if body is not None:
        template_body = _BODY_CONTROLS.sub("", body[:MAX_BODY].replace("\r\n", "\n"))
        template_body = template_body if template_body.endswith("\n") else template_body + "\n"
    else:
        template_body = substitute(template_body, values)
    present = read_front_matter(front).meta if front.strip() else {}
    updates: dict[str, object | None] = dict(filled)

    def key(name: str) -> str:
        keys = config.fields.get(name) or [name]
        return next((k for k in keys if k in present), keys[0])

    owner_key = key("owner")
    owner_value: object | None = owner
    if owner is not None and isinstance(present.get(owner_key), list):
        owner_value = [owner]
    updates.update(
        {
            key("id"): new_id,
            key("title"): title,
            owner_key: owner_value,
            key("status"): "wip",
            key("created"): day,
        }
    )
    if tags:
        updates[key("tags")] = list(tags)
    for name in config.fields.get("last_reviewed", ()):
        if name in present and not isinstance(present[name], date):
            updates[name] = None  # a placeholder such as yyyy-mm-dd: not reviewed yet
    for name, value in fields.items():
        updates[str(name)] = value
    draft = f"---\n{front}---\n{template_body}"
    try:
        return edit_front_matter_bytes(draft.encode("utf-8"), updates, shown=source).decode()
    except EditError as error:
        raise EditError(
            _("template {problem}").format(problem=error.message),
            hint=_("fix the template's front matter"),
        ) from None


def _fill_front(front: str, values: Mapping[str, str]) -> tuple[str, dict[str, object]]:
    """(front matter with its placeholders taken out, the keys that had them -> value).

    A top-level key whose value holds a placeholder is emptied here and set afterwards
    through the front-matter editor, which quotes it as YAML needs (a title may hold
    ``: `` or quotes); a placeholder anywhere else is dropped.
    """
    lines: list[str] = []
    filled: dict[str, object] = {}
    for line in front.splitlines(keepends=True):
        match = _ENTRY.match(line.rstrip("\n"))
        if match is not None and PLACEHOLDER.search(match["value"]):
            raw = match["value"].strip()
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                raw = raw[1:-1]
            filled[match["key"]] = substitute(raw, values)
            lines.append(f"{match['key']}: null\n")
        else:
            lines.append(PLACEHOLDER.sub("", line))
    return "".join(lines), filled


def write_draft(config: Config, draft: Draft) -> Path:
    """Write ``draft`` under a free name (``stem.md``, ``stem-2.md``...) and return the path.

    The file appears whole or not at all and never replaces one: the text goes to a
    temporary file in the folder, which is then hard-linked to the first free name (a link
    never overwrites). UsageError when the name would not be an article of the base
    (excluded by kbctl.toml) or no name is free.
    """
    import tempfile

    from kbctl.articles import is_article_path

    root = config.root.resolve()
    folder = article_folder(config, os.path.relpath(draft.folder, root))
    relative_folder = folder.relative_to(root).as_posix()
    probe = f"{relative_folder}/{draft.stem}.md".removeprefix("./")
    if not is_article_path(probe, config):
        raise UsageError(
            _("{path} would not be an article of the base (kbctl.toml's include/exclude)").format(
                path=probe
            ),
            hint=_("choose another folder with --dir"),
        )
    folder.mkdir(parents=True, exist_ok=True)
    data = draft.text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=".kbctl-new-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(0o644)
        for number in range(1, MAX_SUFFIX + 1):
            path = folder / (draft.stem + ("" if number == 1 else f"-{number}") + ".md")
            if _link_new(temporary, path):
                return path
    finally:
        Path(temporary).unlink()
    raise UsageError(
        _("no free file name for {name} in {folder}").format(
            name=f"{draft.stem}.md", folder=relative_folder
        )
    )


def _link_new(temporary: str, path: Path) -> bool:
    """Give ``temporary``'s content the name ``path`` unless it exists; whether it did."""
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: exclusive create instead
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0))
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as stream, open(temporary, "rb") as source:
            stream.write(source.read())
        return True


def similar_articles(config: Config, title: str, *, limit: int = 3) -> list[Hit]:
    """The articles closest to ``title`` in the search index ("maybe this already
    exists?"): hits that share at least half of the title's words and score near the best one; [] when none."""
    from kbctl.search.analysis import analyze
    from kbctl.search.query import search

    words = {term.text for term in analyze(title)}
    if not words:
        return []
    try:
        result = search(config, title, limit=max(limit * 3, 10))
    except KbError:
        return []
    close: list[Hit] = []
    top = result.hits[0].score if result.hits else 0.0
    for hit in result.hits:
        seen = {term.text for term in analyze(f"{hit.title} {hit.snippet}")}
        if len(words & seen) * 2 >= len(words) and hit.score >= top * SIMILAR_SHARE:
            close.append(hit)
    return close[:limit]


def known_ids(articles: Iterable[Article]) -> list[str]:
    """The ids of ``articles`` (for :func:`kbctl.capture.ids.next_id`)."""
    return [article.id for article in articles]
