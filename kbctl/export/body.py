"""One exported body: internal sections removed, links rewritten, text, sections, language.

Pure functions of text. Links are rewritten in the Markdown itself (inline links and images,
reference definitions and their uses, ``<a href>``/``<img src>`` in raw HTML): a link to an
exported article becomes a placeholder ``kbctl-article:N`` that each format resolves to its
own URL, a file of the base becomes ``kbctl-media:N``, and a link to anything that is not
exported becomes its text. :func:`rewrite_links` then parses the result again and drops any
local target that is still there, so a link syntax the patterns miss cannot leak a target.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from kbctl.rules import markdown

ARTICLE_SCHEME = "kbctl-article:"
MEDIA_SCHEME = "kbctl-media:"
PLACEHOLDER = re.compile(r"kbctl-(article|media):(\d+)")

_MARK = re.compile(r"<!--\s*(/)?\s*internal\s*-->", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DESTINATION = r"(<[^>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"
_TITLE = r"""(\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?"""
_INLINE = re.compile(
    r"(!?)\[((?:[^\[\]\\\n]|\\.|\[[^\[\]\n]*\])*)\]\(\s*" + _DESTINATION + _TITLE + r"\s*\)"
)
_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:[ \t]*(<[^>\n]*>|\S+)[^\n]*$", re.MULTILINE)
# Attribute values quoted either way or not at all; a quoted value may hold ``>``.
# No pattern may scan past the next ``<`` (a tag) or, for a link's text, the next ``<a``: a
# body of unclosed tags then costs linear time, not quadratic (a hostile article must not
# hang the export). A value with ``<`` in it is caught by the net ``_URL_ATTRIBUTE``.
_VALUE = r"""(?:"(?P<dq>[^"<]*)"|'(?P<sq>[^'<]*)'|(?P<uq>[^\s"'=<>`]+))"""
_ATTRS = r"""(?:[^<>"']|"[^"<]*"|'[^'<]*')*?"""
_HTML_LINK = re.compile(
    r"<a\b"
    + _ATTRS
    + r"\shref\s*=\s*"
    + _VALUE
    + _ATTRS
    + r">(?P<text>(?:(?!<a\b|</a\s*>).)*?)</a\s*>",
    re.IGNORECASE | re.DOTALL,
)
_URL_NAMES = r"(?:src|href|poster|data|cite|action|background|srcset|formaction|xlink:href)"
_URL_ATTRIBUTE = re.compile(r"\s" + _URL_NAMES + r"\s*=\s*" + _VALUE, re.IGNORECASE)
# Any other tag with an attribute that loads or links a URL (img, iframe, source, video...).
_HTML_URL = re.compile(
    r"<[a-z][a-z0-9-]*\b" + _ATTRS + r"\s" + _URL_NAMES + r"\s*=\s*" + _VALUE + _ATTRS + r"/?>",
    re.IGNORECASE,
)
# ``[text][label]``, ``[label][]`` and ``[label]`` (not followed by ``(`` or ``:``).
_REFERENCE_USE = re.compile(
    r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\[([^\[\]\n]+)\]|\[([^\[\]\n]+)\](?:\[\])?(?![(:])"
)
_HTML_ALT = re.compile(r"""\salt\s*=\s*""" + _VALUE, re.IGNORECASE)


def _value(match: re.Match[str]) -> tuple[str, int, int]:
    """An attribute value matched by ``_VALUE``: its text and where it is in the match."""
    for name in ("dq", "sq", "uq"):
        if match.group(name) is not None:
            start, end = match.span(name)
            return match.group(name), start - match.start(), end - match.start()
    return "", 0, 0


SECTION_KINDS = {
    "issue": "issue",
    "проблема": "issue",
    "symptoms": "issue",
    "симптомы": "issue",
    "environment": "environment",
    "окружение": "environment",
    "среда": "environment",
    "resolution": "resolution",
    "решение": "resolution",
    "cause": "cause",
    "причина": "cause",
}


@dataclass(frozen=True, slots=True)
class Section:
    """A level-2 section of a body: its heading, anchor, KCS kind (or None) and Markdown."""

    heading: str
    anchor: str
    kind: str | None
    markdown: str


def strip_internal(body: str) -> tuple[str, int]:
    """``body`` without ``<!-- internal -->...<!-- /internal -->`` parts (an unclosed one
    runs to the end; marks nest) and without any other HTML comment; and how many internal
    parts went."""
    kept: list[str] = []
    depth = removed = position = 0
    for mark in _MARK.finditer(body):
        if mark.group(1) is None:
            if depth == 0:
                kept.append(body[position : mark.start()])
                removed += 1
            depth += 1  # marks nest: a part ends at the close that matches its open
        elif depth > 0:
            depth -= 1
            if depth == 0:
                position = mark.end()
    if depth == 0:
        kept.append(body[position:])
    return _COMMENT.sub("", "".join(kept)), removed


DROP = "\x00drop"
"""What a :data:`Decide` returns to remove a link with its text (the text names what is
withheld, e.g. the title of an internal article)."""

# (target, is an image, the link's text) -> its new target, None to keep the text only, or
# DROP to remove the text too.
Decide = Callable[[str, bool, str], str | None]


def _outside_code(body: str, apply: Callable[[str], str]) -> str:
    """``apply`` to every part of ``body`` outside fenced code blocks."""
    out: list[str] = []
    chunk: list[str] = []
    fence: str | None = None
    for line in body.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            out.append(apply("".join(chunk)))
            chunk = []
            fence = match.group(1)[0] * len(match.group(1))
            out.append(line)
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
        else:
            chunk.append(line)
    out.append(apply("".join(chunk)))
    return "".join(out)


def rewrite_links(body: str, decide: Decide) -> str:
    """``body`` with each local link target replaced by ``decide(target, image, text)``: a
    new target, None to keep only the link's text (an image's alt text), or :data:`DROP`."""

    def target_of(raw: str) -> str:
        raw = raw.strip()
        return raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw

    # Label -> target of each reference definition that was removed: its uses become text
    # (or go, when their text names a withheld article). Definitions are read from the whole
    # body first, so a use before a code block is found too.
    dropped: dict[str, str] = {}

    def definition(match: re.Match[str]) -> str:
        target = target_of(match.group(2))
        if not markdown.is_local(target):
            return match.group(0)
        new = decide(target, False, match.group(1))
        if new is None or new == DROP:
            dropped[" ".join(match.group(1).split()).casefold()] = target
            return ""
        return match.group(0).replace(match.group(2), new, 1)

    def inline(match: re.Match[str]) -> str:
        image, text, raw = match.group(1), match.group(2), match.group(3)
        target = target_of(raw)
        if not markdown.is_local(target):
            return match.group(0)
        new = decide(target, bool(image), text)
        if new == DROP:
            return ""
        if new is None:
            return text
        return f"{image}[{text}]({new}{match.group(4) or ''})"

    def html_link(match: re.Match[str]) -> str:
        raw, start, end = _value(match)
        target = html.unescape(raw)
        if not markdown.is_local(target):
            return match.group(0)
        new = decide(target, False, match.group("text"))
        if new == DROP:
            return ""
        if new is None:
            return match.group("text")
        return match.group(0)[:start] + new + match.group(0)[end:]

    def html_url(match: re.Match[str]) -> str:
        raw, start, end = _value(match)
        target = html.unescape(raw)
        if not markdown.is_local(target):
            return match.group(0)
        alt_match = _HTML_ALT.search(match.group(0))
        alt = _value(alt_match)[0] if alt_match else ""
        new = decide(target, True, alt)
        if new is None:
            return alt
        if new == DROP:
            return ""
        return match.group(0)[:start] + new + match.group(0)[end:]

    def loose_attribute(match: re.Match[str]) -> str:
        # The net for raw HTML the tag patterns missed: a local URL left in any attribute
        # is emptied (placeholders have a scheme, so they are not local).
        raw, start, end = _value(match)
        target = html.unescape(raw)
        if not markdown.is_local(target) or target.startswith("#"):
            return match.group(0)
        return match.group(0)[:start] + match.group(0)[end:]

    def use(found: re.Match[str]) -> str:
        if found.group(3) is not None:
            text = label = found.group(3)
        else:
            text, label = found.group(1), found.group(2)
        target = dropped.get(" ".join(label.split()).casefold())
        if target is None:
            return found.group(0)
        return "" if decide(target, False, text) == DROP else text

    def apply(text: str) -> str:
        if dropped:
            text = _REFERENCE_USE.sub(use, text)
        text = _INLINE.sub(inline, text)
        text = _HTML_LINK.sub(html_link, text)
        text = _HTML_URL.sub(html_url, text)
        return _URL_ATTRIBUTE.sub(loose_attribute, text)

    body = _outside_code(body, lambda text: _DEFINITION.sub(definition, text))
    rewritten = _outside_code(body, apply)
    # The safety net: whatever local target CommonMark still sees that is not ours goes.
    for link in markdown.links(rewritten):
        target = link.target
        if not markdown.is_local(target) or PLACEHOLDER.fullmatch(target.split("#", 1)[0]):
            continue
        if target.startswith("#"):
            continue
        rewritten = rewritten.replace(target, "")
    return rewritten


def resolve_placeholders(
    body: str, article_url: Callable[[int], str], media_url: Callable[[int], str]
) -> str:
    """``body`` with every placeholder replaced by the format's URL of that article or file."""

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(2))
        return article_url(number) if match.group(1) == "article" else media_url(number)

    return PLACEHOLDER.sub(replace, body)


def sections(body: str) -> tuple[Section, ...]:
    """The level-2 sections of ``body`` with their anchors (as the link rules compute them)."""
    lines = body.splitlines()
    heads = [heading for heading in markdown.headings(body) if heading.level == 2]
    found: list[Section] = []
    for index, heading in enumerate(heads):
        end = heads[index + 1].line - 1 if index + 1 < len(heads) else len(lines)
        text = "\n".join(lines[heading.line : end]).strip()
        kind = SECTION_KINDS.get(heading.text.strip().rstrip(":").casefold())
        found.append(Section(heading.text.strip(), heading.anchor, kind, text))
    return tuple(found)


_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN = re.compile(r"[a-zA-Z]")


def language_of(text: str, declared: object = None) -> str:
    """``ru`` or ``en``: the front matter's ``lang``/``language`` if given, else the script
    most letters of ``text`` are written in."""
    if isinstance(declared, str) and declared.strip():
        return declared.strip().lower()
    return "ru" if len(_CYRILLIC.findall(text)) >= len(_LATIN.findall(text)) else "en"
