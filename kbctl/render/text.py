"""Human output of ``kbctl check``: findings grouped by file, then a summary line.

Plain text (``path:line: severity KBxxx message``) everywhere; colours only when the console
is a terminal (Rich decides that, and honours NO_COLOR). Paths, messages and hints are made
safe by ``kbctl.textsafe`` (one line each, control characters escaped) and no line of the
report can pass for a GitHub workflow command.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING

from kbctl.textsafe import guard_lines, one_line

if TYPE_CHECKING:
    from rich.console import Console

    from kbctl.rules.engine import CheckResult

# Styles laid over render_text's lines: "path:line: severity KBnnn message", "    hint: ...".
_HIGHLIGHTS = [
    (re.compile(r"^\S.*?:\d+(?=: (?:error|warning|info) KB\d)", re.MULTILINE), "bold"),
    (re.compile(r"(?<=\d: )error(?= KB\d)"), "bold red"),
    (re.compile(r"(?<=\d: )warning(?= KB\d)"), "yellow"),
    (re.compile(r"(?<=\d: )info(?= KB\d)"), "cyan"),
    (re.compile(r"^    hint: .*$", re.MULTILINE), "dim"),
    (re.compile(r"^no problems:", re.MULTILINE), "green"),
    (re.compile(r"^\d+ errors?, .*\Z", re.MULTILINE), "bold"),
]


def summary_line(result: CheckResult) -> str:
    """``3 errors, 1 warning, 0 info in 45 articles (2 silenced)``."""
    counts = result.counts()

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 or word == 'info' else 's'}"

    parts = [
        plural(counts["error"], "error"),
        plural(counts["warning"], "warning"),
        plural(counts["info"], "info"),
    ]
    tail = f" ({result.silenced} silenced)" if result.silenced else ""
    articles = plural(result.checked, "article")
    return f"{', '.join(parts)} in {articles} checked{tail}"


def render_text(result: CheckResult) -> str:
    """The findings as plain text, one block per file, hints indented below."""
    lines: list[str] = []
    for _path, group in groupby(result.findings, key=lambda finding: finding.path):
        for finding in group:
            lines.append(
                f"{one_line(finding.path)}:{finding.line}: {finding.severity.value} "
                f"{finding.rule_id} {one_line(finding.message)}"
            )
            if finding.hint:
                lines.append(f"    hint: {one_line(finding.hint)}")
        lines.append("")
    lines.append(
        summary_line(result) if result.findings else f"no problems: {summary_line(result)}"
    )
    return guard_lines("\n".join(lines) + "\n")


def print_text(console: Console, result: CheckResult) -> None:
    """The same text as :func:`render_text`, with colours on a terminal."""
    from rich.text import Text

    text = Text(render_text(result).removesuffix("\n"))
    for pattern, style in _HIGHLIGHTS:
        text.highlight_regex(pattern, style)
    console.print(text)
