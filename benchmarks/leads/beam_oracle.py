"""Whether the true order is among the sequences the sequencer finds likely: the best of its beam.

    python benchmarks/leads/beam_oracle.py                            # people's glyphs and KanjiVG (~5 min)
    python benchmarks/leads/beam_oracle.py --data omniglot --quick    # 20 glyphs

The stroke model draws the likeliest of the 4 sequences its beam ends with
(:func:`strokebot.model.strokes.likeliest_orders`). Here each held-out glyph is traced once with
each of them in turn (the k-th likeliest in place of the first; everything else as
``strokebot evaluate`` traces) and scored against the true strokes. "Best of k" keeps, per glyph,
the sequence among the k likeliest whose order is closest to the truth (its direction is that
sequence's; "best direction" picks on direction alone). When the best of 4 is far above the first,
the person's order is one the sequencer already finds likely: what is missing is which of them
this person drew, not the parse or the candidates (MODEL_CARD.md, Limits).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

BEAM = 4
QUICK = 20  # --quick: glyphs of each set


def best_of(order: np.ndarray, direction: np.ndarray, k: int) -> tuple[float, float, float]:
    """From per-rank figures (ranks, glyphs): the mean order of the best of the first ``k`` by order,
    the direction of that same sequence, and the mean of the best direction alone."""
    ranked = np.where(np.isnan(order[:k]), -np.inf, order[:k])
    pick = ranked.argmax(axis=0)
    glyphs = np.arange(order.shape[1])
    with np.errstate(invalid="ignore"):
        best_order = np.where(np.isinf(ranked.max(axis=0)), np.nan, ranked.max(axis=0))
        best_direction = np.nanmax(np.where(np.isnan(direction[:k]), -np.inf, direction[:k]), axis=0)
    best_direction = np.where(np.isinf(best_direction), np.nan, best_direction)
    return float(np.nanmean(best_order)), float(np.nanmean(direction[pick, glyphs])), float(np.nanmean(best_direction))


def main(argv: list[str] | None = None) -> int:
    from strokebot.evaluate import PATH_SETS, path_rows, path_samples
    from strokebot.model import strokes
    from strokebot.model.inference import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", choices=sorted(PATH_SETS), help="evaluation set (repeatable; default: omniglot and kanjivg)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} glyphs of each set")
    args = parser.parse_args(argv)
    model = load_model()
    rank = [0]

    def kth_order(parsed: list, nets: object, *, beam: int = BEAM) -> list:
        orders = strokes.likeliest_orders(parsed, nets, beam=beam)
        return orders[min(rank[0], len(orders) - 1)][1] if orders else []

    print(f"the best of the beam's sequences ({model.name}, a beam of {BEAM})")
    print("| set | glyphs | sequences | order tau | direction (that sequence) | best direction |")
    print("| --- | --- | --- | --- | --- | --- |")
    own = strokes.order_strokes
    try:
        strokes.order_strokes = kth_order  # draw_glyph orders with it
        for name in args.data or ["omniglot", "kanjivg"]:
            samples = path_samples(name, QUICK if args.quick else None)
            per_rank = []
            for k in range(BEAM):
                rank[0] = k
                per_rank.append(path_rows(model, samples))
            # (ranks, glyphs); NaN where a glyph has no order (one stroke) or no direction (dots).
            order, direction = (np.array([[row[key] for row in rows] for rows in per_rank], float) for key in ("order", "direction"))
            for k in range(1, BEAM + 1):
                tau, way, best_way = best_of(order, direction, k)
                label = "the likeliest (as traced)" if k == 1 else f"best of {k}"
                print(f"| {name} | {len(samples)} | {label} | {tau:.3f} | {way:.3f} | {best_way:.3f} |", flush=True)
    finally:
        strokes.order_strokes = own
    return 0


if __name__ == "__main__":
    sys.exit(main())
