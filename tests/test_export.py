"""kbctl export: nothing an audience may not see leaves the base, in any format.

A base built to tempt leaks (internal articles linked from public ones in every link syntax,
sharing aliases, tags and images with them; an internal part in a public body; private keys;
archived, WIP and unlabelled articles), exported in every format for the wider audiences,
then every file of every output scanned for anything internal. The outputs are checked line
by line (JSONL, bulk NDJSON, the index definition's analysis components), and incremental
exports after an edit, an add and a delete (real git repository).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbctl.model import audience_allows
from tests.conftest import PROJECT_ROOT, GitRepo

CONFIG = """\
content = "kb"

[export]
url = "https://help.example.com/{product}/{slug}"
site_title = "Relay Help"
"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

PUBLIC_BODY = """\
# VPN подключение обрывается

## Проблема

Клиент не получает письма и VPN обрывается каждые пять минут.
See [the runbook](../internal/secret-runbook.md) and [again](/internal/secret-runbook.md#step-2)
and [without extension](../internal/secret-runbook) and [ref style][rb] and
<a href="../internal/secret-runbook.md">raw html</a>.
Also read [Секретный регламент Кракен](../internal/secret-runbook.md) and
<a href="../internal/secret-runbook.md">INT-SECRET-9</a>.

![shared diagram](../images/shared-diagram.png)

<!-- internal -->
Agents: escalate to ZEBRA-OPS-7781 and open the kraken console.
<!-- /internal -->

<!-- note for agents: ask ZEBRA-NOTE-55 -->

## Решение

Перезапустите клиент. See [the customer guide](../customer/guide.md) and
[webhooks](webhook.md#resolution).

[rb]: ../internal/secret-runbook.md "Kraken"
"""

FORBIDDEN = (
    "INT-SECRET-9",
    "Секретный регламент Кракен",
    "kraken-procedure-alias",
    "secret-runbook",
    "only-internal-kraken",
    "ZEBRA-OPS-7781",
    "ZEBRA-NOTE-55",
    "kraken console",
    "@secret.owner",
    "hidden.reviewer",
    "NOAUD-4",
    "Unlabelled quokka",
    "ARCH-5",
    "zeppelin-old",
    "WIP-3",
    "draft marmalade",
)
PARTNER_ONLY = ("PART-77", "Partner pricing zeppelin", "partner-matrix")
CUSTOMER_ONLY = ("CUST-2", "Customer guide walrus", "customer/guide")


def leak_base(repo: GitRepo) -> None:
    """The tempting base, committed."""
    repo.write("kbctl.toml", CONFIG)
    repo.write("kb/images/shared-diagram.png", PNG)
    repo.write("kb/images/only-internal-kraken.png", PNG)
    repo.write_article(
        "kb/public/vpn.md",
        PUBLIC_BODY,
        id="PUB-1",
        title="VPN подключение обрывается",
        status="validated",
        audience="public",
        product="relay-vpn",
        tags=["vpn", "network"],
        aliases=["vpn drops"],
        owner="@secret.owner",
        reviewers=["@hidden.reviewer"],
        flags=[{"by": "@secret.owner", "date": "2026-01-01", "reason": "kraken console moved"}],
        last_reviewed="2026-01-10",
    )
    repo.write_article(
        "kb/public/webhook.md",
        "## Issue\n\nThe webhook signature does not match.\n\n## Resolution\n\nUse the raw body.\n",
        id="PUB-2",
        title="Webhook signature verification fails",
        status="validated",
        audience="public",
        product="relay-api",
        tags=["vpn", "api"],
        last_reviewed="2026-01-10",
    )
    repo.write_article(
        "kb/public/letters.md",
        "Клиент не получает письма с уведомлениями: проверьте фильтры.\n",
        id="PUB-3",
        title="Клиент не получает письма",
        status="validated",
        audience="public",
        product="relay-email",
        tags=["email"],
    )
    repo.write_article(
        "kb/customer/guide.md",
        "Customer guide. Link back to [vpn](../public/vpn.md).\n",
        id="CUST-2",
        title="Customer guide walrus",
        status="validated",
        audience="customer",
        product="relay-vpn",
        tags=["vpn"],
    )
    repo.write_article(
        "kb/partner/partner-matrix.md",
        "Prices for partners.\n",
        id="PART-77",
        title="Partner pricing zeppelin",
        status="validated",
        audience="partner",
        product="relay-vpn",
        tags=["pricing"],
    )
    repo.write_article(
        "kb/internal/secret-runbook.md",
        "## Step 2\n\nOpen the kraken console. ![d](../images/only-internal-kraken.png)\n"
        "![shared](../images/shared-diagram.png)\n",
        id="INT-SECRET-9",
        title="Секретный регламент Кракен",
        status="validated",
        audience="internal",
        product="relay-secret",
        tags=["vpn", "internal-only-tag"],
        aliases=["vpn drops", "kraken-procedure-alias"],
    )
    repo.write_article(
        "kb/misc/unlabelled.md",
        "No audience at all.\n",
        id="NOAUD-4",
        title="Unlabelled quokka",
        status="validated",
        product="relay-vpn",
    )
    repo.write_article(
        "kb/misc/old.md",
        "Old.\n",
        id="ARCH-5",
        title="Archived zeppelin-old",
        status="archived",
        audience="public",
    )
    repo.write_article(
        "kb/misc/draft.md",
        "Draft.\n",
        id="WIP-3",
        title="WIP draft marmalade",
        status="wip",
        audience="public",
    )
    repo.commit("the base")


