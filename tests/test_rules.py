"""Each check rule on a small base that triggers it and one that does not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import article_text

from kbctl.articles import base_files, load_base
from kbctl.config import load_config
from kbctl.errors import ConfigError
from kbctl.model import ArticleHistory, Change, Finding, Severity
from kbctl.ownership import Ownership, Roster, RosterEntry
from kbctl.rules.engine import check_settings, fails, run_check
from kbctl.rules.registry import CheckContext, all_rules

TODAY = date(2026, 11, 22)
GOOD_FRONT = {
    "id": "KB-1",
    "title": "A good article",
    "type": "howto",
    "owner": "@anna",
    "status": "validated",
    "audience": "customer",
    "last_reviewed": "2026-10-01",
}
PROSE = "Some words of useful prose. " * 20 + "\n"


def good(body: str = PROSE, **changes: object) -> str:
    """A valid article's text; keyword arguments change or (with None) drop keys."""
    front = {**GOOD_FRONT, **changes}
    return article_text(body, **{key: value for key, value in front.items() if value is not None})


def base(tmp_path: Path, files: dict[str, str | bytes], toml: str = "") -> Path:
    """Write a base (files under kb/) with a kbctl.toml; return the config folder."""
    (tmp_path / "kbctl.toml").write_text(f'content = "kb"\n{toml}', encoding="utf-8")
    for relative, content in files.items():
        path = tmp_path / "kb" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    (tmp_path / "kb").mkdir(exist_ok=True)
    return tmp_path


def check(
    folder: Path,
    *,
    rule: str | None = None,
    today: date = TODAY,
    history: dict[str, ArticleHistory] | None = None,
    ownership: dict[str, Ownership] | None = None,
    roster: Roster | None = None,
    scope: set[str] | None = None,
    date_rules: bool = True,
) -> list[Finding]:
    """Run the rules (or one rule) over the base in ``folder``."""
    config = load_config(cwd=folder)
    loaded = load_base(config)
    context = CheckContext(
        articles=loaded.articles,
        config=config,
        today=today,
        diagnostics=loaded.diagnostics,
        history=history,
        ownership=ownership,
        roster=roster,
        base_files=base_files(config),
        scope=frozenset(scope) if scope is not None else None,
    )
    result = run_check(context, date_rules=date_rules, only=[rule] if rule else None)
    return result.findings


def ids(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.rule_id, finding.path) for finding in findings]


def history_of(path: str, changed: str, reliable: bool = True) -> ArticleHistory:
    when = datetime.fromisoformat(changed).replace(tzinfo=UTC)
    change = Change("a" * 40, when, "Anna", "anna@example.com", "edit")
    return ArticleHistory(
        path, last_change=change, first_change=change, commit_count=1, reliable=reliable
    )


def test_a_good_article_has_no_findings(tmp_path: Path) -> None:
    assert check(base(tmp_path, {"a.md": good()})) == []


def test_registry_ids_are_unique_grouped_and_documented() -> None:
    rules = all_rules()
    assert len({rule.id for rule in rules}) == len(rules) >= 20
    for rule in rules:
        assert rule.id.startswith("KB") and len(rule.id) == 5
        assert rule.summary and rule.why and rule.fix, rule.id
    families = {rule.id: rule.family.name for rule in rules}
    assert families["KB101"] == "FRONT_MATTER" and families["KB301"] == "REVIEW"


# --------------------------------------------------------------- KB1xx front matter


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe not utf-8", b"   \n", b"---\ntitle: [unclosed\n---\nbody\n"],
    ids=["not-utf8", "empty", "bad-yaml"],
)
def test_kb101_unparseable(tmp_path: Path, content: bytes) -> None:
    found = check(base(tmp_path, {"bad.md": content, "ok.md": good()}), rule="KB101")
    assert ids(found) == [("KB101", "bad.md")]
    assert found[0].severity is Severity.ERROR


