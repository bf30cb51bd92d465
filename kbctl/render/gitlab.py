"""GitLab Code Quality report: a JSON array the merge request widget reads.

Fingerprints hash the rule, the path and the message but not the line, so a finding keeps its
identity when lines above it move; identical findings in one file get an occurrence number.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from kbctl.render.json import dumps

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kbctl.model import Finding
    from kbctl.rules.engine import CheckResult

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A stable, unique fingerprint per finding: rule, path and message hashed (not the line),
    plus an occurrence number for identical findings in one file. SARIF uses them too."""
    seen: dict[tuple[str, str, str], int] = {}
    found: list[str] = []
    for finding in findings:
        key = (finding.rule_id, finding.path, finding.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        material = "\x1f".join([*key, str(occurrence)] if occurrence else key)
        found.append(hashlib.sha256(material.encode("utf-8")).hexdigest())
    return found


def code_quality(result: CheckResult) -> list[dict[str, Any]]:
    """The Code Quality issues as plain data."""
    return [
        {
            "type": "issue",
            "description": f"{finding.rule_id} {finding.message}",
            "check_name": f"{finding.rule_id} {finding.rule_name}".strip(),
            "fingerprint": fingerprint,
            "severity": SEVERITIES[finding.severity.value],
            "location": {"path": finding.path, "lines": {"begin": finding.line}},
            **({"content": {"body": finding.hint}} if finding.hint else {}),
        }
        for finding, fingerprint in zip(result.findings, fingerprints(result.findings), strict=True)
    ]


def render_gitlab(result: CheckResult) -> str:
    """The Code Quality report as JSON text."""
    return dumps(code_quality(result)) + "\n"
