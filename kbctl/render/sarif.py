"""SARIF 2.1.0 for code scanning: rule metadata from the registry, one result per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kbctl import __version__
from kbctl.i18n import _
from kbctl.render.json import dumps

if TYPE_CHECKING:
    from kbctl.rules.engine import CheckResult
    from kbctl.rules.registry import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/kbctl/"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A SARIF reportingDescriptor for a rule."""
    help_text = _("{summary}\n\nWhy: {why}\n\nHow to fix: {fix}").format(
        summary=_(rule.summary), why=_(rule.why), fix=_(rule.fix)
    )
    if rule.configure:
        help_text += "\n\n" + _("Configure: {text}").format(text=_(rule.configure))
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _(rule.summary)},
        "fullDescription": {"text": f"{_(rule.summary)} {_(rule.why)}"},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": {"tags": ["knowledge-base", rule.family.value]},
    }


def sarif_log(result: CheckResult) -> dict[str, Any]:
    """The SARIF log as plain data."""
    from kbctl.render.gitlab import fingerprints
    from kbctl.rules.registry import all_rules

    rules = all_rules()
    index = {rule.id: number for number, rule in enumerate(rules)}
    results = []
    for finding, fingerprint in zip(result.findings, fingerprints(result.findings), strict=True):
        results.append(
            {
                "ruleId": finding.rule_id,
                "ruleIndex": index[finding.rule_id],
                "level": LEVELS[finding.severity.value],
                "message": {
                    "text": finding.message + (f"\n{finding.hint}" if finding.hint else "")
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(finding.path)},
                            "region": {"startLine": finding.line},
                        }
                    }
                ],
                "partialFingerprints": {"kbctlFinding/v1": fingerprint},
            }
        )
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kbctl",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(result: CheckResult) -> str:
    """The SARIF log as JSON text."""
    return dumps(sarif_log(result)) + "\n"


def _uri(path: str) -> str:
    """A finding's file as a SARIF URI: relative as printed, or ``file://`` when absolute
    (the file is outside the current folder)."""
    from pathlib import PurePosixPath

    if path.startswith("/"):
        return PurePosixPath(path).as_uri()
    return quote(path, safe="/")
