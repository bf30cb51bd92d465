"""Byte-preserving front-matter edits of an article's text: pure, no I/O.

Only the keys asked for change; key order, comments, quoting, line endings, a BOM and the
body stay byte for byte. Every edit is checked by parsing the result before it is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kbctl.articles.parse import split_front_matter
from kbctl.articles.yaml import FrontMatter, read_front_matter
from kbctl.i18n import _

if TYPE_CHECKING:
    import yaml


def edit_front_matter_bytes(
    data: bytes, updates: Mapping[str, object | None], shown: str = "article"
) -> bytes:
    """The file ``data`` with ``updates`` applied to its front matter. Pure; see update_front_matter."""
    from frontmatter.default_handlers import YAMLHandler

    from kbctl.errors import EditError

    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise EditError(
            _("{path}:{line}: not UTF-8; not edited").format(path=shown, line=line),
            hint=_("save the file as UTF-8 first"),
        ) from None
    first_break = text.find("\n")
    newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    boundary = YAMLHandler.FM_BOUNDARY
    opening = boundary.match(text)
    if opening is None:
        if all(value is None for value in updates.values()):
            return data
        lines = "".join(_entry_text(key, value, newline, shown) for key, value in updates.items())
        new_text = f"---{newline}{lines}---{newline}{text}"
        _verify_edit(text, new_text, updates, shown, had_front=False)
        return bom + new_text.encode("utf-8")
    closing = boundary.search(text, opening.end())
    if closing is None:
        # Front matter that is never closed (or closed with YAML's "..."): a new block on top
        # would turn it into body text.
        raise EditError(
            _(
                "{path}: the front matter opened on line 1 is never closed with '---'; not edited"
            ).format(path=shown),
            hint=_("add the closing '---' line by hand first"),
        )
    front_start = first_break + 1
    front = text[front_start : closing.start()]
    parsed = read_front_matter(front)
    new_front = _edit_front(front, parsed, updates, newline, shown)
    new_text = text[:front_start] + new_front + text[closing.start() :]
    _verify_edit(text, new_text, updates, shown, had_front=True, known=(front, parsed.meta))
    return bom + new_text.encode("utf-8")


def _edit_front(
    front: str,
    parsed: FrontMatter,
    updates: Mapping[str, object | None],
    newline: str,
    shown: str,
) -> str:
    import yaml

    from kbctl.errors import EditError

    root = parsed.root
    if parsed.error is not None and (root is None or isinstance(root, yaml.MappingNode)):
        if parsed.refused:
            message = _("{path}: front matter is refused ({error}); not edited")
        else:
            message = _("{path}: front matter is not valid YAML ({error}); not edited")
        raise EditError(
            message.format(path=shown, error=parsed.error),
            hint=_("fix the front matter by hand first (see `kbctl check`)"),
        )
    entries: list[tuple[str, yaml.Node, yaml.Node]] = []
    if root is not None:
        if not isinstance(root, yaml.MappingNode) or root.flow_style:
            if isinstance(root, yaml.MappingNode):
                message = _("{path}: front matter is a flow mapping; not edited")
            else:
                message = _("{path}: front matter is not a mapping; not edited")
            raise EditError(
                message.format(path=shown),
                hint=_("front matter must be a block of 'key: value' lines"),
            )
        for key_node, value_node in root.value:
            if key_node.start_mark.column != 0:
                raise EditError(
                    _("{path}: front matter is indented; not edited").format(path=shown)
                )
            entries.append((str(key_node.value), key_node, value_node))
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    for key, value in updates.items():
        found = [entry for entry in entries if entry[0] == key]
        if len(found) > 1:
            raise EditError(
                _("{path}: key {key} appears twice in the front matter; not edited").format(
                    path=shown, key=repr(key)
                )
            )
        if not found:
            if value is not None:
                appended.append(_entry_text(key, value, newline, shown))
            continue
        _key, key_node, value_node = found[0]
        edits.append(_replace_entry(front, key, key_node, value_node, value, newline, shown))
    for start, end, replacement in sorted(edits, reverse=True):
        front = front[:start] + replacement + front[end:]
    return front + "".join(appended)


def _replace_entry(
    front: str,
    key: str,
    key_node: yaml.Node,
    value_node: yaml.Node,
    value: object,
    newline: str,
    shown: str,
) -> tuple[int, int, str]:
    """One edit (start, end, new text) of the front matter for an existing key."""
    import yaml

    from kbctl.errors import EditError

    entry_start = key_node.start_mark.index
    content_end = _content_end(front, value_node)
    line_end = front.find("\n", content_end)
    entry_end = len(front) if line_end < 0 else line_end + 1
    if value is None:
        return entry_start, entry_end, ""
    value_text = front[value_node.start_mark.index : content_end]
    if value_text[:1] in ("&", "*", "!"):
        raise EditError(
            _("{path}: {key} uses a YAML anchor, alias or tag; not edited").format(
                path=shown, key=repr(key)
            ),
            hint=_("edit this key by hand"),
        )
    one_line = "\n" not in front[entry_start:content_end]
    is_block_list = isinstance(value_node, yaml.SequenceNode) and not value_node.flow_style
    if is_block_list and isinstance(value, (list, tuple)):
        old = read_front_matter(front[entry_start:entry_end]).meta.get(key) or []
        new = list(value)
        if _same_value(new, old):
            return entry_start, entry_start, ""
        if len(new) > len(old) and _same_value(new[: len(old)], old) and value_node.value:
            first_item = value_node.value[0].start_mark
            item_line_start = front.rfind("\n", 0, first_item.index) + 1
            indent = front[item_line_start : first_item.index].split("-", 1)[0]
            items = "".join(_list_item(item, indent, newline, shown) for item in new[len(old) :])
            if line_end < 0:
                items = newline + items.removesuffix(newline)
            return entry_end, entry_end, items
        return entry_start, entry_end, _entry_text(key, value, newline, shown)
    if not one_line:
        raise EditError(
            _("{path}: {key} has a value spread over several lines; not edited").format(
                path=shown, key=repr(key)
            ),
            hint=_("edit {key} by hand, or put its value on one line").format(key=repr(key)),
        )
    if isinstance(value, (list, tuple)) and any(isinstance(item, Mapping) for item in value):
        # A list of mappings is written as a block: the whole (one-line) entry is replaced.
        replacement = _entry_text(key, value, newline, shown)
        if line_end < 0:
            replacement = replacement.removesuffix(newline)
        return entry_start, entry_end, replacement
    style = getattr(value_node, "style", None) if isinstance(value_node, yaml.ScalarNode) else None
    rendered = _inline_value(value, shown, quote=style if style in ("'", '"') else None)
    start = value_node.start_mark.index
    if start == content_end and not front[start - 1 : start].isspace():
        rendered = " " + rendered  # "key:" with no value yet
    return start, content_end, rendered


def _content_end(front: str, node: yaml.Node) -> int:
    """Where a value's own text ends (block collections and block scalars trimmed)."""
    import yaml

    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style:
        if not node.value:
            return node.end_mark.index
        last = node.value[-1]
        return _content_end(front, last[1] if isinstance(last, tuple) else last)
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        while end > node.start_mark.index and front[end - 1] in " \t\r\n":
            end -= 1
    return end


