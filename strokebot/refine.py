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
off, and each such change is kept only if :func:`objective` says the result is better than without
it. The start is always a candidate too, so the result is never worse than the start.

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
from strokebot.imaging import stroke_width
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
        lift_penalty: pen-lift cost of :func:`objective`.
        threads: torch threads while refining (restored afterwards); None leaves torch's setting.
            The tensors are small: one thread measured three times faster than two here.
    """

    lr: float = 0.4
    smoothness: float = 0.02
    shortness: float = 0.002
    lift_cost: float = 0.02
    pressure_pull: float = 0.01
    max_side: int = 128
    segment: float = 1.0
    softness: float = 0.5
    join_ink: float = 0.6
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
    kinds: list[str] = []
    threads = torch.get_num_threads()
    try:
        if settings.threads is not None:
            torch.set_num_threads(settings.threads)
        for glyph, members in _by_glyph(drawing).items():
            box = drawing.glyph_boxes[glyph] if glyph < len(drawing.glyph_boxes) else None
            glyph_strokes, glyph_width, kind = _refine_glyph(
                [drawing.strokes[i] for i in members], ink, box, pen_width, width, steps, settings
            )
            strokes.extend(glyph_strokes)
            fitted_widths.append(glyph_width)
            kinds.append(kind)
    finally:
        torch.set_num_threads(threads)
    refined = drawing.replace(strokes=strokes, pen_width=float(np.median(fitted_widths)))
    after = reference.score(refined)
    kept = _summary(kinds)
    if objective(after, ink_width=width, lift_penalty=settings.lift_penalty) > objective(
        before, ink_width=width, lift_penalty=settings.lift_penalty
    ):
        refined, after, kept = drawing, before, "start"
    return RefineResult(refined, before, after, time.perf_counter() - started, steps, kept=kept)


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
    """Where a glyph is fitted: source pixels ``[x0, x0 + f*w) × [y0, y0 + f*h)`` reduced by ``f``."""

    x0: int
    y0: int
    factor: int
    target: np.ndarray  # (h, w) float32 ink at working resolution

    def to_work(self, xy: np.ndarray) -> np.ndarray:
        return (xy - (self.x0, self.y0)) / self.factor

    def to_source(self, xy: np.ndarray) -> np.ndarray:
        return xy * self.factor + (self.x0, self.y0)


def _crop(ink: np.ndarray, strokes: list[Stroke], box: Any, ink_width: float, settings: Settings) -> _Crop:
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
    side = max(x1 - x0, y1 - y0)
    factor = max(1, min(math.ceil(side / settings.max_side), int(ink_width / 2.5)))
    w, h = math.ceil((x1 - x0) / factor), math.ceil((y1 - y0) / factor)
    region = np.zeros((h * factor, w * factor), np.float32)
    part = ink[y0 : y0 + h * factor, x0 : x0 + w * factor]
    region[: part.shape[0], : part.shape[1]] = part
    target = region.reshape(h, factor, w, factor).mean(axis=(1, 3))
    return _Crop(x0, y0, factor, target)


@dataclasses.dataclass
class _Gesture:
    """A glyph's strokes as one tensor of points and index lists (working pixels)."""

    points: np.ndarray  # (N, 2)
    pressure: np.ndarray  # (N,)
    seg_a: np.ndarray  # (S,) index of each segment's first point
    seg_b: np.ndarray  # (S,) ... and last point (== first for a dot)
    seg_stroke: np.ndarray  # (S,) stroke of each segment
    joined: np.ndarray  # (S,) True for a segment that was a pen-up move before a join
    starts: list[int]  # first point of each stroke
    ends: list[int]  # one past the last point of each stroke
    glyph: int


