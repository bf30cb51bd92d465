"""``kbctl mcp`` driven by the MCP SDK's own client over a real stdio subprocess.

Two servers run for the whole module, on one git copy of the bundled base: an internal one
with ``--allow-write`` and a read-only one under ``--audience customer``. Each is a real
``python -m kbctl mcp`` process with this checkout on PYTHONPATH, talked to through
``mcp.ClientSession`` over ``mcp.stdio_client``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import difflib
import os
import re
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from tests.conftest import PROJECT_ROOT, GitRepo, article_text

TODAY = "2026-11-22"
READ_TOOLS = {
    "search",
    "get_article",
    "list_articles",
    "stale",
    "review_queue",
    "related",
    "check_article",
}
INTERNAL = {"KB-0018", "KB-0008", "KB-0004", "KB-0057", "KB-0056", "KB-0058", "KB-0055"}
INTERNAL |= {"KB-0050", "KB-0054", "KB-0024", "KB-0037"}
PARTNER = {"KB-0059", "KB-0036"}


class Server:
    """One ``kbctl mcp`` process and an initialised client session to it, kept open on an
    event loop of its own thread so that synchronous tests can call it."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.ready: concurrent.futures.Future[ClientSession] = concurrent.futures.Future()
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "kbctl", *args], cwd=cwd, env=env
        )
        self.stderr = (cwd.parent / f"stderr-{len(args)}-{id(self)}.log").open("w")
        self.main = asyncio.run_coroutine_threadsafe(self._main(params), self.loop)
        self.session = self.ready.result(timeout=120)

    async def _main(self, params: StdioServerParameters) -> None:
        self.stop = asyncio.Event()
        try:
            async with (
                stdio_client(params, errlog=self.stderr) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                self.ready.set_result(session)
                await self.stop.wait()
        except BaseException as error:
            if not self.ready.done():
                self.ready.set_exception(error)
            raise

    def __call__(self, work: Callable[[ClientSession], Awaitable[Any]]) -> Any:
        return asyncio.run_coroutine_threadsafe(work(self.session), self.loop).result(timeout=120)

    def tool(self, name: str, **arguments: Any) -> Any:
        """Call a tool; its result (structured content checked against the text)."""
        return self(lambda session: session.call_tool(name, arguments))

    def data(self, name: str, **arguments: Any) -> dict[str, Any]:
        """A tool's structured result; fails when the call failed."""
        result = self.tool(name, **arguments)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        return result.structured_content

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.main.result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.stderr.close()


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git copy of the bundled base, with one article written for the flag test."""
    import shutil

    root = tmp_path_factory.mktemp("mcp") / "kb"
    shutil.copytree(PROJECT_ROOT / "kb-content", root / "kb-content")
    shutil.copy(PROJECT_ROOT / "kbctl.toml", root / "kbctl.toml")
    repo = GitRepo(root)
    repo.write("kb-content/faq/crlf-quoted.md", FLAG_TARGET)
    repo.commit("the sample base")
    return root


FLAG_TARGET = (
    b"---\r\n"
    b"id: KB-0900  # keep this comment\r\n"
    b'title: "Quoted title: with a colon"\r\n'
    b"owner: '@anna.petrova'\r\n"
    b"status: validated\r\n"
    b"audience: customer\r\n"
    b"last_reviewed: 2026-10-01\r\n"
    b"tags: [faq,   spacing kept]\r\n"
    b"---\r\n"
    b"# Quoted title\r\n\r\nBody with  two spaces and a trailing space \r\n---\r\nnot front matter\r\n"
)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("mcp-home")
    keep = {key: value for key, value in os.environ.items() if not key.startswith("KBCTL_")}
    return {
        **keep,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".state"),
        "KBCTL_CACHE_DIR": str(home / "kbctl-cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "TZ": "UTC",
        "NO_COLOR": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
    }


@pytest.fixture(scope="module")
def internal(kb: Path, environment: dict[str, str]) -> Iterator[Server]:
    """The team's server: every audience, with the write tools."""
    server = Server(
        ["mcp", "--allow-write", "--by", "@mcp.tester", "--today", TODAY], kb, environment
    )
    yield server
    server.close()


@pytest.fixture(scope="module")
def customer(kb: Path, environment: dict[str, str], internal: Server) -> Iterator[Server]:
    """A customer-facing server (started after the internal one: the index is built once)."""
    server = Server(["mcp", "--audience", "customer", "--today", TODAY], kb, environment)
    yield server
    server.close()


def ids(records: list[dict[str, Any]]) -> set[str]:
    return {record["id"] for record in records}


# ------------------------------------------------------------------------ tools and schemas


def test_tools_and_their_schemas(internal: Server, customer: Server) -> None:
    listed = internal(lambda session: session.list_tools()).tools
    by_name = {tool.name: tool for tool in listed}
    assert set(by_name) == READ_TOOLS | {"flag_article", "create_draft"}
    search = by_name["search"]
    assert search.input_schema["required"] == ["query"]
    assert search.input_schema["properties"]["query"]["type"] == "string"
    assert {"filters", "limit"} <= set(search.input_schema["properties"])
    hit = search.output_schema["$defs"]["SearchHit"]["properties"]
    for field in ("id", "title", "citation", "snippet", "owners", "status", "audience"):
        assert field in hit
    for field in ("last_reviewed", "last_changed", "review_state", "flags", "trust", "warnings"):
        assert field in hit
    assert search.annotations.read_only_hint is True
    assert by_name["flag_article"].annotations.read_only_hint is False
    assert by_name["create_draft"].input_schema["required"] == ["title"]
    assert by_name["get_article"].input_schema["required"] == ["id_or_path"]
    for tool in listed:
        assert tool.description and tool.output_schema, tool.name


def test_write_tools_are_absent_without_allow_write(customer: Server) -> None:
    names = {tool.name for tool in customer(lambda session: session.list_tools()).tools}
    assert names == READ_TOOLS
    result = customer.tool("flag_article", id_or_path="KB-0012", reason="wrong")
    assert result.is_error
    assert customer.tool("create_draft", title="Anything").is_error


# ------------------------------------------------------------------------ search


def test_a_russian_search_gives_cited_trust_annotated_hits(internal: Server, kb: Path) -> None:
    found = internal.data("search", query="клиент не получает письма", limit=5)
    first = found["hits"][0]
    assert first["title"] == "Клиент не получает письма с уведомлениями"
    assert re.fullmatch(r"kb-content/email/klient-ne-poluchaet-pisma\.md:\d+", first["citation"])
    line = int(first["citation"].rsplit(":", 1)[1])
    text = (kb / "kb-content" / first["base_path"]).read_text(encoding="utf-8")
    assert text.splitlines()[line - 1].strip()  # the citation points at a line of text
    assert first["status"] == "validated" and first["owners"]
    assert first["trust_level"] in {"high", "medium", "low"}
    assert first["trust"].startswith(first["trust_level"] + " trust")
    assert first["review_state"] in {"ok", "due_soon", "overdue", "never"}
    assert first["uri"] == "kb://" + first["id"]
    assert found["total"] >= len(found["hits"])


def test_an_english_search_and_a_flagged_article_warns(internal: Server) -> None:
    found = internal.data("search", query="SAML SSO login fails", limit=10)
    assert found["hits"]
    assert all(hit["citation"].startswith("kb-content/") for hit in found["hits"])
    flagged = internal.data("get_article", id_or_path="KB-0015")["article"]
    assert flagged["flags"] and "flagged" in flagged["warnings"]
    assert flagged["trust_level"] == "low"


def test_archived_articles_only_when_asked(internal: Server) -> None:
    everything = internal.data("list_articles", filters={"include_archived": True}, limit=100)
    archived = {a["id"] for a in everything["articles"] if a["status"] == "archived"}
    assert archived
    live = internal.data("list_articles", limit=100)
    assert not archived & ids(live["articles"])


# ------------------------------------------------------------------------ the audience ceiling


def test_the_ceiling_holds_in_search(internal: Server, customer: Server) -> None:
    query = "refund approval policy agents"
    assert "KB-0004" in ids(internal.data("search", query=query)["hits"])
    hits = customer.data("search", query=query, limit=100)["hits"]
    assert not ids(hits) & (INTERNAL | PARTNER)
    assert {hit["audience"] for hit in hits} <= {"customer", "public"}
    asked = customer.data("search", query=query, filters={"audiences": ["internal"]})
    assert asked["hits"] == [] and asked["total"] == 0


def test_the_ceiling_holds_in_get_article_and_its_suggestions(
    internal: Server, customer: Server
) -> None:
    assert internal.data("get_article", id_or_path="KB-0004")["article"]["id"] == "KB-0004"
    for key in ("KB-0004", "kb-content/billing/refund-approval-policy.md", "KB-004"):
        result = customer.tool("get_article", id_or_path=key)
        assert result.is_error
        assert "KB-0004" not in result.content[0].text.replace(key, "")
    hidden = internal.tool("get_article", id_or_path="KB-004")
    assert "KB-0004" in hidden.content[0].text  # the internal server does suggest it


def test_the_ceiling_holds_in_lists_and_counts(customer: Server) -> None:
    listed = customer.data("list_articles", limit=100)
    assert not ids(listed["articles"]) & (INTERNAL | PARTNER)
    assert listed["total"] == len(listed["articles"])
    everything = customer.data("list_articles", filters={"include_archived": True}, limit=100)
    assert {a["audience"] for a in everything["articles"]} <= {"customer", "public"}
    for tool in ("stale", "review_queue"):
        found = customer.data(tool, limit=100)
        assert not ids(found["articles"]) & (INTERNAL | PARTNER), tool


def test_the_ceiling_holds_in_related(internal: Server, customer: Server) -> None:
    seen = internal.data("related", id_or_path="KB-0012")
    assert "KB-0018" in ids(seen["linked_from"])  # the internal article links to it
    shown = customer.data("related", id_or_path="KB-0012")
    everything = shown["links_to"] + shown["linked_from"] + shown["similar"]
    assert everything  # related still works under the ceiling
    assert not ids(everything) & (INTERNAL | PARTNER)
    assert customer.tool("related", id_or_path="KB-0018").is_error


def test_the_ceiling_holds_in_resources(internal: Server, customer: Server) -> None:
    listed = customer(lambda session: session.list_resources()).resources
    uris = {str(resource.uri) for resource in listed}
    assert "kb://KB-0012" in uris
    assert not {f"kb://{key}" for key in INTERNAL | PARTNER} & uris
    text = customer(lambda session: session.read_resource("kb://KB-0012")).contents[0].text
    assert "cite as: kb-content/" in text and "trust:" in text
    with pytest.raises(Exception, match="no article"):
        customer(lambda session: session.read_resource("kb://KB-0004"))
    inside = internal(lambda session: session.read_resource("kb://KB-0004")).contents[0].text
    assert "Refund approval policy" in inside


# ------------------------------------------------------------------------ the other tools


def test_get_article_returns_a_section_by_heading(internal: Server, kb: Path) -> None:
    answer = internal.data("get_article", id_or_path="KB-0012", section="Resolution")
    assert answer["section"] == "Решение"
    assert answer["markdown"].startswith("## Решение")
    path, line = answer["citation"].rsplit(":", 1)
    lines = (kb / path).read_text(encoding="utf-8").splitlines()
    assert lines[int(line) - 1].startswith("## Решение")
    missing = internal.tool("get_article", id_or_path="KB-0012", section="Nonexistent")
    assert missing.is_error and "Решение" in missing.content[0].text


def test_check_article_reports_the_rules_findings(internal: Server) -> None:
    found = internal.data("check_article", id_or_path="email/bounces-hard-soft.md")
    rules = {finding["rule"] for finding in found["findings"]}
    assert "KB402" in rules
    assert found["counts"]["error"] >= 1
    broken = next(f for f in found["findings"] if f["rule"] == "KB402")
    assert broken["citation"] == "kb-content/email/bounces-hard-soft.md:34"


def test_the_prompt_says_how_to_cite_and_when_to_warn(customer: Server) -> None:
    prompts = customer(lambda session: session.list_prompts()).prompts
    assert [prompt.name for prompt in prompts] == ["cite_and_warn"]
    got = customer(lambda session: session.get_prompt("cite_and_warn"))
    text = got.messages[0].content.text
    for needle in ("path:line", "wip", "review_overdue", "flagged", "archived", "customer"):
        assert needle in text


def test_answers_are_never_stale(internal: Server, kb: Path) -> None:
    query = "zyxwvutsr quokka"
    assert internal.data("search", query=query)["hits"] == []
    path = kb / "kb-content/faq/quokka.md"
    path.write_text(
        article_text(
            "# Quokka\n\nThe zyxwvutsr quokka setting.\n",
            id="KB-0901",
            title="Quokka",
            audience="public",
            status="validated",
        ),
        encoding="utf-8",
    )
    try:
        assert ids(internal.data("search", query=query)["hits"]) == {"KB-0901"}
        assert "KB-0901" in ids(internal.data("list_articles", limit=100)["articles"])
    finally:
        path.unlink()
    assert internal.data("search", query=query)["hits"] == []


# ------------------------------------------------------------------------ writes


def test_flag_article_is_byte_preserving(internal: Server, kb: Path) -> None:
    path = kb / "kb-content/faq/crlf-quoted.md"
    before = path.read_bytes()
    assert before == FLAG_TARGET
    answer = internal.data("flag_article", id_or_path="KB-0900", reason="step 2 is outdated")
    assert answer["flagged_by"] == "@mcp.tester"
    assert answer["article"]["flags"][-1]["reason"] == "step 2 is outdated"
    assert "flagged" in answer["article"]["warnings"]
    after = path.read_bytes()
    old, new = before.split(b"\r\n"), after.split(b"\r\n")
    changes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    assert [tag for tag, *_ in changes if tag != "equal"] == ["insert"]
    inserted = next(new[j1:j2] for tag, _i1, _i2, j1, j2 in changes if tag == "insert")
    assert any(b"step 2 is outdated" in line for line in inserted)
    assert b"\n" not in b"".join(after.split(b"\r\n"))  # every new line is CRLF too
    queue = internal.data("review_queue", limit=100)["articles"]
    assert queue[0]["id"] == "KB-0900" or "flagged" in queue[0]["reasons"]
    assert "KB-0900" in ids(queue)


def test_create_draft_writes_a_wip_article_through_kbctl_new(internal: Server, kb: Path) -> None:
    answer = internal.data(
        "create_draft",
        title="Invoice PDF is blank",
        body="## Issue\n\nThe invoice PDF opens blank in Safari.\n",
    )
    made = answer["article"]
    assert made["status"] == "wip" and "wip" in made["warnings"]
    assert made["title"] == "Invoice PDF is blank"
    path = kb / made["path"]
    try:
        assert path.is_file() and path.resolve().is_relative_to((kb / "kb-content").resolve())
        assert "The invoice PDF opens blank in Safari." in path.read_text(encoding="utf-8")
        found = internal.data("search", query="invoice PDF blank Safari")
        assert made["id"] in ids(found["hits"])
    finally:
        path.unlink(missing_ok=True)


def test_check_messages_mask_articles_above_the_ceiling(internal: Server, customer: Server) -> None:
    def kb401(server: Server) -> str:
        found = server.data("check_article", id_or_path="KB-0003")["findings"]
        return next(f["message"] for f in found if f["rule"] == "KB401")

    assert "billing/refund-approval-policy.md (KB-0004)" in kb401(internal)
    masked = kb401(customer)
    assert "refund-approval-policy" not in masked and "KB-0004" not in masked
    assert "(an article above this audience)" in masked
