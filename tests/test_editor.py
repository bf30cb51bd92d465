"""From a hit to the editor: ``kbctl edit``, ``kbctl search --open N``, OSC 8 links on hits,
and links between articles in ``kbctl show``.

The editor is a real program: a script in tmp_path that records the arguments it was given.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kbctl.cli.edit_cmd import editor_arguments
from kbctl.render.links import file_url
from tests.conftest import PROJECT_ROOT, Cli, GitRepo
from tests.conftest import run_in_pty as pty_run

BODY = "# Refunds\n\nStep one.\n\nThe refund limit is 30 days.\n\nSee [the invoice](../invoice.md#top).\n"


@pytest.fixture
def kb(git_repo: GitRepo) -> GitRepo:
    """A small base: two articles that link to each other, and one with broken front matter."""
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    git_repo.write_article(
        "kb/billing/refund.md", BODY, id="KB-0001", title="Refunds", status="validated"
    )
    git_repo.write_article(
        "kb/invoice.md",
        "# Invoices\n\nAn unpaid invoice blocks a refund.\n\nSee [refunds](billing/refund.md) "
        "and [gone](missing.md) and [web](https://example.com/x.md).\n",
        id="KB-0002",
        title="Invoices",
        status="validated",
    )
    git_repo.write("kb/broken.md", "---\nid: [unclosed\n---\nBody\n")
    git_repo.commit("Add the base", "2026-01-15T10:00:00+03:00")
    return git_repo


def fake_editor(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """An executable called ``name`` that writes its arguments (JSON) to a record file."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    record = tmp_path / f"{name}.args.json"
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, record


def run_edit(cli: Cli, kb: GitRepo, editor: str, *args: str, cwd: Path | None = None):
    return cli(*args, cwd=cwd or kb.path, env={"EDITOR": editor, "VISUAL": ""})


def test_vim_style_editors_get_plus_line(cli: Cli, kb: GitRepo, tmp_path: Path) -> None:
    vim, record = fake_editor(tmp_path, "vim")
    result = run_edit(cli, kb, str(vim), "edit", "KB-0001:5")
    assert result.exit_code == 0, result.stderr
    refund = str(kb.path / "kb/billing/refund.md")
    assert json.loads(record.read_text()) == ["+5", refund]
    # PATH:LINE from the current folder, and without a line just the file.
    run_edit(cli, kb, str(vim), "edit", "refund.md:3", cwd=kb.path / "kb/billing")
    assert json.loads(record.read_text()) == ["+3", refund]
    run_edit(cli, kb, str(vim), "edit", "kb/billing/refund.md")
    assert json.loads(record.read_text()) == [refund]


def test_vs_code_gets_goto_and_keeps_its_own_options(cli: Cli, kb: GitRepo, tmp_path: Path) -> None:
    code, record = fake_editor(tmp_path, "code")
    result = run_edit(cli, kb, f"{shlex.quote(str(code))} --wait", "edit", "KB-0002:4")
    assert result.exit_code == 0, result.stderr
    assert json.loads(record.read_text()) == ["--wait", "--goto", f"{kb.path}/kb/invoice.md:4"]


def test_a_plain_editor_gets_just_the_file(cli: Cli, kb: GitRepo, tmp_path: Path) -> None:
    plain, record = fake_editor(tmp_path, "myeditor")
    result = run_edit(cli, kb, str(plain), "edit", "KB-0002:4")
    assert result.exit_code == 0, result.stderr
    assert json.loads(record.read_text()) == [f"{kb.path}/kb/invoice.md"]


def test_visual_wins_and_broken_files_open_too(cli: Cli, kb: GitRepo, tmp_path: Path) -> None:
    nano, record = fake_editor(tmp_path, "nano")
    result = cli("edit", "kb/broken.md:2", cwd=kb.path, env={"VISUAL": str(nano), "EDITOR": "ed"})
    assert result.exit_code == 0, result.stderr
    assert json.loads(record.read_text()) == ["+2", f"{kb.path}/kb/broken.md"]


