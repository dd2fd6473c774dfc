"""Does strokebot draw like a person? strokebot against the rule-based skeleton tracers, side by side.

    python benchmarks/drawing_order.py                 # every set in full (a few minutes)
    python benchmarks/drawing_order.py --quick         # 20 glyphs a set (seconds)
    python benchmarks/drawing_order.py --sets omniglot kanjivg --refine

Sets, all with true strokes and all held out from training (``strokebot evaluate`` measures the same):

* ``omniglot`` — people's glyphs of the held-out quarter of the Omniglot characters (520, 105 px),
  with the pen paths they drew them with;
* ``kanjivg`` — the held-out tenth of KanjiVG at 218 px with its 6-px pen (``--limit``, default 500);
* ``kanjivg-bold`` — the same characters with a 12-px pen, where close strokes nearly touch (500);
* ``words`` — words set in the Hershey script fonts as joined-up writing (100);
* ``shapes`` — lines, circles, squares, spirals, zigzags and waves, one stroke each (70).

Methods: the default ``strokebot.trace`` (the stroke model), ``--fast`` (the one-shot gesture model),
optionally ``--refine 100``; the skeleton tracer (scikit-image ``skeletonize`` and a graph walk) and
the convention-ordered skeleton (its branches joined straight through junctions, each stroke drawn
top to bottom or left to right, strokes ordered by ``y + x / 2``), from :mod:`baselines`.

Per glyph :func:`strokebot.metrics.drawing_like_a_person`; per set :func:`strokebot.evaluate.summarise`:
Chamfer (median, px), direction (mean share of true strokes drawn their way), order (mean Kendall
tau), strokes (median, the true median, the share exactly right, median |difference|), off-ink (mean
share of the pen-down path over bare paper), length ratio (median), seconds per glyph. The last
lines say where strokebot is ahead of the convention-ordered skeleton, at the benchmark's precision:
per figure the difference on the same glyphs and its 95 % interval over the glyphs' characters
(:func:`strokebot.evaluate.paired_difference`); ahead or behind when the interval leaves out 0,
level when it does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines  # noqa: E402
from machine import describe  # noqa: E402

SETS = ("omniglot", "kanjivg", "kanjivg-bold", "words", "shapes")


def _strokebot(**options) -> Callable[[np.ndarray], list[np.ndarray]]:
    import strokebot

    def trace(ink: np.ndarray) -> list[np.ndarray]:
        return [s.xy for s in strokebot.trace(ink, polarity="light-on-dark", **options).strokes]

    return trace


def methods(refine: bool) -> dict[str, Callable[[np.ndarray], list[np.ndarray]]]:
    found = {"strokebot": _strokebot(), "strokebot --fast": _strokebot(fast=True)}
    if refine:
        found["strokebot --refine 100"] = _strokebot(refine=100)
    found["skeleton + graph walk"] = baselines.skeleton_trace
    found["skeleton, convention order"] = baselines.convention_trace
    return found


def measure(tracer: Callable[[np.ndarray], list[np.ndarray]], samples: list) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The set's figures and the glyphs' rows."""
    from strokebot.evaluate import summarise
    from strokebot.metrics import drawing_like_a_person

    rows, seconds = [], 0.0
    for sample in samples:
        started = time.perf_counter()
        drawn = tracer(sample.image)
        seconds += time.perf_counter() - started
        rows.append(drawing_like_a_person(drawn, sample.strokes, sample.image))
    figures = summarise(rows)
    figures["seconds_per_glyph"] = seconds / max(len(samples), 1)
    return figures, rows


def difference_text(d: dict) -> str:
    """A :func:`strokebot.evaluate.paired_difference` figure as "+0.005 [-0.014, +0.021]"."""
    low, high = d["interval"]
    interval = f"[{low:+.3f}, {high:+.3f}]" if np.isfinite(low) else "(one character: no interval)"
    return f"{d['difference']:+.3f} {interval}"


def verdict(name: str, ours: list[dict[str, float]], rules: list[dict[str, float]], groups: list[str]) -> str:
    """Where strokebot stands against the rules on direction, order and exact stroke counts."""
    from strokebot.evaluate import paired_difference

    differences = paired_difference(rules, ours, groups)
    parts, behind = [], False
    for figure, label in (("direction", "direction"), ("order_tau", "order"), ("strokes_exact", "strokes exact")):
        d = differences[figure]
        if not np.isfinite(d["difference"]):
            parts.append(f"{label} n/a")
            continue
        low, high = d["interval"]
        if not np.isfinite(low):
            parts.append(f"{label} {difference_text(d)}")
            continue
        standing = "ahead" if low > 0 else "behind" if high < 0 else "level"
        behind |= standing == "behind"
        parts.append(f"{label} {standing} ({difference_text(d)})")
    overall = "behind" if behind else "ahead of or level with"
    return f"{name}: strokebot {overall} the convention-ordered skeleton: " + "; ".join(parts)


def row(name: str, f: dict[str, float]) -> str:
    return (
        f"| {name} | {f['chamfer_median']:.2f} | {f['direction']:.3f} | {f['order_tau']:.3f} | "
        f"{f['strokes_median']:.0f} ({f['true_strokes_median']:.0f}) | {100 * f['strokes_exact']:.0f} % | {f['strokes_off_median']:.0f} | "
        f"{100 * f['off_ink_mean']:.2f} % | {f['length_ratio_median']:.2f} | {1000 * f['seconds_per_glyph']:.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    from strokebot.evaluate import path_samples

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--limit", type=int, help="glyphs per set (default: each set's own size)")
    parser.add_argument("--refine", action="store_true", help="also strokebot --refine 100 (slower)")
    parser.add_argument("--quick", action="store_true", help="20 glyphs a set")
    args = parser.parse_args(argv)
    limit = 20 if args.quick else args.limit
    tracers = methods(args.refine)
    print(f"strokebot drawing order  ({describe()})")
    verdicts = []
    for name in args.sets:
        samples = path_samples(name, limit)
        print(f"\n{name}: {len(samples)} glyphs")
        print("| method | Chamfer px | direction | order tau | strokes (true) | exact | median abs diff | off-ink | length ratio | ms/glyph |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        results, rows = {}, {}
        for method, tracer in tracers.items():
            results[method], rows[method] = measure(tracer, samples)
            print(row(method, results[method]), flush=True)
        verdicts.append(verdict(name, rows["strokebot"], rows["skeleton, convention order"], [s.label for s in samples]))
    print()
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
