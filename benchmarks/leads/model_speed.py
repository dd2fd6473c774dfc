"""Two stroke models' tracing speed side by side: is a new model slower than the one it replaces?

    python benchmarks/leads/model_speed.py --model old.npz --model strokebot/models/default.npz
    python benchmarks/leads/model_speed.py --model old.npz --model new.npz --kanjivg 20 --omniglot 40 --rounds 2

Each round traces the same held-out glyphs (``strokebot evaluate``'s KanjiVG characters at 218 px
and people's Omniglot glyphs at 105 px) with every model in turn, so a busy machine slows all of
them alike; the table gives each model's best round in milliseconds a glyph and its ratio to the
first model's. Seconds include the whole of ``strokebot.trace`` (cleaning, the stroke graph, the
nets, the drawing), as a user pays them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/machine.py


def main(argv: list[str] | None = None) -> int:
    from machine import describe

    from strokebot import trace
    from strokebot.errors import StrokebotError
    from strokebot.evaluate import path_samples
    from strokebot.model.inference import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", required=True, type=Path, help="a model file (repeat; the first is the baseline)")
    parser.add_argument("--kanjivg", type=int, default=60, help="held-out KanjiVG characters (default 60)")
    parser.add_argument("--omniglot", type=int, default=120, help="held-out people's glyphs (default 120)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each model's best is kept (default 3)")
    args = parser.parse_args(argv)
    if min(args.kanjivg, args.omniglot, args.rounds) < 1:
        parser.error("--kanjivg, --omniglot and --rounds are at least 1")
    try:
        models = [load_model(path) for path in args.model]
    except StrokebotError as error:
        sys.exit(f"model_speed: {error}")
    sets = {"kanjivg": path_samples("kanjivg", args.kanjivg), "omniglot": path_samples("omniglot", None)[: args.omniglot]}
    best: dict[tuple[str, int], float] = {}
    for _ in range(args.rounds):
        for name, samples in sets.items():
            for k, model in enumerate(models):
                started = time.perf_counter()
                for sample in samples:
                    trace(sample.image, model=model, polarity="light-on-dark")
                seconds = (time.perf_counter() - started) / len(samples)
                best[name, k] = min(best.get((name, k), float("inf")), seconds)
    print(f"stroke models side by side, {args.rounds} interleaved rounds, best of each  ({describe()})")
    print("| set | glyphs | " + " | ".join(f"{m.name} ms/glyph" for m in models) + " | " + " | ".join(f"{m.name} / {models[0].name}" for m in models[1:]) + " |")
    print("| --- " * (2 + 2 * len(models) - 1) + "|")
    for name, samples in sets.items():
        times = [best[name, k] * 1000 for k in range(len(models))]
        ratios = [t / times[0] for t in times[1:]]
        print(f"| {name} | {len(samples)} | " + " | ".join(f"{t:.1f}" for t in times) + " | " + " | ".join(f"{r:.2f}" for r in ratios) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
