"""Finding near-duplicate articles.

Each body is reduced to word shingles: runs of :data:`SHINGLE` consecutive words, folded and
stemmed as the search index does (Russian and English), stop words left out, so that
"the password reset e-mail" and "password reset emails" agree. The similarity of two
articles is the Jaccard index of their shingle sets. MinHash signatures (datasketch) put
articles whose similarity is probably above the threshold into the same LSH bucket; only
those candidate pairs are then measured exactly. A pair in different languages (a
translation) is never a duplicate: its shingles share at most codes and names.
"""

from __future__ import annotations

import posixpath
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    import numpy as np

    from kbctl.config import Config
    from kbctl.duplicates.cache import Signature, SignatureCache
    from kbctl.model import Article

SHINGLE = 3
"""Words per shingle: 3 stemmed content words survive rewording better than 5, and are
still rare enough that two unrelated articles share few."""
NUM_PERM = 128
MIN_SHINGLES = 8
"""Articles with fewer shingles (a few lines) are too short to call duplicates."""
LSH_MARGIN = 0.1
"""LSH looks for pairs this much below the threshold; exact measuring then decides."""
MAX_PASSAGES = 3
PASSAGE_CHARS = 240

_TOKEN = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")
_LINK = re.compile(
    r"\]\(\s*<?([^)\s>#?]+\.(?:md|markdown))(?:[#?][^)\s]*)?>?(?:\s+\"[^\"]*\")?\s*\)"
)
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_MIX = 0x9E3779B97F4A7C15  # the golden-ratio constant: mixes word hashes into a shingle hash
DEFAULT_THRESHOLD = 0.3
"""Unrelated articles of the bundled base share at most 0.03 (see README, duplicates)."""
STATUS_RANK = {"validated": 3, "not_validated": 2, "wip": 1}


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's shingles: their hashes (sorted, unique), the words' spans in the body
    and each shingle's first word, and the body's language ("ru", "en" or "")."""

    path: str
    hashes: np.ndarray[Any, Any]
    language: str
    spans: tuple[tuple[int, int], ...] = ()
    order: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Passage:
    """Text two articles share: where it is in each (1-based lines) and the text (of the
    first article, cut to :data:`PASSAGE_CHARS`)."""

    text: str
    line: int
    other_line: int
    words: int


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two near-duplicate articles (base-relative paths) and their similarity (Jaccard)."""

    first: str
    second: str
    similarity: float
    passages: tuple[Passage, ...] = ()


@dataclass(slots=True)
class DuplicateGroup:
    """Articles that are near-duplicates of each other (through pairs), the suggested keeper
    first, and the pairs that tie them."""

    paths: list[str]
    keeper: str
    reasons: list[str]
    pairs: list[DuplicatePair] = field(default_factory=list)
    links_in: dict[str, int] = field(default_factory=dict)
    reuse: dict[str, int] = field(default_factory=dict)

    @property
    def similarity(self) -> float:
        """The highest similarity of the group's pairs."""
        return max((pair.similarity for pair in self.pairs), default=0.0)


class WordHashes(dict[str, int]):
    """Per run: a word as written (folded) -> its code: the 32-bit hash of its stem times 4
    plus its script (1 Cyrillic, 2 Latin, 0 other), or -1 for a stop word. A base has far
    fewer distinct words than words, so each is stemmed and hashed once."""

    def of(self, token: str) -> int:
        """The code of one folded token."""
        found = self.get(token)
        if found is None:
            from kbctl.search.analysis import STOP_WORDS, stem

            if token in STOP_WORDS or len(token) < 2:
                found = -1
            else:
                script = 1 if _CYRILLIC.search(token) else 2 if _LATIN.search(token) else 0
                found = zlib.crc32(stem(token).encode("utf-8")) * 4 + script
            self[token] = found
        return found


