"""Research lead: a *global + local* sequential stroke model, trained briefly and measured.

After the idea of Kotani & Tellex, "Teaching Robots to Draw" (ICRA 2019): a **global** network
looks at the whole glyph and the ink not yet drawn and picks where the next stroke starts (or that
the glyph is done); a **local** network looks at a window around the pen and picks the next move
(one of 16 directions, ``STEP`` pixels long) or lifts the pen. Drawing alternates the two until the
global network says done. This script is an experiment, not part of the package: it trains both
nets on the true pen paths of KanjiVG (training split) and people's Omniglot glyphs (training
split), then traces the held-out sets strokebot's stroke model is measured on and prints the same
figures as :func:`strokebot.evaluate.path_figures`.

Design, all in a 64 × 64 *working frame* (the glyph's ink box fitted into ``FIT`` px, centred;
:class:`Frame` maps the strokes back to image pixels for the metrics):

* Teacher forcing. Each true stroke is resampled every ``STEP`` px; the pen's *state* at each
  point is the canvas drawn so far (every pixel whose centre lies within the pen radius of the
  path walked, :func:`stamp`), and from it the *remaining ink* (the glyph's ink not yet covered).
  One 64 × 64 map per glyph holds the time each pixel was first covered, so any state's maps are
  a comparison away (:func:`local_maps`). Targets: the next move's direction (a soft label over
  the two nearest of 16 bins) or the lift at the stroke's end. The pen position is jittered by
  ``NOISE`` px and the direction aims two steps ahead, so the local net learns to steer back
  onto the ink when it drifts. Global targets: the start point of each stroke (a Gaussian of
  1 px over the 64 × 64 pixels) given the strokes before it, and "done" after the last.
* Local net: a small CNN on a 21 × 21 window (channels: remaining ink, earlier strokes, the
  current stroke so far, the whole ink) plus the previous move, outputs 16 + 1 classes.
* Global net: a small U-Net on 64 × 64 (remaining ink, canvas, ink, x, y) giving a start-point
  heatmap, with a done logit from its pooled bottleneck.
* Drawing (:func:`draw`): the global net's most likely start among the pixels within 1 px of
  remaining ink (so no stroke starts on bare paper or on ink already drawn); the local net steps
  until it lifts (at most ``MAX_STEPS`` per stroke); repeat until done, no remaining ink, or
  ``MAX_STROKES`` strokes.

    python benchmarks/leads/global_local.py                       # train 11 min (13 with the data), evaluate, write results
    python benchmarks/leads/global_local.py --quick               # a smoke run of under a minute
    python benchmarks/leads/global_local.py --save /tmp/gl.pt     # ... and keep the weights
    python benchmarks/leads/global_local.py --load /tmp/gl.pt     # evaluate them again without training

Training runs for a wall-clock budget (``--minutes``, cosine learning rate over it), because the
machine is shared and its speed varies; the results record how many steps each net took. Torch
runs on one thread by default: on two cores shared with other jobs, two threads made these small
convolutions 20-40 times slower.

Writes ``global_local_results.md`` and ``global_local_examples.png`` beside this script (a
``--quick`` or ``--val-only`` run writes neither unless ``--out`` is given).
"""

from __future__ import annotations

import argparse
import datetime
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmarks/machine.py

SIZE = 64  # working frame, px
FIT = 54  # the glyph's longer side in the working frame, px
STEP = 1.5  # one pen move, working px
WINDOW = 21  # the local net's view, px
BINS = 16  # move directions; class BINS is "lift the pen"
LIFT = BINS
NOISE = 0.5  # pen position jitter in training, working px (per axis)
MAX_STROKES = 40
MAX_STEPS = 120  # per stroke (180 working px)


# -- the working frame -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """``work = image * scale + offset``; both in pixels with x right, y down, pixel centres at +0.5."""

    scale: float
    offset: np.ndarray  # (2,)

    def to_work(self, xy: np.ndarray) -> np.ndarray:
        return np.asarray(xy, np.float64)[:, :2] * self.scale + self.offset

    def to_image(self, xy: np.ndarray) -> np.ndarray:
        return (np.asarray(xy, np.float64) - self.offset) / self.scale


def frame_of(image: np.ndarray) -> Frame:
    """The frame that fits the ink's box into ``FIT`` px, centred in ``SIZE``."""
    mask = image > 0.5
    if not mask.any():
        mask = image > 0.1
    if not mask.any():
        return Frame(1.0, np.zeros(2))
    rows, cols = np.nonzero(mask)
    x0, x1, y0, y1 = cols.min(), cols.max() + 1, rows.min(), rows.max() + 1
    scale = FIT / max(x1 - x0, y1 - y0, 1)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return Frame(float(scale), SIZE / 2 - scale * centre)


