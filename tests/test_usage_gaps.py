"""Merging usage logs (duplicates, order, damage) and what gaps and usage make of them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kbctl.model import Article
from kbctl.usage.gaps import Fix, find_gaps, usage_facts, vocabulary
from kbctl.usage.read import read_logs
from tests.conftest import GitRepo

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def event(minutes: float, kind: str = "search", **fields: object) -> dict[str, object]:
    """An event ``minutes`` after T0 (its id from its content, so a copy is a duplicate)."""
    record: dict[str, object] = {
        "time": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        "event": kind,
        **fields,
    }
    record["id"] = f"{kind}-{minutes}-{fields.get('user', '')}-{fields.get('query', '')}"
    return record


def write_log(path: Path, events: list[dict[str, object]], tail: str = "") -> Path:
    path.write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in events) + tail,
        encoding="utf-8",
    )
    return path


def article(key: str, title: str, body: str = "", **fields: object) -> Article:
    return Article(key, f"{key}.md", Path(f"/kb/{key}.md"), title, body, **fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ merging


def test_logs_of_several_agents_merge_once_in_time_order(tmp_path: Path) -> None:
    one = [event(10, query="b", hits=1, user="anna"), event(0, query="a", hits=0, user="anna")]
    two = [event(5, query="c", hits=0, user="boris"), one[0]]  # one event copied into both
    found = read_logs([write_log(tmp_path / "1.jsonl", one), write_log(tmp_path / "2.jsonl", two)])
    assert [item.query for item in found.events] == ["a", "c", "b"]
    assert found.duplicates == 1
    assert not found.diagnostics


def test_a_truncated_last_line_is_a_warning_with_its_place(tmp_path: Path) -> None:
    path = write_log(tmp_path / "cut.jsonl", [event(0, query="a")], tail='{"time": "2026-11-0')
    found = read_logs([path])
    assert [item.query for item in found.events] == ["a"]
    (warning,) = found.diagnostics
    assert str(warning).startswith(f"{path}:2: truncated last line")


def test_malformed_lines_are_skipped_with_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(event(0, query="ok", hits=1)),
                "not json",
                json.dumps({"event": "search"}),  # no time
                json.dumps(event(1, query="x", hits=-3)),
                json.dumps(event(2, query="y", shown="KB-1")),
                "[1, 2]",
                json.dumps(event(3, query="ok2", hits=0)),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    found = read_logs([path])
    assert [item.query for item in found.events] == ["ok", "ok2"]
    assert [d.line for d in found.diagnostics] == [2, 3, 4, 5, 6]
    assert all(str(d).startswith(f"{path}:") for d in found.diagnostics)


def test_a_missing_log_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    found = read_logs([tmp_path / "nope.jsonl"])
    assert not found.events and "cannot read" in found.diagnostics[0].message


def test_a_log_over_the_cap_is_read_from_its_newest_part(tmp_path: Path) -> None:
    events = [event(i, query=f"q{i}", hits=1) for i in range(200)]
    path = write_log(tmp_path / "big.jsonl", events)
    found = read_logs([path], max_bytes=4000)
    assert found.events and found.events[-1].query == "q199"
    assert len(found.events) < 200
    assert "newest part" in found.diagnostics[0].message


def test_since_leaves_out_older_events(tmp_path: Path) -> None:
    path = write_log(tmp_path / "l.jsonl", [event(0, query="old"), event(60 * 24 * 3, query="new")])
    found = read_logs([path], since=T0 + timedelta(days=1))
    assert [item.query for item in found.events] == ["new"]


# ------------------------------------------------------------------------------ gaps


BASE = [
    article("KB-1", "Outlook rejects mail", "Microsoft 365 returns 550 5.7.708."),
    article("KB-2", "Lost phone with 2FA", "Recover access with backup codes."),
    article("KB-3", "Refund policy", "Who approves refunds."),
]


def gaps_of(tmp_path: Path, events: list[dict[str, object]]):
    found = read_logs([write_log(tmp_path / "g.jsonl", events)])
    facts = usage_facts(found.events)
    return {gap.query: gap for gap in find_gaps(facts, BASE)}, facts


def test_a_query_with_no_hits_and_no_answer_asks_for_a_new_article(tmp_path: Path) -> None:
    events = [event(60 * i, query="Chargeback dispute", hits=0, user="a") for i in range(3)]
    gaps, _ = gaps_of(tmp_path, events)
    gap = gaps["Chargeback dispute"]
    assert (gap.no_hits, gap.poor) == (3, 0)
    assert gap.suggestion.fix is Fix.NEW_ARTICLE
    assert gap.suggestion.action == 'kbctl new --title "Chargeback dispute"'


def test_an_article_opened_right_after_a_failed_search_becomes_an_alias(tmp_path: Path) -> None:
    events = []
    for sitting in range(3):
        start = 120 * sitting
        events += [
            event(start, query="двухфакторка сломалась", hits=0, user="a"),
            event(start + 1, "show", opened="KB-2", user="a"),
        ]
    gaps, _ = gaps_of(tmp_path, events)
    gap = gaps["двухфакторка сломалась"]
    assert gap.suggestion.fix is Fix.ALIAS and gap.suggestion.article == "KB-2"
    assert "двухфакторка сломалась" in gap.suggestion.action


def test_an_article_opened_long_after_or_once_is_no_evidence(tmp_path: Path) -> None:
    events = [
        event(0, query="vpn broken", hits=0, user="a"),
        event(20, "show", opened="KB-2", user="a"),  # 20 minutes later: another task
        event(100, query="vpn broken", hits=0, user="b"),
        event(101, "show", opened="KB-3", user="b"),  # once: a coincidence
        event(200, query="vpn broken", hits=0, user="c"),
    ]
    gaps, _ = gaps_of(tmp_path, events)
    assert gaps["vpn broken"].suggestion.fix is Fix.NEW_ARTICLE


def test_a_near_miss_word_suggests_a_solr_synonym_line(tmp_path: Path) -> None:
    events = [
        event(60 * i, query="outlok rejects", hits=1, shown=["KB-3"], user="a") for i in range(2)
    ]
    gaps, _ = gaps_of(tmp_path, events)
    gap = gaps["outlok rejects"]
    assert gap.poor == 2 and gap.no_hits == 0
    assert gap.suggestion.fix is Fix.SYNONYM
    assert gap.suggestion.action == "outlok => outlook"


def test_hits_opened_in_the_same_sitting_are_not_gaps(tmp_path: Path) -> None:
    events = [
        event(0, query="refund policy", hits=1, shown=["KB-3"], user="a"),
        event(2, "edit", opened="KB-3", user="a"),
        event(60, query="lost phone", hits=1, shown=["KB-2"], opened="KB-2", user="b"),
    ]
    gaps, facts = gaps_of(tmp_path, events)
    assert gaps == {}
    assert facts.articles["KB-3"].opened == 1 and facts.articles["KB-2"].opened == 1
    assert facts.queries["refund policy"].answered == 1


def test_the_base_vocabulary_covers_titles_bodies_aliases_and_tags() -> None:
    words = vocabulary(
        [
            article(
                "KB-9",
                "Вебхук отключён",
                "Проверьте подпись",
                aliases=("hmac",),
                tags=("webhooks",),
            )
        ]
    )
    assert {"вебхук", "отключён", "проверьте", "подпись", "hmac", "webhooks"} <= words


# ------------------------------------------------------------------------------ commands


def test_gaps_and_usage_on_the_bundled_sample_log(cli, kb_copy: Path) -> None:
    result = cli("gaps", "--format", "json", cwd=kb_copy)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    fixes = {gap["query"]: gap["fix"] for gap in data["gaps"]}
    assert fixes["chargeback dispute"] == "new_article"
    assert fixes["outlok rejects emails"] == "synonym"
    assert fixes["двухфакторная аутентификация"] == "alias"
    usage = json.loads(
        cli("usage", "--today", "2026-11-22", "--format", "json", cwd=kb_copy).stdout
    )
    candidates = {item["id"] for item in usage["archive_candidates"]}
    assert {"KB-0024", "KB-0044"} <= candidates  # wip / not validated, never opened
    assert "KB-0010" not in candidates and usage["most_used"][0]["id"] == "KB-0010"


def test_gaps_markdown_escapes_what_a_log_says(cli, kb_copy: Path, tmp_path: Path) -> None:
    query = "[x](https://evil.example) <b> ```"
    log = write_log(tmp_path / "l.jsonl", [event(0, query=query, hits=0)])
    result = cli("gaps", str(log), "--format", "markdown", cwd=kb_copy)
    table, pasted = result.stdout.split("What to paste:")
    assert "](https://evil" not in table and "<b>" not in table
    fence = pasted.split()[0].removesuffix("text")
    assert len(fence) == 4 and pasted.count(fence) == 2


# ------------------------------------------------------------------------------ archive


def test_archive_candidates_are_unused_and_untrusted(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n[usage]\narchive_after = "30d"\n')
    common = {"owner": "@anna", "last_reviewed": "2026-11-01"}
    git_repo.write_article(
        "kb/trusted.md", id="KB-1", title="Trusted", status="validated", **common
    )
    git_repo.write_article(
        "kb/draft.md", id="KB-2", title="Draft", status="not_validated", **common
    )
    git_repo.write_article(
        "kb/old.md",
        id="KB-3",
        title="Old",
        status="validated",
        owner="@anna",
        last_reviewed="2025-01-01",
    )
    git_repo.write_article("kb/used.md", id="KB-4", title="Used", status="not_validated", **common)
    git_repo.commit("base", date="2026-10-01T10:00:00+00:00")
    log = write_log(
        tmp_path / "u.jsonl",
        [
            {"time": "2026-09-01T10:00:00Z", "event": "show", "opened": "KB-2"},
            {"time": "2026-11-20T10:00:00Z", "event": "show", "opened": "KB-4"},
        ],
    )
    result = cli("usage", str(log), "--today", "2026-11-22", "--format", "json", cwd=git_repo.path)
    data = json.loads(result.stdout)
    reasons = {item["id"]: item["reasons"] for item in data["archive_candidates"]}
    assert set(reasons) == {"KB-2", "KB-3"}
    assert any("last opened 2026-09-01" in reason for reason in reasons["KB-2"])
    assert any("overdue" in reason for reason in reasons["KB-3"])
    assert data["covered_days"] == (date(2026, 11, 22) - date(2026, 9, 1)).days
