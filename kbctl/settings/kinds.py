"""Kinds of setting values: each one checks a TOML value, converts it, and describes
itself as JSON Schema. Sections are dataclasses whose fields carry their kind.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from kbctl.i18n import N_, _
from kbctl.values import parse_interval

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class SettingError(ValueError):
    """A wrong value at ``path`` (keys from the top of the config table)."""

    def __init__(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.hint = hint


def dotted(path: KeyPath) -> str:
    """``("check", "overrides", 0, "paths")`` -> ``check.overrides[1].paths``."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key + 1}]"
            continue
        name = key if _BARE_KEY.fullmatch(key) else _quoted(key)
        text += f".{name}" if text else name
    return text


def _quoted(key: str) -> str:
    import json  # only for messages about unusual keys

    return json.dumps(key, ensure_ascii=False)


def type_name(value: object) -> str:
    """The TOML name of a value's type, for messages."""
    names = {bool: N_("a boolean"), int: N_("a number"), float: N_("a number")}
    names.update({str: N_("a string"), list: N_("an array"), dict: N_("a table")})
    return _(next((name for kind, name in names.items() if type(value) is kind), N_("a date")))


class Kind:
    """How one setting is read from TOML and shown in the schema."""

    def parse(self, value: object, path: KeyPath) -> Any:
        """The typed value; SettingError when ``value`` does not fit."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the accepted TOML values."""
        raise NotImplementedError

    def fail(self, path: KeyPath, expected: str, value: object) -> SettingError:
        """The error for a value of the wrong kind."""
        return SettingError(
            path,
            _("'{key}' must be {expected}, got {value}").format(
                key=dotted(path), expected=_(expected), value=_shown(value)
            ),
        )


class Strings(Kind):
    """One string or a list of strings -> a tuple."""

    def __init__(self, what: str = "strings", nonempty: bool = False) -> None:
        self.what = what
        self.nonempty = nonempty

    def parse(self, value: object, path: KeyPath) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(
                path, _("a string or a list of {what}").format(what=_(self.what)), value
            )
        if self.nonempty and not value:
            raise self.fail(path, _("a non-empty list of {what}").format(what=_(self.what)), value)
        return tuple(value)

    def schema(self) -> dict[str, Any]:
        array: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
        if self.nonempty:
            array["minItems"] = 1
        return {"anyOf": [{"type": "string"}, array]}


class Text(Kind):
    """A string (a path, relative to the config file)."""

    def parse(self, value: object, path: KeyPath) -> str:
        if not isinstance(value, str):
            raise self.fail(path, N_("a path (a string)"), value)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Interval(Kind):
    """A review interval: ``90d``, ``2w``, ``6m``, ``1y`` or a number of days -> days."""

    PATTERN: ClassVar[str] = r"^\s*[0-9]+\s*[dDwWmMyY]?\s*$"

    def parse(self, value: object, path: KeyPath) -> int:
        try:
            days = parse_interval(value)
        except ValueError as error:
            raise SettingError(path, f"'{dotted(path)}': {error}") from None
        if days is None:
            raise SettingError(
                path,
                _("'{key}' is empty").format(key=dotted(path)),
                _("write e.g. 90d, 6m or 1y"),
            )
        return days

    def schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": self.PATTERN},
            ]
        }


class Integer(Kind):
    """A whole number of at least ``minimum``."""

    def __init__(self, minimum: int, what: str = N_("a whole number")) -> None:
        self.minimum = minimum
        self.what = what

    def parse(self, value: object, path: KeyPath) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            raise self.fail(path, f"{_(self.what)} >= {self.minimum}", value)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum}


class Number(Kind):
    """A number in a range (``above``: strictly greater than)."""

    def __init__(
        self, what: str, minimum: float | None = None, maximum: float | None = None
    ) -> None:
        self.what = what
        self.minimum = minimum
        self.maximum = maximum

    def parse(self, value: object, path: KeyPath) -> float:
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if (
            number is None
            or (self.minimum is not None and number < self.minimum)
            or (self.maximum is not None and number > self.maximum)
        ):
            raise self.fail(path, self.what, value)
        return float(number)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


class Positive(Number):
    """A number greater than zero."""

    def __init__(self, what: str) -> None:
        super().__init__(what)

    def parse(self, value: object, path: KeyPath) -> float:
        number = super().parse(value, path)
        if number <= 0:
            raise self.fail(path, self.what, value)
        return number

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "exclusiveMinimum": 0}


