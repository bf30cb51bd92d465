"""Link, anchor and image rules (KB401-KB404) on a CommonMark parser and site URL maps."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli, article_text

from kbctl.rules import markdown

TODAY = ("--today", "2026-11-22")


def write_base(tmp_path: Path, files: dict[str, str], toml: str = "", content: str = "kb") -> Path:
    """A base under ``content`` (other files relative to tmp_path) with a kbctl.toml."""
    (tmp_path / "kbctl.toml").write_text(f'content = "{content}"\n{toml}', encoding="utf-8")
    (tmp_path / content).mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def link_findings(cli: Cli, folder: Path) -> list[tuple[str, str, int, str]]:
    """(rule, base-relative path, line, message) of every KB40x link finding of ``kbctl check``."""
    result = cli("check", "--no-history", *TODAY, "--format", "json", cwd=folder)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return [
        (item["rule"], item["base_path"], item["line"], item["message"])
        for item in report["findings"]
        if item["rule"] in ("KB401", "KB402", "KB403", "KB404")
    ]


def page(body: str, **front: object) -> str:
    return article_text(body, **{"title": "T", **front})


def test_parenthesised_file_name_resolves(cli: Cli, tmp_path: Path) -> None:
    folder = write_base(
        tmp_path,
        {"kb/a.md": page("See [spec](b_(v2).md).\n"), "kb/b_(v2).md": page("Spec.\n")},
    )
    assert link_findings(cli, folder) == []


def test_links_in_code_are_not_links(cli: Cli, tmp_path: Path) -> None:
    body = (
        "Inline `[no](missing1.md)` code.\n\n"
        "    [indented](missing2.md)\n\n"
        "```\n[fenced](missing3.md)\n```\n\n"
        "~~~md\n![img](missing4.png)\n~~~\n\n"
        "Real [broken](missing5.md) link.\n"
    )
    folder = write_base(tmp_path, {"kb/a.md": page(body)})
    assert link_findings(cli, folder) == [("KB402", "a.md", 16, "link to missing file missing5.md")]


def test_reference_links_are_resolved_at_their_use(cli: Cli, tmp_path: Path) -> None:
    body = (
        "Read [the guide][guide] and [Other].\n\n"
        "[guide]: guide.md\n[other]: gone.md\n[unused]: also-gone.md\n"
    )
    folder = write_base(tmp_path, {"kb/a.md": page(body), "kb/guide.md": page("G.\n")})
    # One finding, at the line that uses the reference; an unused definition links nothing.
    assert link_findings(cli, folder) == [("KB402", "a.md", 4, "link to missing file gone.md")]


def test_anchors_cyrillic_custom_and_duplicates(cli: Cli, tmp_path: Path) -> None:
    target = "# Решение проблемы\n\n## Steps {#custom-id}\n\n## Note\n\n## Note\n"
    body = (
        "[a](b.md#решение-проблемы) [b](b.md#custom-id) [c](b.md#note-1)"
        " [d](b.md#%D1%80%D0%B5%D1%88%D0%B5%D0%BD%D0%B8%D0%B5-%D0%BF%D1%80%D0%BE%D0%B1%D0%BB%D0%B5%D0%BC%D1%8B)"
        " [e](b.md#steps)\n"
    )
    folder = write_base(tmp_path, {"kb/a.md": page(body), "kb/b.md": page(target)})
    assert link_findings(cli, folder) == [("KB403", "a.md", 4, "no heading #steps in b.md")]


def test_heading_text_in_code_block_is_no_anchor() -> None:
    body = "```\n# not a heading\n```\n\n    # nor this\n\n# Real *one*\n"
    assert [heading.anchor for heading in markdown.headings(body)] == ["real-one"]


HUGO_TOML = """
[links]
style = "hugo"
static_dirs = ["static"]
ignore = ["g"]
term_anchors = true
"""


def hugo_site(tmp_path: Path) -> Path:
    body = (
        "See [trim](/functions/strings/trim/), [the section](/functions/strings/),"
        " [moved](/old/place/), [slugged](/guides/short/), [perma](/p/custom/#options),"
        " [relative](../../guides/short/), [glossary](g), [term](/guides/short/#myterm)"
        " and ![kitten](/images/kitten.jpg).\n\n"
        "Broken: [gone](/functions/strings/nothing/) and ![lost](/images/lost.png).\n"
    )
    files = {
        "content/functions/strings/_index.md": page("Strings.\n"),
        "content/functions/strings/Trim.md": page("Trim.\n"),
        "content/guides/long-file-name.md": page(
            "`myTerm`\n: a definition\n", slug="short", aliases=["/old/place/"]
        ),
        "content/misc/other.md": page("## Options\n", permalink="/p/custom/"),
        "content/news/post.md": page(body),
        "static/images/kitten.jpg": "jpeg",
    }
    return write_base(tmp_path, files, HUGO_TOML, content="content")


def test_hugo_site_links_resolve_through_permalink_slug_aliases(cli: Cli, tmp_path: Path) -> None:
    folder = hugo_site(tmp_path)
    assert link_findings(cli, folder) == [
        ("KB402", "news/post.md", 6, "link to missing file /functions/strings/nothing/"),
        ("KB404", "news/post.md", 6, "image not found: /images/lost.png"),
    ]


def test_without_links_settings_site_links_are_broken(cli: Cli, tmp_path: Path) -> None:
    folder = hugo_site(tmp_path)
    (folder / "kbctl.toml").write_text('content = "content"\n', encoding="utf-8")
    rules = [finding[0] for finding in link_findings(cli, folder)]
    assert rules.count("KB402") >= 6 and rules.count("KB404") == 2


def test_mkdocs_style_folder_urls(cli: Cli, tmp_path: Path) -> None:
    body = (
        "[setup](/setup/), [index](/guide/), [deep](/guide/install/#linux),"
        " [file](guide/install.md), [missing](/guide/uninstall/)\n"
    )
    files = {
        "docs/index.md": page(body),
        "docs/setup.md": page("Setup.\n"),
        "docs/guide/index.md": page("Guide.\n"),
        "docs/guide/install.md": page("## Linux\n"),
    }
    folder = write_base(tmp_path, files, '[links]\nstyle = "mkdocs"\n', content="docs")
    assert link_findings(cli, folder) == [
        ("KB402", "index.md", 4, "link to missing file /guide/uninstall/")
    ]


def test_ids_from_paths(cli: Cli, tmp_path: Path) -> None:
    files = {"kb/a/b.md": page("Words.\n", id="ignored")}
    folder = write_base(tmp_path, files, '[ids]\nfrom = "path"\n')
    result = cli("check", "--no-history", *TODAY, "--format", "json", cwd=folder)
    rules = {item["rule"] for item in json.loads(result.stdout)["findings"]}
    assert "KB103" not in rules
    shown = cli("show", "a/b", "--format", "json", cwd=folder)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["id"] == "a/b"
