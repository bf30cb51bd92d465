"""``kbctl check`` and ``kbctl rules`` end to end: exit codes, scope, formats, the sample base."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, GitRepo, article_text, run_kbctl

GOOD = {
    "id": "KB-1",
    "title": "A good article",
    "owner": "@anna",
    "status": "validated",
    "audience": "customer",
    "last_reviewed": "2026-10-01",
}
PROSE = "Some words of useful prose. " * 20 + "\n"
TODAY = ["--today", "2026-11-22"]


def write_base(folder: Path, files: dict[str, str], toml: str = "") -> Path:
    """A base under ``folder/kb`` with its kbctl.toml in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kbctl.toml").write_text(f'content = "kb"\n{toml}', encoding="utf-8")
    for relative, text in files.items():
        path = folder / "kb" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def good(body: str = PROSE, **changes: object) -> str:
    front = {**GOOD, **changes}
    return article_text(body, **{key: value for key, value in front.items() if value is not None})


def findings(stdout: str) -> list[tuple[str, str]]:
    return [(item["rule"], item["path"]) for item in json.loads(stdout)["findings"]]


def test_clean_base_exits_0(cli, tmp_path: Path) -> None:
    folder = write_base(tmp_path, {"a.md": good()})
    result = cli("check", "--no-history", *TODAY, cwd=folder)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_exit_codes_follow_fail_on(cli, tmp_path: Path) -> None:
    warning_only = write_base(tmp_path / "w", {"a.md": good(body="Too short.\n")})
    assert cli("check", "--no-history", *TODAY, cwd=warning_only).exit_code == 0
    assert (
        cli("check", "--no-history", *TODAY, "--fail-on", "warning", cwd=warning_only).exit_code
        == 1
    )
    error = write_base(tmp_path / "e", {"a.md": good(owner=None)})
    result = cli("check", "--no-history", *TODAY, cwd=error)
    assert result.exit_code == 1
    assert "kb/a.md:1: error KB201 no owner" in result.stdout
    assert cli("check", "--no-history", *TODAY, "--fail-on", "never", cwd=error).exit_code == 0


@pytest.mark.parametrize(
    ("args", "toml", "message"),
    [
        (["--today", "someday"], "", "--today"),
        (["--format", "xml"], "", ""),
        (["--fail-on", "info-ish"], "", ""),
        (["missing.md"], "", "no such file"),
        ([], '[check.rules]\nKB999 = "off"\n', "unknown rule"),
    ],
)
def test_usage_and_config_errors_exit_2(
    cli, tmp_path: Path, args: list[str], toml: str, message: str
) -> None:
    folder = write_base(tmp_path, {"a.md": good()}, toml)
    result = cli("check", "--no-history", *args, cwd=folder)
    assert result.exit_code == 2
    assert message in result.stderr


def test_date_rules_follow_today_and_can_be_skipped(cli, tmp_path: Path) -> None:
    folder = write_base(tmp_path, {"a.md": good(last_reviewed="2026-01-01")})
    assert cli("check", "--no-history", "--today", "2026-02-01", cwd=folder).exit_code == 0
    assert cli("check", "--no-history", "--today", "2026-12-01", cwd=folder).exit_code == 1
    skipped = cli("check", "--no-history", "--no-date-rules", "--today", "2026-12-01", cwd=folder)
    assert skipped.exit_code == 0


def test_paths_limit_per_article_rules_but_not_duplicate_ids(cli, tmp_path: Path) -> None:
    folder = write_base(
        tmp_path,
        {
            "a.md": good(owner=None),
            "sub/b.md": good(id="KB-2", owner=None),
            "sub/c.md": good(id="KB-2"),
            "d.md": good(id="KB-4"),
        },
    )
    result = cli("check", "--no-history", *TODAY, "-f", "json", "kb/d.md", cwd=folder)
    assert findings(result.stdout) == [("KB105", "kb/sub/c.md")]
    result = cli("check", "--no-history", *TODAY, "-f", "json", "kb/sub", cwd=folder)
    assert findings(result.stdout) == [("KB201", "kb/sub/b.md"), ("KB105", "kb/sub/c.md")]


