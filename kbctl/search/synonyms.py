"""Synonyms: a base-wide list of words that mean the same, applied at query time.

The file format is Solr's synonym format, which OpenSearch and Elasticsearch read in their
``synonym_graph`` filter too, so one file can serve kbctl and a site search::

    # a comment
    ноут, ноутбук, laptop          # equivalent: each finds the others
    money back, refund             # phrases are allowed
    вотсап, ватсап => whatsapp     # one way: the left words also find the right ones

Each side is analysed like the index (folded, stemmed, stop words kept for matching), so
``ноуты`` matches ``ноут``. Synonyms never change the index: they are alternatives added to
the query with a lower weight (an exact match still ranks first), so editing the file needs
no rebuild. A line that cannot be read is a ``path:line`` warning and the rest still loads.
The built-in starter list is ``kbctl/search/data/synonyms.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kbctl.i18n import _
from kbctl.search.analysis import STOP_WORDS, analyze

if TYPE_CHECKING:
    from kbctl.config import Config

# Synonym files of a repository are data: read up to this size, never through a link.
MAX_SYNONYM_BYTES = 1 << 20
# Most rules kept (a huge file costs time on every search, not memory without bound).
MAX_RULES = 20_000
BUILTIN_NAME = "built-in synonyms"

Phrase = tuple[str, ...]  # analysed terms of one side entry, stop words kept


@dataclass(slots=True)
class Synonyms:
    """Rules by the phrase they start from: phrase -> the phrases it also finds."""

    rules: dict[Phrase, set[Phrase]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    longest: int = 0
    labels: dict[Phrase, str] = field(default_factory=dict)  # phrase -> as written
    # The accepted rules as Solr lines (comments dropped), for engines that read the
    # format themselves (OpenSearch's synonym_graph in `kbctl export`).
    lines: list[str] = field(default_factory=list)

    def label(self, phrase: Phrase) -> str:
        """``phrase`` as the synonyms file wrote it (first spelling seen)."""
        return self.labels.get(phrase, " ".join(phrase))

    def add(self, sources: list[Phrase], targets: list[Phrase]) -> None:
        """``sources`` also find every phrase of ``targets`` (but not themselves)."""
        for source in sources:
            found = self.rules.setdefault(source, set())
            found.update(target for target in targets if target != source)
            self.longest = max(self.longest, len(source))

    def extend(self, other: Synonyms) -> None:
        """Add ``other``'s rules and warnings to these."""
        for source, targets in other.rules.items():
            self.rules.setdefault(source, set()).update(targets)
            self.longest = max(self.longest, len(source))
        self.warnings.extend(other.warnings)
        self.lines.extend(other.lines)
        for phrase, text in other.labels.items():
            self.labels.setdefault(phrase, text)

    def lookup(self, phrase: Phrase) -> set[Phrase]:
        """The phrases ``phrase`` also finds (empty when it has no rule)."""
        return self.rules.get(phrase, set())


def phrase_terms(text: str) -> Phrase:
    """The analysed terms of one synonym entry or query span (stop words kept)."""
    return tuple(term.text for term in analyze(text, keep_stop_words=True) if not term.compound)


def _entries(text: str, labels: dict[Phrase, str]) -> list[Phrase] | None:
    phrases = []
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            return None
        terms = phrase_terms(entry)
        if not terms:
            return None
        labels.setdefault(terms, " ".join(entry.split()))
        phrases.append(terms)
    return phrases


def parse_synonyms(text: str, name: str) -> Synonyms:
    """Read Solr-format synonym lines; ``name`` prefixes the ``name:line`` warnings."""
    synonyms = Synonyms()
    count = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if count >= MAX_RULES:
            synonyms.warnings.append(
                _("{name}:{line}: more than {count} rules; rest ignored").format(
                    name=name, line=number, count=MAX_RULES
                )
            )
            break
        if line.count("=>") > 1:
            synonyms.warnings.append(
                _("{name}:{line}: more than one '=>'; line ignored").format(name=name, line=number)
            )
            continue
        if "=>" in line:
            left, right = line.split("=>")
            sources, targets = _entries(left, synonyms.labels), _entries(right, synonyms.labels)
            if not sources or not targets:
                synonyms.warnings.append(
                    _(
                        "{name}:{line}: 'words => words' needs words on both sides, separated"
                        " by commas; line ignored"
                    ).format(name=name, line=number)
                )
                continue
            synonyms.add(sources, targets)
            used = sources
        else:
            group = _entries(line, synonyms.labels)
            if not group or len(group) < 2:
                synonyms.warnings.append(
                    _(
                        "{name}:{line}: an equivalence needs two or more comma-separated words"
                        " (or 'a => b'); line ignored"
                    ).format(name=name, line=number)
                )
                continue
            synonyms.add(group, group)
            used = group
        if all(term in STOP_WORDS for phrase in used for term in phrase):
            synonyms.warnings.append(
                _("{name}:{line}: only stop words; never matched").format(name=name, line=number)
            )
        synonyms.lines.append(" ".join(line.split()))
        count += 1
    return synonyms


def builtin_synonyms() -> Synonyms:
    """kbctl's starter list (package data)."""
    text = (Path(__file__).parent / "data" / "synonyms.txt").read_text(encoding="utf-8")
    return parse_synonyms(text, BUILTIN_NAME)


def read_synonym_file(path: Path, shown: str) -> Synonyms:
    """A base's synonym file: a regular UTF-8 file (links not followed) within the size cap;
    anything else is a warning and no rules."""
    from kbctl.cachefile import read_regular

    if not path.exists() and not path.is_symlink():
        return Synonyms(
            warnings=[
                _("{path}:1: synonyms file not found; no base synonyms used").format(path=shown)
            ]
        )
    data = read_regular(path, MAX_SYNONYM_BYTES)
    if data is None:
        return Synonyms(
            warnings=[
                _(
                    "{path}:1: not a regular file of at most {size} KiB"
                    " (links are not followed); no base synonyms used"
                ).format(path=shown, size=MAX_SYNONYM_BYTES >> 10)
            ]
        )
    text = data.decode("utf-8", "replace")
    synonyms = parse_synonyms(text, shown)
    if "\ufffd" in text:
        synonyms.warnings.append(
            _("{path}:1: not UTF-8 everywhere; odd bytes replaced").format(path=shown)
        )
    return synonyms


def load_synonyms(config: Config) -> Synonyms:
    """The synonyms of ``config``'s base: the built-in list unless ``[search]
    builtin_synonyms = false``, extended by the base's ``[search] synonyms`` file (relative
    to kbctl.toml; a path leaving the repository is a warning and is not read)."""
    from kbctl.settings.core import repository_root

    chosen = config.settings.search
    synonyms = builtin_synonyms() if chosen.builtin_synonyms else Synonyms()
    if chosen.synonyms:
        here = config.config_dir
        path = here / chosen.synonyms
        shown = chosen.synonyms
        repository = repository_root(here)
        if not path.resolve().is_relative_to(repository):
            synonyms.warnings.append(
                _(
                    "{path}:1: [search] synonyms points outside the repository ({target}); not read"
                ).format(path=config.config_path or "kbctl.toml", target=shown)
            )
        else:
            synonyms.extend(read_synonym_file(path, shown))
    return synonyms
