"""The stroke data model: a :class:`Drawing` is an ordered list of pen-down :class:`Stroke` s.

numpy only. Coordinates are in the drawing's ``units``: source-image pixels (origin top-left, y down)
as traced, millimetres once :meth:`Drawing.fit` or :meth:`Drawing.scaled` put it on a page. The pen
travels with the pen up from the end of one stroke to the start of the next.

Per point a stroke carries x, y, a pressure and an ink intensity, both in 0..1. The line width at a
point is ``pen_width * (0.5 + pressure)``: ``pen_width`` is the nominal width, at pressure 0.5.

>>> import numpy as np
>>> d = Drawing([Stroke([[0, 0], [3, 4]]), Stroke([[3, 0], [3, 4]])], width=10, height=10)
>>> d.length, d.travel_length, d.pen_lifts
(9.0, 4.0, 2)
>>> d.reordered().travel_length
0.0
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from strokebot.motion import Timing, Waypoint

__all__ = ["Stroke", "Drawing", "Steps", "DEFAULT_PRESSURE", "DEFAULT_INTENSITY"]

DEFAULT_PRESSURE = 0.5
DEFAULT_INTENSITY = 1.0


class Stroke:
    """One pen-down run: ``points`` is a float array (N, 4) of x, y, pressure, intensity.

    ``glyph`` numbers the glyph of the source image the stroke belongs to (0 for a single glyph),
    so that exporters can put each glyph on its own layer.

    Raises:
        UsageError: ``points`` is not (N, 2) or (N, 4) with N >= 1, or holds NaN or infinity.
    """

    __slots__ = ("points", "glyph")

    def __init__(self, points: Any, *, glyph: int = 0) -> None:
        array = np.array(points, dtype=np.float64)  # copy: a stroke owns its points
        if array.ndim != 2 or array.shape[1] not in (2, 4) or len(array) == 0:
            raise UsageError(f"stroke points must have shape (N, 2) or (N, 4) with N >= 1, got {array.shape}")
        if array.shape[1] == 2:
            extra = np.empty((len(array), 2))
            extra[:, 0], extra[:, 1] = DEFAULT_PRESSURE, DEFAULT_INTENSITY
            array = np.hstack([array, extra])
        if not np.isfinite(array).all():
            raise UsageError("stroke points must be finite numbers")
        array.flags.writeable = False
        self.points: np.ndarray = array
        self.glyph = int(glyph)

    @classmethod
    def _unchecked(cls, points: np.ndarray, glyph: int) -> Stroke:
        """A stroke around ``points`` as they are: no copy, no checks.

        For code of this package that built ``points`` itself as a read-only float64 (N, 4) array
        of finite numbers (it may be a view into a bigger read-only array); tracing makes tens of
        thousands of strokes a second this way.
        """
        stroke = object.__new__(cls)
        stroke.points = points
        stroke.glyph = glyph
        return stroke

    @property
    def xy(self) -> np.ndarray:
        """Positions, (N, 2)."""
        return self.points[:, :2]

    @property
    def pressure(self) -> np.ndarray:
        """Pen pressure per point in 0..1, (N,)."""
        return self.points[:, 2]

    @property
    def intensity(self) -> np.ndarray:
        """Ink intensity per point in 0..1, (N,)."""
        return self.points[:, 3]

    @property
    def start(self) -> np.ndarray:
        return self.points[0, :2]

    @property
    def end(self) -> np.ndarray:
        return self.points[-1, :2]

    @property
    def length(self) -> float:
        """Length of the polyline."""
        return float(np.hypot(*np.diff(self.xy, axis=0).T).sum())

    def reversed(self) -> Stroke:
        """The same stroke drawn from its end to its start."""
        points = self.points[::-1].copy()
        points.flags.writeable = False
        return Stroke._unchecked(points, self.glyph)

    def with_points(self, points: Any) -> Stroke:
        """A stroke of the same glyph with other points."""
        return Stroke(points, glyph=self.glyph)

    def __len__(self) -> int:
        return len(self.points)

    def __repr__(self) -> str:
        return f"Stroke({len(self)} points, length={self.length:.3g}, glyph={self.glyph})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stroke):
            return NotImplemented
        return self.glyph == other.glyph and np.array_equal(self.points, other.points)

    __hash__ = None  # type: ignore[assignment]


@dataclasses.dataclass
class Steps:
    """A drawing as one pen gesture: where the pen starts, then per step a velocity, a pressure and an
    ink intensity (1 pen down, 0 a pen-up move); positions are the running sum of the velocities.

    >>> d = Drawing([Stroke([[0, 0], [4, 0]]), Stroke([[4, 3], [4, 7]])], width=10, height=10)
    >>> steps = d.steps(spacing=2.0)
    >>> steps.velocity.tolist(), steps.intensity.tolist()
    ([[2.0, 0.0], [2.0, 0.0], [0.0, 1.5], [0.0, 1.5], [0.0, 2.0], [0.0, 2.0]], [1.0, 1.0, 0.0, 0.0, 1.0, 1.0])
    >>> steps.positions()[-1].tolist()
    [4.0, 7.0]
    """

    start: np.ndarray  # (2,)
    velocity: np.ndarray  # (T, 2)
    pressure: np.ndarray  # (T,)
    intensity: np.ndarray  # (T,)

    def positions(self) -> np.ndarray:
        """(T + 1, 2): the start, then the position after each step."""
        return np.vstack([self.start, self.start + np.cumsum(self.velocity, axis=0)])


@dataclasses.dataclass(eq=False)
class Drawing:
    """Strokes on a page of ``width`` × ``height`` ``units``, drawn in list order.

    Attributes:
        strokes: the pen-down runs, in drawing order.
        width, height: the page: the source image's size in pixels as traced.
        units: ``"px"`` (source-image pixels, y down) or ``"mm"``.
        pen_width: nominal line width (at pressure 0.5) in ``units``; None when unknown.
        source_size: (width, height) of the traced image in pixels, if any.
        model: name and version of the model that traced it, e.g. ``"strokebot-default 1"``.
        glyph_boxes: per glyph the box (x0, y0, x1, y1) it was traced from, in ``units``.
        meta: free-form extra metadata (JSON-serialisable values).
    """

    strokes: list[Stroke]
    width: float
    height: float
    units: str = "px"
    pen_width: float | None = None
    source_size: tuple[int, int] | None = None
    model: str | None = None
    glyph_boxes: list[tuple[float, float, float, float]] = dataclasses.field(default_factory=list)
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self.strokes = list(self.strokes)
        if self.units not in ("px", "mm"):
            raise UsageError(f"drawing units must be 'px' or 'mm', got {self.units!r}")
        if not (self.width > 0 and self.height > 0):
            raise UsageError(f"page size must be positive, got {self.width} x {self.height}")

    # -- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.strokes)

    def __iter__(self) -> Iterator[Stroke]:
        return iter(self.strokes)

    def __repr__(self) -> str:
        return (
            f"Drawing({len(self.strokes)} strokes, {self.width:.4g}x{self.height:.4g}{self.units}, "
            f"length={self.length:.4g}, travel={self.travel_length:.4g})"
        )

    @property
    def glyph_count(self) -> int:
        return max([len(self.glyph_boxes)] + [s.glyph + 1 for s in self.strokes])

    @property
    def pen_lifts(self) -> int:
        """How many times the pen lifts: once after each stroke."""
        return len(self.strokes)

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(xmin, ymin, xmax, ymax) of all points, or None for an empty drawing."""
        if not self.strokes:
            return None
        xy = np.concatenate([s.xy for s in self.strokes])
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def length(self) -> float:
        """Total pen-down length."""
        return float(sum(s.length for s in self.strokes))

    @property
    def travel_length(self) -> float:
        """Pen-up travel between consecutive strokes (not to or from a home position)."""
        return self.travel_from(None)

    def travel_from(self, origin: Sequence[float] | None) -> float:
        """Pen-up travel, from ``origin`` to the first stroke when given, then between strokes."""
        if not self.strokes:
            return 0.0
        starts = np.array([s.start for s in self.strokes])
        ends = np.array([s.end for s in self.strokes])
        if origin is not None:
            ends = np.vstack([np.asarray(origin, float)[None], ends[:-1]])
        else:
            starts, ends = starts[1:], ends[:-1]
        return float(np.hypot(*(starts - ends).T).sum())

    # -- transforming ----------------------------------------------------------------------------

    def steps(self, *, count: int | None = None, spacing: float | None = None) -> Steps:
        """The drawing as one pen gesture of equal steps (:class:`Steps`), pen-up moves included.

        The path runs from the first stroke's start through every stroke in order; it is cut into
        ``count`` steps of equal length, or into steps of at most ``spacing`` units along each piece
        (pen-down run or pen-up move), so every stroke's ends fall on a step. A step takes the pressure
        and intensity of where its middle lies.
        """
        if (count is None) == (spacing is None):
            raise UsageError("give steps either a count or a spacing")
        if not self.strokes:
            return Steps(np.zeros(2), np.zeros((0, 2)), np.zeros(0), np.zeros(0))
        path, pressure, down = [], [], []
        for stroke in self.strokes:
            if path:  # the pen-up move from the last stroke's end
                path.append(stroke.points[:1, :2])
                pressure.append(stroke.points[:1, 2])
                down.append(np.zeros(1, bool))
            path.append(stroke.points[:, :2])
            pressure.append(stroke.points[:, 2])
            down.append(np.ones(len(stroke.points), bool))
        points, weight, state = np.vstack(path), np.concatenate(pressure), np.concatenate(down)
        # Segment k runs from point k to point k + 1 and is pen-down when point k + 1 is.
        segment_down = state[1:]
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
        if count is not None:
            marks = np.linspace(0.0, along[-1], int(count) + 1)
        else:
            if not spacing or not spacing > 0:
                raise UsageError(f"spacing must be positive, got {spacing}")
            changes = np.flatnonzero(segment_down[1:] != segment_down[:-1]) + 1  # segment k starts a new piece
            joints = np.concatenate([[0.0], along[changes], [along[-1]]])
            marks = np.unique(np.concatenate([np.linspace(a, b, max(1, int(np.ceil((b - a) / spacing - 1e-9))) + 1) for a, b in itertools.pairwise(joints)]))
        at = np.stack([np.interp(marks, along, points[:, k]) for k in range(2)], axis=1)
        middle = (marks[:-1] + marks[1:]) / 2
        segment = np.clip(np.searchsorted(along, middle, side="right") - 1, 0, max(len(segment_down) - 1, 0))
        intensity = segment_down[segment].astype(float) if len(segment_down) else np.ones(len(middle))
        return Steps(at[0], np.diff(at, axis=0), np.interp(middle, along, weight), intensity)

    def replace(self, **changes: Any) -> Drawing:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def transformed(
        self, matrix: Any, *, width: float, height: float, units: str | None = None
    ) -> Drawing:
        """Apply the 2×3 affine ``matrix`` to every point; the new page is ``width`` × ``height``.

        Widths (``pen_width``) scale by the square root of the matrix determinant.
        """
        m = np.asarray(matrix, dtype=np.float64).reshape(2, 3)
        scale = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))

        def apply(points: np.ndarray) -> np.ndarray:
            out = points.copy()
            out[:, :2] = points[:, :2] @ m[:, :2].T + m[:, 2]
            return out

        return self.replace(
            strokes=[s.with_points(apply(s.points)) for s in self.strokes],
            width=width,
            height=height,
            units=units or self.units,
            pen_width=None if self.pen_width is None else self.pen_width * scale,
            glyph_boxes=[_box_of(apply(np.array([[b[0], b[1], 0, 0], [b[2], b[3], 0, 0]]))) for b in self.glyph_boxes],
        )

    def scaled(self, factor: float, *, units: str | None = None) -> Drawing:
        """Scale everything, page included, by ``factor`` about the origin; optionally relabel units."""
        if not factor > 0:
            raise UsageError(f"scale factor must be positive, got {factor}")
        return self.transformed(
            [[factor, 0, 0], [0, factor, 0]], width=self.width * factor, height=self.height * factor, units=units
        )

    def fit(
        self,
        *,
        width: float | None = None,
        height: float | None = None,
        margin: float = 0.0,
        crop: bool = False,
    ) -> Drawing:
        """Scale to a physical size in millimetres, keeping the aspect ratio.

        The source frame (the whole image), or with ``crop`` the strokes' bounds, is scaled to fit
        ``width`` and/or ``height`` minus ``margin`` on every side, and centred. With one of the two
        given, the page's other side follows from the aspect ratio; with both, the page is exactly
        that size. With neither, one source pixel becomes one CSS pixel (1/96 in).

        >>> d = Drawing([Stroke([[0, 0], [28, 14]])], width=28, height=28)
        >>> f = d.fit(width=40)
        >>> f.units, f.width, f.height, f.strokes[0].end.tolist()
        ('mm', 40.0, 40.0, [40.0, 20.0])
        """
        for name, value in (("width", width), ("height", height)):
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise UsageError(f"{name} must be a length above 0 mm, got {value!r}")
        if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin >= 0):
            raise UsageError(f"margin must be a length of 0 mm or more, got {margin!r}")
        if crop and self.strokes:
            x0, y0, x1, y1 = self.bounds()  # type: ignore[misc]
        else:
            x0, y0, x1, y1 = 0.0, 0.0, self.width, self.height
        frame_w, frame_h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        per_unit = 25.4 / 96.0 if self.units == "px" else 1.0
        inner = []
        for name, side, frame in (("wide", width, frame_w), ("high", height, frame_h)):
            if side is None:
                continue
            if side - 2 * margin <= 0:
                raise UsageError(f"margin {margin:g} mm on each side leaves no room on a page {side:g} mm {name}")
            inner.append((side - 2 * margin) / frame)
        scale = min(inner) if inner else per_unit
        page_w = float(width) if width is not None else frame_w * scale + 2 * margin
        page_h = float(height) if height is not None else frame_h * scale + 2 * margin
        offset_x = (page_w - frame_w * scale) / 2 - x0 * scale
        offset_y = (page_h - frame_h * scale) / 2 - y0 * scale
        return self.transformed(
            [[scale, 0, offset_x], [0, scale, offset_y]], width=page_w, height=page_h, units="mm"
        )

    def simplified(self, tolerance: float, *, attribute_tolerance: float = 0.1) -> Drawing:
        """Drop points that change the path by less than ``tolerance`` (Ramer–Douglas–Peucker).

        A point is also kept where pressure or intensity deviate from the straight interpolation by
        more than ``attribute_tolerance``, so a Z-depth or laser-power profile survives.
        """
        if tolerance < 0:
            raise UsageError(f"simplification tolerance must not be negative, got {tolerance}")
        return self.replace(
            strokes=[s.with_points(s.points[_rdp_keep(s.points, tolerance, attribute_tolerance)]) for s in self.strokes]
        )

    def reordered(
        self, *, reverse: bool = True, two_opt: bool = True, origin: Sequence[float] | None = (0.0, 0.0)
    ) -> Drawing:
        """Reorder strokes to cut pen-up travel from ``origin`` (the pen's home) through all strokes.

        Greedy nearest neighbour, then 2-opt passes that reverse runs of strokes while that shortens
        the travel. With ``reverse``, a stroke may be drawn backwards (2-opt needs it). The result is
        never worse than the order given.
        """
        strokes = self.strokes
        if len(strokes) < 2:
            return self.replace()
        home = np.asarray(origin if origin is not None else strokes[0].start, float)
        starts = np.array([s.start for s in strokes])
        ends = np.array([s.end for s in strokes])
        todo = np.ones(len(strokes), bool)
        order: list[tuple[int, bool]] = []  # (stroke index, reversed)
        position = home
        for _ in range(len(strokes)):
            to_start = np.where(todo, np.hypot(*(starts - position).T), np.inf)
            to_end = np.where(todo, np.hypot(*(ends - position).T), np.inf) if reverse else np.full(len(strokes), np.inf)
            i_start, i_end = int(to_start.argmin()), int(to_end.argmin())
            flipped = bool(to_end[i_end] < to_start[i_start])
            index = i_end if flipped else i_start
            todo[index] = False
            order.append((index, flipped))
            position = starts[index] if flipped else ends[index]
        if two_opt and reverse and len(order) <= 2000:
            order = _two_opt(order, starts, ends, home)
        ordered = [strokes[k].reversed() if flipped else strokes[k] for k, flipped in order]
        candidate = self.replace(strokes=ordered)
        return candidate if candidate.travel_from(home) <= self.travel_from(home) else self.replace()

    # -- time and exports ------------------------------------------------------------------------

    def waypoints(self, timing: Timing | None = None, **options: Any) -> Iterator[Waypoint]:
        """Timed waypoints for a robot script, pen-up moves included, in drawing order.

        ``timing`` (or its fields as keywords: ``v_max``, ``a_max``, ``v_travel``, ...) sets the
        velocity and acceleration limits, in drawing units per second. See :mod:`strokebot.motion`.
        """
        from strokebot import motion

        return motion.waypoints(self, motion.Timing.of(timing, **options))

    def export(self, format: str, path: str | Path | None = None, **options: Any) -> bytes | None:
        """Write the drawing in ``format`` (see ``strokebot formats``); return the bytes if no ``path``."""
        from strokebot import exporters

        return exporters.export(self, format, path, **options)

    def to_gcode(self, path: str | Path | None = None, *, profile: str = "grbl-servo", **options: Any) -> bytes | None:
        """G-code for a pen plotter or laser, with a machine ``profile`` (see ``strokebot profiles``)."""
        return self.export("gcode", path, profile=profile, **options)

    def to_svg(self, path: str | Path | None = None, **options: Any) -> bytes | None:
        """A plotter-ready SVG (physical size, one path per stroke, Inkscape layers)."""
        return self.export("svg", path, **options)

    def to_json(self, path: str | Path | None = None, **options: Any) -> bytes | None:
        """A timed ``strokebot.trajectory`` JSON document for robot scripts."""
        return self.export("json", path, **options)

    def render(self, path: str | Path | None = None, **options: Any) -> bytes | None:
        """A PNG of what the machine will draw (see the ``png`` format's options)."""
        return self.export("png", path, **options)