def test_kb102_unreadable_value_is_a_warning(tmp_path: Path) -> None:
    found = check(base(tmp_path, {"a.md": good(last_reviewed="31/31/2024")}), rule="KB102")
    assert ids(found) == [("KB102", "a.md")]
    assert found[0].severity is Severity.WARNING and "last_reviewed" in found[0].message
    assert check(base(tmp_path, {"a.md": good()}), rule="KB102") == []


def test_kb103_required_keys(tmp_path: Path) -> None:
    folder = base(tmp_path, {"a.md": good(id=None), "b.md": "# Just a heading\n\n" + PROSE})
    found = check(folder, rule="KB103")
    assert ids(found) == [("KB103", "a.md"), ("KB103", "b.md")]
    assert "id" in found[0].message and "no front matter" in found[1].message


def test_kb103_keys_are_configurable_and_accept_aliases(tmp_path: Path) -> None:
    toml = '[check.rules.KB103]\nkeys = ["owner", "product"]\n'
    folder = base(tmp_path, {"a.md": good(owner=None, **{"ms.author": "anna"})}, toml)
    found = check(folder, rule="KB103")
    assert [finding.message for finding in found] == ["required front-matter key missing: product"]


def test_kb104_unknown_status_and_audience(tmp_path: Path) -> None:
    folder = base(
        tmp_path,
        {
            "a.md": good(status="approved", audience="everyone"),
            "b.md": good(id="KB-2", status="Draft"),
        },
    )
    found = check(folder, rule="KB104")
    assert [(finding.path, finding.message) for finding in found] == [
        ("a.md", "unknown status 'approved'"),
        ("a.md", "unknown audience 'everyone'"),
    ]
    assert found[0].line == 6  # the status key's line


def test_kb105_duplicate_id_is_base_wide(tmp_path: Path) -> None:
    folder = base(
        tmp_path, {"a.md": good(id="KB-7"), "b.md": good(id="kb-7"), "c.md": good(id="KB-8")}
    )
    assert ids(check(folder, rule="KB105")) == [("KB105", "b.md")]
    # Still reported when only another article is in scope (as with --changed-since).
    assert ids(check(folder, rule="KB105", scope={"c.md"})) == [("KB105", "b.md")]


def test_kb106_silence_needs_a_reason_and_a_real_rule(tmp_path: Path) -> None:
    short = good(body="Too short.\n", **{"kbctl-ignore": {"KB406": ""}})
    unknown = good(id="KB-2", **{"kbctl-ignore": {"KB999": "typo"}})
    fine = good(
        id="KB-3", body="Short on purpose.\n", **{"kbctl-ignore": {"KB406": "a redirect stub"}}
    )
    found = check(base(tmp_path, {"a.md": short, "b.md": unknown, "c.md": fine}))
    assert ids(found) == [("KB106", "a.md"), ("KB106", "b.md")]
    assert "without a reason" in found[0].message and "KB999" in found[1].message


# --------------------------------------------------------------- KB2xx ownership


def test_kb201_owner_missing(tmp_path: Path) -> None:
    folder = base(tmp_path, {"a.md": good(owner=None), "b.md": good(id="KB-2")})
    assert ids(check(folder, rule="KB201")) == [("KB201", "a.md")]


def test_kb201_codeowners_ownership_counts(tmp_path: Path) -> None:
    folder = base(tmp_path, {"a.md": good(owner=None)})
    owned = {"a.md": Ownership(("@team",), "codeowners", 3)}
    assert check(folder, rule="KB201", ownership=owned) == []
    unowned = {"a.md": Ownership((), "codeowners", 4)}
    assert ids(check(folder, rule="KB201", ownership=unowned)) == [("KB201", "a.md")]


