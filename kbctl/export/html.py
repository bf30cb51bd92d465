"""``--format html``: a static help center that works offline.

One page per exported article (``articles/SLUG.html``), index pages by product and by tag,
breadcrumbs, and a search box backed by a prebuilt index (``assets/search-index.js``; see
:mod:`kbctl.export.client_index`). Markdown is rendered with markdown-it-py and sanitised with
nh3: no scripts, no styles, no frames, and no image that is not a file of the export, so a
page makes no request to the network. Templates are Jinja2 (autoescaped) in a sandbox; a base
may override them in ``[export] templates`` (default ``_export/templates/``), read as data:
regular files inside the base only, never through a link, at most 256 KB each.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbctl.errors import KbError
from kbctl.export.body import resolve_placeholders
from kbctl.export.client_index import client_index
from kbctl.export.output import OutputDir
from kbctl.export.plan import ExportedArticle, ExportPlan
from kbctl.export.text import markdown_parser, slugify
from kbctl.i18n import N_, Translator, _

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"
MAX_TEMPLATE_BYTES = 256 * 1024
TEMPLATE_NAMES = ("base.html", "article.html", "list.html", "home.html")

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "samp", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}


def _allowed_url(element: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: images only from the export's own media folder; links anywhere
    but never to a script (nh3 already drops unknown schemes)."""
    if element == "img" and attribute == "src":
        return value if value.startswith("../media/") and ".." not in value[3:] else None
    return value


