"""Training the velocity encoder as an autoencoder through the differentiable renderer (torch).

The loss, per batch:

* image: MSE between the rendered gesture and the input, plus the same at 1/2 and 1/4 resolution.
  The coarse terms see ink that the pen misses by a few pixels, which is what pulls training out of
  the blank-image solution that a plain MSE settles in;
* pen lifts: the total variation of the ink intensity along the gesture, which charges every pen
  lift and every pen-down, so the pen lifts only where the glyph needs it;
* path (glyphs whose true strokes are known, the Hershey ones): the gesture against the true pen
  path resampled to the same number of steps, positions and pen states, so the model learns where a
  person starts and in which order they draw.

Intensities are read as pen up/down (> 0.5) when tracing; training renders them the same way,
with a straight-through gradient, so what the loss sees is what the machine draws.

Runs unchanged under ``torchrun`` (DistributedDataParallel; gloo on CPU, nccl on GPUs): each rank
trains on its shard of every epoch and only rank 0 writes checkpoints and models.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from strokebot.errors import UsageError
from strokebot.model import Gesture, GestureModel, ModelConfig
from strokebot.model.checkpoint import write_model

__all__ = ["TrainConfig", "GlyphSet", "load_data", "path_targets", "train", "loss_terms", "CHECKPOINT_VERSION"]

CHECKPOINT_VERSION = 1
#: Pen states are trained to an intensity logit at least this far from 0 (intensity < 0.05 or > 0.95).
DECISION_MARGIN = 3.0


@dataclasses.dataclass
class TrainConfig:
    """How to train: optimiser, schedule, loss weights."""

    epochs: int = 14
    batch_size: int = 128
    lr: float = 2e-3
    seed: int = 0
    multiscale: float = 1.0  # weight of the 1/2- and 1/4-resolution image terms
    pen_lifts: float = 0.01  # weight of the total variation of intensity
    lifts_as_drawn: bool = True  # count pen lifts on the drawn 0/1 pen states (straight-through)
    decisive: float = 0.02  # weight of the margin keeping intensities away from the 0.5 threshold
    path: float = 1.0  # weight of the true-path positions (samples with known strokes)
    path_end: float | None = 0.05  # the path weight at the end of training (linear); None: constant
    path_pen: float = 0.01  # weight of the true pen states (cross-entropy)
    end: float = 1.0  # weight of the end-point term (models whose config names an end point)
    device: str = "auto"
    threads: int | None = None


@dataclasses.dataclass
class GlyphSet:
    """Model-framed glyph images, with true pen paths where known."""

    images: Tensor  # (N, S, S) float32 ink in 0..1
    paths: Tensor  # (N, T+1, 2) true positions, model pixels (zeros where unknown)
    pen: Tensor  # (N, T) true pen states 0/1 (zeros where unknown)
    has_path: Tensor  # (N,) bool
    labels: list[str]

    def __len__(self) -> int:
        return len(self.images)

    @staticmethod
    def concatenate(parts: Sequence[GlyphSet]) -> GlyphSet:
        return GlyphSet(
            torch.cat([p.images for p in parts]),
            torch.cat([p.paths for p in parts]),
            torch.cat([p.pen for p in parts]),
            torch.cat([p.has_path for p in parts]),
            [label for p in parts for label in p.labels],
        )

    def subset(self, index: Tensor) -> GlyphSet:
        return GlyphSet(
            self.images[index], self.paths[index], self.pen[index], self.has_path[index],
            [self.labels[i] for i in index.tolist()],
        )


def path_targets(strokes: Sequence[np.ndarray], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The pen path through ``strokes`` in order (pen-up moves between them) at ``steps`` equal steps.

    Returns positions (steps + 1, 2) and pen states (steps,): 1 where the step's midpoint lies on a
    stroke, 0 on a pen-up move.
    """
    pieces, down = [], []
    for i, stroke in enumerate(strokes):
        if i:
            pieces.append(np.stack([strokes[i - 1][-1], stroke[0]]))
            down.append(False)
        pieces.append(np.asarray(stroke, np.float64) if len(stroke) > 1 else np.repeat(stroke[:1], 2, axis=0))
        down.append(True)
    points, states = [], []
    for piece, state in zip(pieces, down, strict=True):
        points.append(piece[:-1])
        states.extend([state] * (len(piece) - 1))
    points.append(pieces[-1][-1:])
    path = np.concatenate(points)  # (M, 2)
    states = np.asarray(states, bool)  # (M-1,)
    seg = np.hypot(*np.diff(path, axis=0).T)
    cumulative = np.concatenate([[0.0], np.cumsum(seg)])
    total = cumulative[-1]
    if total <= 0:
        return np.repeat(path[:1], steps + 1, axis=0), np.ones(steps)
    at = np.linspace(0, total, steps + 1)
    positions = np.stack([np.interp(at, cumulative, path[:, k]) for k in range(2)], axis=1)
    middles = (at[:-1] + at[1:]) / 2
    segment = np.clip(np.searchsorted(cumulative, middles, side="right") - 1, 0, len(states) - 1)
    return positions, states[segment].astype(np.float64)


