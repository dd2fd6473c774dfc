"""How well strokes match a glyph: ink overlap, centre-line distances, skeletons, rasterising.

numpy only, except the nearest-neighbour search of :func:`nearest_distances`, which uses scipy's
k-d tree (imported when first called; scipy comes with scikit-learn). Used by ``strokebot verify``,
refinement, ``strokebot evaluate`` and the benchmarks, so every figure strokebot reports means the
same thing everywhere:

* **Ink maps** are float (H, W) arrays, paper 0 and ink 1 (:func:`strokebot.imaging.ink_map`).
  A pixel *is ink* when its value is above ``threshold`` (0.5).
* :func:`ink_iou`, :func:`ink_precision_recall` compare two ink maps pixel by pixel: the drawn one
  (what the machine will draw, :func:`rasterise`) and the input's.
* :func:`chamfer_distance` is the **symmetric mean nearest distance** between two point sets, in
  pixels: the mean over the points of A of the distance to the nearest point of B, and the same
  from B to A, averaged. Polylines are first sampled densely (:func:`sample_polylines`, every
  ``spacing`` pixels along the path), so the figure does not depend on how many vertices a path
  happens to have. A set shifted by ``k`` pixels (perpendicular to a straight line) is ``k`` away.
* :func:`skeleton` thins an ink map to one-pixel-wide centre lines (Zhang–Suen), the reference
  that strokes' centre lines are compared with when the true pen path is unknown.
* :func:`drawing_like_a_person` compares a drawing with the true strokes of the glyph (a person's
  pen path, KanjiVG's official strokes): whether each true stroke is drawn in its direction, whether
  the strokes come in their order (Kendall's tau), how many strokes, how much pen-down path runs
  over bare paper (off-ink) and how long the pen-down path is against the true one.
* :func:`retraced_length` is how much of a drawing's pen-down path goes over a line it has drawn
  already: a stem drawn out and back, a bow gone round twice. It needs no true strokes.
* :func:`rasterise` draws a :class:`~strokebot.drawing.Drawing` as the machine draws it: every
  pen-down segment at its width (``pen_width * (0.5 + pressure)``) with a round pen tip; pen-up
  moves leave nothing.

Coordinates are image pixels: x right, y down, pixel ``(row, col)`` covers ``[col, col + 1) ×
[row, row + 1)``, so its centre is ``(col + 0.5, row + 0.5)``.

>>> import numpy as np
>>> line = [np.array([[2.0, 5.0], [20.0, 5.0]])]
>>> shifted = [np.array([[2.0, 8.0], [20.0, 8.0]])]
>>> round(chamfer_distance(sample_polylines(line), sample_polylines(shifted)), 6)
3.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = [
    "INK_THRESHOLD",
    "ink_mask",
    "ink_iou",
    "ink_precision_recall",
    "sample_polyline",
    "sample_polylines",
    "drawing_points",
    "nearest_distances",
    "chamfer_distance",
    "skeleton",
    "skeleton_points",
    "rasterise",
    "line_widths",
    "drawing_like_a_person",
    "true_stroke_timing",
    "retraced_length",
    "OFF_INK_DISTANCE",
]

#: A pixel is ink when its value is above this.
INK_THRESHOLD = 0.5


# -- ink overlap -----------------------------------------------------------------------------------


def _as_map(name: str, values: Any) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 2:
        raise UsageError(f"{name} must be an (H, W) ink map, got shape {array.shape}")
    return array


def ink_mask(ink: Any, *, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """Boolean (H, W): where ``ink`` is above ``threshold``."""
    return _as_map("ink", ink) > threshold


def _masks(drawn: Any, ink: Any, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_map("drawn", drawn), _as_map("ink", ink)
    if a.shape != b.shape:
        raise UsageError(f"ink maps differ in shape: {a.shape} and {b.shape}")
    return a > threshold, b > threshold


def ink_iou(drawn: Any, ink: Any, *, threshold: float = INK_THRESHOLD) -> float:
    """Intersection over union of the ink of two (H, W) maps; 1.0 when both are blank.

    >>> a = np.zeros((4, 4)); a[1, 1:3] = 1
    >>> b = np.zeros((4, 4)); b[1, 2:4] = 1
    >>> ink_iou(a, b)
    0.3333333333333333
    """
    a, b = _masks(drawn, ink, threshold)
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else float(np.count_nonzero(a & b) / union)


def ink_precision_recall(drawn: Any, ink: Any, *, threshold: float = INK_THRESHOLD) -> tuple[float, float]:
    """(precision, recall) of ``drawn`` against ``ink``, pixel by pixel.

    Precision: the share of drawn pixels that are ink (1.0 when nothing is drawn); recall: the share
    of ink pixels that are drawn (1.0 when there is no ink).
    """
    a, b = _masks(drawn, ink, threshold)
    both = np.count_nonzero(a & b)
    drawn_count, ink_count = np.count_nonzero(a), np.count_nonzero(b)
    precision = 1.0 if drawn_count == 0 else float(both / drawn_count)
    recall = 1.0 if ink_count == 0 else float(both / ink_count)
    return precision, recall


# -- centre lines ----------------------------------------------------------------------------------


def sample_polyline(points: Any, *, spacing: float = 0.25) -> np.ndarray:
    """Points along a polyline (N, >=2) at most ``spacing`` apart, vertices included: (M, 2).

    A single point stays a single point.
    """
    if not spacing > 0:
        raise UsageError(f"spacing must be positive, got {spacing}")
    xy = np.asarray(points, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] < 2 or len(xy) == 0:
        raise UsageError(f"a polyline must have shape (N, 2) or (N, 4) with N >= 1, got {xy.shape}")
    xy = xy[:, :2]
    if len(xy) == 1:
        return xy.copy()
    step = np.diff(xy, axis=0)  # (N-1, 2)
    counts = np.maximum(1, np.ceil(np.hypot(step[:, 0], step[:, 1]) / spacing).astype(np.int64))  # (N-1,)
    segment = np.repeat(np.arange(len(step)), counts)  # (M-1,)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    fraction = (np.arange(counts.sum()) - first) / counts[segment]  # (M-1,)
    inner = xy[segment] + step[segment] * fraction[:, None]
    return np.vstack([inner, xy[-1:]])


def sample_polylines(polylines: Sequence[Any], *, spacing: float = 0.25) -> np.ndarray:
    """All polylines sampled every ``spacing`` pixels, as one point set (M, 2); (0, 2) if none."""
    parts = [sample_polyline(p, spacing=spacing) for p in polylines]
    return np.vstack(parts) if parts else np.zeros((0, 2))


def drawing_points(drawing: Drawing, *, spacing: float = 0.25) -> np.ndarray:
    """The pen-down centre lines of ``drawing`` sampled every ``spacing`` units: (M, 2)."""
    return sample_polylines([s.xy for s in drawing.strokes], spacing=spacing)


def _points(name: str, values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise UsageError(f"{name} must be a point set of shape (N, 2), got {array.shape}")
    return array


def nearest_distances(a: Any, b: Any) -> np.ndarray:
    """For each point of ``a`` (N, 2), the distance to the nearest point of ``b`` (M, 2): (N,).

    Infinite everywhere when ``b`` is empty.
    """
    a, b = _points("a", a), _points("b", b)
    if len(b) == 0:
        return np.full(len(a), np.inf)
    if len(a) == 0:
        return np.zeros(0)
    from scipy.spatial import cKDTree

    distances, _ = cKDTree(b).query(a, k=1)
    return np.asarray(distances, dtype=np.float64)


def chamfer_distance(a: Any, b: Any, *, directed: bool = False) -> float:
    """Symmetric mean nearest distance between point sets ``a`` and ``b`` (pixels).

    ``(mean_i min_j |a_i - b_j| + mean_j min_i |b_j - a_i|) / 2``; with ``directed`` only the first
    term (how far ``a`` strays from ``b``). 0.0 when both are empty, infinity when one is.
    Sample polylines first with :func:`sample_polylines`.
    """
    a, b = _points("a", a), _points("b", b)
    if len(a) == 0 and len(b) == 0:
        return 0.0
    if len(a) == 0 or len(b) == 0:
        return float("inf")
    forward = float(nearest_distances(a, b).mean())
    if directed:
        return forward
    return (forward + float(nearest_distances(b, a).mean())) / 2


# -- skeleton --------------------------------------------------------------------------------------


def skeleton(ink: Any, *, threshold: float = INK_THRESHOLD, keep_diagonals: bool = False) -> np.ndarray:
    """Thin the ink of an (H, W) map to one-pixel-wide centre lines: boolean (H, W).

    Zhang–Suen thinning (Comm. ACM 27(3), 1984): two alternating sub-iterations peel boundary
    pixels whose removal keeps the shape connected, until nothing changes. It works on the ink's
    bounding box, one vectorised pass per peeled layer, so a stroke ``w`` pixels wide costs about
    ``w`` passes over the box. Like every thinning, it ends lines about half a stroke width short of
