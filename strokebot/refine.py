"""Refinement: fit a drawing's strokes to the image itself by gradient descent (torch).

The encoder makes one guess per glyph; the stroke parameters mean something (where the pen goes,
how wide it draws, whether it touches the paper), so they can be fitted to one particular image,
starting from that guess. :func:`refine` renders the strokes as soft line segments and moves the
points, pressures and ink intensities with Adam to make the rendering match the ink, with terms that
keep strokes smooth and short and that make every pen lift cost something.

Each glyph is fitted on its own crop of the image (its box plus a margin), reduced by a whole factor
when it is large, so a 2000-pixel scan costs about as much as a 100-pixel glyph. The renderer only
visits the pixels near each segment.

Pen-up structure changes only where the image asks for it and the score improves: two strokes are
joined when the pen-up move between them runs over ink, a stroke is split where the fit turns its ink
off, a stroke is added (after the coarse steps, 40 % of them) along ink that no stroke covers, and each such
change is kept only if :func:`objective` says the result is better than without it. The start is
always a candidate too, so the result is never worse than the start.

torch is imported by this module only; tracing without ``refine`` never imports it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from itertools import pairwise
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.imaging import label_components, stroke_width
from strokebot.model.skeleton import thin_skeleton
from strokebot.verify import Reference, Score, in_image_frame

__all__ = ["RefineResult", "Settings", "refine", "objective", "LIFT_PENALTY"]

#: What one pen lift costs in :func:`objective`, in IoU: a new lift must buy 0.02 of IoU.
LIFT_PENALTY = 0.02
#: What a Chamfer distance of one stroke width to the ink's skeleton costs in :func:`objective`.
CHAMFER_WEIGHT = 0.1


def objective(score: Score, *, ink_width: float, lift_penalty: float = LIFT_PENALTY) -> float:
    """How bad a drawing is, lower is better: what refinement's keep-the-best compares.

    ``(1 - IoU) + 0.1 * chamfer / ink_width + lift_penalty * pen_lifts``: ink overlap first, the
    centre lines' distance to the ink's skeleton in stroke widths second, and every pen lift
    charged, so that precision is not bought with pen lifts.
    """
    chamfer = min(score.chamfer, 1e3)
    return (1.0 - score.iou) + CHAMFER_WEIGHT * chamfer / max(ink_width, 1.0) + lift_penalty * score.pen_lifts


@dataclasses.dataclass(frozen=True)
class Settings:
    """The knobs of :func:`refine`; the defaults are what the benchmark measured best.

    Attributes:
        lr: Adam's step for the points, in working pixels (decays to a tenth along the run).
        smoothness: weight of the squared second differences of each stroke's points.
        shortness: weight of the pen-down length.
        lift_cost: weight of the total variation of intensity along a stroke (turning the pen off
            and on again inside a stroke costs this much per change).
        pressure_pull: weight pulling each point's pressure to 0.5 (the pen's nominal width).
        max_side: the working crop's longer side, in pixels; larger glyphs are reduced.
        segment: longest segment, in stroke widths at working resolution (longer ones are split).
        softness: edge softness of the rendering in working pixels.
        join_ink: join two consecutive strokes when the mean ink along the pen-up move between
            them is above this.
        centring: weight pulling the centre lines to the middle of the ink (the ridge of its
            distance to the paper), where a wide line's edges alone hold them only loosely.
        coarse: take the first ``cover_at`` of the steps at half the working resolution.
        max_added: at most this many strokes are added per glyph for ink that no stroke covers.
        cover_at: when to look for uncovered ink and go from coarse to working resolution, as a
            share of the steps.
        lift_penalty: pen-lift cost of :func:`objective`.
        threads: torch threads while refining (restored afterwards); None leaves torch's setting.
            The tensors are small: one thread measured three times faster than two here.
    """

    lr: float = 0.6
    smoothness: float = 0.02
    shortness: float = 0.002
    lift_cost: float = 0.02
    pressure_pull: float = 0.01
    max_side: int = 128
    segment: float = 1.0
    softness: float = 0.5
    join_ink: float = 0.6
    centring: float = 0.5
    coarse: bool = True
    max_added: int = 3
    cover_at: float = 0.4
    lift_penalty: float = LIFT_PENALTY
    threads: int | None = 1


@dataclasses.dataclass
class RefineResult:
    """What :func:`refine` gives: the drawing, its score before and after, and the time taken.

    ``kept`` tells which candidate won: ``"refined"``, ``"refined, start's pen lifts"`` (the fit
    with the original pen-up structure) or ``"start"`` (nothing better was found).
    """

    drawing: Drawing
    before: Score
    after: Score
    seconds: float
    steps: int
    kept: str = "refined"

    def line(self) -> str:
        return (
            f"refined {self.steps} steps in {self.seconds:.2f} s ({self.kept}): IoU {self.before.iou:.2f} -> "
            f"{self.after.iou:.2f}, Chamfer {self.before.chamfer:.2f} -> {self.after.chamfer:.2f} px, "
            f"pen lifts {self.before.pen_lifts} -> {self.after.pen_lifts}"
        )


def refine(drawing: Drawing, ink: Any, *, steps: int = 100, settings: Settings | None = None, **options: Any) -> RefineResult:
    """Fit ``drawing`` to the ink map ``ink`` (float (H, W), paper 0, ink 1) with ``steps`` Adam steps.

    Options are the fields of :class:`Settings`. The drawing is taken in the image's pixels (a
    drawing on another page is mapped onto the image, see :func:`strokebot.verify.in_image_frame`);
    the result is in the image's pixels, its ``pen_width`` the fitted line width.

    Raises:
        UsageError: negative ``steps``, an unknown option, bad ink, or a page that does not fit.

    >>> import numpy as np
    >>> from strokebot.drawing import Drawing, Stroke
    >>> ink = np.zeros((32, 32), np.float32); ink[15:18, 4:28] = 1
    >>> start = Drawing([Stroke([[6, 12], [16, 20], [26, 13]])], width=32, height=32, pen_width=3)
    >>> result = refine(start, ink, steps=60)
    >>> result.after.iou > result.before.iou
    True
    """
    started = time.perf_counter()
    if steps < 0:
        raise UsageError(f"steps must be >= 0, got {steps}")
    try:
        settings = dataclasses.replace(settings or Settings(), **options)
    except TypeError as error:
        raise UsageError(f"refine: {error}") from None
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise UsageError(f"ink must be an (H, W) map, got shape {ink.shape}")
    drawing = in_image_frame(drawing, ink.shape)
    reference = Reference(ink)
    before = reference.score(drawing)
    if steps == 0 or not drawing.strokes:
        return RefineResult(drawing, before, before, time.perf_counter() - started, 0, kept="start")

    width = stroke_width(ink)
    pen_width = drawing.pen_width or width
    strokes: list[Stroke] = []
    fitted_widths: list[float] = []
    glyph_of: list[int] = []
    kinds: list[str] = []
    threads = torch.get_num_threads()
    try:
        if settings.threads is not None:
            torch.set_num_threads(settings.threads)
        for glyph, members in _by_glyph(drawing).items():
            box = drawing.glyph_boxes[glyph] if glyph < len(drawing.glyph_boxes) else None
            glyph_strokes, glyph_width, kind = _refine_glyph(
                [drawing.strokes[i] for i in members], reference, box, pen_width, width, steps, settings
            )
            glyph_of.extend([len(fitted_widths)] * len(glyph_strokes))
            strokes.extend(glyph_strokes)
            fitted_widths.append(glyph_width)
            kinds.append(kind)
    finally:
        torch.set_num_threads(threads)
    # One pen width for the drawing; each glyph's pressures carry its own line width.
    nominal = float(np.median(fitted_widths))
    strokes = [_at_pen_width(s, fitted_widths[glyph_of[i]], nominal) for i, s in enumerate(strokes)]
    refined = drawing.replace(strokes=strokes, pen_width=nominal)
    after = reference.score(refined)
    kept = _summary(kinds)
    if objective(after, ink_width=width, lift_penalty=settings.lift_penalty) > objective(
        before, ink_width=width, lift_penalty=settings.lift_penalty
    ):
        refined, after, kept = drawing, before, "start"
    return RefineResult(refined, before, after, time.perf_counter() - started, steps, kept=kept)


def _at_pen_width(stroke: Stroke, width: float, nominal: float) -> Stroke:
    """``stroke`` drawn ``width`` wide at pressure 0.5, with the pressures for pen width ``nominal``."""
    if abs(width - nominal) < 1e-9 * nominal:
        return stroke
    points = stroke.points.copy()
    points[:, 2] = np.clip((0.5 + points[:, 2]) * width / nominal - 0.5, 0.0, 1.0)
    return stroke.with_points(points)


def _summary(kinds: list[str]) -> str:
    unique = sorted(set(kinds))
    return unique[0] if len(unique) == 1 else "mixed: " + ", ".join(unique)


def _by_glyph(drawing: Drawing) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for index, stroke in enumerate(drawing.strokes):
        groups.setdefault(stroke.glyph, []).append(index)
    return groups


# -- one glyph -------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Crop:
    """Where a glyph is fitted: source pixels from ``(x0, y0)`` on, reduced by ``factor``."""

    x0: int
    y0: int
    factor: int
    target: np.ndarray  # (h, w) float32 ink at working resolution

    def to_work(self, xy: np.ndarray) -> np.ndarray:
        return (xy - (self.x0, self.y0)) / self.factor

    def to_source(self, xy: np.ndarray) -> np.ndarray:
        return xy * self.factor + (self.x0, self.y0)


def _crops(ink: np.ndarray, strokes: list[Stroke], box: Any, ink_width: float, settings: Settings) -> tuple[_Crop, _Crop]:
    """The glyph's box and strokes plus a margin, at a coarse and at the working resolution.

    The working resolution has at most ``settings.max_side`` pixels a side, and lines at least
    2.5 pixels wide where it is reduced; the coarse one is half of it where lines stay 1.5 pixels
    wide (otherwise the same).
    """
    xy = np.concatenate([s.xy for s in strokes])
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    if box is not None:
        x0, y0, x1, y1 = min(x0, box[0]), min(y0, box[1]), max(x1, box[2]), max(y1, box[3])
    margin = 2.0 * ink_width + 2.0
    height, width = ink.shape
    x0, y0 = max(0, int(np.floor(x0 - margin))), max(0, int(np.floor(y0 - margin)))
    x1, y1 = min(width, int(np.ceil(x1 + margin))), min(height, int(np.ceil(y1 + margin)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    factor = max(1, min(math.ceil(max(x1 - x0, y1 - y0) / settings.max_side), int(ink_width / 2.5)))
    coarse = 2 * factor if settings.coarse and ink_width / (2 * factor) >= 1.5 else factor
    w, h = math.ceil((x1 - x0) / coarse) * coarse, math.ceil((y1 - y0) / coarse) * coarse
    region = np.zeros((h, w), np.float32)
    part = ink[y0 : y0 + h, x0 : x0 + w]
    region[: part.shape[0], : part.shape[1]] = part

    def reduced(f: int) -> _Crop:
        return _Crop(x0, y0, f, region.reshape(h // f, f, w // f, f).mean(axis=(1, 3)))

    return reduced(coarse), reduced(factor)


def render_sparse(a: Tensor, b: Tensor, widths: Tensor, intensity: Tensor, height: int, width: int, *, softness: float) -> Tensor:
    """Soft line segments like :func:`strokebot.model.render.render_segments`, visiting only nearby pixels.

    Each segment is evaluated on a square window around it, wide enough for its length, width and
    edge; segments are grouped by window size, so one long segment does not enlarge every window.
    A pixel takes its darkest segment (ink does not add up): layered soft edges of the many short
    segments of a stroke would otherwise darken its rim and make the fitted line too thin.

    Shape:
        a, b (S, 2), widths (S,), intensity (S,) -> (H, W)
    """
    margin = widths.detach() / 2 + 5 * softness  # (S,)
    low = torch.minimum(a, b).detach() - margin[:, None]  # (S, 2)
    extent = (torch.maximum(a, b).detach() + margin[:, None] - low).amax(dim=1)  # (S,)
    sides = (torch.ceil((extent + 2) / 4) * 4).long()  # (S,) window sides, in steps of 4 pixels
    pixels, inks = [], []
    groups = torch.unique(sides).tolist()
    for side in groups:
        chosen = torch.nonzero(sides == side).squeeze(1) if len(groups) > 1 else slice(None)
        pixel, ink = _window_ink(a[chosen], b[chosen], widths[chosen], intensity[chosen], low[chosen], side, height, width, softness)
        pixels.append(pixel.reshape(-1))
        inks.append(ink.reshape(-1))
    flat = torch.zeros(height * width + 1, dtype=a.dtype)
    image = flat.scatter_reduce(0, torch.cat(pixels), torch.cat(inks), reduce="amax", include_self=True)
    return image[:-1].reshape(height, width)  # (H, W)


def _window_ink(
    a: Tensor, b: Tensor, widths: Tensor, intensity: Tensor, low: Tensor, side: int, height: int, width: int, softness: float
) -> tuple[Tensor, Tensor]:
    """Pixel numbers (S, K, K) of the windows (off-image: the spare number H*W) and their ink."""
    origin = torch.floor(low).long()  # (S, 2)
    offsets = torch.arange(side)
    grid_x = (origin[:, 0, None, None] + offsets[None, None, :]).expand(-1, side, side)  # (S, K, K)
    grid_y = (origin[:, 1, None, None] + offsets[None, :, None]).expand(-1, side, side)  # (S, K, K)
    inside = (grid_x >= 0) & (grid_x < width) & (grid_y >= 0) & (grid_y < height)  # (S, K, K)
    pixel = torch.where(inside, grid_y * width + grid_x, height * width)  # (S, K, K)
    qx = grid_x.to(a.dtype) + 0.5 - a[:, 0, None, None]  # (S, K, K)
    qy = grid_y.to(a.dtype) + 0.5 - a[:, 1, None, None]
    ab = b - a  # (S, 2)
    length2 = (ab * ab).sum(-1)[:, None, None]  # (S, 1, 1)
    t = ((qx * ab[:, 0, None, None] + qy * ab[:, 1, None, None]) / (length2 + 1e-9)).clamp(0.0, 1.0)
    dx = qx - t * ab[:, 0, None, None]
    dy = qy - t * ab[:, 1, None, None]
    distance = torch.sqrt(dx * dx + dy * dy + 1e-8)  # (S, K, K)
    return pixel, intensity[:, None, None] * torch.sigmoid((widths[:, None, None] / 2 - distance) / softness)


class _Adam:
    """Adam (Kingma and Ba, 2015) on a few tensors, each with its own step size.

    Written out because ``torch.optim`` imports torch's compiler on first use, which costs more
    than a whole refinement.
    """

    def __init__(self, groups: list[tuple[Tensor, float]], betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.groups = groups
        self.betas, self.eps, self.count = betas, eps, 0
        self.moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p, _ in groups]

    @torch.no_grad()
    def step(self, scale: float = 1.0) -> None:
        """One step, every step size multiplied by ``scale``; clears the gradients."""
        self.count += 1
        beta1, beta2 = self.betas
        correction1, correction2 = 1 - beta1**self.count, 1 - beta2**self.count
        for (parameter, lr), (mean, square) in zip(self.groups, self.moments, strict=True):
            if parameter.grad is None:
                continue
            grad = parameter.grad
            mean.mul_(beta1).add_(grad, alpha=1 - beta1)
            square.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denominator = (square / correction2).sqrt_().add_(self.eps)
            parameter.addcdiv_(mean, denominator, value=-lr * scale / correction1)
            parameter.grad = None


def _pyramid_loss(image: Tensor, target: Tensor, levels: int = 4) -> Tensor:
    """Squared error at full, half, quarter... resolution, each over the ink's area."""
    x, y = image[None, None], target[None, None]  # (1, 1, H, W)
    area = target.sum().clamp(min=1.0)
    loss = ((x - y) ** 2).sum() / area
    for _ in range(levels - 1):
        if min(x.shape[-2:]) < 4:
            break
        x = F.avg_pool2d(x, 2, ceil_mode=True)
        y = F.avg_pool2d(y, 2, ceil_mode=True)
        area = y.sum().clamp(min=1e-3)
        loss = loss + ((x - y) ** 2).sum() / area
    return loss


