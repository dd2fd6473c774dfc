"""Timed trajectories for robot scripts, and stroke sequences for sketch models.

* ``json``: a ``strokebot.trajectory`` version 1 document, described by the JSON Schema shipped beside
  this module (:func:`schema`). Every point carries ``t`` (seconds from the start, like ROS's
  ``time_from_start``), ``x``, ``y``, ``z`` (pen depth from pressure), ``pressure``, ``intensity`` and
  its planned speed ``v``, timed by :mod:`strokebot.motion` (trapezoids, corner-limited junctions).
  :func:`read_trajectory` reads one back into a :class:`~strokebot.drawing.Drawing`.
* ``csv``: the same plan as waypoints, pen-up ones included, one per row:
  ``stroke,index,t_s,x_mm,y_mm,z_mm,pressure,intensity`` (see :class:`strokebot.motion.Waypoint`).
* ``stroke3`` / ``stroke5``: the sequences sketch-rnn and its successors train on, as a ``.npy`` array
  of float32 (``numpy.load`` reads it), in the drawing's units and y-down frame:

  - stroke-3, shape (N, 3): ``dx, dy, lift`` per point, the offset from the previous point (the first
    from the page's origin) and 1 where the pen lifts after the point;
  - stroke-5, shape (N + 1, 5) or (max_len, 5): ``dx, dy, p_down, p_up, p_end``, one-hot pen states,
    ending with (0, 0, 0, 0, 1) rows.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError
from strokebot.exporters import Exporter, check_pen_heights, flag, in_millimetres, number, pen_width_mm
from strokebot.exporters.profiles import MAX_ACCELERATION, MAX_RATE

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = [
    "JsonExporter",
    "CsvExporter",
    "Stroke3Exporter",
    "Stroke5Exporter",
    "FORMAT",
    "VERSION",
    "to_trajectory",
    "read_trajectory",
    "schema",
    "to_csv",
    "to_stroke3",
    "to_stroke5",
]

FORMAT = "strokebot.trajectory"
VERSION = 1
_LENGTH_UNITS = {"mm": 1.0, "m": 0.001}
_Y_AXES = ("down", "up")
#: Each timing option's limits: speeds in mm/s, accelerations in mm/s², lengths in mm, dwells in seconds.
_TIMING_OPTIONS = {
    "v_max": {"positive": True, "maximum": MAX_RATE / 60, "unit": "mm/s"},
    "a_max": {"positive": True, "maximum": MAX_ACCELERATION, "unit": "mm/s²"},
    "v_travel": {"positive": True, "maximum": MAX_RATE / 60, "unit": "mm/s"},
    "junction_deviation": {"minimum": 0, "maximum": 1000.0, "unit": "mm", "length": True},
    "dwell_down": {"minimum": 0, "maximum": 3600.0, "unit": "seconds"},
    "dwell_up": {"minimum": 0, "maximum": 3600.0, "unit": "seconds"},
}
_TOOL_DEFAULTS = {"z_up": 3.0, "z_touch": 0.0, "z_full": -1.0}


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of ``strokebot.trajectory`` documents (``trajectory.schema.json``)."""
    text = importlib.resources.files("strokebot.exporters").joinpath("trajectory.schema.json").read_text("utf-8")
    return json.loads(text)


class _Frame:
    """Where the planned (mm, y-down) drawing goes: length unit, y axis, tool heights."""

    def __init__(self, page: Drawing, *, units: str, y_axis: str, z_up: float, z_touch: float, z_full: float) -> None:
        if units not in _LENGTH_UNITS:
            raise UsageError(f"trajectory units must be one of {', '.join(_LENGTH_UNITS)}, got {units!r}")
        if y_axis not in _Y_AXES:
            raise UsageError(f"trajectory y_axis must be one of {', '.join(_Y_AXES)}, got {y_axis!r}")
        self.scale = _LENGTH_UNITS[units]
        self.height = page.height
        self.up = y_axis == "up"
        height = {"minimum": -1000.0, "maximum": 1000.0, "unit": "mm", "length": True}
        self.z_up = number("z_up", z_up, **height)
        self.z_touch = number("z_touch", z_touch, **height)
        self.z_full = number("z_full", z_full, **height)
        check_pen_heights(self.z_up, self.z_touch, self.z_full)

    def x(self, x: float) -> float:
        return x * self.scale

    def y(self, y: float) -> float:
        return ((self.height - y) if self.up else y) * self.scale

    def z(self, pressure: float, pen_down: bool = True) -> float:
        depth = self.z_touch + pressure * (self.z_full - self.z_touch) if pen_down else self.z_up
        return depth * self.scale