def _subdivide(points: np.ndarray, longest: float) -> tuple[np.ndarray, np.ndarray]:
    """Split segments longer than ``longest``; also return which of the new points were vertices."""
    if len(points) == 1:
        return points, np.ones(1, bool)
    pieces, vertex = [points[:1]], [np.ones(1, bool)]
    for a, b in pairwise(points):
        n = max(1, int(np.ceil(np.hypot(*(b[:2] - a[:2])) / longest)))
        t = (np.arange(1, n + 1) / n)[:, None]
        pieces.append(a + (b - a) * t)
        vertex.append(np.arange(1, n + 1) == n)
    return np.concatenate(pieces), np.concatenate(vertex)


def _joins(strokes: list[np.ndarray], target: np.ndarray, width: float, settings: Settings) -> list[bool]:
    """For each pair of consecutive strokes: is the pen-up move between them over ink?"""
    out = []
    for a, b in pairwise(strokes):
        gap = np.hypot(*(b[0, :2] - a[-1, :2]))
        if gap <= 0.5:
            out.append(True)
            continue
        if gap > 6 * width:
            out.append(False)
            continue
        t = np.linspace(0, 1, max(3, int(gap * 2)))[:, None]
        path = a[-1, :2] + (b[0, :2] - a[-1, :2]) * t
        cols = np.clip(path[:, 0].astype(int), 0, target.shape[1] - 1)
        rows = np.clip(path[:, 1].astype(int), 0, target.shape[0] - 1)
        out.append(bool(target[rows, cols].mean() > settings.join_ink))
    return out


def _gesture(strokes: list[Stroke], crop: _Crop, width: float, settings: Settings) -> _Gesture:
    work = []
    for stroke in strokes:
        p = stroke.points.copy()
        p[:, :2] = crop.to_work(p[:, :2])
        work.append(p)
    joins = _joins(work, crop.target, width, settings)
    # Runs of strokes joined into one polyline.
    runs: list[list[np.ndarray]] = [[work[0]]]
    for join, stroke in zip(joins, work[1:], strict=True):
        if join:
            runs[-1].append(stroke)
        else:
            runs.append([stroke])
    points, pressure, seg_a, seg_b, seg_stroke, joined, starts, ends = [], [], [], [], [], [], [], []
    count = 0
    longest = max(1.5, settings.segment * width)
    for index, run in enumerate(runs):
        merged = np.concatenate(run)
        # The pen-up move between two joined strokes becomes a segment, marked as a join: segment
        # k of ``merged`` is one when it starts at the last point of a stroke.
        boundary = set(np.cumsum([len(s) for s in run])[:-1] - 1)
        dense_parts, dense_join = [merged[:1]], []
        for k in range(len(merged) - 1):
            piece, _ = _subdivide(merged[k : k + 2], longest)
            dense_parts.append(piece[1:])
            dense_join.extend([k in boundary] * (len(piece) - 1))
        dense = np.concatenate(dense_parts)
        n = len(dense)
        starts.append(count)
        ends.append(count + n)
        points.append(dense[:, :2])
        pressure.append(dense[:, 2])
        if n == 1:
            seg_a.append([count])
            seg_b.append([count])
            joined.append([False])
            seg_stroke.append([index])
        else:
            seg_a.append(np.arange(count, count + n - 1))
            seg_b.append(np.arange(count + 1, count + n))
            joined.append(dense_join)
            seg_stroke.append(np.full(n - 1, index))
        count += n
    return _Gesture(
        points=np.concatenate(points),
        pressure=np.concatenate(pressure),
        seg_a=np.concatenate(seg_a).astype(np.int64),
        seg_b=np.concatenate(seg_b).astype(np.int64),
        seg_stroke=np.concatenate(seg_stroke).astype(np.int64),
        joined=np.concatenate(joined).astype(bool),
        starts=starts,
        ends=ends,
        glyph=strokes[0].glyph,
    )


