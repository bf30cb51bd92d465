"""Snippets: the line of an article that best matches the query, as the text a reader sees
(no HTML tags, emphasis markers, link targets or image syntax), clipped, with highlights."""

from __future__ import annotations

import re
from datetime import date

from kbctl.config import Config
from kbctl.model import Hit
from kbctl.search.analysis import find_terms, fold
from kbctl.search.interpret import Unit

SNIPPET_WIDTH = 180
_MARKUP = re.compile(r"^\s*(?:#+|[-*+>]|\d+[.)]|\|)?\s*")


# Inline Markdown and HTML that a snippet shows as the text a reader sees. Each alternative
# keeps the group named ``keep`` (or nothing), so positions map back to the raw line.
_INLINE = re.compile(
    r"""
      <!--.*?(?:-->|$)                                   # HTML comment: dropped
    | `+(?P<code>[^`]+?)`+                               # inline code: its text
    | !\[(?P<alt>[^\]]*)\]\([^)]*\)                      # image: its alt text
    | !\[(?P<refalt>[^\]]*)\]\[[^\]]*\]
    | \[(?P<link>[^\]]*)\]\((?:[^()]|\([^)]*\))*\)       # link: its text, never the target
    | \[(?P<reflink>[^\]]+)\]\[[^\]]*\]                   # reference link: its text
    | <(?P<auto>(?:https?|mailto|ftp):[^>\s]+)>          # autolink: the address
    | </?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>           # HTML tag: dropped
    | \\(?P<escaped>[\\`*_{}\[\]()#+\-.!<>|~])           # backslash escape: the character
    | \*+ | ~~ | (?<![^\W_])_+ | _+(?![^\W_])            # emphasis markers: dropped
    """,
    re.VERBOSE,
)
_KEPT = ("code", "alt", "refalt", "link", "reflink", "auto", "escaped")


def plain_text(line: str) -> tuple[str, list[int]]:
    """``line`` without HTML tags, emphasis, link targets and image syntax, and for each of
    its characters the index it came from in ``line`` (so highlights map back).

    Link and image text is cleaned the same way; runs of spaces left by what was dropped
    become one space, and the result is stripped.
    """
    chars: list[str] = []
    where: list[int] = []
    _strip_into(line, 0, chars, where)
    text: list[str] = []
    positions: list[int] = []
    for char, index in zip(chars, where, strict=True):
        if char.isspace():
            if not text or text[-1] == " ":
                continue
            char = " "
        text.append(char)
        positions.append(index)
    while text and text[-1] == " ":
        text.pop()
        positions.pop()
    return "".join(text), positions


def _strip_into(line: str, base: int, chars: list[str], where: list[int]) -> None:
    position = 0
    for match in _INLINE.finditer(line):
        for index in range(position, match.start()):
            chars.append(line[index])
            where.append(base + index)
        position = match.end()
        for name in _KEPT:
            kept = match.group(name)
            if kept is not None:
                start = match.start(name)
                if name in ("alt", "refalt", "link", "reflink"):
                    _strip_into(kept, base + start, chars, where)
                else:
                    chars.extend(kept)
                    where.extend(range(base + start, base + start + len(kept)))
                break
    for index in range(position, len(line)):
        chars.append(line[index])
        where.append(base + index)


def make_hit(config: Config, stored: dict, score: float, units: list[Unit]) -> Hit:
    """The hit of a stored document: its metadata, and the best passage of its file."""
    meta = stored.get("meta") or {}
    path = stored["path"]
    line, snippet, highlights, column = _best_passage(config, path, meta, units)
    reviewed = meta.get("last_reviewed")
    return Hit(
        id=meta.get("id") or path,
        path=path,
        title=meta.get("title") or path,
        score=score,
        line=line,
        snippet=snippet,
        highlights=highlights,
        column=column,
        owners=tuple(meta.get("owners") or ()),
        status=meta.get("status"),
        audience=meta.get("audience"),
        tags=tuple(meta.get("tags") or ()),
        product=meta.get("product"),
        last_reviewed=date.fromisoformat(reviewed) if reviewed else None,
        last_changed=None,
    )