class Boolean(Kind):
    """true or false."""

    def parse(self, value: object, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, N_("true or false"), value)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Choice(Kind):
    """One of a few words."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def parse(self, value: object, path: KeyPath) -> str:
        if value not in self.choices:
            words = ", ".join(f'"{choice}"' for choice in self.choices)
            raise SettingError(
                path,
                _("'{key}' must be one of {words}, got {value}").format(
                    key=dotted(path), words=words, value=_shown(value)
                )
                + did_you_mean(value, self.choices),
            )
        return str(value)

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


class Table(Kind):
    """A table of any name -> a value of one kind."""

    def __init__(self, item: Kind, what: str) -> None:
        self.item = item
        self.what = what

    def parse(self, value: object, path: KeyPath) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, _("a table of {what}").format(what=_(self.what)), value)
        return {key: self.item.parse(item, (*path, key)) for key, item in value.items()}

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.item.schema()}


class Section(Kind):
    """A table with known keys: the fields of a settings dataclass."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def parse(self, value: object, path: KeyPath) -> Any:
        if not isinstance(value, dict):
            raise self.fail(path, N_("a table"), value)
        known = {spec_key(item): item for item in dataclasses.fields(self.cls)}
        values: dict[str, Any] = {}
        for key, item in value.items():
            if key not in known:
                where = f"[{dotted(path)}]" if path else _("the top level")
                raise SettingError(
                    (*path, key),
                    _("unknown key '{key}' in {where}").format(key=key, where=where)
                    + did_you_mean(key, known),
                    _("see `kbctl config --schema` or the Configuration section of the README"),
                )
            values[known[key].name] = spec_of(known[key]).parse(item, (*path, key))
        return self.cls(**values)

    def schema(self) -> dict[str, Any]:
        properties = {}
        for item in dataclasses.fields(self.cls):
            schema = {"description": spec_doc(item), **spec_of(item).schema()}
            default = schema_default(item)
            if default is not None:
                schema["default"] = default
            properties[spec_key(item)] = schema
        return {
            "type": "object",
            "description": (self.cls.__doc__ or "").strip().splitlines()[0],
            "properties": properties,
            "additionalProperties": False,
        }


class ArrayOf(Kind):
    """An array of tables (``[[name]]``) of one section."""

    def __init__(self, section: Section) -> None:
        self.section = section

    def parse(self, value: object, path: KeyPath) -> tuple[Any, ...]:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(path, N_("an array of tables"), value)
        return tuple(self.section.parse(item, (*path, index)) for index, item in enumerate(value))

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.section.schema()}


def setting(
    kind: Kind,
    doc: str,
    default: Any = None,
    *,
    factory: Any = None,
    key: str | None = None,
) -> Any:
    """A dataclass field that is a setting: its kind, documentation and default
    (``factory`` makes the default of a table or a section)."""
    metadata = {"kind": kind, "doc": doc, "key": key}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def spec_of(item: dataclasses.Field[Any]) -> Kind:
    """The kind of a settings field."""
    kind: Kind = item.metadata["kind"]
    return kind


def spec_key(item: dataclasses.Field[Any]) -> str:
    """The TOML key of a settings field."""
    return str(item.metadata.get("key") or item.name)


def spec_doc(item: dataclasses.Field[Any]) -> str:
    """The documentation of a settings field."""
    return str(item.metadata.get("doc", ""))


def schema_default(item: dataclasses.Field[Any]) -> Any:
    """A field's default as JSON data (None: no default worth showing)."""
    if item.default_factory is not dataclasses.MISSING:
        value = item.default_factory()
    elif item.default is not dataclasses.MISSING:
        value = item.default
    else:
        return None
    if dataclasses.is_dataclass(value):
        return None
    return plain(value)


def plain(value: Any) -> Any:
    """Settings values as JSON data: tuples become lists, dataclasses tables."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            spec_key(item): plain(getattr(value, item.name)) for item in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def did_you_mean(word: object, choices: Any) -> str:
    """`` (did you mean 'x'?)`` for a near miss among ``choices``, else ``""``."""
    import difflib

    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(choice) for choice in choices], n=1, cutoff=0.6)
    return " " + _("(did you mean '{word}'?)").format(word=close[0]) if close else ""


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, (str, int, float)) else type_name(value)
