"""Property tests: no bytes and no YAML make the loader raise."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kbctl.articles import parse_article
from kbctl.config import Config
from kbctl.model import Article

CONFIG = Config(root=Path("/kb"))

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
known_keys = st.sampled_from(
    [
        "id",
        "title",
        "tags",
        "owner",
        "owners",
        "last_reviewed",
        "ms.date",
        "status",
        "audience",
        "review_interval",
        "flags",
        "kbctl-ignore",
        "aliases",
        "draft",
        "created",
        "reviewers",
    ]
)


def check(data: bytes) -> None:
    article, diagnostics = parse_article(data, "x.md", Path("/kb/x.md"), CONFIG)
    assert article is None or isinstance(article, Article)
    for diagnostic in diagnostics:
        assert diagnostic.line >= 1
        assert str(diagnostic).startswith("x.md:")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    check(data)
    check(b"---\n" + data + b"\n---\nbody\n")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(known_keys | st.text(max_size=8), yaml_values, max_size=8))
def test_random_yaml_front_matter_never_raises(front: dict) -> None:
    try:
        dumped = yaml.safe_dump(front, allow_unicode=True)
    except yaml.YAMLError:
        return
    check(f"---\n{dumped}---\n# Title\nbody\n".encode())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_front_matter_never_raises(text: str) -> None:
    check(f"---\n{text}\n---\nbody\n".encode("utf-8", "surrogatepass"))
