"""Property: for any valid article, marking it reviewed changes exactly the intended keys."""

from __future__ import annotations

from datetime import date

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kbctl.articles import edit_front_matter_bytes, read_front_matter, split_front_matter

REVIEW_KEYS = ("last_reviewed", "reviewed_by", "status")
OTHER_KEYS = ("id", "title", "owner", "tags", "audience", "product", "description", "x-note")

_line_safe = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85\ufeff"
)
texts = st.text(_line_safe, max_size=30)
scalars = st.one_of(
    texts,
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
)
values = st.one_of(scalars, st.lists(texts, max_size=3))


@st.composite
def entry(draw: st.DrawFn, key: str, value_strategy: st.SearchStrategy[object]) -> str:
    """One front-matter entry rendered in one of several styles, maybe with a comment."""
    value = draw(value_strategy)
    comment = draw(st.sampled_from(["", "  # note", " #x"]))
    if isinstance(value, list) and value and draw(st.booleans()):
        indent = draw(st.sampled_from(["", "  ", "    "]))
        items = "".join(
            f"{indent}- {yaml.safe_dump(item, allow_unicode=True, width=1 << 30).removesuffix(chr(10)).removesuffix(chr(10) + '...')}\n"
            for item in value
        )
        return f"{key}:{comment}\n{items}"
    dumped = yaml.safe_dump(
        value, allow_unicode=True, width=1 << 30, default_flow_style=True
    ).removesuffix("\n")
    dumped = dumped.removesuffix("\n...")
    if isinstance(value, str) and draw(st.booleans()):
        dumped = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{key}: {dumped}{comment}\n"


@st.composite
def articles(draw: st.DrawFn) -> bytes:
    keys = draw(st.lists(st.sampled_from(OTHER_KEYS + REVIEW_KEYS), unique=True, max_size=9))
    lines: list[str] = []
    for key in keys:
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["# comment\n", "\n", "#---\n"])))
        strategy = scalars if key in REVIEW_KEYS else values
        lines.append(draw(entry(key, strategy)))
    body_lines = draw(
        st.lists(st.sampled_from(["---\n", "text\n", "key: value\n", "\n", "# H\n"]), max_size=6)
    )
    text = "---\n" + "".join(lines) + "---\n" + "".join(body_lines)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if draw(st.booleans()) else data


def parsed(data: bytes) -> tuple[dict, str]:
    front, body, _line, _has_front = split_front_matter(data.decode("utf-8-sig"))
    front_matter = read_front_matter(front)
    assert front_matter.error is None
    return front_matter.meta, body


def iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=articles(),
    who=texts.filter(str.strip),
    when=st.dates(),
    status=st.sampled_from(["wip", "not_validated", "validated", "archived"]),
)
def test_marking_reviewed_changes_exactly_the_intended_keys(
    data: bytes, who: str, when: date, status: str
) -> None:
    front, _body, _line, has_front = split_front_matter(data.decode("utf-8-sig"))
    assume(has_front and read_front_matter(front).error is None)
    before, body_before = parsed(data)
    updates = {"last_reviewed": when, "reviewed_by": who, "status": status}

    edited = edit_front_matter_bytes(data, updates)

    after, body_after = parsed(edited)
    assert body_after == body_before
    assert {k: v for k, v in after.items() if k not in updates} == {
        k: v for k, v in before.items() if k not in updates
    }
    assert list(after)[: len(before)] == list(before)  # key order kept, new keys at the end
    assert {k: iso(after[k]) for k in updates} == {k: iso(v) for k, v in updates.items()}

    # Every line that does not hold a changed key is byte-for-byte the same, in order.
    def other_lines(raw: bytes) -> list[bytes]:
        return [
            line
            for line in raw.splitlines(keepends=True)
            if not any(line.startswith(key.encode() + b":") for key in updates)
        ]

    assert other_lines(edited) == other_lines(data)
    assert edited.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    assert (b"\r\n" in edited) == (b"\r\n" in data)