@dataclasses.dataclass
class _Gesture:
    """A glyph's strokes as one set of points and segments, in working pixels.

    Strokes that follow each other over ink are joined into one *run* (a polyline): the pen-up move
    between them becomes a segment. Long segments are split so that every point can bend the path.
    ``seg_from`` and ``seg_to`` name the input strokes a segment leaves and reaches: the same stroke
    for a segment of a stroke, two strokes for a join.
    """

    points: np.ndarray  # (N, 2)
    pressure: np.ndarray  # (N,)
    point_stroke: np.ndarray  # (N,) input stroke of each point; -1 inside a join
    seg_a: np.ndarray  # (S,) first point of each segment
    seg_b: np.ndarray  # (S,) last point (== first for a dot)
    seg_from: np.ndarray  # (S,) input stroke a segment leaves
    seg_to: np.ndarray  # (S,) input stroke it reaches
    intensity: np.ndarray  # (S,) starting ink of each segment
    run_ends: np.ndarray  # (N,) True for the first and last point of a run
    added: np.ndarray  # (K,) True for the strokes added for ink nothing covered

    @property
    def joined(self) -> np.ndarray:
        """(S,) True for the segments that were pen-up moves."""
        return self.seg_from != self.seg_to

    @property
    def added_segments(self) -> np.ndarray:
        """(S,) True for the segments of added strokes and the joins that lead to them."""
        return self.added[self.seg_from] | self.added[self.seg_to]


