"""Benchmark: does refinement bring traced strokes closer to the pen paths that drew the glyphs?

Traces glyphs whose true strokes are known, then refines the traced drawing, and prints one table
per data set, before and after refinement:

* Chamfer distance to the true strokes (px, median and mean): the drawing's pen-down centre lines
  and the true pen path, both sampled every 0.25 px, symmetric mean nearest distance
  (:func:`strokebot.metrics.chamfer_distance`);
* ink IoU of the drawing rasterised as the machine draws it against the glyph image;
* pen lifts (median, and the true strokes' median beside it) and pen-up travel;
* seconds of refinement per glyph (tracing excluded), on as many threads as ``--threads``.

Data: synthetic Hershey glyphs (sizes 28 to 256 px, varied pen widths; ``strokebot.datasets``) and
the people-drawn Omniglot glyphs (105 px) against their real pen trajectories. Each sample is one
glyph, so it is traced as one (``split=False``).

    python benchmarks/refine.py                    # 500 Hershey + 400 Omniglot glyphs, 100 steps
    python benchmarks/refine.py --quick            # 60 + 40 glyphs, a minute or so
    python benchmarks/refine.py --limit 100 --steps 50 --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hershey", type=int, default=500, help="synthetic Hershey glyphs (default 500)")
    parser.add_argument("--omniglot", type=int, default=400, help="Omniglot glyphs, first N by path (default 400)")
    parser.add_argument("--limit", type=int, help="at most this many glyphs of each set")
    parser.add_argument("--quick", action="store_true", help="60 Hershey and 40 Omniglot glyphs")
    parser.add_argument("--steps", type=int, default=100, help="refinement steps (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Hershey glyphs (default 0)")
    parser.add_argument("--model", type=Path, help="model file (default: the bundled model)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--json", type=Path, help="also write every figure, per glyph too, to this file")
    return parser.parse_args(argv)


def _measure(samples, *, model, steps: int, progress: str) -> list[dict]:
    from strokebot.metrics import chamfer_distance, drawing_points, ink_iou, rasterise, sample_polylines
    from strokebot.refine import refine
    from strokebot.tracing import prepare_and_trace

    rows = []
    for index, sample in enumerate(samples):
        drawing, ink = prepare_and_trace(sample.image, model=model, split=False, polarity="light-on-dark")
        truth = sample_polylines(sample.strokes)
        result = refine(drawing, ink, steps=steps)
        row = {"label": sample.label, "size": int(sample.image.shape[0]), "true_strokes": len(sample.strokes),
               "seconds": result.seconds, "kept": result.kept}
        for name, d in (("before", drawing), ("after", result.drawing)):
            row[name] = {
                "chamfer": chamfer_distance(drawing_points(d), truth),
                "iou": ink_iou(rasterise(d, sample.image.shape), sample.image),
                "pen_lifts": d.pen_lifts,
                "travel": d.travel_length,
            }
        rows.append(row)
        print(f"\r{progress}: {index + 1}/{len(samples)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows


def _table(title: str, rows: list[dict], steps: int) -> str:
    def med(stage: str, key: str) -> float:
        return statistics.median(r[stage][key] for r in rows)

    def mean(stage: str, key: str) -> float:
        return statistics.fmean(r[stage][key] for r in rows)

    seconds = np.array([r["seconds"] for r in rows])
    true_lifts = statistics.median(r["true_strokes"] for r in rows)
    before, after = med("before", "chamfer"), med("after", "chamfer")
    lines = [
        f"### {title}: {len(rows)} glyphs",
        "",
        "| | Chamfer to true strokes, px (median / mean) | ink IoU (median) | pen lifts (median; true) | pen-up travel px (median) | s per glyph (mean / p95 / max) |",
        "|---|---|---|---|---|---|",
        f"| traced, no refinement | {before:.2f} / {mean('before', 'chamfer'):.2f} | {med('before', 'iou'):.2f} | "
        f"{med('before', 'pen_lifts'):.0f}; {true_lifts:.0f} | {med('before', 'travel'):.0f} | — |",
        f"| refined, {steps} steps | {after:.2f} / {mean('after', 'chamfer'):.2f} | {med('after', 'iou'):.2f} | "
        f"{med('after', 'pen_lifts'):.0f}; {true_lifts:.0f} | {med('after', 'travel'):.0f} | "
        f"{seconds.mean():.2f} / {np.percentile(seconds, 95):.2f} / {seconds.max():.2f} |",
        "",
        f"Median Chamfer cut by {100 * (1 - after / before):.0f} %; refinement kept: "
        + ", ".join(f"{k} {v}" for k, v in sorted(_count(r["kept"] for r in rows).items())),
        "",
    ]
    return "\n".join(lines)


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    import torch

    torch.set_num_threads(args.threads)
    from strokebot.datasets import hershey_glyphs, omniglot_glyphs
    from strokebot.model.inference import load_model

    hershey_count, omniglot_count = (60, 40) if args.quick else (args.hershey, args.omniglot)
    if args.limit is not None:
        hershey_count, omniglot_count = min(hershey_count, args.limit), min(omniglot_count, args.limit)
    model = load_model(args.model)
    started = time.perf_counter()
    report = {"model": model.name, "model_version": model.metrics.get("model_version"), "steps": args.steps,
              "threads": args.threads, "sets": {}}
    tables = [f"model: {model.name} ({report['model_version']}), {args.steps} steps, {args.threads} thread(s)", ""]
    sets = []
    if hershey_count:
        sets.append((f"Hershey synthetic glyphs (seed {args.seed}, 28-256 px)", "hershey",
                     hershey_glyphs(hershey_count, seed=args.seed)))
    if omniglot_count:
        sets.append(("Omniglot people-drawn glyphs (105 px, real pen paths)", "omniglot", omniglot_glyphs(omniglot_count)))
    for title, key, samples in sets:
        rows = _measure(samples, model=model, steps=args.steps, progress=key)
        report["sets"][key] = rows
        tables.append(_table(title, rows, args.steps))
    tables.append(f"total {time.perf_counter() - started:.0f} s")
    print("\n".join(tables))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