def _glyph_set(images: np.ndarray, labels: Sequence[str], steps: int, strokes: Sequence[Sequence[np.ndarray]] | None = None) -> GlyphSet:
    count = len(images)
    paths = np.zeros((count, steps + 1, 2), np.float32)
    pen = np.zeros((count, steps), np.float32)
    has = np.zeros(count, bool)
    if strokes is not None:
        for i, glyph_strokes in enumerate(strokes):
            if glyph_strokes:
                paths[i], pen[i] = path_targets(glyph_strokes, steps)
                has[i] = True
    return GlyphSet(torch.from_numpy(np.ascontiguousarray(images, np.float32)), torch.from_numpy(paths),
                    torch.from_numpy(pen), torch.from_numpy(has), list(labels))


def load_data(
    specs: Sequence[str], *, size: int, steps: int, seed: int = 0, split: str = "train", teacher: Any = None, workers: int = 1,
    limit: int | None = None,
) -> GlyphSet:
    """Load and frame the training data named by ``specs``.

    Each spec is a folder of MNIST IDX files, ``hershey[:COUNT[:FONTS]]`` for synthetic glyphs
    (FONTS a comma-separated list of fonts or scripts), ``omniglot[:COUNT]`` for people's glyphs of
    the Omniglot training split, or a folder of glyph images.

    With a ``teacher`` (a stroke model), every glyph's pen path is the teacher's drawing of it — its
    strokes, order and direction — instead of its true strokes (Hershey, Omniglot) or none (MNIST,
    image folders): :func:`teacher_paths`, ``workers`` processes drawing. ``limit``: at most this
    many glyphs of each MNIST or image folder, a random choice (so a quick run's teacher does not
    draw all 60,000 digits).
    """
    from strokebot import datasets

    parts = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        if name in ("hershey", "omniglot"):
            count_text, _, fonts = rest.partition(":")
            if name == "hershey":
                samples = datasets.hershey_glyphs(int(count_text) if count_text else 20000, seed=seed + (0 if split == "train" else 10_000),
                                                  sizes=(40, 64), fonts=fonts.split(",") if fonts else None)
            else:
                samples = datasets.omniglot_glyphs(int(count_text) if count_text else None, split=split)
            if teacher is not None:
                samples = teacher_paths(samples, teacher, workers=workers)
            framed = [datasets.normalised_sample(s, size=size) for s in samples]
            parts.append(_glyph_set(np.stack([s.image for s in framed]), [s.label for s in framed], steps,
                                    [s.strokes for s in framed]))
            continue
        path = Path(spec)
        if datasets.is_mnist_folder(path):
            images, labels = datasets.mnist(path, split=split)
            if size != 28:
                raise UsageError(f"{spec}: MNIST is 28x28 but the model is {size}x{size}")
        elif path.is_dir():
            images, labels = datasets.image_folder(path, size=size)
        else:
            raise UsageError(f"--data {spec}: not an MNIST folder, an image folder, hershey[:COUNT[:FONTS]] or omniglot[:COUNT]")
        if limit is not None and limit < len(images):
            keep = np.sort(np.random.default_rng(seed).permutation(len(images))[:limit])
            images, labels = images[keep], [labels[k] for k in keep]
        framed_paths = None if teacher is None else teacher_paths(images, teacher, workers=workers, framed=True)
        parts.append(_glyph_set(images, [str(v) for v in labels], steps, framed_paths))
    if not parts:
        raise UsageError("no training data given (--data)")
    return GlyphSet.concatenate(parts)


def teacher_paths(glyphs: Sequence[Any], teacher: Any, *, workers: int = 1, framed: bool = False) -> list[Any]:
    """A stroke model's drawings of ``glyphs``, to teach a gesture model its way of drawing.

    ``glyphs``: samples (:class:`strokebot.datasets.GlyphSample`), drawn at their own size and
    returned with the drawing as their strokes (a glyph the teacher leaves blank is left out); or,
    with ``framed``, images already framed as the model's input (MNIST), whose drawings' strokes are
    returned, in that frame (an empty list for a blank one).
    """
    from strokebot.datasets import GlyphSample
    from strokebot.tracing import trace_batch

    images = list(glyphs) if framed else [g.image for g in glyphs]
    drawings = trace_batch(images, model=teacher, normalised=framed, clean=False, split=False, polarity="light-on-dark", workers=workers)
    strokes = [[np.asarray(s.xy, np.float64) for s in d.strokes] for d in drawings]
    if framed:
        return strokes
    return [GlyphSample(g.image, drawn, g.label) for g, drawn in zip(glyphs, strokes, strict=True) if drawn]


