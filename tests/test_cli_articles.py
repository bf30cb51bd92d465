"""``kbctl list`` and ``kbctl show`` through CliRunner and a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import KB_CONTENT, PROJECT_ROOT, article_text, run_kbctl


def make_base(root: Path) -> Path:
    files = {
        "billing/refund.md": article_text(
            "# Refund\n\nHow to refund.\n",
            id="KB-1",
            title="Refund a payment",
            tags=["billing"],
            owner="@relay/billing",
            status="validated",
            audience="customer",
            last_reviewed="2026-10-01",
        ),
        "accounts/2fa.md": article_text(
            "Steps.\n",
            id="KB-2",
            title="Lost 2FA phone",
            tags=["security"],
            owner="@anna",
            status="wip",
            audience="internal",
        ),
        "broken.md": "---\ntitle: [oops\n---\n",
        "latin1.md": "---\ntitle: caf\xe9\n---\n".encode("latin-1"),
        "empty.md": b"",
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def test_list_json_lists_good_articles_and_reports_bad_ones(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "kb")
    result = cli("--kb", str(base), "list", "--format", "json", cwd=base)
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert [item["id"] for item in items] == ["KB-2", "KB-1"]
    for key in ("id", "path", "title", "owners", "status", "audience", "tags", "last_reviewed"):
        assert key in items[0]
    assert items[1]["last_reviewed"] == "2026-10-01"
    assert result.stderr.splitlines() == [
        "broken.md:3: front matter is not valid YAML: did not find expected ',' or ']'",
        "empty.md:1: empty file",
        "latin1.md:2: not UTF-8 (byte 0xe9); save the file as UTF-8",
    ]
    assert "Traceback" not in result.stderr


def test_list_filters(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "kb")
    by_tag = json.loads(cli("--kb", str(base), "list", "--tag", "billing", "-f", "json").stdout)
    assert [item["id"] for item in by_tag] == ["KB-1"]
    by_owner = json.loads(cli("--kb", str(base), "list", "--owner", "ANNA", "-f", "json").stdout)
    assert [item["id"] for item in by_owner] == ["KB-2"]
    by_status = cli("--kb", str(base), "list", "--status", "validated", "--audience", "internal")
    assert "no articles match" in by_status.stderr
    assert by_status.stdout == ""


def test_table_output(cli, tmp_path: Path) -> None:
    result = cli("--kb", str(make_base(tmp_path / "kb")), "list")
    assert result.exit_code == 0
    assert "Refund a payment" in result.stdout
    assert "\x1b[" not in result.stdout


def test_show_by_id_and_path(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "kb")
    by_id = cli("--kb", str(base), "show", "kb-1", "--format", "json")
    assert by_id.exit_code == 0
    shown = json.loads(by_id.stdout)
    assert shown["title"] == "Refund a payment"
    assert shown["body"].startswith("# Refund")
    by_path = cli("--kb", str(base), "show", "accounts/2fa.md", "--front-matter")
    assert "Lost 2FA phone" in by_path.stdout
    assert "@anna" in by_path.stdout


def test_errors_exit_2_with_one_line_and_a_hint(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "kb")
    missing = cli("--kb", str(base), "show", "KB-404")
    assert missing.exit_code == 2
    assert "kbctl: error: no article with id or path 'KB-404'\n" in missing.stderr
    assert "hint:" in missing.stderr
    no_base = cli("--kb", str(tmp_path / "nope"), "list")
    assert no_base.exit_code == 2
    assert "knowledge base folder not found" in no_base.stderr
    bad_config = tmp_path / "badcfg"
    bad_config.mkdir()
    (bad_config / "kbctl.toml").write_text("content = [")
    broken = cli("list", cwd=bad_config)
    assert broken.exit_code == 2
    assert "kbctl.toml" in broken.stderr
    usage = cli("--kb", str(base), "list", "--format", "xml")
    assert usage.exit_code == 2


def test_kbctl_kb_environment_variable(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "kb")
    result = cli("list", "-f", "json", cwd=tmp_path, env={"KBCTL_KB": str(base)})
    assert len(json.loads(result.stdout)) == 2


def test_real_process_version_and_list(tmp_path: Path) -> None:
    version = run_kbctl("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("kbctl ")
    base = make_base(tmp_path / "kb")
    listed = run_kbctl("--kb", str(base), "list", "--format", "json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == 2
    assert "empty.md:1: empty file" in listed.stderr
    assert "Traceback" not in listed.stderr


def test_bundled_base_lists_every_article_from_the_repository_root() -> None:
    result = run_kbctl("list", "--format", "json", cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    listed = {item["base_path"] for item in json.loads(result.stdout)}
    excluded = ("_templates/", "includes/", "images/")
    on_disk = {
        path.relative_to(KB_CONTENT).as_posix()
        for path in KB_CONTENT.rglob("*.md")
        if not path.relative_to(KB_CONTENT).as_posix().startswith((*excluded, "."))
        and path.name != "README.md"
    }
    assert len(listed) >= 50
    assert listed == on_disk
    # The sample base keeps one deliberate duplicate id for `kbctl check` to find.
    assert result.stderr.splitlines() == [
        "kb-content/email/pisma-popadayut-v-spam.md:2: duplicate id 'KB-0042' "
        "(also in email/emails-going-to-spam.md)"
    ]


def test_a_reader_that_goes_away_is_a_clean_end(tmp_path: Path) -> None:
    """`kbctl list | head -1`, `kbctl search ... | head -1`: exit 0, no traceback."""
    base = tmp_path / "kb"
    base.mkdir()
    for number in range(600):  # enough output to overflow the pipe buffer
        (base / f"a{number:03}.md").write_text(
            article_text(id=f"KB-{number}", title=f"Article number {number} " + "x" * 60),
            encoding="utf-8",
        )
    executable = shutil.which("kbctl")
    command = [executable] if executable else [sys.executable, "-m", "kbctl"]
    for arguments in (["list"], ["search", "article", "--limit", "600"]):
        process = subprocess.Popen(
            [*command, "--kb", str(base), *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "120"},
        )
        assert process.stdout is not None
        process.stdout.read(100)
        process.stdout.close()
        _out, errors = process.communicate(timeout=120)
        assert (arguments[0], process.returncode) == (arguments[0], 0)
        assert b"Traceback" not in errors


def test_filters_accept_the_spellings_the_loader_accepts(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "kb")
    for spelling in ("wip", "WIP", "draft", "Work in progress", "work-in-progress"):
        found = json.loads(
            cli("--kb", str(base), "list", "--status", spelling, "-f", "json").stdout
        )
        assert [item["id"] for item in found] == ["KB-2"], spelling
    for spelling in ("customers", "Customer"):
        found = json.loads(
            cli("--kb", str(base), "list", "--audience", spelling, "-f", "json").stdout
        )
        assert [item["id"] for item in found] == ["KB-1"], spelling
    searched = cli("--kb", str(base), "search", "phone", "--status", "draft", "-f", "json")
    assert [hit["id"] for hit in json.loads(searched.stdout)] == ["KB-2"]
