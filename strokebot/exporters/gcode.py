"""G-code for pen plotters, Z-axis pens and lasers, one machine profile per firmware family.

Machine dialects are data: a :class:`~strokebot.exporters.profiles.Profile` is a set of templates,
one per event, read from the bundled ``profiles.toml`` and from the user's own files (see
:mod:`strokebot.exporters.profiles`). :func:`to_gcode` places the drawing on the machine (millimetres, Y flipped against the page height), simplifies and optionally
reorders its strokes, and fills the templates in, point by point.

>>> from strokebot.drawing import Drawing, Stroke
>>> d = Drawing([Stroke([[10, 10, 0.0, 1], [20, 10, 1.0, 1]])], width=40, height=30, units="mm")
>>> print(to_gcode(d, "grbl-z", comments=False))  # doctest: +NORMALIZE_WHITESPACE
G21
G90
G94
G0 Z3.000
G0 X10.000 Y20.000
G1 Z0.000 F500
G1 X20.000 Y20.000 Z-1.000 F1500
G0 Z3.000
G0 X0 Y0
M2
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strokebot.errors import ExportError, UsageError
from strokebot.exporters import Exporter, check_pen_heights, fixed, flag, in_millimetres, number, pen_width_mm
from strokebot.exporters.plot_time import estimate_time, plot_time_line
from strokebot.exporters.profiles import (
    DWELL_UNITS,
    ENV_PROFILES,
    MACHINE_SETTINGS,
    MAX_ACCELERATION,
    MAX_RATE,
    Profile,
    get_profile,
    load_profiles,
    user_profile_paths,
)
from strokebot.units import LONGEST, UNITS

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = [
    "GcodeExporter",
    "Profile",
    "load_profiles",
    "get_profile",
    "to_gcode",
    "estimate_time",
    "user_profile_paths",
    "ENV_PROFILES",
]

_FEEDS = ("feed", "travel_feed", "plunge_feed")
_LENGTHS = ("z_up", "z_touch", "z_full")
_DWELLS = ("dwell_down", "dwell_up")

#: Placeholders every template may use, beside the profile's default_values.
PLACEHOLDERS = frozenset(
    {"x", "y", "_x", "_y", "dx", "dy", "_dx", "_dy", "ix", "iy", "idx", "idy", "pressure", "intensity", "f"}
    | {"index", "index1", "segment_index", "segment_index1", "lines_index", "lines_index1", "stroke", "glyph"}
    | {"layer_index", "layer_index1", "layer_id", "page_width", "page_height", "stroke_count"}
)

_EXPONENT = re.compile(r"[0-9.][eE][+-]?[0-9]")

#: The longest dwell, in seconds, and the farthest pen height from Z0, in mm.
MAX_DWELL = 3600.0
MAX_Z = 1000.0


# -- writing -----------------------------------------------------------------------------------------


class _Number(float):
    """A float for templates: a bare ``{x}`` gives fixed decimals, and ``-0.000`` loses its sign."""

    def __format__(self, spec: str) -> str:
        if not spec:
            return fixed(self, 3)
        text = super().__format__(spec)
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def _number(name: str, value: Any, **limits: Any) -> _Number:
    return _Number(number(name, value, **limits))


def to_gcode(
    drawing: Drawing,
    profile: str | Profile = "grbl-servo",
    *,
    profiles_file: str | Path | None = None,
    pen_width: float | None = None,
    simplify: float | bool | None = None,
    order: bool = False,
    page_width: float | None = None,
    page_height: float | None = None,
    offset_x: float | None = None,
    offset_y: float | None = None,
    vertical_flip: bool | None = None,
    acceleration: float | None = None,
    comments: bool = True,
    **values: Any,
) -> str:
    """The G-code program that draws ``drawing`` on the machine ``profile`` describes.

    Args:
        drawing: in mm, or in px taken as CSS pixels (96 per inch).
        profile: a profile name (see :func:`load_profiles`) or a :class:`Profile`.
        profiles_file: a TOML file of extra profiles.
        pen_width: nominal pen width in mm (default: the drawing's, else 0.5 mm).
        simplify: tolerance in mm for dropping points (default: half the pen width; 0 or False: keep all).
        order: reorder strokes to cut pen-up travel (the comments give the travel before and after).
        page_width, page_height: the page in mm (default: the drawing's); Y flips against page_height.
        offset_x, offset_y: machine position in mm of the page's origin corner (default: the profile's).
        vertical_flip: y up on the machine (default: the profile's, true for every bundled one).
        acceleration: mm/s² of the X and Y axes, for the plot-time estimate in the comments (default:
            the profile's ``acceleration_x`` and ``acceleration_y``).
        comments: write the header comments.
        **values: the profile's parameters (its ``default_values``), e.g. ``feed=1200``, ``z_full=-0.6``,
            and the machine's limits the estimate assumes (``max_rate_x=5000``; see :data:`MACHINE_SETTINGS`).

    Raises:
        UsageError: unknown profile or parameter, a bad value, or a template that uses an unknown placeholder.
        ExportError: a line longer than the firmware takes, or a number the template wrote in exponent notation.
    """
    chosen = profile if isinstance(profile, Profile) else get_profile(profile, profiles_file)
    limits = {key: _machine_setting(key, values.pop(key)) for key in MACHINE_SETTINGS if key in values}
    if acceleration is not None:
        xy = _machine_setting("acceleration", acceleration)
        limits = {"acceleration_x": xy, "acceleration_y": xy, **limits}
    chosen = dataclasses.replace(chosen, **limits)
    params = _parameters(chosen, values)
    order, comments = flag("order", order), flag("comments", comments)
    page = in_millimetres(drawing)
    width = pen_width_mm(page, pen_width)
    if simplify is None or simplify is True:
        tolerance = width / 2
    else:
        tolerance = 0.0 if simplify is False else number("simplify", simplify, minimum=0, maximum=LONGEST, unit="mm", length=True)
    points_before = sum(len(s) for s in page.strokes)
    if tolerance > 0:
        page = page.simplified(tolerance)
    travel_before = page.travel_length
    if order:
        page = page.reordered()
    size = {"positive": True, "maximum": LONGEST, "unit": "mm", "length": True}
    page_w = page.width if page_width is None else number("page_width", page_width, **size)
    page_h = page.height if page_height is None else number("page_height", page_height, **size)
    flip = chosen.vertical_flip if vertical_flip is None else flag("vertical_flip", vertical_flip)
    per_mm = 1.0 / UNITS[chosen.unit]
    place = {"minimum": -LONGEST, "maximum": LONGEST, "unit": "mm", "length": True}
    origin_x = chosen.offset_x if offset_x is None else float(_number("offset_x", offset_x, **place)) * per_mm
    origin_y = chosen.offset_y if offset_y is None else float(_number("offset_y", offset_y, **place)) * per_mm

    def machine(x: float, y: float) -> tuple[float, float]:
        if chosen.horizontal_flip:
            x = page_w - x
        if flip:
            y = page_h - y
        return x * per_mm * chosen.scale_x + origin_x, y * per_mm * chosen.scale_y + origin_y

    _check_placeholders(chosen, params)
    writer = _Writer(chosen, params, per_mm, page_w * per_mm, page_h * per_mm, len(page.strokes))
    writer.emit("document_start")
    writer.emit("layer_start")
    for k, stroke in enumerate(page.strokes):
        writer.stroke(k, stroke.glyph)
        writer.emit("line_start")
        # A move to where the pen already is (as the file writes positions) is left out: no repeated points.
        placed = [(*machine(x, y), pressure, intensity) for x, y, pressure, intensity in stroke.points]
        written = [(round(x, 3), round(y, 3)) for x, y, _, _ in placed]
        kept = [p for i, p in enumerate(placed) if i == 0 or written[i] != written[i - 1]]
        last = len(kept) - 1
        for i, point in enumerate(kept):
            writer.point(i, *point)
            event = "segment_first" if i == 0 else "segment_last" if i == last and "segment_last" in chosen.templates else "segment"
            writer.emit(event)
        writer.emit("line_end")
        if k < len(page.strokes) - 1:
            writer.emit("line_join")
    writer.emit("layer_end")
    writer.emit("document_end")
    body = "".join(writer.chunks)
    _check_lines(chosen, body)
    if not comments:
        return body
    header = _header(chosen, page, params, width, tolerance, points_before, travel_before if order else None,
                     (page_w, page_h), flip, body)
    return "".join(line + "\n" for line in header) + body


def _machine_setting(name: str, value: Any) -> float:
    if name.startswith("max_rate"):
        return number(name, value, positive=True, maximum=MAX_RATE, unit="mm/min")
    return number(name, value, positive=True, maximum=MAX_ACCELERATION, unit="mm/s²")


def _parameters(profile: Profile, values: Mapping[str, Any]) -> dict[str, Any]:
    """The profile's default_values with ``values`` applied, checked."""
    unknown = sorted(set(values) - set(profile.default_values))
    if unknown:
        known = ", ".join(list(GcodeExporter.options) + sorted(profile.default_values))
        raise UsageError(f"format 'gcode' with profile {profile.name!r} has no option {unknown[0]!r} (known options: {known})")
    params = {**profile.default_values, **values}
    for name in _FEEDS:
        if name in params:
            params[name] = _number(name, params[name], positive=True, maximum=MAX_RATE, unit="mm/min")
    for name in _LENGTHS:
        if name in params:
            params[name] = _number(name, params[name], minimum=-MAX_Z, maximum=MAX_Z, unit="mm", length=True)
    for name in _DWELLS:
        if name in params:
            params[name] = _number(name, params[name], minimum=0, maximum=MAX_DWELL, unit="seconds")
    # GRBL answers a negative S with error 4; a hobby servo turns through 180 degrees at most.
    angle = profile.firmware in ("marlin", "klipper")
    for name in ("pen_up", "pen_down", "s_min", "s_max"):
        if name in params:
            top = 180.0 if angle and name.startswith("pen") else MAX_RATE
            params[name] = _number(name, params[name], minimum=0, maximum=top, unit="degrees" if top == 180 else "")
    if "s_min" in params and "s_max" in params and params["s_max"] < params["s_min"]:
        raise UsageError(f"option s_max ({params['s_max']:g}) must not be below s_min ({params['s_min']:g})")
    if all(name in params for name in _LENGTHS):
        check_pen_heights(*(params[name] for name in _LENGTHS))
    return params


def _check_placeholders(profile: Profile, params: Mapping[str, Any]) -> None:
    known = set(PLACEHOLDERS) | set(params)
    if "feed" not in params:  # a pasted vpype-gcode profile writes its F words itself
        known.discard("f")
    if "z_touch" in params and "z_full" in params:
        known.add("z")
    if "s_min" in params and "s_max" in params:
        known.add("s")
    unknown = sorted(profile.placeholders() - known)
    if unknown:
        hint = {"z": " (needs z_touch and z_full in default_values)", "s": " (needs s_min and s_max in default_values)"}
        raise UsageError(
            f"profile {profile.name!r} ({profile.source}) uses unknown placeholder {{{unknown[0]}}}"
            f"{hint.get(unknown[0], '')}; known: {', '.join(sorted(known))}"
        )


class _Writer:
    """Fills templates in with the current state: the stroke, the point, the profile's parameters."""

    def __init__(self, profile: Profile, params: Mapping[str, Any], per_mm: float, page_w: float, page_h: float, strokes: int) -> None:
        self.profile = profile
        self.params = params
        self.per_mm = per_mm
        self.chunks: list[str] = []
        dwell = DWELL_UNITS[profile.dwell_unit]
        self.context: dict[str, Any] = {
            name: (_Number(value * per_mm) if name in _FEEDS or name in _LENGTHS else
                   _Number(value * dwell) if name in _DWELLS else
                   _Number(value) if isinstance(value, float) else value)
            for name, value in params.items()
        }
        self.context.update(
            page_width=_Number(page_w), page_height=_Number(page_h), stroke_count=strokes, layer_index=0,
            layer_index1=1, layer_id=1, stroke=0, glyph=0, lines_index=0, lines_index1=1,
        )
        self._feed_word = f" F{fixed(params['feed'] * per_mm, 1)}" if "feed" in params else ""
        self.point(0, 0.0, 0.0, 0.0, 0.0)

    def stroke(self, index: int, glyph: int) -> None:
        self.context.update(stroke=index, glyph=glyph, lines_index=index, lines_index1=index + 1, index=index, index1=index + 1)

    def point(self, index: int, x: float, y: float, pressure: float, intensity: float) -> None:
        # Out-of-range values would plunge below z_full or burn above s_max.
        pressure, intensity = min(max(pressure, 0.0), 1.0), min(max(intensity, 0.0), 1.0)
        c = self.context
        previous_x, previous_y = c.get("x", 0.0), c.get("y", 0.0)
        ix, iy = round(x), round(y)
        c.update(
            x=_Number(x), y=_Number(y), _x=_Number(-x), _y=_Number(-y),
            dx=_Number(x - previous_x), dy=_Number(y - previous_y), _dx=_Number(previous_x - x), _dy=_Number(previous_y - y),
            idx=ix - c.get("ix", 0), idy=iy - c.get("iy", 0), ix=ix, iy=iy,
            pressure=_Number(pressure), intensity=_Number(intensity),
            index=index, index1=index + 1, segment_index=index, segment_index1=index + 1,
            f=self._feed_word if index <= 1 else "",
        )
        p = self.params
        if "z_touch" in p and "z_full" in p:
            c["z"] = _Number((p["z_touch"] + pressure * (p["z_full"] - p["z_touch"])) * self.per_mm)
        if "s_min" in p and "s_max" in p:
            c["s"] = _Number(p["s_min"] + intensity * (p["s_max"] - p["s_min"]))

    def emit(self, event: str) -> None:
        template = self.profile.templates.get(event)
        if event == "segment_last" and template is None:
            template = self.profile.templates.get("segment")
        if not template:
            return
        try:
            self.chunks.append(template.format(**self.context))
        except (KeyError, ValueError, IndexError, AttributeError) as error:
            raise UsageError(f"profile {self.profile.name!r} ({self.profile.source}): {event} template: {error}") from None


def _check_lines(profile: Profile, body: str) -> None:
    for count, line in enumerate(body.splitlines(), 1):
        code = line.split(";", 1)[0]
        if _EXPONENT.search(code):
            raise ExportError(f"profile {profile.name!r} wrote a number in exponent notation (line {count}: {line!r}); "
                              "use a fixed format such as {x:.3f}")
        if profile.max_line_length is not None and len(line) > profile.max_line_length:
            raise ExportError(f"line {count} has {len(line)} characters, more than {profile.firmware} takes "
                              f"({profile.max_line_length}): {line!r}")


def _header(profile: Profile, page: Drawing, params: Mapping[str, Any], pen_width: float, tolerance: float,
            points_before: int, travel_before: float | None, size: tuple[float, float], flip: bool,
            program: str) -> list[str]:
    from strokebot import __version__

    points = sum(len(s) for s in page.strokes)
    simplified = f"simplified from {points_before}, tolerance {fixed(tolerance)} mm" if tolerance > 0 else "not simplified"
    travel = f"pen-up travel {page.travel_length:.1f} mm"
    if travel_before is not None:
        travel += f" (before ordering {travel_before:.1f} mm)"
    text = [
        f"strokebot {__version__}, profile {profile.name} ({profile.source}): {profile.description}",
        f"page {fixed(size[0])} x {fixed(size[1])} mm, "
        + ("Y up: flipped against the page height" if flip else "Y down as in the image")
        + f", pen width {fixed(pen_width)} mm",
        f"{len(page.strokes)} strokes, {points} points ({simplified})",
        f"pen-down length {page.length:.1f} mm, {travel}",
        plot_time_line(profile, params, program),
    ]
    if profile.info:
        text.append(profile.info)
    width = (profile.max_line_length or 79) - 2
    return ["; " + line for entry in text for line in textwrap.wrap(entry, width)]


class GcodeExporter(Exporter):
    """``--to gcode``: see :func:`to_gcode`; ``strokebot profiles`` lists the machine profiles."""

    name = "gcode"
    suffix = ".gcode"
    description = "G-code for pen plotters, Z-axis pens and lasers (GRBL, Marlin, Klipper profiles)"
    options = {
        "profile": "machine profile, see `strokebot profiles` (default grbl-servo)",
        "profiles_file": "a TOML file of extra profiles",
        "pen_width": "nominal pen width in mm (default: the drawing's, else 0.5)",
        "simplify": "tolerance in mm for dropping points (default half the pen width; 0: keep all)",
        "order": "reorder strokes to cut pen-up travel (default false; `trace` orders already)",
        "page_width": "page width in mm (default: the drawing's)",
        "page_height": "page height in mm; Y flips against it (default: the drawing's)",
        "offset_x": "machine X of the page's origin corner, mm",
        "offset_y": "machine Y of the page's origin corner, mm",
        "vertical_flip": "Y up on the machine (default: the profile's)",
        "acceleration": "mm/s^2 of X and Y; like the six below, only for the plot-time estimate (default: the profile's)",
        "max_rate_x": "mm/min of X: GRBL $110, Marlin M203 X times 60, Klipper max_velocity times 60",
        "max_rate_y": "mm/min of Y: GRBL $111, Marlin M203 Y times 60, Klipper max_velocity times 60",
        "max_rate_z": "mm/min of Z: GRBL $112, Marlin M203 Z times 60, Klipper max_z_velocity times 60",
        "acceleration_x": "mm/s^2 of X: GRBL $120, Marlin M201 X, Klipper max_accel",
        "acceleration_y": "mm/s^2 of Y: GRBL $121, Marlin M201 Y, Klipper max_accel",
        "acceleration_z": "mm/s^2 of Z: GRBL $122, Marlin M201 Z, Klipper max_z_accel",
        "comments": "write the header comments (default true)",
    }
    #: Said after the options by ``strokebot formats gcode``.
    more_options = "and the profile's parameters (feed, travel_feed, z_up, pen_down, ...): see `strokebot profiles NAME`"

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        # to_gcode refuses unknown options itself: the known ones depend on the profile.
        return to_gcode(drawing, options.pop("profile", "grbl-servo"), **options).encode("ascii", errors="replace")
