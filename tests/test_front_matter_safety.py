"""Front matter that is wrong in one key loses only that key; alias bombs are refused.

Issue 9, item 6: a date typo used to drop the whole article (PyYAML's timestamp resolver
raised), a key written twice silently took the last value, and a 416-byte alias bomb made
`kbctl review mark` compare 9^9 expanded values.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kbctl.articles import edit_front_matter_bytes, parse_article, split_front_matter
from kbctl.articles.yaml import (
    MAX_ALIAS_NODES,
    MAX_ALIASES,
    MAX_FRONT_MATTER_CHARS,
    read_front_matter,
)
from kbctl.config import Config
from kbctl.errors import EditError
from tests.conftest import Cli, GitRepo, run_kbctl

CONFIG = Config(root=Path("/kb"))
TODAY = "2026-11-22"
IMPOSSIBLE_DATES = ["2024-31-12", "0000-00-00", "2024-02-30"]


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(data, "x.md", Path("/kb/x.md"), CONFIG)


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs" pattern: ``levels`` lists of 9 aliases to the list before."""
    names = "abcdefghijklmnop"[:levels]
    lines = ["id: KB-BOMB", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, current in itertools.pairwise(names):
        lines.append(f"{current}: &{current} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\nBomb.\n"


def many_aliases() -> str:
    """The worst front matter the loader accepts: 50 aliases expanding to ~9,000 values."""
    lines = [
        "id: KB-ALIAS",
        "title: Shared lists",
        "last_reviewed: 2025-01-01",
        'a: &a ["v","v","v","v","v","v","v","v","v"]',
        "b: &b [" + ",".join(["*a"] * 9) + "]",
        "c: &c [" + ",".join(["*b"] * 9) + "]",
        "d: [" + ",".join(["*c"] * 9) + "]",
        "e: [" + ",".join(["*a"] * (MAX_ALIASES - 27)) + "]",
    ]
    return "---\n" + "\n".join(lines) + "\n---\nShared lists body.\n"


# ------------------------------------------------------------------ a date typo keeps the article


@pytest.fixture
def kb(git_repo: GitRepo) -> GitRepo:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    git_repo.write(
        "kb/printer.md",
        "---\nid: KB-1\ntitle: Zebra printer jams\nowner: '@anna'\nstatus: validated\n"
        "last_reviewed: 2024-31-12\n---\nThe zebra printer jams on thick labels.\n",
    )
    git_repo.write(
        "kb/other.md",
        "---\nid: KB-2\ntitle: Other\nowner: '@anna'\nlast_reviewed: 2026-11-01\n---\nOther.\n",
    )
    git_repo.commit("Add the base", "2025-01-15T10:00:00+03:00")
    return git_repo


@pytest.mark.parametrize("typo", IMPOSSIBLE_DATES)
def test_a_date_typo_is_kb102_on_its_line_and_the_article_stays(
    cli: Cli, kb: GitRepo, typo: str
) -> None:
    path = kb.path / "kb/printer.md"
    path.write_text(path.read_text().replace("2024-31-12", typo))
    listed = cli("list", "--format", "json", cwd=kb.path)
    assert listed.exit_code == 0, listed.stderr
    article = next(item for item in json.loads(listed.stdout) if item["id"] == "KB-1")
    assert (article["title"], article["owners"], article["last_reviewed"]) == (
        "Zebra printer jams",
        ["@anna"],
        None,
    )
    assert f"printer.md:6: last_reviewed: cannot read date '{typo}'" in listed.stderr

    found = cli("search", "zebra", "--format", "json", cwd=kb.path)  # a real Whoosh index
    assert found.exit_code == 0, found.stderr
    assert [hit["id"] for hit in json.loads(found.stdout)] == ["KB-1"]

    queue = cli("review", "--format", "json", "--today", TODAY, cwd=kb.path)
    assert queue.exit_code == 0, queue.stderr
    assert "KB-1" in [item["id"] for item in json.loads(queue.stdout)]  # no review date: due

    check = cli("check", "--format", "json", cwd=kb.path)
    findings = json.loads(check.stdout)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings if f["rule"] == "KB102"] == [
        ("KB102", "kb/printer.md", 6)
    ]


def test_review_mark_replaces_a_date_typo_and_nothing_else(cli: Cli, kb: GitRepo) -> None:
    path = kb.path / "kb/printer.md"
    before = path.read_text()
    result = cli("review", "mark", "KB-1", "--by", "@anna", "--date", TODAY, cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert path.read_text() == before.replace("2024-31-12", TODAY).replace(
        "\n---\nThe", "\nreviewed_by: '@anna'\n---\nThe"
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-05-01", "2026-11-22"),
        ("'2024-05-01'", "'2026-11-22'"),
        ('"2024-05-01"', '"2026-11-22"'),
        ("04/21/2020", "11/22/2026"),
        ("2024-05-01 10:30:00", "2026-11-22"),
        ("2024-31-12", "2026-11-22"),
    ],
)
def test_a_review_date_is_written_back_in_the_file_s_style(
    cli: Cli, kb: GitRepo, written: str, expected: str
) -> None:
    path = kb.path / "kb/printer.md"
    path.write_text(path.read_text().replace("2024-31-12", written))
    result = cli("review", "mark", "KB-1", "--by", "@anna", "--date", TODAY, cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert f"\nlast_reviewed: {expected}\n" in path.read_text()


def test_a_flag_keeps_earlier_flags_dates_byte_for_byte(cli: Cli, kb: GitRepo) -> None:
    path = kb.path / "kb/other.md"
    front = "flags:\n  - by: '@ivan'\n    date: 2026-09-10\n    reason: Old screenshots\n"
    path.write_text(path.read_text().replace("---\nOther.", f"{front}---\nOther."))
    before = path.read_text()
    result = cli("flag", "KB-2", "Step 3 is gone", "--by", "@oleg", "--date", TODAY, cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    added = f"  - by: '@oleg'\n    date: {TODAY}\n    reason: Step 3 is gone\n"
    assert path.read_text() == before.replace("---\nOther.", f"{added}---\nOther.")


# ------------------------------------------------------------------ keys written twice


def test_a_key_written_twice_is_reported_on_the_second_line(cli: Cli, kb: GitRepo) -> None:
    kb.write(
        "kb/twice.md",
        "---\nid: KB-3\n# the old status\nstatus: validated\ntitle: Twice\n"
        "status: archived\n---\nBody.\n",
    )
    article, diagnostics = parse((kb.path / "kb/twice.md").read_text())
    assert article is not None and article.status == "archived"  # the last value, as YAML
    assert [(d.line, d.code) for d in diagnostics] == [(6, "duplicate-key")]
    assert "status: key written twice (also on line 4)" in diagnostics[0].message

    check = cli("check", "--format", "json", cwd=kb.path)
    assert check.exit_code == 1
    findings = json.loads(check.stdout)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings if f["path"] == "kb/twice.md"][
        :1
    ] == [("KB108", "kb/twice.md", 6)]
    assert not [f for f in findings if f["rule"] == "KB102" and f["path"] == "kb/twice.md"]


# ------------------------------------------------------------------ alias bombs


def test_an_alias_bomb_is_refused_on_read_with_its_line() -> None:
    bomb = alias_bomb()
    assert len(bomb.encode()) < 420  # the 416-byte bomb of the issue, give or take the id
    article, diagnostics = parse(bomb)
    assert article is None
    assert len(diagnostics) == 1
    assert diagnostics[0].line == 7  # "f:", the first list that expands past the bound
    assert "front matter refused" in diagnostics[0].message
    assert f"more than {MAX_ALIAS_NODES}" in diagnostics[0].message


@pytest.mark.parametrize(
    ("front", "line", "why"),
    [
        ("id: a\nx: &x [*x]\n", 3, "contains it"),
        ("id: a\nx: &x y\n" + "".join(f"k{n}: *x\n" for n in range(MAX_ALIASES + 1)), 54, "more"),
    ],
    ids=["recursive", "too-many"],
)
def test_recursive_and_too_many_aliases_are_refused(front: str, line: int, why: str) -> None:
    article, diagnostics = parse(f"---\n{front}---\nBody\n")
    assert article is None
    assert [(d.line, why in d.message) for d in diagnostics] == [(line, True)]


def test_an_edit_of_an_alias_bomb_is_refused_and_leaves_the_file(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    path = git_repo.write("kb/bomb.md", alias_bomb(10))  # 9^10 values expanded
    git_repo.commit("Add a bomb")
    # A real process: before the fix this spent minutes comparing expanded data.
    result = run_kbctl("review", "mark", "kb/bomb.md", "--by", "@x", cwd=git_repo.path)
    assert result.returncode == 2
    assert "front matter is refused (YAML aliases expand" in result.stderr
    assert path.read_text() == alias_bomb(10)


def test_edits_of_a_file_with_many_aliases_complete(git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    text = many_aliases()
    path = git_repo.write("kb/aliases.md", text)
    git_repo.commit("Add shared lists")
    parsed = read_front_matter(split_front_matter(text)[0])
    assert parsed.error is None and len(parsed.meta["d"]) == 9  # the worst file still accepted
    args = ("--by", "@x", "--date", TODAY)
    marked = run_kbctl("review", "mark", "KB-ALIAS", *args, cwd=git_repo.path)
    assert marked.returncode == 0, marked.stderr
    flagged = run_kbctl("flag", "KB-ALIAS", "lists are wrong", *args, cwd=git_repo.path)
    assert flagged.returncode == 0, flagged.stderr
    expected = text.replace("2025-01-01", TODAY).replace(
        "\n---\nShared",
        "\nreviewed_by: '@x'\nflags:\n  - by: '@x'\n    date: 2026-11-22\n"
        "    reason: lists are wrong\n---\nShared",
    )
    assert path.read_text() == expected


# ------------------------------------------------------------------ NUL and odd scalars


@pytest.mark.parametrize(
    ("line_text", "message"),
    [
        ("x: !!bool maybe", "x: cannot read the value (not a valid !!bool)"),
        ("x: !!int ''", "x: cannot read the value (not a valid !!int)"),
        ("x: !!float abc", "x: cannot read the value"),
        ("x: !!set [a]", "x: cannot read the value"),
        ("x: !!python/object/apply:os.system [echo]", "x: cannot read the value"),
        ("created: !!timestamp 2024-31-12", "created: cannot read date '2024-31-12'"),
        ("? [a, b]\n: c", "a key must be text"),
        ("<<: 3", "<<: cannot merge"),
    ],
)
def test_an_odd_scalar_costs_only_its_key(line_text: str, message: str) -> None:
    article, diagnostics = parse(f"---\nid: KB-7\ntitle: Odd\n{line_text}\nowner: '@a'\n---\nB\n")
    assert article is not None
    assert (article.id, article.title, article.owners) == ("KB-7", "Odd", ("@a",))
    assert [d.line for d in diagnostics] == [4]
    assert message in diagnostics[0].message


def test_a_nul_in_front_matter_is_reported_on_its_line() -> None:
    article, diagnostics = parse("---\nid: KB-8\ntitle: Réseau\nx: a\x00b\n---\nBody\n")
    assert article is None  # YAML's reader refuses the whole stream: no key can be trusted
    assert [d.line for d in diagnostics] == [4]
    assert "control characters" in diagnostics[0].message


def test_an_escaped_nul_is_an_ordinary_value() -> None:
    article, diagnostics = parse('---\nid: KB-8\ntitle: "a\\0b"\n---\nBody\n')
    assert diagnostics == [] and article is not None and article.title == "a\x00b"


def test_an_odd_scalar_does_not_stop_a_listing(cli: Cli, kb: GitRepo) -> None:
    kb.write("kb/odd.md", "---\nid: KB-9\ntitle: Odd\nx: !!bool maybe\n---\nBody.\n")
    result = cli("list", "--format", "json", cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert "KB-9" in [item["id"] for item in json.loads(result.stdout)]
    assert "odd.md:4: x: cannot read the value" in result.stderr


def test_an_edit_next_to_an_odd_scalar_keeps_it() -> None:
    original = b"---\nid: KB-9\nx: !!bool maybe\nlast_reviewed: 2024-31-12\n---\nBody\n"
    edited = edit_front_matter_bytes(original, {"last_reviewed": "2026-11-22"})
    assert edited == original.replace(b"2024-31-12", b"'2026-11-22'")
    with pytest.raises(EditError):
        edit_front_matter_bytes(original, {"x": True})  # the odd key itself is not rewritten


# ------------------------------------------------------------------ one bad key, any good keys

ODD_VALUES = [
    *IMPOSSIBLE_DATES,
    "2024-13-45",
    "!!bool maybe",
    "!!int ''",
    "!!float abc",
    "!!binary '!!!'",
    "!!timestamp 2024-02-30",
    "!!python/name:os.system",
    "!!set [[a]]",
]
plain_text = st.text(alphabet=st.characters(min_codepoint=0x61, max_codepoint=0x7A), min_size=1)


@settings(max_examples=150, deadline=None)
@given(
    good=st.dictionaries(plain_text.map(lambda key: f"k_{key}"), plain_text, max_size=6),
    bad=st.sampled_from(ODD_VALUES),
    position=st.integers(min_value=0, max_value=6),
)
def test_one_bad_value_loses_only_its_key(good: dict[str, str], bad: str, position: int) -> None:
    lines = [yaml.safe_dump({key: value}).strip() for key, value in good.items()]
    position = min(position, len(lines))
    lines.insert(position, f"created: {bad}")
    article, diagnostics = parse("---\n" + "\n".join(lines) + "\n---\nBody\n")
    assert article is not None
    assert {key: article.meta[key] for key in good} == good
    assert article.created is None
    assert [d.line for d in diagnostics] == [position + 2]
    assert str(diagnostics[0]).startswith(f"x.md:{position + 2}: created: ")


def test_a_huge_front_matter_is_refused_on_read_and_edit() -> None:
    keys = "".join(f"key_{n}: value {n}\n" for n in range(MAX_FRONT_MATTER_CHARS // 12))
    data = f"---\nid: KB-HUGE\n{keys}---\nBody\n".encode()
    article, diagnostics = parse(data)
    assert article is None
    assert [(d.line, "front matter refused: longer than" in d.message) for d in diagnostics] == [
        (2, True)
    ]
    with pytest.raises(EditError) as raised:
        edit_front_matter_bytes(data, {"last_reviewed": "2026-11-22"})
    assert "front matter is refused (longer than" in raised.value.message


# The editing code slices the text with the C loader's marks: they must count characters as
# the Python loader's do (astral characters, CRLF, Unicode line breaks, block scalars).
text_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
front_values = st.recursive(
    st.one_of(text_values, st.integers(), st.booleans(), st.dates().map(str)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text_values, children),
    max_leaves=8,
)


def _marks(text: str, loader: type) -> list[tuple[int, int, int, int]]:
    found: list[tuple[int, int, int, int]] = []
    stack = [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        start, end = node.start_mark, node.end_mark
        found.append((start.index, start.line, end.index, end.line))
        if isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(text_values, front_values, max_size=5),
    flow=st.booleans(),
    crlf=st.booleans(),
)
def test_c_and_python_loaders_agree_on_marks(data: dict, flow: bool, crlf: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, width=40)
    if crlf:
        text = text.replace("\n", "\r\n")
    try:
        python_marks = _marks(text, yaml.SafeLoader)
    except yaml.YAMLError:
        return
    assert _marks(text, yaml.CSafeLoader) == python_marks