the ink's ends; a diagonal may keep a two-pixel staircase.

    Zhang–Suen erases a diagonal that its peeling has worn down to two pixels (a thick X can lose
    an arm); ``keep_diagonals`` peels only pixels with three or more ink neighbours, which keeps such
    diagonals (Lü and Wang, Comm. ACM 29(3), 1986) but leaves more corner pixels on other lines.

    >>> ink = np.zeros((7, 9)); ink[2:5, 1:8] = 1  # a bar 3 pixels thick
    >>> rows, cols = skeleton(ink).nonzero()
    >>> set(rows.tolist()), cols.tolist()
    ({3}, [2, 3, 4, 5])
    """
    mask = ink_mask(ink, threshold=threshold)
    result = np.zeros_like(mask)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return result
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    image = np.pad(mask[r0:r1, c0:c1], 1).astype(np.uint8)
    h, w = image.shape[0] - 2, image.shape[1] - 2
    core = image[1:-1, 1:-1]
    changed = True
    while changed:
        changed = False
        for table in _LU_WANG if keep_diagonals else _ZHANG_SUEN:
            code = np.zeros((h, w), np.uint8)
            for bit, (dy, dx) in enumerate(_NEIGHBOURS):
                code |= image[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] << bit
            peel = (core == 1) & table[code]
            if peel.any():
                core[peel] = 0
                changed = True
    result[r0:r1, c0:c1] = core.astype(bool)
    return result


#: P2..P9 of Zhang–Suen (N, NE, E, SE, S, SW, W, NW) as (dy, dx); bit k of a pixel's code is P(k+2).
_NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _zhang_suen_tables(fewest: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """For each of the 256 neighbourhoods: may the pixel be peeled in sub-iteration 1, and in 2?
    A pixel with fewer than ``fewest`` ink neighbours stays."""
    tables = np.zeros((2, 256), bool)
    for code in range(256):
        p = [(code >> k) & 1 for k in range(8)]  # P2..P9
        count = sum(p)  # B(P1): ink neighbours
        transitions = sum(p[k] == 0 and p[(k + 1) % 8] == 1 for k in range(8))  # A(P1)
        p2, p3, p4, p5, p6, p7, p8, p9 = p
        keep_shape = fewest <= count <= 6 and transitions == 1
        tables[0, code] = keep_shape and p2 * p4 * p6 == 0 and p4 * p6 * p8 == 0
        tables[1, code] = keep_shape and p2 * p4 * p8 == 0 and p2 * p6 * p8 == 0
    return tables[0], tables[1]


_ZHANG_SUEN = _zhang_suen_tables()
_LU_WANG = _zhang_suen_tables(fewest=3)


def skeleton_points(ink: Any, *, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """Pixel centres (x, y) of the centre lines of ``ink``: (M, 2). The stroke model's thinning
    (:func:`strokebot.model.skeleton.thin_skeleton`: this :func:`skeleton`, thinned again keeping
    diagonals where it lost ink, staircase pixels removed, dots kept)."""
    from strokebot.model.skeleton import thin_skeleton

    rows, cols = np.nonzero(thin_skeleton(np.asarray(ink, np.float32), threshold=threshold))
    return np.stack([cols + 0.5, rows + 0.5], axis=1).astype(np.float64)


# -- drawing like a person -------------------------------------------------------------------------

#: A pen-down point farther than this from every ink pixel centre draws on bare paper (pixels).
OFF_INK_DISTANCE = 2.0
#: A true stroke whose points all lie within this many pixels of each other is a dot: no direction
#: (it counts for order and stroke count only). A dot of ink shows no way the pen went, whether the
#: writer tapped it or a font fills it with a tiny ring (Hershey's script i-dots: 2-4 px across).
DOT_EXTENT = 4.0


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 of ``values``, ties sharing their mean rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values), dtype=np.float64)
    unique, inverse = np.unique(values, return_inverse=True)
    if len(unique) < len(values):
        ranks = (np.bincount(inverse, weights=ranks) / np.bincount(inverse))[inverse]
    return ranks


def spearman(a: Any, b: Any) -> float:
    """Spearman's rank correlation of two equally long sequences; NaN when either is constant."""
    ra, rb = _ranks(np.asarray(a, np.float64)), _ranks(np.asarray(b, np.float64))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    norm = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / norm) if norm > 0 else float("nan")


