"""Which stroke a pen draws next, and which way: the features the sequencer decides from.

numpy only. A glyph's parsed strokes (:class:`~strokebot.model.parse.ParsedStroke`) are drawn one
after another; at each step every stroke not drawn yet is a candidate in both directions, and the
sequencer (:mod:`strokebot.model.strokes`) scores each candidate from :func:`candidate_features`:
where it starts and ends and which way it runs (in the glyph's box), where it starts against where
the pen is, how it ranks among the strokes left (the topmost, the leftmost, ...), and whether it
touches the stroke just drawn, and two conventions people are taught: outside before inside (how
many strokes left lie inside the candidate's box, and inside how many of theirs it lies: an arch
before the zigzag it hangs over, a frame before its contents) and a crossing stroke before the one
it crosses (how many strokes left it crosses away from both their ends: 十's bar before its
upright); and what hangs from what: whether the candidate starts, or ends, on ink already drawn (a
stem drawn down from the bar it hangs from), how many strokes left it hangs from (an end of it on
another's line away from that line's ends) and how many hang from it. It also sees the glyph's
aspect: a line of writing is drawn as one goes along it, a character by its conventions. The
highest score is drawn next.

A closed stroke (a loop) may start anywhere: it starts at its top (the point with the least
``y + 0.3 x``: a circle's top, a square's top-left corner), and its two directions are its two
ways round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from strokebot.model.parse import ParsedStroke
from strokebot.model.skeleton import arc_lengths, point_along

__all__ = ["STROKE_FEATURES", "PLACE_FEATURES", "FIRST_FEATURES", "CONVENTION_FEATURES", "Candidates", "candidate_features", "step_rows", "HEAD_REACH"]

#: How far along a stroke its initial and final headings are measured (times the ink's radius, + px).
HEAD_REACH = 6.0

#: Names of a candidate's features, in order. Positions and lengths are in the glyph's box: x and y
#: from its top-left corner, divided by its longer side.
STROKE_FEATURES = (
    "start_x", "start_y", "end_x", "end_y", "centre_x", "centre_y",
    "width", "height", "length", "chord_x", "chord_y", "head_x", "head_y", "tail_x", "tail_y",
    "closed", "straightness", "turning", "bulge", "middle_x", "middle_y",
    "from_pen_x", "from_pen_y", "from_pen", "from_last_centre_x", "from_last_centre_y", "first",
    "rank_top", "rank_left", "rank_centre_y", "rank_centre_x", "left_share", "touches_last", "touches_left",
    "dot", "conventional", "rank_convention", "boxes_inside", "inside_boxes", "crossings",
    "starts_on_drawn", "ends_on_drawn", "rests_on", "rested_on", "aspect",
)  # fmt: skip

#: The first of :data:`STROKE_FEATURES` that say where a candidate lies: its start, end, centre, box
#: and length. A sequencer with ``order_context="place"`` decides by them whom each candidate looks
#: at among the others (:class:`strokebot.model.learn.PlaceAttention`).
PLACE_FEATURES = STROKE_FEATURES.index("chord_x")

#: How many of :data:`STROKE_FEATURES` a sequencer reads when its model file does not say (files
#: written before ``order_features``, strokebot-default 2.4 and earlier): the features before the
#: conventions of boxes and crossings, 37. The sequencer reads the first ``order_features`` columns.
FIRST_FEATURES = STROKE_FEATURES.index("boxes_inside")

#: How many features strokebot-default 2.5's sequencer reads: up to the conventions of boxes and
#: crossings, before what hangs from what (run 40).
CONVENTION_FEATURES = STROKE_FEATURES.index("starts_on_drawn")


def _head(points: np.ndarray, reach: float) -> np.ndarray:
    along = arc_lengths(points)
    vector = point_along(points, along, min(reach, along[-1])) - points[0]
    norm = float(np.hypot(*vector))
    return vector / norm if norm > 1e-9 else np.zeros(2)


def _shape(points: np.ndarray, step: float) -> tuple[float, float, np.ndarray]:
    """How a stroke bends: its total signed turning (turns, + clockwise on the page), its bulge (the
    signed distance of its middle from its chord, over its length) and its heading at the middle."""
    along = arc_lengths(points)
    if along[-1] <= 1e-9:
        return 0.0, 0.0, np.zeros(2)
    marks = np.linspace(0.0, along[-1], max(3, int(along[-1] / step) + 1))
    samples = np.stack([np.interp(marks, along, points[:, k]) for k in range(2)], axis=1)
    headings = np.arctan2(*np.diff(samples, axis=0).T[::-1])
    turning = float(np.sum(np.angle(np.exp(1j * np.diff(headings))))) / (2 * np.pi)
    chord = samples[-1] - samples[0]
    middle = samples[len(samples) // 2] - samples[0]
    bulge = float(chord[0] * middle[1] - chord[1] * middle[0]) / max(float(np.hypot(*chord)), 1e-9) / along[-1]
    k = len(headings) // 2
    return turning, bulge, np.array([np.cos(headings[k]), np.sin(headings[k])])


def _loop_start(stroke: ParsedStroke) -> ParsedStroke:
    """A closed stroke rotated to start at its top (a circle's top, a square's top-left corner):
    the point with the least ``y + 0.3 x``."""
    ring = stroke.points[:-1]
    if len(ring) < 3:
        return stroke
    return stroke.starting_at(int(np.argmin(ring[:, 1] + 0.3 * ring[:, 0])))


@dataclass
class Candidates:
    """A glyph's strokes in both directions, with what every step's features need of them."""

    strokes: list[ParsedStroke]  # 2 per parsed stroke: index 2k as parsed, 2k + 1 reversed
    static: np.ndarray  # (2K, S) features that do not depend on the step
    box: tuple[float, float, float]  # x0, y0, size of the glyph
    aspect: float  # the glyph's width over its width and height: 0.5 square, towards 1 a line of writing
    touching: np.ndarray  # (K, K) bool: strokes that touch
    contains: np.ndarray  # (K, K) bool: stroke i's box holds stroke j's (i != j)
    crosses: np.ndarray  # (K, K) bool: the strokes cross away from both their ends
    rests: np.ndarray  # (K, K) bool: an end of stroke i lies on stroke j away from j's ends (i hangs from j)
    start_on: np.ndarray  # (2K, K) bool: candidate c starts on stroke j (j not c's own stroke)
    centres: np.ndarray  # (K, 2)
    tops: np.ndarray  # (K,) smallest y
    lefts: np.ndarray  # (K,) smallest x

    @classmethod
    def of(cls, strokes: Sequence[ParsedStroke]) -> Candidates:
        strokes = [_loop_start(s) if s.closed else s for s in strokes]
        both = [s for stroke in strokes for s in (stroke, stroke.reversed())]
        allpoints = np.vstack([s.points for s in strokes]) if strokes else np.zeros((1, 2))
        low, high = allpoints.min(axis=0), allpoints.max(axis=0)
        size = max(float((high - low).max()), 1.0)
        rows = []
        medians = {id(s): float(np.median(s.radius)) for s in strokes}
        shapes = [_shape(s.points, 2 * medians[id(s)] + 2.0) for s in strokes]
        _bends = [np.array([t, b]) for t, b, _ in shapes]  # both change sign with the direction
        _middles = [m for _, _, m in shapes]
        for k, s in enumerate(both):
            p = (s.points - low) / size
            length = s.length / size
            chord = p[-1] - p[0]
            chord_norm = float(np.hypot(*chord))
            reach = 2 * medians[id(strokes[k // 2])] + HEAD_REACH
            rows.append(
                [
                    *p[0], *p[-1], *p.mean(axis=0), *np.ptp(p, axis=0), length,
                    *(chord / chord_norm if chord_norm > 1e-9 else np.zeros(2)),
                    *_head(s.points, reach), *-_head(s.points[::-1], reach),
                    float(s.closed), chord_norm / max(length, 1e-9) if not s.closed else 0.0,
                    *_bends[k // 2] * (1 if k % 2 == 0 else -1), *(_middles[k // 2] * (1 if k % 2 == 0 else -1)),
                ]
            )  # fmt: skip
        static = np.array(rows, np.float32).reshape(len(both), 21)
        count = len(strokes)
        radii = np.array([float(np.median(s.radius)) for s in strokes])
        lows = np.array([s.points.min(axis=0) for s in strokes]).reshape(-1, 2)
        highs = np.array([s.points.max(axis=0) for s in strokes]).reshape(-1, 2)
        touching = np.zeros((count, count), bool)
        crosses = np.zeros((count, count), bool)
        rests = np.zeros((count, count), bool)
        start_on = np.zeros((2 * count, count), bool)
        alongs = [arc_lengths(s.points) for s in strokes]
        for i in range(count):
            for j in range(i + 1, count):
                reach = 2 * max(radii[i], radii[j]) + 2.0
                if (np.maximum(lows[i], lows[j]) - reach > np.minimum(highs[i], highs[j]) + reach).any():
                    continue
                touch, cross = _meeting(strokes[i], strokes[j], reach, alongs[i], alongs[j])
                touching[i, j] = touching[j, i] = touch
                crosses[i, j] = crosses[j, i] = cross
                if touch:
                    for a, b in ((i, j), (j, i)):
                        on, on_inner = _ends_on(strokes[a], strokes[b], reach, alongs[b])
                        start_on[2 * a, b], start_on[2 * a + 1, b] = on
                        rests[a, b] = on_inner.any() and not cross
        slack = radii[:, None] + radii[None, :] + 1.0  # a stroke's ink may reach past its centre line
        contains = ((lows[:, None] - slack[..., None] <= lows[None]) & (highs[None] <= highs[:, None] + slack[..., None])).all(axis=2)
        np.fill_diagonal(contains, False)
        centres = np.array([s.points.mean(axis=0) for s in strokes]).reshape(-1, 2)
        tops = np.array([s.points[:, 1].min() for s in strokes])
        lefts = np.array([s.points[:, 0].min() for s in strokes])
        box = (float(low[0]), float(low[1]), size)
        aspect = float((high - low)[0] / max(float((high - low).sum()), 1e-9))
        return cls(both, static, box, aspect, touching, contains, crosses, rests, start_on, centres, tops, lefts)

    def __len__(self) -> int:
        return len(self.strokes) // 2


def _meeting(a: ParsedStroke, b: ParsedStroke, reach: float, along_a: np.ndarray, along_b: np.ndarray) -> tuple[bool, bool]:
    """Do strokes ``a`` and ``b`` (their points ``along_a`` and ``along_b`` along them) come within
    ``reach`` of each other (checked every other point), and do they cross: meet where each is more
    than ``reach`` along from both its ends (a loop has none)?"""
    pa, pb = a.points[::2], b.points[::2]
    gap = (pa[:, None, 0] - pb[None, :, 0]) ** 2 + (pa[:, None, 1] - pb[None, :, 1]) ** 2
    near = gap <= reach * reach
    if not near.any():
        return False, False
    return True, bool(near[np.ix_(_inner(along_a, reach, a.closed)[::2], _inner(along_b, reach, b.closed)[::2])].any())


def _ends_on(a: ParsedStroke, b: ParsedStroke, reach: float, along_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(2,) bool each, for the first and last point of ``a``: does it lie within ``reach`` of ``b``
    (anywhere), and of ``b`` more than ``reach`` along from both its ends (away from them: ``a``
    hangs from ``b``'s middle, as the stem of a T from its bar)? A loop has no ends of its own."""
    if a.closed:
        return np.zeros(2, bool), np.zeros(2, bool)
    ends = a.points[[0, -1]]
    near = ((ends[:, None, :] - b.points[None, :, :]) ** 2).sum(axis=2) <= reach * reach  # (2, N)
    return near.any(axis=1), near[:, _inner(along_b, reach, b.closed)].any(axis=1)


