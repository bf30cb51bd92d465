"""The mixed Russian/English analyzer, keyboard layouts and typo distances."""

from __future__ import annotations

import pickle

import pytest

from kbctl.search.analysis import MixedAnalyzer, analyze, index_terms, stem
from kbctl.search.query import convert_layout, edit_distance, max_typos


def terms(text: str) -> list[str]:
    return [term.text for term in analyze(text)]


def test_russian_word_forms_share_a_stem() -> None:
    assert stem("письма") == stem("письмо") == stem("письмом")
    assert stem("пароля") == stem("пароль") == stem("паролей")


def test_english_uses_porter2_not_porter1() -> None:
    assert stem("running") == "run"
    assert stem("security") == stem("securities")


def test_latin_words_are_not_mangled_by_the_russian_stemmer() -> None:
    assert terms("Настройка security") == [stem("настройка"), "secur"]


def test_yo_folds_to_ye_and_case_folds() -> None:
    assert terms("Учётная ЗАПИСЬ") == terms("учетная запись")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0x80070005", "0x80070005"),
        ("2FA", "2fa"),
        ("AADSTS50105", "aadsts50105"),
        ("5.7.708", "5.7.708"),
    ],
)
def test_codes_stay_searchable_as_typed(code: str, expected: str) -> None:
    assert expected in terms(f"ошибка {code} при входе")


def test_compound_tokens_index_their_parts_too() -> None:
    found = terms("Wi-Fi и e-mail")
    assert "wi-fi" in found and "wi" in found and "fi" in found
    assert "e-mail" in found and "mail" in found


def test_stop_words_dropped_unless_asked() -> None:
    assert terms("клиент не получает") == [stem("клиент"), stem("получает")]
    assert "не" in terms_keep("не")


def terms_keep(text: str) -> list[str]:
    return [term.text for term in analyze(text, keep_stop_words=True)]


def test_offsets_point_at_the_words() -> None:
    text = "Клиент не получает письма"
    for term in analyze(text):
        assert text[term.start : term.end] == term.surface


def test_index_terms_match_query_analysis() -> None:
    text = "Клиент не получает письма: 550 5.7.708, Wi-Fi, ёлка"
    assert list(index_terms(text)) == terms(text)


def test_analyzer_pickles_by_reference() -> None:
    analyzer = pickle.loads(pickle.dumps(MixedAnalyzer()))
    assert analyzer == MixedAnalyzer()
    assert [token.text for token in analyzer("Письма")] == [stem("письма")]


def test_keyboard_layout_both_ways() -> None:
    assert convert_layout("ghbdtn") == "привет"
    assert convert_layout("gfhjkm") == "пароль"
    assert convert_layout("lf. ,") is None  # a chunk with a space is not one word
    assert convert_layout("lf.n") == "дают"
    assert convert_layout("ыусгкшен") == "security"
    assert convert_layout("0x80070005") is None
    assert convert_layout("mixed слово") is None


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("security", "securty", 1),
        ("zapier", "zapeir", 1),  # a swap of neighbours is one edit
        ("kitten", "sitting", 3),
        ("абв", "абв", 0),
    ],
)
def test_edit_distance(first: str, second: str, distance: int) -> None:
    assert edit_distance(first, second, 3) == distance


def test_edit_distance_is_capped() -> None:
    assert edit_distance("abcdefgh", "zzzzzzzz", 1) == 2


def test_typo_budget_by_length() -> None:
    assert [max_typos(word) for word in ("sso", "пуши", "письма", "webhooks", "verification")] == [
        0,
        0,
        1,
        1,
        2,
    ]


def test_fast_one_edit_check_agrees_with_the_full_distance() -> None:
    import random

    from kbctl.search.query import within_one_edit

    rng = random.Random(7)
    for _ in range(5000):
        first = "".join(rng.choice("abв") for _ in range(rng.randint(0, 6)))
        second = "".join(rng.choice("abв") for _ in range(rng.randint(0, 6)))
        assert within_one_edit(first, second) == (edit_distance(first, second, 1) <= 1)


# ------------------------------------------------------------------ index hygiene (issue 13)


@pytest.mark.parametrize(
    ("token", "whole", "parts"),
    [
        ("fail2ban", "fail2ban", ["fail", "2", "ban"]),
        ("ipv6", "ipv6", ["ipv", "6"]),
        ("Win10", "win10", ["win", "10"]),
        ("PowerShell", stem("powershell"), ["power", "shell"]),
        ("OneDrive", stem("onedrive"), ["one", stem("drive")]),
        ("macOS", stem("macos"), ["mac", "os"]),
    ],
)
def test_letter_digit_and_camel_case_words_are_indexed_whole_and_by_parts(
    token: str, whole: str, parts: list[str]
) -> None:
    assert index_terms(token) == [whole, *parts]
    found = analyze(token)
    assert found[0].text == whole and found[0].compound
    assert [term.text for term in found[1:]] == parts
    # the lower-case spelling of a CamelCase word is the same whole term
    assert index_terms(token.lower())[0] == whole


@pytest.mark.parametrize("token", ["x509", "iPhone", "HTTP", "password", "a" * 20 + "1" * 20])
def test_words_with_one_part_or_too_long_stay_whole(token: str) -> None:
    assert len(index_terms(token)) == 1


def test_index_text_drops_data_uris_tags_attributes_and_link_targets() -> None:
    from kbctl.search.analysis import index_text

    body = (
        "See ![the logo](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=) and\n"
        '[the guide](https://example.com/zebrapath_(x) "Quagga title") then\n'
        '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP" alt="okapi">\n'
        '<span class="wombatclass" data-id="7">bold text</span> for <username>\n'
        "<!-- hidden narwhal --> <script>var jackal = 1;</script> <style>.ibis{}</style>\n"
        "[ref]: https://example.com/tapirpath\n"
        "raw data:text/plain;base64,SGVsbG8gd29ybGQ= end\n"
    )
    text = index_text(body)
    words = set(index_terms(text))
    for gone in (
        "ivborw0kggoaaaansuheugaaaae",
        "zebrapath",
        "quagga",
        "r0lgodlhaqabaiaaap",
        "okapi",
        "wombatclass",
        "narwhal",
        "jackal",
        "ibi",
        "tapirpath",
        "sgvsbg8gd29ybgq",
        "png",
        "base64",
        "http",
    ):
        assert gone not in words, gone
    for kept in ("logo", "guid", "bold", "text", "usernam", "raw", "end"):
        assert kept in words, kept
    assert index_text("no markup at all: 2 < 3 > 1") == "no markup at all: 2 < 3 > 1"
