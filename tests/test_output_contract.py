"""The output contract (README, "Output contract"), through real pipes and a real terminal.

Paths kbctl prints open from where it was run (repository root or a subfolder) and go back
into kbctl; pipes get tab-separated data, whole; a terminal gets a table fitted to its width
without a value split; `show` piped is the Markdown as written; `--limit` says what it cut;
long terminal output goes through the pager.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbctl.render import grid
from tests.conftest import KB_CONTENT, PROJECT_ROOT
from tests.conftest import run_in_pty as pty_run

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOX = set("┏┓┗┛┃━│─┡┩╇╈┼┳┻╭╮╰╯")
LINKS = [f"https://status.example.com/page-{n}" for n in range(5)]


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"NO_COLOR", "PAGER"}}
    env.update(PYTHONPATH=str(PROJECT_ROOT), TERM="xterm-256color", KBCTL_PAGER="")
    env.update(extra)
    return env


def _kbctl(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """kbctl with stdout and stderr on pipes."""
    return subprocess.run(
        [sys.executable, "-m", "kbctl", *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _pty(args: tuple[str, ...], cwd: Path, *, columns: int = 80, rows: int = 50, **env: str) -> str:
    """kbctl on a pseudo-terminal of ``columns`` x ``rows`` (stdin too); what it wrote."""
    environment = _env(**env)
    environment.pop("COLUMNS", None)
    environment.pop("LINES", None)
    run = pty_run(args, cwd, environment, size=(rows, columns), raw=True, stdin_on_pty=True)
    assert run.returncode in (0, 1), run.output[-2000:]
    return run.text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose base is its `kb-content/` subfolder (the bundled base), plus an
    article with five links."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(KB_CONTENT, root / "kb-content")
    shutil.copy(PROJECT_ROOT / "kbctl.toml", root / "kbctl.toml")
    links = "\n".join(
        f"{n + 1}. Open [status page {n}]({url}) and check it." for n, url in enumerate(LINKS)
    )
    (root / "kb-content" / "api" / "status-links.md").write_text(
        "---\nid: KB-LINKS\ntitle: Status pages for every region\nowner: '@anna'\n"
        "status: validated\n---\n# Status pages\n\nWhen customers report an outage,"
        " look at the regional status pages before you escalate anything.\n\n"
        f"{links}\n",
        encoding="utf-8",
    )
    return root


def test_list_piped_is_tab_separated_whole_and_without_boxes(repo: Path) -> None:
    piped = _kbctl("list", cwd=repo, COLUMNS="70")
    assert piped.returncode == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines[0].split("\t") == [
        "id",
        "title",
        "owners",
        "status",
        "audience",
        "reviewed",
        "path",
    ]
    data = {
        item["path"]: item for item in json.loads(_kbctl("list", "-f", "json", cwd=repo).stdout)
    }
    assert len(lines) == len(data) + 1
    for line in lines[1:]:
        cells = line.split("\t")
        assert len(cells) == 7, line
        assert not BOX & set(line)
        item = data[cells[6]]
        assert cells[0] == item["id"]
        assert cells[1] == item["title"]  # never cut, whatever COLUMNS says
    assert "\x1b" not in piped.stdout


def test_list_head_stops_cleanly(repo: Path) -> None:
    shell = f"{sys.executable} -m kbctl list | head -3"
    result = subprocess.run(
        shell, shell=True, cwd=repo, env=_env(), capture_output=True, text=True, check=False
    )
    assert [len(line.split("\t")) for line in result.stdout.splitlines()] == [7, 7, 7]
    assert "Traceback" not in result.stderr


def test_show_piped_prints_every_word_and_url(repo: Path) -> None:
    shown = _kbctl("show", "KB-LINKS", cwd=repo, COLUMNS="40")
    assert shown.returncode == 0, shown.stderr
    source = (repo / "kb-content" / "api" / "status-links.md").read_text(encoding="utf-8")
    body = source.split("---\n", 2)[2]
    assert shown.stdout == body  # the Markdown as written, whole lines, not wrapped
    assert all(url in shown.stdout for url in LINKS)
    with_front = _kbctl("show", "KB-LINKS", "--front-matter", cwd=repo)
    assert with_front.stdout == source
    raw = _pty(("show", "KB-LINKS", "--raw"), repo)
    assert all(url in raw for url in LINKS)


def test_show_on_a_terminal_keeps_urls_visible(repo: Path) -> None:
    shown = ANSI.sub("", _pty(("show", "KB-LINKS"), repo, columns=200))
    assert all(url in shown for url in LINKS)
    assert "\x1b]8;" not in shown  # no hyperlink escapes standing in for the URL


@pytest.mark.parametrize("where", [".", "kb-content", "kb-content/api"])
def test_printed_paths_open_and_go_back_into_kbctl(repo: Path, where: str) -> None:
    cwd = repo / where
    paths = _kbctl("search", "429", "--format", "paths", cwd=cwd).stdout.splitlines()
    assert paths
    for path in paths:
        assert (cwd / path).is_file(), path
    # vim -q: path:line:column:text, each line opens and the column points at a match.
    for line in _kbctl("search", "429", "--format", "vimgrep", cwd=cwd).stdout.splitlines():
        path, number, column, _text = line.split(":", 3)
        text = (cwd / path).read_text(encoding="utf-8").splitlines()[int(number) - 1]
        assert text.encode()[int(column) - 1 :].decode(errors="replace")
    checked = _kbctl("check", "--no-history", "-f", "json", *paths, cwd=cwd)
    assert checked.returncode in (0, 1), checked.stderr
    assert json.loads(checked.stdout)["summary"]["checked"] == len(set(paths))
    shown = _kbctl("show", paths[0], "-f", "json", cwd=cwd)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["path"] == paths[0]


def test_paths_outside_the_current_folder_are_absolute(repo: Path) -> None:
    cwd = repo / "kb-content" / "billing"
    listed = json.loads(_kbctl("list", "-f", "json", cwd=cwd).stdout)
    for item in listed:
        if item["base_path"].startswith("billing/"):
            assert item["path"] == item["base_path"].removeprefix("billing/")
        else:
            assert Path(item["path"]).is_absolute()
            assert Path(item["path"]).is_file()
    table = _kbctl("list", cwd=cwd).stdout.splitlines()[1:]
    assert {line.split("\t")[6] for line in table} == {item["path"] for item in listed}
    findings = json.loads(_kbctl("check", "--no-history", "-f", "json", cwd=cwd).stdout)
    for finding in findings["findings"]:
        assert (cwd / finding["path"]).exists(), finding
    text = _kbctl("check", "--no-history", cwd=cwd).stdout
    for line in text.splitlines():
        if re.match(r"^\S.*:\d+: (error|warning|info) KB", line):
            assert (cwd / line.split(":", 1)[0]).exists(), line


def test_limit_cuts_and_says_so_on_stderr(repo: Path) -> None:
    for command in (
        ("list",),
        ("review",),
        ("stale", "--today", "2026-12-01"),
        ("owners", "--owner", "@elena.sokolova"),
    ):
        result = _kbctl(*command, "--limit", "1", cwd=repo)
        assert len(result.stdout.splitlines()) <= 2, command  # header and one row
        assert "showing 1 of" in result.stderr, command


def test_terminal_table_fits_80_columns_without_splitting_a_value(repo: Path) -> None:
    output = ANSI.sub("", _pty(("--no-pager", "list"), repo, columns=80))
    lines = [line for line in output.splitlines() if line and not line.startswith("kb-content/")]
    assert not BOX & set(output)
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    data = json.loads(_kbctl("list", "-f", "json", cwd=repo).stdout)
    words = output.split()
    for item in data:
        assert item["id"] in words  # ids never split
        if item["status"]:
            assert item["status"] in words


def test_grid_wraps_whole_words_and_drops_low_value_columns_first() -> None:
    columns = ["id", "title", "audience", "path"]
    rows = [["KB-1", "A rather long title that has to wrap somewhere", "customer", "a/b/c.md"]]
    roomy = grid.render(columns, rows, 40, wrap=frozenset({1}), drop=[2])
    assert "audience" in roomy  # wrapping the title is enough at 40 columns
    assert all(len(line) <= 40 for line in roomy.splitlines())
    text = grid.render(columns, rows, 30, wrap=frozenset({1}), drop=[2])
    assert "audience" not in text and "customer" not in text
    assert all(len(line) <= 30 for line in text.splitlines())
    assert "a/b/c.md" in text and "KB-1" in text
    assert set(" ".join(text.split()).split()) >= set(rows[0][1].split())
    assert grid.tsv(columns, [["KB-1", "tab\there", None, "x.md"]]) == (
        "id\ttitle\taudience\tpath\nKB-1\ttab\\there\t\tx.md\n"
    )


def test_long_terminal_output_goes_through_the_pager(repo: Path, tmp_path: Path) -> None:
    record = tmp_path / "paged.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {record}\n", encoding="utf-8")
    pager.chmod(0o755)
    _pty(("list",), repo, rows=10, KBCTL_PAGER=str(pager))
    assert "KB-0012" in record.read_text(encoding="utf-8")
    record.unlink()
    _pty(("--no-pager", "list"), repo, rows=10, KBCTL_PAGER=str(pager))
    assert not record.exists()
    _kbctl("list", cwd=repo, KBCTL_PAGER=str(pager))  # piped: never
    assert not record.exists()