def test_github_is_default_in_actions_and_writes_the_job_summary(cli, tmp_path: Path) -> None:
    folder = write_base(tmp_path, {"a.md": good(owner=None, title="Refunds: 100%, fast")})
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = cli("check", "--no-history", *TODAY, cwd=folder, env=env)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=kb/a.md,line=1,title=KB201 owner-missing::no owner")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## kbctl check")
    assert "| error | KB201 owner-missing | `kb/a.md:1` |" in written
    plain = cli(
        "check", "--no-history", *TODAY, cwd=folder, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert not plain.stdout.startswith("::")  # text outside Actions
    assert summary.read_text(encoding="utf-8") == written  # only the github format appends


def test_output_file(cli, tmp_path: Path) -> None:
    folder = write_base(tmp_path, {"a.md": good(owner=None)})
    result = cli("check", "--no-history", *TODAY, "-f", "gitlab", "-o", "report.json", cwd=folder)
    assert result.exit_code == 1
    assert result.stdout == ""
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert [issue["check_name"] for issue in report] == ["KB201 owner-missing"]
    assert "report written to report.json" in result.stderr


def test_changed_since_on_a_branch(cli, git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    git_repo.write_article("kb/old-bad.md", PROSE, **{**GOOD, "id": "KB-1", "owner": ""})
    git_repo.write_article("kb/edited.md", PROSE, **{**GOOD, "id": "KB-2"})
    git_repo.write_article("kb/dup-a.md", PROSE, **{**GOOD, "id": "KB-9"})
    git_repo.write_article("kb/dup-b.md", PROSE, **{**GOOD, "id": "KB-9"})
    git_repo.commit("base", "2026-09-01T10:00:00+00:00")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write_article("kb/edited.md", "Now too short.\n", **{**GOOD, "id": "KB-2"})
    git_repo.commit("edit", "2026-09-15T10:00:00+00:00")  # before the review date
    git_repo.write_article(
        "kb/new.md", PROSE, **{**GOOD, "id": "KB-3", "status": "approved"}
    )  # untracked
    result = cli("check", *TODAY, "--changed-since", "main", "-f", "json", cwd=git_repo.path)
    assert result.exit_code == 1, result.stderr
    assert findings(result.stdout) == [
        ("KB105", "kb/dup-b.md"),
        ("KB406", "kb/edited.md"),
        ("KB104", "kb/new.md"),
    ]
    assert json.loads(result.stdout)["summary"]["checked"] == 2
    whole = cli("check", *TODAY, "-f", "json", cwd=git_repo.path)
    assert ("KB201", "kb/old-bad.md") in findings(whole.stdout)
    unknown = cli("check", *TODAY, "--changed-since", "no-such-branch", cwd=git_repo.path)
    assert unknown.exit_code == 2
    assert "no-such-branch" in unknown.stderr


def test_changed_since_review_with_history(cli, git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    git_repo.write_article("kb/a.md", PROSE, **GOOD)
    git_repo.write_article("kb/b.md", PROSE, **{**GOOD, "id": "KB-2"})
    git_repo.commit("add", "2026-09-01T10:00:00+00:00")
    git_repo.write_article("kb/a.md", PROSE + "A new step.\n", **GOOD)
    git_repo.commit("edit a", "2026-10-20T10:00:00+00:00")
    result = cli("check", *TODAY, "-f", "json", cwd=git_repo.path)
    assert findings(result.stdout) == [("KB303", "kb/a.md")]
    assert cli("check", *TODAY, "-f", "json", "--no-history", cwd=git_repo.path).exit_code == 0


def test_real_process_writes_junit(tmp_path: Path) -> None:
    folder = write_base(tmp_path, {"a.md": good(owner=None), "b.md": good(id="KB-2")})
    process = run_kbctl("check", "--no-history", *TODAY, "--format", "junit", cwd=folder)
    assert process.returncode == 1, process.stderr
    root = ElementTree.fromstring(process.stdout.encode())
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert [case.get("classname") for case in cases] == ["kb/a.md"]
    assert cases[0].find("failure").get("type") == "error"


def test_rules_command(cli) -> None:
    markdown = cli("rules")
    assert markdown.exit_code == 0
    data = json.loads(cli("rules", "--format", "json").stdout)
    assert len(data) >= 20
    for rule in data:
        assert f"#### {rule['id']} {rule['name']}" in markdown.stdout


def test_readme_rules_section_is_generated(cli) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.DOTALL)
    assert match, "README.md lacks the <!-- rules:start --> ... <!-- rules:end --> section"
    generated = cli("rules", "--format", "markdown").stdout
    assert match.group(1).strip() == generated.strip(), (
        "README rules section is stale: regenerate it with `kbctl rules --format markdown`"
    )


# --------------------------------------------------------------- the bundled base

# The contract of kb-content/README.md ("Deliberate findings" and "Review dates").
EXPECTED_SAMPLE_FINDINGS = {
    ("KB201", "howto/drafts/merge-duplicate-contacts.md"),
    # No live owner: the only owner left, or is not in the roster (KB203/KB202 say who).
    ("KB201", "integrations/webhook-otklyuchen-posle-oshibok.md"),
    ("KB201", "mobile/android-push-energosberezhenie.md"),
    ("KB203", "integrations/webhook-otklyuchen-posle-oshibok.md"),
    ("KB202", "mobile/android-push-energosberezhenie.md"),
    ("KB105", "email/pisma-popadayut-v-spam.md"),
    ("KB401", "billing/vozvrat-sredstv.md"),
    ("KB402", "email/bounces-hard-soft.md"),
    ("KB403", "mobile/ios-push-notifications-not-arriving.md"),
    ("KB404", "howto/capture-har-file.md"),
    ("KB407", "api/401-invalid-api-key.md"),
    ("KB501", "accounts/account-locked-failed-logins.md"),
    ("KB104", "faq/where-is-data-hosted.md"),
    ("KB301", "faq/data-retention.md"),
    ("KB301", "integrations/salesforce-dublikaty-kontaktov.md"),
    ("KB301", "checklists/incident-communication.md"),
    ("KB301", "api/pagination.md"),
    ("KB301", "billing/downgrade-seat-limit.md"),
    ("KB301", "email/microsoft-365-550-5-7-708.md"),
    ("KB302", "integrations/zapier-trigger-not-firing.md"),
    ("KB302", "accounts/saml-response-signature-invalid.md"),
    ("KB302", "accounts/udalenie-dannyh-152-fz-gdpr.md"),
    ("KB304", "checklists/peredacha-statey-pri-uhode-sotrudnika.md"),
    ("KB301", "checklists/peredacha-statey-pri-uhode-sotrudnika.md"),
}


def _sample_findings(stdout: str) -> set[tuple[str, str]]:
    return {(rule, path.removeprefix("kb-content/")) for rule, path in findings(stdout)}


def test_sample_base_has_exactly_the_deliberate_findings(cli, kb_copy: Path) -> None:
    result = cli("check", *TODAY, "--format", "json", cwd=kb_copy)
    assert result.exit_code == 1, result.stderr
    found = _sample_findings(result.stdout)
    assert found - EXPECTED_SAMPLE_FINDINGS == set(), "unexpected findings"
    assert EXPECTED_SAMPLE_FINDINGS - found == set(), "deliberate bad cases not found"


def test_sample_base_committed_in_one_bulk_commit(cli, kb_copy: Path) -> None:
    repo = GitRepo(kb_copy)
    repo.commit("Import the sample base", "2026-11-20T12:00:00+00:00")
    result = cli("check", *TODAY, "--format", "json", cwd=kb_copy)
    found = _sample_findings(result.stdout)
    # The import commit touches every article: a bulk commit is not a content change, so
    # "changed since review" (KB303) must not fire everywhere.
    assert not {finding for finding in found if finding[0] == "KB303"}
    assert found == EXPECTED_SAMPLE_FINDINGS


def test_pre_commit_hooks(cli, tmp_path: Path) -> None:
    import shlex

    import yaml

    hooks = {
        hook["id"]: hook
        for hook in yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"kbctl-check", "kbctl-check-full"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["markdown"]
        assert hook["entry"].startswith("kbctl check")
    assert hooks["kbctl-check"]["pass_filenames"] is True
    assert hooks["kbctl-check-full"]["pass_filenames"] is False
    assert hooks["kbctl-check-full"]["stages"] == ["manual"]
    fast = shlex.split(hooks["kbctl-check"]["entry"])[2:]
    folder = write_base(
        tmp_path,
        {
            "overdue.md": good(last_reviewed="2020-01-01"),
            "broken.md": good(id="KB-2", body=PROSE + "[x](gone.md)\n"),
        },
    )
    (folder / "README.md").write_text("# not in the base\n", encoding="utf-8")
    # pre-commit passes repository-relative file names; date rules are skipped in the fast hook.
    assert cli("check", *fast, "kb/overdue.md", "README.md", cwd=folder).exit_code == 0
    assert cli("check", *fast, "kb/broken.md", cwd=folder).exit_code == 1
    full = shlex.split(hooks["kbctl-check-full"]["entry"])[2:]
    assert cli("check", *full, "--no-history", cwd=folder).exit_code == 1
