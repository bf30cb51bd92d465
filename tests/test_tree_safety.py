"""The tree scan reads only regular files inside the base, bounded, and says what it skipped.

Special files (FIFOs, sockets, devices), huge files and links are made at test time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import unicodedata
from pathlib import Path

import pytest

from kbctl.articles import load_base, walk
from kbctl.config import Config, load_config
from kbctl.model import Diagnostic
from tests.conftest import article_text

GOOD = {
    "owner": "@anna",
    "status": "validated",
    "audience": "customer",
    "last_reviewed": "2026-10-01",
}
PROSE = "Reset the password from the account page, then sign in again. " * 8 + "\n"
CHECK = ["check", "--no-history", "--today", "2026-11-22", "--format", "json"]


def good(article_id: str, title: str = "Password reset", **changes: object) -> str:
    """A clean article: `kbctl check` finds nothing in it."""
    return article_text(PROSE, id=article_id, title=title, **{**GOOD, **changes})


def make_base(tmp_path: Path, files: dict[str, str] | None = None, toml: str = "") -> Path:
    """A base in ``tmp_path/kb`` with its kbctl.toml; returns the base folder."""
    (tmp_path / "kbctl.toml").write_text(f'content = "kb"\n{toml}', encoding="utf-8")
    root = tmp_path / "kb"
    root.mkdir()
    for relative, text in (files or {"a.md": good("A")}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def rules_of(stdout: str) -> list[tuple[str, str]]:
    return [(item["rule"], item["path"]) for item in json.loads(stdout)["findings"]]


def test_a_clean_base_passes(cli, tmp_path: Path) -> None:
    # The base every other test spoils with one hostile file.
    root = make_base(tmp_path)
    result = cli(*CHECK, cwd=tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [article.id for article in load_base(load_config(root)).articles] == ["A"]


def test_a_fifo_never_hangs_list_search_or_check(kbctl_process, tmp_path: Path) -> None:
    root = make_base(tmp_path)
    os.mkfifo(root / "x.md")
    os.mkfifo(root / "picture.png")  # not an article: not opened either
    # Bounded by the timeout: before the fix every command blocked on opening the FIFO.
    listed = kbctl_process("list", "--format", "json", cwd=tmp_path, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert [item["id"] for item in json.loads(listed.stdout)] == ["A"]
    assert "kb/x.md:1: not a regular file (a FIFO); not read" in listed.stderr
    found = kbctl_process("search", "password", "--format", "json", cwd=tmp_path, timeout=60)
    assert found.returncode == 0, found.stderr
    assert [hit["id"] for hit in json.loads(found.stdout)] == ["A"]
    checked = kbctl_process(*CHECK, cwd=tmp_path, timeout=60)
    assert checked.returncode == 1, checked.stderr
    assert rules_of(checked.stdout) == [("KB107", "kb/x.md")]


def test_a_socket_and_a_device_are_skipped_unopened(cli, tmp_path: Path) -> None:
    root = make_base(tmp_path)
    previous = Path.cwd()
    os.chdir(root)  # a relative name: socket paths are limited to about 100 bytes
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind("s.md")
    finally:
        os.chdir(previous)
    with contextlib.closing(server):
        kinds = {"s.md": "a socket"}
        try:
            # /dev/null's numbers (/dev/zero would make the unfixed code eat all memory).
            os.mknod(root / "null.md", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            kinds["null.md"] = "a character device"
        except PermissionError:
            pass  # not root: the socket alone shows the rule
        result = cli("list", "--format", "json", cwd=tmp_path)
        assert result.exit_code == 0
        assert [item["id"] for item in json.loads(result.stdout)] == ["A"]
        for name, kind in kinds.items():
            assert f"{name}:1: not a regular file ({kind}); not read" in result.stderr
        checked = cli(*CHECK, cwd=tmp_path)
        assert checked.exit_code == 1
        assert sorted(rules_of(checked.stdout)) == [
            ("KB107", f"kb/{name}") for name in sorted(kinds)
        ]


def test_a_huge_sparse_file_is_refused_unread(cli, tmp_path: Path) -> None:
    root = make_base(tmp_path)
    with open(root / "big.md", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB of NULs that take no disk
    base = load_base(load_config(root))
    assert [article.id for article in base.articles] == ["A"]
    assert [str(item) for item in base.diagnostics] == [
        "big.md:1: file of 104857600 bytes is larger than max_article_bytes (4194304);"
        " not read (raise max_article_bytes in kbctl.toml, or split the article)"
    ]
    checked = cli(*CHECK, cwd=tmp_path)
    assert checked.exit_code == 1
    assert rules_of(checked.stdout) == [("KB107", "kb/big.md")]
    found = cli("search", "password", "--format", "json", cwd=tmp_path)
    assert [hit["id"] for hit in json.loads(found.stdout)] == ["A"]


def test_the_size_limit_is_configurable(tmp_path: Path) -> None:
    root = make_base(
        tmp_path, {"a.md": good("A"), "short.md": "# Short\n"}, toml="max_article_bytes = 100\n"
    )
    config = load_config(root)
    assert config.max_article_bytes == 100
    base = load_base(config)
    assert [article.path for article in base.articles] == ["short.md"]
    assert [item.path for item in base.diagnostics] == ["a.md"]
    assert "larger than max_article_bytes (100)" in base.diagnostics[0].message


@pytest.mark.parametrize("value", ["0", "-1", '"4MB"', "true"])
def test_a_bad_size_limit_is_a_config_error(cli, tmp_path: Path, value: str) -> None:
    make_base(tmp_path, toml=f"max_article_bytes = {value}\n")
    result = cli("list", cwd=tmp_path)
    assert result.exit_code == 2
    assert "'max_article_bytes' must be a whole number of bytes" in result.stderr


def test_links_are_never_read_and_never_lead_out(cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(good("SECRET", "Password secret"), encoding="utf-8")
    (outside / "other.md").write_text(good("OTHER", "Password other"), encoding="utf-8")
    root = make_base(tmp_path)
    (root / "leak.md").symlink_to(outside / "secret.md")
    (root / "alias.md").symlink_to("a.md")  # inside: a.md is read under its own path
    (root / "loop.md").symlink_to("loop.md")
    (root / "gone.md").symlink_to("nowhere.md")
    (root / "shelf").symlink_to(outside, target_is_directory=True)
    (root / "email").mkdir()
    (root / "email" / "up").symlink_to("..", target_is_directory=True)  # inside: not followed
    result = cli("list", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0
    assert [item["id"] for item in json.loads(result.stdout)] == ["A"]
    lines = sorted(result.stderr.splitlines())
    assert lines == [
        "kb/alias.md:1: symbolic link that points to a.md (read under that path); not read"
        " (kbctl never reads or edits through a link)",
        "kb/gone.md:1: symbolic link that is broken; not read (kbctl never reads or edits"
        " through a link)",
        "kb/leak.md:1: symbolic link that leads out of the base; not read (kbctl never reads"
        " or edits through a link)",
        "kb/loop.md:1: symbolic link that is broken; not read (kbctl never reads or edits"
        " through a link)",
        "kb/shelf:1: link to a folder outside the base; not followed, its files are not checked",
    ]
    checked = cli(*CHECK, cwd=tmp_path)
    assert checked.exit_code == 1
    assert {rule for rule, _path in rules_of(checked.stdout)} == {"KB107"}
    found = cli("search", "password", "--format", "json", cwd=tmp_path)
    assert [hit["id"] for hit in json.loads(found.stdout)] == ["A"]


def test_a_file_name_that_is_not_utf8_makes_check_fail(cli, tmp_path: Path) -> None:
    root = make_base(tmp_path)
    bad = os.fsencode(str(root)) + b"/bad\xff.md"
    Path(os.fsdecode(bad)).write_text(good("B", "Password bad"), encoding="utf-8")
    (root / "picture\udcff.png").write_bytes(b"not an article: not reported")
    result = cli(*CHECK, cwd=tmp_path)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert rules_of(result.stdout) == [("KB107", "kb/bad\\xff.md")]
    message = json.loads(result.stdout)["findings"][0]["message"]
    assert message == "file name is not valid UTF-8; not read (rename the file)"
    listed = cli("list", cwd=tmp_path)
    assert "bad\\xff.md:1: file name is not valid UTF-8" in listed.stderr
    assert "\udcff" not in result.stdout + result.stderr


def test_a_folder_kbctl_cannot_read_makes_check_fail(cli, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder whatever its mode; see the vanished-folder test")
    root = make_base(tmp_path, {"a.md": good("A"), "locked/b.md": good("B")})
    (root / "locked").chmod(0)
    try:
        result = cli(*CHECK, cwd=tmp_path)
    finally:
        (root / "locked").chmod(0o755)
    assert result.exit_code == 1
    assert rules_of(result.stdout) == [("KB107", "kb/locked/")]
    assert "locked/:1: folder cannot be read (Permission denied)" in result.stderr


def test_a_folder_that_disappears_during_the_scan_is_reported(tmp_path: Path) -> None:
    # Two folders and no file at the top: when the first file comes, both folders have been
    # listed and the other one is still waiting to be read. It is removed then.
    root = tmp_path / "kb"
    for folder in ("x", "y"):
        (root / folder).mkdir(parents=True)
        (root / folder / "a.md").write_text(good(folder), encoding="utf-8")
    problems: list[Diagnostic] = []
    scan = walk(Config(root=root), problems)
    first, _entry = next(scan)
    other = "y" if first.startswith("x/") else "x"
    shutil.rmtree(root / other)
    assert list(scan) == []
    assert [str(item) for item in problems] == [
        f"{other}/:1: folder disappeared while it was read; its files are not checked"
    ]


def test_nfc_and_nfd_twins_are_both_read_and_reported(cli, tmp_path: Path) -> None:
    composed = unicodedata.normalize("NFC", "café.md")
    decomposed = unicodedata.normalize("NFD", "café.md")
    root = make_base(tmp_path)
    (root / composed).write_text(good("C1", "Password café one"), encoding="utf-8")
    (root / decomposed).write_text(good("C2", "Password café two"), encoding="utf-8")
    base = load_base(load_config(root))
    assert sorted(article.id for article in base.articles) == ["A", "C1", "C2"]
    paths = {article.id: article.path for article in base.articles}
    assert paths["C1"] == composed and paths["C2"] == decomposed
    assert len(base.diagnostics) == 1
    assert "'cafe\\u0301.md' is 'caf\\xe9.md' in another Unicode normalisation" in str(
        base.diagnostics[0]
    )
    checked = cli(*CHECK, cwd=tmp_path)
    assert checked.exit_code == 1
    assert [rule for rule, _path in rules_of(checked.stdout)] == ["KB107"]
    found = cli("search", "password", "--format", "json", cwd=tmp_path)
    assert sorted(hit["id"] for hit in json.loads(found.stdout)) == ["A", "C1", "C2"]


@pytest.mark.parametrize(
    "twin",
    [
        "A\u200b",  # zero-width space
        "\u200dA",  # zero-width joiner
        "A\u2060",  # word joiner
        "\ufeffA",  # BOM
        "A\u00ad",  # soft hyphen
    ],
)
def test_an_id_with_an_invisible_character_duplicates_the_plain_id(
    cli, tmp_path: Path, twin: str
) -> None:
    root = make_base(tmp_path, {"a.md": good("A"), "b.md": good(twin, "Password twin")})
    base = load_base(load_config(root))
    assert [(item.path, item.code) for item in base.diagnostics] == [("b.md", "duplicate-id")]
    checked = cli(*CHECK, cwd=tmp_path)
    assert checked.exit_code == 1
    assert rules_of(checked.stdout) == [("KB105", "kb/b.md")]


def test_ids_are_compared_in_one_unicode_normalisation(cli, tmp_path: Path) -> None:
    files = {
        "a.md": good(unicodedata.normalize("NFC", "Café-1")),
        "b.md": good(unicodedata.normalize("NFD", "CAFÉ-1"), "Password twin"),
    }
    make_base(tmp_path, files)
    checked = cli(*CHECK, cwd=tmp_path)
    assert checked.exit_code == 1
    assert rules_of(checked.stdout) == [("KB105", "kb/b.md")]


def test_a_file_named_in_nfd_alone_is_found_by_search(cli, tmp_path: Path) -> None:
    import unicodedata

    root = tmp_path / "kb"
    root.mkdir()
    name = unicodedata.normalize("NFD", "возврат-й.md")
    (root / name).write_text(article_text("Refund the card payment.\n", id="R", title="Возврат"))
    result = cli("--kb", str(root), "search", "refund", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [hit["id"] for hit in json.loads(result.stdout)] == ["R"]
