"""Time parameterisation: when the pen is where, so a robot script can replay a drawing in real time.

numpy only. One planner times every export that carries time: :func:`plan` a drawing, for the JSON
trajectory and the CSV waypoints (:func:`waypoints` iterates over its result), and
:func:`chain_duration` a machine program's moves with limits per axis (:class:`Machine`), for the
G-code plot-time estimate.

The planner works like GRBL's: each pen-down stroke is a chain of straight segments. The speed at a
corner is limited by the angle of the turn (the *junction deviation* model,
``v² = a·δ·sin(θ/2) / (1 − sin(θ/2))`` with θ the angle between the reversed incoming and the
outgoing direction, so a straight line is not limited and a reversal stops), then a backward and a
forward pass make every change of speed reachable with the acceleration ``a_max``. Each segment is a
trapezoid: accelerate, cruise at ``v_max``, decelerate. A stroke starts and ends at rest; between
strokes the pen travels pen-up in a straight line at ``v_travel``, also from rest to rest, and the pen
takes ``dwell_down`` seconds to go down and ``dwell_up`` to come up.

Lengths are in the drawing's units, times in seconds: :class:`Timing`'s defaults suit millimetres.

>>> from strokebot.drawing import Drawing, Stroke
>>> d = Drawing([Stroke([[0, 0], [10, 0]]), Stroke([[10, 5], [0, 5]])], width=20, height=20, units="mm")
>>> timing = Timing(v_max=10, a_max=100, v_travel=10, dwell_down=0, dwell_up=0)
>>> [(round(w.t, 3), w.x, w.pen_down) for w in waypoints(d, timing)][:4]
[(0.0, 0.0, False), (0.0, 0.0, True), (1.1, 10.0, True), (1.1, 10.0, False)]
>>> round(plan(d, timing).duration, 3)
2.8
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from strokebot.errors import UsageError

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = [
    "Timing", "Waypoint", "Plan", "plan", "waypoints", "junction_speeds", "segment_times", "Machine", "chain_duration",
]

# Points closer than this are one point for the planner: a zero-length segment has no direction.
_SAME_POINT = 1e-9


@dataclasses.dataclass(frozen=True)
class Timing:
    """Speed limits of the machine, in drawing units and seconds.

    Attributes:
        v_max: top drawing speed, pen down (units/s).
        a_max: acceleration and deceleration (units/s²), pen down and up.
        v_travel: top pen-up travel speed (units/s).
        junction_deviation: how far the path may deviate from a corner taken at speed (units); 0 stops
            at every corner. GRBL's default is 0.01 mm.
        dwell_down: seconds for the pen to go down before a stroke.
        dwell_up: seconds for the pen to come up after a stroke.

    Raises:
        UsageError: a speed or acceleration that is not positive, or a negative deviation or dwell.
    """

    v_max: float = 50.0
    a_max: float = 1000.0
    v_travel: float = 100.0
    junction_deviation: float = 0.01
    dwell_down: float = 0.15
    dwell_up: float = 0.15

    def __post_init__(self) -> None:
        for name in ("v_max", "a_max", "v_travel"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise UsageError(f"timing {name} must be a positive number, got {value!r}")
        for name in ("junction_deviation", "dwell_down", "dwell_up"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise UsageError(f"timing {name} must be a number >= 0, got {value!r}")

    @classmethod
    def of(cls, timing: Timing | None = None, **overrides: Any) -> Timing:
        """``timing`` (or the defaults) with some fields replaced.

        Raises:
            UsageError: a keyword that is not a field (the message lists the fields).
        """
        fields = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise UsageError(f"unknown timing option {unknown[0]!r} (known: {', '.join(fields)})")
        if timing is not None and not isinstance(timing, Timing):
            raise UsageError(f"timing must be a Timing, got {type(timing).__name__}")
        return dataclasses.replace(timing or cls(), **overrides)

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


class Waypoint(NamedTuple):
    """Where the pen is at time ``t`` (seconds from the start).

    Pen-down waypoints are the stroke's points (``index`` counts them). At each end of a stroke a
    pen-up waypoint sits on the same point (``index`` 0 or the last), ``dwell_down`` before the first
    pen-down one and ``dwell_up`` after the last; between two strokes the pen travels pen-up in a
    straight line. ``v`` is the planned speed there (0 at rest); pen-up waypoints have pressure and
    intensity 0.
    """

    t: float
    x: float
    y: float
    pressure: float
    intensity: float
    pen_down: bool
    stroke: int
    index: int
    v: float


@dataclasses.dataclass(frozen=True)
class Plan:
    """The timing of a drawing.

    Attributes:
        timing: the limits it was planned with.
        arrive: per stroke, when the pen (up) arrives over its first point.
        t: per stroke, (N,) when the pen passes each point, pen down.
        v: per stroke, (N,) the planned speed at each point.
        lifted: per stroke, when the pen is up again after its last point.
    """

    timing: Timing
    arrive: list[float]
    t: list[np.ndarray]
    v: list[np.ndarray]
    lifted: list[float]

    @property
    def duration(self) -> float:
        """Seconds from the pen over the first point to the pen lifted after the last stroke."""
        return self.lifted[-1] if self.lifted else 0.0

    @property
    def drawing_time(self) -> float:
        """Seconds spent moving with the pen down."""
        return float(sum(t[-1] - t[0] for t in self.t))


def segment_times(lengths: Any, v0: Any, v1: Any, v_max: float, a_max: float) -> np.ndarray:
    """Time for each segment of ``lengths``, entered at ``v0`` and left at ``v1`` (trapezoid profile).

    The speed rises at ``a_max`` to at most ``v_max`` and falls at ``a_max`` to ``v1``; ``v0`` and
    ``v1`` must be reachable from each other within the segment (the planner's passes see to it).

    >>> segment_times([10.0], [0.0], [0.0], 10.0, 100.0).round(3).tolist()  # 0.1 s up, 0.9 s cruise, 0.1 s down
    [1.1]
    """
    length = np.asarray(lengths, dtype=np.float64)
    v0, v1 = np.asarray(v0, dtype=np.float64), np.asarray(v1, dtype=np.float64)
    peak = np.minimum(v_max, np.sqrt(a_max * length + 0.5 * (v0**2 + v1**2)))
    peak = np.maximum(peak, np.maximum(v0, v1))
    ramps = (peak - v0) / a_max + (peak - v1) / a_max
    cruise = length - (2 * peak**2 - v0**2 - v1**2) / (2 * a_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        cruise_time = np.where(peak > 0, np.maximum(cruise, 0.0) / peak, 0.0)
    return ramps + cruise_time


def junction_speeds(xy: Any, timing: Timing) -> np.ndarray:
    """Planned speed at each point of the polyline ``xy`` (N, 2) with distinct consecutive points.

    Ends are at rest; a corner is limited by its angle and ``junction_deviation``, every speed by
    ``v_max``, and the backward then forward pass make each change reachable with ``a_max``.
    """
    xy = np.asarray(xy, dtype=np.float64)
    if len(xy) < 3:
        return np.zeros(len(xy))
    delta = np.diff(xy, axis=0)
    lengths = np.hypot(delta[:, 0], delta[:, 1])
    each = np.ones(len(lengths))
    return _planned_speeds(delta / lengths[:, None], lengths, timing.v_max * each, timing.a_max * each,
                           timing.a_max * each[1:], timing.junction_deviation)


def _planned_speeds(unit: np.ndarray, lengths: np.ndarray, v_max: np.ndarray, a_max: np.ndarray,
                    a_corner: np.ndarray, deviation: float, rest: np.ndarray | None = None) -> np.ndarray:
    """Speed at each of the M + 1 points of a chain of M segments, GRBL's way, from rest to rest.

    ``unit`` (M, D) and ``lengths`` (M,) are the segments, ``v_max`` and ``a_max`` (M,) their limits,
    ``a_corner`` (M - 1,) the acceleration each junction's deviation is worked out with, ``rest``
    (M - 1,) the junctions where the machine stops.
    """
    speed = np.zeros(len(lengths) + 1)
    if len(lengths) < 2:
        return speed
    cos_theta = -(unit[:-1] * unit[1:]).sum(axis=1)  # 1: reversal, -1: straight on
    sin_half = np.sqrt(np.clip(0.5 * (1.0 - cos_theta), 0.0, 1.0))
    cap = np.minimum(v_max[:-1], v_max[1:])  # a junction is never taken faster than either side's limit
    with np.errstate(divide="ignore", invalid="ignore"):
        corner = np.sqrt(a_corner * deviation * sin_half / (1.0 - sin_half))
    speed[1:-1] = np.minimum(np.where(np.isfinite(corner), corner, cap), cap)
    if rest is not None:
        speed[1:-1][rest] = 0.0
    reach = 2.0 * a_max * lengths
    for i in range(len(speed) - 2, 0, -1):  # backward: able to slow down in time for what comes
        speed[i] = min(speed[i], math.sqrt(speed[i + 1] ** 2 + reach[i]))
    for i in range(1, len(speed) - 1):  # forward: able to reach it from what came
        speed[i] = min(speed[i], math.sqrt(speed[i - 1] ** 2 + reach[i - 1]))
    return speed


def _stroke_profile(xy: np.ndarray, timing: Timing) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from the stroke's start and speed at each of its points."""
    n = len(xy)
    if n == 1:
        return np.zeros(1), np.zeros(1)
    step = np.hypot(*np.diff(xy, axis=0).T)
    distinct = np.concatenate([[True], step > _SAME_POINT])
    kept = np.flatnonzero(distinct)  # a repeated point takes the time and speed of the one before
    speed = junction_speeds(xy[kept], timing)
    lengths = np.hypot(*np.diff(xy[kept], axis=0).T)
    times = np.concatenate([[0.0], np.cumsum(segment_times(lengths, speed[:-1], speed[1:], timing.v_max, timing.a_max))])
    owner = np.cumsum(distinct) - 1
    return times[owner], speed[owner]


def travel_time(distance: float, timing: Timing) -> float:
    """Seconds for a straight pen-up move of ``distance``, from rest to rest."""
    if distance <= _SAME_POINT:
        return 0.0
    return float(segment_times([distance], [0.0], [0.0], timing.v_travel, timing.a_max)[0])


@dataclasses.dataclass(frozen=True)
class Machine:
    """A machine's limits per axis, as its firmware holds them (GRBL: ``$110``-``$112``, ``$120``-``$122``).

    Where :class:`Timing` gives one speed for the pen, a machine limits each axis: GRBL and Marlin
    slow a diagonal move until no axis exceeds its own rate or acceleration. Klipper limits the
    toolhead instead: ``max_velocity`` and ``max_accel`` bound the pen's speed in any direction, and
    only Z has limits of its own (``toolhead=True``).

    Attributes:
        max_rate: top speed of the X, Y and Z axes (units/s).
        acceleration: acceleration of the X, Y and Z axes (units/s²).
        junction_deviation: as in :class:`Timing` (GRBL's ``$11``).
        toolhead: X and Y limits bound the pen's speed and acceleration in any direction.

    Raises:
        UsageError: a rate or acceleration that is not a positive number (``inf``: no limit).
    """

    max_rate: tuple[float, float, float]
    acceleration: tuple[float, float, float]
    junction_deviation: float = 0.01
    toolhead: bool = False

    def __post_init__(self) -> None:
        for name in ("max_rate", "acceleration"):
            values = getattr(self, name)
            if len(values) != 3 or not all(isinstance(v, (int, float)) and v > 0 for v in values):
                raise UsageError(f"machine {name} must be three positive numbers (X, Y, Z), got {values!r}")
        if not (math.isfinite(self.junction_deviation) and self.junction_deviation >= 0):
            raise UsageError(f"machine junction_deviation must be a number >= 0, got {self.junction_deviation!r}")

    def limit(self, values: tuple[float, float, float], unit: np.ndarray) -> np.ndarray:
        """The most each direction of ``unit`` (M, 3) allows of a per-axis limit ``values`` (rates or accelerations)."""
        limits = np.asarray(values, dtype=np.float64)
        with np.errstate(divide="ignore"):
            share = np.where(np.abs(unit) > 1e-12, limits / np.abs(unit), np.inf)
        if self.toolhead:  # the pen's speed itself, in any direction of the XY plane
            share[:, :2] = np.where(np.abs(unit[:, :2]) > 1e-12, min(limits[0], limits[1]), np.inf)
        return share.min(axis=1)


def chain_duration(points: Any, speeds: Any, machine: Machine, *, stops: Any = None) -> float:
    """Seconds to move through ``points`` (N, 3) in straight segments, from rest to rest.

    Segment ``i`` runs at most at ``speeds[i]`` (units/s, ``inf`` for as fast as the machine goes)
    and within ``machine``'s limits; junctions are planned as in :func:`junction_speeds`, with the
    acceleration GRBL uses for them (the machine's, in the direction the pen turns). Where ``stops``
    (N,) is true the machine comes to rest (a pen lift or a dwell between moves).

    >>> machine = Machine(max_rate=(10, 10, 10), acceleration=(100, 100, 100))
    >>> round(chain_duration([[0, 0, 0], [10, 0, 0]], [np.inf], machine), 3)  # as segment_times' example
    1.1
    """
    points = np.asarray(points, dtype=np.float64)
    speeds = np.asarray(speeds, dtype=np.float64)
    delta = np.diff(points, axis=0)
    lengths = np.sqrt((delta**2).sum(axis=1))
    moving = lengths > _SAME_POINT
    rest = np.zeros(int(moving.sum()) + 1, dtype=bool)
    if stops is not None:  # a stop at a point counts where the planner keeps that position
        np.logical_or.at(rest, np.concatenate([[0], np.cumsum(moving)]), np.asarray(stops, dtype=bool))
    delta, lengths, speeds = delta[moving], lengths[moving], speeds[moving]
    if not len(lengths):
        return 0.0
    unit = delta / lengths[:, None]
    v_max = np.minimum(speeds, machine.limit(machine.max_rate, unit))
    a_max = machine.limit(machine.acceleration, unit)
    turn = unit[1:] - unit[:-1]
    size = np.sqrt((turn**2).sum(axis=1))
    a_corner = machine.limit(machine.acceleration, turn / np.where(size > 0, size, 1.0)[:, None])
    speed = _planned_speeds(unit, lengths, v_max, a_max, np.where(size > 0, a_corner, np.inf), machine.junction_deviation,
                            rest=rest[1:-1])
    return float(segment_times(lengths, speed[:-1], speed[1:], v_max, a_max).sum())


def plan(drawing: Drawing, timing: Timing | None = None) -> Plan:
    """Time every point of ``drawing``, pen-up travel and pen dwell included (see the module doc).

    Time 0 is the pen, up, over the first stroke's first point.
    """
    timing = Timing.of(timing)
    arrive: list[float] = []
    times: list[np.ndarray] = []
    speeds: list[np.ndarray] = []
    lifted: list[float] = []
    clock = 0.0
    previous_end: np.ndarray | None = None
    for stroke in drawing.strokes:
        if previous_end is not None:
            clock += travel_time(float(np.hypot(*(stroke.start - previous_end))), timing)
        arrive.append(clock)
        offsets, speed = _stroke_profile(stroke.xy, timing)
        times.append(clock + timing.dwell_down + offsets)
        speeds.append(speed)
        clock = float(times[-1][-1]) + timing.dwell_up
        lifted.append(clock)
        previous_end = stroke.end
    return Plan(timing=timing, arrive=arrive, t=times, v=speeds, lifted=lifted)


def waypoints(drawing: Drawing, timing: Timing | None = None) -> Iterator[Waypoint]:
    """Timed waypoints of ``drawing`` in drawing order, pen-up ones included (see :class:`Waypoint`).

    ``drawing.waypoints(v_max=40)`` is the same with :class:`Timing` fields as keywords.
    """
    timed = plan(drawing, timing)
    for k, stroke in enumerate(drawing.strokes):
        x, y = stroke.xy[0]
        yield Waypoint(timed.arrive[k], float(x), float(y), 0.0, 0.0, False, k, 0, 0.0)
        for i, (point, t, v) in enumerate(zip(stroke.points, timed.t[k], timed.v[k], strict=True)):
            yield Waypoint(float(t), float(point[0]), float(point[1]), float(point[2]), float(point[3]), True, k, i, float(v))
        x, y = stroke.xy[-1]
        yield Waypoint(timed.lifted[k], float(x), float(y), 0.0, 0.0, False, k, len(stroke) - 1, 0.0)
