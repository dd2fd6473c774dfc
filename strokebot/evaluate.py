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

__all__ = ["reconstruction", "clustering_accuracy", "path_rows", "path_figures", "summarise", "group_interval", "paired_difference", "path_samples", "evaluate_specs", "chamfer", "order_distance", "path_codes", "rows_jsonl"]


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


#: A framed digit's drawing "goes over its own line" when it retraces more than this many pixels of
#: its path: a fifth of the 20-px height MNIST's digits are framed to (a crossing retraces about 2).
RETRACED_PX = 4.0


def _stroke_reconstruction(model: Any, images: np.ndarray) -> dict[str, float]:
    """The same figures for a stroke model: each image traced, its drawing rasterised at its widths;
    and the share of drawings that go over their own line (:data:`RETRACED_PX`)."""
    from strokebot.metrics import rasterise, retraced_length
    from strokebot.tracing import trace_batch

    errors, squared, inter, union, retraced = 0.0, 0.0, 0.0, 0.0, 0
    for drawing, image in zip(trace_batch(list(images), model=model, normalised=True, clean=False, polarity="light-on-dark"), images, strict=True):
        drawn = rasterise(drawing, image.shape)
        errors += float((np.abs(drawn - image) < 0.5).sum())
        squared += float(((drawn - image) ** 2).sum())
        a, b = drawn > 0.5, image > 0.5
        inter += float((a & b).sum())
        union += float((a | b).sum())
        retraced += retraced_length([s.xy for s in drawing.strokes], reach=1.0) > RETRACED_PX
    pixels = images.size
    return {
        "pixel_accuracy": errors / pixels,
        "mse": squared / pixels,
        "ink_iou": inter / max(union, 1.0),
        "retraced_share": retraced / max(len(images), 1),
    }


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


def path_rows(model: Any, samples: Sequence[Any], *, refine: int = 0, progress: Any = None) -> list[dict[str, float]]:
    """Trace each sample image as a user would; per glyph, its strokes against the true pen path.

    Each row holds :func:`strokebot.metrics.drawing_like_a_person`'s figures and ``travel``,
    ``length``, ``start_distance`` (NaN when nothing is drawn), ``order_distance`` (likewise) and
    ``seconds`` (the tracing time).
    """
    import time

    from strokebot.metrics import drawing_like_a_person
    from strokebot.tracing import trace

    rows = []
    for sample in samples:
        started = time.perf_counter()
        drawing = trace(sample.image, model=model, polarity="light-on-dark", refine=refine)
        seconds = time.perf_counter() - started
        drawn = [s.points[:, :2] for s in drawing.strokes]
        row = drawing_like_a_person(drawn, sample.strokes, sample.image)
        row.update(
            travel=drawing.travel_length,
            length=drawing.length,
            start_distance=float(np.hypot(*(drawn[0][0] - sample.strokes[0][0]))) if drawn else float("nan"),
            order_distance=order_distance(drawn, sample.strokes) if drawn else float("nan"),
            seconds=seconds,
        )
        rows.append(row)
        if progress is not None:
            progress(1)
    return rows


def rows_jsonl(sets: dict[str, Sequence[dict[str, Any]]]) -> bytes:
    """Glyph rows (:func:`path_rows`, each with its ``label``) as ``strokebot evaluate --rows`` writes
    them, the lines ``benchmarks/paired.py`` reads: per glyph a JSON line with its set and number, a
    figure the glyph does not have (NaN) as JSON's null, so any JSON reader takes the line."""
    import json

    def finite_or_none(value: Any) -> Any:
        return None if isinstance(value, float) and value != value else value

    lines = [json.dumps({"set": name, "glyph": k, **{key: finite_or_none(v) for key, v in row.items()}}) for name, rows in sets.items() for k, row in enumerate(rows)]
    return "".join(f"{line}\n" for line in lines).encode()


def path_figures(model: Any, samples: Sequence[Any], *, refine: int = 0, progress: Any = None) -> dict[str, Any]:
    """Trace each sample image and compare its strokes with the true pen path: :func:`summarise` of
    :func:`path_rows`, with 95 % intervals over the samples' labels (:func:`group_interval`), and
    pen-up travel, drawn length, the first point's distance from the true first point and
    :func:`order_distance` as medians, ``seconds_per_glyph`` the mean tracing time."""
    return _set_figures(path_rows(model, samples, refine=refine, progress=progress), [s.label for s in samples])