#: Starting ink of a pen-up move turned into a segment by a join.
_JOIN_INTENSITY = 0.95


def _gesture(strokes: list[np.ndarray], added: np.ndarray, target: np.ndarray, width: float, settings: Settings) -> _Gesture:
    """Build a :class:`_Gesture` from strokes (N, 4): x, y, pressure, ink of the segment leaving."""
    joins = _joins(strokes, target, width, settings)
    longest = max(1.5, settings.segment * width)
    points: list[np.ndarray] = []
    point_stroke: list[int] = []
    run_ends: list[bool] = []
    segments: list[tuple[int, int, int, int, float]] = []  # a, b, from, to, intensity

    def walk(a: np.ndarray, b: np.ndarray, owner: int, source: int, target_stroke: int, ink: float) -> None:
        """Append the points after ``a`` up to ``b``, every ``longest`` at most, and their segments."""
        count = max(1, int(np.ceil(np.hypot(*(b[:2] - a[:2])) / longest)))
        for t in np.arange(1, count + 1) / count:
            points.append(a[:3] + (b[:3] - a[:3]) * t)
            point_stroke.append(owner if t == 1 else (owner if source == target_stroke else -1))
            run_ends.append(False)
            segments.append((len(points) - 2, len(points) - 1, source, target_stroke, ink))

    for k, stroke in enumerate(strokes):
        if k == 0 or not joins[k - 1]:
            if points:
                run_ends[-1] = True
            points.append(stroke[0, :3])
            point_stroke.append(k)
            run_ends.append(True)
            if len(stroke) == 1 and (k + 1 == len(strokes) or not joins[k]):
                segments.append((len(points) - 1, len(points) - 1, k, k, float(stroke[0, 3])))
        else:
            walk(points[-1], stroke[0], k, k - 1, k, _JOIN_INTENSITY)
        for j in range(1, len(stroke)):
            walk(stroke[j - 1], stroke[j], k, k, k, float(stroke[j - 1, 3]))
    run_ends[-1] = True
    seg = np.array(segments, dtype=np.float64).reshape(-1, 5)
    xyp = np.array(points)
    return _Gesture(
        points=xyp[:, :2],
        pressure=xyp[:, 2],
        point_stroke=np.array(point_stroke),
        seg_a=seg[:, 0].astype(np.int64),
        seg_b=seg[:, 1].astype(np.int64),
        seg_from=seg[:, 2].astype(np.int64),
        seg_to=seg[:, 3].astype(np.int64),
        intensity=seg[:, 4],
        run_ends=np.array(run_ends),
        added=np.asarray(added, bool),
    )


