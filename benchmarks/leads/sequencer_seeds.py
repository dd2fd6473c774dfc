"""One model's sequencer retrained with other seeds, or on fewer features: is a sequencer change bigger than a seed's?

    python benchmarks/leads/sequencer_seeds.py --out seeds/                     # seeds 0-2 on 40 and all features
    python benchmarks/leads/sequencer_seeds.py --out seeds/ --widths 42 --seeds 3 4
    python benchmarks/leads/sequencer_seeds.py --out seeds/ --quick             # a few glyphs, to try it

The sequencer's training examples are built once, as ``strokebot train`` builds them: the training
glyphs of ``--data`` (the documented command's by default, seed 0) parsed with the model's own
junction and excursion nets. Then for each width W of ``--widths`` (the first W sequencer features,
:data:`strokebot.model.order.STROKE_FEATURES`) and each seed, the sequencer alone is trained again
(12 epochs, as ``strokebot train``) and written, with the model's other nets, as ``OUT/fW-sS.npz``.
Seed 0 on the model's own width gives its own sequencer, bit for bit, when the model was trained by
the documented command on this code.

Measure each file with ``strokebot evaluate --model OUT/fW-sS.npz --data omniglot --data kanjivg
--rows OUT/fW-sS.jsonl``, then compare the seeds' means glyph by glyph with ``python
benchmarks/paired.py OUT/f40-s0.jsonl,OUT/f40-s1.jsonl OUT/f44-s0.jsonl,OUT/f44-s1.jsonl``
(MODEL_CARD.md, runs 29b and 40). About 6 minutes for the examples and a minute a sequencer on 2 cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DATA = ("kanjivg", "omniglot:4800", "shapes:400", "words:300")


def main(argv: list[str] | None = None) -> None:
    from strokebot.model.checkpoint import DEFAULT_MODEL, read_model, write_model
    from strokebot.model.examples import OrderExamples, order_examples
    from strokebot.model.learn import StrokeConfig, _fit_sequencer, load_samples
    from strokebot.model.order import CONVENTION_FEATURES, STROKE_FEATURES
    from strokebot.model.strokes import StrokeNets, order_features

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the model files")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model whose nets parse the glyphs (default: the bundled one)")
    parser.add_argument("--data", action="append", help=f"training data, as strokebot train (default: {' '.join(DATA)})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--widths", type=int, nargs="+", help="sequencer features to read, the first W (default: 2.5's 40 and all)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="worker processes building the examples")
    parser.add_argument("--quick", action="store_true", help="40 KanjiVG and 40 Omniglot glyphs, 2 epochs")
    args = parser.parse_args(argv)

    source = read_model(args.model)
    config = dict(source.config)
    widths = args.widths or sorted({CONVENTION_FEATURES, len(STROKE_FEATURES)})
    if any(not 0 < w <= len(STROKE_FEATURES) for w in widths):
        parser.error(f"--widths: each between 1 and {len(STROKE_FEATURES)}")
    data = args.data or (["kanjivg:40", "omniglot:40"] if args.quick else list(DATA))
    samples = load_samples(data, seed=0, log=print)
    parser_nets = StrokeNets(config, source.weights)
    examples = order_examples(samples, parser_nets, spur=config["spur"], corner=config["corner"], workers=args.jobs)
    print(f"sequencer examples: {sum(len(g) for g in examples.glyphs):,} steps from {len(examples):,} glyphs", flush=True)
    others = {k: v for k, v in source.weights.items() if not k.startswith(("order.", "memory.", "seq"))}
    args.out.mkdir(parents=True, exist_ok=True)
    settings = StrokeConfig(order_hidden=tuple(config["order_hidden"]), memory=int(config["memory"]))
    for width in widths:
        cut = OrderExamples([[(features[:, :width], choice) for features, choice in glyph] for glyph in examples.glyphs])
        for seed in args.seeds:
            sequencer = _fit_sequencer(cut, settings, epochs=2 if args.quick else 12, seed=seed, log=lambda _: None)
            weights = others | {k: v.detach().numpy().copy() for k, v in sequencer.state_dict().items()}
            path = args.out / f"f{width}-s{seed}.npz"
            version = f"{source.metrics.get('model_version', '')} sequencer f{width} s{seed}".strip()
            write_model(path, dict(config, order_features=width, sequencers=1), weights, dict(source.metrics, model_version=version))
            same = width == order_features(config) and all((weights[k] == source.weights[k]).all() for k in weights)
            print(f"wrote {path}" + ("  (the model's own sequencer, bit for bit)" if same else ""), flush=True)


if __name__ == "__main__":
    main()
