"""Where the people's strokes drawn backwards come from: a stroke the parse cut, or a whole one turned round.

    python benchmarks/leads/direction_errors.py                  # the 520 held-out Omniglot glyphs (a minute)
    python benchmarks/leads/direction_errors.py --quick          # 60 glyphs
    python benchmarks/leads/direction_errors.py --data words     # any set of `strokebot evaluate`
    python benchmarks/leads/direction_errors.py --rules          # the convention-ordered skeleton instead

Each true stroke of a person's glyph (dots left out) is read as `strokebot evaluate` reads it
(:func:`strokebot.metrics.true_stroke_timing`): forwards or backwards. It is *split* when its
points' nearest drawn points come from more than one drawn stroke (the largest share under 80 %):
the parse cut the person's stroke, or joined parts of it to other strokes. Otherwise one drawn
stroke covers it, and that stroke is *closed* (its ends closer than a fifth of its length) or *open*,
the person having drawn it the conventional way (top to bottom where it runs more down than across,
else left to right) or against it. The table says which kind the backward strokes are: the parse's
pieces, or a whole stroke that the sequencer turned round.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/baselines.py
from baselines import convention_trace, conventional  # noqa: E402


def way_of(true: np.ndarray) -> str:
    """How a person drew a stroke (N, 2): "closed" (its ends closer than a fifth of its length), else
    "conventional" (:func:`baselines.conventional`: the rules' way) or "against convention"."""
    chord = true[-1] - true[0]
    length = float(np.hypot(*np.diff(true, axis=0).T).sum())
    if np.hypot(*chord) < 0.2 * length:
        return "closed"
    return "conventional" if conventional(chord) else "against convention"


def kind_of(true: np.ndarray, owners: np.ndarray) -> str:
    """The kind of a true stroke whose points' nearest drawn points belong to drawn strokes ``owners``."""
    if np.bincount(owners).max() < 0.8 * len(owners):
        return "split over drawn strokes"
    way = way_of(true)
    return "one drawn stroke, closed" if way == "closed" else f"one drawn stroke, the person {way}"


def main(argv: list[str] | None = None) -> None:
    from scipy.spatial import cKDTree

    from strokebot.evaluate import path_samples
    from strokebot.metrics import DOT_EXTENT, sample_polyline, true_stroke_timing
    from strokebot.model.inference import load_model
    from strokebot.tracing import trace

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 glyphs")
    parser.add_argument("--data", default="omniglot", help="a set of `strokebot evaluate` (default omniglot)")
    parser.add_argument("--rules", action="store_true", help="read the convention-ordered skeleton's strokes instead")
    args = parser.parse_args(argv)
    model = load_model()
    samples = path_samples(args.data, None)
    if args.quick:
        samples = samples[:: max(1, len(samples) // 60)][:60]
    tally: dict[str, list[int]] = {}
    for sample in samples:
        if args.rules:
            drawn = [p[:, :2] for p in convention_trace(sample.image)]
        else:
            drawn = [s.points[:, :2] for s in trace(sample.image, model=model, polarity="light-on-dark").strokes]
        if not drawn:
            continue
        forwards, _ = true_stroke_timing(drawn, sample.strokes)
        dense = [sample_polyline(p, spacing=0.5) for p in drawn]
        tree, owner = cKDTree(np.vstack(dense)), np.concatenate([np.full(len(p), k) for k, p in enumerate(dense)])
        for stroke, way in zip(sample.strokes, forwards, strict=True):
            if np.isnan(way):  # a dot: no direction
                continue
            true = np.asarray(stroke, float)[:, :2]
            _, nearest = tree.query(sample_polyline(true, spacing=1.0), k=1)
            counts = tally.setdefault(kind_of(true, owner[nearest]), [0, 0])
            counts[0] += 1
            counts[1] += int(way == 0.0)
    total, backwards = (sum(c[k] for c in tally.values()) for k in (0, 1))
    drawer = "the convention-ordered skeleton" if args.rules else model.name
    print(f"true strokes drawn backwards: {len(samples)} {args.data} glyphs ({drawer}); dots (under {DOT_EXTENT:g} px) left out")
    print("| kind of true stroke | strokes | drawn backwards | share of its kind | share of all backwards |")
    print("| --- | --- | --- | --- | --- |")
    for kind, (count, bad) in sorted(tally.items(), key=lambda item: -item[1][1]):
        print(f"| {kind} | {count} | {bad} | {bad / count:.1%} | {bad / max(backwards, 1):.0%} |")
    print(f"| all | {total} | {backwards} | {backwards / max(total, 1):.1%} | 100% |")


if __name__ == "__main__":
    main()