def _prepare(drawing: Drawing, options: dict[str, Any]) -> tuple[Drawing, Any, _Frame]:
    """The drawing in mm, its timing and its frame, from the shared options (consumed from ``options``)."""
    from strokebot.motion import Timing

    page = in_millimetres(drawing)
    timing = Timing.of(None, **{k: number(k, options.pop(k), **limits) for k, limits in _TIMING_OPTIONS.items() if k in options})
    frame = _Frame(
        page,
        units=options.pop("units", "mm"),
        y_axis=options.pop("y_axis", "down"),
        **{k: options.pop(k, v) for k, v in _TOOL_DEFAULTS.items()},
    )
    return page, timing, frame


def to_trajectory(drawing: Drawing, *, z: bool = True, pen_width: float | None = None, decimals: int = 4,
                  **options: Any) -> dict[str, Any]:
    """The ``strokebot.trajectory`` document of ``drawing`` as a dict (see the module doc).

    Args:
        z: give each point a ``z`` (pen depth from pressure).
        pen_width: nominal pen width in mm (default: the drawing's, else 0.5 mm).
        decimals: decimals of lengths (in mm; three more in m) and speeds; times get two more.
        **options: ``units`` (``mm`` or ``m``), ``y_axis`` (``down`` as in the image, or ``up``),
            the tool's ``z_up``, ``z_touch``, ``z_full`` (mm), and :class:`~strokebot.motion.Timing`'s
            fields in mm and seconds.

    Raises:
        UsageError: an unknown option or a bad value.
    """
    from strokebot import __version__
    from strokebot.motion import plan

    page, timing, frame = _prepare(drawing, options)
    if options:
        raise UsageError(f"unknown trajectory option {sorted(options)[0]!r}")
    z = flag("z", z)
    digits = _decimals(decimals) + (3 if frame.scale < 1 else 0)
    timed = plan(page, timing)

    def length(value: float) -> float:
        return round(value * frame.scale, digits)

    strokes = []
    for k, stroke in enumerate(page.strokes):
        points = []
        clipped = np.clip(stroke.points[:, 2:], 0.0, 1.0)  # the schema's range; never deeper than z_full
        for (x, y), (pressure, intensity), t, v in zip(stroke.xy, clipped, timed.t[k], timed.v[k], strict=True):
            point = {"t": round(float(t), digits + 2), "x": round(frame.x(x), digits), "y": round(frame.y(y), digits)}
            if z:
                point["z"] = round(frame.z(pressure), digits)
            point.update(pressure=round(float(pressure), 4), intensity=round(float(intensity), 4), v=length(v))
            points.append(point)
        strokes.append({
            "glyph": stroke.glyph,
            "t_arrive": round(timed.arrive[k], digits + 2),
            "t_lifted": round(timed.lifted[k], digits + 2),
            "points": points,
        })
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "generator": f"strokebot {__version__}",
        "units": {"length": "m" if frame.scale < 1 else "mm", "time": "s"},
        "frame": {
            "origin": "bottom-left" if frame.up else "top-left",
            "y_axis": "up" if frame.up else "down",
            "page": {"width": length(page.width), "height": length(page.height)},
        },
        "tool": {
            "pen_width": length(pen_width_mm(page, pen_width)),
            "z_up": length(frame.z_up),
            "z_touch": length(frame.z_touch),
            "z_full": length(frame.z_full),
        },
        "timing": {
            "method": "trapezoidal",
            "v_max": length(timing.v_max),
            "a_max": length(timing.a_max),
            "v_travel": length(timing.v_travel),
            "junction_deviation": length(timing.junction_deviation),
            "dwell_down": timing.dwell_down,
            "dwell_up": timing.dwell_up,
        },
        "duration": round(timed.duration, digits + 2),
        "length": length(page.length),
        "travel_length": length(page.travel_length),
    }
    if page.model:
        document["model"] = page.model
    document["strokes"] = strokes
    return document


