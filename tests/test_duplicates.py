"""``kbctl duplicates``, rule KB408 and ``kbctl link``: near-duplicates in Russian and
English (a translation is not one), the keeper, shared passages, reuse counts."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from kbctl.duplicates import find_duplicates, inbound_links
from kbctl.duplicates.detect import candidate_pairs, fingerprint
from kbctl.errors import UsageError
from kbctl.model import Article
from kbctl.policy.reuse import check_ticket, reuse_counts, tickets
from tests.conftest import KB_CONTENT, PROJECT_ROOT, Cli, GitRepo

EN_FIX = """## Issue

Exports of the ticket report to Excel stop at row 65,536 and the last columns are empty.

## Resolution

1. Open **Reports → Tickets** and choose the date range of the export.
2. Click **Export → CSV (UTF-8)** instead of **Excel 97-2003**: the old format cannot hold more
   than 65,536 rows.
3. Open the CSV in Excel with **Data → From Text/CSV** and pick UTF-8 so that Cyrillic names
   are readable.
4. For more than a million rows, split the export by month with the date filter.

## Cause

The legacy Excel format has a hard limit of 65,536 rows per sheet.
"""

EN_RETOLD = """## Issue

A customer says the Excel export of the ticket report is cut off at row 65,536.

## Resolution

1. Open **Reports → Tickets** and choose the date range of the export.
2. Click **Export → CSV (UTF-8)** instead of **Excel 97-2003**: the old format cannot hold more
   than 65,536 rows.
3. Open the CSV in Excel with **Data → From Text/CSV** and pick UTF-8.

## Cause

The old Excel format stops at 65,536 rows per sheet.
"""

EN_OTHER = """## Issue

Ticket report exports to Excel show times one hour off after the clocks change.

## Resolution

1. Check the time zone of the workspace in **Settings → General → Time zone**.
2. Schedule the report again: schedules keep the offset they were created with.
3. Ask the customer to compare with the ticket view, which always shows local time.

## Cause

Scheduled exports store a fixed UTC offset instead of a time zone name.
"""

RU_FIX = """## Проблема

Выгрузка отчёта по обращениям в Excel обрывается на строке 65 536, последние столбцы пустые.

## Решение

1. Откройте **Отчёты → Обращения** и выберите период выгрузки.
2. Нажмите **Экспорт → CSV (UTF-8)** вместо **Excel 97-2003**: старый формат не вмещает больше
   65 536 строк.
3. Откройте CSV в Excel через **Данные → Из текстового/CSV-файла** и выберите кодировку UTF-8,
   чтобы кириллица читалась.
4. Если строк больше миллиона, разбейте выгрузку по месяцам фильтром дат.

## Причина

У старого формата Excel жёсткий предел: 65 536 строк на лист.
"""

RU_RETOLD = """## Проблема

Клиент пишет, что выгрузка отчёта по обращениям в Excel обрезается на строке 65 536.

## Решение

1. Откройте **Отчёты → Обращения** и выберите период выгрузки.
2. Нажмите **Экспорт → CSV (UTF-8)** вместо **Excel 97-2003**: старый формат не вмещает больше
   65 536 строк.
3. Откройте CSV в Excel через **Данные → Из текстового/CSV-файла** и выберите кодировку UTF-8.

## Причина

