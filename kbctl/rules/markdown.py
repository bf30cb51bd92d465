"""Markdown as CommonMark reads it (markdown-it-py): headings, anchors, links and images.

Each body is parsed once per run (cached): the link, anchor and image rules all read the
same :class:`Parsed`. Nothing inside code spans or code blocks (fenced or indented) is a
link; reference links are resolved as CommonMark resolves them (an unused definition
links nothing); ``<a href>``, ``<img src>`` and ``id``/``name`` attributes in raw HTML
count too. Pure functions of the body text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdurl import decode as url_decode

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_CUSTOM_ID = re.compile(r"\s*\{\s*#([^}\s]+)[^}]*\}\s*$")
_HTML_ATTR = re.compile(r"<(img|a)\b[^>]*?\b(src|href)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HTML_ANCHOR = re.compile(r"<[a-z][a-z0-9]*\b[^>]*?\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.I)
_TERM_DEFINITION = re.compile(r"^\s{0,3}:\s")
_TERM_MARKUP = re.compile(r"[`*_]|\[([^\]]*)\]\([^)]*\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WORD = re.compile(r"\w+")

# CommonMark plus GitHub tables (links in table cells are links); raw HTML kept as tokens.
_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image reference in a body; ``line`` is relative to the body (1-based)."""

    target: str
    line: int
    image: bool


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading: level, plain text, line in the body (1-based) and its GitHub anchor."""

    level: int
    text: str
    line: int
    anchor: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the rules need of one body: links, headings and the other anchors."""

    links: tuple[Link, ...]
    headings: tuple[Heading, ...]
    html_anchors: frozenset[str]
    term_anchors: frozenset[str]


def github_slug(text: str) -> str:
    """The anchor GitHub (and Hugo's default) gives a heading: lower case, punctuation
    dropped, spaces to ``-``. Letters of every script (Cyrillic too), digits, ``_`` and
    ``-`` are kept.
    """
    kept = []
    for char in text.strip().lower():
        if char in " -" or unicodedata.category(char)[0] in "LMN" or char == "_":
            kept.append("-" if char == " " else char)
    return "".join(kept)


@lru_cache(maxsize=8192)
def parse(body: str) -> Parsed:
    """Parse ``body`` once: every rule asking about the same article shares the result."""
    tokens = _PARSER.parse(body)
    links: list[Link] = []
    headings: list[Heading] = []
    html_anchors: set[str] = set()
    terms: set[str] = set()
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "inline":
            _inline_links(token, _first_line(token), links, html_anchors)
            previous = tokens[index - 1] if index else None
            if previous is not None and previous.type == "heading_open":
                headings.append(_heading(previous, token, seen))
            elif previous is not None and previous.type == "paragraph_open":
                terms.update(_terms(token.content))
        elif token.type == "html_block":
            _html(token.content, _first_line(token), links, html_anchors)
    return Parsed(tuple(links), tuple(headings), frozenset(html_anchors), frozenset(terms))


def _first_line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 1


def _inline_links(token: Token, line: int, links: list[Link], anchors: set[str]) -> None:
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if child.markup != "autolink":
                links.append(Link(_target(href), line, False))
        elif child.type == "image":
            links.append(Link(_target(str(child.attrs.get("src", ""))), line, True))
        elif child.type == "html_inline":
            _html(child.content, line, links, anchors)
            line += child.content.count("\n")


def _html(text: str, line: int, links: list[Link], anchors: set[str]) -> None:
    for offset, part in enumerate(text.split("\n")):
        if "<" not in part:
            continue
        for match in _HTML_ATTR.finditer(part):
            image = match.group(1).lower() == "img"
            links.append(Link(match.group(3).strip(), line + offset, image))
        anchors.update(match.group(1).casefold() for match in _HTML_ANCHOR.finditer(part))


def _target(href: str) -> str:
    # markdown-it percent-encodes destinations; give the rules the text as written.
    return url_decode(href).strip()


def _heading(opening: Token, inline: Token, seen: dict[str, int]) -> Heading:
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    text = "".join(parts)
    custom = _CUSTOM_ID.search(text)
    if custom:
        text = text[: custom.start()]
    text = text.strip()
    base = custom.group(1) if custom else github_slug(text)
    count = seen.get(base, 0)
    seen[base] = count + 1
    anchor = base if count == 0 or custom else f"{base}-{count}"
    return Heading(int(opening.tag[1:]), text, _first_line(opening), anchor)


def _terms(content: str) -> set[str]:
    """Definition-list terms (a line followed by ``: definition``), as anchors."""
    lines = content.split("\n")
    found: set[str] = set()
    for number, text in enumerate(lines[:-1]):
        if _TERM_DEFINITION.match(lines[number + 1]) and not _TERM_DEFINITION.match(text):
            plain = _TERM_MARKUP.sub(lambda match: match.group(1) or "", text)
            found.add(github_slug(plain).casefold())
    return found


def headings(body: str) -> tuple[Heading, ...]:
    """Every heading (ATX and setext) with GitHub's de-duplicated anchors (``-1``, ``-2``)."""
    return parse(body).headings


def anchors(body: str, *, terms: bool = False) -> frozenset[str]:
    """Every anchor a link can point at in ``body``, folded to lower case (definition-list
    terms too when ``terms``)."""
    return _anchors(body, terms)


@lru_cache(maxsize=8192)
def _anchors(body: str, terms: bool) -> frozenset[str]:
    parsed = parse(body)
    names = {heading.anchor.casefold() for heading in parsed.headings} | parsed.html_anchors
    if terms:
        # Hugo numbers a heading whose id a term already took (``cascade`` -> ``cascade-1``).
        names |= parsed.term_anchors
        names |= {f"{name}-1" for name in parsed.term_anchors}
    return frozenset(names)


def links(body: str) -> tuple[Link, ...]:
    """Links and images of the body (inline, reference, HTML ``a``/``img``), in order."""
    return parse(body).links


def is_local(target: str) -> bool:
    """Whether a link target points inside the base (no scheme, no protocol-relative URL)."""
    if not target or target.startswith("//") or _SCHEME.match(target):
        return False
    # Template expressions and shortcodes cannot be resolved statically.
    return not any(marker in target for marker in ("{{", "{%", "$"))


def split_target(target: str) -> tuple[str, str | None]:
    """Split ``path#anchor`` (percent-decoded; query strings dropped)."""
    path, _, anchor = target.partition("#")
    path = path.split("?", 1)[0]
    return unquote(path), unquote(anchor) if anchor else None


@lru_cache(maxsize=256)
def text_lines(body: str) -> tuple[tuple[int, str], ...]:
    """Body lines outside fenced code blocks, with inline code blanked: (line, text)."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(body.splitlines(), start=1):
        match = _FENCE.match(line) if ("`" in line or "~" in line) else None
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        if "`" in line:
            line = _INLINE_CODE.sub(lambda found: " " * len(found.group(0)), line)
        lines.append((number, line))
    return tuple(lines)


@lru_cache(maxsize=256)
def word_count(body: str) -> int:
    """Words of prose: code blocks and inline code are not counted."""
    return len(_WORD.findall("\n".join(line for _number, line in text_lines(body))))