def _dumps(document: dict[str, Any]) -> str:
    """Indented JSON with one point per line: readable, and diff-friendly for golden files."""
    head = {k: v for k, v in document.items() if k != "strokes"}
    text = json.dumps(head, indent=2, ensure_ascii=False)[: -len("\n}")]
    strokes = []
    for stroke in document["strokes"]:
        fields = {k: v for k, v in stroke.items() if k != "points"}
        lead = json.dumps(fields, separators=(", ", ": "))[:-1]
        points = ",\n".join("      " + json.dumps(p, separators=(", ", ": ")) for p in stroke["points"])
        strokes.append(f"    {lead}, \"points\": [\n{points}\n    ]}}")
    return text + ',\n  "strokes": [\n' + ",\n".join(strokes) + ("\n  ]\n}\n" if strokes else "]\n}\n")


def read_trajectory(source: str | Path | bytes) -> Drawing:
    """A :class:`~strokebot.drawing.Drawing` in mm (y down) from a ``strokebot.trajectory`` document.

    ``source`` is a file path, or the document's bytes. Times and speeds are dropped; points keep
    their pressure and intensity, strokes their glyph, the drawing its page and pen width.

    Raises:
        UsageError: the file cannot be read, is not JSON, or is not a trajectory of a known version.
    """
    from strokebot.drawing import Drawing, Stroke

    name = "trajectory"
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        name = str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise UsageError(f"cannot read {name} ({error.strerror or error})") from None
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"{name} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UsageError(f"{name} is not a {FORMAT} document")
    if document.get("version") != VERSION:
        raise UsageError(f"{name}: {FORMAT} version {document.get('version')!r} is not supported (this reads {VERSION})")
    try:
        scale = 1.0 / _LENGTH_UNITS[document["units"]["length"]]
        page = document["frame"]["page"]
        width, height = page["width"] * scale, page["height"] * scale
        up = document["frame"].get("y_axis", "down") == "up"
        strokes = []
        for stroke in document["strokes"]:
            rows = [
                [p["x"] * scale, (height - p["y"] * scale) if up else p["y"] * scale, p.get("pressure", 0.5), p.get("intensity", 1.0)]
                for p in stroke["points"]
            ]
            strokes.append(Stroke(rows, glyph=stroke.get("glyph", 0)))
        pen_width = document.get("tool", {}).get("pen_width")
        return Drawing(strokes, width=width, height=height, units="mm",
                       pen_width=None if pen_width is None else pen_width * scale, model=document.get("model"))
    except (KeyError, TypeError, IndexError) as error:
        raise UsageError(f"{name}: malformed {FORMAT} document (missing or bad {error})") from None


def to_csv(drawing: Drawing, **options: Any) -> str:
    """Timed waypoints as CSV rows, pen-up ones (at ``z_up``) included; options as :func:`to_trajectory`'s
    (lengths stay in mm: the columns say so)."""
    from strokebot.motion import waypoints

    if options.get("units", "mm") != "mm":
        raise UsageError("csv columns are in mm; units=m is for the json format")
    page, timing, frame = _prepare(drawing, options)
    decimals = _decimals(options.pop("decimals", 4))
    if options:
        raise UsageError(f"unknown csv option {sorted(options)[0]!r}")
    rows = ["stroke,index,t_s,x_mm,y_mm,z_mm,pressure,intensity"]
    for w in waypoints(page, timing):
        pressure, intensity = min(max(w.pressure, 0.0), 1.0), min(max(w.intensity, 0.0), 1.0)
        values = (w.t, frame.x(w.x), frame.y(w.y), frame.z(pressure, w.pen_down), pressure, intensity)
        digits = (decimals + 2, decimals, decimals, decimals, 4, 4)
        rows.append(f"{w.stroke},{w.index}," + ",".join(f"{v:.{d}f}" for v, d in zip(values, digits, strict=True)))
    return "\n".join(rows) + "\n"


def to_stroke3(drawing: Drawing, *, scale: float = 1.0) -> np.ndarray:
    """(N, 3) float32 ``dx, dy, lift`` in the drawing's units times ``scale`` (see the module doc).

    Raises:
        UsageError: a ``scale`` that is not positive, or so large that offsets overflow float32.
    """
    scale = number("scale", scale, positive=True)
    if not drawing.strokes:
        return np.zeros((0, 3), np.float32)
    xy = np.concatenate([s.xy for s in drawing.strokes]) * scale
    lift = np.concatenate([np.eye(1, len(s), len(s) - 1)[0] for s in drawing.strokes])
    delta = np.diff(xy, axis=0, prepend=np.zeros((1, 2)))
    if not np.all(np.abs(delta) < np.finfo(np.float32).max):
        raise UsageError(f"scale={scale:g} makes the offsets too large for float32")
    return np.column_stack([delta, lift]).astype(np.float32)


