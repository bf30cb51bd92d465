"""The article loader: fields, aliases, and diagnostics for hostile input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbctl.articles import Tree, article_files, base_files, load_base, parse_article
from kbctl.config import Config, load_config
from tests.conftest import article_text


def parse(data: bytes | str, config: Config | None = None):
    raw = data.encode() if isinstance(data, str) else data
    return parse_article(raw, "a/x.md", Path("/kb/a/x.md"), config or Config(root=Path("/kb")))


def test_canonical_fields() -> None:
    text = article_text(
        "# Heading\n\nText.\n",
        id="KB-1",
        title="Refunds",
        tags=["billing", "refunds"],
        owner="@anna",
        reviewers=["@igor"],
        status="Validated",
        audience="Customer",
        product="relay-web",
        created="2025-01-02",
        last_reviewed="2026-03-04",
        review_interval="90d",
        aliases=["money back"],
    )
    article, diagnostics = parse(text)
    assert diagnostics == []
    assert article is not None
    assert (article.id, article.title, article.tags) == ("KB-1", "Refunds", ("billing", "refunds"))
    assert article.owners == ("@anna",)
    assert article.status == "validated"
    assert article.audience == "customer"
    assert article.last_reviewed == date(2026, 3, 4)
    assert article.review_interval == 90
    assert article.aliases == ("money back",)
    assert article.body.startswith("# Heading")
    lines = text.splitlines()
    assert lines[article.body_line - 1] == "# Heading"
    assert lines[article.line_of("owner") - 1] == "owner: '@anna'"


def test_aliases_of_keys_and_values() -> None:
    article, diagnostics = parse(
        "---\nslug: kb-2\nsummary: s\nkeywords: a, b\nowners: ['@t/team', x@example.com]\n"
        "ms.reviewer: 'p1, p2'\nms.date: 04/21/2020\nstate: Work in progress\n"
        "visibility: external\nsynonyms: [y]\n---\nbody\n"
    )
    assert diagnostics == []
    assert article is not None
    assert article.id == "kb-2"
    assert article.description == "s"
    assert article.tags == ("a", "b")
    assert article.owners == ("@t/team", "x@example.com")
    assert article.reviewers == ("p1", "p2")
    assert article.last_reviewed == date(2020, 4, 21)
    assert article.status == "wip"
    assert article.audience == "public"
    assert article.field_keys["last_reviewed"] == "ms.date"


def test_draft_true_means_wip_and_unknown_status_is_kept() -> None:
    draft, _ = parse("---\ndraft: true\n---\nx\n")
    assert draft is not None and draft.status == "wip"
    odd, diagnostics = parse("---\nstatus: approved\n---\nx\n")
    assert odd is not None and odd.status == "approved"
    assert diagnostics == []


def test_title_falls_back_to_heading_then_file_name() -> None:
    with_heading, _ = parse("---\nid: a\n---\nintro\n# Первый заголовок\n## sub\n")
    assert with_heading is not None and with_heading.title == "Первый заголовок"
    bare, _ = parse("just text, no front matter\n")
    assert bare is not None
    assert (bare.title, bare.id, bare.has_front_matter) == ("x", "a/x", False)


def test_crlf_and_bom() -> None:
    article, diagnostics = parse(b"\xef\xbb\xbf---\r\nid: c\r\nowner: '@a'\r\n---\r\nline1\r\n")
    assert diagnostics == []
    assert article is not None
    assert (article.id, article.owners, article.body_line) == ("c", ("@a",), 5)
    assert article.line_of("owner") == 3


def test_placeholders_are_missing_without_diagnostics() -> None:
    article, diagnostics = parse(
        "---\nid: t\nlast_reviewed: yyyy-mm-dd\nowner: ''\ncreated: '{{ .Date }}'\ntags:\n---\nx\n"
    )
    assert diagnostics == []
    assert article is not None
    assert (article.last_reviewed, article.owners, article.created, article.tags) == (
        None,
        (),
        None,
        (),
    )


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"---\nid: a\ntitle: [unclosed\n---\nbody\n", 4, "not valid YAML"),
        (b"---\nid: a\n  bad: indent\n---\n", 3, "not valid YAML"),
        (b"---\n- just\n- a list\n---\n", 2, "expected a mapping"),
        (b"\n\n  \n", 1, "empty file"),
        (b"", 1, "empty file"),
        (b"---\nid: a\n---\nline two\n\xff\xfe\n", 5, "not UTF-8"),
    ],
)
def test_unusable_files_become_one_diagnostic(data: bytes, line: int, message: str) -> None:
    article, diagnostics = parse(data)
    assert article is None
    assert len(diagnostics) == 1
    assert diagnostics[0].line == line
    assert message in diagnostics[0].message
    assert str(diagnostics[0]).startswith(f"a/x.md:{line}: ")


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("id: a\ntags: {x: 1}\n", 3, "tags: expected a list"),
        ("id: a\nlast_reviewed: next week\n", 3, "cannot read date"),
        ("id: a\ntitle: [a, b]\n", 3, "title: expected text"),
        ("id: a\nreview_interval: often\n", 3, "cannot read interval"),
        ("id: a\nflags: [3]\n", 3, "flags"),
    ],
)
def test_wrong_types_are_diagnosed_and_the_article_still_loads(
    front: str, line: int, message: str
) -> None:
    article, diagnostics = parse(f"---\n{front}---\nbody\n")
    assert article is not None and article.id == "a"
    assert [(d.line, message in d.message) for d in diagnostics] == [(line, True)]


def test_flags_and_ignored_rules() -> None:
    article, diagnostics = parse(
        "---\nid: f\nflags:\n  - by: '@ivan'\n    date: 2026-09-10\n    reason: Old screenshots\n"
        "kbctl-ignore:\n  kb301: legacy article\n---\nx\n"
    )
    assert diagnostics == []
    assert article is not None
    assert [(f.by, f.date, f.reason) for f in article.flags] == [
        ("@ivan", date(2026, 9, 10), "Old screenshots")
    ]
    assert article.ignored_rules == {"KB301": "legacy article"}


def write(root: Path, relative: str, data: bytes | str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def test_load_base_goes_on_after_bad_files_and_reports_duplicates(tmp_path: Path) -> None:
    write(tmp_path, "good.md", article_text(id="KB-1", title="Good"))
    write(tmp_path, "dup.md", article_text(id="kb-1", title="Copy"))
    write(tmp_path, "broken.md", "---\ntitle: [x\n---\n")
    write(tmp_path, "latin1.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    write(tmp_path, "empty.md", b"")
    write(tmp_path, "_templates/t.md", article_text(id="T"))
    write(tmp_path, "notes.txt", "not markdown")
    write(tmp_path, ".hidden/h.md", article_text(id="H"))
    result = load_base(Config(root=tmp_path))
    assert sorted(a.path for a in result.articles) == ["dup.md", "good.md"]
    messages = sorted(str(d) for d in result.diagnostics)
    assert messages == [
        "broken.md:3: front matter is not valid YAML: did not find expected ',' or ']'",
        "empty.md:1: empty file",
        "good.md:2: duplicate id 'KB-1' (also in dup.md)",
        "latin1.md:2: not UTF-8 (byte 0xe9); save the file as UTF-8",
    ]


def test_odd_file_names_are_listed(tmp_path: Path) -> None:
    names = ["with space.md", "it's.md", "zero\u200bwidth.md", "кириллица.md"]
    for name in names:
        write(tmp_path, name, article_text(title=name))
    found = [path.name for path in article_files(Config(root=tmp_path))]
    assert sorted(found) == sorted(names)


def test_real_world_base_with_ms_docs_keys(tmp_path: Path) -> None:
    (tmp_path / "kbctl.toml").write_text(
        'content = "articles"\n[fields]\nowner = ["ms.author"]\nlast_reviewed = ["ms.date"]\n'
    )
    write(
        tmp_path,
        "articles/sign-in.md",
        "---\ntitle: Sign-in errors\nms.author: jdoe\nms.date: 04/21/2020\nauthor: someone\n---\n"
        "Body\n",
    )
    config = load_config(cwd=tmp_path)
    [article] = load_base(config).articles
    assert article.owners == ("jdoe",)
    assert article.last_reviewed == date(2020, 4, 21)


def test_line_numbers_after_a_blank_line_under_the_opening_dashes() -> None:
    for newline in ("\n", "\r\n"):
        text = newline.join(["---", "", "id: a", "tags: {x: 1}", "---", "Body", ""])
        article, diagnostics = parse(text)
        assert article is not None
        assert [str(d) for d in diagnostics] == [
            "a/x.md:4: tags: expected a list or a comma-separated string, got mapping"
        ]
        assert article.line_of("id") == 3
        assert article.body_line == 6


def test_one_tree_is_one_scan_shared_by_loading_links_and_folders(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "billing").mkdir(parents=True)
    (root / "billing" / "a.md").write_text(article_text("Text.\n", id="A"), encoding="utf-8")
    (root / "billing" / "chart.png").write_bytes(b"\x89PNG")
    (root / "b.md").write_text(article_text("Text.\n", id="B"), encoding="utf-8")
    config = Config(root=root)
    tree = Tree(config)

    base = load_base(config, tree=tree, use_cache=False)
    # Files added after the scan are not seen by any consumer of the same tree: one listing.
    (root / "billing" / "late.md").write_text(article_text("Text.\n", id="L"), encoding="utf-8")

    assert sorted(article.id for article in base.articles) == ["A", "B"]
    assert base_files(config, tree) == {"b.md", "billing/a.md", "billing/chart.png"}
    assert tree.articles_under("billing") == ["billing/a.md"]
    assert tree.articles_under(".") == ["b.md", "billing/a.md"]
    assert set(tree.article_stats()) == {"b.md", "billing/a.md"}
    # A new tree is a new scan.
    assert Tree(config).articles_under("billing") == ["billing/a.md", "billing/late.md"]