def test_line_forms_of_known_editors() -> None:
    assert editor_arguments(["/usr/bin/nvim"], "/k/a.md", 7) == ["/usr/bin/nvim", "+7", "/k/a.md"]
    assert editor_arguments(["emacsclient", "-t"], "/k/a.md", 7) == [
        "emacsclient", "-t", "+7", "/k/a.md",
    ]  # fmt: skip
    assert editor_arguments(["codium"], "/k/a.md", 7) == ["codium", "--goto", "/k/a.md:7"]
    assert editor_arguments(["subl", "-w"], "/k/a.md", 7) == ["subl", "-w", "/k/a.md:7"]
    assert editor_arguments(["hx"], "/k/a.md", 7) == ["hx", "/k/a.md:7"]
    assert editor_arguments(["gedit.exe"], "/k/a.md", None) == ["gedit.exe", "/k/a.md"]


def test_no_editor_is_exit_2_with_a_hint(cli: Cli, kb: GitRepo, tmp_path: Path) -> None:
    unset = cli("edit", "KB-0001", cwd=kb.path, env={"EDITOR": "", "VISUAL": ""})
    assert unset.exit_code == 2
    assert "no editor: $VISUAL and $EDITOR are not set" in unset.stderr
    assert "hint: export EDITOR=" in unset.stderr
    missing = run_edit(cli, kb, str(tmp_path / "no-such-editor") + " -f", "edit", "KB-0001")
    assert missing.exit_code == 2
    assert "cannot start the editor" in missing.stderr
    unknown = run_edit(cli, kb, "vim", "edit", "KB-9999:3")
    assert unknown.exit_code == 2
    assert "KB-9999:3" in unknown.stderr


def test_search_open_opens_the_nth_hit_at_its_best_passage(
    cli: Cli, kb: GitRepo, tmp_path: Path
) -> None:
    vim, record = fake_editor(tmp_path, "vim")
    hits = json.loads(cli("search", "refund", "--format", "json", cwd=kb.path).stdout)
    assert len(hits) == 2
    result = run_edit(cli, kb, str(vim), "search", "refund", "--open", "2", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    second = hits[1]
    assert second["line"] > 1
    assert json.loads(record.read_text()) == [
        f"+{second['line']}",
        str(kb.path / "kb" / second["base_path"]),
    ]
    assert result.stdout == ""
    too_far = run_edit(cli, kb, str(vim), "search", "refund", "--open", "3")
    assert too_far.exit_code == 2
    assert "--open 3: there are only 2 hits" in too_far.stderr


def test_show_resolves_links_between_articles(kb: GitRepo) -> None:
    # On a terminal (piped, `show` prints the Markdown as written).
    shown = _pty_output(("--color", "never", "show", "KB-0002"), kb.path, COLUMNS="300")
    assert "refunds (kb/billing/refund.md)" in shown
    assert "gone (missing.md (no such file))" in shown
    assert "web (https://example.com/x.md)" in shown
    # From the article's folder the path is relative to it; from outside the base, absolute.
    nested = _pty_output(
        ("--color", "never", "show", "KB-0001"), kb.path / "kb/billing", COLUMNS="300"
    )
    assert f"the invoice ({kb.path}/kb/invoice.md#top)" in nested
    assert "the invoice (../invoice.md" not in nested


def _pty_output(args: tuple[str, ...], cwd: Path, **env: str) -> str:
    """kbctl's output on a pseudo-terminal (colour on unless NO_COLOR is given)."""
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment.update(PYTHONPATH=str(PROJECT_ROOT), TERM="xterm-256color", **env)
    return pty_run(args, cwd, environment, stderr_on_pty=False).text


def test_hits_are_file_hyperlinks_on_a_colour_terminal_only(kb: GitRepo) -> None:
    url = file_url(kb.path / "kb/billing/refund.md")
    assert url.startswith("file://") and url.endswith(f"{kb.path}/kb/billing/refund.md")
    colour = _pty_output(("search", "refund"), kb.path)
    assert "\x1b]8;id=" in colour
    assert f";{url}\x1b\\" in colour  # around the title and the path
    assert colour.count(f";{url}\x1b\\") == 2
    no_colour = _pty_output(("search", "refund"), kb.path, NO_COLOR="1")
    assert "Refunds" in no_colour
    assert "\x1b" not in no_colour  # no link, no escape code at all
    piped = subprocess.run(
        [sys.executable, "-m", "kbctl", "search", "refund"],
        cwd=kb.path,
        env={
            **{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
            "PYTHONPATH": str(PROJECT_ROOT),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Refunds" in piped.stdout
    assert "\x1b" not in piped.stdout