def render_sparse(a: Tensor, b: Tensor, widths: Tensor, intensity: Tensor, height: int, width: int, *, softness: float) -> Tensor:
    """Soft line segments like :func:`strokebot.render.render_segments`, visiting only nearby pixels.

    Each segment is evaluated on a square window around it, wide enough for its length, width and
    edge. A pixel takes its darkest segment (ink does not add up): layered soft edges of the many
    short segments of a stroke would otherwise darken its rim and make the fitted line too thin.

    Shape:
        a, b (S, 2), widths (S,), intensity (S,) -> (H, W)
    """
    margin = widths.detach() / 2 + 5 * softness  # (S,)
    low = torch.minimum(a, b).detach() - margin[:, None]  # (S, 2)
    extent = (torch.maximum(a, b).detach() + margin[:, None] - low).max()
    side = int(torch.ceil(extent).item()) + 2
    origin = torch.floor(low).long()  # (S, 2)
    offsets = torch.arange(side)
    grid_x = (origin[:, 0, None, None] + offsets[None, None, :]).expand(-1, side, side)  # (S, K, K)
    grid_y = (origin[:, 1, None, None] + offsets[None, :, None]).expand(-1, side, side)  # (S, K, K)
    inside = (grid_x >= 0) & (grid_x < width) & (grid_y >= 0) & (grid_y < height)  # (S, K, K)
    pixel = torch.where(inside, grid_y * width + grid_x, height * width)  # (S, K, K); outside -> spare slot
    qx = grid_x.to(a.dtype) + 0.5 - a[:, 0, None, None]  # (S, K, K)
    qy = grid_y.to(a.dtype) + 0.5 - a[:, 1, None, None]
    ab = b - a  # (S, 2)
    length2 = (ab * ab).sum(-1)[:, None, None]  # (S, 1, 1)
    t = ((qx * ab[:, 0, None, None] + qy * ab[:, 1, None, None]) / (length2 + 1e-9)).clamp(0.0, 1.0)
    dx = qx - t * ab[:, 0, None, None]
    dy = qy - t * ab[:, 1, None, None]
    distance = torch.sqrt(dx * dx + dy * dy + 1e-8)  # (S, K, K)
    ink = intensity[:, None, None] * torch.sigmoid((widths[:, None, None] / 2 - distance) / softness)
    flat = torch.zeros(height * width + 1, dtype=a.dtype)
    image = flat.scatter_reduce(0, pixel.reshape(-1), ink.reshape(-1), reduce="amax", include_self=True)
    return image[:-1].reshape(height, width)  # (H, W)


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