def kendall_tau(a: Any, b: Any) -> float:
    """Kendall's tau-b of two equally long sequences; NaN when either is constant.

    >>> kendall_tau([0, 1, 2, 3], [10, 20, 30, 40]), kendall_tau([0, 1, 2], [3, 2, 1])
    (1.0, -1.0)
    """
    x, y = np.asarray(a, np.float64), np.asarray(b, np.float64)
    upper = np.triu_indices(len(x), k=1)
    dx = np.sign(x[:, None] - x[None, :])[upper]
    dy = np.sign(y[:, None] - y[None, :])[upper]
    norm = np.sqrt(np.count_nonzero(dx) * np.count_nonzero(dy))
    return float((dx * dy).sum() / norm) if norm > 0 else float("nan")


def _is_dot(points: np.ndarray) -> bool:
    """Whether all of ``points`` (N, 2) lie within :data:`DOT_EXTENT` of each other."""
    if len(points) < 2:
        return True
    if float(np.ptp(points, axis=0).max()) >= DOT_EXTENT:  # the box alone is that wide: no dot
        return False
    return float(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1).max()) < DOT_EXTENT**2


def _length(points: np.ndarray) -> float:
    return float(np.hypot(*np.diff(points[:, :2], axis=0).T).sum()) if len(points) > 1 else 0.0