@pytest.fixture
def base(git_repo: GitRepo) -> GitRepo:
    leak_base(git_repo)
    return git_repo


def export(cli: Any, repo: GitRepo, *args: str) -> Any:
    result = cli("export", *args, "--today", "2026-02-01", cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    return result


def output_files(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    return [path for path in target.rglob("*") if path.is_file()]


def scan(target: Path, forbidden: tuple[str, ...]) -> None:
    for path in output_files(target):
        text = path.read_bytes().decode("utf-8", "replace").casefold()
        for word in forbidden:
            assert word.casefold() not in text, f"{word!r} leaked into {path}"
            assert json.dumps(word)[1:-1].casefold() not in text, f"{word!r} leaked into {path}"


FORMATS = {"jsonl": "out.jsonl", "opensearch": "os", "html": "site", "llms": "llms"}


@pytest.mark.parametrize("audience", ["public", "customer"])
def test_no_internal_trace_in_any_file_of_any_format(
    cli: Any, base: GitRepo, tmp_path: Path, audience: str
) -> None:
    forbidden = FORBIDDEN + PARTNER_ONLY + (CUSTOMER_ONLY if audience == "public" else ())
    for fmt, name in FORMATS.items():
        target = tmp_path / audience / name
        result = export(cli, base, "--audience", audience, "--format", fmt, "--output", str(target))
        scan(target, forbidden)
        assert "withheld" in result.stderr
        report = json.loads((tmp_path / audience / f"{name}.withheld.json").read_text())
        withheld = {item["id"] for item in report["withheld"]}
        assert {"INT-SECRET-9", "NOAUD-4", "ARCH-5", "WIP-3", "PART-77"} <= withheld
        targets = {item["target"] for item in report["links_to_text"] if item["article"] == "PUB-1"}
        assert "../internal/secret-runbook.md" in targets
        assert report["internal_parts_removed"] == {"PUB-1": 1}
        assert "owner" in report["keys_left_out"]["PUB-1"]


def test_html_keeps_text_of_withheld_links_and_copies_only_used_images(
    cli: Any, base: GitRepo, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(cli, base, "--audience", "public", "--format", "html", "--output", str(site))
    page = (site / "articles" / "vpn.html").read_text()
    assert "the runbook" in page and "raw html" in page and "ref style" in page
    assert 'href="webhook.html#resolution"' in page
    assert 'src="../media/images/shared-diagram.png"' in page
    assert (site / "media/images/shared-diagram.png").read_bytes() == PNG
    assert not list(site.rglob("only-internal*"))
    assert "<script" not in page.split("<main>")[1].split("</main>")[0]
    home = (site / "index.html").read_text()
    assert "relay-secret" not in home and "internal-only-tag" not in home
    vpn_tag = (site / "tags" / "vpn.html").read_text()
    assert vpn_tag.count("<li>") == 2  # the two public articles tagged vpn, nothing else


def test_jsonl_lines_are_records_with_unique_ids(cli: Any, base: GitRepo, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    export(cli, base, "--audience", "customer", "--format", "jsonl", "--output", str(target))
    records = [json.loads(line) for line in target.read_text().splitlines()]
    ids = [record["id"] for record in records]
    assert sorted(ids) == ["CUST-2", "PUB-1", "PUB-2", "PUB-3"]
    vpn = next(record for record in records if record["id"] == "PUB-1")
    assert vpn["url"] == "https://help.example.com/relay-vpn/vpn"
    assert vpn["language"] == "ru"
    assert vpn["review_state"] in {"ok", "due_soon", "overdue", "never"}
    assert [section["kind"] for section in vpn["sections"]] == ["issue", "resolution"]
    assert vpn["sections"][0]["anchor"] == "проблема"
    assert "письм" in vpn["terms"].split()  # stemmed
    assert "https://help.example.com/relay-vpn/guide" in vpn["body_markdown"]
    assert "owners" not in vpn and "flags" not in vpn
    assert "Клиент не получает письма" in vpn["body_text"] and "##" not in vpn["body_text"]


def test_include_owners_exports_owners_only_when_asked(
    cli: Any, base: GitRepo, tmp_path: Path
) -> None:
    target = tmp_path / "owners.jsonl"
    export(
        cli,
        base,
        "--audience",
        "public",
        "--format",
        "jsonl",
        "--output",
        str(target),
        "--include-owners",
    )
    vpn = next(json.loads(line) for line in target.read_text().splitlines() if '"PUB-1"' in line)
    assert vpn["owners"] == ["@secret.owner"]


ALLOWED_COMPONENTS = {
    "tokenizer": {"standard", "whitespace", "keyword"},
    "filter": {"lowercase", "stop", "stemmer", "synonym_graph", "asciifolding"},
    "char_filter": {"mapping"},
}


def test_opensearch_bulk_and_index_definition(cli: Any, base: GitRepo, tmp_path: Path) -> None:
    folder = tmp_path / "os"
    export(cli, base, "--audience", "public", "--format", "opensearch", "--output", str(folder))
    lines = (folder / "bulk.ndjson").read_text().splitlines()
    assert len(lines) % 2 == 0
    ids = []
    index_name = (folder / "index-name.txt").read_text().strip()
    for action_line, document_line in zip(lines[::2], lines[1::2], strict=True):
        action = json.loads(action_line)
        assert list(action) == ["index"]
        assert action["index"]["_index"] == index_name
        document = json.loads(document_line)
        assert document["id"] == action["index"]["_id"]
        ids.append(document["id"])
    assert len(ids) == len(set(ids)) == 3
    definition = json.loads((folder / "index.json").read_text())
    analysis = definition["settings"]["analysis"]
    for analyzer in analysis["analyzer"].values():
        assert analyzer["tokenizer"] in ALLOWED_COMPONENTS["tokenizer"]
        for name in analyzer["filter"]:
            kind = analysis["filter"][name]["type"] if name in analysis["filter"] else name
            assert kind in ALLOWED_COMPONENTS["filter"]
        for name in analyzer["char_filter"]:
            assert analysis["char_filter"][name]["type"] in ALLOWED_COMPONENTS["char_filter"]
    languages = {f.get("language") for f in analysis["filter"].values() if f["type"] == "stemmer"}
    assert languages == {"russian", "english"}
    assert analysis["char_filter"]["kb_yo"]["mappings"] == ["ё => е", "Ё => Е"]
    assert definition["mappings"]["properties"]["codes"]["type"] == "keyword"
    aliases = json.loads((folder / "aliases.json").read_text())
    assert aliases["actions"][1]["add"] == {"index": index_name, "alias": "kb-public"}


def test_synonyms_only_in_the_search_analyzer() -> None:
    from kbctl.export.opensearch import index_definition
    from kbctl.export.plan import ExportPlan

    plan = ExportPlan(
        "public", ("validated",), "t", (), (), synonyms=("# c", "", "vpn, впн", "2fa => mfa")
    )
    analysis = index_definition(plan)["settings"]["analysis"]
    assert analysis["filter"]["kb_synonyms"]["synonyms"] == ["vpn, впн", "2fa => mfa"]
    assert "kb_synonyms" in analysis["analyzer"]["kb_search"]["filter"]
    assert "kb_synonyms" not in analysis["analyzer"]["kb_text"]["filter"]


def test_llms_index_and_files(cli: Any, base: GitRepo, tmp_path: Path) -> None:
    folder = tmp_path / "llms"
    export(cli, base, "--audience", "public", "--format", "llms", "--output", str(folder))
    index = (folder / "llms.txt").read_text()
    assert index.startswith("# Relay Help")
    assert "[Webhook signature verification fails](articles/webhook.md)" in index
    body = (folder / "articles/vpn.md").read_text()
    assert body.startswith("# VPN подключение обрывается")
    assert "(webhook.md#resolution)" in body


def test_incremental_export_after_edit_add_and_delete(
    cli: Any, base: GitRepo, tmp_path: Path
) -> None:
    targets = {fmt: tmp_path / name for fmt, name in FORMATS.items()}
    for fmt, target in targets.items():
        export(cli, base, "--audience", "public", "--format", fmt, "--output", str(target))
    base.write_article(
        "kb/public/webhook.md",
        "## Issue\n\nEdited: the signature changed.\n",
        id="PUB-2",
        title="Webhook signature verification fails",
        status="validated",
        audience="public",
        product="relay-api",
    )
    base.write_article(
        "kb/public/new.md", "A new article.\n", id="PUB-9", title="New article", status="validated",
        audience="public", product="relay-api",
    )  # fmt: skip
    base.remove("kb/public/letters.md")
    base.commit("edit, add, delete", date="2026-01-20T10:00:00+03:00")
    for fmt, target in targets.items():
        result = export(
            cli,
            base,
            "--audience",
            "public",
            "--format",
            fmt,
            "--output",
            str(target),
            "--since",
            "HEAD~1",
        )
        assert "incremental" in result.stderr and "2 written, 1 deleted" in result.stderr
    bulk = [
        json.loads(line)
        for line in (targets["opensearch"] / "bulk.ndjson").read_text().splitlines()
    ]
    actions = [
        (next(iter(line)), line[next(iter(line))]["_id"])
        for line in bulk
        if "index" in line or "delete" in line
    ]
    assert sorted(actions) == [("delete", "PUB-3"), ("index", "PUB-2"), ("index", "PUB-9")]
    assert all(
        line.get("index", line.get("delete", {})).get("_index", "kb-public") == "kb-public"
        for line in bulk
        if "index" in line or "delete" in line
    )
    jsonl = [json.loads(line) for line in targets["jsonl"].read_text().splitlines()]
    assert {(item["id"], item.get("deleted", False)) for item in jsonl} == {
        ("PUB-2", False),
        ("PUB-9", False),
        ("PUB-3", True),
    }
    site = targets["html"]
    assert not (site / "articles/letters.html").exists()
    assert (site / "articles/new.html").exists()
    assert "Edited: the signature changed." in (site / "articles/webhook.html").read_text()
    assert "letters.html" not in (site / "assets/search-index.js").read_text()
    assert not (site / "products/relay-email.html").exists()  # its only article went
    assert not (targets["llms"] / "articles/letters.md").exists()
    assert "New article" in (targets["llms"] / "llms.txt").read_text()


def test_without_since_every_run_is_a_full_export(cli: Any, base: GitRepo, tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    for _ in range(2):
        result = export(
            cli, base, "--audience", "public", "--format", "jsonl", "--output", str(target)
        )
        assert "full jsonl export" in result.stderr
        assert len(target.read_text().splitlines()) == 3


def test_an_article_that_becomes_internal_is_deleted_and_never_named_otherwise(
    cli: Any, base: GitRepo, tmp_path: Path
) -> None:
    folder = tmp_path / "os"
    export(cli, base, "--audience", "public", "--format", "opensearch", "--output", str(folder))
    text = (
        (base.path / "kb/public/letters.md")
        .read_text()
        .replace("audience: public", "audience: internal")
    )
    base.write("kb/public/letters.md", text)
    base.commit("now internal", date="2026-01-21T10:00:00+03:00")
    export(
        cli,
        base,
        "--audience",
        "public",
        "--format",
        "opensearch",
        "--output",
        str(folder),
        "--since",
        "HEAD~1",
    )
    bulk = (folder / "bulk.ndjson").read_text()
    assert '"delete"' in bulk and "PUB-3" in bulk and "INT-SECRET-9" not in bulk
    assert "Клиент не получает письма" not in bulk


def test_output_refuses_links_and_foreign_folders(cli: Any, base: GitRepo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "linked-site"
    link.symlink_to(elsewhere)
    result = cli(
        "export", "--audience", "public", "--format", "html", "--output", str(link), cwd=base.path
    )
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert not any(elsewhere.iterdir())
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    result = cli(
        "export", "--audience", "public", "--format", "llms", "--output", str(busy), cwd=base.path
    )
    assert result.exit_code == 2 and "not empty" in result.stderr
    site = tmp_path / "site"
    export(cli, base, "--audience", "public", "--format", "html", "--output", str(site))
    (site / "articles").rename(site / "moved")
    (site / "articles").symlink_to(elsewhere)
    result = cli(
        "export", "--audience", "public", "--format", "html", "--output", str(site), cwd=base.path
    )
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert not any(elsewhere.iterdir())
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    result = cli(
        "export", "--audience", "public", "--format", "html", "--output", str(a_file), cwd=base.path
    )
    assert result.exit_code == 2 and "is a file" in result.stderr
    inside = cli(
        "export", "--audience", "public", "--format", "llms", "--output", "kb/out", cwd=base.path
    )
    assert inside.exit_code == 2 and "inside the base" in inside.stderr


def test_archived_status_and_unknown_audience_are_usage_errors(
    cli: Any, base: GitRepo, tmp_path: Path
) -> None:
    out = str(tmp_path / "x")
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "llms",
        "--output",
        out,
        "--status",
        "archived",
        cwd=base.path,
    )
    assert result.exit_code == 2 and "never exported" in result.stderr
    result = cli(
        "export", "--audience", "everyone", "--format", "llms", "--output", out, cwd=base.path
    )
    assert result.exit_code == 2 and "unknown audience" in result.stderr


def test_base_templates_are_sandboxed_and_read_as_data(
    cli: Any, base: GitRepo, tmp_path: Path
) -> None:
    templates = base.path / "kb/_export/templates"
    templates.mkdir(parents=True)
    (templates / "home.html").write_text(
        "{% extends 'base.html' %}{% block main %}CUSTOM {{ ''.__class__.__mro__ }}"
        "{{ site_title }}{% endblock %}"
    )
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE")
    (templates / "list.html").symlink_to(secret)
    site = tmp_path / "site"
    result = cli(
        "export", "--audience", "public", "--format", "html", "--output", str(site), cwd=base.path
    )
    # The sandbox refuses the attribute: an error, not code run (exit 2, one line).
    assert result.exit_code == 2 and "unsafe" in result.stderr.lower()
    (templates / "home.html").write_text(
        "{% extends 'base.html' %}{% block main %}CUSTOM <b>{{ site_title }}</b>{% endblock %}"
    )
    export(cli, base, "--audience", "public", "--format", "html", "--output", str(site))
    assert "CUSTOM <b>Relay Help</b>" in (site / "index.html").read_text()
    scan(site, ("TOP-SECRET-FILE",))


def test_audience_order_has_one_home() -> None:
    assert audience_allows("internal", "public") and audience_allows("internal", "internal")
    assert audience_allows("public", "public") and not audience_allows("public", "customer")
    assert audience_allows("customer", "public") and not audience_allows("customer", "partner")
    assert not audience_allows("public", None) and audience_allows("internal", None)
    assert not audience_allows("nobody", "public")


def test_bundled_base_public_help_center(cli: Any, tmp_path: Path) -> None:
    from tests.conftest import PROJECT_ROOT

    site = tmp_path / "site"
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(site),
        cwd=PROJECT_ROOT,
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads((tmp_path / "site.withheld.json").read_text())
    internal = [item for item in report["withheld"] if "internal" in item["reason"]]
    assert internal
    forbidden = tuple(item["id"] for item in internal) + tuple(item["title"] for item in internal)
    scan(
        site, (*forbidden, "Overrides", "L2 in the admin console")
    )  # rate-limit-429's internal part
    assert "Retry-After" in (site / "articles" / "rate-limit-429.html").read_text()
    assert report["internal_parts_removed"] == {"KB-0026": 1}


def test_the_bundled_bases_synonyms_reach_the_opensearch_search_analyzer() -> None:
    """The rules search uses (built-in and kb-content/synonyms.txt) are what the index
    definition's synonym_graph gets, comments dropped."""
    from kbctl.config import load_config
    from kbctl.export.run import read_synonyms

    lines = read_synonyms(load_config(kb=None, cwd=PROJECT_ROOT))
    assert "тикет, обращение, заявка, ticket" in lines
    assert all(not line.startswith("#") and line for line in lines)
    assert "ноут, ноутбук, лэптоп, laptop, notebook" in lines  # the built-in list too


def test_the_help_center_speaks_the_base_language_not_the_user(
    cli: Any, kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No `lang` in kbctl.toml: English, even for a user with a Russian locale; `lang = "ru"`:
    Russian, even for a user who asked for English."""
    from kbctl import i18n

    monkeypatch.setattr(i18n, "_active", i18n._active)  # restored after the test
    russian_user = {"LANG": "ru_RU.UTF-8", "LC_ALL": "", "KBCTL_LANG": ""}
    english = tmp_path / "en"
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(english),
        cwd=kb_copy,
        env=russian_user,
    )
    assert result.exit_code == 0, result.stderr
    page = (english / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and 'placeholder="Search"' in page
    assert "<h2>Products</h2>" in page and "Продукты" not in page
    toml = kb_copy / "kbctl.toml"
    toml.write_text('lang = "ru"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    russian = tmp_path / "ru"
    result = cli(
        "export",
        "--audience",
        "public",
        "--format",
        "html",
        "--output",
        str(russian),
        cwd=kb_copy,
        env={"KBCTL_LANG": "en"},
    )
    assert result.exit_code == 0, result.stderr
    page = (russian / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and 'placeholder="Поиск"' in page
    assert "<h2>Все статьи</h2>" in page and "Products" not in page
