"""Exporters: a :class:`~strokebot.drawing.Drawing` into the files machines and tools take.

Every exporter, built-in or third-party, registers under the entry-point group
``strokebot.exporters``; the name of the entry point is the format name (``--to NAME``) and it points
at an :class:`Exporter` subclass or instance. Entry points are loaded lazily, one format at a time,
so a broken third-party exporter only breaks its own format (``strokebot formats`` lists it as
broken with the reason) and never the tool.

Exporters for physical machines share a few conventions, offered here for third-party ones too:
:func:`in_millimetres` (pixels are CSS pixels, 96 to the inch), :func:`pen_width_mm` (the nominal
width, 0.5 mm when unknown), :func:`fixed` (numbers without exponents), :func:`number` (an option
checked into a float) and :func:`flag` (an on/off option).
"""

from __future__ import annotations

import importlib.metadata
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from strokebot.errors import ExportError, UsageError
from strokebot.units import UNITS, Millimetres

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = [
    "Exporter",
    "FormatInfo",
    "available",
    "get_exporter",
    "suffix_for",
    "export",
    "GROUP",
    "DEFAULT_PEN_WIDTH",
    "in_millimetres",
    "pen_width_mm",
    "fixed",
    "number",
    "flag",
    "check_pen_heights",
]

GROUP = "strokebot.exporters"

#: Nominal pen width in millimetres when neither the drawing nor the options give one: a fine liner.
DEFAULT_PEN_WIDTH = 0.5
#: The widest pen an option may name, in mm (a broad marker is 15; a wider one is a typo).
MAX_PEN_WIDTH = 100.0


class Exporter:
    """Base class of exporters: subclasses set the class attributes and implement :meth:`export`.

    ``export`` takes the drawing and the format's keyword options and returns the file's bytes; it
    raises :class:`UsageError` for a bad option and :class:`ExportError` when the drawing cannot be
    written in this format. Writing to disk (atomically) is done by :func:`export`, not here.
    """

    name: ClassVar[str] = ""
    suffix: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: The keyword options ``export`` takes, each with a one-line help (``strokebot formats NAME``).
    options: ClassVar[Mapping[str, str]] = {}

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        raise NotImplementedError

    def check_options(self, options: Mapping[str, Any], *, extra: Iterable[str] = ()) -> None:
        """Refuse options this format does not know.

        Raises:
            UsageError: an unknown option (the message lists the known ones).
        """
        known = set(self.options) | set(extra)
        unknown = sorted(set(options) - known)
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise UsageError(f"format {self.name!r} has no option {unknown[0]!r} (known options: {names})")