def _shingle_hashes(words: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """One 32-bit hash per run of :data:`SHINGLE` consecutive word hashes, in text order."""
    import numpy as np

    if len(words) < SHINGLE:
        return np.zeros(0, dtype=np.uint32)
    values = words.astype(np.uint64)
    mixed = np.zeros(len(values) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE):
            # Add, then multiply: every word reaches the high bits that are kept.
            mixed = (mixed + values[offset : len(values) - SHINGLE + 1 + offset]) * _MIX
    return (mixed >> np.uint64(32)).astype(np.uint32)


def fingerprint(
    article: Article, *, keep_spans: bool = False, words: WordHashes | None = None
) -> Fingerprint:
    """The shingles of ``article``'s body (``keep_spans``: also where each word is, to show
    shared passages). ``words`` caches word hashes across the articles of one run."""
    import numpy as np

    from kbctl.search.analysis import fold

    cache = words if words is not None else WordHashes()
    known, code_of = cache.get, cache.of
    if keep_spans:
        matches = list(_TOKEN.finditer(article.body))
        tokens = [fold(match.group()) for match in matches]
    else:
        tokens = _TOKEN.findall(fold(article.body))
    codes = np.fromiter(
        (known(token) or code_of(token) for token in tokens), dtype=np.int64, count=len(tokens)
    )
    kept = codes >= 0
    words_kept = codes[kept]
    scripts = np.bincount(words_kept & 3, minlength=3)
    language = "ru" if scripts[1] > scripts[2] else "en" if scripts[2] else ""
    ordered = _shingle_hashes(words_kept >> 2)
    unique = np.unique(ordered)
    if not keep_spans:
        return Fingerprint(article.path, unique, language)
    spans = tuple(match.span() for match, keep in zip(matches, kept.tolist(), strict=True) if keep)
    return Fingerprint(article.path, unique, language, spans, tuple(ordered.tolist()))


def jaccard(first: Fingerprint, second: Fingerprint) -> float:
    """The Jaccard index of two shingle sets."""
    import numpy as np

    if not len(first.hashes) or not len(second.hashes):
        return 0.0
    common = len(np.intersect1d(first.hashes, second.hashes, assume_unique=True))
    return common / (len(first.hashes) + len(second.hashes) - common)


def _identity(value: int) -> int:
    return value


def _signatures(prints: Sequence[Fingerprint]) -> list[np.ndarray[Any, Any]]:
    """The MinHash values of each fingerprint (:data:`NUM_PERM` permutations, one seed)."""
    from datasketch import MinHash

    first = MinHash(num_perm=NUM_PERM, hashfunc=_identity)
    signatures = []
    for item in prints:
        minhash = MinHash(
            num_perm=NUM_PERM,
            hashfunc=_identity,
            permutations=first.permutations,
            scheme=first.scheme,
        )
        minhash.update_batch(item.hashes.tolist())
        signatures.append(minhash.hashvalues)
    return signatures


def _lsh_pairs(
    signatures: Sequence[np.ndarray[Any, Any]], threshold: float
) -> set[tuple[int, int]]:
    """Index pairs (i < j) whose MinHash values agree in at least one LSH band, with the
    bands and rows datasketch's ``MinHashLSH`` picks for ``threshold`` (less
    :data:`LSH_MARGIN`). The buckets are found by sorting each band's values in numpy
    (datasketch inserts and queries band by band in Python: ~10x slower at 10k)."""
    import numpy as np

    bands, rows = lsh_bands(max(0.05, threshold - LSH_MARGIN))
    pairs: set[tuple[int, int]] = set()
    if len(signatures) < 2:
        return pairs
    matrix = np.vstack(signatures).astype(np.uint32)
    for band in range(bands):
        part = np.ascontiguousarray(matrix[:, band * rows : (band + 1) * rows])
        keys = part.view(f"V{part.itemsize * rows}").ravel()
        order = np.argsort(keys, kind="stable")
        ranked = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1], [True])))
        for begin, stop in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
            if stop - begin < 2:
                continue
            members = sorted(order[begin:stop].tolist())
            for first_at, first in enumerate(members):
                for second in members[first_at + 1 :]:
                    pairs.add((first, second))
    return pairs


