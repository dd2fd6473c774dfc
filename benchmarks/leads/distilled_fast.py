"""How closely one-shot gesture models draw MNIST digits the way the stroke model does, and at what speed.

    python benchmarks/leads/distilled_fast.py                        # the bundled --fast model (a minute)
    python benchmarks/leads/distilled_fast.py --model a.npz --model b.npz --test 500

The stroke model draws a digit as a person would (which lines are one stroke, in what order and
direction) but glyph by glyph in Python, about 130 MNIST digits a second; a one-shot gesture model
(``--fast``) runs a whole batch in one matrix product, tens of thousands a second. ``strokebot
train --kind gesture --teacher default.npz`` teaches one the stroke model's way (MODEL_CARD.md). On
MNIST test digits this scores each gesture model against the stroke model's drawings of them, as
the truth (:func:`strokebot.metrics.drawing_like_a_person`: direction, order, Chamfer, exact stroke
counts, off-ink), beside its pixel accuracy, the code clustering of the original design, and its
speed through ``trace_batch`` (best of three).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

KEYS = ("direction", "order", "chamfer", "strokes exact", "off-ink", "pixel accuracy", "clustering", "digits/s")


def drawn(images: np.ndarray, model) -> list[list[np.ndarray]]:
    """``model``'s drawing of each framed digit, as polylines in the 28-px frame (as a teacher's are
    drawn for training: :func:`strokebot.model.train.teacher_paths`)."""
    from strokebot.model.train import teacher_paths

    return teacher_paths(images, model, framed=True)


def scores(model, images: np.ndarray, labels: np.ndarray, truth: list[list[np.ndarray]]) -> dict[str, float]:
    """:data:`KEYS` for a gesture ``model``: means over digits against ``truth`` (the teacher's)."""
    from strokebot.evaluate import clustering_accuracy, reconstruction
    from strokebot.metrics import drawing_like_a_person

    rows = [drawing_like_a_person(d, t, image) for d, t, image in zip(drawn(images, model), truth, images, strict=True) if t]
    figures = {key: float(np.nanmean([r[key] for r in rows])) for key in ("direction", "order")}
    figures["off-ink"] = float(np.nanmean([r["off_ink"] for r in rows]))
    figures["chamfer"] = float(np.nanmedian([r["chamfer"] for r in rows]))
    figures["strokes exact"] = float(np.mean([r["strokes"] == r["true_strokes"] for r in rows]))
    figures["pixel accuracy"] = reconstruction(model, images)["pixel_accuracy"]
    figures["clustering"] = clustering_accuracy(model.gestures(images).codes(), labels)
    best = np.inf
    for _ in range(3):
        started = time.perf_counter()
        drawn(images, model)
        best = min(best, time.perf_counter() - started)
    figures["digits/s"] = len(images) / best
    return figures


def main(argv: list[str] | None = None) -> int:
    from strokebot.datasets import SHARED_DATA, mnist
    from strokebot.errors import StrokebotError
    from strokebot.model.inference import FAST_MODEL, load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", type=Path, help="gesture model file (repeatable; default: the bundled --fast model)")
    parser.add_argument("--test", type=int, default=2000, help="MNIST test digits, from the first (default 2000)")
    parser.add_argument("--mnist", type=Path, default=SHARED_DATA / "mnist", help="MNIST folder (default: the shared data's)")
    args = parser.parse_args(argv)
    try:
        teacher = load_model()
        models = [load_model(path) for path in (args.model or [FAST_MODEL])]
        images, labels = mnist(args.mnist, split="test")
    except StrokebotError as error:
        print(f"distilled_fast: {error}", file=sys.stderr)
        return 1
    if any(getattr(m, "kind", "gesture") != "gesture" for m in models):
        print("distilled_fast: --model: a gesture model (the stroke model is the teacher here)", file=sys.stderr)
        return 1
    images, labels = images[: args.test], labels[: args.test]
    truth = drawn(images, teacher)
    print(f"{len(images):,} MNIST test digits, scored against the stroke model's drawings ({teacher.name})")
    print("| model | taught by | " + " | ".join(KEYS) + " |")
    print("| --- | --- |" + " --- |" * len(KEYS))
    for model in models:
        figures = scores(model, images, labels, truth)
        teacher_name = model.file.metrics.get("teacher", "—")
        print(f"| {model.name} | {teacher_name} | " + " | ".join(f"{figures[k]:,.0f}" if k == "digits/s" else f"{figures[k]:.3f}" for k in KEYS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
