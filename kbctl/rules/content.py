"""KB4xx: links, anchors and images resolve; length and structure fit the content standard."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kbctl.i18n import N_, _, ngettext
from kbctl.model import EXTERNAL_AUDIENCES, Article, Audience, Finding, Severity
from kbctl.rules import markdown
from kbctl.rules.registry import CheckContext, Rule, register
from kbctl.rules.site import SiteMap, path_url, site_map
from kbctl.values import glob_match_any

_ARTICLE_SUFFIXES = (".md", ".markdown")


def resolve(source: Article, target_path: str, context: CheckContext) -> str | None:
    """The base-relative path a link's path part points to; None when outside the base."""
    if target_path.startswith("/"):
        joined = target_path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(source.path), target_path)
    normal = posixpath.normpath(joined) if joined else ""
    if normal == "." or normal.startswith("../") or normal == "..":
        return None
    return normal


def _exists(path: str, context: CheckContext) -> str | None:
    """The file a resolved link lands on (trying ``.md`` for extension-less links), else None."""
    if path in context.base_files or path in context.folders:
        return path
    for suffix in _ARTICLE_SUFFIXES:
        if path + suffix in context.base_files:
            return path + suffix
    return None


def _site_target(article: Article, path_part: str, site: SiteMap) -> str | None:
    """The article (or ``static:`` file) a site URL names; None when nothing answers to it."""
    if path_part.startswith("/"):
        url = site.site_path(path_part)
        if url is None:
            return None
    else:
        # Generators resolve relative links against the page's URL, not its file.
        page = "/" + path_url(article.path, site.links.style) + "/"
        url = posixpath.normpath(posixpath.join(page, path_part))
    found = site.article_at(url)
    if found is None and site.links.style == "hugo" and not path_part.startswith("/"):
        # Hugo's link render hook (GetPage) tries a relative path from the site root too.
        found = site.article_at(path_part)
    if found is not None:
        return found
    return f"{STATIC}{url.strip('/')}" if site.static_file(url) else None


STATIC = "static:"
"""What a link served from a static folder resolves to (not a base file, not an article)."""


def _ignored(target: str, patterns: tuple[str, ...]) -> bool:
    return bool(patterns) and glob_match_any(
        tuple(pattern.lstrip("/") for pattern in patterns), target.lstrip("/")
    )


def _local_links(
    article: Article, context: CheckContext
) -> Iterator[tuple[markdown.Link, int, str | None, str | None, str | None]]:
    """(link, file line, resolved path or None for a self link, anchor, existing file)."""
    settings = context.config.settings.links
    site = site_map(context.articles, settings, context.site_files)
    for link in markdown.links(article.body):
        if not markdown.is_local(link.target):
            continue
        path_part, anchor = markdown.split_target(link.target)
        if _ignored(path_part or link.target, settings.ignore):
            continue
        line = article.body_line + link.line - 1
        if not path_part:
            yield link, line, None, anchor, article.path
            continue
        resolved = resolve(article, path_part, context)
        existing = _exists(resolved, context) if resolved is not None else None
        if existing is None and site.active:
            existing = _site_target(article, path_part, site)
            resolved = resolved or existing or path_part
        if resolved is None:
            continue
        yield link, line, resolved, anchor, existing


def _external_to_internal(article: Article, context: CheckContext) -> Iterator[Finding]:
    if article.audience not in EXTERNAL_AUDIENCES:
        return
    for link, line, resolved, _anchor, existing in _local_links(article, context):
        if link.image or resolved is None or existing is None:
            continue
        target = context.by_path.get(existing)
        if target is not None and target.audience == Audience.INTERNAL:
            yield EXTERNAL_TO_INTERNAL.finding(
                article,
                line,
                _("{audience} article links to internal article {path} ({id})").format(
                    audience=article.audience, path=target.path, id=target.id
                ),
            )


EXTERNAL_TO_INTERNAL = register(
    Rule(
        id="KB401",
        name="external-links-internal",
        severity=Severity.ERROR,
        summary=N_("A customer or public article links to an internal one."),
        why=N_("Customers get a dead link at best, and internal procedures at worst."),
        fix=N_(
            "Remove the link, link to a customer-facing article instead, or move the shared part into a customer article."
        ),
        article_check=_external_to_internal,
    )
)