def _joins(strokes: list[np.ndarray], target: np.ndarray, width: float, settings: Settings) -> list[bool]:
    """For each pair of consecutive strokes: does the pen-up move between them run over ink?"""
    out = []
    for a, b in pairwise(strokes):
        gap = float(np.hypot(*(b[0, :2] - a[-1, :2])))
        if gap > 6 * width:
            out.append(False)
            continue
        t = np.linspace(0, 1, max(3, int(gap * 2)))[:, None]
        path = a[-1, :2] + (b[0, :2] - a[-1, :2]) * t
        cols = np.clip(path[:, 0].astype(int), 0, target.shape[1] - 1)
        rows = np.clip(path[:, 1].astype(int), 0, target.shape[0] - 1)
        out.append(gap <= 0.5 or bool(target[rows, cols].mean() > settings.join_ink))
    return out


@dataclasses.dataclass
class _Fit:
    """Fitted values of a :class:`_Gesture` (numpy, working pixels)."""

    points: np.ndarray  # (N, 2)
    pressure: np.ndarray  # (N,) in 0..1
    intensity: np.ndarray  # (S,) in 0..1
    width: float  # nominal line width

    def strokes(self, g: _Gesture) -> list[np.ndarray]:
        """Back to the input strokes, (N, 4) each, joins dropped; the added ones too."""
        out = []
        ink_of_point = np.ones(len(self.points))
        own = ~g.joined
        ink_of_point[g.seg_b[own]] = self.intensity[own]  # arriving ink, then leaving ink wins
        ink_of_point[g.seg_a[own]] = self.intensity[own]
        for k in range(len(g.added)):
            index = np.flatnonzero(g.point_stroke == k)
            out.append(np.column_stack([self.points[index], self.pressure[index], ink_of_point[index]]))
        return out