def _two_opt(order: list[tuple[int, bool]], starts: np.ndarray, ends: np.ndarray, home: np.ndarray, passes: int = 8) -> list[tuple[int, bool]]:
    """Improve a stroke order by reversing runs of it (each stroke in the run drawn backwards)."""
    order = list(order)
    for _ in range(passes):
        improved = False
        firsts = np.array([ends[k] if f else starts[k] for k, f in order])  # where each stroke starts
        lasts = np.array([starts[k] if f else ends[k] for k, f in order])  # and ends
        before = np.vstack([home[None], lasts[:-1]])  # pen position before stroke i
        n = len(order)
        for i in range(n - 1):
            # Reverse order[i..j]: before[i] -> lasts[j] and firsts[i] -> firsts[j + 1] replace
            # before[i] -> firsts[i] and lasts[j] -> firsts[j + 1] (no next stroke at the end).
            j = np.arange(i + 1, n)
            following = np.vstack([firsts[i + 2 :], np.full((1, 2), np.nan)])
            old = np.hypot(*(firsts[i] - before[i])) + np.nan_to_num(np.hypot(*(following - lasts[j]).T))
            new = np.hypot(*(lasts[j] - before[i]).T) + np.nan_to_num(np.hypot(*(following - firsts[i]).T))
            gain = old - new
            best = int(np.argmax(gain))
            if gain[best] > 1e-9:
                k = i + 1 + best
                order[i : k + 1] = [(index, not flipped) for index, flipped in reversed(order[i : k + 1])]
                improved = True
                firsts = np.array([ends[m] if f else starts[m] for m, f in order])
                lasts = np.array([starts[m] if f else ends[m] for m, f in order])
                before = np.vstack([home[None], lasts[:-1]])
        if not improved:
            break
    return order