def _set_figures(rows: Sequence[dict[str, float]], groups: Sequence[str]) -> dict[str, Any]:
    def median(key: str) -> float:
        values = _per_glyph(rows, key)
        values = values[np.isfinite(values)]
        return float(np.median(values)) if len(values) else float("nan")

    figures = summarise(rows, groups)
    figures.update(
        {
            "travel_median": median("travel"),
            "length_median": median("length"),
            "start_distance_median": median("start_distance"),
            "order_distance_median": median("order_distance"),
            "seconds_per_glyph": float(_per_glyph(rows, "seconds").mean()) if rows else 0.0,
        }
    )
    return figures


#: Per-glyph figures whose set figure is a mean (:func:`summarise`), and the names they go by there:
#: the ones :func:`group_interval` and :func:`paired_difference` give intervals for.
MEAN_FIGURES = {"direction": "direction", "order": "order_tau", "off_ink": "off_ink_mean", "exact": "strokes_exact"}


def _per_glyph(rows: Sequence[dict[str, float]], key: str) -> np.ndarray:
    """Figure ``key`` of each glyph's row: (N,) float64; ``exact`` is 1 where the stroke count is."""
    if key == "exact":
        return np.array([float(r["strokes"] == r["true_strokes"]) for r in rows])
    return np.array([r[key] for r in rows], np.float64)


