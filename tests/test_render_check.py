"""The report formats of ``kbctl check``: validity and escaping, on hand-built findings."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

import jsonschema
import pytest
from conftest import FIXTURES

from kbctl.model import Finding, Severity
from kbctl.render.github import annotation, escape_data, escape_property, job_summary, render_github
from kbctl.render.gitlab import SEVERITIES, code_quality
from kbctl.render.junit import render_junit
from kbctl.render.rules_doc import rules_markdown
from kbctl.render.sarif import sarif_log
from kbctl.render.text import render_text
from kbctl.rules.engine import CheckResult
from kbctl.rules.registry import all_rules

TRICKY = Finding(
    "KB402",
    Severity.ERROR,
    "docs/a, b: c.md",
    7,
    "link to missing file 100%: done,\nsecond line\r",
    hint="fix: it",
    rule_name="broken-link",
)
FINDINGS = [
    TRICKY,
    Finding(
        "KB302",
        Severity.WARNING,
        "billing/счёт.md",
        3,
        "review due soon",
        "review it",
        "review-due-soon",
    ),
    Finding("KB406", Severity.INFO, "my file.md", 1, "article has 3 words", None, "too-short"),
    # Two identical findings in one file (e.g. the same broken link twice): distinct fingerprints.
    Finding("KB402", Severity.ERROR, "x.md", 4, "link to missing file y.md", None, "broken-link"),
    Finding("KB402", Severity.ERROR, "x.md", 9, "link to missing file y.md", None, "broken-link"),
]


def result(findings: list[Finding] | None = None) -> CheckResult:
    return CheckResult(
        list(FINDINGS if findings is None else findings), all_rules(), checked=12, silenced=1
    )


def test_github_escaping_of_messages_and_properties() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert escape_data("a:b,c") == "a:b,c"  # ':' and ',' are fine in the message part
    assert annotation(TRICKY) == (
        "::error file=docs/a%2C b%3A c.md,line=7,title=KB402 broken-link::"
        "link to missing file 100%25: done,%0Asecond line%0D%0Afix: it"
    )


def test_github_levels_and_summary_line() -> None:
    lines = render_github(result()).splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:3]] == ["::error", "::warning", "::notice"]
    assert lines[-1] == "3 errors, 1 warning, 1 info in 12 articles checked (1 silenced)"


def test_github_job_summary_markdown() -> None:
    summary = job_summary(result())
    assert summary.startswith("## kbctl check\n")
    assert "| 3 | 1 | 1 |" in summary
    # Pipes and newlines cannot break the table.
    assert (
        "| error | KB402 broken-link | `docs/a, b: c.md:7` | link to missing file 100%: done, second line  |"
        in summary
    )


def test_gitlab_code_quality() -> None:
    issues = code_quality(result())
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(issues)
    assert (
        {issue["severity"] for issue in issues}
        <= set(SEVERITIES.values())
        <= {
            "info",
            "minor",
            "major",
            "critical",
            "blocker",
        }
    )
    assert issues[0]["location"] == {"path": "docs/a, b: c.md", "lines": {"begin": 7}}
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= issue.keys()


def test_gitlab_fingerprints_survive_line_moves() -> None:
    moved = Finding(
        TRICKY.rule_id,
        TRICKY.severity,
        TRICKY.path,
        70,
        TRICKY.message,
        TRICKY.hint,
        TRICKY.rule_name,
    )
    before = code_quality(result([TRICKY]))[0]["fingerprint"]
    after = code_quality(result([moved]))[0]["fingerprint"]
    assert before == after
    other = Finding("KB402", Severity.ERROR, "other.md", 7, TRICKY.message)
    assert code_quality(result([other]))[0]["fingerprint"] != before


def test_junit_is_valid_xml_with_the_expected_structure() -> None:
    root = ElementTree.fromstring(render_junit(result()).encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = suites[0].findall("testcase")
    assert (
        len(cases) == len(FINDINGS) == int(suites[0].get("tests")) == int(suites[0].get("failures"))
    )
    failure = cases[0].find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message") == TRICKY.message
    assert cases[1].get("classname") == "billing/счёт.md"


def test_junit_stays_valid_xml_with_control_characters() -> None:
    # A flag reason or heading can carry characters XML 1.0 cannot hold (YAML "\a", "\e").
    bell = Finding("KB501", Severity.WARNING, "a\x1b.md", 2, "flag: ring\x07 the\x00 bell")
    root = ElementTree.fromstring(render_junit(result([bell])).encode("utf-8"))
    failure = root.find("./testsuite/testcase/failure")
    assert failure.get("message") == "flag: ring\ufffd the\ufffd bell"


def test_junit_clean_run_has_one_passing_case() -> None:
    root = ElementTree.fromstring(render_junit(result([])).encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "clean"])
def test_sarif_validates_against_the_schema(sarif_validator, findings: list[Finding]) -> None:
    log = json.loads(json.dumps(sarif_log(result(findings))))
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert errors == []


def test_sarif_rules_and_results_are_consistent(sarif_validator) -> None:
    log = sarif_log(result())
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kbctl" and driver["version"] and driver["informationUri"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted(rule_ids) and len(set(rule_ids)) == len(rule_ids)
    for item in run["results"]:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
    levels = [item["level"] for item in run["results"]]
    assert levels[:3] == ["error", "warning", "note"]
    assert (
        run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "my%20file.md"
    )
    # A broken copy must fail validation: the validator really checks.
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(broken))


def test_text_output_groups_by_file() -> None:
    text = render_text(result())
    assert "docs/a, b: c.md:7: error KB402 link to missing file" in text
    assert "    hint: fix: it" in text
    assert text.rstrip().endswith("3 errors, 1 warning, 1 info in 12 articles checked (1 silenced)")
    assert render_text(result([])).startswith("no problems: 0 errors")


def test_rules_markdown_documents_every_rule() -> None:
    text = rules_markdown(all_rules())
    for rule in all_rules():
        assert f"#### {rule.id} {rule.name}" in text
        assert rule.why in text and rule.fix in text
    assert "### Front matter and loading (KB1xx)" in text


def test_terminal_text_is_the_plain_text_with_colours() -> None:
    from io import StringIO

    from rich.console import Console

    from kbctl.render.text import print_text

    stream = StringIO()
    printable = result(FINDINGS[1:])  # Rich drops TRICKY's carriage return on a terminal
    console = Console(file=stream, force_terminal=True, no_color=False, width=500)
    print_text(console, printable)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue())
    assert plain == render_text(printable)
    assert "\x1b[1;31merror\x1b[0m" in stream.getvalue()