def test_kb202_kb203_roster(tmp_path: Path) -> None:
    roster = Roster(
        [
            RosterEntry("@anna", "Anna", None, True),
            RosterEntry("@oleg", "Oleg", None, False),
        ]
    )
    folder = base(
        tmp_path,
        {
            "a.md": good(),
            "b.md": good(id="KB-2", owner="@oleg"),
            "c.md": good(id="KB-3", owner="@nobody"),
        },
    )
    assert ids(check(folder, rule="KB202", roster=roster)) == [("KB202", "c.md")]
    assert ids(check(folder, rule="KB203", roster=roster)) == [("KB203", "b.md")]
    assert check(folder, rule="KB202") == []  # no roster: nothing to compare with


# --------------------------------------------------------------- KB3xx review


def test_kb301_overdue_and_kb302_due_soon(tmp_path: Path) -> None:
    folder = base(
        tmp_path,
        {
            "old.md": good(last_reviewed="2026-01-01"),
            "soon.md": good(id="KB-2", last_reviewed="2026-06-10"),
            "fresh.md": good(id="KB-3", last_reviewed="2026-11-01"),
            "gone.md": good(id="KB-4", last_reviewed="2020-01-01", status="archived"),
        },
    )
    found = check(folder)
    assert ids(found) == [("KB301", "old.md"), ("KB302", "soon.md")]
    assert found[0].severity is Severity.ERROR and found[1].severity is Severity.WARNING
    assert check(folder, date_rules=False) == []


def test_kb301_counts_from_git_when_never_reviewed(tmp_path: Path) -> None:
    folder = base(tmp_path, {"a.md": good(last_reviewed=None)})
    assert check(folder, rule="KB301") == []
    old = {"a.md": history_of("a.md", "2025-01-01T10:00:00")}
    assert ids(check(folder, rule="KB301", history=old)) == [("KB301", "a.md")]


def test_kb303_changed_after_review(tmp_path: Path) -> None:
    folder = base(tmp_path, {"a.md": good(last_reviewed="2026-10-01")})
    later = {"a.md": history_of("a.md", "2026-10-05T09:00:00")}
    earlier = {"a.md": history_of("a.md", "2026-09-20T09:00:00")}
    cut = {"a.md": history_of("a.md", "2026-10-05T09:00:00", reliable=False)}
    assert ids(check(folder, rule="KB303", history=later)) == [("KB303", "a.md")]
    assert check(folder, rule="KB303", history=earlier) == []
    assert check(folder, rule="KB303", history=cut) == []  # shallow clone: not trusted
    assert check(folder, rule="KB303") == []  # --no-history: skipped


def test_kb304_wip_too_old(tmp_path: Path) -> None:
    folder = base(
        tmp_path,
        {
            "old.md": good(status="wip", created="2026-06-01"),
            "new.md": good(id="KB-2", status="wip", created="2026-11-10"),
        },
    )
    assert ids(check(folder, rule="KB304")) == [("KB304", "old.md")]
    loose = base(tmp_path, {}, "[check.rules.KB304]\nmax_days = 365\n")
    assert check(loose, rule="KB304") == []


def test_kb304_without_created_counts_from_the_first_commit(tmp_path: Path) -> None:
    folder = base(tmp_path, {"a.md": good(status="wip")})
    first = {"a.md": history_of("a.md", "2026-06-01T09:00:00")}
    cut = {"a.md": history_of("a.md", "2026-06-01T09:00:00", reliable=False)}
    assert ids(check(folder, rule="KB304", history=first)) == [("KB304", "a.md")]
    assert check(folder, rule="KB304", history=cut) == []  # shallow clone: not trusted
    assert check(folder, rule="KB304") == []  # no created, no history: cannot tell


# --------------------------------------------------------------- KB4xx content


def test_kb401_external_links_internal(tmp_path: Path) -> None:
    folder = base(
        tmp_path,
        {
            "public.md": good(body=PROSE + "See [the policy](internal/policy.md).\n"),
            "internal/policy.md": good(id="KB-2", audience="internal"),
            "staff.md": good(
                id="KB-3", audience="internal", body=PROSE + "[x](internal/policy.md)\n"
            ),
        },
    )
    found = check(folder, rule="KB401")
    assert ids(found) == [("KB401", "public.md")]
    assert found[0].line == 11  # 9 lines of front matter, a line of prose, then the link