def drawing_like_a_person(drawn: Sequence[Any], true: Sequence[Any], ink: Any | None = None) -> dict[str, float]:
    """How closely polylines ``drawn`` (pen-down strokes in drawing order) follow the ``true`` strokes.

    Every figure is per glyph; a set's figure is their mean or median (``strokebot evaluate``).

    * ``chamfer``: :func:`chamfer_distance` between the two centre lines (pixels).
    * ``direction``: the share of true strokes drawn in their direction. Each point of a true stroke
      (sampled every pixel) takes the drawing time of the nearest drawn point (the pen-down path
      length walked before it, strokes in order); the stroke is drawn forwards when those times rise
      along it (Spearman correlation > 0). Dots (:data:`DOT_EXTENT`) are left out; NaN when none
      is left.
    * ``order``: Kendall's tau between the true strokes' order and the median drawing time of each
      one's points (1: the true order, -1: reversed); NaN for fewer than two true strokes.
    * ``strokes``, ``true_strokes``: how many pen-down strokes each has.
    * ``off_ink``: the share of the pen-down path farther than :data:`OFF_INK_DISTANCE` from every
      ink pixel of ``ink`` (lines drawn on bare paper); NaN without ``ink``.
    * ``length_ratio``: pen-down length over the true strokes' length (retracing, zigzags and
      detours make it larger, strokes left out smaller).

    >>> true = [np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[0.0, 5.0], [10.0, 5.0]])]
    >>> figures = drawing_like_a_person([t[::-1] for t in true[::-1]], true)
    >>> figures["direction"], figures["order"], figures["chamfer"]
    (0.0, -1.0, 0.0)
    """
    drawn = [np.asarray(p, np.float64)[:, :2] for p in drawn]
    true = [np.asarray(p, np.float64)[:, :2] for p in true]
    points, time = _walked(drawn)
    true_dense = [sample_polyline(p, spacing=1.0) for p in true]
    true_points = np.vstack(true_dense) if true_dense else np.zeros((0, 2))
    figures = {
        "chamfer": chamfer_distance(points, sample_polylines(true, spacing=0.5)),
        "strokes": float(len(drawn)),
        "true_strokes": float(len(true)),
        "length_ratio": sum(_length(p) for p in drawn) / max(sum(_length(p) for p in true), 1e-9),
        "direction": float("nan"),
        "order": float("nan"),
        "off_ink": float("nan"),
    }
    if ink is not None:
        rows, cols = np.nonzero(ink_mask(ink))
        centres = np.stack([cols + 0.5, rows + 0.5], axis=1).astype(np.float64)
        figures["off_ink"] = float((nearest_distances(points, centres) > OFF_INK_DISTANCE).mean()) if len(points) else 0.0
    if len(points) == 0 or len(true_points) == 0:
        return figures
    forwards, medians = _timing(true, true_dense, points, time)
    if np.isfinite(forwards).any():
        figures["direction"] = float(np.nanmean(forwards))
    if len(true) >= 2:
        tau = kendall_tau(np.arange(len(true)), medians)
        figures["order"] = 0.0 if np.isnan(tau) else tau
    return figures


