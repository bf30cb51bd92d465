"""Reading the query: synonyms, command-line flags, layout and transliteration decided for the
query as a whole, guarded typo correction, first-letter typos, and ``--explain``.

Real indexes over small bases in real git repositories; the CLI cases run on kb-content.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbctl.config import Config, load_config
from kbctl.search.index import current_folder, open_index
from kbctl.search.interpret import interpret, transliterate
from kbctl.search.query import search
from kbctl.search.searcher import Searcher
from kbctl.search.synonyms import (
    MAX_SYNONYM_BYTES,
    builtin_synonyms,
    load_synonyms,
    parse_synonyms,
    phrase_terms,
    read_synonym_file,
)
from kbctl.search.wordlist import general_words, is_real_word
from tests.conftest import GitRepo

ARTICLES: dict[str, tuple[str, str]] = {
    "laptop.md": ("Ноутбук не включается", "Если ноутбук не включается, проверьте зарядку."),
    "refund.md": ("Refund policy", "How to get a refund for a duplicate charge."),
    "money-back.md": ("Money back guarantee", "The money back guarantee lasts 30 days."),
    "listing.md": ("Listing files", "Run ls -la in the terminal to see every file."),
    "hidden.md": ("Hidden files in Finder", "Show hidden files in the Finder with a shortcut."),
    "mail.md": ("Клиент не получает письма", "Письма клиенту не доходят: проверьте спам."),
    "mail-setup.md": ("Как настроить почту", "Настроить почту можно в разделе настроек."),
    "screen.md": ("Экран", "Протрите экран чисто и сухо."),
    "keys.md": ("Keyboard shortcuts", "Every keyboard shortcut of the app."),
    "k8s.md": ("Kubernetes cluster", "Deploy the agent to a kubernetes cluster."),
    "typo.md": ("Old note", "You recieve a copy of the letter."),
    **{
        f"notice-{n}.md": (f"Notice {n}", f"You receive notice number {n} by post.")
        for n in range(12)
    },
}


def make_base(repo: GitRepo, toml: str = "", synonyms: str | None = None) -> Config:
    for name, (title, body) in ARTICLES.items():
        repo.write_article(f"kb/{name}", body + "\n", id=name[:-3], title=title)
    repo.write("kbctl.toml", 'content = "kb"\n' + toml)
    if synonyms is not None:
        repo.write("synonyms.txt", synonyms)
    repo.commit("base")
    return load_config(kb=None, cwd=repo.path)


@pytest.fixture
def config(git_repo: GitRepo) -> Config:
    return make_base(
        git_repo,
        '[search]\nsynonyms = "synonyms.txt"\n',
        "# test synonyms\nхипчат => hipchat\nmoney back, refund\nbad line => \n, ,\n",
    )


def paths(config: Config, query: str) -> list[str]:
    return [Path(hit.path).stem for hit in search(config, query).hits]


# --- the synonym format ----------------------------------------------------------------------


def test_solr_format_equivalence_one_way_phrases_and_comments() -> None:
    parsed = parse_synonyms(
        "# comment\nноут, ноутбук, laptop  # trailing\nвотсап, ватсап => whatsapp\n", "s.txt"
    )
    assert parsed.warnings == []
    assert parsed.lookup(phrase_terms("ноут")) == {phrase_terms("ноутбук"), ("laptop",)}
    assert parsed.lookup(phrase_terms("laptops")) == {phrase_terms("ноут"), phrase_terms("ноутбук")}
    assert parsed.lookup(phrase_terms("вотсап")) == {("whatsapp",)}
    assert parsed.lookup(("whatsapp",)) == set()  # one way only
    phrase = parse_synonyms("money back, refund", "s.txt")
    assert phrase.lookup(("money", "back")) == {("refund",)}
    assert phrase.label(("money", "back")) == "money back"


def test_bad_lines_are_path_line_warnings_and_the_rest_loads() -> None:
    parsed = parse_synonyms("a => b => c\nодно\nx, , y\n=> z\nвинда, windows\nи, в\n", "syn.txt")
    assert [w.split(": ")[0] for w in parsed.warnings] == [
        "syn.txt:1",
        "syn.txt:2",
        "syn.txt:3",
        "syn.txt:4",
        "syn.txt:6",
    ]
    assert parsed.lookup(phrase_terms("винда")) == {("window",)}


def test_builtin_list_loads_cleanly_with_slang_and_product_names() -> None:
    builtin = builtin_synonyms()
    assert builtin.warnings == []
    assert phrase_terms("ноутбук") in builtin.lookup(phrase_terms("ноут"))
    assert ("whatsapp",) in builtin.lookup(phrase_terms("вотсап"))
    assert phrase_terms("учетная запись") in builtin.lookup(phrase_terms("учётка"))
    assert ("refund",) in builtin.lookup(("money", "back"))
    assert phrase_terms("sign in") in builtin.lookup(phrase_terms("log in"))


def test_a_linked_or_huge_synonyms_file_is_not_read(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("ноут, ноутбук\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert read_synonym_file(link, "link.txt").rules == {}
    assert "link.txt:1: not a regular file" in read_synonym_file(link, "link.txt").warnings[0]
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a, b\n" * (MAX_SYNONYM_BYTES // 5 + 1))
    assert read_synonym_file(huge, "huge.txt").rules == {}
    assert (
        "missing.txt:1:" in read_synonym_file(tmp_path / "missing.txt", "missing.txt").warnings[0]
    )


def test_a_synonyms_path_outside_the_repository_is_a_warning(git_repo: GitRepo) -> None:
    outside = git_repo.path.parent / "outside.txt"
    outside.write_text("зарядник, зарядку\n", encoding="utf-8")
    config = make_base(git_repo, '[search]\nsynonyms = "../outside.txt"\n')
    synonyms = load_synonyms(config)
    assert any("outside the repository" in warning for warning in synonyms.warnings)
    assert synonyms.lookup(phrase_terms("зарядник")) == set()
    result = search(config, "зарядку")
    assert any("outside the repository" in notice for notice in result.notices)


# --- synonyms at query time -------------------------------------------------------------------


def test_slang_finds_the_article_through_the_builtin_list(config: Config) -> None:
    assert paths(config, "ноут")[0] == "laptop"


def test_exact_phrase_ranks_before_its_synonym(config: Config) -> None:
    found = paths(config, "money back")
    assert found[:2] == ["money-back", "refund"]
    assert paths(config, "refund")[:2] == ["refund", "money-back"]


def test_base_file_is_read_and_its_bad_lines_reported(config: Config) -> None:
    result = search(config, "money back")
    assert any(notice.startswith("synonyms.txt:4:") for notice in result.notices)
    assert any(notice.startswith("synonyms.txt:5:") for notice in result.notices)


def test_builtin_list_can_be_switched_off(git_repo: GitRepo) -> None:
    config = make_base(
        git_repo,
        '[search]\nbuiltin_synonyms = false\nsynonyms = "synonyms.txt"\n',
        "зарядник, зарядку\n",
    )
    assert paths(config, "ноут") == []
    assert paths(config, "зарядник") == ["laptop"]


def test_editing_the_synonyms_needs_no_rebuild(git_repo: GitRepo) -> None:
    config = make_base(git_repo, '[search]\nsynonyms = "synonyms.txt"\n', "# none yet\n")
    assert paths(config, "guarantee") == ["money-back"]
    folder = current_folder(config)
    assert paths(config, "warranty") == []
    (git_repo.path / "synonyms.txt").write_text("warranty, guarantee\n", encoding="utf-8")
    assert paths(config, "warranty") == ["money-back"]
    assert current_folder(config) == folder


# --- query reading ------------------------------------------------------------------------------


def read(
    config: Config, query: str
) -> tuple[list[str], list[str], list[list[tuple[str, str, str]]]]:
    index = open_index(config)
    searcher = Searcher(index)
    try:
        units, notices = interpret(searcher, query, load_synonyms(config))
        return [next(iter(u.terms)) for u in units], notices, [u.applied for u in units]
    finally:
        searcher.close()
        index.ix.close()


def test_short_dash_words_are_command_line_flags(config: Config) -> None:
    assert paths(config, "ls -la")[0] == "listing"
    assert "listing" in paths(config, "files -la")
    assert "hidden" not in paths(config, "files -finder")  # 4+ letters: still excluded


def test_a_lone_stop_word_or_short_word_is_never_switched(config: Config) -> None:
    for query in ("в", "d", "как", "rfr", "vpn в офисе"):
        _terms, notices, _applied = read(config, query)
        assert not any("keyboard layout" in notice for notice in notices), query


def test_layout_is_switched_for_the_query_as_a_whole(config: Config) -> None:
    _terms, notices, _applied = read(config, "rfr yfcnhjbnm gjxne")
    assert notices == [
        "keyboard layout switched: yfcnhjbnm -> настроить, gjxne -> почту, rfr -> как"
    ]
    assert paths(config, "rfr yfcnhjbnm gjxne")[0] == "mail-setup"


def test_latin_transliteration_is_read_as_russian(config: Config) -> None:
    result = search(config, "klient ne poluchaet pisma")
    assert Path(result.hits[0].path).stem == "mail"
    assert any(n.startswith("read as transliteration: klient -> клиент") for n in result.notices)
    assert transliterate("poluchaet") == "получает"
    assert transliterate("schet") == "щет" and transliterate("zhurnal") == "журнал"


def test_cyrillic_spelling_of_a_latin_word_is_read_back(config: Config) -> None:
    assert transliterate("кубернетес") == "kubernetes"
    assert paths(config, "кубернетес")[0] == "k8s"


def test_a_real_word_is_not_corrected_into_another(config: Config) -> None:
    assert is_real_word("число") and is_real_word("receive") and not is_real_word("recieve")
    assert paths(config, "число") == []  # "чисто" is in the base, one edit away
    assert paths(config, "чистл")[0] == "screen"  # a typo still is corrected


def test_a_rare_misspelling_with_a_frequent_neighbour_is_corrected(config: Config) -> None:
    _terms, _notices, applied = read(config, "recieve")
    assert ("correction", "recieve", "receiv") in applied[0]
    found = paths(config, "recieve")
    assert found[0] == "typo" and len(found) > 1  # the word as typed first, then receive


def test_a_typo_in_the_first_letter_is_found(config: Config) -> None:
    assert paths(config, "jeyboard")[0] == "keys"
    assert paths(config, "моутбук")[0] == "laptop"


def test_general_word_list_is_installed() -> None:
    words = general_words()
    assert words is not None and len(words) > 50_000


# --- --explain ----------------------------------------------------------------------------------


def test_explain_names_fields_readings_and_score_parts(config: Config) -> None:
    result = search(config, "money back", explain=True)
    assert result.explanations is not None and len(result.explanations) == len(result.hits)
    first, second = result.explanations[:2]
    assert first.words[0].fields["head"] == ["money"]
    assert "refund" in second.words[0].fields["head"]
    assert ("synonym", "money back", "refund") in [
        (a.kind, a.source, a.target) for a in second.words[0].applied
    ]
    assert first.parts["score"] == pytest.approx(result.hits[0].score)
    assert list(first.parts) == [
        "fieldwise",
        "fieldwise_rank",
        "bm25f",
        "bm25f_rank",
        "coverage",
        "fused",
        "score",
    ]
    assert search(config, "money back").explanations is None


def test_explain_json_and_table_on_the_bundled_base(cli, kb_copy: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "money back", "--explain", "--format", "json", "--kb", str(kb_copy))
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    explain = hits[0]["explain"]
    assert set(explain) == {"words", "score_parts"}
    assert explain["score_parts"]["score"] == hits[0]["score"]
    word = explain["words"][0]
    assert set(word) == {"word", "required", "terms", "phrases", "applied", "fields"}
    assert {"kind": "synonym", "from": "money back", "to": "refund"} in word["applied"]
    table = cli("search", "gfhjkm", "--explain", "--kb", str(kb_copy))
    assert table.exit_code == 0
    assert "why: fieldwise" in table.stdout and "layout gfhjkm -> пароль" in table.stdout
    refused = cli("search", "vpn", "--explain", "--format", "paths", "--kb", str(kb_copy))
    assert refused.exit_code == 2


def test_no_hits_without_explain_keep_the_plain_json_shape(cli, kb_copy: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "money back", "--format", "json", "--kb", str(kb_copy))
    assert "explain" not in json.loads(result.stdout)[0]


def test_a_search_of_known_words_loads_no_word_list(config: Config) -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from pathlib import Path; from kbctl.config import load_config;"
        "from kbctl.search.query import search;"
        f"config = load_config(cwd=Path({str(config.config_dir)!r}));"
        "search(config, 'ноутбук включается'); search(config, 'ноут');"
        "print(sorted(m for m in ('msgpack', 'rapidfuzz') if m in sys.modules));"
        "search(config, 'клавиатра'); print('msgpack' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "True"]


def test_a_word_the_base_uses_widely_gets_no_synonyms(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbctl.search import interpret as reading

    config = make_base(git_repo, '[search]\nsynonyms = "synonyms.txt"\n', "receive, obtain\n")
    assert "obtain" in read(config, "receive")[2][0][0]  # 12 of 24 articles: below 50
    monkeypatch.setattr(reading, "SYNONYM_SKIP_ARTICLES", 10)
    monkeypatch.setattr(reading, "SYNONYM_SKIP_SHARE", 0.4)
    assert read(config, "receive")[2] == [[]]
    assert read(config, "obtain")[2][0] == [("synonym", "obtain", "receive")]