def _broken_links(article: Article, context: CheckContext) -> Iterator[Finding]:
    for link, line, resolved, _anchor, existing in _local_links(article, context):
        if link.image or resolved is None or existing is not None:
            continue
        yield BROKEN_LINK.finding(
            article, line, _("link to missing file {target}").format(target=link.target)
        )


BROKEN_LINK = register(
    Rule(
        id="KB402",
        name="broken-link",
        severity=Severity.ERROR,
        summary=N_(
            "A relative link points to a file that is not in the base, or a site link (see `[links]`) to no article."
        ),
        why=N_("A broken link in a support article ends the agent's path to the answer."),
        fix=N_("Point the link at the article's current path (articles moved?) or remove it."),
        article_check=_broken_links,
    )
)


def _broken_anchors(article: Article, context: CheckContext) -> Iterator[Finding]:
    for link, line, _resolved, anchor, existing in _local_links(article, context):
        if link.image or anchor is None or existing is None:
            continue
        target = context.by_path.get(existing)
        if target is None:
            continue  # not an article (or not loadable): nothing to check the anchor against
        terms = context.config.settings.links.term_anchors
        if anchor.casefold() not in markdown.anchors(target.body, terms=terms):
            if target is article:
                message = _("no heading #{anchor} in this article").format(anchor=anchor)
            else:
                message = _("no heading #{anchor} in {path}").format(
                    anchor=anchor, path=target.path
                )
            yield BROKEN_ANCHOR.finding(article, line, message)


BROKEN_ANCHOR = register(
    Rule(
        id="KB403",
        name="broken-anchor",
        severity=Severity.ERROR,
        summary=N_(
            "A link's `#anchor` matches no heading of the target article (GitHub-style heading anchors, Cyrillic included)."
        ),
        why=N_(
            "Renamed headings silently break deep links; the reader lands at the top of a long article."
        ),
        fix=N_(
            "Use the heading's anchor: lower case, punctuation dropped, spaces as `-` (`## Решение проблемы` is `#решение-проблемы`)."
        ),
        article_check=_broken_anchors,
    )
)


def _missing_images(article: Article, context: CheckContext) -> Iterator[Finding]:
    for link, line, resolved, _anchor, existing in _local_links(article, context):
        if link.image and resolved is not None and existing is None:
            yield MISSING_IMAGE.finding(
                article, line, _("image not found: {target}").format(target=link.target)
            )


MISSING_IMAGE = register(
    Rule(
        id="KB404",
        name="missing-image",
        severity=Severity.ERROR,
        summary=N_("An image the article shows is not in the base."),
        why=N_(
            "Screenshots carry the steps of many how-tos; a missing one leaves a gap in the instructions."
        ),
        fix=N_(
            "Add the image file (e.g. under `images/`) or fix its path; site-absolute images are looked up in `[links] static_dirs`."
        ),
        article_check=_missing_images,
    )
)


def _too_long(article: Article, context: CheckContext) -> Iterator[Finding]:
    limit = int(context.params.get("max_words", 1500))
    words = markdown.word_count(article.body)
    if words > limit:
        yield TOO_LONG.finding(
            article,
            article.body_line,
            ngettext(
                "article has {count} word (limit {limit})",
                "article has {count} words (limit {limit})",
                words,
            ).format(count=words, limit=limit),
        )


TOO_LONG = register(
    Rule(
        id="KB405",
        name="too-long",
        severity=Severity.WARNING,
        summary=N_("The article body has more than `max_words` words (code blocks not counted)."),
        why=N_("KCS keeps articles short: an agent on a call reads a page, not a manual."),
        fix=N_("Split the article by problem, or move reference material to its own article."),
        configure=N_("`max_words`."),
        params={"max_words": 1500},
        article_check=_too_long,
    )
)


def _too_short(article: Article, context: CheckContext) -> Iterator[Finding]:
    limit = int(context.params.get("min_words", 50))
    words = markdown.word_count(article.body)
    if words < limit:
        yield TOO_SHORT.finding(
            article,
            article.body_line,
            ngettext(
                "article has {count} word (minimum {limit})",
                "article has {count} words (minimum {limit})",
                words,
            ).format(count=words, limit=limit),
        )


TOO_SHORT = register(
    Rule(
        id="KB406",
        name="too-short",
        severity=Severity.WARNING,
        summary=N_("The article body has fewer than `min_words` words (code blocks not counted)."),
        why=N_("A stub looks like an answer in search results but does not solve anything."),
        fix=N_("Write the missing content, merge the stub into a fuller article, or archive it."),
        configure=N_("`min_words`."),
        params={"min_words": 50},
        article_check=_too_short,
    )
)