def group_interval(
    values: np.ndarray, groups: Sequence[str], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """The ``level`` interval of the mean of per-glyph ``values`` (NaN: left out), by resampling
    whole groups of glyphs (a percentile bootstrap).

    Glyphs of one label are not independent measurements: 20 people drawing one Omniglot character
    share its strokes, so a model that draws the character one way gains or loses on all 20 at once.
    Resampling characters instead of glyphs gives the spread a new set of characters would show.
    NaN when the finite values come from fewer than two groups: one character says nothing of others.
    """
    values = np.asarray(values, np.float64)
    keep = np.isfinite(values)
    names, group = np.unique(np.asarray(groups, dtype=object)[keep].astype(str), return_inverse=True)
    if len(names) < 2:
        return float("nan"), float("nan")
    sums = np.bincount(group, weights=values[keep], minlength=len(names))
    counts = np.bincount(group, minlength=len(names)).astype(np.float64)
    picks = np.random.default_rng(seed).integers(0, len(names), (resamples, len(names)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    tail = 50.0 * (1.0 - level)
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return float(low), float(high)


def paired_difference(
    rows: Sequence[dict[str, float]], others: Sequence[dict[str, float]], groups: Sequence[str], **options: Any
) -> dict[str, dict[str, Any]]:
    """Per :data:`MEAN_FIGURES` figure, ``others`` against ``rows`` (two models on the same glyphs):
    the difference of the means, over the glyphs both have the figure for, and its
    :func:`group_interval`; ``clear`` when the interval leaves out 0."""
    differences = {}
    for key, name in MEAN_FIGURES.items():
        delta = _per_glyph(others, key) - _per_glyph(rows, key)
        finite = delta[np.isfinite(delta)]
        low, high = group_interval(delta, groups, **options)
        differences[name] = {
            "difference": float(finite.mean()) if len(finite) else float("nan"),
            "interval": [low, high],
            "clear": bool(low > 0 or high < 0),
        }
    return differences


def summarise(rows: Sequence[dict[str, float]], groups: Sequence[str] | None = None) -> dict[str, Any]:
    """A set's figures from its glyphs' :func:`strokebot.metrics.drawing_like_a_person` figures:
    direction and order as means over the glyphs that have them, off-ink as a mean, the rest medians.

    With ``groups`` (a label per glyph), each mean also gets its 95 % interval (``direction_interval``
    and so on, :func:`group_interval`) and ``groups`` the number of labels.
    """

    strokes, true = _per_glyph(rows, "strokes"), _per_glyph(rows, "true_strokes")
    chamfers = _per_glyph(rows, "chamfer")
    direction, order = _per_glyph(rows, "direction"), _per_glyph(rows, "order")
    figures: dict[str, Any] = {
        "glyphs": len(rows),
        "chamfer_median": float(np.median(chamfers)),
        "chamfer_mean": float(np.mean(np.clip(chamfers, 0, 1e3))),
        "direction": float(np.nanmean(direction)) if np.isfinite(direction).any() else float("nan"),
        "order_tau": float(np.nanmean(order)) if np.isfinite(order).any() else float("nan"),
        "strokes_median": float(np.median(strokes)),
        "true_strokes_median": float(np.median(true)),
        "strokes_exact": float(np.mean(strokes == true)),
        "strokes_off_median": float(np.median(np.abs(strokes - true))),
        "off_ink_mean": float(np.mean(_per_glyph(rows, "off_ink"))),
        "length_ratio_median": float(np.median(_per_glyph(rows, "length_ratio"))),
    }
    if groups is not None and rows:
        figures["groups"] = len(set(groups))
        for key, name in MEAN_FIGURES.items():
            figures[f"{name}_interval"] = list(group_interval(_per_glyph(rows, key), groups))
    return figures


#: The glyph sets with true strokes ``strokebot evaluate`` knows, and their default sizes.
PATH_SETS = {"omniglot": None, "kanjivg": 500, "kanjivg-bold": 500, "hershey": 500, "words": 100, "shapes": 70}
#: The words of the ``words`` set: none of them is a training word (``strokebot.model.learn.TRAINING_WORDS``).
EVALUATION_WORDS = ("million", "timid", "quiet", "wheat", "kettle", "animal", "number", "thimble", "minute", "bitter", "service")


def path_samples(name: str, count: int | None) -> list[Any]:
    """The evaluation glyphs of a set of :data:`PATH_SETS` (held-out splits, fixed seeds)."""
    from strokebot import datasets

    if name == "omniglot":
        return datasets.omniglot_glyphs(count, split="test")
    if name == "kanjivg":
        return datasets.kanjivg_glyphs(count or PATH_SETS[name], split="test")
    if name == "kanjivg-bold":  # the same characters with twice the pen: strokes that nearly touch
        return datasets.kanjivg_glyphs(count or PATH_SETS[name], split="test", pen=4 * datasets.KANJIVG_PEN)
    if name == "hershey":
        return datasets.hershey_glyphs(count or PATH_SETS[name], seed=99, sizes=(28, 256))
    if name == "words":
        rng = np.random.default_rng(99)
        samples = []
        for _ in range(count or PATH_SETS[name]):
            word = str(rng.choice(EVALUATION_WORDS))
            rng.choice(2)  # once a choice of font, between two names of one (datasets.SCRIPT_FONT): the set stays as it was
            samples.append(datasets.hershey_words(word, font=datasets.SCRIPT_FONT, height=float(rng.uniform(40, 90))))
        return samples
    return datasets.shape_glyphs(count or PATH_SETS[name], seed=99)


def evaluate_specs(
    model: Any,
    specs: Sequence[str],
    *,
    limit: int | None = None,
    refine: int = 0,
    progress: Any = None,
    against: Any = None,
    rows: bool = False,
) -> dict[str, Any]:
    """Evaluate ``model`` on each data spec: an MNIST folder, or a set of :data:`PATH_SETS` as NAME[:N].

    ``progress(label, total)``, when given, is called as each set of glyphs starts and returns a
    function that is called with 1 after each glyph.

    With ``against`` (a second model), each set's figures also hold ``against``: that model's figures
    on the same glyphs; and on sets with true strokes ``difference``: ``model`` less ``against`` per
    mean figure, with its 95 % interval over the glyphs' labels (:func:`paired_difference`).
    With ``rows``, each set with true strokes also holds ``rows``: ``model``'s figures glyph by
    glyph (:func:`path_rows`), each with its ``label``.
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
            groups = [s.label for s in samples]
            glyphs = path_rows(model, samples, refine=refine, progress=progress(spec, len(samples)) if progress else None)
            results[spec] = _set_figures(glyphs, groups)
            if against is not None:
                update = progress(f"{spec} (against)", len(samples)) if progress else None
                others = path_rows(against, samples, refine=refine, progress=update)
                results[spec]["against"] = _set_figures(others, groups)
                results[spec]["difference"] = paired_difference(others, glyphs, groups)
            if rows:
                results[spec]["rows"] = [{"label": label, **row} for label, row in zip(groups, glyphs, strict=True)]
        elif datasets.is_mnist_folder(Path(spec)):
            images, labels = datasets.mnist(spec, split="test")
            images, labels = images[:limit], labels[:limit]
            results[spec] = _mnist_figures(model, images, labels)
            if against is not None:
                results[spec]["against"] = _mnist_figures(against, images, labels)
        else:
            known = ", ".join(f"{n}[:N]" for n in PATH_SETS)
            raise UsageError(f"--data {spec}: not an MNIST folder or one of {known}")
    return results


def _mnist_figures(model: Any, images: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    figures: dict[str, Any] = reconstruction(model, images)
    figures["clustering_pixels"] = clustering_accuracy(images.reshape(len(images), -1), labels)
    figures["clustering_strokes"] = clustering_accuracy(_codes(model, images), labels)
    figures["images"] = len(images)
    return figures


def _codes(model: Any, images: np.ndarray) -> np.ndarray:
    """Stroke codes of MNIST images: the gesture's own, or a stroke model's drawing as :func:`path_codes`."""
    if getattr(model, "kind", "gesture") != "strokes":
        return model.gestures(images).codes()
    from strokebot.tracing import trace_batch

    drawings = trace_batch(list(images), model=model, normalised=True, clean=False, polarity="light-on-dark")
    return np.stack([path_codes(d) for d in drawings])
