"""How long a G-code program takes on a machine, and what the header says about it.

:func:`estimate_time` runs a program as firmware runs it (GRBL, Marlin, Klipper: see its doc) on a
machine with the limits a :class:`~strokebot.exporters.profiles.Profile` names, with the planner of
:mod:`strokebot.motion`; :func:`plot_time_line` is the header's line: the estimate, the feeds, and
the machine settings it assumes, named as the profile's firmware names them ($110 for GRBL).

>>> from strokebot.exporters.profiles import get_profile
>>> round(estimate_time("G21\\nG0 X40\\nG0 X0\\n", get_profile("grbl-servo")), 2)  # 40 mm there and back at $110
1.47
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from strokebot.errors import UsageError
from strokebot.exporters import fixed
from strokebot.exporters.profiles import DWELL_UNITS, MACHINE_SETTINGS, Profile

__all__ = ["estimate_time", "plot_time_line"]

# Corner handling for the plot-time estimate: GRBL's default $11.
_JUNCTION_DEVIATION = 0.01  # mm
_WORD = re.compile(r"([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))")
_COMMAND = re.compile(r"[A-Z]\s*[-+.\d]")  # a line of G-code words, not a firmware's own command
# G-codes that change only modes (plane, units, distance, feed mode): motion goes on through them.
_MODAL = {17.0, 20.0, 21.0, 90.0, 91.0, 94.0}
_MOTION = {0.0, 1.0, 2.0, 3.0}


def _duration(seconds: float) -> str:
    """``seconds`` for the header, rounded up: an estimate that is already low should not get lower."""
    if seconds < 60:
        return f"{math.ceil(seconds * 10) / 10:.1f} s"
    seconds = math.ceil(seconds)
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    minutes = math.ceil(seconds / 60)
    return f"{minutes // 60} h {minutes % 60} min"


def estimate_time(program: str, profile: Profile) -> float:
    """Seconds ``program`` takes on a machine with the limits ``profile`` names, first line to last.

    The program is run as firmware runs it, from X0 Y0 Z0: each G0/G1 move at its feed (GRBL's G0
    at the max rates, Marlin's and Klipper's at the F in force) and no axis above its max rate or
    acceleration; moves follow one another without stopping, corners taken as fast as GRBL's
    junction deviation (0.01 mm) allows, and any other command (a pen servo, a dwell) waits for the
    machine to stop. Dwells count in the profile's ``dwell_unit``; G20/G21, G90/G91 and G92 are
    followed. Arcs (G2/G3) count as straight moves, other commands as no time.

    >>> from strokebot.exporters.profiles import get_profile
    >>> grbl = get_profile("grbl-servo")
    >>> # 10 mm at 10 mm/s (1.02 s with the ramps), 0.5 s dwell, 10 mm back at $110 = 4000 mm/min (0.28 s)
    >>> round(estimate_time("G21\\nG1 X10 F600\\nG4 P0.5\\nG0 X0\\n", grbl), 2)
    1.8

    Raises:
        UsageError: the program moves an axis whose max rate or acceleration the profile does not name.
    """
    return _run(program, profile)[0]


def _run(program: str, profile: Profile) -> tuple[float, str]:
    """:func:`estimate_time`'s seconds, and the axes the program moves (e.g. ``"xy"``)."""
    from strokebot.motion import Machine, chain_duration

    rapid_at_max_rate = profile.firmware not in ("marlin", "klipper")
    dwell_unit = DWELL_UNITS[profile.dwell_unit]
    position, offset = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]  # where the machine is; what G92 moved its origin by
    scale, relative, mode, feed = 1.0, False, None, math.inf
    points, speeds, stops = [tuple(position)], [], [True]
    seconds = 0.0
    for raw in program.splitlines():
        code = raw.split(";", 1)[0]
        if "(" in code:
            code = re.sub(r"\(.*?\)", "", code)
        code = code.strip().upper()
        if not code:
            continue
        if not _COMMAND.match(code):  # a firmware's own command (Klipper's SET_SERVO, GRBL's $H): a stop
            stops[-1] = True
            continue
        words = _WORD.findall(code)
        g_codes = {float(v) for letter, v in words if letter == "G"}
        value = {letter: float(v) for letter, v in words if letter not in "GMN"}
        for g in sorted(g_codes):
            scale = 25.4 if g == 20 else 1.0 if g == 21 else scale
            relative = True if g == 91 else False if g == 90 else relative
            mode = g if g in _MOTION else mode
        if "F" in value:
            feed = value["F"] * scale / 60.0
        axes = [value.get(axis) for axis in "XYZ"]
        if 92.0 in g_codes:  # the position is now called this, without moving
            offset = [position[k] - a * scale if a is not None else offset[k] for k, a in enumerate(axes)]
            stops[-1] = True
        elif mode is not None and any(a is not None for a in axes) and not g_codes - _MODAL - _MOTION:
            position = [(position[k] if relative else offset[k]) + a * scale if a is not None else position[k]
                        for k, a in enumerate(axes)]
            points.append(tuple(position))
            speeds.append(math.inf if mode == 0.0 and rapid_at_max_rate else feed)
            stops.append(False)
        elif g_codes - _MODAL - _MOTION or "M" in code:  # the machine stops for it
            if 4.0 in g_codes:
                seconds += value.get("P", 0.0) / dwell_unit + (value.get("S", 0.0) if profile.firmware != "grbl" else 0.0)
            stops[-1] = True
    path = np.array(points)
    moved = "".join(axis for k, axis in enumerate("xyz") if np.ptp(path[:, k]) > 0)
    missing = [f"{kind}_{axis}" for axis in moved for kind in ("max_rate", "acceleration")
               if getattr(profile, f"{kind}_{axis}") is None]
    if missing:
        raise UsageError(f"profile {profile.name!r} ({profile.source}) names no {', '.join(missing)} "
                         f"(GRBL {' '.join(MACHINE_SETTINGS[m] for m in missing)})")
    machine = Machine(
        max_rate=tuple(_limit(profile, "max_rate", axis) / 60.0 for axis in "xyz"),  # type: ignore[arg-type]
        acceleration=tuple(_limit(profile, "acceleration", axis) for axis in "xyz"),  # type: ignore[arg-type]
        junction_deviation=_JUNCTION_DEVIATION,
        toolhead=profile.firmware == "klipper",
    )
    return seconds + chain_duration(path, speeds, machine, stops=stops), moved