def _centre_map(target: np.ndarray, width: float) -> np.ndarray:
    """(H, W) in 0..1: how near each ink pixel lies to the middle of its stroke (1 on the ridge)."""
    from scipy.ndimage import distance_transform_edt

    depth = distance_transform_edt(target > 0.5)
    return np.clip(depth / (0.65 * width + 0.5), 0.0, 1.0).astype(np.float32)


def _sample(image: Tensor, xy: Tensor) -> Tensor:
    """Bilinear samples of ``image`` (H, W) at points ``xy`` (M, 2) in pixels (centres at +0.5)."""
    height, width = image.shape
    grid = torch.stack([xy[:, 0] / width * 2 - 1, xy[:, 1] / height * 2 - 1], dim=-1)  # (M, 2)
    return F.grid_sample(image[None, None], grid[None, None], align_corners=False, padding_mode="zeros")[0, 0, 0]  # (M,)


def _fit(g: _Gesture, width: float, crop: _Crop, steps: int, settings: Settings, phase: tuple[int, int]) -> _Fit:
    """Adam on the points, pressures, intensities and line width of ``g``; the best step is kept.

    ``phase`` is (steps done before, steps in all): the step size decays along the whole run.
    """
    target = torch.from_numpy(crop.target)
    centre = torch.from_numpy(_centre_map(crop.target, width))
    height, width_px = target.shape
    points = torch.tensor(g.points, dtype=torch.float32, requires_grad=True)  # (N, 2)
    pressure_logit = torch.logit(torch.tensor(np.clip(g.pressure, 0.02, 0.98), dtype=torch.float32)).requires_grad_()  # (N,)
    intensity_logit = torch.logit(torch.tensor(np.clip(g.intensity, 0.05, 0.95), dtype=torch.float32)).requires_grad_()  # (S,)
    log_width = torch.tensor(math.log(width), requires_grad=True)
    seg_a, seg_b = torch.from_numpy(g.seg_a), torch.from_numpy(g.seg_b)
    chained = torch.from_numpy(g.seg_b[:-1] == g.seg_a[1:])  # (S-1,) consecutive segments of one run
    inner = torch.from_numpy(np.flatnonzero(~g.run_ends))  # (I,) points with a neighbour on each side
    length0 = float(np.hypot(*(g.points[g.seg_b] - g.points[g.seg_a]).T).sum()) + 1.0
    optimiser = _Adam([(points, settings.lr), (pressure_logit, 0.1), (intensity_logit, 0.1), (log_width, 0.03)])
    done, total = phase
    best_loss, best = math.inf, None
    for step in range(steps):
        progress = (done + step) / max(total - 1, 1)
        p = torch.sigmoid(pressure_logit)  # (N,)
        widths = torch.exp(log_width) * (0.5 + (p[seg_a] + p[seg_b]) / 2)  # (S,)
        intensity = torch.sigmoid(intensity_logit)  # (S,)
        a, b = points[seg_a], points[seg_b]  # (S, 2)
        image = render_sparse(a, b, widths, intensity, height, width_px, softness=settings.softness)  # (H, W)
        loss = _pyramid_loss(image, target)
        length = torch.sqrt(((b - a) ** 2).sum(-1) + 1e-6)  # (S,)
        loss = loss + settings.shortness * (length * intensity).sum() / length0
        if len(inner):
            bend = points[inner - 1] - 2 * points[inner] + points[inner + 1]  # (I, 2)
            loss = loss + settings.smoothness * (bend * bend).sum() / (width * width) / len(inner)
        loss = loss + settings.lift_cost * ((intensity[1:] - intensity[:-1]).abs() * chained).sum()
        loss = loss + settings.pressure_pull * ((p - 0.5) ** 2).mean()
        if settings.centring:
            middle = torch.cat([points, (a + b) / 2])  # (N + S, 2)
            loss = loss + settings.centring * ((1 - _sample(centre, middle)) ** 2).mean()
        value = float(loss.detach())
        if value < best_loss:
            best_loss = value
            best = (points.detach().clone(), p.detach().clone(), intensity.detach().clone(), float(torch.exp(log_width).detach()))
        loss.backward()
        optimiser.step(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
    if best is None:  # no steps: the start as it is
        return _Fit(g.points.copy(), g.pressure.copy(), g.intensity.copy(), width)
    return _Fit(best[0].numpy().astype(np.float64), best[1].numpy().astype(np.float64), best[2].numpy().astype(np.float64), best[3])


def _render(g: _Gesture, fit: _Fit, shape: tuple[int, int], softness: float) -> np.ndarray:
    points = torch.from_numpy(fit.points).float()
    p = torch.from_numpy(fit.pressure).float()
    a_index, b_index = torch.from_numpy(g.seg_a), torch.from_numpy(g.seg_b)
    widths = fit.width * (0.5 + (p[a_index] + p[b_index]) / 2)
    with torch.no_grad():
        image = render_sparse(points[a_index], points[b_index], widths, torch.from_numpy(fit.intensity).float(), *shape, softness=softness)
    return image.numpy()


def _uncovered(g: _Gesture, fit: _Fit, target: np.ndarray, width: float, settings: Settings) -> list[np.ndarray]:
    """New strokes (N, 4) along the skeletons of ink that the fitted strokes leave uncovered."""
    drawn = _render(g, fit, target.shape, settings.softness)
    missed = (target > 0.5) & (drawn < 0.3)
    labels, count = label_components(missed)
    if count == 0:
        return []
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    out = []
    for component in np.argsort(-areas)[: settings.max_added]:
        if areas[component] < 1.5 * width * width:
            break
        thin = thin_skeleton((labels == component + 1).astype(np.float32))
        if not thin.any():
            continue
        path = _longest_path(thin)
        length = float(np.hypot(*np.diff(path, axis=0).T).sum()) if len(path) > 1 else 0.0
        if length < width or areas[component] < 0.5 * width * length:  # a sliver along an edge
            continue
        step = max(1, int(round(width / 2)))
        keep = np.unique(np.concatenate([np.arange(0, len(path), step), [len(path) - 1]]))
        stroke = np.column_stack([path[keep], np.full(len(keep), 0.5), np.full(len(keep), _JOIN_INTENSITY)])
        out.append(stroke)
    return out


def _longest_path(mask: np.ndarray) -> np.ndarray:
    """Pixel centres (x, y) of the longest shortest path through an 8-connected thin mask."""
    rows, cols = np.nonzero(mask)
    index = {(r, c): i for i, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True))}
    neighbours = [
        [index[(r + dr, c + dc)] for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr or dc) and (r + dr, c + dc) in index]
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
    ]

    def farthest(source: int) -> tuple[int, list[int]]:
        parent = {source: -1}
        queue, last = [source], source
        for node in queue:
            last = node
            for other in neighbours[node]:
                if other not in parent:
                    parent[other] = node
                    queue.append(other)
        path = [last]
        while parent[path[-1]] != -1:
            path.append(parent[path[-1]])
        return last, path

    end, _ = farthest(0)
    _, path = farthest(end)
    return np.stack([cols[path] + 0.5, rows[path] + 0.5], axis=1).astype(np.float64)


