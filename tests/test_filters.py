"""One filter in every command: the same options select the same articles.

``list`` shows the whole selected set; every other command shows its part of it, so the
promise is: a command run with a filter gives exactly what it gives without the filter,
narrowed to the articles ``list`` selects with that filter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kbctl.model import Article
from kbctl.selection import ArticleFilter
from tests.conftest import KB_CONTENT, Cli

TODAY = ("--today", "2026-11-22")

FILTERS = [
    ("--owner", "@elena.sokolova"),
    ("--owner", "anna.petrova@relay.example", "--owner", "@igor.smirnov"),
    ("--status", "draft"),  # an alias of wip
    ("--status", "validated", "--audience", "customers"),
    ("--tag", "billing", "--tag", "sso"),
    ("--tag", "billing", "--owner", "@relay/billing"),
    ("--product", "RELAY-MOBILE"),
    ("--where", "type=howto", "--where", "type=faq", "--where", "product=relay-web"),
    ("--where", "tags=security"),
]

pytestmark = pytest.mark.skipif(
    not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there"
)


def _paths(cli: Cli, cwd: Path, *args: str) -> set[str]:
    result = cli(*args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    return {item["base_path"] for item in data}


@pytest.mark.parametrize("given", FILTERS, ids=" ".join)
def test_the_same_filter_selects_the_same_articles_in_every_command(
    cli: Cli, kb_copy: Path, given: tuple[str, ...]
) -> None:
    listed = cli("list", *given, "--format", "json", cwd=kb_copy)
    assert listed.exit_code == 0, listed.stderr
    articles = json.loads(listed.stdout)
    chosen = {item["base_path"] for item in articles}
    assert chosen, f"{given} selects nothing on the bundled base"
    live = {item["base_path"] for item in articles if item["status"] != "archived"}

    query = ("search", "ошибка error письма account api", "--all", "--limit", "500")
    assert _paths(cli, kb_copy, *query, *given) == _paths(cli, kb_copy, *query) & chosen
    for command in (("stale", *TODAY, "--days", "90"), ("review", *TODAY), ("flags",)):
        assert _paths(cli, kb_copy, *command, *given) == _paths(cli, kb_copy, *command) & chosen
    if "--owner" in given:
        assert _paths(cli, kb_copy, "owners", *given, *TODAY) == live
    # check narrows like PATHS: per-article rules; a duplicate id is reported wherever it is.
    found = cli("check", *TODAY, "--no-history", "--format", "json", *given, cwd=kb_copy)
    findings = json.loads(found.stdout)["findings"]
    assert {item["base_path"] for item in findings if item["rule"] != "KB105"} <= chosen


def test_search_finds_with_its_index_what_list_finds(cli: Cli, kb_copy: Path) -> None:
    # A team named only in CODEOWNERS, expanded to members, asked for by e-mail.
    mine = _paths(cli, kb_copy, "list", "--owner", "elena.sokolova@relay.example")
    assert "checklists/incident-communication.md" in mine
    hits = _paths(
        cli, kb_copy, "search", "incident", "--all", "--owner", "elena.sokolova@relay.example"
    )
    assert "checklists/incident-communication.md" in hits and hits <= mine


COMMANDS_WITH_STATUS = [
    ("list",),
    ("search", "password"),
    ("stale",),
    ("review",),
    ("owners",),
    ("flags",),
    ("check",),
    ("review", "mark", "KB-0012", "--by", "@x"),
]


@pytest.mark.parametrize("command", COMMANDS_WITH_STATUS, ids=" ".join)
def test_an_unknown_status_is_exit_2_naming_the_accepted_values(
    cli: Cli, kb_copy: Path, command: tuple[str, ...]
) -> None:
    before = (kb_copy / "kb-content").rglob("*.md")
    snapshot = {path: path.read_bytes() for path in before}
    result = cli(*command, "--status", "banana", cwd=kb_copy)
    assert result.exit_code == 2
    assert "unknown status 'banana'" in result.stderr
    assert "wip, not_validated, validated, archived" in result.stderr
    assert {path: path.read_bytes() for path in snapshot} == snapshot  # nothing edited


@pytest.mark.parametrize("command", [c for c in COMMANDS_WITH_STATUS if c[-1] != "@x"])
def test_an_unknown_audience_is_exit_2_naming_the_accepted_values(
    cli: Cli, kb_copy: Path, command: tuple[str, ...]
) -> None:
    result = cli(*command, "--audience", "martians", cwd=kb_copy)
    assert result.exit_code == 2
    assert "internal, partner, customer, public" in result.stderr


def test_review_mark_takes_the_status_aliases_list_takes(cli: Cli, kb_copy: Path) -> None:
    drafts = _paths(cli, kb_copy, "list", "--status", "draft")
    assert drafts == _paths(cli, kb_copy, "list", "--status", "wip")
    marked = cli(
        "review", "mark", "KB-0012", "--status", "draft", "--by", "@anna.petrova",
        "--date", "2026-11-20", cwd=kb_copy,
    )  # fmt: skip
    assert marked.exit_code == 0, marked.stderr
    shown = json.loads(cli("show", "KB-0012", "--format", "json", cwd=kb_copy).stdout)
    assert shown["status"] == "wip"
    assert shown["base_path"] in _paths(cli, kb_copy, "list", "--status", "Work in progress")


def test_a_where_without_a_key_is_exit_2(cli: Cli, kb_copy: Path) -> None:
    result = cli("list", "--where", "product", cwd=kb_copy)
    assert result.exit_code == 2
    assert re.search(r"KEY=VALUE", result.stderr)


def _article(**meta: object) -> Article:
    return Article(id="A", path="a.md", abs_path=Path("a.md"), title="A", body="", meta=dict(meta))


def test_where_matches_scalars_and_list_items_one_key_any_keys_all() -> None:
    article = _article(product="Relay-Web", tags=["sso", "saml"], created="2024-01-02", n=3)
    assert ArticleFilter.build(where=["product=relay-web"]).matches(article)
    assert ArticleFilter.build(where=["tags=SAML"]).matches(article)
    assert ArticleFilter.build(where=["n=3", "n=4"]).matches(article)  # one key: any
    assert not ArticleFilter.build(where=["n=3", "tags=oauth"]).matches(article)  # keys: all
    assert not ArticleFilter.build(where=["missing=x"]).matches(article)
    assert ArticleFilter.build(where=[" created = 2024-01-02 "]).matches(article)