def retraced_length(drawn: Sequence[Any], *, reach: float, spacing: float = 0.25) -> float:
    """How much of the pen-down path ``drawn`` (polylines in drawing order) runs over its own earlier
    path: the length, in the polylines' units, of the points that lie within ``reach`` of a point
    drawn at least ``4 * reach`` of path before them.

    A line drawn out and back counts once (its way back); a plain crossing counts about ``2 *
    reach``, the width of the other line where the path passes over it. ``reach`` is about the
    pen's radius.

    >>> import numpy as np
    >>> out_and_back = [np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 0.0]])]
    >>> round(retraced_length(out_and_back, reach=0.5), 1)   # the way back, less near its turn
    9.2
    >>> round(retraced_length([np.array([[0.0, 0.0], [10.0, 0.0]])], reach=0.5), 1)
    0.0
    """
    if not reach > 0:
        raise UsageError(f"reach must be positive, got {reach}")
    parts = [sample_polyline(p, spacing=spacing) for p in drawn if len(p)]
    if not parts:
        return 0.0
    points = np.vstack(parts)
    steps = np.concatenate([np.r_[0.0, np.hypot(*np.diff(p, axis=0).T)] for p in parts])  # to each point
    along = np.cumsum(steps)  # path length at each point, pen-up moves not counted
    gap = 4.0 * reach
    retraced = np.zeros(len(points), bool)
    for start in range(0, len(points), 512):  # pairwise distances, 512 rows at a time
        rows = slice(start, start + 512)
        near = ((points[rows, None, :] - points[None, :, :]) ** 2).sum(axis=-1) <= reach**2
        earlier = along[None, :] < along[rows, None] - gap
        retraced[rows] = (near & earlier).any(axis=1)
    return float(steps[retraced].sum())


def true_stroke_timing(drawn: Sequence[Any], true: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Per true stroke, what :func:`drawing_like_a_person` reads its direction and order from:
    whether ``drawn`` draws it forwards (1.0 or 0.0; NaN for a dot) and the median drawing time of
    its points (pen-down path length walked before them), both (len(true),)."""
    points, time = _walked([np.asarray(p, np.float64)[:, :2] for p in drawn])
    true = [np.asarray(p, np.float64)[:, :2] for p in true]
    if len(points) == 0 or not true:
        return np.full(len(true), np.nan), np.full(len(true), np.nan)
    return _timing(true, [sample_polyline(p, spacing=1.0) for p in true], points, time)


def _walked(drawn: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Points every half pixel along ``drawn`` and the pen-down path length walked before each
    (strokes in order; a pen lift counts as a step of 1)."""
    dense = [sample_polyline(p, spacing=0.5) for p in drawn]
    times, walked = [], 0.0
    for part in dense:
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(part, axis=0).T))])
        times.append(walked + along)
        walked += along[-1] + 1.0
    if not dense:
        return np.zeros((0, 2)), np.zeros(0)
    return np.vstack(dense), np.concatenate(times)


