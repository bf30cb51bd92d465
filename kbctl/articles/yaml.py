"""kbctl's one YAML reader for front matter: safe, bounded, and wrong in one key loses one key.

* Only PyYAML's safe constructors run (a ``SafeLoader`` subclass, the C one when there is one).
* Timestamps stay text: YAML's resolver would raise on ``2024-31-12`` and take the whole
  document with it. :func:`kbctl.values.parse_date` reads dates, one key at a time.
* Each top-level value is built on its own, so a value that cannot be built (``!!bool maybe``,
  ``!!int ""``) is a problem on that key's line and the other keys stay.
* A key written twice is a problem on the second one's line (the last value is used, as every
  YAML library that accepts the file does).
* Front matter longer than :data:`MAX_FRONT_MATTER_CHARS` is refused.
* Aliases are bounded: more than :data:`MAX_ALIASES` of them, a recursive one, or aliases that
  add more than :data:`MAX_ALIAS_NODES` nodes once expanded refuse the whole front matter.
  Expanded data is what every later step walks (comparisons, JSON, the index), so a
  "billion laughs" document must never get past here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from kbctl.i18n import _

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_ALIASES = 50
MAX_ALIAS_NODES = 10_000
# Real front matter is a few hundred bytes; a cap keeps every parse (and so every edit,
# which parses twice) well under a second.
MAX_FRONT_MATTER_CHARS = 256 * 1024

DUPLICATE_KEY = "duplicate-key"
BAD_VALUE = "bad-value"


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """A problem with one key: the file line, a message naming the key, a diagnostic code."""

    line: int
    message: str
    code: str = BAD_VALUE


@dataclass(slots=True)
class FrontMatter:
    """What :func:`read_front_matter` made of a front matter.

    ``error`` (with ``error_line``) means the front matter as a whole is unusable and ``meta``
    is empty; otherwise ``meta`` holds every key whose value could be built, ``key_lines``
    the file line of every key (also of those left out), ``problems`` what was left out and
    why. ``root`` is the composed mapping node, as written (merge keys not applied).
    """

    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    problems: list[KeyProblem] = field(default_factory=list)
    root: Any = None
    error: str | None = None
    error_line: int = 1
    refused: bool = False  # the error is a refusal (aliases), not a syntax error


@functools.cache
def loader_class(*, pure: bool = False) -> type:
    """The safe loader kbctl uses: timestamps stay strings (plain or tagged ``!!timestamp``).

    The C loader when PyYAML has one (``pure`` forces the Python one). Both give marks that
    count characters of the text, which the editing code slices the text with.
    """
    import yaml

    base = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class FrontMatterLoader(base):  # type: ignore[misc, valid-type]
        """A safe loader that keeps YAML timestamps as text."""

    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    FrontMatterLoader.add_constructor(
        TIMESTAMP_TAG, lambda loader, node: loader.construct_scalar(node)
    )
    return FrontMatterLoader


def read_front_matter(front: str, *, first_line: int = 2, pure: bool = False) -> FrontMatter:
    """Parse front matter text (which starts on file line ``first_line``). Never raises."""
    import yaml

    if len(front) > MAX_FRONT_MATTER_CHARS:
        return FrontMatter(
            error=f"longer than {MAX_FRONT_MATTER_CHARS // 1024} KiB",
            error_line=first_line,
            refused=True,
        )
    loader = loader_class(pure=pure)(front)
    try:
        root = loader.get_single_node()
    except yaml.reader.ReaderError as error:
        # Marks of the C reader count bytes and of the Python one characters: find the
        # character itself (the reader stops at its first occurrence).
        offset = max(front.find(chr(error.character)), 0) if error.character is not None else 0
        line = front.count("\n", 0, offset) + first_line
        return FrontMatter(error=_first_line(error.reason or str(error)), error_line=line)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark is not None else 1
        return FrontMatter(
            error=(error.problem or error.context or "syntax error").strip(), error_line=line
        )
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
        return FrontMatter(error=_first_line(str(error)) or type(error).__name__)
    finally:
        loader.dispose()
    if root is None:
        return FrontMatter()
    if not isinstance(root, yaml.MappingNode):
        kind = "list" if isinstance(root, yaml.SequenceNode) else "str"
        return FrontMatter(
            root=root,
            error=_("expected a mapping of keys, got {kind}").format(kind=kind),
            error_line=root.start_mark.line + first_line,
        )
    if "*" in front:  # no alias without an asterisk: the common case skips the walk
        refusal = _alias_refusal(root)
        if refusal is not None:
            line, message = refusal
            return FrontMatter(root=root, error=message, error_line=line + first_line, refused=True)
    return _construct(loader, root, first_line)


def _construct(loader: Any, root: Any, first_line: int) -> FrontMatter:
    import yaml

    result = FrontMatter(root=root)
    pairs = list(root.value)
    own_count = sum(1 for key_node, _value in pairs if key_node.tag != MERGE_TAG)
    if own_count != len(pairs):
        merged = yaml.MappingNode(root.tag, list(root.value), root.start_mark, root.end_mark)
        try:
            loader.flatten_mapping(merged)
            pairs = merged.value
        except yaml.YAMLError as error:
            line = next(key.start_mark.line for key, _v in pairs if key.tag == MERGE_TAG)
            result.problems.append(
                KeyProblem(
                    line + first_line,
                    _("<<: cannot merge ({problem}); ignored").format(
                        problem=_problem(error, None)
                    ),
                )
            )
            pairs = [pair for pair in pairs if pair[0].tag != MERGE_TAG]
    own_start = len(pairs) - own_count
    own_lines: dict[str, int] = {}
    for index, (key_node, value_node) in enumerate(pairs):
        line = key_node.start_mark.line + first_line
        if not isinstance(key_node, yaml.ScalarNode):
            result.problems.append(KeyProblem(line, _("a key must be text, not a list or mapping")))
            continue
        try:
            key = loader.construct_object(key_node, deep=True)
        except Exception as error:  # see below
            loader.recursive_objects.clear()
            result.problems.append(
                KeyProblem(
                    line,
                    _("cannot read a key ({problem})").format(problem=_problem(error, key_node)),
                )
            )
            continue
        name = str(key)
        is_own = index >= own_start
        if is_own:
            if name in own_lines:
                result.problems.append(
                    KeyProblem(
                        line,
                        _(
                            "{name}: key written twice (also on line {line}); the last value is used"
                        ).format(name=name, line=own_lines[name]),
                        DUPLICATE_KEY,
                    )
                )
            own_lines[name] = line
            result.key_lines[name] = line
        else:
            result.key_lines.setdefault(name, line)
        try:
            value = loader.construct_object(value_node, deep=True)
        except Exception as error:
            # Safe constructors raise many kinds of errors on odd tagged scalars (KeyError
            # for `!!bool maybe`, IndexError for `!!int ""`): every one costs this key only.
            loader.recursive_objects.clear()
            result.meta.pop(name, None)
            result.problems.append(
                KeyProblem(
                    line,
                    _("{name}: cannot read the value ({problem}); ignored").format(
                        name=name, problem=_problem(error, value_node)
                    ),
                )
            )
            continue
        result.meta[name] = value
    return result


def _alias_refusal(root: Any) -> tuple[int, str] | None:
    """(0-based line, reason) when the aliases of a composed document are not acceptable.

    One depth-first walk over the node graph, which is as small as the text (an alias is a
    second reference to a node); expanded sizes are counted, never built.
    """
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    aliases = 0
    expanded = 0
    for key_node, value_node in root.value:
        line = key_node.start_mark.line
        stack: list[tuple[Any, bool]] = [(key_node, False), (value_node, False)]
        while stack:
            node, finished = stack.pop()
            ident = id(node)
            if finished:
                open_nodes.discard(ident)
                if isinstance(node, yaml.MappingNode):
                    children = [child for pair in node.value for child in pair]
                else:
                    children = node.value
                sizes[ident] = 1 + sum(sizes[id(child)] for child in children)
                continue
            if ident in sizes:
                aliases += 1
                if aliases > MAX_ALIASES:
                    return line, _("more than {count} YAML aliases").format(count=MAX_ALIASES)
                continue
            if ident in open_nodes:
                return line, _("a YAML alias refers to a node that contains it")
            if isinstance(node, yaml.ScalarNode):
                sizes[ident] = 1
                continue
            open_nodes.add(ident)
            stack.append((node, True))
            if isinstance(node, yaml.MappingNode):
                children = [child for pair in node.value for child in pair]
            else:
                children = node.value
            stack.extend((child, False) for child in reversed(children))
        expanded += sizes[id(key_node)] + sizes[id(value_node)]
        if expanded - len(sizes) > MAX_ALIAS_NODES:
            return line, _("YAML aliases expand to more than {count} extra values").format(
                count=MAX_ALIAS_NODES
            )
    return None


def _problem(error: BaseException, node: Any) -> str:
    if isinstance(error, (KeyError, IndexError)) and node is not None:
        # What the safe constructors raise for e.g. `!!bool maybe` or `!!int ""`.
        return _("not a valid !!{tag}").format(tag=str(node.tag).rsplit(":", 1)[-1])
    problem = getattr(error, "problem", None)
    if isinstance(problem, str) and problem:
        return _first_line(problem)
    return _first_line(str(error)) or type(error).__name__


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""