def fixed(value: float, decimals: int = 3) -> str:
    """``value`` with at most ``decimals`` decimals, never in exponent notation and never ``-0``.

    >>> fixed(12.5), fixed(1e-7), fixed(-0.0001), fixed(3.14159, 2), fixed(1500.0, 0)
    ('12.5', '0', '0', '3.14', '1500')
    """
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number(name: str, value: Any, *, minimum: float | None = None, positive: bool = False, maximum: float | None = None,
           unit: str = "", length: bool = False) -> float:
    """An option's value as a float, checked; the message names the option and, with ``unit``, what it counts in.

    ``length``: the option is a length in mm, so a value written with a unit (``2cm``, a
    :class:`~strokebot.units.Millimetres`) is welcome; any other option refuses one (``feed=20mm``).

    >>> number("feed", 1500, positive=True, unit="mm/min")
    1500.0

    Raises:
        UsageError: not a finite number (booleans are not numbers here), a length where none is
            meant, or outside the limits.
    """
    what, per = (f" in {unit}", f" {unit}") if unit else ("", "")
    if isinstance(value, Millimetres) and not length:
        raise UsageError(f"option {name} is a number{what}, not a length: write it without a unit, got {value.text!r}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise UsageError(f"option {name} must be a number{what}, got {value!r}")
    if not math.isfinite(value):
        raise UsageError(f"option {name} must be a finite number{what}, got {value!r}")
    if positive and not value > 0:
        raise UsageError(f"option {name} must be above 0{per}, got {value!r}")
    if minimum is not None and value < minimum:
        raise UsageError(f"option {name} must be at least {fixed(minimum, 6)}{per}, got {value!r}")
    if maximum is not None and value > maximum:
        raise UsageError(f"option {name} must be at most {fixed(maximum, 6)}{per}, got {value!r}")
    return float(value)


def check_pen_heights(z_up: float, z_touch: float, z_full: float) -> None:
    """Refuse pen heights (mm) that never lift the pen, or press it away from the paper.

    z_up lifts, z_touch touches, z_full presses: z_full lies on the other side of z_touch from z_up
    (or on it), whichever way the machine's Z axis points.

    Raises:
        UsageError: ``z_up`` equal to ``z_touch``, or ``z_full`` on the lifting side.
    """
    if z_up == z_touch:
        raise UsageError(f"option z_up must differ from z_touch ({z_touch:g} mm): the pen would never lift")
    if (z_up - z_touch) * (z_touch - z_full) < 0:
        raise UsageError(f"option z_full ({z_full:g} mm) must be on the other side of z_touch ({z_touch:g} mm) from "
                         f"z_up ({z_up:g} mm): full pressure presses the pen into the paper, not away from it")


def flag(name: str, value: Any) -> bool:
    """An on/off option: ``true``/``false`` (``-O order=yes`` and ``1``/``0`` too), nothing else.

    Raises:
        UsageError: any other value (``order=maybe`` would otherwise count as true).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1) and not isinstance(value, Millimetres):
        return bool(value)
    raise UsageError(f"option {name} must be true or false, got {value!r}")


def in_millimetres(drawing: Drawing) -> Drawing:
    """``drawing`` on a page in millimetres; pixels are CSS pixels (96 to the inch), as in SVG and vpype."""
    return drawing if drawing.units == "mm" else drawing.scaled(UNITS["px"], units="mm")


def pen_width_mm(drawing: Drawing, pen_width: float | None = None) -> float:
    """The nominal pen width in mm: ``pen_width`` if given, else the drawing's, else :data:`DEFAULT_PEN_WIDTH`.

    Raises:
        UsageError: a ``pen_width`` that is not a number above 0 and up to :data:`MAX_PEN_WIDTH`.
    """
    if pen_width is None:
        if drawing.pen_width is None:
            return DEFAULT_PEN_WIDTH
        return drawing.pen_width * (UNITS["px"] if drawing.units == "px" else 1.0)
    return number("pen_width", pen_width, positive=True, maximum=MAX_PEN_WIDTH, unit="mm", length=True)


@dataclass
class FormatInfo:
    """What ``strokebot formats`` shows of one registered format."""

    name: str
    value: str  # the entry point's target, e.g. "strokebot.exporters.svg:SVGExporter"
    distribution: str | None
    description: str = ""
    suffix: str = ""
    error: str | None = None  # why it failed to load, for a broken plugin


def _own_entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    """strokebot's own formats, read from its own metadata alone: registered as entry points like
    any plugin's, but found without scanning every installed package (40 ms of a trace's start)."""
    try:
        entries = importlib.metadata.distribution("strokebot").entry_points
    except importlib.metadata.PackageNotFoundError:
        return {}
    return {entry.name: entry for entry in entries if entry.group == GROUP}


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for entry in importlib.metadata.entry_points(group=GROUP):
        found.setdefault(entry.name, entry)
    return found


_loaded: dict[str, Exporter] = {}


def get_exporter(name: str) -> Exporter:
    """The exporter registered as ``name``.

    Raises:
        UsageError: no such format (the message lists the known ones).
        ExportError: the format is registered but its plugin fails to load.
    """
    if name in _loaded:
        return _loaded[name]
    entries = _own_entry_points()
    if name not in entries:
        entries = _entry_points()
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none installed"
        raise UsageError(f"unknown format {name!r} (known formats: {known})")
    entry = entries[name]
    try:
        target = entry.load()
        exporter = target() if isinstance(target, type) else target
        if not callable(getattr(exporter, "export", None)):
            raise TypeError(f"{entry.value} has no export() method")
    except Exception as error:  # a third-party plugin may fail in any way; it must not take the tool down
        origin = entry.dist.name if entry.dist else entry.value
        raise ExportError(f"format {name!r} from {origin} is broken: {type(error).__name__}: {error}") from error
    _loaded[name] = exporter
    return exporter


def available() -> list[FormatInfo]:
    """Every registered format, loaded to read its description; broken ones carry their error."""
    infos = []
    for name, entry in sorted(_entry_points().items()):
        info = FormatInfo(name=name, value=entry.value, distribution=entry.dist.name if entry.dist else None)
        try:
            exporter = get_exporter(name)
            info.description = getattr(exporter, "description", "") or ""
            info.suffix = getattr(exporter, "suffix", "") or f".{name}"
        except ExportError as error:
            cause = error.__cause__ or error
            info.error = f"{type(cause).__name__}: {cause}"
        infos.append(info)
    return infos


def suffix_for(name: str) -> str:
    """The file suffix of format ``name`` (e.g. ``.gcode``)."""
    return getattr(get_exporter(name), "suffix", "") or f".{name}"


def export(drawing: Drawing, format: str, path: str | Path | None = None, **options: Any) -> bytes | None:
    """Export ``drawing`` as ``format``; write it atomically to ``path`` or return the bytes.

    Raises:
        UsageError: unknown format or bad option.
        ExportError: the drawing cannot be exported, or ``path`` cannot be written.
    """
    exporter = get_exporter(format)
    try:
        data = exporter.export(drawing, **options)
    except TypeError as error:  # a third-party exporter that does not check its options itself
        if "unexpected keyword argument" in str(error):
            raise UsageError(f"format {format!r}: {str(error).split(') ', 1)[-1]}") from None
        raise
    if not isinstance(data, bytes):
        raise ExportError(f"format {format!r} returned {type(data).__name__}, not bytes")
    if path is None:
        return data
    from strokebot.output import write_bytes

    write_bytes(path, data)
    return None