def work_ink(image: np.ndarray, frame: Frame) -> np.ndarray:
    """The image resampled into the working frame (blurred first when shrinking): float32 (64, 64)."""
    from scipy.ndimage import gaussian_filter, map_coordinates

    shrink = 1.0 / frame.scale
    source = gaussian_filter(image.astype(np.float32), (shrink - 1) / 2) if shrink > 1.2 else image.astype(np.float32)
    centres = np.arange(SIZE) + 0.5
    xs = (centres - frame.offset[0]) / frame.scale - 0.5  # image index coordinates of work pixel centres
    ys = (centres - frame.offset[1]) / frame.scale - 0.5
    grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
    return np.clip(map_coordinates(source, [grid_y, grid_x], order=1, cval=0.0), 0, 1).astype(np.float32)


def pen_radius(ink: np.ndarray) -> float:
    """A pixel counts as drawn when its centre is this close to the pen path: half the ink's width + 0.5."""
    from strokebot.imaging import stroke_width

    return float(np.clip(0.5 * stroke_width(ink) + 0.5, 1.0, 3.5))


def resample(points: np.ndarray, step: float) -> np.ndarray:
    """Points evenly spaced along a polyline, at most ``step`` apart, both ends kept: (n + 1, 2)."""
    keep = np.concatenate([[True], np.hypot(*np.diff(points, axis=0).T) > 1e-9])
    points = points[keep]
    if len(points) < 2:
        return points[:1]
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    count = max(1, int(math.ceil(along[-1] / step)))
    at = np.linspace(0.0, along[-1], count + 1)
    return np.stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])], axis=1)


_CENTRES = np.stack(np.meshgrid(np.arange(SIZE) + 0.5, np.arange(SIZE) + 0.5, indexing="xy"), axis=-1)  # (64, 64, 2) x, y