def _box_of(points: np.ndarray) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _rdp_keep(points: np.ndarray, tolerance: float, attribute_tolerance: float) -> np.ndarray:
    """Indices of the points Ramer–Douglas–Peucker keeps, iteratively (no recursion limit)."""
    n = len(points)
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        inner = points[first + 1 : last]
        a, b = points[first], points[last]
        ab = b[:2] - a[:2]
        length2 = float(ab @ ab)
        # np.minimum(np.maximum()) is np.clip without its per-call overhead (this runs per split).
        t = np.minimum(np.maximum(((inner[:, :2] - a[:2]) @ ab) / length2, 0.0), 1.0) if length2 > 0 else np.zeros(len(inner))
        nearest = a[:2] + t[:, None] * ab
        distance = np.hypot(*(inner[:, :2] - nearest).T)
        along = (np.arange(1, last - first) / (last - first))[:, None]
        attributes = np.abs(inner[:, 2:] - (a[2:] + along * (b[2:] - a[2:]))).max(axis=1)
        excess = np.maximum(distance / max(tolerance, 1e-12), attributes / max(attribute_tolerance, 1e-12))
        worst = int(excess.argmax())
        if excess[worst] > 1.0:
            split = first + 1 + worst
            keep[split] = True
            stack.extend([(first, split), (split, last)])
    return np.flatnonzero(keep)


def concatenate(drawings: Iterable[Drawing], *, width: float, height: float) -> Drawing:
    """Strokes of several drawings of the same units on one page, glyph numbers kept apart."""
    drawings = list(drawings)
    strokes: list[Stroke] = []
    boxes: list[tuple[float, float, float, float]] = []
    for drawing in drawings:
        offset = len(boxes)
        strokes.extend(Stroke(s.points, glyph=s.glyph + offset) for s in drawing.strokes)
        boxes.extend(drawing.glyph_boxes or [(0.0, 0.0, drawing.width, drawing.height)])
    first = drawings[0] if drawings else None
    return Drawing(
        strokes,
        width=width,
        height=height,
        units=first.units if first else "px",
        pen_width=first.pen_width if first else None,
        model=first.model if first else None,
        glyph_boxes=boxes,
    )
