"""Terminal output with Rich: tables and the article view."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console

    from kbctl.model import Article


def print_table(
    console: Console,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print rows as a table; ``None`` cells show as a dim dash."""
    rows = list(rows)
    if not rows:
        console.print(f"[dim]{empty}[/dim]")
        return
    table = Table(title=title, title_justify="left", header_style="bold", expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("[dim]-[/dim]" if cell is None else _escape(str(cell)) for cell in row))
    console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def article_view(console: Console, article: Article) -> None:
    """An article as a metadata panel over its body rendered as Markdown."""
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    fields = [
        ("id", article.id),
        ("path", f"{article.path}:{article.body_line}"),
        ("owners", ", ".join(article.owners) or None),
        ("status", article.status),
        ("audience", article.audience),
        ("tags", ", ".join(article.tags) or None),
        ("product", article.product),
        ("last reviewed", article.last_reviewed),
        ("aliases", ", ".join(article.aliases) or None),
    ]
    for name, value in fields:
        meta.add_row(name, "[dim]-[/dim]" if value is None else _escape(str(value)))
    for flag in article.flags:
        meta.add_row(
            "[red]flag[/red]", _escape(f"{flag.date or '?'} {flag.by or '?'}: {flag.reason}")
        )
    console.print(Panel(meta, title=_escape(article.title), title_align="left"))
    console.print(Markdown(article.body))
