"""Every example in kbctl's help and in the README runs on the bundled base.

Examples are taken from the "Examples:" part of each command's help and from the README's
``console``/``sh`` blocks (``kbctl ...`` lines, ``$ kbctl ...`` lines, ``<(kbctl ...)`` and the
inner command of ``$(kbctl ...)``),
cut before a pipe, a redirection or a comment. Each runs on its own copy of the bundled base
(a git repository with an ``origin/main``) and must exit 0 (clean) or 1 (findings), never 2.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from kbctl.cli.app import app
from tests.conftest import PROJECT_ROOT, GitRepo

# Examples that cannot run here, each with the reason (an example is matched by its text).
SKIPPED: dict[str, str] = {
    "kbctl edit KB-0012": "opens an editor (tests/test_editor.py runs it with a fake one)",
    "kbctl edit KB-0012:14": "opens an editor (tests/test_editor.py runs it with a fake one)",
    "kbctl edit billing/refund-approval-policy.md:14": "opens an editor (tests/test_editor.py)",
    "kbctl search 'refund limit' --open 1": "opens an editor (tests/test_editor.py)",
    "kbctl search -i": "full screen, needs a terminal (tests/test_interactive.py: a pty)",
    "kbctl search -i refund": "full screen, needs a terminal (tests/test_interactive.py: a pty)",
    "kbctl search -i password --tag accounts --all": "full screen, needs a terminal (as above)",
    "kbctl init path/to/site": "a placeholder folder; tests/test_init.py runs init on fixtures",
    "kbctl mcp --audience customer": "serves until the client leaves (tests/test_mcp.py)",
    "kbctl mcp --audience customer --transport http --port 8765": "an HTTP server (runs forever)",
}


def _cut(line: str) -> str:
    """The kbctl command of an example line: no prompt, comment, pipe or redirection."""
    line = re.sub(r"\s{2,}\(.*$", "", line.strip()).removeprefix("$ ")
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    for word in lexer:
        if word and set(word) <= set("|&;<>"):
            break
        words.append(word)
    return shlex.join(words)


def help_examples() -> Iterator[str]:
    """The example command lines of every command's help."""
    stack = [typer.main.get_command(app)]
    while stack:
        command = stack.pop()
        stack.extend(getattr(command, "commands", {}).values())
        in_examples = False
        for line in (command.help or "").splitlines():
            if line.strip() == "Examples:":
                in_examples = True
            elif in_examples and line.strip().startswith("kbctl "):
                yield _cut(line)


def readme_examples() -> Iterator[str]:
    """The kbctl command lines of the README's console and shell blocks."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"^```(?:console|sh|bash|shell)\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            if "$(kbctl" in line:
                # The outer command needs the inner one's output: run the inner one.
                yield from (_cut(inner) for inner in re.findall(r"\$\((kbctl [^)\n]*)", line))
                continue
            for found in re.findall(r"(?:^\$ |^|<\()(kbctl [^)\n]*)", line):
                if line.lstrip().startswith(("kbctl ", "$ kbctl ")) or "<(kbctl" in line:
                    yield _cut(found)


EXAMPLES = sorted(set(help_examples()) | set(readme_examples()))


def test_examples_are_found() -> None:
    assert len(list(help_examples())) >= 20
    assert len(list(readme_examples())) >= 10
    assert "kbctl rules KB301" in EXAMPLES


@pytest.fixture
def kb_repo(kb_copy: Path) -> Path:
    """The bundled base copy as a git repository with one commit and an ``origin/main``."""
    repo = GitRepo(kb_copy)
    sha = repo.commit("the sample base")
    repo.git("update-ref", "refs/remotes/origin/main", sha)
    return kb_copy


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_runs_on_the_bundled_base(example: str, kb_repo: Path, cli) -> None:
    if example in SKIPPED:
        pytest.skip(SKIPPED[example])
    words = shlex.split(example)
    assert words[0] == "kbctl"
    result = cli(*words[1:], "--today", "2026-11-22", cwd=kb_repo) if _dated(words) else None
    if result is None:
        result = cli(*words[1:], cwd=kb_repo)
    assert result.exit_code in (0, 1), f"{example}: exit {result.exit_code}\n{result.stderr}"


def _dated(words: list[str]) -> bool:
    # Pin the date where a command takes one, so verdicts do not move with the calendar.
    return words[1] in {"stale", "check"} and "--today" not in words
