"""JUnit XML: testsuites > testsuite > testcase > failure, one test case per finding.

A clean run still has one passing test case, so CI shows the check ran.

Text stays exact where XML 1.0 can hold it: characters it cannot (most C0 controls) become
U+FFFD; CR, DEL, C1 and bidirectional controls are written as character references; a line
of a message that would start with ``::`` (or hold ``##[``) has that character written as a
reference too, so printing the report in GitHub Actions cannot run a workflow command.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import TYPE_CHECKING

from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.rules.engine import CheckResult

SUITE_NAME = "kbctl check"
# Characters XML 1.0 cannot hold at all (ElementTree writes them as they are, breaking the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# Characters XML 1.0 allows but that must not reach a terminal or the Actions runner raw.
_AS_REFERENCE = re.compile("[\r\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.MULTILINE)


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _references(document: str) -> str:
    """The serialised document with risky characters as character references (exact XML)."""
    document = _AS_REFERENCE.sub(lambda match: f"&#{ord(match.group())};", document)
    document = _COMMAND_LINE.sub(r"\1&#58;", document)
    return document.replace("##[", "##&#91;")


def render_junit(result: CheckResult) -> str:
    """The findings as a JUnit XML document (UTF-8, with an XML declaration)."""
    findings = result.findings
    tests = max(1, len(findings))
    root = ElementTree.Element(
        "testsuites", name=SUITE_NAME, tests=str(tests), failures=str(len(findings)), errors="0"
    )
    suite = ElementTree.SubElement(
        root,
        "testsuite",
        name=SUITE_NAME,
        tests=str(tests),
        failures=str(len(findings)),
        errors="0",
        skipped="0",
    )
    if not findings:
        ElementTree.SubElement(
            suite, "testcase", classname="kbctl", name=f"{result.checked} articles checked"
        )
    for finding in findings:
        path = _xml_text(finding.path)
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=path,
            name=f"{finding.rule_id} {finding.rule_name} (line {finding.line})",
            file=path,
            line=str(finding.line),
        )
        failure = ElementTree.SubElement(
            case, "failure", message=_xml_text(finding.message), type=finding.severity.value
        )
        failure.text = _xml_text(
            f"{finding.path}:{finding.line}: {finding.severity.value} {finding.rule_id} {finding.message}"
            + (f"\n{_('hint:')} {finding.hint}" if finding.hint else "")
        )
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_references(body)}\n'
