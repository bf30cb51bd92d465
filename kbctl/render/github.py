"""GitHub Actions output: workflow-command annotations and a Markdown job summary.

Escaping follows the Actions runner (``toolkit/core`` ``escapeData``/``escapeProperty``):
``%``, CR and LF in messages; also ``:`` and ``,`` in properties such as ``file`` and ``title``.
Other control and bidirectional characters are then shown escaped (``\\x1b``, ``\\u202e``) by
``kbctl.textsafe``, as in every human-facing output: the runner prints annotations in the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbctl.i18n import ngettext
from kbctl.render.text import summary_line
from kbctl.textsafe import escape_controls

if TYPE_CHECKING:
    from kbctl.model import Finding
    from kbctl.rules.engine import CheckResult

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
SUMMARY_ROW_LIMIT = 500


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return escape_controls(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One ``::error file=P,line=L,title=T::message`` line."""
    command = _COMMANDS[finding.severity.value]
    title = f"{finding.rule_id} {finding.rule_name}".strip()
    message = finding.message + (f"\n{finding.hint}" if finding.hint else "")
    properties = (
        f"file={escape_property(finding.path)},line={finding.line},title={escape_property(title)}"
    )
    return f"::{command} {properties}::{escape_data(message)}"


def render_github(result: CheckResult) -> str:
    """Every finding as an annotation, then a plain summary line."""
    lines = [annotation(finding) for finding in result.findings]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def job_summary(result: CheckResult) -> str:
    """A Markdown job summary: counts, then a table of findings (capped)."""
    counts = result.counts()
    lines = [
        "## kbctl check",
        "",
        f"{summary_line(result)}.",
        "",
        "| errors | warnings | info |",
        "|---:|---:|---:|",
        f"| {counts['error']} | {counts['warning']} | {counts['info']} |",
        "",
    ]
    if result.findings:
        lines += ["| severity | rule | file | message |", "|---|---|---|---|"]
        for finding in result.findings[:SUMMARY_ROW_LIMIT]:
            lines.append(
                f"| {finding.severity.value} | {finding.rule_id} {_cell(finding.rule_name)} "
                f"| `{_cell(finding.path)}:{finding.line}` | {_cell(finding.message)} |"
            )
        hidden = len(result.findings) - SUMMARY_ROW_LIMIT
        if hidden > 0:
            lines += [
                "",
                ngettext(
                    "... and {count} more (see the annotations or run `kbctl check` locally).",
                    "... and {count} more (see the annotations or run `kbctl check` locally).",
                    hidden,
                ).format(count=hidden),
            ]
        lines.append("")
    return "\n".join(lines) + "\n"