def _insert(strokes: list[np.ndarray], added: list[bool], new: np.ndarray) -> None:
    """Put ``new`` after the stroke whose end is nearest to one of its ends, turned to start there."""
    if not strokes:
        strokes.append(new)
        added.append(True)
        return
    ends = np.array([s[-1, :2] for s in strokes])
    to_start = np.hypot(*(ends - new[0, :2]).T)
    to_end = np.hypot(*(ends - new[-1, :2]).T)
    if to_end.min() < to_start.min():
        new, to_start = new[::-1].copy(), to_end
    position = int(to_start.argmin()) + 1
    strokes.insert(position, new)
    added.insert(position, True)


def _refine_glyph(
    strokes: list[Stroke],
    reference: Reference,
    box: Any,
    pen_width: float,
    ink_width: float,
    steps: int,
    settings: Settings,
) -> tuple[list[Stroke], float, str]:
    """Fit one glyph's strokes; return the best candidate, its pen width and which it is."""
    coarse, crop = _crops(reference.ink, strokes, box, ink_width, settings)
    # First steps at the coarse resolution (wider reach, cheaper), the rest at the working one.
    work = []
    for stroke in strokes:
        points = stroke.points.copy()
        points[:, :2] = coarse.to_work(points[:, :2])
        work.append(points)
    added = np.zeros(len(work), bool)
    first = max(1, int(round(steps * settings.cover_at))) if steps > 1 else steps
    width = ink_width / coarse.factor
    g = _gesture(work, added, coarse.target, width, settings)
    fit = _fit(g, width, coarse, first, settings, (0, steps))
    if first < steps:
        # Go on from the fit so far, with strokes added for the ink it leaves uncovered.
        work, added = fit.strokes(g), list(g.added)
        if settings.max_added:
            for stroke in _uncovered(g, fit, coarse.target, fit.width, settings):
                _insert(work, added, stroke)
        scale = coarse.factor / crop.factor
        for points in work:
            points[:, :2] *= scale
        g = _gesture(work, np.array(added), crop.target, fit.width * scale, settings)
        fit = _fit(g, fit.width * scale, crop, steps - first, settings, (first, steps))
    else:
        crop = coarse
    return _choose(g, fit, crop, strokes, reference, pen_width, ink_width, settings)