def test_kb402_broken_links(tmp_path: Path) -> None:
    body = (
        PROSE
        + "[gone](../billing/gone.md) [ok](other.md) [folder](sub/) [web](https://example.com/x.md)\n"
        + "[bare](other) [mail](mailto:a@b.c) [outside](../../README.md)\n"
        + "```\n[in code](nowhere.md)\n```\n"
        + "`[inline](nowhere.md)` and [spaced](<my file.md>)\n"
    )
    folder = base(
        tmp_path,
        {
            "a/a.md": good(body=body),
            "a/other.md": good(id="KB-2"),
            "a/sub/x.md": good(id="KB-3"),
            "a/my file.md": good(id="KB-4"),
        },
    )
    found = check(folder, rule="KB402")
    assert [(finding.path, finding.message) for finding in found] == [
        ("a/a.md", "link to missing file ../billing/gone.md")
    ]


def test_kb403_anchors_github_style_and_cyrillic(tmp_path: Path) -> None:
    target = (
        "# Заголовок\n\n## Решение проблемы\n\n## Step 2: Run `kbctl`!\n\n## FAQ\n\n## FAQ\n"
        + PROSE
    )
    links = (
        "[a](b.md#решение-проблемы) [b](b.md#step-2-run-kbctl) [c](b.md#faq-1) "
        "[d](b.md#%D1%80%D0%B5%D1%88%D0%B5%D0%BD%D0%B8%D0%B5-%D0%BF%D1%80%D0%BE%D0%B1%D0%BB%D0%B5%D0%BC%D1%8B) "
        "[e](#section-here)\n\n## Section here\n"
    )
    bad = "[x](b.md#no-such-heading) [y](#nope)\n"
    folder = base(
        tmp_path,
        {
            "a.md": good(body=PROSE + links),
            "b.md": good(id="KB-2", body=target),
            "c.md": good(id="KB-3", body=PROSE + bad),
        },
    )
    found = check(folder, rule="KB403")
    assert [(finding.path, finding.message) for finding in found] == [
        ("c.md", "no heading #no-such-heading in b.md"),
        ("c.md", "no heading #nope in this article"),
    ]


def test_kb404_missing_image(tmp_path: Path) -> None:
    body = (
        PROSE
        + '![shot](images/here.png) ![gone](images/gone.png) <img src="images/also-gone.png">\n'
    )
    folder = base(tmp_path, {"a.md": good(body=body), "images/here.png": b"\x89PNG"})
    found = check(folder, rule="KB404")
    assert sorted(finding.message for finding in found) == [
        "image not found: images/also-gone.png",
        "image not found: images/gone.png",
    ]


def test_kb405_kb406_length(tmp_path: Path) -> None:
    folder = base(
        tmp_path,
        {
            "long.md": good(body="word " * 1600),
            "short.md": good(id="KB-2", body="Too short.\n"),
            "ok.md": good(id="KB-3"),
        },
    )
    assert ids(check(folder, rule="KB405")) == [("KB405", "long.md")]
    assert ids(check(folder, rule="KB406")) == [("KB406", "short.md")]
    code_only = base(
        tmp_path, {"short.md": good(id="KB-2", body="Run:\n```\n" + "x " * 100 + "\n```\n")}
    )
    assert ids(check(code_only, rule="KB406")) == [("KB406", "short.md")]