def _inner(along: np.ndarray, reach: float, closed: bool) -> np.ndarray:
    """(N,) bool: the points more than ``reach`` along a stroke from both its ends (all of a loop)."""
    if closed:
        return np.ones(len(along), bool)
    return (along > reach) & (along < along[-1] - reach)


def _rank(values: np.ndarray) -> np.ndarray:
    """Ranks of ``values`` scaled to 0..1 (0 the smallest); 0 for a single value."""
    if len(values) < 2:
        return np.zeros(len(values))
    order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return order / (len(values) - 1)


def candidate_features(candidates: Candidates, left: np.ndarray, last: int | None, pen: np.ndarray | None) -> np.ndarray:
    """Features (:data:`STROKE_FEATURES`) of the candidates of the strokes ``left`` (indices, K' of
    them) at a step: (2K', F), stroke ``left[i]`` as parsed at row 2i and reversed at row 2i + 1.

    ``last`` is the stroke drawn last (None at the first step) and ``pen`` where the pen is (its end).
    """
    x0, y0, size = candidates.box
    rows = step_rows(left)
    static = candidates.static[rows]  # (2K', 21)
    count = len(left)
    dynamic = np.zeros((len(rows), 24), np.float32)
    if last is not None and pen is not None:
        start = static[:, 0:2]
        here = (np.asarray(pen) - (x0, y0)) / size
        dynamic[:, 0:2] = start - here
        dynamic[:, 2] = np.hypot(*(start - here).T)
        last_centre = (candidates.centres[last] - (x0, y0)) / size
        dynamic[:, 3:5] = static[:, 4:6] - last_centre
        dynamic[:, 11] = np.repeat(candidates.touching[last, left], 2)
    else:
        dynamic[:, 5] = 1.0
    for column, values in enumerate((candidates.tops[left], candidates.lefts[left], candidates.centres[left, 1], candidates.centres[left, 0])):
        dynamic[:, 6 + column] = np.repeat(_rank(values), 2)
    dynamic[:, 10] = count / max(len(candidates), 1)
    if count > 1:
        dynamic[:, 12] = np.repeat(candidates.touching[np.ix_(left, left)].sum(axis=1) / 4.0, 2)
    dynamic[:, 13] = (static[:, 8] < 0.05).astype(np.float32)
    # The rule without learning, as a prior the sequencer may overrule: a stroke runs top to bottom
    # or left to right, whichever way it mostly goes; strokes come in the order of y + x / 2.
    chord = static[:, 2:4] - static[:, 0:2]
    steep = np.abs(chord[:, 1]) > np.abs(chord[:, 0])
    dynamic[:, 14] = np.where(np.where(steep, chord[:, 1], chord[:, 0]) >= 0, 1.0, -1.0)
    dynamic[:, 15] = np.repeat(_rank(candidates.centres[left, 1] + 0.5 * candidates.centres[left, 0]), 2)
    inside = candidates.contains[np.ix_(left, left)]  # [i, j]: left[i]'s box holds left[j]
    dynamic[:, 16] = np.repeat(inside.sum(axis=1) / 4.0, 2)
    dynamic[:, 17] = np.repeat(inside.sum(axis=0) / 4.0, 2)
    dynamic[:, 18] = np.repeat(candidates.crosses[np.ix_(left, left)].sum(axis=1) / 4.0, 2)
    drawn = np.setdiff1d(np.arange(len(candidates)), left)
    if len(drawn):
        dynamic[:, 19] = candidates.start_on[np.ix_(rows, drawn)].any(axis=1)
        dynamic[:, 20] = candidates.start_on[np.ix_(rows ^ 1, drawn)].any(axis=1)  # the reversed one's start
    hangs = candidates.rests[np.ix_(left, left)]  # [i, j]: left[i] hangs from left[j]
    dynamic[:, 21] = np.repeat(hangs.sum(axis=1) / 4.0, 2)
    dynamic[:, 22] = np.repeat(hangs.sum(axis=0) / 4.0, 2)
    dynamic[:, 23] = candidates.aspect
    return np.concatenate([static, dynamic], axis=1)  # the columns of STROKE_FEATURES


def step_rows(left: np.ndarray) -> np.ndarray:
    """The rows (as :class:`Candidates` numbers them) of the candidates of a step whose strokes left
    are ``left``, in the order of :func:`candidate_features`' rows: stroke ``left[i]`` as parsed at
    2i, reversed at 2i + 1."""
    left = np.asarray(left)
    return np.stack([2 * left, 2 * left + 1], axis=1).reshape(-1)