def _entry_text(key: str, value: object, newline: str, shown: str) -> str:
    """A whole ``key: value`` entry, ending with ``newline`` (lists of mappings as a block)."""
    name = _inline_value(key, shown)
    if isinstance(value, (list, tuple)) and value and any(isinstance(i, Mapping) for i in value):
        items = "".join(_list_item(item, "  ", newline, shown) for item in value)
        return f"{name}:{newline}{items}"
    return f"{name}: {_inline_value(value, shown)}{newline}"


def _list_item(item: object, indent: str, newline: str, shown: str) -> str:
    if not isinstance(item, Mapping):
        return f"{indent}- {_inline_value(item, shown)}{newline}"
    lines = []
    for number, (name, value) in enumerate(item.items()):
        lead = f"{indent}- " if number == 0 else f"{indent}  "
        lines.append(f"{lead}{_inline_value(name, shown)}: {_inline_value(value, shown)}{newline}")
    return "".join(lines) or f"{indent}- {{}}{newline}"


def _inline_value(value: object, shown: str, quote: str | None = None) -> str:
    """A YAML value on one line: scalars quoted only when needed, lists in flow style."""
    import json
    from datetime import date

    import yaml

    from kbctl.errors import EditError

    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline_value(item, shown) for item in value) + "]"
    if isinstance(value, Mapping):
        raise EditError(_("{path}: cannot write a mapping value here").format(path=shown))
    if isinstance(value, date) and quote is not None:
        value = value.isoformat()  # keep a quoted date quoted
    if isinstance(value, str) and quote == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, str) and quote == '"':
        return json.dumps(value, ensure_ascii=False)
    if value is not None and not isinstance(value, (str, bool, int, float, date)):
        value = str(value)
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_flow_style=True)
    dumped = dumped.removesuffix("\n").removesuffix("\n...").removesuffix("\n")
    if "\n" in dumped or (isinstance(value, str) and not value.isprintable()):
        return json.dumps(value, ensure_ascii=False)
    return dumped