DEFAULT_SECTIONS: dict[str, list[str]] = {
    "troubleshooting": [
        "Issue|Problem|Symptoms|Проблема|Симптомы",
        "Environment|Окружение|Среда",
        "Resolution|Solution|Решение",
        "Cause|Причина",
    ],
}


def _normal_heading(text: str) -> str:
    return " ".join(text.strip().rstrip(":.").split()).casefold()


def _sections_for(article_type: str, sections: Mapping[str, Any]) -> Sequence[str]:
    for name, wanted in sections.items():
        if str(name).casefold() == article_type.casefold():
            return [str(item) for item in wanted] if isinstance(wanted, list) else []
    return []


def _missing_sections(article: Article, context: CheckContext) -> Iterator[Finding]:
    if not article.type:
        return
    sections = context.params.get("sections", DEFAULT_SECTIONS)
    wanted = _sections_for(article.type, sections if isinstance(sections, Mapping) else {})
    if not wanted:
        return
    have = {_normal_heading(heading.text) for heading in markdown.headings(article.body)}
    missing = [
        alternatives.split("|")[0]
        for alternatives in wanted
        if not any(_normal_heading(option) in have for option in alternatives.split("|"))
    ]
    if missing:
        yield MISSING_SECTIONS.finding(
            article,
            article.line_of("type"),
            ngettext(
                "{type} article lacks section: {sections}",
                "{type} article lacks sections: {sections}",
                len(missing),
            ).format(type=article.type, sections=", ".join(missing)),
        )


MISSING_SECTIONS = register(
    Rule(
        id="KB407",
        name="missing-sections",
        severity=Severity.WARNING,
        summary=N_(
            "An article of a given `type` lacks a section its template requires (KCS troubleshooting: Issue, Environment, Resolution, Cause — or Проблема, Окружение, Решение, Причина)."
        ),
        why=N_(
            "The KCS content standard makes articles predictable: an agent jumps straight to Resolution."
        ),
        fix=N_("Add the missing heading(s) with their content (see `_templates/`)."),
        configure=N_(
            '`sections`: a table of type = ["Heading|Alternative", ...] that replaces the default, e.g. under `[check.rules.KB407]`: `sections = { troubleshooting = ["Issue|Проблема", "Resolution|Решение"], howto = ["Steps|Шаги"] }`.'
        ),
        params={"sections": DEFAULT_SECTIONS},
        article_check=_missing_sections,
    )
)


def linked_articles(article: Article, context: CheckContext) -> list[tuple[str, int]]:
    """The articles ``article`` links to, as (base-relative path, file line), each once, in
    order: the same links the link rules (KB402, KB403) resolve, relative or site links."""
    known = {other.path for other in context.articles}
    found: dict[str, int] = {}
    for link, line, _resolved, _anchor, existing in _local_links(article, context):
        if link.image or existing is None or existing == article.path:
            continue
        if existing in known and existing not in found:
            found[existing] = line
    return list(found.items())


def section_alternatives(name: str, sections: Mapping[str, Any] | None = None) -> set[str]:
    """Every heading that names the section ``name`` in a KCS template (``Resolution`` also
    finds ``Решение`` and ``Solution``), folded; just ``name`` when no template lists it."""
    wanted = _normal_heading(name)
    found = {wanted}
    for groups in (sections if sections is not None else DEFAULT_SECTIONS).values():
        for alternatives in groups if isinstance(groups, list) else []:
            options = {_normal_heading(option) for option in str(alternatives).split("|")}
            if wanted in options:
                found |= options
    return found


def find_section(body: str, name: str) -> tuple[int, int, str] | None:
    """The section of ``body`` under the heading ``name`` (any of its template alternatives,
    or its anchor): (first body line, last body line, heading text), lines 1-based in the
    body; None when no heading matches. The section ends before the next heading of the
    same or a higher level."""
    names = section_alternatives(name)
    anchor = name.strip().casefold()
    found = markdown.headings(body)
    for position, heading in enumerate(found):
        if _normal_heading(heading.text) in names or heading.anchor.casefold() == anchor:
            end = len(body.splitlines())
            for later in found[position + 1 :]:
                if later.level <= heading.level:
                    end = later.line - 1
                    break
            return heading.line, end, heading.text
    return None
