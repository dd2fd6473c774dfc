"""click parameter types: values are parsed once, at the edge, into the library's units."""

from __future__ import annotations

from typing import Any

import click

from strokebot.errors import UsageError
from strokebot.units import parse_length

__all__ = ["Length", "LENGTH", "KeyValue", "KEY_VALUE"]


class Length(click.ParamType):
    """A length such as ``40mm``, ``1.5in``, ``4cm`` or ``300px``, converted to millimetres."""

    name = "length"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_length(value)
        except UsageError as error:
            self.fail(str(error), param, ctx)


class KeyValue(click.ParamType):
    """``KEY=VALUE`` for exporter options; values read as bool, int, float or length when they are."""

    name = "key=value"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, Any]:
        if isinstance(value, tuple):
            return value
        key, sep, text = str(value).partition("=")
        if not sep or not key.strip():
            self.fail(f"expected KEY=VALUE, got {value!r}", param, ctx)
        return key.strip().replace("-", "_"), _parse_value(text.strip())


def _parse_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    try:
        return parse_length(text)
    except UsageError:
        return text


LENGTH = Length()
KEY_VALUE = KeyValue()
