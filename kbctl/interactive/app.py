"""The full-screen interactive search (Textual): query line, results, preview, keys.

Every keystroke in the query line starts a search on a worker thread; searches run one at a
time, and one that a newer keystroke made stale is skipped before it starts, so typing never
waits for the index and the results always end up matching the last keystroke.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input

from kbctl.errors import KbError
from kbctl.i18n import N_, _, ngettext
from kbctl.interactive import usage
from kbctl.interactive.panel import (
    QueryLine,
    TrustRow,
    passage_window,
    read_query_line,
    result_row,
    section_text,
    trust_rows,
)
from kbctl.interactive.session import SearchSession
from kbctl.model import Hit
from kbctl.search.query import SearchResult
from kbctl.textsafe import one_line

TONES = {"ok": "green", "warn": "yellow", "bad": "bold red", "dim": "dim"}
STATUS_TONES = {"✓": "green", "?": "yellow", "…": "yellow", "×": "red"}
# Shown later, in the active language: ``_(KEYS_LINE)``, ``_(HELP_LINE)``.
KEYS_LINE = N_(
    "Enter open in editor · ↑↓ move · ^Y copy path · ^R copy Resolution · ^T archived on/off"
    " · Esc quit"
)
HELP_LINE = N_(
    "type to search (Russian or English); filters: tag: owner: status: audience: product: "
    "where:key=value"
)


class Pane(Widget):
    """A fixed-size pane showing one Rich text, cut to its size. Changing the text repaints
    the pane only: no layout pass of the screen, which is what keeps a keystroke cheap."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text(text)

    def show(self, text: Text) -> None:
        """Show ``text`` (already safe to show) instead."""
        self.text = text
        self.refresh()

    def render(self) -> Text:
        """The text, as the widget's content."""
        return self.text


class ResultList(Widget):
    """The results, one line each, the cursor's line reversed; scrolls to keep the cursor in
    view. A plain repaint per change, like :class:`Pane`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Text] = []
        self.cursor = 0
        self.top = 0

    def show(self, rows: list[Text]) -> None:
        """New results, the cursor on the first."""
        self.rows, self.cursor, self.top = rows, 0, 0
        self.refresh()

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (kept inside the list)."""
        self.cursor = min(max(index, 0), max(len(self.rows) - 1, 0))
        height = max(self.size.height, 1)
        self.top = min(self.top, self.cursor)
        self.top = max(self.top, self.cursor - height + 1)
        self.refresh()

    def render(self) -> Text:
        """The rows in view."""
        height = max(self.size.height, 1)
        shown = Text(no_wrap=True, overflow="ellipsis")
        for number, row in enumerate(self.rows[self.top : self.top + height], start=self.top):
            if number > self.top:
                shown.append("\n")
            line = row.copy()
            if number == self.cursor:
                line.stylize("reverse")
            shown.append_text(line)
        return shown


