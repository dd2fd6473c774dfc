"""From a stroke graph to strokes: which branches a pen draws in one go, and the strokes' shape.

numpy only. At every node of a :class:`~strokebot.model.skeleton.StrokeGraph` the branch ends that
meet are paired: a pair is one stroke passing through, an unpaired end is a stroke ending there.
Which pairs to make is the stroke model's call (:mod:`strokebot.model.strokes`); this module gives it
what it decides from (:func:`junction_features`) and builds the strokes that follow from its
decisions (:func:`assemble`):

* the branches of each chain of pairs are joined into one centre line; where the chain passes through
  a junction, the part of each branch inside the junction's ink (which thinning pulls towards the
  other branches) is replaced by a straight join;
* a spur that no pair continues is left undrawn;
* a dead end (a stroke with a free end, meeting a stroke that passes its junction) may be drawn as
  an **excursion** of that stroke, out and back, as a pen retraces the stem of an m or a person
  draws a glyph in one go (:func:`with_excursions`; the stroke model decides which), when it is no
  longer than a way the pen would go back along to stay down;
* once the strokes are in order, the pen may **stay down** from one stroke to the next, going along
  the ink between them (:func:`stay_down`), as a person writing a word in one go does;
* centre lines are smoothed along their length (thinning leaves a one-pixel staircase), moved
  across onto the middle of their ink where the ink there is theirs alone, and their free ends
  are extended to where the pen's tip would have been, half the ink's width inside its end.

Strokes come out as :class:`ParsedStroke`: points, the ink's radius at each, and the branches they
are made of, in either direction; the stroke model then decides each stroke's direction and order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from strokebot.model.skeleton import Branch, StrokeGraph, arc_lengths, ink_centre, ink_width, point_along

__all__ = [
    "STAY_FEATURES",
    "graph_path",
    "stay_features",
    "stay_down_candidates",
    "cut_back_way",
    "stay_down",
    "EXCURSION_FEATURES",
    "Excursion",
    "excursion_candidates",
    "excursion_features",
    "with_excursions",
    "End",
    "ParsedStroke",
    "branch_ends",
    "heading",
    "straight_pairs",
    "pair_ends",
    "assemble",
    "JUNCTION_FEATURES",
    "junction_features",
]

#: How far along a branch its heading at a node is measured, beyond the junction's ink (pixels).
HEADING_REACH = 6.0


@dataclass(frozen=True)
class End:
    """One end of a branch: ``side`` 0 is where the branch starts (its ``a`` node), 1 where it ends."""

    branch: int
    side: int


@dataclass
class ParsedStroke:
    """One stroke as the graph gives it: a centre line through branches, not yet directed."""

    points: np.ndarray  # (N, 2) x, y
    radius: np.ndarray  # (N,)
    branches: list[int]
    closed: bool = False  # a loop: it may start anywhere along it
    nodes: tuple[int, ...] = ()  # the graph nodes it starts at, passes through and ends at, in order

    @property
    def length(self) -> float:
        return float(np.hypot(*np.diff(self.points, axis=0).T).sum()) if len(self.points) > 1 else 0.0

    def reversed(self) -> ParsedStroke:
        return ParsedStroke(self.points[::-1].copy(), self.radius[::-1].copy(), self.branches[::-1], self.closed, self.nodes[::-1])

    def starting_at(self, k: int) -> ParsedStroke:
        """A closed stroke turned to start and end at its point ``k`` (the same way round)."""
        ring, radius = self.points[:-1], self.radius[:-1]
        return ParsedStroke(np.vstack([ring[k:], ring[: k + 1]]), np.concatenate([radius[k:], radius[: k + 1]]), self.branches, True, self.nodes)


def branch_ends(graph: StrokeGraph) -> dict[int, list[End]]:
    """Per node, the branch ends that meet there (a loop's two ends both at its node)."""
    ends: dict[int, list[End]] = {n: [] for n in range(len(graph.nodes))}
    for k, branch in enumerate(graph.branches):
        if len(branch.points) > 1:
            ends[branch.a].append(End(k, 0))
            ends[branch.b].append(End(k, 1))
    return ends


def _leaving(graph: StrokeGraph, end: End) -> np.ndarray:
    """The branch's points from the node outwards."""
    points = graph.branches[end.branch].points
    return points if end.side == 0 else points[::-1]


def heading(graph: StrokeGraph, end: End, *, reach: float = HEADING_REACH) -> np.ndarray:
    """Unit vector from the node along the branch, measured just outside the junction's ink.

    The direction from the point ``r`` along the branch (``r`` the ink's radius at the node: inside
    it thinning bends the line) to the point ``r + reach`` along it, or as far as the branch goes.
    """
    points = _leaving(graph, end)
    node = graph.branches[end.branch].a if end.side == 0 else graph.branches[end.branch].b
    radius = float(graph.node_radius[node])
    along = arc_lengths(points)
    if along[-1] <= 0:
        return np.zeros(2)
    near = point_along(points, along, min(radius, 0.5 * along[-1]))
    far = point_along(points, along, min(radius + reach, along[-1]))
    vector = far - near
    if np.hypot(*vector) < 1e-6:
        vector = points[-1] - points[0]
    return vector / max(float(np.hypot(*vector)), 1e-9)


def turn_angle(a: np.ndarray, b: np.ndarray) -> float:
    """Degrees a pen turns arriving along ``-a`` and leaving along ``b`` (0: straight through)."""
    return float(np.degrees(np.arccos(np.clip(-(a @ b), -1.0, 1.0))))


def straight_pairs(graph: StrokeGraph, *, straight: float = 45.0) -> dict[End, End]:
    """The rule without learning: ends continue each other when they turn by at most ``straight``
    degrees, straightest first; spurs never pair."""

    def score(graph: StrokeGraph, node: int, a: End, b: End) -> float:
        if graph.branches[a.branch].spur or graph.branches[b.branch].spur:
            return 0.0
        return 1.0 - turn_angle(heading(graph, a), heading(graph, b)) / (2 * straight)

    return pair_ends(graph, score)


def pair_ends(graph: StrokeGraph, score: Callable[[StrokeGraph, int, End, End], float], *, threshold: float = 0.5) -> dict[End, End]:
    """Pair the ends at every node by ``score(graph, node, a, b)``, highest first, each end at most once.

    Only pairs scoring above ``threshold`` are made. Returns each paired end's partner (both ways).
    """
    partner: dict[End, End] = {}
    for node, ends in branch_ends(graph).items():
        if len(ends) < 2:
            continue
        candidates = []
        for i, a in enumerate(ends):
            for b in ends[i + 1 :]:
                if a.branch == b.branch and len(ends) > 2:
                    continue  # a loop closing on itself at a junction: its ends pair elsewhere
                candidates.append((score(graph, node, a, b), i, a, b))
        for value, _, a, b in sorted(candidates, key=lambda c: (-c[0], c[1])):
            if value > threshold and a not in partner and b not in partner:
                partner[a], partner[b] = b, a
    return partner


def assemble(graph: StrokeGraph, partner: dict[End, End], *, smooth: bool = True) -> list[ParsedStroke]:
    """The strokes that the pairs ``partner`` make of ``graph`` (see the module's docstring)."""
    used: set[int] = set()
    strokes: list[ParsedStroke] = []
    degree = graph.degrees()
    for k, branch in enumerate(graph.branches):
        if k in used:
            continue
        # Walk back from k's start to the first branch of its chain (or all the way round a loop).
        end, chain = End(k, 0), [k]
        while end in partner:
            previous = partner[end]
            if previous.branch in chain:
                break
            chain.append(previous.branch)
            end = End(previous.branch, 1 - previous.side)
        first = end  # the stroke enters the graph through this end: it leaves its branch by the other
        pieces: list[tuple[int, bool]] = []  # (branch, forwards)
        end, seen = End(first.branch, 1 - first.side), set()
        closed = False
        while end.branch not in seen:
            seen.add(end.branch)
            pieces.append((end.branch, end.side == 1))
            if end not in partner:
                break
            nxt = partner[end]
            if nxt.branch in seen:
                closed = nxt.branch == first.branch
                break
            end = End(nxt.branch, 1 - nxt.side)
        used |= seen
        if all(graph.branches[b].spur for b, _ in pieces):
            continue  # a spur no stroke continues is not drawn
        closed = closed or (len(pieces) == 1 and branch.a == branch.b and len(branch.points) > 2)
        strokes.append(_centre_line(graph, degree, pieces, closed, smooth))
    return strokes


def _centre_line(graph: StrokeGraph, degree: np.ndarray, pieces: Sequence[tuple[int, bool]], closed: bool, smooth: bool) -> ParsedStroke:
    """The stroke along ``pieces`` (branch, forwards); ``degree``: :meth:`StrokeGraph.degrees`."""
    parts: list[np.ndarray] = []
    radii: list[np.ndarray] = []
    corners: list[int] = []  # where the line turns at a corner node: smoothing keeps these points
    count = 0
    for index, (k, forwards) in enumerate(pieces):
        branch: Branch = graph.branches[k] if forwards else graph.branches[k].reversed()
        points, radius = branch.points, branch.radius
        # Inside a junction the pen goes straight: cut each side's points within the junction's ink,
        # where thinning bent them into the crossing. A corner (a node of two branches) is where the
        # pen turned: the line goes into it.
        keep = np.ones(len(points), bool)
        along = arc_lengths(points)
        if index > 0 or closed:
            if degree[branch.a] > 2:
                keep &= along >= min(graph.node_radius[branch.a], 0.4 * along[-1])
            elif index > 0:
                keep[0] = False  # the corner point, which the piece before ends at
        if (index < len(pieces) - 1 or closed) and degree[branch.b] > 2:
            keep &= along[-1] - along >= min(graph.node_radius[branch.b], 0.4 * along[-1])
        if degree[branch.b] == 2 and (index < len(pieces) - 1 or closed) and keep[-1]:
            corners.append(count + int(keep.sum()) - 1)
        if keep.any():
            parts.append(points[keep])
            radii.append(radius[keep])
            count += int(keep.sum())
    points = np.vstack(parts) if parts else graph.branches[pieces[0][0]].points[:1]
    radius = np.concatenate(radii) if radii else graph.branches[pieces[0][0]].radius[:1]
    if closed and len(points) > 2 and np.any(points[-1] != points[0]):
        points, radius = np.vstack([points, points[:1]]), np.concatenate([radius, radius[:1]])
    if smooth and len(points) > 2:
        points = _smoothed(points, closed, pinned=corners)
        if graph.ink is not None:  # onto the ink's middle, then the measuring's noise smoothed out
            points = _smoothed(_centred(graph.ink, points, radius, pinned=corners), closed, pinned=corners)
    if graph.ink is not None and len(points) > 1:
        # Half the ink's width across the line: the distance transform's whole-pixel steps and the
        # skeleton's offset from the true centre make ``radius`` about a pixel short.
        measured = ink_width(graph.ink, points, 1.5 * radius + 2.0) / 2
        radius = np.minimum(measured, 2 * radius + 1.0)  # a crossing line is not this one's width
    if smooth and len(points) > 2:
        radius = _smoothed(radius[:, None], closed)[:, 0]
    if not closed and len(points) > 1:
        points = _extended(graph, degree, points, radius, pieces)
    nodes = [graph.branches[k].a if forwards else graph.branches[k].b for k, forwards in pieces]
    last, forwards = pieces[-1]
    nodes.append(graph.branches[last].b if forwards else graph.branches[last].a)
    return ParsedStroke(points, radius, [k for k, _ in pieces], closed, tuple(nodes))


def _smoothed(points: np.ndarray, closed: bool, passes: int = 6, pinned: Sequence[int] = ()) -> np.ndarray:
    """Thinning's one-pixel staircase smoothed out without shrinking the line (Taubin's λ|μ).

    Each pass moves every point half way to the mean of its neighbours (λ = 0.5) and then back out
    a little further (μ = -0.53): the staircase (a wiggle over a few points) is damped, a bend over
    many points is kept. Plain averaging pulls every curve towards its centre of curvature, which
    made a traced 0 smaller than its ink. The ends of an open line stay, and so do the ``pinned``
    points (corners, where the pen turned).
    """
    out = np.array(points, dtype=np.float64)
    pinned = sorted({0 if closed and p == len(out) - 1 else p for p in pinned if 0 <= p < len(out)})
    held = out[pinned].copy()
    for _ in range(passes):
        for weight in (0.5, -0.53):
            if closed:
                ring = out[:-1]
                ring = ring + weight * (0.5 * (np.roll(ring, 1, axis=0) + np.roll(ring, -1, axis=0)) - ring)
                ring[pinned] = held
                out = np.vstack([ring, ring[:1]])
            else:
                out[1:-1] = out[1:-1] + weight * (0.5 * (out[:-2] + out[2:]) - out[1:-1])
                out[pinned] = held
    return out


#: The most a centre line is moved across to the middle of its ink, in pixels: thinning's staircase
#: is off by at most about half a pixel, and a larger move is another stroke's pull.
CENTRE_SHIFT = 0.75


def own_ink(ink: np.ndarray, points: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~strokebot.model.skeleton.ink_centre` across a line of ``radius`` (N,): read as far as
    :func:`ink_width` reads a line's width (1.5 radii + 2 px), and the line's alone where no wider
    than 2 radii + 3 px. The middle of the ink (N, 2), whether it is the line's own (N,), its width (N,)."""
    return ink_centre(ink, points, 1.5 * radius + 2.0, widest=2 * radius + 3.0)


def _centred(ink: np.ndarray, points: np.ndarray, radius: np.ndarray, pinned: Sequence[int] = ()) -> np.ndarray:
    """The smoothed centre line moved across to the middle of its ink, where the ink there is its own.

    Thinning leaves the line on whole pixels: a shallow slope is a staircase whose steps are too far
    apart for smoothing to flatten without rounding real bends, and a glyph drawn at the working
    scale and scaled up shows it as a wobble (a straight line turning by up to 163 degrees in all,
    read every pen width: ``benchmarks/smooth_lines.py``). The ink knows better: anti-aliased or
    resampled edges put its middle between pixels. Each point moves to the centre of mass of the
    ink across the line, by at most :data:`CENTRE_SHIFT`, where that cross-section is the line's
    alone (not at junctions, nor where another stroke runs close or into it) and not near a corner
    (``pinned``), where the line across one arm meets the other.
    """
    radius = np.asarray(radius, np.float64)  # the skeleton's: about a pixel short
    centres, alone, _ = own_ink(ink, points, radius)
    shift = np.where(alone[:, None], centres - points, 0.0)
    length = np.hypot(*shift.T)
    shift *= (np.minimum(length, CENTRE_SHIFT) / np.maximum(length, 1e-9))[:, None]
    along = arc_lengths(points)
    for corner in (p for p in pinned if 0 <= p < len(shift)):  # across an arm near it lies the other arm
        shift[np.abs(along - along[corner]) < 2 * radius[corner] + 2.0] = 0.0
    return points + shift


def _extended(graph: StrokeGraph, degree: np.ndarray, points: np.ndarray, radius: np.ndarray, pieces: Sequence[tuple[int, bool]]) -> np.ndarray:
    """Free line ends moved out along the line to where a round pen's centre would have stopped.

    Thinning stops a line short of its end by about the ink's radius there, minus one pixel; a line
    end at a junction stays where it is.
    """
    first_branch = graph.branches[pieces[0][0]] if pieces[0][1] else graph.branches[pieces[0][0]].reversed()
    last_branch = graph.branches[pieces[-1][0]] if pieces[-1][1] else graph.branches[pieces[-1][0]].reversed()
    out = points.copy()
    for at, node, sign in ((0, first_branch.a, 1), (-1, last_branch.b, -1)):
        if degree[node] != 1:
            continue
        inner = points[min(3, len(points) - 1)] if sign == 1 else points[max(-4, -len(points))]
        vector = points[at] - inner
        norm = float(np.hypot(*vector))
        if norm < 1e-6:
            continue
        reach = max(0.0, float(np.median(radius[: 5] if sign == 1 else radius[-5:])) - 1.0)
        out[at] = points[at] + vector / norm * reach * 0.5
    return out


# -- what the stroke model decides from -------------------------------------------------------------

#: Names of the features of a pair of branch ends meeting at a node, in order.
JUNCTION_FEATURES = (
    "turn",  # degrees the pen turns from one into the other, / 180
    "turn_rank",  # 0 for the straightest pair at the node, 1 for the next, ... / 4
    "best_other_turn",  # the straightest other pair these ends could make instead, / 180
    "degree",  # branch ends at the node, / 4
    "spur_a",
    "spur_b",  # either end a spur
    "length_a",
    "length_b",  # branch lengths / the glyph's size
    "free_a",
    "free_b",  # the branch's other end is a line end
    "ax",
    "ay",
    "bx",
    "by",  # headings of both ends (unit vectors), in the order that makes ``a`` the upper-left one
    "node_x",
    "node_y",  # the node's place in the glyph's box, 0..1
    "radius",  # the ink's radius at the node / the median radius of the glyph
    "corner",  # the node is a corner of one line (degree 2), not a junction
)


def junction_features(graph: StrokeGraph, node: int, a: End, b: End, context: GlyphContext) -> np.ndarray:
    """The features (:data:`JUNCTION_FEATURES`) of pairing ends ``a`` and ``b`` at ``node``."""
    ends = context.ends[node]
    headings = {e: context.headings[e] for e in ends}
    turns = {}
    for i, e in enumerate(ends):
        for f in ends[i + 1 :]:
            turns[(e, f)] = turns[(f, e)] = turn_angle(headings[e], headings[f])
    this = turns[(a, b)]
    ranked = sorted({v for (e, f), v in turns.items() if e != f})
    others = [v for (e, f), v in turns.items() if (e in (a, b)) != (f in (a, b))]
    ha, hb = headings[a], headings[b]
    if (hb[1], hb[0]) < (ha[1], ha[0]):
        a, b, ha, hb = b, a, hb, ha
    branch_a, branch_b = graph.branches[a.branch], graph.branches[b.branch]
    far_a = branch_a.b if a.side == 0 else branch_a.a
    far_b = branch_b.b if b.side == 0 else branch_b.a
    x0, y0, size = context.box
    return np.array(
        [
            this / 180.0,
            ranked.index(this) / 4.0 if this in ranked else 1.0,
            (min(others) if others else 180.0) / 180.0,
            len(ends) / 4.0,
            float(branch_a.spur),
            float(branch_b.spur),
            branch_a.length / size,
            branch_b.length / size,
            float(context.degree[far_a] == 1),
            float(context.degree[far_b] == 1),
            ha[0],
            ha[1],
            hb[0],
            hb[1],
            (graph.nodes[node][0] - x0) / size,
            (graph.nodes[node][1] - y0) / size,
            graph.node_radius[node] / context.radius,
            float(len(ends) == 2),
        ],
        np.float32,
    )


@dataclass
class GlyphContext:
    """What every feature of one glyph's graph is measured against."""

    ends: dict[int, list[End]]
    headings: dict[End, np.ndarray]
    degree: np.ndarray
    box: tuple[float, float, float]  # x0, y0, size (the longer side of the ink's box)
    radius: float  # the median ink radius of the glyph
    extent: tuple[float, float]  # the ink box's width and height

    @classmethod
    def of(cls, graph: StrokeGraph) -> GlyphContext:
        ends = branch_ends(graph)
        headings = {e: heading(graph, e) for es in ends.values() for e in es}
        degree = graph.degrees()
        allpoints = np.vstack([b.points for b in graph.branches]) if graph.branches else np.zeros((1, 2))
        low, high = allpoints.min(axis=0), allpoints.max(axis=0)
        size = max(float((high - low).max()), 1.0)
        radii = np.concatenate([b.radius for b in graph.branches]) if graph.branches else np.ones(1)
        width, height = (max(float(side), 1.0) for side in high - low)
        return cls(ends, headings, degree, (float(low[0]), float(low[1]), size), max(float(np.median(radii)), 0.5), (width, height))


# -- retraced excursions ----------------------------------------------------------------------------

#: Names of the features of drawing a dead-end stroke as an excursion of a stroke passing its junction.
EXCURSION_FEATURES = (
    "length",  # the dead end's length / the glyph's size
    "length_share",  # its length / the host stroke's
    "head_x",
    "head_y",  # its heading from the junction
    "turn_in",  # the smaller of the turns from the host into the dead end (either way through), / 180
    "turn_out",  # the matching turn back out into the host, / 180
    "degree",  # branch ends at the junction, / 4
    "straightness",  # the dead end's chord over its length
    "radius",  # its ink radius over the host's
    "node_x",
    "node_y",  # the junction's place in the glyph's box
)


@dataclass(frozen=True)
class Excursion:
    """Stroke ``dead_end`` drawn out and back from where stroke ``host`` passes node ``node``."""

    dead_end: int
    host: int
    node: int


def excursion_candidates(graph: StrokeGraph, strokes: Sequence[ParsedStroke]) -> list[Excursion]:
    """Every stroke with one free end whose other end meets a stroke passing through that junction.

    A dead end shorter than four times the ink's radius is a blob at a sharp corner or a line's
    end, not a stem a pen retraces: drawing it out and back would add a hook the glyph does not have.
    Nor is one the pen would not go back along to stay down (:func:`stay_down_candidates`): longer
    than :data:`STAY_REACH` of the stroke it leaves, or :data:`STAY_CAP` of the glyph. Drawn out and
    back, such a dead end is drawn twice: a u's whole bowl from its stem, a 3's lower bow from the
    prong in its middle (MODEL_CARD.md, run 39).
    """
    degree = graph.degrees()
    size = _drawing_size(strokes)
    lengths = [stroke.length for stroke in strokes]
    found = []
    for e, stroke in enumerate(strokes):
        if stroke.closed or len(stroke.nodes) < 2 or not 4 * float(np.median(stroke.radius)) + 2 <= lengths[e] <= STAY_CAP * size:
            continue
        for free, node in ((stroke.nodes[0], stroke.nodes[-1]), (stroke.nodes[-1], stroke.nodes[0])):
            if degree[free] != 1 or degree[node] < 3:
                continue
            for h, host in enumerate(strokes):
                if h != e and node in host.nodes[1:-1] and lengths[e] <= STAY_REACH * lengths[h]:
                    found.append(Excursion(e, h, node))
    return found


def _drawing_size(strokes: Sequence[ParsedStroke]) -> float:
    """The longer side of the strokes' box (at least 1)."""
    if not strokes:
        return 1.0
    return max(float(np.ptp(np.vstack([s.points for s in strokes]), axis=0).max()), 1.0)


def excursion_features(graph: StrokeGraph, strokes: Sequence[ParsedStroke], excursion: Excursion, context: GlyphContext) -> np.ndarray:
    """The features (:data:`EXCURSION_FEATURES`) of drawing ``excursion``."""
    dead, host = strokes[excursion.dead_end], strokes[excursion.host]
    node = excursion.node
    out = dead.points if dead.nodes[0] == node else dead.points[::-1]
    head = out[min(len(out) - 1, 6)] - out[0]
    head = head / max(float(np.hypot(*head)), 1e-9)
    at = int(np.argmin(np.hypot(*(host.points - graph.nodes[node]).T)))
    before = host.points[max(0, at - 6)] - host.points[at]
    after = host.points[min(len(host.points) - 1, at + 6)] - host.points[at]
    before /= max(float(np.hypot(*before)), 1e-9)
    after /= max(float(np.hypot(*after)), 1e-9)
    ways = [(turn_angle(before, head), turn_angle(head, after)), (turn_angle(after, head), turn_angle(head, before))]
    turn_in, turn_out = min(ways)
    x0, y0, size = context.box
    length = dead.length
    chord = float(np.hypot(*(dead.points[-1] - dead.points[0])))
    return np.array(
        [
            length / size,
            length / max(host.length, 1e-9),
            head[0],
            head[1],
            turn_in / 180.0,
            turn_out / 180.0,
            context.degree[node] / 4.0,
            chord / max(length, 1e-9),
            float(np.median(dead.radius)) / max(float(np.median(host.radius)), 1e-9),
            (graph.nodes[node][0] - x0) / size,
            (graph.nodes[node][1] - y0) / size,
        ],
        np.float32,
    )


def with_excursions(graph: StrokeGraph, strokes: list[ParsedStroke], chosen: Sequence[Excursion]) -> list[ParsedStroke]:
    """The strokes with each chosen dead end drawn out and back inside its host, as a pen retracing it."""
    inserts: dict[int, list[Excursion]] = {}
    taken: set[int] = set()
    for excursion in chosen:
        if excursion.dead_end in taken or excursion.dead_end in inserts or excursion.host in taken:
            continue
        taken.add(excursion.dead_end)
        inserts.setdefault(excursion.host, []).append(excursion)
    result = []
    for h, host in enumerate(strokes):
        if h in taken:
            continue
        points, radius = host.points, host.radius
        # Later insertions first, so earlier positions along the host stay valid.
        places = sorted(
            ((int(np.argmin(np.hypot(*(points - graph.nodes[x.node]).T))), x) for x in inserts.get(h, [])), key=lambda p: -p[0]
        )
        for at, excursion in places:
            dead = strokes[excursion.dead_end]
            out = dead if dead.nodes[0] == excursion.node else dead.reversed()
            loop = np.vstack([out.points[1:], out.points[::-1][1:-1]])
            loop_radius = np.concatenate([out.radius[1:], out.radius[::-1][1:-1]])
            points = np.vstack([points[: at + 1], loop, points[at:]])
            radius = np.concatenate([radius[: at + 1], loop_radius, radius[at:]])
        if len(places):
            result.append(ParsedStroke(points, radius, host.branches + [b for _, x in places for b in strokes[x.dead_end].branches], host.closed, host.nodes))
        else:
            result.append(host)
    return result


# -- staying down between strokes --------------------------------------------------------------------

#: Names of the features of going on from one stroke to the next without lifting the pen, along the ink.
STAY_FEATURES = (
    "path",  # length of the way along the ink from the first stroke's end to the next's start / glyph size
    "path_share",  # that length / the two strokes' lengths
    "same_node",  # the next stroke starts where the first ends
    "turn_in",  # the turn from the first stroke onto the way, / 180 (0 when there is no way)
    "turn_out",  # the turn from the way onto the next stroke, / 180
    "turn_direct",  # the turn from the first stroke straight onto the next, / 180
    "free_end",  # the first stroke ends at a line end (the way back retraces it)
    "free_start",  # the next stroke starts at a line end
    "length_a",
    "length_b",  # the strokes' lengths / glyph size
    "gap",  # the straight distance from the end to the start / glyph size
    "retrace",  # the share of the way that runs along the first stroke's own last branch
    # A written word is measured by its own height, not its width: its letters are not a kanji's details.
    "aspect",  # log of the glyph box's width over its height
    "path_height",  # the way's length / the glyph box's height
    "path_pens",  # the way's length in ink widths, / 20
    "length_a_height",
    "length_b_height",  # the strokes' lengths / the glyph box's height
)


def graph_path(graph: StrokeGraph, start: int, goal: int) -> tuple[float, list[tuple[int, bool]]] | None:
    """The shortest way along the branches from node ``start`` to node ``goal``: its length and its
    branches, each with whether it is walked from its start; None when the ink does not connect them."""
    import heapq

    if start == goal:
        return 0.0, []
    links: dict[int, list[tuple[float, int, int, bool]]] = {}
    for k, branch in enumerate(graph.branches):
        if branch.a != branch.b and len(branch.points) > 1:
            links.setdefault(branch.a, []).append((branch.length, branch.b, k, True))
            links.setdefault(branch.b, []).append((branch.length, branch.a, k, False))
    best = {start: 0.0}
    came: dict[int, tuple[int, int, bool]] = {}
    queue = [(0.0, start)]
    while queue:
        distance, node = heapq.heappop(queue)
        if node == goal:
            way = []
            while node != start:
                previous, branch, forwards = came[node]
                way.append((branch, forwards))
                node = previous
            return distance, way[::-1]
        if distance > best.get(node, np.inf):
            continue
        for length, other, branch, forwards in links.get(node, []):
            if distance + length < best.get(other, np.inf):
                best[other] = distance + length
                came[other] = (node, branch, forwards)
                heapq.heappush(queue, (distance + length, other))
    return None


def way_points(graph: StrokeGraph, way: Sequence[tuple[int, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """The centre line (and ink radius) of a way of branches, from its first node to its last."""
    points, radius = [], []
    for k, forwards in way:
        branch = graph.branches[k] if forwards else graph.branches[k].reversed()
        points.append(branch.points if not points else branch.points[1:])
        radius.append(branch.radius if not radius else branch.radius[1:])
    return (np.vstack(points), np.concatenate(radius)) if points else (np.zeros((0, 2)), np.zeros(0))


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.hypot(*vector)), 1e-9)


def stay_features(
    graph: StrokeGraph, first: ParsedStroke, second: ParsedStroke, way: tuple[float, list[tuple[int, bool]]], context: GlyphContext
) -> np.ndarray:
    """The features (:data:`STAY_FEATURES`) of drawing ``second`` right after ``first`` without a pen lift."""
    length, branches = way
    _, _, size = context.box
    width, height = context.extent
    tail = _unit(first.points[-1] - first.points[max(0, len(first.points) - 7)])
    head = _unit(second.points[min(len(second.points) - 1, 6)] - second.points[0])
    if branches:
        path, _ = way_points(graph, branches)
        out = _unit(path[min(len(path) - 1, 6)] - path[0])
        into = _unit(path[-1] - path[max(0, len(path) - 7)])
        turn_in, turn_out = turn_angle(-tail, out), turn_angle(-into, head)
    else:
        turn_in = turn_out = 0.0
    last_branch = first.branches[-1] if first.branches else -1
    retraced = sum(graph.branches[k].length for k, _ in branches if k == last_branch)
    return np.array(
        [
            length / size,
            length / max(first.length + second.length, 1e-9),
            float(not branches),
            turn_in / 180.0,
            turn_out / 180.0,
            turn_angle(-tail, head) / 180.0,
            float(context.degree[first.nodes[-1]] == 1),
            float(context.degree[second.nodes[0]] == 1),
            first.length / size,
            second.length / size,
            float(np.hypot(*(second.points[0] - first.points[-1]))) / size,
            retraced / max(length, 1e-9),
            float(np.log(width / height)),
            length / height,
            length / (2.0 * context.radius) / 20.0,
            first.length / height,
            second.length / height,
        ],
        np.float32,
    )


#: A way between two strokes is a candidate for staying down when it is no longer than this share of
#: the longer stroke (a joined-up hand goes back down the stem of a t or a d it has just drawn up) ...
STAY_REACH = 1.5
#: ... and than this share of the glyph's longer side.
STAY_CAP = 0.5


def stay_down_candidates(graph: StrokeGraph, sequence: Sequence[ParsedStroke]) -> list[tuple[int, tuple[float, list[tuple[int, bool]]]]]:
    """For consecutive strokes of ``sequence`` (index ``i`` and ``i + 1``) that the ink connects by a
    short way: the way. A pen retraces a stem to go on, not a long stretch of the glyph: a way longer
    than :data:`STAY_REACH` of the longer of the two strokes, or :data:`STAY_CAP` of the glyph, is no
    candidate. A loop (the o or the e of a word) is joined at its node like any stroke."""
    found = []
    size = _drawing_size(sequence)
    for i, (first, second) in enumerate(itertools.pairwise(sequence)):
        if not first.nodes or not second.nodes:
            continue
        way = graph_path(graph, first.nodes[-1], second.nodes[0])
        if way is not None and way[0] <= min(STAY_REACH * max(first.length, second.length), STAY_CAP * size):
            found.append((i, way))
    return found


def _trimmed(points: np.ndarray, radius: np.ndarray, length: float, *, tail: bool) -> tuple[np.ndarray, np.ndarray]:
    """``points`` without their last (``tail``) or first ``length`` pixels of path."""
    if not tail:
        points, radius = points[::-1], radius[::-1]
    along = arc_lengths(points)
    keep = along <= along[-1] - length + 1e-6
    keep[0] = True
    points, radius = points[keep], radius[keep]
    return (points, radius) if tail else (points[::-1], radius[::-1])


def _loop_from(graph: StrokeGraph, loop: ParsedStroke, node: int) -> ParsedStroke:
    """A closed stroke turned to start and end where it passes ``node``: the order may start a loop
    anywhere (its top), but the pen stays down into it or out of it only at the node it meets the
    rest of the glyph at."""
    ring = loop.points[:-1]
    if len(ring) < 3:
        return loop
    return loop.starting_at(int(np.argmin(np.hypot(*(ring - graph.nodes[node]).T))))


def cut_back_way(
    graph: StrokeGraph, first: ParsedStroke, second: ParsedStroke, way: Sequence[tuple[int, bool]]
) -> tuple[bool, bool, list[tuple[int, bool]]]:
    """How :func:`stay_down` goes from ``first`` to ``second`` along ``way``: whether it cuts back the
    first stroke's last branch, the second's first branch, and the way the pen then draws between them.

    A way that starts by going back along the first stroke's last branch, or ends by going out along
    the next stroke's first branch, retraces it; when that branch is short (a blob at a corner, no
    longer than the ink is wide), the strokes are cut back instead, so the pen turns at the node
    rather than drawing a hook out and back. What is left of the way is drawn twice (every branch
    belongs to some stroke); when nothing is left, the pen retraces nothing.
    """
    rest = list(way)
    short = 2.5 * float(np.median(first.radius)) + 2.0
    head = bool(rest) and bool(first.branches) and rest[0][0] == first.branches[-1] and graph.branches[rest[0][0]].length <= short
    if head:
        rest = rest[1:]
    tail = bool(rest) and bool(second.branches) and rest[-1][0] == second.branches[0] and graph.branches[rest[-1][0]].length <= short
    if tail:
        rest = rest[:-1]
    return head, tail, rest


def stay_down(graph: StrokeGraph, sequence: list[ParsedStroke], joins: Sequence[tuple[int, tuple[float, list[tuple[int, bool]]]]]) -> list[ParsedStroke]:
    """``sequence`` with the pen kept down from stroke ``i`` to ``i + 1`` for each join, along its way
    (a blob at a corner cut back rather than drawn out and back: :func:`cut_back_way`)."""
    joined = {i: way for i, way in joins}
    result: list[ParsedStroke] = []
    for i, stroke in enumerate(sequence):
        if stroke.closed and (i in joined or i - 1 in joined):  # a loop starts and ends at its node
            stroke = _loop_from(graph, stroke, stroke.nodes[0])
        if i - 1 in joined and result:
            previous = result.pop()
            head_points, head_radius = previous.points, previous.radius
            tail_points, tail_radius = stroke.points, stroke.radius
            cut_head, cut_tail, way = cut_back_way(graph, previous, stroke, joined[i - 1][1])
            if cut_head:
                head_points, head_radius = _trimmed(head_points, head_radius, graph.branches[previous.branches[-1]].length, tail=True)
            if cut_tail:
                tail_points, tail_radius = _trimmed(tail_points, tail_radius, graph.branches[stroke.branches[0]].length, tail=False)
            path, radius = way_points(graph, way)
            parts = [head_points, path[1:-1] if len(path) > 2 else np.zeros((0, 2)), tail_points]
            radii = [head_radius, radius[1:-1] if len(radius) > 2 else np.zeros(0), tail_radius]
            stroke = ParsedStroke(
                np.vstack(parts), np.concatenate(radii), previous.branches + [k for k, _ in joined[i - 1][1]] + stroke.branches,
                False, previous.nodes + stroke.nodes,
            )
        result.append(stroke)
    return result
