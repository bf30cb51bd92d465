"""Searching: parse the query, fix the keyboard layout and typos, rank, filter, make snippets.

Query syntax is forgiving: words are optional (more matched words rank higher), ``"quoted
words"`` and ``+word`` must all appear, ``-word`` excludes. Every other character is just a
separator, so pasted text full of ``():*~`` still searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kbctl.config import Config
from kbctl.errors import KbError, UsageError
from kbctl.model import Hit
from kbctl.search.analysis import Term, analyze, find_terms, fold, stem
from kbctl.search.index import TEXT_FIELDS, Progress, SearchIndex, current_folder, open_index
from kbctl.selection import ArticleFilter

MAX_QUERY_LENGTH = 500
# How many top documents are re-ranked by the share of query words they contain.
RERANK_DEPTH = 30

_EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?'
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
TO_RUSSIAN = str.maketrans(_EN, _RU)
TO_LATIN = str.maketrans(_RU, _EN)
_LATIN_LAYOUT = re.compile(r"[a-zA-Z`\[\];',./~{}:\"<>?]+")
_CYRILLIC_ONLY = re.compile(r"[а-яА-ЯёЁ.,]+")
_CHUNK = re.compile(r'([+-]?)"([^"]*)"?|(\S+)')
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Metadata filters of a search: the one article filter, and whether archived show."""

    selection: ArticleFilter = field(default_factory=ArticleFilter)
    include_archived: bool = False

    @property
    def active(self) -> bool:
        """Whether any filter narrows the results."""
        return self.selection.active


@dataclass(slots=True)
class Unit:
    """One word of the query: its term alternatives (term -> weight) and its role."""

    surface: str
    terms: dict[str, float]
    compound_parts: tuple[str, ...] = ()
    required: bool = False
    excluded: bool = False


@dataclass(slots=True)
class SearchResult:
    """Hits plus what the user should be told about the query."""

    hits: list[Hit]
    total: int
    interpreted: str
    notices: list[str] = field(default_factory=list)
    suggestion: str | None = None


def convert_layout(text: str) -> str | None:
    """``text`` as it was meant in the other keyboard layout (ЙЦУКЕН <-> QWERTY), or None."""
    if _LATIN_LAYOUT.fullmatch(text) and re.search(r"[a-zA-Z]", text):
        return text.translate(TO_RUSSIAN)
    if _CYRILLIC_ONLY.fullmatch(text) and re.search(r"[а-яА-ЯёЁ]", text):
        return text.translate(TO_LATIN)
    return None


def max_typos(word: str) -> int:
    """Edits allowed for a word by its length: none under 5 letters, 1 up to 8, then 2."""
    if len(word) < 5:
        return 0
    return 1 if len(word) <= 8 else 2


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), capped at limit+1."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        best = i
        for j, other in enumerate(second, start=1):
            cost = 0 if char == other else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def within_one_edit(first: str, second: str) -> bool:
    """Whether one substitution, insertion, deletion or swap of neighbours turns ``first``
    into ``second`` (a fast special case of :func:`edit_distance` with limit 1)."""
    if first == second:
        return True
    size, other = len(first), len(second)
    if abs(size - other) > 1:
        return False
    index = 0
    shortest = min(size, other)
    while index < shortest and first[index] == second[index]:
        index += 1
    if size == other:
        if first[index + 1 :] == second[index + 1 :]:
            return True  # one substitution
        return (
            index + 1 < size
            and first[index] == second[index + 1]
            and first[index + 1] == second[index]
            and first[index + 2 :] == second[index + 2 :]
        )
    if size > other:
        return first[index + 1 :] == second[index:]
    return first[index:] == second[index + 1 :]


class _Vocabulary:
    """Words of the base bucketed by (first letter, length), most frequent first."""

    def __init__(self, buckets: dict[tuple[str, int], str]) -> None:
        self.buckets = buckets

    def corrections(self, word: str, limit: int) -> list[tuple[str, int, int]]:
        """Words within ``limit`` edits (same first letter), as (word, distance, rank)."""
        found = []
        size = len(word)
        for length in range(size - limit, size + limit + 1):
            bucket = self.buckets.get((word[0], length))
            if not bucket:
                continue
            for rank, candidate in enumerate(bucket.split("\n")):
                if candidate == word:
                    continue
                if within_one_edit(word, candidate):
                    found.append((candidate, 1, rank))
                elif limit > 1:
                    distance = edit_distance(word, candidate, limit)
                    if distance <= limit:
                        found.append((candidate, distance, rank))
        found.sort(key=lambda item: (item[1], item[2], item[0]))
        return found


