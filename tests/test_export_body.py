"""The body rewriting of kbctl export: every link syntax to something withheld becomes text,
links to exported articles become placeholders, internal parts and comments go."""

from __future__ import annotations

from kbctl.export.body import DROP, rewrite_links, sections, strip_internal
from kbctl.export.text import plain_text


def withhold(secret: str = "secret"):  # type: ignore[no-untyped-def]
    def decide(target: str, image: bool, text: str) -> str | None:
        if secret in target:
            return DROP if text == "Secret Title" else None
        return "kbctl-article:0" if target.split("#")[0].endswith(".md") else target

    return decide


def test_every_link_syntax_to_a_withheld_target_becomes_text() -> None:
    body = (
        "Inline [one](../secret.md) and <[two](<../secret file.md>)>\n"
        'titled [three](../secret.md "T") and image ![four](../secret.png)\n'
        "ref [five][s] and collapsed [s][] and shortcut [s]\n"
        '<a href="../secret.md">six</a> <img src="../secret.png" alt="seven">\n'
        "keep [eight](../open.md#x) and [nine](https://example.com/secret)\n\n"
        "[s]: ../secret.md\n"
    )
    out = rewrite_links(body, withhold())
    assert "../secret" not in out
    for text in ("one", "two", "three", "four", "five", "six", "seven"):
        assert text in out
    assert "[eight](kbctl-article:0)" in out  # the anchor is the decider's business
    assert "https://example.com/secret" in out  # external: kept


def test_a_local_target_the_decider_left_alone_is_dropped_by_the_safety_net() -> None:
    out = rewrite_links("[x](../left-alone.txt) and [y](#here)", lambda target, image, text: target)
    assert out == "[x]() and [y](#here)"


def test_link_text_naming_the_withheld_article_goes_too() -> None:
    out = rewrite_links("See [Secret Title](../secret.md) now.", withhold())
    assert out == "See  now."


def test_code_blocks_are_not_rewritten() -> None:
    body = "```md\n[x](../open.md)\n```\n[y](../open.md)\n"
    out = rewrite_links(body, withhold())
    assert "[x](../open.md)" in out and "[y](kbctl-article:0)" in out


def test_internal_parts_and_comments_are_removed() -> None:
    body = (
        "a\n<!-- internal -->\nsecret\n<!--/internal-->\nb <!-- note --> c\n<!-- INTERNAL -->tail"
    )
    out, count = strip_internal(body)
    assert count == 2 and "secret" not in out and "note" not in out and "tail" not in out
    assert out.startswith("a\n") and "b  c" in out


def test_sections_and_plain_text() -> None:
    body = "## Issue\n\nIt **fails**.\n\n## Решение\n\n- [Do](x.md) it\n"
    found = sections(body)
    assert [(s.kind, s.anchor) for s in found] == [("issue", "issue"), ("resolution", "решение")]
    assert plain_text(body) == "Issue\n\nIt fails .\n\nРешение\n\nDo it"