def _timing(true: list[np.ndarray], true_dense: list[np.ndarray], points: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.spatial import cKDTree

    _, nearest = cKDTree(points).query(np.vstack(true_dense), k=1)
    when = time[nearest]
    bounds = np.cumsum([0] + [len(p) for p in true_dense])
    forwards, medians = np.full(len(true), np.nan), np.zeros(len(true))
    for k, stroke in enumerate(true):
        at = when[bounds[k] : bounds[k + 1]]
        medians[k] = float(np.median(at))
        if not _is_dot(stroke):
            forwards[k] = float(spearman(np.arange(len(at)), at) > 0)
    return forwards, medians


# -- rasterising -----------------------------------------------------------------------------------


def line_widths(drawing: Drawing, *, pen_width: float | None = None) -> list[np.ndarray]:
    """Per stroke, the line width at each point: ``pen_width * (0.5 + pressure)``, (N,) each.

    ``pen_width`` overrides the drawing's; a drawing without one is drawn 1 unit wide.
    """
    nominal = pen_width if pen_width is not None else (drawing.pen_width or 1.0)
    if not nominal > 0:
        raise UsageError(f"pen width must be positive, got {nominal}")
    return [nominal * (0.5 + np.clip(s.pressure, 0.0, 1.0)) for s in drawing.strokes]


def rasterise(
    drawing: Drawing,
    shape: tuple[int, int] | None = None,
    *,
    pen_width: float | None = None,
    scale: float = 1.0,
    antialias: bool = True,
) -> np.ndarray:
    """What the machine draws, as an ink map float32 (H, W) in 0..1.

    Every pen-down segment of every stroke is a capsule (a round pen tip swept along it) as wide as
    the line at its start and end (widths interpolated along the segment); a one-point stroke is a
    dot. Pen-up moves leave no ink. Overlapping ink does not add up: a pixel takes its darkest
    segment. With ``antialias`` a pixel's value is its approximate coverage (a one-pixel ramp at the
    edge), otherwise 1 inside and 0 outside the line.

    Args:
        drawing: strokes in the image's pixels (``units`` as given; no conversion is made).
        shape: (H, W) of the output; default the drawing's page, ``ceil(height * scale)`` ×
            ``ceil(width * scale)``.
        pen_width: nominal width overriding ``drawing.pen_width`` (see :func:`line_widths`).
        scale: output pixels per drawing unit (an upscaled picture for a preview, say).
        antialias: coverage at the edges, or a hard edge.

    Raises:
        UsageError: a non-positive ``scale``, ``pen_width`` or output size.
    """
    if not scale > 0:
        raise UsageError(f"scale must be positive, got {scale}")
    if shape is None:
        shape = (int(np.ceil(drawing.height * scale - 1e-9)), int(np.ceil(drawing.width * scale - 1e-9)))
    height, width = int(shape[0]), int(shape[1])
    if height < 1 or width < 1:
        raise UsageError(f"output size must be at least 1x1, got {width}x{height}")
    out = np.zeros((height, width), np.float32)
    for stroke, widths in zip(drawing.strokes, line_widths(drawing, pen_width=pen_width), strict=True):
        xy = stroke.xy * scale
        half = widths * scale / 2
        if len(xy) == 1:
            _stamp(out, xy[0], xy[0], half[0], half[0], antialias)
        for k in range(len(xy) - 1):
            _stamp(out, xy[k], xy[k + 1], half[k], half[k + 1], antialias)
    return out


def _stamp(out: np.ndarray, a: np.ndarray, b: np.ndarray, ra: float, rb: float, antialias: bool) -> None:
    """Draw the capsule from ``a`` (radius ``ra``) to ``b`` (radius ``rb``) into ``out`` with max."""
    height, width = out.shape
    reach = max(ra, rb) + 1.0
    x0 = max(int(np.floor(min(a[0], b[0]) - reach)), 0)
    x1 = min(int(np.ceil(max(a[0], b[0]) + reach)), width)
    y0 = max(int(np.floor(min(a[1], b[1]) - reach)), 0)
    y1 = min(int(np.ceil(max(a[1], b[1]) + reach)), height)
    if x0 >= x1 or y0 >= y1:
        return
    qx = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5 - a[0]  # (1, w)
    qy = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5 - a[1]  # (h, 1)
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = np.clip((qx * dx + qy * dy) / length2, 0.0, 1.0) if length2 > 0 else np.zeros((y1 - y0, x1 - x0))
    distance = np.hypot(qx - t * dx, qy - t * dy)  # (h, w)
    radius = ra + (rb - ra) * t
    value = np.clip(radius - distance + 0.5, 0.0, 1.0) if antialias else (distance <= radius).astype(np.float64)
    window = out[y0:y1, x0:x1]
    np.maximum(window, value, out=window, casting="unsafe")