def _refine_glyph(
    strokes: list[Stroke],
    ink: np.ndarray,
    box: Any,
    pen_width: float,
    ink_width: float,
    steps: int,
    settings: Settings,
) -> tuple[list[Stroke], float, str]:
    """Fit one glyph's strokes; return the best candidate, its pen width and which it is."""
    crop = _crop(ink, strokes, box, ink_width, settings)
    width_work = ink_width / crop.factor
    g = _gesture(strokes, crop, width_work, settings)
    target = torch.from_numpy(crop.target)
    height, width = crop.target.shape

    points = torch.tensor(g.points, dtype=torch.float32, requires_grad=True)  # (N, 2)
    pressure0 = torch.tensor(np.clip(g.pressure, 0.02, 0.98), dtype=torch.float32)
    pressure_logit = torch.logit(pressure0).clone().requires_grad_()  # (N,)
    # Pen width: the ink's, as measured; the fit adjusts it.
    log_width = torch.tensor(math.log(width_work), requires_grad=True)
    intensity_logit = torch.full((len(g.seg_a),), 3.0, requires_grad=True)  # (S,)
    seg_a, seg_b = torch.from_numpy(g.seg_a), torch.from_numpy(g.seg_b)
    same = torch.from_numpy(g.seg_stroke[1:] == g.seg_stroke[:-1])  # (S-1,) consecutive segments of one stroke
    inner = np.concatenate([np.arange(s + 1, e - 1) for s, e in zip(g.starts, g.ends, strict=True)] or [np.zeros(0, int)])
    inner = torch.from_numpy(inner.astype(np.int64))
    length0 = float(np.hypot(*(g.points[g.seg_b] - g.points[g.seg_a]).T).sum()) + 1.0

    optimiser = _Adam([(points, settings.lr), (pressure_logit, 0.1), (intensity_logit, 0.1), (log_width, 0.03)])
    best_loss, best = math.inf, None
    for step in range(steps):
        decay = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / max(steps - 1, 1)))
        p = torch.sigmoid(pressure_logit)  # (N,)
        seg_pressure = (p[seg_a] + p[seg_b]) / 2  # (S,)
        widths = torch.exp(log_width) * (0.5 + seg_pressure)  # (S,)
        intensity = torch.sigmoid(intensity_logit)  # (S,)
        a, b = points[seg_a], points[seg_b]  # (S, 2)
        image = render_sparse(a, b, widths, intensity, height, width, softness=settings.softness)  # (H, W)
        fit = _pyramid_loss(image, target)
        length = torch.sqrt(((b - a) ** 2).sum(-1) + 1e-6)  # (S,)
        shortness = (length * intensity).sum() / length0
        if len(inner):
            bend = points[inner - 1] - 2 * points[inner] + points[inner + 1]  # (I, 2)
            smooth = (bend * bend).sum() / (width_work * width_work) / len(inner)
        else:
            smooth = points.sum() * 0
        lifts = ((intensity[1:] - intensity[:-1]).abs() * same).sum()
        pull = ((p - 0.5) ** 2).mean()
        loss = (
            fit
            + settings.smoothness * smooth
            + settings.shortness * shortness
            + settings.lift_cost * lifts
            + settings.pressure_pull * pull
        )
        value = float(loss.detach())
        if value < best_loss:
            best_loss = value
            best = (points.detach().clone(), p.detach().clone(), intensity.detach().clone(), float(torch.exp(log_width).detach()))
        loss.backward()
        optimiser.step(decay)
    assert best is not None
    best_points, best_pressure, best_intensity, best_width = best

    # Candidates, scored on the glyph's crop at full resolution; the start is always one.
    local = Reference(ink[crop.y0 : crop.y0 + crop.target.shape[0] * crop.factor, crop.x0 : crop.x0 + crop.target.shape[1] * crop.factor])
    # Pressures around 0.5, so that the pen width is the line's typical width.
    pressure = best_pressure.numpy().astype(np.float64)
    typical = 0.5 + float(pressure.mean())
    pen_source = best_width * crop.factor * typical
    pressure = np.clip((0.5 + pressure) / typical - 0.5, 0.0, 1.0)
    xy = crop.to_source(best_points.numpy().astype(np.float64))
    down = best_intensity.numpy() > 0.5
    candidates = {
        "start": (strokes, pen_width),
        "refined": (_strokes(g, xy, pressure, down, g.glyph), pen_source),
        "refined, start's pen lifts": (_strokes(g, xy, pressure, ~g.joined, g.glyph), pen_source),
    }
    if np.any(g.joined):
        candidates["refined, no joins"] = (_strokes(g, xy, pressure, down & ~g.joined, g.glyph), pen_source)
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


def _strokes(g: _Gesture, xy: np.ndarray, pressure: np.ndarray, down: np.ndarray, glyph: int) -> list[Stroke]:
    """Pen-down runs of the fitted gesture: segment ``k`` is drawn when ``down[k]``."""
    out: list[Stroke] = []
    for index, (start, end) in enumerate(zip(g.starts, g.ends, strict=True)):
        if end - start == 1:
            segment = np.flatnonzero(g.seg_stroke == index)
            if down[segment].all():
                out.append(Stroke(np.column_stack([xy[start:end], pressure[start:end], np.ones(1)]), glyph=glyph))
            continue
        segments = np.flatnonzero(g.seg_stroke == index)  # in order along the stroke
        flags = down[segments].astype(np.int8)
        edges = np.diff(np.concatenate([[0], flags, [0]]))
        for first, last in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):  # segments [first, last)
            a, b = g.seg_a[segments[first]], g.seg_b[segments[last - 1]]
            run = slice(a, b + 1)
            count = b + 1 - a
            out.append(Stroke(np.column_stack([xy[run], pressure[run], np.ones(count)]), glyph=glyph))
    return out