def _drawn(gesture: Gesture) -> Gesture:
    """The gesture as the machine draws it: pen states 0/1 forward, soft intensities backward."""
    hard = (gesture.intensity > 0.5).to(gesture.intensity.dtype)
    return gesture._replace(intensity=hard + gesture.intensity - gesture.intensity.detach())


def loss_terms(
    model: GestureModel, images: Tensor, batch: GlyphSet | None, config: TrainConfig, *, progress: float = 0.0
) -> dict[str, Tensor]:
    """The loss terms of one batch (their weighted sum is ``total``); ``progress`` runs 0..1 over training."""
    gesture = model(images)
    drawn = _drawn(gesture)
    rendered = model.render(drawn)  # (B, S, S)
    terms = {"mse": F.mse_loss(rendered, images)}
    coarse = sum(
        F.mse_loss(F.avg_pool2d(rendered[:, None], k), F.avg_pool2d(images[:, None], k)) for k in (2, 4)
    )
    terms["coarse"] = coarse
    # Pen lifts and pen-downs as drawn (0/1 forward), so the penalty counts what the machine does.
    states = drawn.intensity if config.lifts_as_drawn else gesture.intensity
    terms["lifts"] = (states[:, 1:] - states[:, :-1]).abs().sum(1).mean()
    # Indecision: intensities near 0.5, where a hair's change flips the pen. A hinge on the logit's
    # distance from 0 pushes with the same force however close to the threshold it is.
    logits = torch.logit(gesture.intensity.clamp(1e-6, 1 - 1e-6))
    terms["undecided"] = F.relu(DECISION_MARGIN - logits.abs()).mean()
    total = terms["mse"] + config.multiscale * coarse + config.pen_lifts * terms["lifts"] + config.decisive * terms["undecided"]
    if model.config.end is not None:
        # The original design's end-point constraint: the last position pulled to a fixed point.
        terms["end"] = (gesture.end_miss(model.config) / model.config.size).pow(2).sum(-1).mean()
        total = total + config.end * terms["end"]
    path_weight = config.path if config.path_end is None else config.path + (config.path_end - config.path) * progress
    if batch is not None and path_weight > 0 and bool(batch.has_path.any()):
        mask = batch.has_path
        positions = gesture.positions()[mask]  # (K, T+1, 2)
        # Normalised by the frame so the weight does not depend on the image size.
        terms["path"] = ((positions - batch.paths[mask]) / model.config.size).pow(2).sum(-1).mean()
        terms["pen"] = F.binary_cross_entropy(gesture.intensity[mask].clamp(1e-6, 1 - 1e-6), batch.pen[mask])
        weight = mask.float().mean()
        total = total + weight * (path_weight * terms["path"] + config.path_pen * terms["pen"])
    terms["total"] = total
    return terms


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _distributed() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    return rank, world