def _choose(
    g: _Gesture,
    fit: _Fit,
    crop: _Crop,
    start: list[Stroke],
    reference: Reference,
    pen_width: float,
    ink_width: float,
    settings: Settings,
) -> tuple[list[Stroke], float, str]:
    """The candidate with the best :func:`objective` on the glyph's crop; the start is one."""
    height, width = crop.target.shape
    local = reference.window(crop.x0, crop.y0, crop.x0 + width * crop.factor, crop.y0 + height * crop.factor)
    # Pressures around 0.5, so that the pen width is the line's typical width.
    typical = 0.5 + float(fit.pressure.mean())
    pen_source = fit.width * crop.factor * typical
    pressure = np.clip((0.5 + fit.pressure) / typical - 0.5, 0.0, 1.0)
    xy = crop.to_source(fit.points)
    down = fit.intensity > 0.5
    joined, added = g.joined, g.added_segments
    glyph = start[0].glyph
    masks = {
        "refined": down,
        "refined, no splits": np.ones_like(down),
        "refined, start's pen lifts": ~joined & ~added,
        "refined, no joins": down & ~joined,
        "refined, nothing added": down & ~added,
    }
    candidates = {"start": (start, pen_width)}
    seen: list[np.ndarray] = []
    for name, mask in masks.items():
        if not any(np.array_equal(mask, other) for other in seen):
            seen.append(mask)
            candidates[name] = (_pen_down(g, xy, pressure, fit.intensity, mask, glyph), pen_source)
    best_name, best_value = "start", math.inf
    for name, (candidate, candidate_width) in candidates.items():
        if not candidate:
            continue
        shifted = Drawing(
            [s.with_points(_shift(s.points, -crop.x0, -crop.y0)) for s in candidate],
            width=float(local.shape[1]),
            height=float(local.shape[0]),
            pen_width=candidate_width,
        )
        value = objective(local.score(shifted), ink_width=ink_width, lift_penalty=settings.lift_penalty)
        if value < best_value - 1e-9:
            best_name, best_value = name, value
    chosen, chosen_width = candidates[best_name]
    return chosen, chosen_width, best_name


def _shift(points: np.ndarray, dx: float, dy: float) -> np.ndarray:
    out = points.copy()
    out[:, 0] += dx
    out[:, 1] += dy
    return out


def _pen_down(g: _Gesture, xy: np.ndarray, pressure: np.ndarray, intensity: np.ndarray, down: np.ndarray, glyph: int) -> list[Stroke]:
    """Strokes of the fitted gesture: runs of consecutive segments with ``down`` set."""
    out: list[Stroke] = []
    current: list[int] = []  # segments of the stroke being collected

    def flush() -> None:
        if current:
            index = [g.seg_a[current[0]]] + [g.seg_b[s] for s in current]
            if g.seg_a[current[0]] == g.seg_b[current[0]]:  # a dot
                index = index[:1]
            ink = np.append(intensity[current], intensity[current[-1]])[: len(index)]
            out.append(Stroke(np.column_stack([xy[index], pressure[index], np.clip(ink, 0.5, 1.0)]), glyph=glyph))
            current.clear()

    for s in range(len(g.seg_a)):
        if current and g.seg_a[s] != g.seg_b[current[-1]]:
            flush()
        if down[s]:
            current.append(s)
        else:
            flush()
    flush()
    return out
