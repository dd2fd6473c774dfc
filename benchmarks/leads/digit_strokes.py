"""How many strokes the model draws each MNIST digit in: a digit people write in one stroke (a 2, a
3) drawn in two says the pen lifted where no hand does.

    python benchmarks/leads/digit_strokes.py                  # the first 2,000 test digits (20 s)
    python benchmarks/leads/digit_strokes.py --count 200 --model other.npz

MNIST has no pen paths, so there is no truth to score against: the table only counts, per digit,
the share of drawings in one, two, and three or more strokes. Most people write 0, 1, 2, 3, 6, 8 and
9 in one stroke; a 4, a 5 and a 7 come in one or two. One stroke is not worth having at any price:
the last column is the share of drawings that go over their own line for more than a fifth of the
digit's height (:func:`strokebot.metrics.retraced_length`, reach 1 px, more than
:data:`strokebot.evaluate.RETRACED_PX`, as ``strokebot evaluate`` counts them): a 3 drawn from its
middle prong, out round its lower bow and back, is one stroke with a bow drawn twice. The digits
are traced as `strokebot evaluate` traces them (framed glyphs, :func:`strokebot.tracing.trace_batch`
with ``normalised=True``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def counts_by_digit(drawings, labels) -> dict[int, np.ndarray]:
    """Per digit: how many drawings have 1, 2 and 3 or more strokes (an empty drawing counts as
    none), and how many go over their own line (:data:`strokebot.evaluate.RETRACED_PX`)."""
    from strokebot.evaluate import RETRACED_PX
    from strokebot.metrics import retraced_length

    table = {digit: np.zeros(4, int) for digit in range(10)}
    for drawing, label in zip(drawings, labels, strict=True):
        strokes = len(drawing.strokes)
        if strokes:
            table[int(label)][min(strokes, 3) - 1] += 1
        if retraced_length([s.xy for s in drawing.strokes], reach=1.0) > RETRACED_PX:
            table[int(label)][3] += 1
    return table


def main(argv: list[str] | None = None) -> int:
    from strokebot.datasets import SHARED_DATA, mnist
    from strokebot.errors import StrokebotError
    from strokebot.model.inference import load_model
    from strokebot.tracing import trace_batch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="test digits, from the first (default 2000)")
    parser.add_argument("--model", type=Path, help="model file (default: the bundled model)")
    parser.add_argument("--mnist", type=Path, default=SHARED_DATA / "mnist", help="MNIST folder (default: the shared data's)")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model)
        images, labels = mnist(args.mnist, split="test")
    except StrokebotError as error:
        print(f"digit_strokes: {error}", file=sys.stderr)
        return 1
    images, labels = images[: args.count], labels[: args.count]
    drawings = trace_batch(list(images), model=model, normalised=True, clean=False, polarity="light-on-dark")
    table = counts_by_digit(drawings, labels)
    print(f"strokes per MNIST test digit, {len(images):,} digits, {model.name}")
    print("| digit | digits | 1 stroke | 2 strokes | 3 or more | over its own line |")
    print("| --- | --- | --- | --- | --- | --- |")
    for digit, row in table.items():
        digits = int((labels == digit).sum())
        print(f"| {digit} | {digits} | " + " | ".join(f"{100 * n / max(digits, 1):.0f} %" for n in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