class _Searcher:
    """One search over an open index."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.searcher = index.ix.searcher()
        self.reader = self.searcher.reader()
        self._known: dict[str, bool] = {}
        self._vocabulary: _Vocabulary | None = None
        self._corrections: dict[tuple[str, int], list[tuple[str, int]]] = {}

    def close(self) -> None:
        self.searcher.close()

    def known(self, term: str) -> bool:
        """Whether ``term`` is in any text field of the index."""
        cached = self._known.get(term)
        if cached is None:
            cached = any(self.reader.doc_frequency(name, term) > 0 for name in TEXT_FIELDS)
            self._known[term] = cached
        return cached

    def vocabulary(self) -> _Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = _Vocabulary(self.index.spelling())
        return self._vocabulary

    def corrections(self, word: str, limit: int) -> list[tuple[str, int]]:
        """Known corrections of ``word``: (term, distance), best first, at most three."""
        if limit <= 0 or not word or any(char.isdigit() for char in word):
            return []
        cached = self._corrections.get((word, limit))
        if cached is not None:
            return cached
        result: list[tuple[str, int]] = []
        self._corrections[(word, limit)] = result
        seen: set[str] = set()
        for candidate, distance, _count in self.vocabulary().corrections(word, limit):
            term = stem(candidate)
            if term not in seen and self.known(term):
                seen.add(term)
                result.append((term, distance))
            if len(result) == 3:
                break
        return result

    def best_word(self, word: str, limit: int) -> str | None:
        """The likeliest known word for a misspelt ``word`` (for "did you mean")."""
        for candidate, _distance, _count in self.vocabulary().corrections(word, limit):
            if self.known(stem(candidate)):
                return candidate
        return None


def _units_of(chunk: str, *, required: bool, excluded: bool, keep_stops: bool) -> list[Unit]:
    units: list[Unit] = []
    terms: list[Term] = analyze(chunk, keep_stop_words=keep_stops)
    index = 0
    while index < len(terms):
        term = terms[index]
        if term.compound:
            parts = []
            index += 1
            while index < len(terms) and terms[index].position == term.position:
                parts.append(terms[index].text)
                index += 1
            units.append(Unit(term.surface, {term.text: 1.0}, tuple(parts), required, excluded))
            continue
        units.append(Unit(term.surface, {term.text: 1.0}, (), required, excluded))
        index += 1
    return units


def _chunks(query: str) -> list[tuple[str, bool, bool]]:
    """Split the query into (text, required, excluded) pieces."""
    chunks = []
    for match in _CHUNK.finditer(query):
        if match.group(3) is not None:
            text = match.group(3)
            sign = text[0] if text[0] in "+-" and len(text) > 1 else ""
            if sign and _HAS_LETTER.match(text[1:2] or ""):
                text = text[1:]
            else:
                sign = ""
            chunks.append((text, sign == "+", sign == "-"))
        else:
            sign = match.group(1)
            chunks.append((match.group(2), sign != "-", sign == "-"))
    return chunks


def interpret(searcher: _Searcher, query: str) -> tuple[list[Unit], list[str]]:
    """Turn the query into units: layout fixed, typos corrected. Returns (units, notices)."""
    notices: list[str] = []
    chunks = _chunks(query)
    keep_stops = not any(
        _units_of(text, required=False, excluded=False, keep_stops=False) for text, _r, _e in chunks
    )
    units: list[Unit] = []
    converted_words: list[tuple[str, str]] = []
    for text, required, excluded in chunks:
        original = _units_of(text, required=required, excluded=excluded, keep_stops=keep_stops)
        chosen = original
        other_text = convert_layout(text)
        if other_text is not None:
            other = _units_of(
                other_text, required=required, excluded=excluded, keep_stops=keep_stops
            )
            known, known_other = _known_count(searcher, original), _known_count(searcher, other)
            if known_other > known or (
                known == known_other == 0
                and _fixable_count(searcher, original) == 0
                and _fixable_count(searcher, other) > 0
            ):
                chosen = other
                converted_words.append((text, other_text))
        units.extend(chosen)
    if converted_words:
        fixed = ", ".join(f"{old} -> {new}" for old, new in converted_words)
        notices.append(f"keyboard layout switched: {fixed}")
    for unit in units:
        if unit.excluded or unit.compound_parts:
            continue
        (term,) = unit.terms
        if searcher.known(term):
            continue
        word = fold(unit.surface)
        for corrected, distance in searcher.corrections(word, max_typos(word)):
            unit.terms[corrected] = 0.8 if distance == 1 else 0.6
    return units, notices


def _known_count(searcher: _Searcher, units: list[Unit]) -> int:
    return sum(1 for unit in units if any(searcher.known(term) for term in unit.terms))


def _fixable_count(searcher: _Searcher, units: list[Unit]) -> int:
    count = 0
    for unit in units:
        word = fold(unit.surface)
        if not unit.compound_parts and searcher.corrections(word, max_typos(word)):
            count += 1
    return count


def _unit_query(unit: Unit) -> Any:
    from whoosh.query import And, Or
    from whoosh.query import Term as WhooshTerm

    alternatives = [
        WhooshTerm(name, term, boost=boost * weight)
        for term, weight in unit.terms.items()
        for name, boost in TEXT_FIELDS.items()
    ]
    if unit.compound_parts:
        parts = [
            Or([WhooshTerm(name, part, boost=boost) for name, boost in TEXT_FIELDS.items()])
            for part in unit.compound_parts
        ]
        alternatives.append(And(parts, boost=0.5))
    return Or(alternatives)


def _filter_query(filters: SearchFilter) -> tuple[Any, Any]:
    """(filter, mask) queries for Whoosh: options AND together, values of one option OR,
    as :meth:`kbctl.selection.ArticleFilter.matches` decides (the index holds the effective
    owners and the ``--where`` terms)."""
    from whoosh.query import And, Or, Term

    from kbctl.ownership import normalise_handle
    from kbctl.selection import where_token

    chosen = filters.selection
    groups = [
        [Term("f_tag", tag.casefold()) for tag in chosen.tags],
        [Term("f_owner", normalise_handle(owner).replace(",", " ")) for owner in chosen.owners],
        [Term("f_status", status) for status in chosen.statuses],
        [Term("f_audience", audience) for audience in chosen.audiences],
        [Term("f_product", product.casefold()) for product in chosen.products],
        *(
            [Term("f_where", where_token(key, value)) for value in sorted(values)]
            for key, values in chosen.where_groups().items()
        ),
    ]
    wanted = [Or(group) if len(group) > 1 else group[0] for group in groups if group]
    hide_archived = not filters.include_archived and "archived" not in chosen.statuses
    mask = Term("f_status", "archived") if hide_archived else None
    return (And(wanted) if wanted else None), mask


def search(
    config: Config,
    query: str,
    filters: SearchFilter | None = None,
    *,
    limit: int = 10,
    progress: Progress | None = None,
    refresh: bool = True,
) -> SearchResult:
    """Search the base (refreshing its index first when any article changed, unless
    ``refresh`` is False and an index exists).

    Hits carry their last content change from git when the history cache is current (it is
    only read, never computed here: search stays fast; `kbctl stale` or `check` fill it).
    """
    result = _search(config, query, filters, limit=limit, progress=progress, refresh=refresh)
    if not result.hits:
        return result
    from kbctl.history import cached_last_changes

    changes = cached_last_changes(config, [hit.path for hit in result.hits]) or {}
    for hit in result.hits:
        change = changes.get(hit.path)
        if change is not None:
            hit.last_changed, hit.last_changed_by = change.authored, change.author
    return result


def _search(
    config: Config,
    query: str,
    filters: SearchFilter | None,
    *,
    limit: int,
    progress: Progress | None,
    refresh: bool,
) -> SearchResult:
    notices: list[str] = []
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        query = query[:MAX_QUERY_LENGTH]
        notices.append(f"query cut to its first {MAX_QUERY_LENGTH} characters")
    if not _HAS_LETTER.search(query) and not any(char.isdigit() for char in query):
        raise UsageError("the query is empty", hint='try e.g. kbctl search "password reset"')
    index = open_index(config, progress=progress, refresh=refresh)
    notices.extend(index.report.notices)
    try:
        return _search_open(index, config, query, filters or SearchFilter(), limit, notices)
    except KbError:
        raise
    except Exception as error:  # a damaged segment only shows when it is read
        index.ix.close()
        moved = current_folder(config) != index.folder  # a rebuild finished meanwhile
        if not moved:
            notices.append(f"the search index is damaged ({type(error).__name__}); rebuilding it")
        index = open_index(config, rebuild=not moved, progress=progress)
        return _search_open(index, config, query, filters or SearchFilter(), limit, notices)
    finally:
        index.ix.close()


def _search_open(
    index: SearchIndex,
    config: Config,
    query: str,
    filters: SearchFilter,
    limit: int,
    notices: list[str],
) -> SearchResult:
    from whoosh.query import And, AndMaybe, AndNot, Or

    searcher = _Searcher(index)
    try:
        units, more = interpret(searcher, query)
        notices.extend(more)
        positive = [unit for unit in units if not unit.excluded]
        if not positive:
            raise UsageError(
                "the query has no words to search for",
                hint="use letters or digits; -word only excludes",
            )
        required = [_unit_query(unit) for unit in positive if unit.required]
        optional = [_unit_query(unit) for unit in positive if not unit.required]
        if required and optional:
            whoosh_query: Any = AndMaybe(And(required), Or(optional))
        elif required:
            whoosh_query = And(required)
        else:
            whoosh_query = Or(optional)
        excluded = [_unit_query(unit) for unit in units if unit.excluded]
        if excluded:
            whoosh_query = AndNot(whoosh_query, Or(excluded))
        filter_query, mask = _filter_query(filters)
        results = searcher.searcher.search(
            whoosh_query,
            limit=max(limit, RERANK_DEPTH),
            filter=filter_query,
            mask=mask,
        )
        total = results.scored_length()
        ranked = _rerank(searcher, results, positive)[:limit]
        interpreted = " ".join(_describe(unit) for unit in units)
        hits = [_hit(config, stored, score, positive) for stored, score in ranked]
        suggestion = None
        if not hits:
            suggestion = _suggest(searcher, query, units, filters)
        return SearchResult(hits, total, interpreted, notices, suggestion)
    finally:
        searcher.close()


def _describe(unit: Unit) -> str:
    prefix = "-" if unit.excluded else "+" if unit.required else ""
    alternatives = "|".join(unit.terms)
    return prefix + alternatives


def _rerank(searcher: _Searcher, results: Any, units: list[Unit]) -> list[tuple[dict, float]]:
    """Scale each score by the share of query words the document contains."""
    scored = [(hit.docnum, hit.score, hit.fields()) for hit in results]
    if len(units) < 2 or not scored:
        return [(stored, score) for _docnum, score, stored in scored]
    from whoosh.query import Or
    from whoosh.query import Term as WhooshTerm

    docnums = sorted({docnum for docnum, _score, _stored in scored})
    coverage = dict.fromkeys(docnums, 0)
    for unit in units:
        words = [*unit.terms, *unit.compound_parts]
        unit_query = Or([WhooshTerm(name, term) for term in words for name in TEXT_FIELDS])
        # Walk the unit's postings only to the top documents (skipping whole blocks).
        matcher = unit_query.matcher(searcher.searcher)
        for docnum in docnums:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                coverage[docnum] += 1
    total = len(units)
    ranked = [
        (stored, score * (0.25 + 0.75 * coverage[docnum] / total))
        for docnum, score, stored in scored
    ]
    ranked.sort(key=lambda item: -item[1])
    return ranked


def _suggest(
    searcher: _Searcher, query: str, units: list[Unit], filters: SearchFilter
) -> str | None:
    """A corrected query worth trying, when one exists."""
    changed = False
    words: list[str] = []
    for unit in units:
        word = fold(unit.surface)
        if unit.excluded or any(searcher.known(term) for term in unit.terms):
            words.append(word)
            continue
        limit = 1 if len(word) < 5 else 2
        better = searcher.best_word(word, limit) if len(word) >= 3 else None
        if better:
            words.append(better)
            changed = True
        else:
            words.append(word)
    if changed:
        return " ".join(words)
    return None


# --- snippets ------------------------------------------------------------------------------

SNIPPET_WIDTH = 180
_MARKUP = re.compile(r"^\s*(?:#+|[-*+>]|\d+[.)]|\|)?\s*")


def _hit(config: Config, stored: dict, score: float, units: list[Unit]) -> Hit:
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
        for term in (*unit.terms, *unit.compound_parts):
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
        matched = {unit for _start, _end, unit in find_terms(raw, wanted)}
        if matched and (best is None or len(matched) > best[0]):
            best = (len(matched), -index, index)
    if best is None:
        if fallback:
            return body_line, _clip(fallback, 0)[0], (), 1
        index = first_text if first_text is not None else max(body_line - 1, 0)
        line_text = lines[index] if index < len(lines) else ""
        snippet, _offset = _clip(_MARKUP.sub("", line_text.rstrip("\r")), 0)
        return index + 1, snippet, (), 1
    index = best[2]
    raw = lines[index].rstrip("\r")
    spans = [(start, end) for start, end, _unit in find_terms(raw, wanted)]
    spans = _merge_spans(spans)
    markup = len(_MARKUP.match(raw).group()) if _MARKUP.match(raw) else 0  # type: ignore[union-attr]
    visible = raw[markup:]
    first_match = spans[0][0] - markup if spans else 0
    snippet, offset = _clip(visible, max(first_match, 0))
    highlights = tuple(
        (start - markup - offset, end - markup - offset)
        for start, end in spans
        if start - markup - offset >= 0 and end - markup - offset <= len(snippet)
    )
    # A byte column, as vim's quickfix (%c) and `rg --vimgrep` count: Cyrillic is 2 bytes.
    column = len(raw[: spans[0][0]].encode("utf-8")) + 1 if spans else 1
    return index + 1, snippet, highlights, column


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
