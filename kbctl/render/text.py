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

from kbctl.i18n import _, ngettext
from kbctl.textsafe import guard_lines, one_line

if TYPE_CHECKING:
    from rich.console import Console

    from kbctl.rules.engine import CheckResult


# The severity word stays English in ``path:line: severity KBnnn message`` lines: editors'
# problem matchers (VS Code, vim's errorformat) read it, as they read compilers' output.
def _highlights() -> list[tuple[re.Pattern[str], str]]:
    """Styles laid over render_text's lines: "path:line: severity KBnnn message", the hint
    lines below them, the closing summary (labels in the active language)."""
    hint = re.escape(_("hint:"))
    clean = re.escape(_("no problems: {summary}").split("{summary}", 1)[0].rstrip())
    return [
        (re.compile(r"^\S.*?:\d+(?=: (?:error|warning|info) KB\d)", re.MULTILINE), "bold"),
        (re.compile(r"(?<=\d: )error(?= KB\d)"), "bold red"),
        (re.compile(r"(?<=\d: )warning(?= KB\d)"), "yellow"),
        (re.compile(r"(?<=\d: )info(?= KB\d)"), "cyan"),
        (re.compile(rf"^    {hint} .*$", re.MULTILINE), "dim"),
        *([(re.compile(rf"^{clean}", re.MULTILINE), "green")] if clean else []),
        (re.compile(r"^[^\n]*\Z", re.MULTILINE), "bold"),
    ]


def summary_line(result: CheckResult) -> str:
    """``3 errors, 1 warning, 0 info in 45 articles checked (2 silenced)``, in the active
    language with each count in its plural form."""
    counts = result.counts()
    line = _("{errors}, {warnings}, {infos} in {articles} checked").format(
        errors=ngettext("{count} error", "{count} errors", counts["error"]).format(
            count=counts["error"]
        ),
        warnings=ngettext("{count} warning", "{count} warnings", counts["warning"]).format(
            count=counts["warning"]
        ),
        infos=ngettext("{count} info", "{count} info", counts["info"]).format(count=counts["info"]),
        articles=ngettext("{count} article", "{count} articles", result.checked).format(
            count=result.checked
        ),
    )
    if result.silenced:
        line = _("{summary} ({count} silenced)").format(summary=line, count=result.silenced)
    return line


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
                lines.append(f"    {_('hint:')} {one_line(finding.hint)}")
        lines.append("")
    lines.append(
        summary_line(result)
        if result.findings
        else _("no problems: {summary}").format(summary=summary_line(result))
    )
    return guard_lines("\n".join(lines) + "\n")


def print_text(console: Console, result: CheckResult) -> None:
    """The same text as :func:`render_text`, with colours on a terminal."""
    from rich.text import Text

    text = Text(render_text(result).removesuffix("\n"))
    for pattern, style in _highlights():
        text.highlight_regex(pattern, style)
    console.print(text)
