"""Smooth lines at any size: does a traced line, circle or wave wobble where the ink does not?

    python benchmarks/smooth_lines.py            # 3 sizes, 40 figures each (about 20 seconds)
    python benchmarks/smooth_lines.py --quick    # 128 px only

Thinning puts a centre line on whole pixels: a shallow slope becomes a staircase, and a glyph drawn
at the working scale (its ink brought to 3-7 px wide) and scaled back up shows it as a wobble a
pen plotter draws faithfully. Each figure here was drawn by one smooth stroke of constant width,
at 128, 256 and 512 px with the pen scaled alike (3-9, 6-18, 12-36 px). Per kind of figure:

* **wobble**: the drawn strokes' turning beyond the true line's, in degrees (the sum of the
  absolute turns, both paths resampled every pen width: a wiggle shorter than that is
  inside the line): 0 for a line drawn dead straight,
  a circle drawn as round as its ink;
* **off the line**: the mean distance from the drawn path to the true one, in pen widths;
* **width off**: how far the drawn width (the pressure's) strays from the stroke's median width,
  on average along its length, as a share of that median: 0 where the drawing knows the pen did
  not change.

A second table reads the width the same way on glyphs whose every stroke has one width and which
cross and meet: 40 held-out KanjiVG characters (218 px, a 6-px pen) and 60 people's Omniglot
glyphs (105 px), with the share of the drawn length more than 10 % off.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

KINDS = ("line", "circle", "ellipse", "wave")  # the smooth figures of strokebot.datasets.shape_glyphs
SIZES = {128: (3.0, 9.0), 256: (6.0, 18.0), 512: (12.0, 36.0)}  # image side: its pens


def turning(points: np.ndarray, spacing: float) -> float:
    """The sum of a path's absolute turns in degrees, read at points every ``spacing`` pixels along it
    (not at its vertices: a drawing's vertices are where simplification kept a point)."""
    from strokebot.model.skeleton import arc_lengths

    along = arc_lengths(points)
    at = np.arange(0.0, along[-1], spacing)
    path = np.stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])], axis=1)
    if len(path) < 3:
        return 0.0
    heading = np.arctan2(*np.diff(path, axis=0)[:, ::-1].T)
    return float(np.degrees(np.abs((np.diff(heading) + np.pi) % (2 * np.pi) - np.pi).sum()))


def width_off(drawing) -> tuple[float, float]:
    """How far a drawing's widths stray from each stroke's median, along the length: the mean of
    |width - median| / median over points every half pixel, and the share of them more than 10 % off."""
    from strokebot.model.skeleton import arc_lengths

    off = []
    for stroke in drawing.strokes:
        points = stroke.points
        if len(points) < 2:
            continue
        along = arc_lengths(points[:, :2])
        width = drawing.pen_width * (0.5 + np.interp(np.arange(0.0, along[-1], 0.5), along, points[:, 2]))
        if len(width):
            off.append(np.abs(width - np.median(width)) / np.median(width))
    if not off:
        return 0.0, 0.0
    every = np.concatenate(off)
    return float(every.mean()), float((every > 0.1).mean())


def measure(size: int, pens: tuple[float, float], count: int) -> dict[str, list[tuple[float, float, float, int]]]:
    import strokebot
    from strokebot.datasets import shape_glyphs
    from strokebot.metrics import nearest_distances, sample_polyline

    found: dict[str, list[tuple[float, float, float, int]]] = {kind: [] for kind in KINDS}
    for sample in shape_glyphs(count * 7 // len(KINDS), seed=5, size=size, pen=pens):
        kind = sample.label.split(":")[1]
        if kind not in found:
            continue
        pen = float(np.sum(sample.image)) / sum(float(np.hypot(*np.diff(s, axis=0).T).sum()) for s in sample.strokes)
        drawing = strokebot.trace(sample.image, polarity="light-on-dark")
        drawn = [s.points for s in drawing.strokes]
        true = sample.strokes[0]
        wobble = sum(turning(p[:, :2], pen) for p in drawn) - turning(true, pen)
        gap = nearest_distances(np.vstack([sample_polyline(p[:, :2], spacing=0.5) for p in drawn]), sample_polyline(true, spacing=0.5))
        found[kind].append((wobble, float(gap.mean()) / pen, width_off(drawing)[0], len(drawn)))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="128 px only")
    args = parser.parse_args(argv)
    sizes = {128: SIZES[128]} if args.quick else SIZES
    print(f"smooth lines at any size  ({describe()})")
    print("| figure | px | wobble, degrees (mean, worst) | off the line, pen widths | width off | strokes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size, pens in sizes.items():
        for kind, rows in measure(size, pens, 40).items():
            wobble, gap, spread, strokes = (np.array(column) for column in zip(*rows, strict=True))
            print(f"| {kind} | {size} | {wobble.mean():.0f} ({wobble.max():.0f}) | {gap.mean():.3f} | {spread.mean():.1%} | {strokes.mean():.2f} |")
    import strokebot
    from strokebot.evaluate import path_samples

    print()
    print("| glyphs of one pen width | glyphs | width off | length more than 10 % off |")
    print("| --- | --- | --- | --- |")
    for name, count in (("kanjivg", 10 if args.quick else 40), ("omniglot", 15 if args.quick else 60)):
        figures = np.array([width_off(strokebot.trace(g.image, polarity="light-on-dark")) for g in path_samples(name, count)])
        print(f"| {name} | {count} | {figures[:, 0].mean():.1%} | {figures[:, 1].mean():.1%} |")


if __name__ == "__main__":
    main()
