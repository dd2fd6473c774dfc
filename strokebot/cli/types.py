"""click parameter types: values are parsed once, at the edge, into the library's units.

Each type's message says what the user must change ("must be above 0", "a whole number"), after
click's own "Invalid value for '--width':", so a bad value never travels inward to come back as a
riddle ("margin 0.0mm leaves no room on a -5.0mm page").
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import click

from strokebot.errors import UsageError
from strokebot.units import LONGEST, Millimetres, parse_length

__all__ = [
    "Length", "LENGTH", "POSITIVE_LENGTH", "PEN_WIDTH", "KeyValue", "KEY_VALUE", "Count", "Number", "Fraction",
    "FRACTION", "PathArgument", "PATH", "DataSpec", "DATA_SPEC", "Device", "DEVICE", "Text", "TEXT", "OUTPUT",
]


class Length(click.ParamType):
    """A length such as ``40mm``, ``1.5in``, ``4cm`` or ``300px``, converted to millimetres.

    ``positive``: above 0 (a page, a pen), else 0 or more (a margin); never more than ``longest``.
    """

    name = "length"

    def __init__(self, *, positive: bool = False, longest: float = LONGEST) -> None:
        self.positive = positive
        self.longest = longest

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            mm = parse_length(value)
        except UsageError as error:
            self.fail(str(error), param, ctx)
        if self.positive and not mm > 0:
            self.fail(f"must be a length above 0, got {value!r}", param, ctx)
        if mm < 0:
            self.fail(f"must be a length of 0 or more, got {value!r}", param, ctx)
        if not mm <= self.longest:
            longest = f"{self.longest / 1000:g} m" if self.longest >= 1000 else f"{self.longest:g} mm"
            self.fail(f"must be at most {longest}, got {value!r}", param, ctx)
        return mm


class Count(click.ParamType):
    """A whole number from ``minimum`` to ``maximum``; ``1e6`` and ``40_000_000`` are whole numbers too."""

    name = "integer"

    def __init__(self, minimum: int = 0, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            count = value
        else:
            text = str(value).strip()
            try:
                count = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    number = math.nan
                if not (math.isfinite(number) and number == int(number)):
                    self.fail(f"must be {self._range()}, got {value!r}", param, ctx)
                count = int(number)
        if count < self.minimum or (self.maximum is not None and count > self.maximum):
            self.fail(f"must be {self._range()}, got {value!r}", param, ctx)
        return count

    def _range(self) -> str:
        if self.maximum is None:
            return f"a whole number of {self.minimum} or more"
        return f"a whole number from {self.minimum} to {self.maximum}"


class Number(click.ParamType):
    """A finite number, above 0 (``positive``) or 0 or more (``positive=False``), up to ``maximum``."""

    name = "number"

    def __init__(self, *, positive: bool = False, maximum: float = math.inf) -> None:
        self.positive = positive
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"must be a number, got {value!r}", param, ctx)
        if not math.isfinite(number):
            self.fail(f"must be a finite number, got {value!r}", param, ctx)
        if self.positive and not number > 0:
            self.fail(f"must be above 0, got {value!r}", param, ctx)
        if number < 0:
            self.fail(f"must be 0 or more, got {value!r}", param, ctx)
        if number > self.maximum:
            self.fail(f"must be at most {self.maximum:g}, got {value!r}", param, ctx)
        return number


class Fraction(Number):
    """A number from 0 to 1 (an IoU, a share)."""

    name = "fraction"

    def __init__(self) -> None:
        super().__init__(maximum=1.0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"must be a number from 0 to 1, got {value!r}", param, ctx)


class PathArgument(click.Path):
    """A path as click takes it (a :class:`~pathlib.Path`), but never the empty string, which would name ``.``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(path_type=Path, **options)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path; name a file or a folder", param, ctx)
        return super().convert(value, param, ctx)


class Text(click.ParamType):
    """Any text but the empty one (a name, a model version); ``empty`` says what to write instead."""

    name = "text"

    def __init__(self, empty: str = "must not be empty") -> None:
        self.empty = empty

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if not str(value).strip():
            self.fail(self.empty, param, ctx)
        return str(value)


class DataSpec(Text):
    """A ``--data`` source: a folder, or a named set (``hershey[:COUNT[:FONTS]]``, ``kanjivg[:COUNT]``, ...) with a sane count."""

    name = "spec"
    #: Most synthetic or Omniglot glyphs one spec may ask for: 1,000,000 (about 3 GB as 28×28 images).
    MOST = 1_000_000

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        spec = super().convert(value, param, ctx)
        source, _, rest = spec.partition(":")
        count = rest.split(":", 1)[0]
        wrong = not (re.fullmatch(r"\d[\d_]*", count) and 1 <= int(count) <= self.MOST)
        if source in ("hershey", "omniglot", "kanjivg", "letters", "latin", "words", "shapes") and count and wrong:
            self.fail(f"{spec!r}: the count after '{source}:' must be a whole number from 1 to {self.MOST:,}, "
                      f"got {count!r}", param, ctx)
        return spec


class Device(Text):
    """Where to train: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` (whether it is there is checked when used)."""

    name = "device"
    _FORM = re.compile(r"auto|cpu|mps|cuda(:\d+)?")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        device = super().convert(value, param, ctx).strip().lower()
        if not self._FORM.fullmatch(device):
            self.fail(f"must be auto, cpu, cuda, cuda:N or mps, got {value!r}", param, ctx)
        return device


class KeyValue(click.ParamType):
    """``KEY=VALUE`` for exporter options; values read as bool, int, float or length when they are.

    A value written with a unit (``2cm``) becomes a :class:`~strokebot.units.Millimetres`, which only
    options that take a length accept.
    """

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
        return Millimetres(parse_length(text), text)
    except UsageError:
        return text


LENGTH = Length()
POSITIVE_LENGTH = Length(positive=True)
#: A pen's width: above 0 and at most 100 mm (strokebot.exporters.MAX_PEN_WIDTH).
PEN_WIDTH = Length(positive=True, longest=100.0)
KEY_VALUE = KeyValue()
FRACTION = Fraction()
PATH = PathArgument()
TEXT = Text()
#: ``-o``: a file, a folder (``out/``) or ``-``, kept as written (the trailing ``/`` says "a folder").
OUTPUT = Text("an empty path; name a file, a folder (out/) or - for standard output")
DATA_SPEC = DataSpec()
DEVICE = Device()