def _best_passage(
    config: Config, path: str, meta: dict, units: list[Unit]
) -> tuple[int, str, tuple[tuple[int, int], ...], int]:
    """(line, snippet, highlight spans, column) of the line that matches most query words."""
    from kbctl.articles import read_article_bytes

    body_line = int(meta.get("body_line") or 1)
    fallback = (meta.get("description") or "").strip()
    try:
        data = read_article_bytes(config.root / path, config.max_article_bytes)
        text = data.decode("utf-8-sig", errors="replace")
    except OSError:
        return body_line, fallback, (), 1
    wanted: dict[str, int] = {}
    for number, unit in enumerate(units):
        for term in unit.match_terms():
            wanted.setdefault(term, number)
    lines = text.split("\n")
    # Stems are prefixes of the words they come from, give or take the last letters: only
    # lines containing one of these prefixes are worth analysing.
    prefixes = tuple({term[: max(2, len(term) - 2)] for term in wanted})
    best: tuple[int, int, int] | None = None  # (matched units, -line, line index)
    first_text: int | None = None
    in_code = False
    for index in range(max(body_line - 1, 0), len(lines)):
        raw = lines[index]
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_code = not in_code
        if not stripped or stripped.startswith(("```", "{{", "{%", "<!--")):
            continue
        if first_text is None and not stripped.startswith("#"):
            first_text = index
        folded = fold(raw)
        if not any(prefix in folded for prefix in prefixes):
            continue
        matched = {unit for _start, _end, unit in find_terms(plain_text(raw)[0], wanted)}
        if matched and (best is None or len(matched) > best[0]):
            best = (len(matched), -index, index)
    if best is None:
        if fallback:
            return body_line, _clip(fallback, 0)[0], (), 1
        index = first_text if first_text is not None else max(body_line - 1, 0)
        line_text = lines[index] if index < len(lines) else ""
        line_text = line_text.rstrip("\r")
        snippet, _offset = _clip(plain_text(line_text[_markup_length(line_text) :])[0], 0)
        return index + 1, snippet, (), 1
    index = best[2]
    raw = lines[index].rstrip("\r")
    markup = _markup_length(raw)
    visible, positions = plain_text(raw[markup:])
    spans = _merge_spans([(start, end) for start, end, _unit in find_terms(visible, wanted)])
    first_match = spans[0][0] if spans else 0
    snippet, offset = _clip(visible, first_match)
    highlights = tuple(
        (start - offset, end - offset)
        for start, end in spans
        if start - offset >= 0 and end - offset <= len(snippet)
    )
    # A byte column, as vim's quickfix (%c) and `rg --vimgrep` count: Cyrillic is 2 bytes.
    column = len(raw[: markup + positions[spans[0][0]]].encode("utf-8")) + 1 if spans else 1
    return index + 1, snippet, highlights, column


def _markup_length(line: str) -> int:
    """The length of the block markup that starts ``line`` (``## ``, ``- ``, ``1. ``, ``> ``)."""
    match = _MARKUP.match(line)
    return len(match.group()) if match else 0


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _clip(text: str, focus: int) -> tuple[str, int]:
    """At most SNIPPET_WIDTH characters of ``text`` around ``focus``, with "…" where cut.

    Returns (snippet, offset): a character at ``i`` in ``text`` is at ``i - offset`` in it.
    """
    if len(text) <= SNIPPET_WIDTH:
        return text, 0
    start = max(0, min(focus - SNIPPET_WIDTH // 3, len(text) - SNIPPET_WIDTH))
    space = text.rfind(" ", 0, start + 1) if start else 0
    if start and space > start - 20:
        start = space + 1
    end = start + SNIPPET_WIDTH
    cut = text[start:end]
    if end < len(text):
        space = cut.rfind(" ")
        cut = (cut[:space] if space > SNIPPET_WIDTH // 2 else cut) + "…"
    if start:
        return "…" + cut, start - 1
    return cut, 0
