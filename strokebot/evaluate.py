"""Measuring a model: reconstruction, stroke-code clustering, and pen paths against true ones.

* MNIST-style sets (``--data`` an IDX folder or image folder): the original design's pixel
  accuracy (share of pixels with |error| < 0.5), MSE and ink IoU of the re-rendered strokes, and the
  clustering experiment: ``KMeans(10)`` on raw pixels and on the stroke codes (the pen path as a
  fixed number of velocity steps with their intensities, :func:`path_codes`), each cluster scored
  by its majority label.
* Glyphs with known pen paths, each traced through the full pipeline as a user would:
  ``omniglot`` (people's glyphs, the held-out quarter of the characters), ``kanjivg`` (the held-out
  tenth of KanjiVG at 218 px), ``hershey`` (font glyphs), ``words`` (joined-up script words) and
  ``shapes`` (lines, circles, squares, spirals, zigzags). Per glyph
  (:func:`strokebot.metrics.drawing_like_a_person`): Chamfer distance to the true path, the share of
  true strokes drawn in their direction, Kendall's tau of the stroke order, the stroke count against
  the true one, the share of pen-down path off the ink, the pen-down length against the true one;
  and, as before, pen-up travel, how far the first point is from the true first point, and the mean
  distance between the two pen paths walked at the same pace (:func:`order_distance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["reconstruction", "clustering_accuracy", "path_figures", "summarise", "path_samples", "evaluate_specs", "chamfer", "order_distance", "path_codes"]


def reconstruction(model: Any, images: np.ndarray, *, batch_size: int = 1000) -> dict[str, float]:
    """Pixel accuracy, MSE and ink IoU of the gestures re-rendered as the machine draws them."""
    if getattr(model, "kind", "gesture") == "strokes":
        return _stroke_reconstruction(model, images)
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


def _stroke_reconstruction(model: Any, images: np.ndarray) -> dict[str, float]:
    """The same figures for a stroke model: each image traced, its drawing rasterised at its widths."""
    from strokebot.metrics import rasterise
    from strokebot.tracing import trace_batch

    errors, squared, inter, union = 0.0, 0.0, 0.0, 0.0
    for drawing, image in zip(trace_batch(list(images), model=model, normalised=True, clean=False, polarity="light-on-dark"), images, strict=True):
        drawn = rasterise(drawing, image.shape)
        errors += float((np.abs(drawn - image) < 0.5).sum())
        squared += float(((drawn - image) ** 2).sum())
        a, b = drawn > 0.5, image > 0.5
        inter += float((a & b).sum())
        union += float((a | b).sum())
    pixels = images.size
    return {"pixel_accuracy": errors / pixels, "mse": squared / pixels, "ink_iou": inter / max(union, 1.0)}


def path_codes(drawing: Any, *, steps: int = 32, size: float | None = None) -> np.ndarray:
    """The pen path of ``drawing`` as ``steps`` equal steps: (3 × steps,) velocities then intensities.

    :meth:`strokebot.drawing.Drawing.steps`, the velocities in units of a 28th of ``size`` (the
    image's longer side by default; as the original design's steps, in pixels of its 28-pixel
    frame), then each step's intensity, 1 on a pen-down stroke and 0 on a pen-up move: the original
    design's command space, for a drawing of any number of strokes.
    """
    size = size or max(drawing.width, drawing.height, 1.0)
    gesture = drawing.steps(count=steps)
    if len(gesture.velocity) < steps:  # no strokes
        return np.zeros(3 * steps)
    return np.concatenate([(gesture.velocity * 28.0 / size).reshape(-1), gesture.intensity])


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


def path_figures(model: Any, samples: Sequence[Any], *, refine: int = 0, progress: Any = None) -> dict[str, float]:
    """Trace each sample image and compare its strokes with the true pen path.

    Direction and order are means over the glyphs (order over those of two or more true strokes),
    off-ink a mean, the rest medians; ``seconds_per_glyph`` the mean tracing time.
    """
    import time

    from strokebot.metrics import drawing_like_a_person
    from strokebot.tracing import trace

    rows, travel, length, starts, orders, seconds = [], [], [], [], [], 0.0
    for sample in samples:
        started = time.perf_counter()
        drawing = trace(sample.image, model=model, polarity="light-on-dark", refine=refine)
        seconds += time.perf_counter() - started
        drawn = [s.points[:, :2] for s in drawing.strokes]
        rows.append(drawing_like_a_person(drawn, sample.strokes, sample.image))
        if drawn:
            starts.append(float(np.hypot(*(drawn[0][0] - sample.strokes[0][0]))))
            orders.append(order_distance(drawn, sample.strokes))
        travel.append(drawing.travel_length)
        length.append(drawing.length)
        if progress is not None:
            progress(1)

    figures = summarise(rows)
    figures.update(
        {
            "travel_median": float(np.median(travel)),
            "length_median": float(np.median(length)),
            "start_distance_median": float(np.median(starts)) if starts else float("nan"),
            "order_distance_median": float(np.median(orders)) if orders else float("nan"),
            "seconds_per_glyph": seconds / max(len(samples), 1),
        }
    )
    return figures


def summarise(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """A set's figures from its glyphs' :func:`strokebot.metrics.drawing_like_a_person` figures:
    direction and order as means over the glyphs that have them, off-ink as a mean, the rest medians."""

    def column(key: str) -> np.ndarray:
        return np.array([r[key] for r in rows], np.float64)

    strokes, true = column("strokes"), column("true_strokes")
    chamfers = column("chamfer")
    order = column("order")
    return {
        "glyphs": len(rows),
        "chamfer_median": float(np.median(chamfers)),
        "chamfer_mean": float(np.mean(np.clip(chamfers, 0, 1e3))),
        "direction": float(np.nanmean(column("direction"))) if np.isfinite(column("direction")).any() else float("nan"),
        "order_tau": float(np.nanmean(order)) if np.isfinite(order).any() else float("nan"),
        "strokes_median": float(np.median(strokes)),
        "true_strokes_median": float(np.median(true)),
        "strokes_exact": float(np.mean(strokes == true)),
        "strokes_off_median": float(np.median(np.abs(strokes - true))),
        "off_ink_mean": float(np.mean(column("off_ink"))),
        "length_ratio_median": float(np.median(column("length_ratio"))),
    }


#: The glyph sets with true strokes ``strokebot evaluate`` knows, and their default sizes.
PATH_SETS = {"omniglot": None, "kanjivg": 500, "hershey": 500, "words": 100, "shapes": 70}
#: The words of the ``words`` set: none of them is a training word (``strokebot.model.learn.TRAINING_WORDS``).
EVALUATION_WORDS = ("million", "timid", "quiet", "wheat", "kettle", "animal", "number", "thimble", "minute", "bitter", "service")


def path_samples(name: str, count: int | None) -> list[Any]:
    """The evaluation glyphs of a set of :data:`PATH_SETS` (held-out splits, fixed seeds)."""
    from strokebot import datasets

    if name == "omniglot":
        return datasets.omniglot_glyphs(count, split="test")
    if name == "kanjivg":
        return datasets.kanjivg_glyphs(count or PATH_SETS[name], split="test")
    if name == "hershey":
        return datasets.hershey_glyphs(count or PATH_SETS[name], seed=99, sizes=(28, 256))
    if name == "words":
        rng = np.random.default_rng(99)
        return [
            datasets.hershey_words(str(rng.choice(EVALUATION_WORDS)), font=str(rng.choice(["scripts", "cursive"])), height=float(rng.uniform(40, 90)))
            for _ in range(count or PATH_SETS[name])
        ]
    return datasets.shape_glyphs(count or PATH_SETS[name], seed=99)


def evaluate_specs(model: Any, specs: Sequence[str], *, limit: int | None = None, refine: int = 0, progress: Any = None) -> dict[str, Any]:
    """Evaluate ``model`` on each data spec: an MNIST folder, or a set of :data:`PATH_SETS` as NAME[:N].

    ``progress(label, total)``, when given, is called as each set of glyphs starts and returns a
    function that is called with 1 after each glyph.
    """
    from pathlib import Path

    from strokebot import datasets
    from strokebot.errors import UsageError

    results: dict[str, Any] = {}
    for spec in specs:
        name, _, count = spec.partition(":")
        if name in PATH_SETS:
            try:
                number = int(count) if count else limit
            except ValueError:
                raise UsageError(f"--data {spec}: N must be a whole number") from None
            samples = path_samples(name, number)
            update = progress(spec, len(samples)) if progress is not None else None
            results[spec] = path_figures(model, samples, refine=refine, progress=update)
        elif datasets.is_mnist_folder(Path(spec)):
            images, labels = datasets.mnist(spec, split="test")
            images, labels = images[:limit], labels[:limit]
            figures = reconstruction(model, images)
            figures["clustering_pixels"] = clustering_accuracy(images.reshape(len(images), -1), labels)
            figures["clustering_strokes"] = clustering_accuracy(_codes(model, images), labels)
            figures["images"] = len(images)
            results[spec] = figures
        else:
            known = ", ".join(f"{n}[:N]" for n in PATH_SETS)
            raise UsageError(f"--data {spec}: not an MNIST folder or one of {known}")
    return results


def _codes(model: Any, images: np.ndarray) -> np.ndarray:
    """Stroke codes of MNIST images: the gesture's own, or a stroke model's drawing as :func:`path_codes`."""
    if getattr(model, "kind", "gesture") != "strokes":
        return model.gestures(images).codes()
    from strokebot.tracing import trace_batch

    drawings = trace_batch(list(images), model=model, normalised=True, clean=False, polarity="light-on-dark")
    return np.stack([path_codes(d) for d in drawings])
