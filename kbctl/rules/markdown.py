"""Just enough Markdown for the content rules: headings, GitHub anchors, links, images.

Line-based and forgiving: code blocks and inline code are skipped, so an example link in a
code sample is never reported. Pure functions of the body text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_CUSTOM_ID = re.compile(r"\s*\{#([^}\s]+)[^}]*\}\s*$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)")
_HTML_ATTR = re.compile(r"<(img|a)\b[^>]*?\b(src|href)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HTML_ANCHOR = re.compile(r"<a\b[^>]*?\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")
_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WORD = re.compile(r"\w+")


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


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to ``-``.

    Letters of every script (Cyrillic too), digits, ``_`` and ``-`` are kept.
    """
    kept = []
    for char in text.strip().lower():
        if char in " -" or unicodedata.category(char)[0] in "LMN" or char == "_":
            kept.append("-" if char == " " else char)
    return "".join(kept)


def _plain_heading(text: str) -> str:
    text = _LINK_TEXT.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = text.replace("`", "")
    text = re.sub(r"(\*+|_{2,})(.+?)\1", r"\2", text)
    return text.strip()


@lru_cache(maxsize=4096)
def headings(body: str) -> tuple[Heading, ...]:
    """Every heading (ATX and setext) with GitHub's de-duplicated anchors (``-1``, ``-2``)."""
    found: list[Heading] = []
    seen: dict[str, int] = {}
    fence: str | None = None
    previous: tuple[int, str] | None = None
    for number, line in enumerate(body.splitlines(), start=1):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            previous = None
            continue
        if match:
            fence = match.group(1)
            previous = None
            continue
        level, raw, heading_line = 0, "", number
        if atx := _ATX.match(line):
            level, raw = len(atx.group(1)), re.sub(r"\s+#+\s*$", "", atx.group(2))
        elif (setext := _SETEXT.match(line)) and previous and previous[1].strip():
            level, raw, heading_line = (
                (1 if setext.group(1)[0] == "=" else 2),
                previous[1],
                previous[0],
            )
        if level:
            custom = _CUSTOM_ID.search(raw)
            if custom:
                raw = raw[: custom.start()]
            text = _plain_heading(raw)
            base = custom.group(1) if custom else github_slug(text)
            count = seen.get(base, 0)
            seen[base] = count + 1
            anchor = base if count == 0 or custom else f"{base}-{count}"
            found.append(Heading(level, text, heading_line, anchor))
            previous = None
        else:
            previous = (number, line)
    return tuple(found)


@lru_cache(maxsize=4096)
def anchors(body: str) -> frozenset[str]:
    """Every anchor a link can point at in ``body``, folded to lower case."""
    names = {heading.anchor.casefold() for heading in headings(body)}
    names.update(match.group(1).casefold() for match in _HTML_ANCHOR.finditer(body))
    return frozenset(names)


@lru_cache(maxsize=256)
def links(body: str) -> tuple[Link, ...]:
    """Links and images of the body (inline, reference definitions, HTML ``a``/``img``).

    Cached: the four link rules ask for the same article's links in turn.
    """
    found: list[Link] = []
    for number, line in text_lines(body):
        if "[" not in line and "<" not in line:
            continue
        for match in _LINK.finditer(line):
            found.append(Link(_clean_target(match.group(3)), number, bool(match.group(1))))
        if definition := _REFERENCE_DEF.match(line):
            found.append(Link(_clean_target(definition.group(2)), number, False))
        for match in _HTML_ATTR.finditer(line):
            found.append(Link(match.group(3).strip(), number, match.group(1).lower() == "img"))
    return tuple(found)


def _clean_target(target: str) -> str:
    target = target.strip()
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1].strip()
    return target


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
def word_count(body: str) -> int:
    """Words of prose: code blocks and inline code are not counted."""
    return len(_WORD.findall("\n".join(line for _number, line in text_lines(body))))
