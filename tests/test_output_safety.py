"""Output cannot be forged: values from a hostile base never reach a terminal or a CI log raw.

Every command runs as a real process, once on a pseudo-terminal (Rich believes it is a
terminal: colours on, NO_COLOR unset) and once through pipes (as in CI). The base's titles,
ids, owners, flag reasons, bodies, file names and commits carry terminal escape sequences
(OSC 52 clipboard writes, screen clears, OSC 8 hyperlinks, C1 controls), bidirectional
overrides, Rich markup and newlines followed by GitHub workflow commands.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kbctl.textsafe import GuardedStream, block, guard_line, one_line
from tests.conftest import PROJECT_ROOT, GitRepo
from tests.conftest import run_in_pty as pty_run

OSC52 = "\x1b]52;c;SGVsbG8=\x07"
CLEAR = "\x1b[2J"
LINK = "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07"
BLINK = "\x1b[5m"  # an SGR code Rich itself never writes
C1 = "\x9b2J\x85\x90"
BIDI = "\u202e\u2066\u2069\u200f\u061c"
FORGE = "\n::error file=x.md,line=1::forged\n  ::add-mask::secret"
MARKUP = "[link=http://evil.example]fake[/link] [bold]b[/bold]"
TODAY = "2026-11-22"

# Colour codes are the only escape sequences Rich writes here; anything else came from data.
RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")
# kbctl's own OSC 8 hyperlinks on search hits: a file:// URL whose every unsafe character is
# %-encoded (a file name cannot end the sequence or smuggle a control character).
KBCTL_LINK = re.compile(r"\x1b\]8;id=[0-9]+;file://[A-Za-z0-9%/._~-]*\x1b\\|\x1b\]8;;\x1b\\")
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
LINE_BREAK = re.compile(r"\r\n|[\r\n]")


@pytest.fixture
def hostile(tmp_path: Path) -> GitRepo:
    """A git base whose every value tries to drive the terminal or the Actions runner."""
    repo = GitRepo(tmp_path / "kb")
    repo.write_article(
        "a.md",
        f"# Password reset {CLEAR}\n\nReset the password here.\n::error::forged in body\n"
        f"  ::add-mask::body-secret\n##[error]old style command\n\n"
        f"```\n::warning::in code\n{OSC52}\n```\n\nA line with a carriage\rreturn and {C1}.\n"
        "[a link](http://evil.example)\n",
        id=f"KB-1 {MARKUP}{BLINK}{BIDI}",
        title=f"Password reset {OSC52}{CLEAR}{LINK} {MARKUP} {C1}{BIDI}{FORGE}",
        owner=f"@anna{CLEAR}{FORGE}",
        status="validated",
        audience="customer",
        last_reviewed="2020-01-01",
        flags=[{"by": f"@ivan{OSC52}", "date": "2020-02-02", "reason": f"wrong{FORGE}{C1}"}],
    )
    repo.write("::warning::starts a line.md", "---\nid: [unclosed\n---\nPassword\n")
    # A valid article whose file name forges a command line (search paths, vimgrep, tables).
    repo.write_article(f"bad{FORGE}.md", "Password help.\n", id="KB-2", title="Password help")
    repo.write(f"esc{CLEAR}{BIDI}.md", "---\nid: [unclosed\n---\nPassword\n")
    repo.commit(
        f"update {OSC52}{CLEAR}\n\n::error::in the body of the message",
        author=(f"Eve{CLEAR}{BIDI}", "eve@example.com"),
    )
    return repo


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(PYTHONPATH=str(PROJECT_ROOT), TERM="xterm-256color", COLUMNS="200")
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kbctl", *args]


def run_in_pty(args: tuple[str, ...], cwd: Path) -> str:
    """Run kbctl with stdout and stderr on one raw pseudo-terminal; everything it wrote."""
    run = pty_run(args, cwd, _env(), size=(50, 200), raw=True)
    assert run.returncode in (0, 1), (args, run.output)
    return run.output.decode("utf-8", "surrogateescape")


def run_in_pipes(args: tuple[str, ...], cwd: Path) -> tuple[str, str]:
    """Run kbctl with stdout and stderr on pipes (as CI does); (stdout, stderr)."""
    result = subprocess.run(
        _command(*args), cwd=cwd, env=_env(), capture_output=True, timeout=60, check=False
    )
    assert result.returncode in (0, 1), (args, result.stderr)
    return (
        result.stdout.decode("utf-8", "surrogateescape"),
        result.stderr.decode("utf-8", "surrogateescape"),
    )


def assert_inert(output: str, where: str) -> None:
    """No raw control, bidi or undecodable character from data; no workflow-command line."""
    visible = KBCTL_LINK.sub("", RICH_SGR.sub("", output))
    raw = RAW.search(visible)
    assert raw is None, (
        f"{where}: raw {raw.group()!r} in {visible[max(raw.start() - 60, 0) : raw.end() + 20]!r}"
    )
    for line in LINE_BREAK.split(visible):
        assert not line.lstrip().startswith("::"), f"{where}: workflow command line {line!r}"
        assert "##[" not in line, f"{where}: old-style workflow command {line!r}"


COMMANDS = [
    ("list",),
    ("search", "password"),
    ("show", "a.md"),
    ("stale", "--today", TODAY),
    ("review", "--today", TODAY),
    ("flags",),
    ("owners", "--today", TODAY),
    ("history", "a.md"),
    ("check", "--today", TODAY),
    ("check", "--today", TODAY, "--format", "text"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_a_terminal_never_gets_escape_sequences_or_command_lines(
    hostile: GitRepo, args: tuple[str, ...]
) -> None:
    output = run_in_pty(("--kb", ".", *args), hostile.path)
    assert_inert(output, f"pty {args}")
    # The diagnostics of the malformed files are there, escaped, not dropped.
    if args[0] != "search":
        assert "esc\\x1b[2J\\u202e\\u2066" in RICH_SGR.sub("", output)


@pytest.mark.parametrize(
    "args",
    [
        *COMMANDS,
        ("search", "password", "--format", "vimgrep"),
        ("search", "password", "-f", "paths"),
    ],
    ids=lambda args: " ".join(args[:4]),
)
def test_pipes_never_get_escape_sequences_or_command_lines(
    hostile: GitRepo, args: tuple[str, ...]
) -> None:
    stdout, stderr = run_in_pipes(("--kb", ".", *args), hostile.path)
    assert_inert(stdout, f"stdout of {args}")
    assert_inert(stderr, f"stderr of {args}")


def test_values_show_escaped_and_markup_literal(hostile: GitRepo) -> None:
    listed = RICH_SGR.sub("", run_in_pty(("--kb", ".", "list"), hostile.path))
    assert "\\x1b]52;c;SGVsbG8=\\x07" in listed
    assert "\\u202e" in listed
    history = RICH_SGR.sub("", run_in_pty(("--kb", ".", "history", "a.md"), hostile.path))
    # The id is the table's title: Rich must not read it as markup (no OSC 8 link, no bold).
    assert MARKUP in history
    assert "Eve\\x1b[2J" in history
    shown = RICH_SGR.sub("", run_in_pty(("--kb", ".", "show", "a.md"), hostile.path))
    assert "\\x3a:error::forged in body" in shown
    assert "##\\x5b" in shown
    assert "a link (http://evil.example)" in shown


def test_edit_notices_are_escaped(hostile: GitRepo) -> None:
    _stdout, stderr = run_in_pipes(
        ("--kb", ".", "flag", "a.md", "still wrong", "--by", "@ivan", "--date", TODAY),
        hostile.path,
    )
    assert_inert(stderr, "flag")
    assert "kbctl: flagged KB-1 [link=http://evil.example]" in stderr


def test_machine_formats_stay_exact_and_inert(hostile: GitRepo) -> None:
    check = ("--kb", ".", "check", "--today", TODAY, "--no-history")
    reason = f"wrong{FORGE}{C1}"

    as_json, _ = run_in_pipes((*check, "--format", "json"), hostile.path)
    assert_inert(as_json, "json")
    messages = [finding["message"] for finding in json.loads(as_json)["findings"]]
    assert any(message.endswith(reason) for message in messages)
    listed, _ = run_in_pipes(("--kb", ".", "list", "--format", "json"), hostile.path)
    assert_inert(listed, "list json")
    assert json.loads(listed)[0]["flags"][0]["reason"] == reason

    for name in ("sarif", "gitlab"):
        report, _ = run_in_pipes((*check, "--format", name), hostile.path)
        assert_inert(report, name)
        assert any(reason in text for text in _strings(json.loads(report))), name

    junit, _ = run_in_pipes((*check, "--format", "junit"), hostile.path)
    assert_inert(junit, "junit")
    failures = ElementTree.fromstring(junit.encode("utf-8")).iter("failure")
    texts = [failure.get("message", "") for failure in failures]
    assert any(text.endswith(reason) for text in texts)
    bodies = [f.text or "" for f in ElementTree.fromstring(junit.encode()).iter("failure")]
    assert any(f"{reason}\nhint:" in body for body in bodies)

    github, _ = run_in_pipes((*check, "--format", "github"), hostile.path)
    assert RAW.search(github) is None
    lines = LINE_BREAK.split(github)
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(texts)  # one line per finding, nothing forged
    assert_inert("\n".join(line for line in lines if not line.startswith("::")), "github")


def _strings(data: object) -> list[str]:
    """Every string inside decoded JSON."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for value in data.values() for text in _strings(value)]
    if isinstance(data, list):
        return [text for value in data for text in _strings(value)]
    return []


