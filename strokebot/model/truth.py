"""What the true strokes of a glyph say about its stroke graph: the labels the stroke model learns.

Given the graph of a glyph's ink and the pen path that made it (KanjiVG's official strokes, a
person's trajectory, a font's strokes), every point of every branch is matched to the nearest point
of the true strokes: which stroke, and how far along it. From that:

* :func:`join_labels` — at a node, two branch ends are one stroke passing through when both are
  matched to the same true stroke, on opposite sides of the node and at consecutive places along it;
* :func:`stroke_labels` — each parsed stroke's true stroke, whether it runs in the true direction,
  and its place in the true order (true stroke, then how far along it).

Used by training only (it uses scipy's k-d tree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from strokebot.metrics import sample_polyline
from strokebot.model.parse import End, ParsedStroke
from strokebot.model.skeleton import StrokeGraph, arc_lengths

__all__ = ["Matcher", "join_labels", "stroke_labels", "StrokeLabel", "true_sequence"]

#: Branch points farther than this (plus the ink's radius) from every true stroke match nothing.
MATCH_SLACK = 3.0
#: How much of a branch beyond the junction's ink decides which true stroke it follows (pixels).
WINDOW = 8.0


class Matcher:
    """Matches pieces of centre line to the true strokes they follow."""

    def __init__(self, true: Sequence[np.ndarray], spacing: float = 0.5) -> None:
        from scipy.spatial import cKDTree

        self.strokes, self.along, self.tangents = [], [], []
        for stroke in true:
            points = sample_polyline(np.asarray(stroke, np.float64)[:, :2], spacing=spacing)
            steps = arc_lengths(points)
            tangent = np.gradient(points, axis=0) if len(points) > 1 else np.zeros_like(points)
            tangent /= np.maximum(np.hypot(*tangent.T), 1e-9)[:, None]
            self.strokes.append(points)
            self.along.append(steps)
            self.tangents.append(tangent)
        self.count = len(self.strokes)
        self.length = np.array([a[-1] for a in self.along]) if self.along else np.zeros(0)
        self.trees = [cKDTree(p) for p in self.strokes]
        self.low = np.array([p.min(axis=0) for p in self.strokes]).reshape(-1, 2)
        self.high = np.array([p.max(axis=0) for p in self.strokes]).reshape(-1, 2)

    def stays_near(self, stroke: int, start: float, end: float, point: np.ndarray, reach: float) -> bool:
        """Does true stroke ``stroke`` stay within ``reach`` of ``point`` between places ``start`` and ``end``?"""
        low, high = min(start, end), max(start, end)
        along = self.along[stroke]
        between = self.strokes[stroke][(along >= low) & (along <= high)]
        return not len(between) or float(np.hypot(*(between - point).T).max()) <= reach

    def follow(self, points: np.ndarray, radius: float) -> tuple[int, np.ndarray]:
        """The true stroke a piece of centre line (N, 2) follows, and its points' places along it.

        Each true stroke is scored by the mean distance to it plus how far its direction is from the
        piece's, where they meet; the best one within ``radius`` + :data:`MATCH_SLACK` wins (-1: none).
        """
        if not self.count or len(points) == 0:
            return -1, np.zeros(0)
        direction = points[-1] - points[0]
        norm = float(np.hypot(*direction))
        best, best_cost, best_along = -1, np.inf, np.zeros(0)
        reach = radius + MATCH_SLACK
        # Only strokes whose box comes within reach of the piece's can be within reach on average.
        near = np.flatnonzero(((self.low - reach) <= points.max(axis=0)).all(axis=1) & ((self.high + reach) >= points.min(axis=0)).all(axis=1))
        for k in near.tolist():
            distance, index = self.trees[k].query(points, k=1)
            mean = float(distance.mean())
            if mean > radius + MATCH_SLACK:
                continue
            alignment = float(np.abs(self.tangents[k][index] @ (direction / norm)).mean()) if norm > 1.0 else 1.0
            cost = mean + 3.0 * (1.0 - alignment)
            if cost < best_cost:
                best, best_cost, best_along = k, cost, self.along[k][index]
        return best, best_along


def _window(graph: StrokeGraph, end: End) -> np.ndarray:
    """The branch's points from just outside the node's ink to ``WINDOW`` pixels further, node first."""
    branch = graph.branches[end.branch]
    points = branch.points if end.side == 0 else branch.points[::-1]
    node = branch.a if end.side == 0 else branch.b
    along = arc_lengths(points)
    inner = min(float(graph.node_radius[node]) + 1.0, 0.5 * along[-1])
    keep = (along >= inner) & (along <= inner + WINDOW)
    return points[keep] if keep.sum() >= 2 else points


def join_labels(graph: StrokeGraph, pairs: Sequence[tuple[int, End, End]], matcher: Matcher) -> np.ndarray:
    """1.0 where the ends ``(node, a, b)`` are one true stroke passing through the node, else 0.0."""
    labels = np.zeros(len(pairs), np.float32)
    cache: dict[End, tuple[int, np.ndarray]] = {}
    for i, (node, a, b) in enumerate(pairs):
        radius = float(graph.node_radius[node])
        for end in (a, b):
            if end not in cache:
                cache[end] = matcher.follow(_window(graph, end), radius)
        (sa, ta), (sb, tb) = cache[a], cache[b]
        if sa < 0 or sa != sb or len(ta) < 1 or len(tb) < 1:
            continue
        # Each window runs away from the node: along the true stroke one goes backwards, the other
        # forwards; and between them the true stroke stays in the node's ink (a sharp corner's tip
        # may be well away from the node), not off along another branch.
        run_a, run_b = ta[-1] - ta[0], tb[-1] - tb[0]
        opposite = (run_a * run_b < 0) or min(abs(run_a), abs(run_b)) < 1.0
        if opposite and matcher.stays_near(sa, ta[0], tb[0], graph.nodes[node], 4.0 * radius + 4.0):
            labels[i] = 1.0
    return labels


@dataclass
class StrokeLabel:
    """Where a parsed stroke sits in the true drawing."""

    stroke: int  # the true stroke it mostly follows (-1: none)
    forwards: bool  # drawn the true way as parsed (points in order)
    place: float  # for ordering: true stroke index + fraction along it where this one starts


def stroke_labels(strokes: Sequence[ParsedStroke], matcher: Matcher) -> list[StrokeLabel]:
    """Each parsed stroke's true stroke, direction and place in the true order.

    A stroke is matched piece by piece (every 8 pixels of it); the true stroke that most of its
    length follows is its own.
    """
    labels = []
    for stroke in strokes:
        points = sample_polyline(stroke.points, spacing=1.0)
        radius = float(np.median(stroke.radius))
        votes = np.zeros(matcher.count + 1)
        places: dict[int, list[tuple[float, float]]] = {}
        for first in range(0, max(len(points) - 1, 1), 8):
            piece = points[first : first + 9]
            owner, along = matcher.follow(piece, radius)
            votes[owner] += len(piece)
            if owner >= 0:
                places.setdefault(owner, []).extend(zip([first] * len(along), along, strict=True))
        main = int(votes[:-1].argmax()) if votes[:-1].any() else -1
        if main < 0:
            labels.append(StrokeLabel(-1, True, float(matcher.count)))
            continue
        order, t = np.array(places[main]).T
        forwards = True
        if len(t) >= 2 and np.ptp(t) > 0 and np.ptp(order) > 0:
            forwards = bool(np.corrcoef(order, t)[0, 1] >= 0)
        length = max(float(matcher.length[main]), 1e-6)
        labels.append(StrokeLabel(main, forwards, main + min(float(t.min()) / length, 0.999)))
    return labels


def true_sequence(strokes: Sequence[ParsedStroke], labels: Sequence[StrokeLabel]) -> tuple[list[int], list[ParsedStroke]]:
    """The parsed strokes as the writer drew them: their indices in the true order, and each stroke
    turned the true way."""
    order = sorted(range(len(strokes)), key=lambda k: labels[k].place)
    return order, [strokes[k] if labels[k].forwards else strokes[k].reversed() for k in order]