def sanitise(rendered: str) -> str:
    """HTML from Markdown, cleaned by nh3 (tags, attributes and URL schemes allow-listed)."""
    import nh3

    return str(
        nh3.clean(
            rendered,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            attribute_filter=_allowed_url,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    )


def render_markdown(body: str) -> str:
    """A body as sanitised HTML, headings with their anchors (as the link rules compute them)."""
    from kbctl.rules.markdown import github_slug

    parser = markdown_parser()
    tokens = parser.parse(body)
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            anchor = github_slug(tokens[index + 1].content)
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            token.attrSet("id", anchor if count == 0 else f"{anchor}-{count}")
    return sanitise(parser.renderer.render(tokens, parser.options, {}))


def _read_template(path: Path) -> str | None:
    """A base template's text: a regular file (not a link) of bounded size, else None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEMPLATE_BYTES:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _environment(override: Path | None, translator: Translator | None = None) -> Any:
    """A sandboxed, autoescaping Jinja2 environment over the base's templates, then ours;
    ``_()``, ``ngettext()`` and ``{% trans %}`` in them speak ``translator``'s language."""
    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.sandbox import SandboxedEnvironment

    class Loader(BaseLoader):
        def get_source(
            self, environment: Any, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            if template not in TEMPLATE_NAMES:
                raise TemplateNotFound(template)
            if override is not None:
                text = _read_template(override / template)
                if text is not None:
                    return text, f"{override}/{template}", lambda: True
            return (
                (PACKAGE_TEMPLATES / template).read_text(encoding="utf-8"),
                template,
                lambda: True,
            )

    environment = SandboxedEnvironment(
        loader=Loader(), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    # Added by the i18n extension (the type stubs do not know it).
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        translator or Translator("en"), newstyle=False
    )
    return environment


def templates_folder(root: Path, relative: str) -> Path | None:
    """The base's template folder when it is a real folder inside the base (no link on the way)."""
    folder = root
    for part in Path(relative).parts:
        if part in ("..", "/"):
            return None
        folder = folder / part
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return None
        except OSError:
            return None
    return folder


@dataclass(frozen=True, slots=True)
class Group:
    """A product or tag index page: its name, file and articles."""

    name: str
    slug: str
    articles: tuple[ExportedArticle, ...]


def _groups(
    articles: Iterable[ExportedArticle], key: Callable[[ExportedArticle], Iterable[str]]
) -> list[Group]:
    found: dict[str, list[ExportedArticle]] = {}
    for article in articles:
        for name in key(article):
            found.setdefault(name, []).append(article)
    groups: list[Group] = []
    taken: set[str] = set()
    for name in sorted(found, key=str.casefold):
        slug = slugify(name) or "group"
        unique, counter = slug, 2
        while unique in taken:
            unique, counter = f"{slug}-{counter}", counter + 1
        taken.add(unique)
        groups.append(
            Group(name, unique, tuple(sorted(found[name], key=lambda a: a.title.casefold())))
        )
    return groups


def article_page(article: ExportedArticle) -> str:
    """The file of an article's page, relative to the site root."""
    return f"articles/{article.slug}.html"


# A base's templates are data, but Jinja2's sandbox bounds neither time nor memory (nested
# ``range`` loops, ``'x' * 10**10``, ``center(10**9)``): the help center is rendered in a
# child process with a CPU-time and an address-space limit, and an overrun is a one-line error.
RENDER_CPU_SECONDS = 60
RENDER_CPU_SECONDS_PER_ARTICLE = 0.02
RENDER_EXTRA_MEMORY = 2 * 1024**3
TOO_MUCH = N_("fix or remove the base's templates (they may not loop or grow without bound)")


def write_html(
    plan: ExportPlan, output: OutputDir, base_root: Path, templates: str, lang: str = "en"
) -> set[str]:
    """Write the help center in ``lang`` (the base's language, not the user's) (only the changed article pages in an incremental export);
    returns every file that belongs to it now (the caller removes the others it wrote before).

    Rendering runs in a child process with bounded CPU time and memory (where the system can
    fork); the child's written files are added to ``output.written``.
    """
    if not hasattr(os, "fork"):
        return _write_html(plan, output, base_root, templates, lang)
    seconds = RENDER_CPU_SECONDS + RENDER_CPU_SECONDS_PER_ARTICLE * len(plan.articles)
    return _isolated(lambda: _write_html(plan, output, base_root, templates, lang), output, seconds)


def _limit(cpu_seconds: float) -> None:
    """Limit this (child) process's CPU time and address space."""
    import resource

    whole = max(1, int(cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (whole, whole + 5))
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            in_use = int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = in_use + RENDER_EXTRA_MEMORY
    if hard == resource.RLIM_INFINITY or wanted < hard:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _isolated(work: Callable[[], set[str]], output: OutputDir, cpu_seconds: float) -> set[str]:
    """``work()`` in a forked child under :func:`_limit`; its result, or its error raised here."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        outcome: list[Any]
        try:
            os.close(reading)
            _limit(cpu_seconds)
            try:
                outcome = ["ok", sorted(work())]
            except KbError as error:
                outcome = ["error", error.message, error.hint]
            except (MemoryError, RecursionError) as error:
                outcome = [
                    "error",
                    _("export templates: {error}").format(error=type(error).__name__),
                    _(TOO_MUCH),
                ]
            except Exception as error:  # a bug: say what, as the CLI does for the parent
                if os.environ.get("KBCTL_DEBUG"):
                    import traceback

                    traceback.print_exc()
                outcome = [
                    "error",
                    _("internal error rendering the help center: {kind}: {error}").format(
                        kind=type(error).__name__, error=error
                    ),
                    _("run again with KBCTL_DEBUG=1 for the traceback, and report it"),
                ]
            outcome.append(sorted(output.written))
            with os.fdopen(writing, "w", encoding="utf-8") as stream:
                json.dump(outcome, stream)
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, encoding="utf-8") as stream:
        raw = stream.read()
    _pid, status = os.waitpid(pid, 0)
    try:
        outcome = json.loads(raw)
    except ValueError:
        outcome = []
    if not outcome:
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)
        message = (
            _("export: rendering the help center took too long")
            if killed
            else _("export: rendering the help center stopped unexpectedly")
        )
        raise KbError(message, hint=_(TOO_MUCH))
    output.written.update(outcome[-1])
    if outcome[0] == "error":
        raise KbError(outcome[1], hint=outcome[2])
    return set(outcome[1])


def _write_html(
    plan: ExportPlan, output: OutputDir, base_root: Path, templates: str, lang: str
) -> set[str]:
    translator = Translator(lang)
    environment = _environment(templates_folder(base_root, templates), translator)
    products = _groups(plan.articles, lambda article: [article.product or "general"])
    tags = _groups(plan.articles, lambda article: article.tags)
    product_of = {group.name: group for group in products}
    common = {
        "site_title": plan.site_title,
        "products": products,
        "tags": tags,
        "lang": translator.language,
        "format_date": translator.format_date,
    }

    def page(template: str, root: str, **values: Any) -> str:
        from jinja2 import TemplateError

        try:
            return str(environment.get_template(template).render(root=root, **common, **values))
        except TemplateError as error:
            raise KbError(
                _("export template {template}: {error}").format(template=template, error=error),
                hint=_("fix or remove the base's template (templates run sandboxed, as data)"),
            ) from None
        except (MemoryError, RecursionError, ArithmeticError, ValueError) as error:
            raise KbError(
                _("export template {template}: {error}").format(
                    template=template, error=type(error).__name__
                ),
                _(TOO_MUCH),
            ) from None

    for article in plan.to_write():

        def link(number: int) -> str:
            return f"{plan.articles[number].slug}.html"

        def media(number: int) -> str:
            return f"../media/{plan.media[number].path}"

        body = render_markdown(resolve_placeholders(article.body, link, media))
        product = product_of[article.product or "general"]
        output.write(
            article_page(article),
            page(
                "article.html",
                "../",
                article=article,
                body=body,
                product=product,
                crumbs=[
                    (plan.site_title, "../index.html"),
                    (product.name, f"../products/{product.slug}.html"),
                ],
            ),
        )
    for item in plan.media:
        output.copy_in(f"media/{item.path}", item.source)
    for kind, groups in (("products", products), ("tags", tags)):
        for group in groups:
            output.write(
                f"{kind}/{group.slug}.html",
                page(
                    "list.html",
                    "../",
                    group=group,
                    kind="product" if kind == "products" else "tag",
                    crumbs=[(plan.site_title, "../index.html")],
                ),
            )
    output.write(
        "index.html",
        page(
            "home.html",
            "",
            articles=sorted(plan.articles, key=lambda a: a.title.casefold()),
            crumbs=[],
        ),
    )
    for asset in ("style.css", "search.js"):
        output.write(f"assets/{asset}", (ASSETS / asset).read_bytes())
    index = client_index(plan, article_page)
    output.write(
        "assets/search-index.js",
        "window.KBCTL_INDEX = "
        + json.dumps(index, ensure_ascii=False, separators=(",", ":"))
        + ";\n",
    )
    return output.written | {article_page(article) for article in plan.articles}
