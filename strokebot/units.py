"""Physical lengths. Millimetres are the one internal unit; other units are converted at the edge.

>>> parse_length("40mm"), parse_length("1.5in"), parse_length("2cm")
(40.0, 38.1, 20.0)
>>> parse_length("96px")  # CSS pixels, 96 to the inch, as in SVG and vpype
25.4
"""

from __future__ import annotations

import re

from strokebot.errors import UsageError

__all__ = ["UNITS", "LONGEST", "Millimetres", "parse_length", "format_length"]

#: Millimetres per unit.
UNITS: dict[str, float] = {
    "mm": 1.0,
    "cm": 10.0,
    "m": 1000.0,
    "in": 25.4,
    "pt": 25.4 / 72.0,
    "pc": 25.4 / 6.0,
    "px": 25.4 / 96.0,
}

#: The longest length strokebot takes for a page, a margin, an offset or a pen position, in mm: 100 m.
#: No pen plotter or robot arm draws further; a larger number is a typo (1e9mm for 1e3mm).
LONGEST = 100_000.0


class Millimetres(float):
    """A length the user wrote with its unit (``-O offset_x=2cm``), in millimetres; ``text`` is what was written.

    Options that take a length accept it as a number; options that take something else (a feed in
    mm/min, a speed, a count) refuse it, so ``feed=20mm`` is an error rather than 20 mm/min.
    """

    text: str

    def __new__(cls, value: float, text: str) -> Millimetres:
        length = super().__new__(cls, value)
        length.text = text
        return length


_LENGTH = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_length(text: str | float | int, *, default_unit: str = "mm") -> float:
    """Return the length ``text`` in millimetres.

    A bare number is read in ``default_unit``. Raises :class:`UsageError` for anything else, with
    the list of known units.
    """
    if isinstance(text, (int, float)):
        return float(text) * UNITS[default_unit]
    match = _LENGTH.match(text)
    if match is None:
        raise UsageError(f"not a length: {text!r} (expected a number and a unit, e.g. 40mm or 1.5in)")
    value, unit = float(match.group(1)), (match.group(2).lower() or default_unit)
    if unit not in UNITS:
        known = ", ".join(UNITS)
        raise UsageError(f"unknown unit {unit!r} in {text!r} (known units: {known})")
    return value * UNITS[unit]


def format_length(mm: float, unit: str = "mm") -> str:
    """Format ``mm`` millimetres in ``unit`` with at most three decimals, e.g. ``'40mm'``."""
    value = mm / UNITS[unit]
    return f"{value:.3f}".rstrip("0").rstrip(".") + unit
