"""``kbctl search`` and ``kbctl index`` through the CLI: formats, filters, exit codes, edge cases."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_kbctl


@pytest.fixture
def kb(kb_copy: Path) -> Path:
    """The sample base, copied: the folder holding kbctl.toml."""
    return kb_copy


def hits(cli, kb: Path, *args: str) -> list[dict]:
    result = cli("search", *args, "--format", "json", cwd=kb)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_table_shows_title_place_owner_status_and_age(cli, kb: Path) -> None:
    result = cli("search", "клиент не получает письма", cwd=kb)
    assert result.exit_code == 0, result.stderr
    assert "Клиент не получает письма с уведомлениями" in result.stdout
    assert "email/klient-ne-poluchaet-pisma.md:" in result.stdout
    assert "@relay/deliverability" in result.stdout
    assert "validated" in result.stdout
    assert "ago)" in result.stdout  # last reviewed date with its age


def test_json_hits_carry_what_an_agent_needs(cli, kb: Path) -> None:
    found = hits(cli, kb, "550 5.7.708")
    first = found[0]
    assert first["base_path"] == "email/microsoft-365-550-5-7-708.md"
    for key in ("id", "path", "title", "score", "snippet", "line", "owners", "status"):
        assert first[key] not in (None, "", []), key
    assert "last_reviewed" in first and "last_changed" in first and "audience" in first
    line = (kb / "kb-content" / first["base_path"]).read_text(encoding="utf-8").splitlines()
    assert "5.7.708" in line[first["line"] - 1]
    start, end = first["highlights"][0]
    assert first["snippet"][start:end] in {"550", "5.7.708"}


def test_paths_and_vimgrep_formats(cli, kb: Path) -> None:
    paths = cli("search", "0x80070005", "--format", "paths", cwd=kb)
    assert paths.stdout.splitlines()[0] == "kb-content/mobile/intune-mdm-deployment.md"
    vimgrep = cli("search", "0x80070005", "--format", "vimgrep", cwd=kb)
    path, line, column, text = vimgrep.stdout.splitlines()[0].split(":", 3)
    assert path == "kb-content/mobile/intune-mdm-deployment.md"
    source = (kb / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert source[int(column) - 1 :].startswith("0x80070005")
    assert "Microsoft Intune" in text


def test_no_hits_exit_1_with_did_you_mean(cli, kb: Path) -> None:
    # Words under 5 letters are not corrected, only suggested. ("slak" was the example until
    # transliteration: it reads as "слак", a built-in synonym of slack, and finds Slack.)
    result = cli("search", "jura", cwd=kb)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no articles match" in result.stderr
    assert 'did you mean: kbctl search "jira"' in result.stderr


def test_no_hits_without_suggestion(cli, kb: Path) -> None:
    result = cli("search", "qqqqzzzz", "--format", "json", cwd=kb)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert "did you mean" not in result.stderr


def test_typo_and_wrong_layout_are_forgiven(cli, kb: Path) -> None:
    assert hits(cli, kb, "webhok", "signture")[0]["base_path"] == (
        "integrations/webhook-signature-verification.md"
    )
    result = cli("search", "djpdhfn", "chtlcnd", "--format", "paths", cwd=kb)
    assert result.stdout.splitlines()[0] == "kb-content/billing/vozvrat-sredstv.md"
    assert "keyboard layout switched" in result.stderr and "возврат" in result.stderr


def test_exact_match_ranks_above_typo_corrections(cli, kb: Path) -> None:
    exact = hits(cli, kb, "zapier")
    assert exact[0]["base_path"] == "integrations/zapier-trigger-not-firing.md"


def test_archived_hidden_unless_all(cli, kb: Path) -> None:
    result = cli("search", "paypal", "--format", "paths", cwd=kb)
    assert "billing/paypal-legacy.md" not in result.stdout
    shown = cli("search", "paypal", "--all", "--format", "paths", cwd=kb)
    assert "kb-content/billing/paypal-legacy.md" in shown.stdout.splitlines()
    archived = cli("search", "paypal", "--status", "archived", "--format", "paths", cwd=kb)
    assert archived.stdout.splitlines()[0] == "kb-content/billing/paypal-legacy.md"


def test_filters(cli, kb: Path) -> None:
    by_tag = hits(cli, kb, "не приходят", "--tag", "push")
    assert by_tag and all("push" in hit["tags"] for hit in by_tag)
    by_owner = hits(cli, kb, "письма", "--owner", "sarah.miller")
    # The one meaning of --owner: front matter, else CODEOWNERS; her teams' articles too.
    listed = cli("list", "--owner", "sarah.miller", "--format", "json", cwd=kb)
    mine = {item["base_path"] for item in json.loads(listed.stdout)}
    assert by_owner and all(hit["base_path"] in mine for hit in by_owner)
    by_status = hits(cli, kb, "api", "--status", "wip")
    assert by_status and all(hit["status"] == "wip" for hit in by_status)
    by_audience = hits(cli, kb, "sso", "--audience", "partner")
    assert by_audience and all(hit["audience"] == "partner" for hit in by_audience)
    by_product = hits(cli, kb, "push", "--product", "RELAY-MOBILE")
    assert by_product and all(hit["product"] == "relay-mobile" for hit in by_product)
    assert len(hits(cli, kb, "api", "--limit", "2")) == 2
    none = cli("search", "письма", "--tag", "no-such-tag", cwd=kb)
    assert none.exit_code == 1 and "filters are on" in none.stderr


def test_required_and_excluded_words(cli, kb: Path) -> None:
    excluded = hits(cli, kb, "spam -dmarc")
    assert excluded and all(hit["base_path"] != "email/emails-going-to-spam.md" for hit in excluded)
    required = hits(cli, kb, '"5.7.708"', "outlook")
    assert all("5.7.708" in (kb / "kb-content" / hit["base_path"]).read_text() for hit in required)


@pytest.mark.parametrize("query", ["", "   ", '"():*~', "***", "-"])
def test_empty_queries_give_a_clear_message(cli, kb: Path, query: str) -> None:
    result = cli("search", query, cwd=kb)
    assert result.exit_code == 2
    assert "kbctl: error:" in result.stderr and "query" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "query",
    [
        'title:(refund* OR ~card) AND "unclosed',
        "((((((((((webhook))))))))))",
        'path:"../../etc/passwd" ~~~ ^^^ \\',
        "webhook" * 3000,
        "NOT AND OR",
    ],
)
def test_hostile_queries_search_or_explain(cli, kb: Path, query: str) -> None:
    result = cli("search", query, "--format", "json", cwd=kb)
    assert result.exit_code in (0, 1), result.stderr
    json.loads(result.stdout)
    assert "Traceback" not in result.stderr


def test_huge_query_is_cut_with_a_notice(cli, kb: Path) -> None:
    result = cli("search", "webhook " * 200, "--format", "json", cwd=kb)
    assert result.exit_code == 0
    assert "query cut to its first 500 characters" in result.stderr


def test_index_command_reports_what_it_did(cli, kb: Path) -> None:
    first = cli("index", cwd=kb)
    assert first.exit_code == 0 and "index built: 67 articles" in first.stderr
    again = cli("index", cwd=kb)
    assert "index is up to date (67 articles)" in again.stderr
    article = kb / "kb-content" / "faq" / "data-retention.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nNew paragraph.\n", encoding="utf-8")
    updated = cli("index", cwd=kb)
    assert "1 changed" in updated.stderr
    rebuilt = cli("index", "--rebuild", cwd=kb)
    assert "index built: 67 articles" in rebuilt.stderr
    status = cli("index", "--status", cwd=kb)
    facts = json.loads(status.stdout)
    assert facts["articles"] == 67 and facts["segments"] == 1


def test_json_search_in_a_real_process_never_imports_rich(kb: Path) -> None:
    script = (
        "import sys\n"
        "from kbctl.cli.app import main\n"
        "sys.argv = ['kbctl', 'search', 'webhook', '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rich', 'git', 'yaml', 'frontmatter') if m in sys.modules]\n"
        "sys.stderr.write(f'HEAVY={heavy}\\n')\n"
    )
    run_kbctl("index", cwd=kb)  # build first: a build parses YAML, a fresh search does not
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=kb, capture_output=True, text=True, check=False
    )
    assert json.loads(result.stdout)[0]["base_path"].startswith("integrations/webhook")
    assert "HEAVY=[]" in result.stderr, result.stderr


def test_help_documents_exit_codes_and_examples(cli) -> None:
    result = cli("search", "--help")
    assert result.exit_code == 0
    assert "Exit codes: 0 hits found, 1 no hits" in result.stdout
    assert "kbctl search" in result.stdout


def test_no_refresh_searches_the_last_index_as_is(cli, kb: Path) -> None:
    assert cli("index", cwd=kb).exit_code == 0
    article = kb / "kb-content" / "faq" / "data-retention.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nQuokka.\n", encoding="utf-8")
    stale = cli("search", "quokka", "--no-refresh", "--format", "paths", cwd=kb)
    assert stale.exit_code == 1
    fresh = cli("search", "quokka", "--format", "paths", cwd=kb)
    assert fresh.stdout.splitlines() == ["kb-content/faq/data-retention.md"]


def test_a_cut_hit_list_says_how_many_there_are(kbctl_process) -> None:
    from tests.conftest import PROJECT_ROOT

    result = kbctl_process("search", "пароль", "--limit", "1", cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^kbctl: showing 1 of \d+ hits", result.stderr, re.MULTILINE)
    quiet = kbctl_process("search", "пароль", "--limit", "1", "-q", cwd=PROJECT_ROOT)
    assert "showing" not in quiet.stderr