Старый формат Excel ограничен 65 536 строками на лист.
"""


def article(path: str, body: str, **extra: object) -> Article:
    return Article(
        id=str(extra.pop("id", path)),
        path=path,
        abs_path=Path("/base") / path,
        title=path,
        body=body,
        **extra,  # type: ignore[arg-type]
    )


def base(*extra: Article) -> list[Article]:
    return [
        article("en/export-excel.md", EN_FIX, status="validated", last_reviewed=date(2026, 5, 1)),
        article("en/excel-cut-off.md", EN_RETOLD, status="wip"),
        article("en/excel-time-zone.md", EN_OTHER, status="validated"),
        article("ru/vygruzka-excel.md", RU_FIX, status="not_validated"),
        article("ru/excel-obrezaetsya.md", RU_RETOLD, status="validated"),
        *extra,
    ]


# ------------------------------------------------------------------ detection


def test_retold_fixes_are_duplicates_in_both_languages_translations_are_not() -> None:
    groups = find_duplicates(base(), threshold=0.3)
    found = sorted(sorted(group.paths) for group in groups)
    assert found == [
        ["en/excel-cut-off.md", "en/export-excel.md"],
        ["ru/excel-obrezaetsya.md", "ru/vygruzka-excel.md"],
    ]
    # The English and the Russian fix are the same article translated: never grouped, even
    # with a threshold low enough to group anything they share (codes, numbers).
    loose = find_duplicates(base(), threshold=0.05)
    assert not any({"en/export-excel.md", "ru/vygruzka-excel.md"} <= set(g.paths) for g in loose)


def test_same_topic_different_fix_is_not_a_duplicate() -> None:
    groups = find_duplicates(base(), threshold=0.3)
    assert all("en/excel-time-zone.md" not in group.paths for group in groups)


def test_the_keeper_is_validated_then_recently_reviewed_then_linked_then_reused() -> None:
    groups = {frozenset(g.paths): g for g in find_duplicates(base(), threshold=0.3)}
    english = groups[frozenset({"en/export-excel.md", "en/excel-cut-off.md"})]
    assert english.keeper == "en/export-excel.md"  # validated over wip
    russian = groups[frozenset({"ru/vygruzka-excel.md", "ru/excel-obrezaetsya.md"})]
    assert russian.keeper == "ru/excel-obrezaetsya.md"  # validated over not_validated
    assert russian.reasons[0] == "status validated"
    # Equal status: the more recently reviewed wins; equal again: more links, then reuse.
    twins = [
        article("a.md", EN_FIX, status="validated", last_reviewed=date(2026, 1, 1)),
        article("b.md", EN_RETOLD, status="validated", last_reviewed=date(2026, 6, 1)),
    ]
    assert find_duplicates(twins, threshold=0.3)[0].keeper == "b.md"
    same = [
        article("a.md", EN_FIX, status="validated"),
        article("b.md", EN_RETOLD, status="validated"),
    ]
    linker = article("c.md", "See [the fix](a.md) for exports.\n")
    assert find_duplicates([*same, linker], threshold=0.3)[0].keeper == "a.md"
    reused = find_duplicates(same, threshold=0.3, reuse={"b.md": 3})[0]
    assert reused.keeper == "b.md" and reused.reuse == {"b.md": 3, "a.md": 0}


def test_shared_passages_point_at_the_shared_lines() -> None:
    fixes = [
        article("a.md", EN_FIX, status="validated", body_line=10),
        article("b.md", EN_RETOLD, body_line=5),
    ]
    (group,) = find_duplicates(fixes, threshold=0.3)
    (pair,) = group.pairs
    assert (pair.first, pair.second) == ("a.md", "b.md")
    longest = pair.passages[0]
    assert longest.text.startswith("Resolution 1. Open **Reports → Tickets**")
    assert EN_FIX.splitlines()[longest.line - 10] == "## Resolution"
    assert EN_RETOLD.splitlines()[longest.other_line - 5] == "## Resolution"
    assert 0.3 <= pair.similarity < 1


def test_short_and_archived_articles_are_left_out() -> None:
    short = [article("a.md", "Restart the app.\n"), article("b.md", "Restart the app.\n")]
    assert find_duplicates(short, threshold=0.3) == []
    archived = base(article("old.md", EN_FIX, status="archived"))
    assert all("old.md" not in g.paths for g in find_duplicates(archived, threshold=0.3))


def test_lsh_compares_only_colliding_articles() -> None:
    words = [f"word{number}" for number in range(3000)]
    chooser = random.Random(7)
    many = [
        article(f"a{number}.md", " ".join(chooser.choices(words, k=150))) for number in range(300)
    ]
    many.append(article("copy.md", many[0].body))
    prints = [fingerprint(item) for item in many]
    pairs = candidate_pairs(prints, 0.3)
    assert (0, 300) in pairs
    assert len(pairs) < 50  # of 45,150 possible pairs
    assert [sorted(g.paths) for g in find_duplicates(many, threshold=0.3)] == [["a0.md", "copy.md"]]


def test_every_distinct_shingle_gets_its_own_hash() -> None:
    # Shingles that differ only in their last word must not collide (they once did: the
    # last word reached only the low bits, which are dropped).
    words = [f"w{number}x" for number in range(400)]
    body = " ".join(words)
    assert len(fingerprint(article("a.md", body)).hashes) == 398
    tails = " ".join(f"same word {tail}" for tail in words[:100])
    assert len(fingerprint(article("b.md", tails)).hashes) == 3 * 100 - 2


def test_inbound_links_count_each_linking_article_once() -> None:
    items = [
        article("x/a.md", "Body."),
        article("x/b.md", "[one](a.md) and [again](./a.md#top) and [self](b.md)"),
        article("y/c.md", "[a](../x/a.md) [web](https://example.com/x.md) [gone](z.md)"),
    ]
    assert inbound_links(items) == {"x/a.md": 2}


# ------------------------------------------------------------------ the command


@pytest.fixture
def kb(git_repo: GitRepo) -> GitRepo:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    git_repo.write_article(
        "kb/en/export-excel.md", EN_FIX, id="KB-0001", title="Excel export cut", status="validated"
    )
    git_repo.write_article("kb/en/excel-time-zone.md", EN_OTHER, id="KB-0002", title="Time zone")
    git_repo.write_article("kb/ru/vygruzka-excel.md", RU_FIX, id="KB-0003", title="Выгрузка")
    git_repo.commit("base", "2026-01-15T10:00:00+03:00")
    return git_repo


def test_no_duplicates_is_exit_0(cli: Cli, kb: GitRepo) -> None:
    result = cli("duplicates", cwd=kb.path)
    assert result.exit_code == 0 and result.stdout == ""
    assert "no near-duplicates" in result.stderr


def test_duplicates_command_table_and_json(cli: Cli, kb: GitRepo) -> None:
    kb.write_article("kb/en/excel-cut-off.md", EN_RETOLD, id="KB-0004", title="Cut off")
    table = cli("duplicates", cwd=kb.path)
    assert table.exit_code == 1
    lines = table.stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["group", "similar", "suggest", "id"]
    assert [line.split("\t")[2:4] for line in lines[1:]] == [
        ["keep", "KB-0001"],
        ["merge", "KB-0004"],
    ]
    data = json.loads(cli("duplicates", "--format", "json", cwd=kb.path).stdout)
    (group,) = data
    assert group["keeper"]["id"] == "KB-0001" and group["schema_version"] == 2
    assert [a["keep"] for a in group["articles"]] == [True, False]
    assert group["pairs"][0]["other_base_path"] == "en/excel-cut-off.md"
    assert group["pairs"][0]["passages"][0]["text"]
    strict = cli("duplicates", "--threshold", "0.95", cwd=kb.path)
    assert strict.exit_code == 0
    other_tag = cli("duplicates", "--tag", "nothing-here", cwd=kb.path)
    assert other_tag.exit_code == 0


def test_the_bundled_base_has_one_planted_pair_in_each_language(cli: Cli, kb_copy: Path) -> None:
    data = json.loads(cli("duplicates", "--format", "json", cwd=kb_copy).stdout)
    pairs = sorted(sorted(a["base_path"] for a in group["articles"]) for group in data)
    assert pairs == [
        [
            "integrations/calendar-meetings-not-syncing.md",
            "integrations/google-calendar-sync-invalid-grant.md",
        ],
        [
            "integrations/ne-otobrazhaetsya-knopka-chata.md",
            "integrations/vidzhet-chata-ne-poyavlyaetsya.md",
        ],
    ]
    keepers = {group["keeper"]["id"] for group in data}
    assert keepers == {"KB-0060", "KB-0062"}
    # The older English article and its newer Russian copy (same id KB-0042) are a
    # translation, not duplicates.
    assert all("email/" not in a["base_path"] for g in data for a in g["articles"])


# ------------------------------------------------------------------ rule KB408


def test_rule_flags_an_added_article_with_changed_since(cli: Cli, kb: GitRepo) -> None:
    kb.write("kbctl.toml", 'content = "kb"\n[check.rules]\nKB408 = "warning"\n')
    kb.commit("turn on KB408", "2026-01-16T10:00:00+03:00")
    kb.write_article("kb/en/excel-cut-off.md", EN_RETOLD, id="KB-0004", title="Cut off")
    kb.write_article(
        "kb/en/unrelated.md", EN_OTHER.replace("one hour", "two hours"), id="KB-0005", title="Other"
    )
    kb.write_article(
        "kb/en/excel-time-zone.md", EN_OTHER + "\nMore.\n", id="KB-0002", title="Time zone"
    )
    kb.commit("add articles", "2026-01-17T10:00:00+03:00")
    args = ("check", "--changed-since", "HEAD~1", "--today", "2026-02-01")
    result = cli(*args, cwd=kb.path)
    flagged = [line for line in result.stdout.splitlines() if " KB408 " in line]
    assert result.exit_code == 1
    assert len(flagged) == 2, result.stdout
    assert any("excel-cut-off.md" in line and "like KB-0001" in line for line in flagged)
    # The edited time-zone article and its new look-alike are both in the change: the pair
    # is reported once, on the one that is not the keeper.
    assert sum("KB-0002" in line or "KB-0005" in line for line in flagged) == 1
    # Only the keeper changed: the change touches an article that has a near-duplicate in
    # the base, so that one is reported (on the changed article, where the pull request is).
    kb.write_article("kb/en/export-excel.md", EN_FIX + "\nMore.\n", id="KB-0001", title="E")
    kb.commit("edit the keeper", "2026-01-18T10:00:00+03:00")
    keeper_only = cli(*args, cwd=kb.path)
    lines = [line for line in keeper_only.stdout.splitlines() if " KB408 " in line]
    assert len(lines) == 1 and lines[0].startswith("kb/en/export-excel.md:")
    assert "like KB-0004" in lines[0]
    kb.write("kbctl.toml", 'content = "kb"\n')
    off = cli(*args, cwd=kb.path)
    assert " KB408 " not in off.stdout


def test_rule_without_a_scope_flags_the_one_to_merge(cli: Cli, kb: GitRepo) -> None:
    kb.write(
        "kbctl.toml", 'content = "kb"\n[check.rules.KB408]\nseverity = "error"\npercent = 30\n'
    )
    kb.write_article("kb/en/excel-cut-off.md", EN_RETOLD, id="KB-0004", title="Cut off")
    result = cli("check", cwd=kb.path)
    flagged = [line for line in result.stdout.splitlines() if " KB408 " in line]
    assert len(flagged) == 1, result.stdout
    assert flagged[0].startswith("kb/en/excel-cut-off.md:")
    assert "error KB408 " in flagged[0] and "threshold 30%" in flagged[0]


# ------------------------------------------------------------------ link (reuse)


def test_link_records_tickets_byte_preserving(cli: Cli, kb: GitRepo) -> None:
    path = kb.path / "kb/en/export-excel.md"
    before = path.read_text(encoding="utf-8")
    first = cli("link", "KB-0001", "--ticket", "RELAY-1", "--ticket", "RELAY-2", cwd=kb.path)
    assert first.exit_code == 0, first.stderr
    assert "solved 2 ticket(s)" in first.stderr
    again = cli("link", "en/export-excel.md", "--ticket", "RELAY-2", cwd=kb.path)
    assert again.exit_code == 0 and "already recorded" in again.stderr
    after = path.read_text(encoding="utf-8")
    assert after.replace("tickets: [RELAY-1, RELAY-2]\n", "") == before
    hostile = cli("link", "KB-0001", "--ticket", "X\n---\nid: evil", cwd=kb.path)
    assert hostile.exit_code == 2 and path.read_text(encoding="utf-8") == after
    missing = cli("link", "KB-9999", "--ticket", "RELAY-3", cwd=kb.path)
    assert missing.exit_code == 2


def test_reuse_counts_and_ticket_checks() -> None:
    items = [
        article("a.md", "x", meta={"tickets": ["T-1", "T-1", "T-2", 7, None, True]}),
        article("b.md", "x", meta={"tickets": "T-9"}),
        article("c.md", "x", meta={"tickets": {"bad": 1}}),
        article("d.md", "x"),
    ]
    assert tickets(items[0]) == ("T-1", "T-2", "7")
    assert reuse_counts(items) == {"a.md": 3, "b.md": 1}
    assert check_ticket("  https://help.example/t/1 ") == "https://help.example/t/1"
    for bad in ("", "a\x1bb", "x" * 201):
        with pytest.raises(UsageError):
            check_ticket(bad)


def test_reuse_orders_the_review_queue_among_equals(cli: Cli, git_repo: GitRepo) -> None:
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    for name in ("a", "b", "c"):
        git_repo.write_article(
            f"kb/{name}.md", id=f"KB-{name}", title=name, owner="@x",
            status="validated", last_reviewed="2025-01-01",
        )  # fmt: skip
    git_repo.commit("base")
    cli("link", "KB-c", "--ticket", "T-1", "--ticket", "T-2", cwd=git_repo.path)
    cli("link", "KB-b", "--ticket", "T-3", cwd=git_repo.path)
    data = json.loads(
        cli("review", "--today", "2026-11-22", "--format", "json", cwd=git_repo.path).stdout
    )
    assert [item["id"] for item in data] == ["KB-c", "KB-b", "KB-a"]
    assert "solved 2 tickets" in " ".join(data[0]["detail"])


def test_kb_content_is_where_the_tests_think() -> None:
    assert KB_CONTENT == PROJECT_ROOT / "kb-content"