def test_one_line_escapes_controls_bidi_and_line_breaks() -> None:
    assert one_line(f"a{OSC52}\tb\nc\r{C1}{BIDI}\u2028\udcff") == (
        "a\\x1b]52;c;SGVsbG8=\\x07\\tb\\nc\\r\\x9b2J\\x85\\x90"
        "\\u202e\\u2066\\u2069\\u200f\\u061c\\u2028\\udcff"
    )
    assert one_line("Привет, [bold] ::x") == "Привет, [bold] ::x"


def test_block_keeps_lines_and_neutralises_commands() -> None:
    assert block("a\n\t::error::x\r\n##[warning]y\n:: z") == (
        "a\n\t\\x3a:error::x\\r\n##\\x5bwarning]y\n\\x3a: z"
    )
    assert guard_line("\x1b[1m  ::add-mask::s") == "\x1b[1m  \\x3a:add-mask::s"
    assert guard_line("key: ::value") == "key: ::value"


def test_a_guarded_stream_holds_a_line_start_until_it_is_decided() -> None:
    sink = io.StringIO()
    stream = GuardedStream(lambda: sink)
    for piece in ["ok\n", "  ", ":", ":error::x\nfine ", "::not at start\n", "\r::y\n"]:
        stream.write(piece)
    assert sink.getvalue() == "ok\n  \\x3a:error::x\nfine ::not at start\n\r\\x3a:y\n"
    assert stream.isatty() is False
