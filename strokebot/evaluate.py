"""Measuring a model: reconstruction, stroke-code clustering, and pen paths against true ones.

* MNIST-style sets (``--data`` an IDX folder or image folder): the original design's pixel
  accuracy (share of pixels with |error| < 0.5), MSE and ink IoU of the re-rendered gesture, and the
  clustering experiment: ``KMeans(10)`` on raw pixels and on the stroke codes, each cluster scored by
  its majority label.
* Glyphs with known pen paths (``hershey``, ``omniglot``): traced through the full pipeline as a user
  would, then the Chamfer distance from the traced strokes to the true path, pen lifts against the
  true stroke count, pen-up travel, and whether it draws like the person did: how far its first
  point is from theirs, and the mean distance between the two pen paths walked at the same pace
  (:func:`order_distance`, which only a path in the same order and direction keeps low).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["reconstruction", "clustering_accuracy", "path_figures", "evaluate_specs", "chamfer", "order_distance"]


def reconstruction(model: Any, images: np.ndarray, *, batch_size: int = 1000) -> dict[str, float]:
    """Pixel accuracy, MSE and ink IoU of the gestures re-rendered as the machine draws them."""
    import torch

    module = model.to_torch()
    errors, squared, inter, union, ends = 0.0, 0.0, 0.0, 0.0, []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            x = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size], np.float32))
            gesture = module(x)
            if module.config.end is not None:
                ends.append(gesture.end_miss(module.config).norm(dim=-1).numpy())
            gesture = gesture._replace(intensity=(gesture.intensity > 0.5).float())
            y = module.render(gesture)
            errors += float(((y - x).abs() < 0.5).float().sum())
            squared += float(((y - x) ** 2).sum())
            a, b = y > 0.5, x > 0.5
            inter += float((a & b).sum())
            union += float((a | b).sum())
    pixels = images.size
    figures = {"pixel_accuracy": errors / pixels, "mse": squared / pixels, "ink_iou": inter / max(union, 1.0)}
    if ends:  # a model trained to end at a point: how far its gestures end from it, in frame pixels
        figures["end_distance_median"] = float(np.median(np.concatenate(ends)))
    return figures


def clustering_accuracy(features: np.ndarray, labels: np.ndarray, *, clusters: int = 10, seed: int = 0) -> float:
    """KMeans(``clusters``, n_init=10) on ``features``; each cluster takes its majority label."""
    from sklearn.cluster import KMeans

    assignment = KMeans(clusters, n_init=10, random_state=seed).fit_predict(features)
    correct = 0
    for cluster in range(clusters):
        members = labels[assignment == cluster]
        if len(members):
            correct += int(np.bincount(members).max())
    return correct / len(labels)


def chamfer(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """Symmetric mean nearest distance between two sets of polylines (:mod:`strokebot.metrics`)."""
    from strokebot.metrics import chamfer_distance, sample_polylines

    return chamfer_distance(sample_polylines([np.asarray(p)[:, :2] for p in a]), sample_polylines([np.asarray(p)[:, :2] for p in b]))


def _walk(polylines: Sequence[np.ndarray], count: int = 64) -> np.ndarray:
    """``count`` points evenly spaced along the pen-down path, strokes in drawing order."""
    from strokebot.metrics import sample_polylines

    dense = sample_polylines([np.asarray(p)[:, :2] for p in polylines], spacing=0.5)
    if len(dense) < 2:
        return np.repeat(dense[:1], count, axis=0) if len(dense) else np.zeros((count, 2))
    # Arc length along pen-down ink only: jumps between strokes do not count.
    jumps = np.hypot(*np.diff(dense, axis=0).T)
    jumps[jumps > 0.75] = 0.0
    along = np.concatenate([[0.0], np.cumsum(jumps)])
    at = np.linspace(0, along[-1], count)
    return np.stack([np.interp(at, along, dense[:, k]) for k in range(2)], axis=1)


def order_distance(drawn: Sequence[np.ndarray], true: Sequence[np.ndarray]) -> float:
    """Mean distance between the two pen paths walked at the same pace: low only when the
    strokes are drawn in the same places, in the same order and the same directions."""
    return float(np.hypot(*(_walk(drawn) - _walk(true)).T).mean())


def path_figures(model: Any, samples: Sequence[Any], *, refine: int = 0) -> dict[str, float]:
    """Trace each sample image and compare its strokes with the true pen path."""
    from strokebot.tracing import trace

    distances, lifts, true_lifts, travel, length, starts, orders = [], [], [], [], [], [], []
    for sample in samples:
        drawing = trace(sample.image, model=model, polarity="light-on-dark", refine=refine)
        drawn = [s.points[:, :2] for s in drawing.strokes]
        distances.append(chamfer(drawn, sample.strokes))
        if drawn:
            starts.append(float(np.hypot(*(drawn[0][0] - sample.strokes[0][0]))))
            orders.append(order_distance(drawn, sample.strokes))
        lifts.append(len(drawing.strokes))
        true_lifts.append(len(sample.strokes))
        travel.append(drawing.travel_length)
        length.append(drawing.length)
    lifts_a, true_a = np.array(lifts), np.array(true_lifts)
    return {
        "glyphs": len(samples),
        "chamfer_median": float(np.median(distances)),
        "chamfer_mean": float(np.mean(np.clip(distances, 0, 1e3))),
        "pen_lifts_median": float(np.median(lifts_a)),
        "pen_lifts_mean": float(lifts_a.mean()),
        "true_pen_lifts_median": float(np.median(true_a)),
        "pen_lifts_excess_median": float(np.median(lifts_a - true_a)),
        "travel_median": float(np.median(travel)),
        "length_median": float(np.median(length)),
        "start_distance_median": float(np.median(starts)) if starts else float("nan"),
        "order_distance_median": float(np.median(orders)) if orders else float("nan"),
    }


def evaluate_specs(model: Any, specs: Sequence[str], *, limit: int | None = None, refine: int = 0) -> dict[str, Any]:
    """Evaluate ``model`` on each data spec: an MNIST folder, ``hershey[:N]``, ``omniglot[:N]``."""
    from pathlib import Path

    from strokebot import datasets
    from strokebot.errors import UsageError

    results: dict[str, Any] = {}
    for spec in specs:
        name, _, count = spec.partition(":")
        if name == "hershey":
            samples = datasets.hershey_glyphs(int(count or limit or 500), seed=99, sizes=(28, 256))
            results[spec] = path_figures(model, samples, refine=refine)
        elif name == "omniglot":
            samples = datasets.omniglot_glyphs(int(count) if count else limit)
            results[spec] = path_figures(model, samples, refine=refine)
        elif datasets.is_mnist_folder(Path(spec)):
            images, labels = datasets.mnist(spec, split="test")
            images, labels = images[:limit], labels[:limit]
            figures = reconstruction(model, images)
            figures["clustering_pixels"] = clustering_accuracy(images.reshape(len(images), -1), labels)
            codes = model.gestures(images).codes()
            figures["clustering_strokes"] = clustering_accuracy(codes, labels)
            figures["images"] = len(images)
            results[spec] = figures
        else:
            raise UsageError(f"--data {spec}: not an MNIST folder, hershey[:N] or omniglot[:N]")
    return results
