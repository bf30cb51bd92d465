"""Links from what kbctl shows to the files themselves.

* :func:`file_url` and :func:`hyperlinks_on`: OSC 8 terminal hyperlinks on search hits, only
  on a terminal with colour (never with ``--color never``, ``NO_COLOR`` or off a terminal).
  The URL is percent-encoded by :meth:`pathlib.Path.as_uri`, so no character of a file name
  reaches the terminal raw inside the escape sequence.
* :func:`resolve_article_links`: in ``kbctl show``, a relative link to another file of the
  base is shown with the path of the file it points to (from the current folder), so it can be
  opened as it is (shown by the one path contract, :mod:`kbctl.render.paths`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from kbctl.i18n import _
from kbctl.render.paths import shown_path
from kbctl.textsafe import one_line

if TYPE_CHECKING:
    from markdown_it.token import Token
    from rich.console import Console


def hyperlinks_on(console: Console) -> bool:
    """Whether ``console`` may get OSC 8 hyperlinks: a terminal, with colour, NO_COLOR unset."""
    return (
        console.is_terminal
        and console.color_system is not None
        and not console.no_color
        and not os.environ.get("NO_COLOR")
    )


def file_url(path: Path) -> str:
    """The ``file://HOST/PATH`` URL of ``path`` (made absolute), every unsafe character
    %-encoded. The host name is there, as in ``ls --hyperlink``, so that a terminal showing
    a remote session does not open a local file of the same name."""
    import socket
    from urllib.parse import quote

    url = Path(path).absolute().as_uri()  # file:///... with the path %-encoded
    return "file://" + quote(socket.gethostname(), safe="") + url.removeprefix("file://")


def resolve_article_links(tokens: Iterable[Token], source: Path, root: Path) -> None:
    """Rewrite, in place, the target of every relative link in the parsed Markdown ``tokens``
    of the article at ``source`` to the path (from the current folder) of the file it names.

    Only links to files inside the base ``root`` that exist are rewritten (a ``#fragment``
    stays); a relative link to a missing file is marked ``(no such file)``. Web links, mail
    links and in-page ``#anchors`` are left as written.
    """
    for token in tokens:
        if token.children:
            resolve_article_links(token.children, source, root)
        if token.type != "link_open":
            continue
        href = str(token.attrs.get("href", ""))
        resolved = _resolved(href, source, root)
        if resolved is not None:
            token.attrs["href"] = resolved


def _resolved(href: str, source: Path, root: Path) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target_text = unquote(parts.path)
    if target_text.startswith("/"):
        target = Path(root, target_text.lstrip("/"))
    else:
        target = source.parent / target_text
    target = Path(os.path.normpath(target.absolute()))
    real_root = Path(os.path.realpath(root))
    if not Path(os.path.realpath(target)).is_relative_to(real_root):
        return None
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if not target.is_file():
        return _("{link} (no such file)").format(link=href)
    return one_line(shown_path(target)) + fragment