def stamp(times: np.ndarray, path: np.ndarray, radius: float, start: float) -> None:
    """Mark the pixels a pen of ``radius`` covers along ``path`` (m, 2) in ``times`` (in place).

    The first point is touched at time ``start``, segment k (ending at point k) at ``start + k``; a
    pixel keeps the earliest time it was covered. The same rule makes the training canvases and
    the canvas while drawing.
    """
    lo = np.clip(np.floor(path.min(0) - radius - 1).astype(int), 0, SIZE)
    hi = np.clip(np.ceil(path.max(0) + radius + 1).astype(int), 0, SIZE)
    if (hi <= lo).any():
        return
    centres = _CENTRES[lo[1] : hi[1], lo[0] : hi[0]].reshape(-1, 1, 2)  # (P, 1, 2)
    a = np.concatenate([path[:1], path[:-1]])[None]  # (1, m, 2) segment starts (the first is a point)
    b = path[None]  # (1, m, 2)
    ab = b - a
    t = np.clip(((centres - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)  # (P, m)
    distance = np.hypot(*(a + t[..., None] * ab - centres).transpose(2, 0, 1))  # (P, m)
    when = np.where(distance <= radius, start + np.arange(len(path))[None], np.inf).min(1)  # (P,)
    box = times[lo[1] : hi[1], lo[0] : hi[0]]
    np.minimum(box, when.reshape(box.shape), out=box)


# -- teacher forcing -------------------------------------------------------------------------------


@dataclass
class Lessons:
    """Every glyph's maps and every pen state of their true strokes, as arrays (one set of glyphs)."""

    ink: np.ndarray  # (G, 64, 64) float32
    times: np.ndarray  # (G, 64, 64) float32, when the true pen first covered each pixel (inf: never)
    # one row per pen state
    glyph: np.ndarray  # (S,) int
    now: np.ndarray  # (S,) time of the state
    first: np.ndarray  # (S,) time the current stroke started
    pos: np.ndarray  # (S, 2) pen position, working px
    aim: np.ndarray  # (S, 2) where the pen heads (two points ahead)
    prev: np.ndarray  # (S, 2) previous move, unit (0 at a stroke's start)
    lift: np.ndarray  # (S,) bool: the stroke ends here
    # one row per stroke start, and one "done" row per glyph
    start_glyph: np.ndarray  # (T,) int
    start_time: np.ndarray  # (T,)
    start_pos: np.ndarray  # (T, 2) (nan for done)
    done: np.ndarray  # (T,) bool


def lessons(samples: list) -> Lessons:
    inks, times_maps, states, starts = [], [], [], []
    for g, sample in enumerate(samples):
        frame = frame_of(sample.image)
        ink = work_ink(sample.image, frame)
        radius = pen_radius(ink)
        times = np.full((SIZE, SIZE), np.inf, np.float32)
        clock = 0
        for stroke in sample.strokes:
            if len(stroke) == 0:
                continue
            q = resample(frame.to_work(stroke), STEP)  # (n + 1, 2)
            n = len(q) - 1
            stamp(times, q, radius, clock)
            moves = np.diff(q, axis=0)
            unit = moves / np.maximum(np.hypot(*moves.T)[:, None], 1e-9)
            for i in range(n + 1):
                prev = unit[i - 1] if i > 0 else np.zeros(2)
                states.append((g, clock + i, clock, *q[i], *q[min(i + 2, n)], *prev, i == n))
            starts.append((g, clock, *q[0], False))
            clock += n + 1
        starts.append((g, clock, np.nan, np.nan, True))
        inks.append(ink)
        times_maps.append(times)
    s = np.array(states, np.float64).reshape(-1, 10)
    t = np.array(starts, np.float64).reshape(-1, 5)
    return Lessons(
        ink=np.stack(inks), times=np.stack(times_maps),
        glyph=s[:, 0].astype(np.int64), now=s[:, 1], first=s[:, 2], pos=s[:, 3:5], aim=s[:, 5:7], prev=s[:, 7:9],
        lift=s[:, 9].astype(bool),
        start_glyph=t[:, 0].astype(np.int64), start_time=t[:, 1], start_pos=t[:, 2:4], done=t[:, 4].astype(bool),
    )  # fmt: skip


# -- the two networks ------------------------------------------------------------------------------


def _nets():
    import torch
    from torch import nn
    from torch.nn import functional as F

    def conv(cin: int, cout: int, stride: int = 1) -> nn.Module:
        return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.ReLU())

    class LocalNet(nn.Module):
        """Window around the pen (B, 4, 21, 21) + previous move and first-step flag (B, 3) -> (B, 17) logits."""

        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(conv(4, 16), conv(16, 32, 2), conv(32, 32, 2), conv(32, 64))  # -> (B, 64, 6, 6)
            self.head = nn.Sequential(nn.Linear(64 * 6 * 6 + 3, 128), nn.ReLU(), nn.Linear(128, BINS + 1))

        def forward(self, window: torch.Tensor, vector: torch.Tensor) -> torch.Tensor:
            x = self.features(window).flatten(1)  # (B, 2304)
            return self.head(torch.cat([x, vector], 1))  # (B, 17)

    class GlobalNet(nn.Module):
        """Whole frame (B, 5, 64, 64) -> start logits (B, 64, 64) and done logit (B,)."""

        def __init__(self, c: int = 16) -> None:
            super().__init__()
            self.e0 = conv(5, c // 2)  # (B, 8, 64, 64)
            self.e1 = nn.Sequential(conv(c // 2, c, 2), conv(c, c))  # (B, 16, 32, 32)
            self.e2 = nn.Sequential(conv(c, 2 * c, 2), conv(2 * c, 2 * c))  # (B, 32, 16, 16)
            self.e3 = nn.Sequential(conv(2 * c, 4 * c, 2), conv(4 * c, 4 * c))  # (B, 64, 8, 8)
            self.context = nn.Linear(8 * c, 4 * c)  # pooled bottleneck, added back everywhere
            self.u2 = conv(6 * c, c)  # decoder kept narrow: on two CPU cores it is most of the cost
            self.u1 = conv(2 * c, c // 2)
            self.heatmap = nn.Conv2d(c, 1, 3, 1, 1)
            self.done = nn.Linear(8 * c, 1)

        def forward(self, maps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            x0 = self.e0(maps)
            x1 = self.e1(x0)
            x2 = self.e2(x1)
            x3 = self.e3(x2)
            pooled = torch.cat([x3.mean((2, 3)), x3.amax((2, 3))], 1)  # (B, 128)
            x3 = F.relu(x3 + self.context(pooled)[:, :, None, None])
            y = self.u2(torch.cat([F.interpolate(x3, scale_factor=2.0), x2], 1))  # (B, 16, 16, 16)
            y = self.u1(torch.cat([F.interpolate(y, scale_factor=2.0), x1], 1))  # (B, 8, 32, 32)
            y = torch.cat([F.interpolate(y, scale_factor=2.0, mode="bilinear"), x0], 1)  # (B, 16, 64, 64)
            return self.heatmap(y)[:, 0], self.done(pooled)[:, 0]  # (B, 64, 64), (B,)

    return LocalNet, GlobalNet


def local_maps(ink, times, now, first):
    """The local net's channels (B, 4, 64, 64) for pen states at time ``now`` (B,) of a stroke begun at ``first``."""
    import torch

    now, first = now[:, None, None], first[:, None, None]
    drawn = times <= now
    earlier = times < first
    return torch.stack([ink * ~drawn, earlier.float(), (drawn & ~earlier).float(), ink], 1)


def global_maps(ink, times, now):
    """The global net's channels (B, 5, 64, 64) before a stroke that starts at time ``now`` (B,)."""
    import torch

    drawn = times < now[:, None, None]
    coords = torch.linspace(-1, 1, SIZE)
    x = coords[None, None, :].expand_as(ink)
    y = coords[None, :, None].expand_as(ink)
    return torch.stack([ink * ~drawn, drawn.float(), ink, x, y], 1)


def windows(maps, pos):
    """``WINDOW``-px crops of ``maps`` (B, C, 64, 64) centred on ``pos`` (B, 2) working px, bilinear: (B, C, 21, 21)."""
    import torch
    from torch.nn import functional as F

    offsets = torch.arange(WINDOW, dtype=torch.float32) - WINDOW // 2
    x = (pos[:, 0:1] + offsets) * (2 / SIZE) - 1  # (B, 21)
    y = (pos[:, 1:2] + offsets) * (2 / SIZE) - 1
    grid = torch.stack([x[:, None, :].expand(-1, WINDOW, -1), y[:, :, None].expand(-1, -1, WINDOW)], -1)  # (B, 21, 21, 2)
    return F.grid_sample(maps, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def direction_labels(pos, aim, lift):
    """Soft targets (B, 17): the move's angle split over its two nearest bins, or the lift class."""
    import torch

    delta = aim - pos
    angle = torch.atan2(delta[:, 1], delta[:, 0]) % (2 * math.pi)
    where = angle / (2 * math.pi / BINS)
    low = where.floor().long() % BINS
    high = (low + 1) % BINS
    frac = where - where.floor()
    target = torch.zeros(len(pos), BINS + 1)
    target.scatter_(1, low[:, None], (1 - frac)[:, None])
    target.scatter_add_(1, high[:, None], frac[:, None])
    target[lift] = 0.0
    target[lift, LIFT] = 1.0
    return target


def heading(probabilities: np.ndarray) -> float:
    """The move angle: the most likely bin refined by the probability-weighted mean of it and its neighbours."""
    best = int(np.argmax(probabilities[:BINS]))
    near = [(best + d) % BINS for d in (-1, 0, 1)]
    weights = probabilities[near]
    angles = (best + np.array([-1.0, 0.0, 1.0])) * (2 * math.pi / BINS)
    return float(math.atan2((weights * np.sin(angles)).sum(), (weights * np.cos(angles)).sum()))


# -- training --------------------------------------------------------------------------------------


def _tensors(data: Lessons) -> dict:
    import torch

    return {
        "ink": torch.from_numpy(data.ink), "times": torch.from_numpy(data.times),
        "glyph": torch.from_numpy(data.glyph), "now": torch.from_numpy(data.now).float(),
        "first": torch.from_numpy(data.first).float(), "pos": torch.from_numpy(data.pos).float(),
        "aim": torch.from_numpy(data.aim).float(), "prev": torch.from_numpy(data.prev).float(),
        "lift": torch.from_numpy(data.lift), "start_glyph": torch.from_numpy(data.start_glyph),
        "start_time": torch.from_numpy(data.start_time).float(), "start_pos": torch.from_numpy(data.start_pos).float(),
        "done": torch.from_numpy(data.done),
    }  # fmt: skip


def local_batch(t: dict, rows, generator, *, noise: float = NOISE):
    import torch

    g = t["glyph"][rows]
    now, first = t["now"][rows], t["first"][rows]
    pos = t["pos"][rows] + noise * torch.randn(len(rows), 2, generator=generator)
    maps = local_maps(t["ink"][g], t["times"][g], now, first)  # (B, 4, 64, 64)
    window = windows(maps, pos)  # (B, 4, 21, 21)
    vector = torch.cat([t["prev"][rows], (now == first).float()[:, None]], 1)  # (B, 3)
    return window, vector, direction_labels(pos, t["aim"][rows], t["lift"][rows])


def global_batch(t: dict, rows):
    import torch

    g = t["start_glyph"][rows]
    maps = global_maps(t["ink"][g], t["times"][g], t["start_time"][rows])  # (B, 5, 64, 64)
    done = t["done"][rows]
    centres = torch.arange(SIZE, dtype=torch.float32) + 0.5
    x, y = t["start_pos"][rows].nan_to_num(SIZE / 2).clamp(0.5, SIZE - 0.5).unbind(1)  # (B,), (B,)
    target = torch.exp(-((centres[None, None, :] - x[:, None, None]) ** 2 + (centres[None, :, None] - y[:, None, None]) ** 2) / 2)
    target = target / target.sum((1, 2), keepdim=True)  # (B, 64, 64): a Gaussian of 1 px at the true start
    return maps, target, done


def _mixed_rows(sets: list[tuple[int, float]], batch: int, generator):
    """Row indices into the concatenated sets, each set drawn with its share of the batch."""
    import torch

    rows, base = [], 0
    for count, share in sets:
        k = int(round(batch * share))
        if count and k:
            rows.append(base + torch.randint(count, (k,), generator=generator))
        base += count
    return torch.cat(rows)


def train(args, train_sets: list[Lessons], shares: list[float], log) -> tuple:
    """Both nets on the teacher-forced states, one after the other, within ``--minutes``."""
    import torch
    from torch.nn import functional as F

    LocalNet, GlobalNet = _nets()
    torch.manual_seed(args.seed)
    local, global_ = LocalNet(), GlobalNet()
    merged = _tensors(_concat(train_sets))
    generator = torch.Generator().manual_seed(args.seed)
    state_sets = [(len(d.glyph), s) for d, s in zip(train_sets, shares, strict=True)]
    start_sets = [(len(d.start_glyph), s) for d, s in zip(train_sets, shares, strict=True)]
    timings = {}

    def run(net, seconds, batch, lr, loss_of, name):
        """Train until ``seconds`` have passed; the learning rate warms up over 50 steps, then
        follows a cosine over the time budget (the machine is shared, so steps per second vary)."""
        optimiser = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
        started = time.perf_counter()
        recent, step, reported = [], 0, 0.0
        while (elapsed := time.perf_counter() - started) < seconds:
            for group in optimiser.param_groups:
                group["lr"] = lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * elapsed / seconds))
            loss = loss_of(batch)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
            recent.append(loss.item())
            step += 1
            if elapsed - reported > seconds / 10:
                log(f"  {name} step {step}: loss {np.mean(recent):.3f} ({elapsed:.0f} s)")
                recent, reported = [], elapsed
        timings[name] = time.perf_counter() - started
        timings[name + "_steps"] = step
        log(f"  {name}: {step} steps of {batch} in {timings[name]:.0f} s")

    def local_loss(batch):
        rows = _mixed_rows(state_sets, batch, generator)
        window, vector, target = local_batch(merged, rows, generator)
        return F.cross_entropy(local(window, vector), target)

    def global_loss(batch):
        rows = _mixed_rows(start_sets, batch, generator)
        maps, target, done = global_batch(merged, rows)
        heat, done_logit = global_(maps)
        loss = F.binary_cross_entropy_with_logits(done_logit, done.float())
        if (~done).any():
            logp = F.log_softmax(heat[~done].flatten(1), 1)  # (b, 4096)
            loss = loss - (target[~done].flatten(1) * logp).sum(1).mean()
        return loss

    run(global_, 60 * args.minutes * args.global_share, args.global_batch, 2e-3, global_loss, "global")
    run(local, 60 * args.minutes * (1 - args.global_share), args.local_batch, 2e-3, local_loss, "local")
    return local.eval(), global_.eval(), timings


def _concat(sets: list[Lessons]) -> Lessons:
    glyph_base = np.cumsum([0] + [len(d.ink) for d in sets])[:-1]
    cat = np.concatenate
    return Lessons(
        ink=cat([d.ink for d in sets]), times=cat([d.times for d in sets]),
        glyph=cat([d.glyph + b for d, b in zip(sets, glyph_base, strict=True)]), now=cat([d.now for d in sets]),
        first=cat([d.first for d in sets]), pos=cat([d.pos for d in sets]), aim=cat([d.aim for d in sets]),
        prev=cat([d.prev for d in sets]), lift=cat([d.lift for d in sets]),
        start_glyph=cat([d.start_glyph + b for d, b in zip(sets, glyph_base, strict=True)]),
        start_time=cat([d.start_time for d in sets]), start_pos=cat([d.start_pos for d in sets]), done=cat([d.done for d in sets]),
    )  # fmt: skip


# -- drawing ---------------------------------------------------------------------------------------


def draw(image: np.ndarray, local, global_, *, max_strokes: int = MAX_STROKES) -> list[np.ndarray]:
    """Trace one glyph image (ink 1 on paper 0): pen-down strokes in image pixels, in drawing order,
    at most ``max_strokes`` of them."""
    import torch
    from scipy.ndimage import binary_dilation

    frame = frame_of(image)
    ink = work_ink(image, frame)
    radius = pen_radius(ink)
    times = np.full((SIZE, SIZE), np.inf, np.float32)
    ink_t = torch.from_numpy(ink)[None]
    clock = 0.0
    strokes = []
    with torch.no_grad():
        for _ in range(max_strokes):
            remaining = (ink > 0.5) & np.isinf(times)
            if remaining.sum() < 2:
                break
            maps = global_maps(ink_t, torch.from_numpy(times)[None], torch.tensor([clock]))
            heat, done = global_(maps)
            if torch.sigmoid(done)[0] > 0.5:
                break
            allowed = binary_dilation(remaining, iterations=1)
            logits = heat[0].numpy().astype(np.float64)
            logits[~allowed] = -np.inf
            row, col = np.unravel_index(np.argmax(logits), logits.shape)
            near = logits[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2]
            weight = np.exp(near - near.max())
            ys, xs = np.mgrid[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2] + 0.5
            pos = np.array([(weight * xs).sum(), (weight * ys).sum()]) / weight.sum()
            path = [pos]
            first = clock
            stamp(times, pos[None], radius, clock)
            prev = np.zeros(2)
            for _step in range(MAX_STEPS):
                maps = local_maps(ink_t, torch.from_numpy(times)[None], torch.tensor([clock]), torch.tensor([first]))
                window = windows(maps, torch.tensor(pos[None], dtype=torch.float32))
                vector = torch.tensor([[prev[0], prev[1], float(clock == first)]], dtype=torch.float32)
                probabilities = torch.softmax(local(window, vector)[0], 0).numpy()
                if probabilities.argmax() == LIFT:
                    break
                angle = heading(probabilities)
                prev = np.array([math.cos(angle), math.sin(angle)])
                new = np.clip(pos + STEP * prev, 0.0, SIZE)
                stamp(times, np.stack([pos, new]), radius, clock)
                clock += 1
                pos = new
                path.append(pos)
            clock += 1
            strokes.append(frame.to_image(np.array(path)))
    return strokes


# -- measuring -------------------------------------------------------------------------------------


def measure(samples: list, local, global_, *, progress: str = "", max_strokes: int = MAX_STROKES) -> tuple[dict, list]:
    """The figures of :func:`strokebot.evaluate.path_figures`, aggregated the same way, for this model."""
    from strokebot.evaluate import order_distance
    from strokebot.metrics import drawing_like_a_person

    rows, starts, orders, drawings, seconds = [], [], [], [], 0.0
    for index, sample in enumerate(samples):
        started = time.perf_counter()
        drawn = draw(sample.image, local, global_, max_strokes=max_strokes)
        seconds += time.perf_counter() - started
        rows.append(drawing_like_a_person(drawn, sample.strokes, sample.image))
        if drawn:
            starts.append(float(np.hypot(*(drawn[0][0] - sample.strokes[0][0]))))
            orders.append(order_distance(drawn, sample.strokes))
        drawings.append(drawn)
        if progress:
            print(f"\r{progress}: {index + 1}/{len(samples)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)

    from strokebot.evaluate import summarise

    figures = summarise(rows)  # the same aggregation as strokebot evaluate
    figures.update(
        {
            "start_distance_median": float(np.median(starts)) if starts else float("nan"),
            "order_distance_median": float(np.median(orders)) if orders else float("nan"),
            "seconds_per_glyph": seconds / max(len(samples), 1),
        }
    )
    return figures, drawings


HEADER = (
    "| set | glyphs | Chamfer px (median) | direction | order τ | strokes median (true) | strokes exact | "
    "median \\|Δ strokes\\| | off-ink (mean) | length ratio (median) | first point px (median) | s / glyph |"
)


def table_row(name: str, f: dict) -> str:
    return (
        f"| {name} | {f['glyphs']} | {f['chamfer_median']:.2f} | {f['direction']:.2f} | {f['order_tau']:.2f} | "
        f"{f['strokes_median']:.0f} ({f['true_strokes_median']:.0f}) | {100 * f['strokes_exact']:.0f} % | "
        f"{f['strokes_off_median']:.0f} | {100 * f['off_ink_mean']:.1f} % | {f['length_ratio_median']:.2f} | "
        f"{f['start_distance_median']:.1f} | {f['seconds_per_glyph']:.3f} |"
    )


# -- the picture -----------------------------------------------------------------------------------


def _colour(k: int, count: int) -> tuple[int, int, int]:
    """Stroke k of count on a red -> orange -> green -> blue -> purple ramp."""
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(0.8 * k / max(count - 1, 1), 0.9, 0.85)
    return int(255 * r), int(255 * g), int(255 * b)


def _panel(image: np.ndarray, strokes: list[np.ndarray], title: str, side: int = 220):
    from PIL import Image, ImageDraw

    grey = (255 - 110 * np.clip(image, 0, 1)).astype(np.uint8)
    zoom = side / max(image.shape)
    picture = Image.fromarray(grey).convert("RGB").resize((round(image.shape[1] * zoom), round(image.shape[0] * zoom)), Image.BILINEAR)
    canvas = Image.new("RGB", (side, side + 16), "white")
    canvas.paste(picture, (0, 16))
    pen = ImageDraw.Draw(canvas)
    pen.text((3, 2), title, fill="black")
    for k, stroke in enumerate(strokes):
        xy = [(float(x) * zoom, float(y) * zoom + 16) for x, y in np.asarray(stroke)[:, :2]]
        colour = _colour(k, len(strokes))
        if len(xy) > 1:
            pen.line(xy, fill=colour, width=2)
        x, y = xy[0]
        pen.ellipse((x - 3, y - 3, x + 3, y + 3), outline=colour, width=2)  # pen down
        if len(xy) > 1:  # an arrow head at the end shows the direction
            (x0, y0), (x1, y1) = xy[max(0, len(xy) - 4)], xy[-1]
            angle = math.atan2(y1 - y0, x1 - x0)
            head = [(x1, y1)] + [(x1 - 7 * math.cos(angle + s * 0.5), y1 - 7 * math.sin(angle + s * 0.5)) for s in (-1, 1)]
            pen.polygon(head, fill=colour)
    return canvas


def picture(path: Path, examples: list[tuple[str, object, list]]) -> None:
    """Each glyph as two panels, the model's strokes and the true ones, coloured by order."""
    import io

    from PIL import Image

    from strokebot.output import write_bytes

    panels = []
    for name, sample, drawn in examples:
        panels.append(_panel(sample.image, drawn, f"{name}: drawn, {len(drawn)} strokes"))
        panels.append(_panel(sample.image, sample.strokes, f"true, {len(sample.strokes)} strokes"))
    columns = 4
    rows = math.ceil(len(panels) / columns)
    w, h = panels[0].size
    sheet = Image.new("RGB", (columns * (w + 6), rows * (h + 6)), (235, 235, 235))
    for k, panel in enumerate(panels):
        sheet.paste(panel, ((k % columns) * (w + 6) + (6 if k % 2 else 0), (k // columns) * (h + 6)))
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG")
    write_bytes(path, buffer.getvalue())


# -- the run ---------------------------------------------------------------------------------------


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few glyphs, few steps (under a minute)")
    parser.add_argument("--kanji", type=int, help="KanjiVG training characters (default: all of the training split but --val)")
    parser.add_argument("--val", type=int, default=100, help="training-split glyphs of each set kept out of training, to watch (default 100)")
    parser.add_argument("--omniglot-share", type=float, default=0.35, help="share of each batch from Omniglot (default 0.35)")
    parser.add_argument("--minutes", type=float, default=11.0, help="training time of both nets, wall clock (default 11)")
    parser.add_argument("--global-share", type=float, default=0.4, help="share of it for the global net (default 0.4)")
    parser.add_argument("--global-batch", type=int, default=32)
    parser.add_argument("--local-batch", type=int, default=256)
    parser.add_argument("--omniglot-test", type=int, help="first N of the 520 held-out Omniglot glyphs (default all)")
    parser.add_argument("--kanjivg-test", type=int, default=200, help="held-out KanjiVG characters at 218 px (default 200)")
    parser.add_argument("--val-only", action="store_true", help="measure only the kept-out training glyphs (for development)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: on a shared 2-core machine two threads ran 20x slower)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-strokes", type=int, default=MAX_STROKES, help=f"strokes drawn at most per glyph (default {MAX_STROKES})")
    parser.add_argument("--save", type=Path, help="save the trained weights here (torch state dicts)")
    parser.add_argument("--load", type=Path, help="skip training: evaluate weights saved with --save")
    parser.add_argument("--out", type=Path, help="folder for the results and the picture (default: beside this script; none with --quick)")
    args = parser.parse_args(argv)
    if args.quick:
        args.kanji, args.val = args.kanji or 60, min(args.val, 3)
        args.minutes = min(args.minutes, 0.25)
        args.omniglot_test, args.kanjivg_test = args.omniglot_test or 3, min(args.kanjivg_test, 2)
        # Nets trained for seconds seldom stop on their own: each glyph would draw all 40 strokes.
        args.max_strokes = min(args.max_strokes, 6)
    return args


def training_samples(args, log) -> tuple[list, list, list, list]:
    """KanjiVG training characters drawn as strokebot's stroke model draws them (random scale 0.8-2.4,
    jitter 1.0), and the Omniglot training split; the first ``--val`` of each (in a seeded
    shuffle) kept out."""
    from strokebot import datasets

    rng = np.random.default_rng(args.seed)
    characters = [c for c in datasets.kanjivg_characters() if datasets.kanjivg_split(c) == "train"]
    order = rng.permutation(len(characters))
    chosen = order[: args.val + (args.kanji or len(characters))]
    kanji = []
    for k in chosen.tolist():
        kanji += datasets.kanjivg_glyphs(characters=[characters[k]], scale=rng.uniform(0.8, 2.4), jitter=1.0, seed=args.seed + k)
    omniglot = datasets.omniglot_glyphs(split="train")
    omniglot = [omniglot[k] for k in rng.permutation(len(omniglot))]
    if args.quick:
        omniglot = omniglot[: args.val + 40]
    log(f"training data: {len(kanji) - args.val} KanjiVG + {len(omniglot) - args.val} Omniglot glyphs; {args.val} of each kept out")
    return kanji[args.val :], omniglot[args.val :], kanji[: args.val], omniglot[: args.val]


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    import torch
    from machine import describe

    torch.set_num_threads(args.threads)
    from strokebot import datasets

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    command = "python benchmarks/leads/global_local.py " + " ".join(argv if argv is not None else sys.argv[1:])
    machine = describe()
    log(f"machine: {machine}")
    started = time.perf_counter()
    kanji, omniglot, kanji_val, omniglot_val = training_samples(args, log)
    LocalNet, GlobalNet = _nets()
    timings: dict[str, float] = {}
    if args.load:
        saved = torch.load(args.load)
        local, global_ = LocalNet(), GlobalNet()
        local.load_state_dict(saved["local"])
        global_.load_state_dict(saved["global"])
        local.eval(), global_.eval()
        timings = saved.get("timings", {})
    else:
        prepared = time.perf_counter()
        sets = [lessons(kanji), lessons(omniglot)]
        timings["lessons"] = time.perf_counter() - prepared
        log(
            f"lessons: {len(sets[0].glyph):,} + {len(sets[1].glyph):,} pen states, {len(sets[0].start_glyph):,} + "
            f"{len(sets[1].start_glyph):,} stroke starts ({timings['lessons']:.0f} s)"
        )
        local, global_, trained = train(args, sets, [1 - args.omniglot_share, args.omniglot_share], log)
        timings.update(trained)
        if args.save:
            torch.save({"local": local.state_dict(), "global": global_.state_dict(), "timings": timings}, args.save)
    load_seconds = time.perf_counter() - started - sum(v for k, v in timings.items() if not k.endswith("_steps")) if not args.load else 0.0
    parameters = {name: sum(p.numel() for p in net.parameters()) for name, net in (("local", local), ("global", global_))}

    results = {}
    evaluation = {"KanjiVG train split, kept out (val)": kanji_val, "Omniglot train split, kept out (val)": omniglot_val}
    if not args.val_only:
        evaluation["Omniglot test (held out by character)"] = datasets.omniglot_glyphs(args.omniglot_test, split="test")
        evaluation["KanjiVG test, 218 px"] = datasets.kanjivg_glyphs(args.kanjivg_test, split="test")
    drawings = {}
    for name, samples in evaluation.items():
        results[name], drawings[name] = measure(samples, local, global_, progress=name, max_strokes=args.max_strokes)

    lines = [
        f"command: `{command}`",
        f"machine: {machine}; torch {torch.__version__}, {torch.get_num_threads()} threads",
        f"date: {datetime.date.today().isoformat()}",
        f"parameters: local net {parameters['local']:,}, global net {parameters['global']:,}",
        f"training: global net {timings.get('global', 0):.0f} s ({timings.get('global_steps', 0):.0f} steps of {args.global_batch}), "
        f"local net {timings.get('local', 0):.0f} s ({timings.get('local_steps', 0):.0f} steps of {args.local_batch}); "
        f"teacher-forcing maps {timings.get('lessons', 0):.0f} s, glyph loading {load_seconds:.0f} s",
        "",
        HEADER,
        "|" + "---|" * 12,
        *(table_row(name, f) for name, f in results.items()),
    ]
    print("\n".join(lines))

    out = args.out if args.out is not None else (None if args.quick or args.val_only else HERE)
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    examples = []
    for name, short in (("Omniglot test (held out by character)", "omniglot"), ("KanjiVG test, 218 px", "kanjivg")):
        samples = evaluation[name]
        for k in np.linspace(0, len(samples) - 1, 4).round().astype(int).tolist():
            examples.append((f"{short} {k}", samples[k], drawings[name][k]))
    picture(out / "global_local_examples.png", examples)
    from strokebot.output import write_bytes

    text = "# Global + local lead: results\n\n" + "\n".join(f"{line}  " if line and not line.startswith("|") else line for line in lines) + "\n"
    write_bytes(out / "global_local_results.md", text.encode())
    log(f"wrote {out / 'global_local_results.md'} and {out / 'global_local_examples.png'}")


if __name__ == "__main__":
    main()