def train(
    model_config: ModelConfig,
    config: TrainConfig,
    data: GlyphSet,
    *,
    out: str | Path,
    resume: bool = False,
    snapshots: str | Path | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train a model on ``data`` and write it to ``out`` (a ``.npz`` model file).

    Returns the per-epoch ``history`` and the trained ``weights`` (numpy arrays).

    A checkpoint (``<out>.checkpoint.pt``: weights, optimiser, epoch, RNG states; tensors only,
    loaded with ``weights_only=True``) is written after each epoch; with ``resume`` training goes
    on from it. The same seed, data and thread count give the same weights.
    ``progress`` is called after every batch with epoch, batch, batches, loss and seconds.
    """
    rank, world = _distributed()
    device = _device(config.device)
    if world > 1 and not torch.distributed.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        torch.distributed.init_process_group(backend)
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    out = Path(out)
    checkpoint_path = out.with_name(out.name + ".checkpoint.pt")

    model = GestureModel(model_config).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=1e-4)
    batches_per_epoch = max(1, len(data) // (config.batch_size * world))
    total_steps = config.epochs * batches_per_epoch
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, total_steps=max(total_steps, 2), pct_start=0.15)
    start_epoch, history = 0, []
    if resume and checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=True)
        if state.get("version") != CHECKPOINT_VERSION or state.get("model_config") != model_config.to_json():
            raise UsageError(f"{checkpoint_path}: checkpoint is of another model or version; cannot resume")
        if int(state.get("epochs", -1)) != config.epochs:
            raise UsageError(f"{checkpoint_path}: checkpoint is of a {state.get('epochs')}-epoch run; resume with --epochs {state.get('epochs')}")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        start_epoch = int(state["epoch"])
        history = json.loads(state["history"])
    trained = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model

    for epoch in range(start_epoch, config.epochs):
        order = torch.randperm(len(data), generator=torch.Generator().manual_seed(config.seed * 1000 + epoch))
        shard = order[rank::world][: batches_per_epoch * config.batch_size]
        model.train()
        started, sums = time.time(), {}
        for b in range(batches_per_epoch):
            index = shard[b * config.batch_size : (b + 1) * config.batch_size]
            batch = data.subset(index)
            batch = dataclasses.replace(
                batch, images=batch.images.to(device), paths=batch.paths.to(device), pen=batch.pen.to(device),
                has_path=batch.has_path.to(device),
            )
            progress_fraction = (epoch * batches_per_epoch + b) / max(total_steps - 1, 1)
            terms = loss_terms(trained if world == 1 else _DDPModel(trained, model), batch.images, batch, config,
                               progress=progress_fraction)
            optimiser.zero_grad(set_to_none=True)
            terms["total"].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            for key, value in terms.items():
                sums[key] = sums.get(key, 0.0) + float(value.detach())
            if progress is not None and rank == 0:
                progress({"epoch": epoch + 1, "epochs": config.epochs, "batch": b + 1, "batches": batches_per_epoch,
                          "loss": float(terms["total"].detach()), "mse": float(terms["mse"].detach()),
                          "seconds": time.time() - started})
        summary = {k: v / batches_per_epoch for k, v in sums.items()}
        summary.update(epoch=epoch + 1, seconds=round(time.time() - started, 1))
        history.append(summary)
        if rank == 0:
            _save_checkpoint(checkpoint_path, model, optimiser, schedule, epoch + 1, config.epochs, model_config, history)
            if snapshots is not None:
                save_snapshot(model, data.images[:32].to(device), Path(snapshots) / f"epoch-{epoch + 1:03d}.png")
    if rank == 0:
        metrics = {"model_version": (metadata or {}).get("model_version", "dev"), "history": history,
                   "train": dataclasses.asdict(config), **(metadata or {})}
        write_model(out, json.loads(model_config.to_json()), export_weights(model), metrics)
    if world > 1:
        torch.distributed.barrier()
    return {"history": history, "weights": export_weights(model)}


class _DDPModel:
    """Encodes through the DDP wrapper (so gradients are averaged across ranks), renders directly."""

    def __init__(self, wrapped: torch.nn.Module, model: GestureModel) -> None:
        self.wrapped, self.config, self.render = wrapped, model.config, model.render

    def __call__(self, images: Tensor) -> Gesture:
        return self.wrapped(images)


def export_weights(model: GestureModel) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def _save_checkpoint(path: Path, model, optimiser, schedule, epoch, epochs, model_config, history) -> None:
    from strokebot.output import atomic_writer

    state = {
        "version": CHECKPOINT_VERSION,
        "model_config": model_config.to_json(),
        "model": model.state_dict(),
        "optimiser": optimiser.state_dict(),
        "schedule": schedule.state_dict(),
        "epoch": epoch,
        "epochs": epochs,
        "history": json.dumps(history),
    }
    with atomic_writer(path) as handle:
        torch.save(state, handle)


def save_snapshot(model: GestureModel, images: Tensor, path: Path) -> None:
    """A grid of inputs (grey) with the gesture drawn over them (blue to red along the gesture)."""
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    model.eval()
    with torch.no_grad():
        gesture = model(images)
    model.train()
    positions = gesture.positions().cpu().numpy()
    down = (gesture.intensity > 0.5).cpu().numpy()
    scale, size = 6, model.config.size
    columns = 8
    rows = math.ceil(len(images) / columns)
    sheet = Image.new("RGB", (columns * size * scale, rows * size * scale), "white")
    draw = ImageDraw.Draw(sheet)
    for i, image in enumerate(images.cpu().numpy()):
        x0, y0 = (i % columns) * size * scale, (i // columns) * size * scale
        tile = Image.fromarray((255 - image * 160).astype(np.uint8)).resize((size * scale, size * scale))
        sheet.paste(tile.convert("RGB"), (x0, y0))
        steps = len(down[i])
        for k in range(steps):
            a, b = positions[i, k] * scale, positions[i, k + 1] * scale
            colour = (int(255 * k / steps), 40, int(255 * (1 - k / steps)))
            if down[i, k]:
                draw.line([(x0 + a[0], y0 + a[1]), (x0 + b[0], y0 + b[1])], fill=colour, width=3)
        sx, sy = positions[i, 0] * scale
        draw.ellipse((x0 + sx - 4, y0 + sy - 4, x0 + sx + 4, y0 + sy + 4), outline=(0, 160, 0), width=2)
    from strokebot.output import atomic_writer

    with atomic_writer(path) as handle:
        sheet.save(handle, format="PNG")
