"""``--format llms``: ``llms.txt`` (an index, as documentation sites publish for AI
assistants) and one Markdown file per exported article (``articles/SLUG.md``)."""

from __future__ import annotations

from kbctl.export.body import resolve_placeholders
from kbctl.export.output import OutputDir
from kbctl.export.plan import ExportPlan
from kbctl.i18n import Translator


def _line(text: str) -> str:
    return " ".join(text.split())


def write_llms(plan: ExportPlan, output: OutputDir, lang: str = "en") -> set[str]:
    """Write the changed article files, the files they show and ``llms.txt`` (its texts in
    ``lang``, the base's language); returns every file that belongs to the export now."""
    translator = Translator(lang)
    for article in plan.to_write():

        def link(number: int) -> str:
            return f"{plan.articles[number].slug}.md"

        def media(number: int) -> str:
            return f"../media/{plan.media[number].path}"

        head = [f"# {_line(article.title)}", ""]
        if article.description:
            head += [f"> {_line(article.description)}", ""]
        if article.url:
            head += [translator.gettext("Source: {url}").format(url=article.url), ""]
        body = resolve_placeholders(article.body, link, media).strip()
        output.write(f"articles/{article.slug}.md", "\n".join(head) + body + "\n")
    for item in plan.media:
        output.copy_in(f"media/{item.path}", item.source)
    lines = [
        f"# {_line(plan.site_title)}",
        "",
        "> "
        + translator.gettext("Knowledge base articles for {audience} readers.").format(
            audience=plan.audience
        ),
        "",
    ]
    groups: dict[str, list[str]] = {}
    for article in sorted(plan.articles, key=lambda item: item.title.casefold()):
        entry = f"- [{_line(article.title)}](articles/{article.slug}.md)"
        if article.description:
            entry += f": {_line(article.description)}"
        groups.setdefault(article.product or "general", []).append(entry)
    for product in sorted(groups, key=str.casefold):
        lines += [f"## {product}", "", *groups[product], ""]
    output.write("llms.txt", "\n".join(lines))
    return output.written | {f"articles/{article.slug}.md" for article in plan.articles}