def test_kb407_kcs_sections_english_and_russian(tmp_path: Path) -> None:
    english = "## Issue\n\n## Environment\n\n## Resolution\n\n" + PROSE
    russian = "## Проблема\n\n## Окружение\n\n## Решение\n\n## Причина\n\n" + PROSE
    folder = base(
        tmp_path,
        {
            "en.md": good(type="troubleshooting", body=english),
            "ru.md": good(id="KB-2", type="troubleshooting", body=russian),
            "howto.md": good(id="KB-3", type="howto"),
        },
    )
    found = check(folder, rule="KB407")
    assert [(finding.path, finding.message) for finding in found] == [
        ("en.md", "troubleshooting article lacks section: Cause")
    ]
    toml = '[check.rules.KB407.sections]\nhowto = ["Steps|Шаги"]\n'
    custom = base(tmp_path, {}, toml)
    assert ids(check(custom, rule="KB407")) == [("KB407", "howto.md")]


# --------------------------------------------------------------- KB5xx flags


def test_kb501_old_flags(tmp_path: Path) -> None:
    old = {"by": "@ivan", "date": "2026-10-01", "reason": "wrong menu"}
    new = {"by": "@ivan", "date": "2026-11-20", "reason": "typo"}
    folder = base(tmp_path, {"a.md": good(flags=[old]), "b.md": good(id="KB-2", flags=[new])})
    found = check(folder, rule="KB501")
    assert ids(found) == [("KB501", "a.md")]
    assert "52 days" in found[0].message and "wrong menu" in found[0].message


# --------------------------------------------------------------- configuration


def test_rule_off_severity_and_path_overrides(tmp_path: Path) -> None:
    files = {"a.md": good(body="short\n"), "faq/b.md": good(id="KB-2", body="short\n")}
    assert {finding.severity for finding in check(base(tmp_path, files), rule="KB406")} == {
        Severity.WARNING
    }
    toml = (
        '[check.rules]\ntoo-short = "error"\n\n'
        '[[check.overrides]]\npaths = ["faq/**"]\nrules = { KB406 = "off" }\n'
    )
    found = check(base(tmp_path, files, toml), rule="KB406")
    assert [(finding.path, finding.severity) for finding in found] == [("a.md", Severity.ERROR)]
    off = base(tmp_path, files, '[check.rules]\nKB406 = "off"\n')
    assert check(off, rule="KB406") == []


def test_override_can_enable_a_rule_for_some_paths(tmp_path: Path) -> None:
    files = {"a.md": good(body="short\n"), "faq/b.md": good(id="KB-2", body="short\n")}
    toml = '[check.rules]\nKB406 = "off"\n\n[[check.overrides]]\npaths = "faq/"\nrules = { KB406 = { severity = "info", min_words = 10 } }\n'
    found = check(base(tmp_path, files, toml), rule="KB406")
    assert [(finding.path, finding.severity) for finding in found] == [("faq/b.md", Severity.INFO)]


def test_silencing_one_article(tmp_path: Path) -> None:
    files = {
        "a.md": good(body="short\n", **{"kbctl-ignore": {"too-short": "redirect stub"}}),
        "b.md": good(id="KB-2", body="short\n"),
    }
    assert ids(check(base(tmp_path, files))) == [("KB406", "b.md")]


@pytest.mark.parametrize(
    "toml",
    [
        '[check.rules]\nKB999 = "off"\n',
        '[check.rules]\nKB301 = "fatal"\n',
        "[check.rules.KB405]\nmax_lines = 3\n",
        '[check.rules.KB405]\nmax_words = "lots"\n',
        '[check.rules.KB103]\nkeys = "id"\n',
        '[[check.overrides]]\nrules = { KB405 = "off" }\n',
        "[check]\nrules = 3\n",
    ],
)
def test_bad_check_config_is_an_error(toml: str, tmp_path: Path) -> None:
    import tomllib

    with pytest.raises(ConfigError):
        check_settings(tomllib.loads(toml).get("check", {}))


def test_fails_threshold() -> None:
    warning = Finding("KB302", Severity.WARNING, "a.md", 1, "soon")
    assert not fails([warning], "error")
    assert fails([warning], "warning")
    assert not fails([warning], "never")
    assert not fails([], "warning")