def to_stroke5(drawing: Drawing, *, scale: float = 1.0, max_len: int | None = None) -> np.ndarray:
    """(N + 1, 5) float32 ``dx, dy, p_down, p_up, p_end``, padded to ``max_len`` rows if given.

    Raises:
        UsageError: the drawing has more than ``max_len - 1`` points.
    """
    three = to_stroke3(drawing, scale=scale)
    rows = len(three) + 1
    if max_len is not None:
        max_len = int(number("max_len", max_len, positive=True))
        if max_len > MAX_STROKE5_ROWS:
            raise UsageError(f"stroke5 max_len={max_len} is over {MAX_STROKE5_ROWS:,} rows")
        if max_len < rows:
            raise UsageError(f"stroke5 max_len={max_len} is too short for {rows - 1} points and the end row")
        rows = max_len
    five = np.zeros((rows, 5), np.float32)
    five[: len(three), :2] = three[:, :2]
    five[: len(three), 2] = 1 - three[:, 2]
    five[: len(three), 3] = three[:, 2]
    five[len(three) :, 4] = 1
    return five


#: Most rows stroke5 pads to (sketch-rnn uses 250); a larger max_len is a typo, not a wish for gigabytes.
MAX_STROKE5_ROWS = 1_000_000


def _decimals(value: Any) -> int:
    """A ``decimals`` option: a whole number from 0 to 12 (float64 holds no more; numpy's round gives NaN)."""
    digits = number("decimals", value, minimum=0)
    if digits != int(digits) or digits > 12:
        raise UsageError(f"option decimals must be a whole number from 0 to 12, got {value!r}")
    return int(digits)


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


_PLAN_OPTIONS = {
    "v_max": "top drawing speed, mm/s (default 50)",
    "a_max": "acceleration, mm/s² (default 1000)",
    "v_travel": "top pen-up speed, mm/s (default 100)",
    "junction_deviation": "corner deviation, mm (default 0.01, as GRBL); 0 stops at every corner",
    "dwell_down": "seconds for the pen to go down (default 0.15)",
    "dwell_up": "seconds for the pen to come up (default 0.15)",
    "y_axis": "down (as in the image, default) or up (y flipped against the page height)",
    "z_up": "pen height when up, mm (default 3)",
    "z_touch": "pen height touching the paper at pressure 0, mm (default 0)",
    "z_full": "pen height at pressure 1, mm (default -1)",
    "decimals": "decimals of lengths in mm (default 4)",
}


class JsonExporter(Exporter):
    """``--to json``: see :func:`to_trajectory`."""

    name = "json"
    suffix = ".json"
    description = "Timed trajectory (strokebot.trajectory v1, JSON Schema shipped) for robot arms and scripts"
    options = {
        "units": "mm (default) or m, for lengths and speeds",
        "z": "give each point a z from its pressure (default true)",
        "pen_width": "nominal pen width in mm (default: the drawing's, else 0.5)",
        **_PLAN_OPTIONS,
    }

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        return _dumps(to_trajectory(drawing, **options)).encode("utf-8")


class CsvExporter(Exporter):
    """``--to csv``: see :func:`to_csv`."""

    name = "csv"
    suffix = ".csv"
    description = "Timed waypoints, pen-up moves included: stroke,index,t_s,x_mm,y_mm,z_mm,pressure,intensity"
    options = dict(_PLAN_OPTIONS)

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        return to_csv(drawing, **options).encode("ascii")


class Stroke3Exporter(Exporter):
    """``--to stroke3``: see :func:`to_stroke3`."""

    name = "stroke3"
    suffix = ".stroke3.npy"
    description = "sketch-rnn stroke-3 (dx, dy, lift) as a float32 .npy array, in the drawing's units"
    options = {"scale": "multiply offsets by this (default 1)"}

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        return _npy(to_stroke3(drawing, **options))


class Stroke5Exporter(Exporter):
    """``--to stroke5``: see :func:`to_stroke5`."""

    name = "stroke5"
    suffix = ".stroke5.npy"
    description = "sketch-rnn stroke-5 (dx, dy, p_down, p_up, p_end) as a float32 .npy array"
    options = {
        "scale": "multiply offsets by this (default 1)",
        "max_len": "pad with end rows to this many rows (default: no padding)",
    }

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        return _npy(to_stroke5(drawing, **options))
