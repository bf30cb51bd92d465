"""The fast path of ``kbctl search`` answers exactly as the Typer command does, or declines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kbctl.cli.fast import fast_search, read_fast
from tests.conftest import run_kbctl


@pytest.fixture
def kb(kb_copy: Path) -> Path:
    return kb_copy


TAKEN = [
    ["search", "webhook", "--format", "json"],
    ["search", "клиент", "не", "получает", "письма", "-f", "paths", "-n", "3"],
    ["search", "webhook", "--format=vimgrep", "-q"],
    ["-q", "search", "refund", "--limit=2", "--format", "json", "--color", "never"],
    ["search", "zzzqxw", "--format", "json"],
    ["search", "gfhjkm", "--format", "json", "--all", "--no-refresh"],
    ["search", "refund", "--no-pager", "--format", "json", "--color=always"],
    ["search", "!!!", "--format", "json"],
    ["--kb", "kb-content/../", "search", "search", "--format", "paths"],
]


@pytest.mark.parametrize("args", TAKEN, ids=lambda args: " ".join(args))
def test_fast_path_answers_as_typer_does(
    args: list[str], cli, kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    assert read_fast(args) is not None
    assert cli("index", cwd=kb).exit_code == 0
    typer_result = cli(*args, cwd=kb)
    capsys.readouterr()
    monkeypatch.chdir(kb)
    code = fast_search(args)
    out, err = capsys.readouterr()
    assert (code, out, err) == (typer_result.exit_code, typer_result.stdout, typer_result.stderr)


def test_fast_path_reports_errors_as_the_error_boundary_does(
    cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--kb", str(tmp_path / "missing"), "search", "vpn", "--format", "json"]
    typer_result = cli(*args)
    capsys.readouterr()
    code = fast_search(args)
    out, err = capsys.readouterr()
    assert code == typer_result.exit_code == 2
    assert (out, err) == (typer_result.stdout, typer_result.stderr)
    assert err.startswith("kbctl: error: ")


DECLINED = [
    [],
    ["search"],
    ["search", "--help"],
    ["search", "-h"],
    ["search", "vpn"],  # table output loads Rich anyway
    ["search", "vpn", "--format", "table"],
    ["search", "vpn", "--tag", "email", "-f", "json"],
    ["search", "-dmarc", "spam", "-f", "json"],
    ["search", "vpn", "-f", "yaml"],
    ["search", "vpn", "-n", "0", "-f", "json"],
    ["search", "vpn", "-n", "x", "-f", "json"],
    ["search", "vpn", "-fjson"],
    ["search", "vpn", "-f"],
    ["-v", "search", "vpn", "-f", "json"],
    ["search", "vpn", "-f", "json", "--open", "1"],
    ["search", "vpn", "-f", "json", "--", "-x"],
    ["--kb", "search", "vpn", "-f", "json"],
    ["--limit", "3", "search", "vpn", "-f", "json"],
    ["list", "--format", "json"],
    ["--version"],
    ["search", "vpn", "--colour", "never", "-f", "json"],
    ["search", "vpn", "--color", "sometimes", "-f", "json"],
    ["search", "vpn", "--all=yes", "-f", "json"],
]


@pytest.mark.parametrize("args", DECLINED, ids=lambda args: " ".join(args) or "(none)")
def test_everything_else_goes_to_typer(args: list[str]) -> None:
    assert read_fast(args) is None


def test_completion_requests_go_to_typer(monkeypatch) -> None:
    monkeypatch.setenv("_KBCTL_COMPLETE", "complete_bash")
    assert read_fast(["search", "vpn", "-f", "json"]) is None


def test_a_real_search_process_loads_neither_typer_nor_the_other_commands(kb: Path) -> None:
    run_kbctl("index", cwd=kb)
    script = (
        "import sys\n"
        "from kbctl.cli.fast import main\n"
        "sys.argv = ['kbctl', 'search', 'webhook', '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['typer', 'rich', 'git', 'yaml', 'frontmatter', 'kbctl.selection',\n"
        "         'kbctl.articles.yaml', 'kbctl.articles.tree', 'kbctl.history.read', 'kbctl.policy', 'kbctl.articles.parse',\n"
        "         'whoosh.lang.morph_en', 'html.entities']\n"
        "sys.stderr.write(f'LOADED={[m for m in heavy if m in sys.modules]}\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=kb, capture_output=True, text=True, check=False
    )
    assert json.loads(result.stdout)[0]["base_path"].startswith("integrations/webhook")
    assert "LOADED=[]" in result.stderr, result.stderr


def test_python_dash_m_and_the_script_entry_take_the_fast_path(kb: Path) -> None:
    run_kbctl("index", cwd=kb)
    result = subprocess.run(
        [sys.executable, "-m", "kbctl", "search", "webhook", "--format", "json"],
        cwd=kb,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["base_path"].startswith("integrations/webhook")
