"""Sharp turns drawn with fat pens: is a narrow V, a dense zigzag, one stroke whatever the pen?

    python benchmarks/fat_pens.py            # 30 Vs and 12 zigzags (about 10 seconds)
    python benchmarks/fat_pens.py --quick    # one size

A round pen turning sharply fills the inside of the turn, and the narrower the turn the further the
fill reaches: thinning then forks well above the tip, and a zigzag whose pen is nearly as wide as
its teeth are apart is a band with notches. A person drew each of these in one stroke; the table
gives how many strokes ``strokebot.trace`` draws, and the share drawn in one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

OPENINGS = (12, 17, 22, 28, 36)  # degrees between a V's arms
V_PENS = (7, 5)  # the pen a seventh, a fifth of the V's height
TEETH = (3, 4, 6)  # a zigzag's teeth across the same width: tips 37, 28 and 19 degrees wide
ZIGZAG_SPAN = (0.8, 0.4)  # a zigzag's width and height, shares of the image's side
Z_PENS = (0.25, 0.4, 0.55, 0.7)  # the pen as a share of the space between two teeth


def v_shape(opening: float, pen_share: float, size: int) -> np.ndarray:
    from strokebot.datasets import render_strokes

    height = 0.7 * size
    half = np.tan(np.radians(opening / 2)) * height
    centre = size / 2
    arms = np.array([(centre - half, 0.15 * size), (centre, 0.15 * size + height), (centre + half, 0.15 * size)])
    return render_strokes([arms], (size, size), height / pen_share)


def zigzag(teeth: int, pen_share: float, size: int) -> np.ndarray:
    from strokebot.datasets import render_strokes

    width, height = ZIGZAG_SPAN
    xs = np.linspace((1 - width) / 2 * size, (1 + width) / 2 * size, 2 * teeth + 1)
    ys = np.where(np.arange(len(xs)) % 2 == 0, (1 - height) / 2 * size, (1 + height) / 2 * size)
    return render_strokes([np.stack([xs, ys], axis=1)], (size, size), pen_share * (xs[2] - xs[0]))


def main(argv: list[str] | None = None) -> None:
    import strokebot

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 px only")
    args = parser.parse_args(argv)
    sizes = (100,) if args.quick else (60, 100, 200)

    def strokes(image: np.ndarray) -> int:
        return len(strokebot.trace(image, polarity="light-on-dark").strokes)

    print(f"fat pens at sharp turns  ({describe()})")
    print(f"\nnarrow Vs: strokes at {' / '.join(f'{s} px' for s in sizes)}")
    print("| opening | pen a 7th of the height | pen a 5th |")
    print("| --- | --- | --- |")
    ones = total = 0
    for opening in OPENINGS:
        cells = []
        for share in V_PENS:
            counts = [strokes(v_shape(opening, share, size)) for size in sizes]
            ones, total = ones + counts.count(1), total + len(counts)
            cells.append(" / ".join(map(str, counts)))
        print(f"| {opening}° | {' | '.join(cells)} |")
    print(f"one stroke: {ones} of {total}")
    print(f"\nzigzags 160 px wide: strokes, the pen a share of the space between two teeth ({', '.join(map(str, Z_PENS))})")
    print("| teeth (tips) | " + " | ".join(f"pen {p}" for p in Z_PENS) + " |")
    print("| --- |" + " --- |" * len(Z_PENS))
    z_ones = z_total = 0
    for teeth in TEETH:
        counts = [strokes(zigzag(teeth, share, 160)) for share in Z_PENS]
        z_ones, z_total = z_ones + counts.count(1), z_total + len(counts)
        tip = 2 * np.degrees(np.arctan(ZIGZAG_SPAN[0] / (2 * teeth) / ZIGZAG_SPAN[1]))
        print(f"| {teeth} ({tip:.0f}°) | " + " | ".join(map(str, counts)) + " |")
    print(f"one stroke: {z_ones} of {z_total}")


if __name__ == "__main__":
    main()