def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) for ``threshold``: datasketch's ``MinHashLSH`` choice (the
    least false positive plus false negative probability, weighted equally), computed
    here so that a warm run does not import datasketch (and scipy, 0.5 s) for it.

    Both probabilities integrate polynomials of degree at most ``num_perm``; Gauss-Legendre
    quadrature with more than ``num_perm / 2`` points integrates them exactly."""
    import numpy as np

    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 8)
    best, chosen = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):

            def collide(low: float, high: float, b: int = bands, r: int = rows) -> float:
                at = (high - low) / 2 * nodes + (high + low) / 2
                return float((high - low) / 2 * np.dot(weights, 1 - (1 - at**r) ** b))

            false_positive = collide(0.0, threshold)
            false_negative = (1.0 - threshold) - collide(threshold, 1.0)
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best:
                best, chosen = error, (bands, rows)
    return chosen


def candidate_pairs(prints: Sequence[Fingerprint], threshold: float) -> set[tuple[int, int]]:
    """Index pairs (i < j) whose MinHash signatures collide in an LSH band set for
    ``threshold`` (less :data:`LSH_MARGIN`): no pair is compared outside a bucket."""
    return _lsh_pairs(_signatures(prints), threshold)


def _comparable(first: Signature, second: Signature) -> bool:
    """Same language (a translated pair is not a duplicate) and both long enough."""
    if first.shingles < MIN_SHINGLES or second.shingles < MIN_SHINGLES:
        return False
    return not (first.language and second.language and first.language != second.language)


ESTIMATE_MARGIN = 0.2
"""A candidate pair whose MinHash estimate of similarity is this far below the threshold is
not measured: with 128 permutations the estimate's standard deviation is at most 0.045, so
this is over 4 of them (LSH is tuned wide, so most candidates are far below)."""


def _may_reach(first: Signature, second: Signature, threshold: float) -> bool:
    """Whether the MinHash estimate (the share of equal values) is near enough to measure."""
    import numpy as np

    estimate = float(np.count_nonzero(first.values == second.values)) / NUM_PERM
    return estimate >= threshold - ESTIMATE_MARGIN


def signatures(articles: Sequence[Article], cache: SignatureCache | None = None) -> list[Signature]:
    """Each article's signature: from ``cache`` when its body is unchanged, else computed
    (shingles, then MinHash) and put in ``cache``."""
    from kbctl.duplicates.cache import Signature, SignatureCache, body_digest

    store = cache if cache is not None else SignatureCache.memory()
    found: list[Signature | None] = []
    missing: list[int] = []
    for number, article in enumerate(articles):
        digest = body_digest(article.body)
        cached = store.get(article.path, digest)
        found.append(cached)
        if cached is None:
            missing.append(number)
    if missing:
        words = WordHashes()
        prints = [fingerprint(articles[number], words=words) for number in missing]
        for number, item, values in zip(missing, prints, _signatures(prints), strict=True):
            article = articles[number]
            made = Signature(body_digest(article.body), item.language, len(item.hashes), values)
            store.put(article.path, made)
            found[number] = made
    return [signature for signature in found if signature is not None]


def find_duplicates_cached(
    config: Config,
    articles: Sequence[Article],
    *,
    live: Iterable[Article],
    threshold: float,
    reuse: Mapping[str, int] | None = None,
    within: Iterable[str] | None = None,
) -> list[DuplicateGroup]:
    """:func:`find_duplicates` through the base's signature cache: only articles whose
    bodies changed are hashed again, and the cache then keeps the ``live`` articles only."""
    from kbctl.duplicates.cache import SignatureCache

    cache = SignatureCache.open(config)
    groups = find_duplicates(articles, threshold=threshold, reuse=reuse, within=within, cache=cache)
    cache.save({article.path for article in live})
    return groups


def find_duplicates(
    articles: Sequence[Article],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    reuse: Mapping[str, int] | None = None,
    within: Iterable[str] | None = None,
    cache: SignatureCache | None = None,
) -> list[DuplicateGroup]:
    """Groups of near-duplicate articles (similarity >= ``threshold``), most similar first.

    Archived articles are left out. ``within`` (paths) keeps only groups with one of those
    articles. Each group names a keeper (see :func:`keeper_order`; ``reuse`` gives tickets
    solved per path) and the shared passages of each pair. ``cache`` keeps signatures
    between runs (see :mod:`kbctl.duplicates.cache`; the caller saves it): only articles
    whose body changed are shingled again, and those of candidate pairs, to measure them.
    """
    chosen = [article for article in articles if not article.is_archived]
    found = signatures(chosen, cache)
    words = WordHashes()
    prints: dict[int, Fingerprint] = {}

    def shingles(number: int) -> Fingerprint:
        if number not in prints:
            prints[number] = fingerprint(chosen[number], words=words)
        return prints[number]

    # Too short to compare: never in LSH (their signatures would all share one bucket).
    long_enough = [number for number, item in enumerate(found) if item.shingles >= MIN_SHINGLES]
    candidates = _lsh_pairs([found[number].values for number in long_enough], threshold)
    verified: list[tuple[int, int, float]] = []
    for i, j in sorted((long_enough[a], long_enough[b]) for a, b in candidates):
        if not _comparable(found[i], found[j]) or not _may_reach(found[i], found[j], threshold):
            continue
        similarity = jaccard(shingles(i), shingles(j))
        if similarity >= threshold:
            verified.append((i, j, similarity))
    wanted = None if within is None else set(within)
    groups = _group(chosen, verified, reuse or {}, inbound_links(articles))
    if wanted is not None:
        groups = [group for group in groups if wanted & set(group.paths)]
    return groups


def similar_to(
    articles: Sequence[Article], paths: Iterable[str], threshold: float
) -> dict[str, list[tuple[str, float]]]:
    """For each article in ``paths``: the other articles at least ``threshold`` similar to
    it, most similar first (the check rule's question about added articles)."""
    groups = find_duplicates(articles, threshold=threshold, within=paths)
    wanted = set(paths)
    found: dict[str, list[tuple[str, float]]] = {}
    for group in groups:
        for pair in group.pairs:
            for mine, other in ((pair.first, pair.second), (pair.second, pair.first)):
                if mine in wanted:
                    found.setdefault(mine, []).append((other, pair.similarity))
    return {path: sorted(others, key=lambda item: -item[1]) for path, others in found.items()}


def _group(
    articles: Sequence[Article],
    pairs: Sequence[tuple[int, int, float]],
    reuse: Mapping[str, int],
    links: Mapping[str, int],
) -> list[DuplicateGroup]:
    parent = list(range(len(articles)))

    def root(number: int) -> int:
        while parent[number] != number:
            parent[number] = parent[parent[number]]
            number = parent[number]
        return number

    for i, j, _similarity in pairs:
        parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i, j, _similarity in pairs:
        for number in (i, j):
            group = members.setdefault(root(number), [])
            if number not in group:
                group.append(number)
    groups: list[DuplicateGroup] = []
    for numbers in members.values():
        chosen = [articles[number] for number in numbers]
        ranked = keeper_order(chosen, reuse, links)
        keeper, reasons = ranked[0]
        paths = [article.path for article, _reasons in ranked]
        rank = {path: number for number, path in enumerate(paths)}
        group_pairs = []
        for i, j, similarity in pairs:
            if root(i) != root(numbers[0]):
                continue
            better, worse = sorted((articles[i], articles[j]), key=lambda a: rank[a.path])
            group_pairs.append(_pair(better, worse, similarity))
        group_pairs.sort(key=lambda pair: (-pair.similarity, rank[pair.first], rank[pair.second]))
        groups.append(
            DuplicateGroup(
                paths,
                keeper.path,
                reasons,
                group_pairs,
                links_in={path: links.get(path, 0) for path in paths},
                reuse={path: reuse.get(path, 0) for path in paths},
            )
        )
    groups.sort(key=lambda group: (-group.similarity, group.keeper))
    return groups


def keeper_order(
    articles: Sequence[Article], reuse: Mapping[str, int], links: Mapping[str, int]
) -> list[tuple[Article, list[str]]]:
    """``articles`` best keeper first, each with why: validated over not, more recently
    reviewed, more linked to, more reused (tickets solved), then the older (created), then
    the path."""

    def key(article: Article) -> tuple[int, date, int, int, date, str]:
        return (
            -STATUS_RANK.get(article.status or "", 0),
            _negated(article.last_reviewed),
            -links.get(article.path, 0),
            -reuse.get(article.path, 0),
            article.created or date.max,
            article.path,
        )

    ranked = sorted(articles, key=key)
    result: list[tuple[Article, list[str]]] = []
    for article in ranked:
        reasons = [_("status {status}").format(status=article.status or _("unknown"))]
        if article.last_reviewed:
            reasons.append(_("reviewed {date}").format(date=article.last_reviewed.isoformat()))
        linked, reused = links.get(article.path, 0), reuse.get(article.path, 0)
        reasons.append(
            ngettext("{count} link to it", "{count} links to it", linked).format(count=linked)
        )
        reasons.append(
            ngettext("reused {count} time", "reused {count} times", reused).format(count=reused)
        )
        result.append((article, reasons))
    return result


def _negated(day: date | None) -> date:
    """A sort key that puts later dates first (and no date last)."""
    if day is None:
        return date.max
    return date.fromordinal(date.max.toordinal() - day.toordinal() + 1)


def inbound_links(articles: Sequence[Article]) -> dict[str, int]:
    """How many other articles link to each article (relative Markdown links to .md files)."""
    paths = {article.path for article in articles}
    counts: dict[str, int] = {}
    for article in articles:
        folder = posixpath.dirname(article.path)
        targets = set()
        for match in _LINK.finditer(article.body):
            target = match.group(1)
            if "://" in target or target.startswith("/"):
                continue
            resolved = posixpath.normpath(posixpath.join(folder, target))
            if resolved in paths and resolved != article.path:
                targets.add(resolved)
        for target in targets:
            counts[target] = counts.get(target, 0) + 1
    return counts


def _pair(first: Article, second: Article, similarity: float) -> DuplicatePair:
    return DuplicatePair(
        first.path, second.path, round(similarity, 3), tuple(shared_passages(first, second))
    )


def shared_passages(first: Article, second: Article) -> list[Passage]:
    """The longest runs of shingles ``first`` shares with ``second``, longest first (at most
    :data:`MAX_PASSAGES`), as text of ``first`` with the lines in both."""
    words = WordHashes()
    one = fingerprint(first, keep_spans=True, words=words)
    two = fingerprint(second, keep_spans=True, words=words)
    where: dict[int, int] = {}
    for position, value in enumerate(two.order):
        where.setdefault(value, position)
    runs: list[tuple[int, int, int]] = []  # (length in shingles, start in one, start in two)
    position = 0
    while position < len(one.order):
        if one.order[position] not in where:
            position += 1
            continue
        start = position
        while position < len(one.order) and one.order[position] in where:
            position += 1
        runs.append((position - start, start, where[one.order[start]]))
    runs.sort(key=lambda run: (-run[0], run[1]))
    passages: list[Passage] = []
    for length, start, other in runs[:MAX_PASSAGES]:
        last_word = min(start + length - 1 + SHINGLE - 1, len(one.spans) - 1)
        begin, end = one.spans[start][0], one.spans[last_word][1]
        text = " ".join(first.body[begin:end].split())
        if len(text) > PASSAGE_CHARS:
            text = text[: PASSAGE_CHARS - 1].rstrip() + "…"
        passages.append(
            Passage(
                text=text,
                line=first.body_line + first.body.count("\n", 0, begin),
                other_line=second.body_line + second.body.count("\n", 0, two.spans[other][0]),
                words=length + SHINGLE - 1,
            )
        )
    return passages