class SearchApp(App[None]):
    """``kbctl search -i``: search as you type over a session's open index."""

    TITLE = "kbctl search"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #query { dock: top; }
    #body { height: 1fr; }
    #results { width: 45%; height: 1fr; }
    #preview { width: 55%; height: 1fr; border-left: solid $primary; padding: 0 1; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #keys { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("enter", "open", _("open in editor"), priority=True),
        Binding("up", "move(-1)", _("up"), show=False, priority=True),
        Binding("down", "move(1)", _("down"), show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
        Binding("ctrl+y", "copy_path", _("copy path"), priority=True),
        Binding("ctrl+r", "copy_resolution", _("copy Resolution"), priority=True),
        Binding("ctrl+t", "toggle_archived", _("archived on/off"), priority=True),
        Binding("escape", "quit", _("quit"), priority=True),
        Binding("ctrl+c", "quit", _("quit"), show=False, priority=True),
    ]

    def __init__(self, session: SearchSession, query: str = "", *, include_archived: bool = False):
        super().__init__()
        self.session = session
        self.initial_query = query
        self.include_archived = include_archived
        self.hits: list[Hit] = []
        self.line = QueryLine("")
        self.copied: list[str] = []
        """What the copy keys copied, in order (the CLI prints it on exit)."""
        self.searches_shown = 0
        """How many search results reached the screen (benchmarks and tests wait on it)."""
        self.today = date.today()
        self._generation = 0
        self._one_at_a_time = threading.Lock()
        self._recorded: set[str] = set()

    def compose(self) -> ComposeResult:
        """The query line, the results beside the preview, the status line and the keys."""
        yield Input(
            value=self.initial_query, placeholder=_(HELP_LINE), id="query", select_on_focus=False
        )
        with Horizontal(id="body"):
            yield ResultList(id="results")
            yield Pane(id="preview")
        yield Pane(_(HELP_LINE), id="status")
        # One line of text, not Textual's Footer: a widget per key costs start-up time.
        yield Pane(_(KEYS_LINE), id="keys")

    def on_mount(self) -> None:
        """Focus the query line and search for the query given on the command line."""
        self.query_one("#query", Input).focus()
        if self.session.notices:
            self._status(" · ".join(one_line(notice) for notice in self.session.notices))
        if self.initial_query.strip():
            self._start_search(self.initial_query)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Every keystroke: search again."""
        self._start_search(event.value)

    # ------------------------------------------------------------------ searching

    def _start_search(self, text: str) -> None:
        self._generation += 1
        generation = self._generation
        archived = self.include_archived
        self.run_worker(
            lambda: self._search_worker(generation, text, archived),
            thread=True,
            group="search",
            exit_on_error=False,
        )

    def _search_worker(self, generation: int, text: str, archived: bool) -> None:
        with self._one_at_a_time:
            if generation != self._generation:
                return  # a newer keystroke came while this one waited: skip it
            line = read_query_line(text)
            started = time.perf_counter()
            result: SearchResult | None = None
            error: str | None = None
            if line.words.strip():
                try:
                    result = self.session.search(line, include_archived=archived)
                except KbError as problem:
                    error = one_line(problem.message)
                except Exception as problem:  # shown, not lost in a worker; the app goes on
                    error = one_line(
                        _("search failed: {kind}: {error}").format(
                            kind=type(problem).__name__, error=problem
                        )
                    )
            took = (time.perf_counter() - started) * 1000
            with contextlib.suppress(RuntimeError):  # the app quit meanwhile
                self.call_from_thread(self._show, generation, line, result, error, took)

    def _show(
        self,
        generation: int,
        line: QueryLine,
        result: SearchResult | None,
        error: str | None,
        took: float,
    ) -> None:
        if generation != self._generation:
            return  # stale: the next search is on its way
        self.line = line
        self.hits = result.hits if result is not None else []
        results = self.query_one("#results", ResultList)
        width = max(results.size.width - 1, 20)
        results.show([self._row(hit, width) for hit in self.hits])
        self._preview(self.hits[0] if self.hits else None)
        self._status(self._summary(line, result, error, took))
        self.searches_shown += 1

    def _row(self, hit: Hit, width: int) -> Text:
        """One line of the results list, cut to ``width`` cells."""
        mark, title, key, age = result_row(hit, self.today, width)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(mark, style=STATUS_TONES.get(mark, ""))
        text.append(f" {age:>6} ", style="cyan")
        text.append(f"{key}  ", style="dim")
        text.append(title, style="bold")
        text.truncate(width, overflow="ellipsis")
        return text

    def _summary(
        self, line: QueryLine, result: SearchResult | None, error: str | None, took: float
    ) -> str:
        parts: list[str] = []
        if result is None and error is None:
            parts.append(_(HELP_LINE))
        elif error is not None:
            parts.append(error)
        elif result is not None:
            shown, total = len(result.hits), result.total
            if result.hits and total > shown:
                parts.append(
                    ngettext("{shown} of {count} hit", "{shown} of {count} hits", total).format(
                        shown=shown, count=total
                    )
                )
            elif result.hits:
                parts.append(ngettext("{count} hit", "{count} hits", shown).format(count=shown))
            else:
                parts.append(_("no articles match"))
                if result.suggestion:
                    parts.append(
                        _("did you mean: {query}").format(query=one_line(result.suggestion))
                    )
            parts.extend(one_line(notice) for notice in result.notices)
            parts.append(_("{took} ms").format(took=f"{took:.0f}"))
        if line.filter_text:
            parts.append(_("filters: {filters}").format(filters=line.filter_text))
        parts.extend(line.problems)
        if self.include_archived:
            parts.append(_("archived shown"))
        return " · ".join(parts)

    def _status(self, message: str) -> None:
        self.query_one("#status", Pane).show(Text(message, no_wrap=True, overflow="ellipsis"))

    # ------------------------------------------------------------------ preview

    def _preview(self, hit: Hit | None) -> None:
        """The trust panel and the best passage of ``hit`` (nothing for None)."""
        pane = self.query_one("#preview", Pane)
        if hit is None:
            pane.show(Text())
            return
        article, lines = self.session.article(hit)
        flags = article.flags if article is not None else ()
        review, tone = self.session.review(article, hit, self.today) if article else (None, "")
        text = Text()
        text.append(one_line(hit.title), style="bold")
        text.append(f"\n{one_line(hit.id)} · {one_line(hit.path)}:{hit.line}", style="dim")
        rows = trust_rows(hit, self.today, flags=flags, review=review, review_tone=tone)
        text.append_text(_trust_text(rows))
        text.append("\n")
        if hit.snippet:
            text.append("\n")
            text.append_text(_highlighted(hit.snippet, hit.highlights))
            text.append("\n")
        for item in passage_window(lines, hit.line):
            text.append("\n")
            text.append(f"{item.number:>4} ", style="dim")
            text.append(
                ("▶ " if item.best else "  ") + item.text,
                style="bold reverse" if item.best else "",
            )
        pane.show(text)

    # ------------------------------------------------------------------ keys

    def _current(self) -> Hit | None:
        index = self.query_one("#results", ResultList).cursor
        if not 0 <= index < len(self.hits):
            return None
        return self.hits[index]

    def action_move(self, step: int) -> None:
        """Move the cursor in the results list; the preview follows."""
        if not self.hits:
            return
        results = self.query_one("#results", ResultList)
        before = results.cursor
        results.move_to(before + step)
        if results.cursor != before:
            self._preview(self.hits[results.cursor])

    def action_open(self) -> None:
        """Open the hit under the cursor in $VISUAL/$EDITOR at its best passage's line."""
        from textual.app import SuspendNotSupported

        hit = self._current()
        if hit is None:
            self.bell()
            return
        self._record_search()
        usage.record_open(self.session.config, self._query_text(), hit)
        problem: KbError | None = None
        try:
            with self.suspend():
                problem = _run_editor(self.session.config.root / hit.path, hit.line)
        except SuspendNotSupported:  # no terminal to hand over (the test harness)
            problem = _run_editor(self.session.config.root / hit.path, hit.line)
        if problem is not None:
            hint = f" ({problem.hint})" if problem.hint else ""
            self.notify(one_line(problem.message + hint), severity="error", timeout=8)
        # The article may have changed: refresh the index and show the fresh results.
        try:
            self.session.reopen()
        except KbError as error:
            self.notify(
                one_line(_("the index was not refreshed: {error}").format(error=error.message)),
                severity="error",
            )
        self._start_search(self._query_text())

    def action_copy_path(self) -> None:
        """Copy the hit's path (as kbctl shows paths) to the terminal's clipboard."""
        from kbctl.render.paths import PathView

        hit = self._current()
        if hit is None:
            self.bell()
            return
        self._copy(
            _("copied the path (and printed on exit)"), PathView(self.session.config.root)(hit.path)
        )

    def action_copy_resolution(self) -> None:
        """Copy the Resolution (Решение, Solution) section of the hit's article."""
        hit = self._current()
        article = self.session.article(hit)[0] if hit is not None else None
        section = section_text(article.body) if article is not None else None
        if section is None:
            self.notify(_("this article has no Resolution section"), severity="warning")
            return
        self._copy(_("copied the Resolution (and printed on exit)"), section)

    def _copy(self, message: str, text: str) -> None:
        self._record_search()
        self.copy_to_clipboard(text)
        self.copied.append(text)
        self.notify(message)

    def action_toggle_archived(self) -> None:
        """Show or hide archived articles."""
        self.include_archived = not self.include_archived
        self._start_search(self._query_text())

    async def action_quit(self) -> None:
        """Leave (the query on screen counts as a search made)."""
        self._record_search()
        self.exit()

    def _query_text(self) -> str:
        return self.query_one("#query", Input).value

    def _record_search(self) -> None:
        text = self._query_text().strip()
        if text and text not in self._recorded and self.line.words:
            self._recorded.add(text)
            usage.record_search(
                self.session.config, text, len(self.hits), [hit.id for hit in self.hits]
            )


def _run_editor(path: Path, line: int) -> KbError | None:
    """Run the editor (``kbctl edit``'s launcher); its error, if any, to show in the UI."""
    from kbctl.cli.edit_cmd import open_in_editor

    try:
        open_in_editor(path, line)
    except KbError as error:
        return error
    return None


def _trust_text(rows: list[TrustRow]) -> Text:
    text = Text()
    for row in rows:
        text.append(f"\n{row.label:<11}", style="dim")
        text.append(row.value, style=TONES.get(row.tone, ""))
    return text


def _highlighted(snippet: str, highlights: tuple[tuple[int, int], ...]) -> Text:
    """The snippet (safe on one line) with its matched words in bold yellow."""
    text = Text()
    position = 0
    for start, end in sorted(highlights):
        if start < position or end > len(snippet):
            continue
        text.append(one_line(snippet[position:start]))
        text.append(one_line(snippet[start:end]), style="bold yellow")
        position = end
    text.append(one_line(snippet[position:]))
    return text