def _limit(profile: Profile, kind: str, axis: str) -> float:
    value = getattr(profile, f"{kind}_{axis}")
    return math.inf if value is None else float(value)  # an axis the program never moves


def _assumed_machine(profile: Profile, axes: str) -> str:
    """The machine's limits the estimate took for ``axes``, named as the profile's firmware names them."""
    rate = {axis: _limit(profile, "max_rate", axis) for axis in axes}
    acceleration = {axis: _limit(profile, "acceleration", axis) for axis in axes}
    if profile.firmware == "grbl":
        rates = " ".join(f"{MACHINE_SETTINGS['max_rate_' + a]}={fixed(rate[a], 0)}" for a in axes)
        accelerations = " ".join(f"{MACHINE_SETTINGS['acceleration_' + a]}={fixed(acceleration[a], 0)}" for a in axes)
        return f"GRBL {rates} mm/min, {accelerations} mm/s^2 (see yours with $$)"
    if profile.firmware == "marlin":
        rates = " ".join(f"{a.upper()}{fixed(rate[a] / 60, 1)}" for a in axes)
        accelerations = " ".join(f"{a.upper()}{fixed(acceleration[a], 0)}" for a in axes)
        return f"Marlin M203 {rates} mm/s, M201 {accelerations} mm/s^2 (see yours with M503)"
    if profile.firmware == "klipper":
        text = []
        if "x" in axes or "y" in axes:
            text += [f"max_velocity: {fixed(min(rate.get('x', math.inf), rate.get('y', math.inf)) / 60, 1)}",
                     f"max_accel: {fixed(min(acceleration.get('x', math.inf), acceleration.get('y', math.inf)), 0)}"]
        if "z" in axes:
            text += [f"max_z_velocity: {fixed(rate['z'] / 60, 1)}", f"max_z_accel: {fixed(acceleration['z'], 0)}"]
        return f"Klipper {', '.join(text)} (mm/s, mm/s^2; see printer.cfg)"
    limits = [f"max_rate_{a}={fixed(rate[a], 0)}" for a in axes] + [f"acceleration_{a}={fixed(acceleration[a], 0)}" for a in axes]
    return " ".join(limits) + " (mm/min, mm/s^2)"


def plot_time_line(profile: Profile, params: Mapping[str, Any], program: str) -> str:
    """The header's plot-time line: the estimate, and the feeds and machine limits it assumes."""
    try:
        seconds, axes = _run(program, profile)
    except UsageError as error:
        return f"no plot time estimate: {error}"
    feeds = [f"{label} {fixed(params[name], 0)} mm/min" for name, label in
             (("feed", "feed"), ("travel_feed", "travel"), ("plunge_feed", "plunge")) if name in params]
    if profile.firmware == "grbl":
        feeds.append("G0 at the max rates")
    return (f"estimated plot time {_duration(seconds)}, the whole program from X0 Y0 Z0"
            + (f" ({', '.join(feeds)})" if feeds else "")
            + f"; it assumes {_assumed_machine(profile, axes or 'xy')}: a machine set slower plots slower")
