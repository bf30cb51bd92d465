"""``kbctl digest``: per owner, what needs them, ready for an issue."""

from __future__ import annotations

import json
from pathlib import Path

TODAY = "2026-11-22"


def test_each_owner_gets_what_needs_them(cli, kb_copy: Path) -> None:
    result = cli("digest", "--format", "json", "--today", TODAY, cwd=kb_copy)
    assert result.exit_code == 0, result.stderr
    digests = {item["owner"]: item for item in json.loads(result.stdout)}
    elena = digests["@elena.sokolova"]
    assert {item["id"] for item in elena["overdue"]} >= {"KB-0046", "KB-0058"}
    assert [item["id"] for item in elena["flagged"]] == ["KB-0015"]
    assert [item["id"] for item in elena["wip_too_old"]] == ["KB-0058"]
    assert {gap["article"] for gap in elena["gaps"]} == {"KB-0018", "KB-0012"}
    assert elena["title"] == "Knowledge base digest: @elena.sokolova"
    assert elena["markdown"].startswith("<!-- kbctl-digest: @elena.sokolova -->")
    # the one owner of a flagged article gets the flag; nobody else does
    assert all(not d["flagged"] for owner, d in digests.items() if owner != "@elena.sokolova")
    # owners with nothing to do are left out
    assert all(
        d["overdue"]
        or d["due_soon"]
        or d["flagged"]
        or d["wip_too_old"]
        or d["gaps"]
        or d["archive_candidates"]
        for d in digests.values()
    )


def test_one_owner_in_markdown(cli, kb_copy: Path) -> None:
    result = cli("digest", "--owner", "elena.sokolova", "--today", TODAY, cwd=kb_copy)
    text = result.stdout
    assert text.count("<!-- kbctl-digest:") == 1
    assert "- [ ] **KB-0015**" in text and "### Overdue or never reviewed" in text
    assert "`checklists/peredacha-statey-pri-uhode-sotrudnika.md`" in text


def test_hostile_titles_stay_text(cli, kb_copy: Path) -> None:
    (kb_copy / "kb-content" / "evil.md").write_text(
        "---\nid: KB-0777\ntitle: '<script>x</script> `--> [a](https://e.example)'\n"
        "owner: '@elena.sokolova'\nstatus: validated\nlast_reviewed: 2020-01-01\n---\nBody.\n",
        encoding="utf-8",
    )
    text = cli("digest", "--owner", "@elena.sokolova", "--today", TODAY, cwd=kb_copy).stdout
    assert "<script>" not in text and "](https://e" not in text and "`-->" not in text
    assert "KB-0777" in text


def test_nobody_needs_anything_on_an_empty_selection(cli, kb_copy: Path) -> None:
    result = cli("digest", "--owner", "@nobody.here", "--today", TODAY, cwd=kb_copy)
    assert result.exit_code == 0 and "Nothing needs anyone" in result.stdout