def _same_value(new: object, read: object) -> bool:
    """Whether a value to write (``new``) is the value read back (``read``).

    The loader keeps dates as text, so a ``date`` to write is the same as its ISO text.
    """
    from datetime import date

    if isinstance(new, date) and isinstance(read, str):
        return new.isoformat() == read
    if isinstance(new, (list, tuple)) and isinstance(read, (list, tuple)):
        return len(new) == len(read) and all(map(_same_value, new, read))
    if isinstance(new, Mapping) and isinstance(read, Mapping):
        return new.keys() == read.keys() and all(_same_value(new[k], read[k]) for k in new)
    return new == read


def _verify_edit(
    old_text: str,
    new_text: str,
    updates: Mapping[str, object | None],
    shown: str,
    had_front: bool,
    known: tuple[str, dict[str, Any]] | None = None,
) -> None:
    """Parse the edited text: the given keys have their new values, everything else is unchanged.

    Both sides come from :func:`~kbctl.articles.yaml.read_front_matter`, which refuses front matter whose aliases would
    expand past a small bound: the comparisons below walk bounded data, so they stay fast on
    any file the loader accepts (an alias bomb once made this take minutes). ``known`` is a
    front matter already parsed (text, mapping), used when the old text's is the same.
    """
    from kbctl.errors import EditError

    def meta_and_body(text: str) -> tuple[dict[str, Any], str]:
        front, body, _line, has_front = split_front_matter(text)
        if known is not None and has_front and front == known[0]:
            return known[1], body
        if not has_front:
            return {}, body
        parsed = read_front_matter(front)
        if parsed.error is not None:
            raise EditError(
                _("{path}: the edit would break the front matter ({error}); not edited").format(
                    path=shown, error=parsed.error
                )
            )
        return parsed.meta, body

    old_meta, old_body = meta_and_body(old_text) if had_front else ({}, old_text)
    new_meta, new_body = meta_and_body(new_text)

    problems = [key for key, value in updates.items() if value is None and key in new_meta]
    problems += [
        key
        for key, value in updates.items()
        if value is not None and not _same_value(value, new_meta.get(key))
    ]
    problems += [
        key
        for key in set(old_meta) | set(new_meta)
        if key not in updates and old_meta.get(key, ...) != new_meta.get(key, ...)
    ]
    if problems or new_body != old_body:
        what = ", ".join(sorted(map(str, problems))) or _("the body")
        raise EditError(
            _("{path}: the edit could not be made safely ({what}); not edited").format(
                path=shown, what=what
            ),
            hint=_("edit the front matter by hand"),
        )
