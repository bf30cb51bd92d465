"""Byte-preserving, atomic front-matter edits (kbctl.articles.update_front_matter)."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest
import yaml

from kbctl.articles import edit_front_matter_bytes, split_front_matter, update_front_matter
from kbctl.errors import EditError

REVIEW = {
    "last_reviewed": date(2026, 11, 22),
    "reviewed_by": "@anna.petrova",
    "status": "validated",
}


def front_of(data: bytes) -> dict:
    text = data.decode("utf-8-sig")
    front, _body, _line, has_front = split_front_matter(text)
    return (yaml.safe_load(front) or {}) if has_front else {}


def body_of(data: bytes) -> str:
    return split_front_matter(data.decode("utf-8-sig"))[1]


def test_only_the_value_bytes_change_comments_quoting_order_kept() -> None:
    original = (
        b"---\n"
        b"# KCS article, keep this comment\n"
        b"title:   'It''s broken'   # odd spacing and quoting\n"
        b"id: KB-0012\n"
        b"last_reviewed: 2025-01-10  # reviewed at the audit\n"
        b'tags: [billing,  "card"]\n'
        b'owner: "@relay/billing"\n'
        b"---\n"
        b"# Title\n\nBody.\n"
    )
    edited = edit_front_matter_bytes(original, {"last_reviewed": date(2026, 11, 22)})
    assert edited == original.replace(b"2025-01-10", b"2026-11-22")


def test_crlf_bom_and_new_keys_use_the_files_line_ending() -> None:
    original = (
        "\ufeff---\r\nid: KB-1\r\nstatus: wip # draft\r\n---\r\nBody line\r\n---\r\nMore\r\n"
    ).encode()
    edited = edit_front_matter_bytes(original, REVIEW)
    assert (
        edited
        == (
            "\ufeff---\r\nid: KB-1\r\nstatus: validated # draft\r\n"
            "last_reviewed: 2026-11-22\r\nreviewed_by: '@anna.petrova'\r\n---\r\n"
            "Body line\r\n---\r\nMore\r\n"
        ).encode()
    )
    assert b"\r\n" in edited and b"\n" not in edited.replace(b"\r\n", b"")


def test_body_with_dashes_is_untouched() -> None:
    body = b"Intro\n\n---\n\nkey: not front matter\n---\nend\n"
    original = b"---\nid: KB-2\n---\n" + body
    edited = edit_front_matter_bytes(original, REVIEW)
    assert edited.endswith(b"---\n" + body)
    assert front_of(edited)["status"] == "validated"


def test_quoted_value_keeps_its_quotes() -> None:
    original = b"---\nlast_reviewed: \"2024-01-01\"\nreviewed_by: '@old'\n---\nx\n"
    edited = edit_front_matter_bytes(original, REVIEW)
    assert edited.startswith(b"---\nlast_reviewed: \"2026-11-22\"\nreviewed_by: '@anna.petrova'\n")


def test_empty_value_is_filled_in() -> None:
    original = b"---\nid: KB-3\nreviewed_by:\nlast_reviewed: # fill me\n---\nx\n"
    edited = edit_front_matter_bytes(original, REVIEW)
    assert edited == (
        b"---\nid: KB-3\nreviewed_by: '@anna.petrova'\nlast_reviewed: 2026-11-22 # fill me\n"
        b"status: validated\n---\nx\n"
    )


def test_file_without_front_matter_gets_one_at_the_top() -> None:
    original = b"# How to reset a password\n\nSteps.\n"
    edited = edit_front_matter_bytes(original, {"last_reviewed": date(2026, 1, 2)})
    assert edited == b"---\nlast_reviewed: 2026-01-02\n---\n" + original


def test_delete_a_key_and_its_block_list() -> None:
    original = (
        b"---\nid: KB-4\nflags:\n  - by: '@x'\n    date: 2026-01-01\n    reason: wrong\n"
        b"# about the title\ntitle: T\n---\nBody\n"
    )
    edited = edit_front_matter_bytes(original, {"flags": None})
    assert edited == b"---\nid: KB-4\n# about the title\ntitle: T\n---\nBody\n"


def test_appending_a_flag_keeps_existing_items_byte_for_byte() -> None:
    original = (
        b'---\nid: KB-5\nflags:\n    - by: "@x"   # first\n      date: 2026-01-01\n'
        b"      reason: wrong\ntitle: T\n---\nBody\n"
    )
    old = front_of(original)["flags"]
    new_flag = {"by": "@y", "date": date(2026, 2, 3), "reason": 'step 3: "Save" is gone'}
    edited = edit_front_matter_bytes(original, {"flags": [*old, new_flag]})
    assert edited.startswith(original[: original.index(b"title: T")].rstrip(b"\n"))
    assert front_of(edited)["flags"] == [*old, new_flag]
    assert edited.endswith(b"title: T\n---\nBody\n")


def test_first_flag_on_an_empty_flow_list() -> None:
    original = b"---\nid: KB-6\nflags: []\ntitle: T\n---\nBody\n"
    flag = {"by": "@y", "date": date(2026, 2, 3), "reason": "outdated"}
    edited = edit_front_matter_bytes(original, {"flags": [flag]})
    assert edited == (
        b"---\nid: KB-6\nflags:\n  - by: '@y'\n    date: 2026-02-03\n    reason: outdated\n"
        b"title: T\n---\nBody\n"
    )


@pytest.mark.parametrize(
    ("original", "why"),
    [
        (b"---\n- a\n- b\n---\nBody\n", "not a mapping"),
        (b"---\njust a string\n---\nBody\n", "not a mapping"),
        (b"---\n{id: KB-1, title: T}\n---\nBody\n", "flow mapping"),
        (b"---\nid: [unclosed\n---\nBody\n", "not valid YAML"),
        (b"---\nid: KB-1\n---\nBody \xff\xfe\n", "not UTF-8"),
        (b"---\nlast_reviewed: >\n  2024-01-01\n---\nBody\n", "several lines"),
        (b"---\nstatus: &s wip\nother: *s\n---\nBody\n", "anchor"),
        (b"---\nstatus: wip\nstatus: validated\n---\nBody\n", "twice"),
        (b"---\nid: KB-1\ntitle: T\n", "never closed"),
        (b"---\nid: KB-1\n...\nBody\n", "never closed"),
    ],
)
def test_unsafe_files_are_refused_and_left_untouched(
    tmp_path: Path, original: bytes, why: str
) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(original)
    with pytest.raises(EditError) as raised:
        update_front_matter(path, REVIEW)
    assert why in raised.value.message
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["article.md"]  # no temporary file left behind


def test_write_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(b"---\nid: KB-1\n---\nBody\n")
    path.chmod(0o640)
    inode_before = path.stat().st_ino
    update_front_matter(path, REVIEW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode_before  # replaced, not rewritten in place
    assert front_of(path.read_bytes())["reviewed_by"] == "@anna.petrova"
    assert [p.name for p in tmp_path.iterdir()] == ["article.md"]


def test_no_change_means_no_write(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(b"---\nstatus: validated\n---\nBody\n")
    inode_before = path.stat().st_ino
    update_front_matter(path, {"status": "validated", "missing": None})
    assert path.stat().st_ino == inode_before


def test_values_are_quoted_only_when_needed() -> None:
    edited = edit_front_matter_bytes(
        b"---\nid: x\n---\n",
        {
            "a": "plain words",
            "b": "@handle",
            "c": "yes",
            "d": "2026-01-01",
            "e": "colon: inside",
            "f": "multi\nline",
            "g": ["x", "@y"],
            "h": 90,
        },
    )
    lines = edited.decode().splitlines()[2:-1]
    assert lines == [
        "a: plain words",
        "b: '@handle'",
        "c: 'yes'",
        "d: '2026-01-01'",
        "e: 'colon: inside'",
        'f: "multi\\nline"',
        "g: [x, '@y']",
        "h: 90",
    ]
    assert front_of(edited)["f"] == "multi\nline"
