"""Research lead: sequencers that see the other candidates, against the bundled per-candidate one.

    python benchmarks/leads/sequencer_context.py --out ctx/                     # every kind, seeds 0-2 (~40 min)
    python benchmarks/leads/sequencer_context.py --out ctx/ --kinds attention --seeds 0
    python benchmarks/leads/sequencer_context.py --out ctx/ --quick             # a few glyphs, to try it

The bundled sequencer scores each candidate (a stroke left, one way round) from its own features
and the GRU's state; the candidates meet only in the softmax, and what the others are is known to a
candidate only through the rank features. Two scorers that look across them, in the second hidden
layer (everything else as :class:`strokebot.model.learn.Sequencer`):

* ``mean``: the candidates' first hidden layers averaged, through a linear map, added to each
  candidate's second layer (a DeepSets context);
* ``attention``: one head of dot-product attention over the candidates (queries and keys of 32,
  values of the hidden width) added there instead: a candidate can look at the one it hangs from;
* ``relations``: the same, but whom a candidate looks at is decided by where the candidates lie
  alone (queries and keys of 16 from their first features: start, end, centre, box and length), so
  that the attention can learn relations of place, not a character's whole look. This one is now the
  package's own (``strokebot train --order-context place``, :class:`strokebot.model.learn.PlaceAttention`,
  strokebot-default 2.8 on); ``none`` is ``--order-context none``, the sequencers of 2.7 and before.

The sequencer's examples are built as ``strokebot train`` builds them (the documented command's
data, ``--data``, seed 0, parsed with the model's own nets), then each kind is trained with each
seed by the function ``strokebot train`` trains its sequencers with (the kind the bundled model
has, with seeds 0-2, is its three sequencers bit for bit when it was trained by the documented
command on this code). Printed for each: the teacher-forced loss and next-stroke accuracy on the held-out
people's and KanjiVG glyphs and on the people's training glyphs (fit against generalisation). Then
the seeds of each kind, as an ensemble with the model's other nets, trace the held-out sets
(``strokebot evaluate --data omniglot --data kanjivg --rows OUT/KIND.jsonl``, run in this process
with the sequencers swapped in); compare with ``python benchmarks/paired.py OUT/none.jsonl
OUT/attention.jsonl`` (MODEL_CARD.md, run 46).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

DATA = ("kanjivg", "omniglot:4800", "shapes:400", "words:300", "letters:600")
QUICK_DATA = ("kanjivg:20", "omniglot:20", "letters:10")  # --quick: a few glyphs of each, to try a lead
QUICK_TRACED = 20  # --quick: glyphs of each held-out set measured and traced
KINDS = ("none", "mean", "attention", "relations")


def lead_arguments(parser: argparse.ArgumentParser, *, out: str) -> None:
    """The arguments a sequencer lead shares: ``--out``, ``--model``, ``--seeds``, ``--jobs``, ``--quick``."""
    from strokebot.model.checkpoint import DEFAULT_MODEL

    parser.add_argument("--out", type=Path, required=True, help=out)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model whose nets parse the glyphs (default: the bundled one)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="worker processes building the examples")
    parser.add_argument("--quick", action="store_true", help=f"about {QUICK_TRACED} glyphs of each set, 2 epochs, {QUICK_TRACED} of each held-out set traced")


def parsing_nets(path: Path):
    """The model file (its config and weights) and its nets, which parse the glyphs the sequencers learn from."""
    from strokebot.model.checkpoint import read_model
    from strokebot.model.strokes import StrokeNets

    source = read_model(path)
    return source, StrokeNets(source.config, source.weights)


def context_sequencer(kind: str) -> type:
    """The class of a ``kind`` of sequencer: :class:`strokebot.model.learn.Sequencer` (``none`` and
    ``relations``: its ``context`` ``"none"`` and ``"place"``), or one whose second hidden layer also
    sees the other candidates' first (``mean``, ``attention``)."""
    from strokebot.model.learn import Sequencer

    class ContextSequencer(Sequencer):
        def __init__(self, hidden: tuple[int, ...], memory: int, features: int, context: str = "none") -> None:
            # The scorer and the GRU first, as the bundled one: the same start.
            super().__init__(hidden, memory, features, context="place" if kind == "relations" else "none")
            self.kind = kind
            if kind == "mean":
                self.pool = nn.Linear(hidden[0], hidden[1], bias=False)
            elif kind == "attention":
                self.query, self.key, self.value = nn.Linear(hidden[0], 32), nn.Linear(hidden[0], 32), nn.Linear(hidden[0], hidden[1])

        def score(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            if self.kind in ("none", "relations"):
                return super().score(x, mask)
            return self.order(x, lambda _, h: self.across(h, mask))  # added to the second layer

        def across(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            """What each candidate takes from the others' first hidden layers ``h`` (N, C, H)."""
            if self.kind == "mean":
                weight = mask[..., None].float()
                return self.pool((h * weight).sum(1, keepdim=True) / weight.sum(1, keepdim=True).clamp_min(1))
            look = self.query(h) @ self.key(h).transpose(1, 2) / self.query.out_features**0.5
            return look.masked_fill(~mask[:, None, :], -1e9).softmax(-1) @ self.value(h)

    return ContextSequencer


def held_out(sequencer: nn.Module, glyphs: list) -> tuple[float, float]:
    """Mean teacher-forced loss per step and next-stroke accuracy on ``glyphs``."""
    from strokebot.model.learn import _order_batch, _order_loss

    total, right, steps = 0.0, 0.0, 0
    with torch.no_grad():
        for k in range(0, len(glyphs), 64):
            batch = _order_batch(glyphs[k : k + 64])
            loss, accuracy = _order_loss(sequencer, batch)
            count = int(batch[3].sum())
            total, right, steps = total + float(loss) * count, right + float(accuracy) * count, steps + count
    return total / max(steps, 1), right / max(steps, 1)


def swap_in(sequencers: list[nn.Module], extra: Callable[[], tuple[torch.Tensor, ...]] = tuple) -> None:
    """Make every :class:`strokebot.model.strokes.StrokeNets` in this process order with ``sequencers``
    (their log probabilities averaged, as the bundled ensemble does); ``extra()``: what more their
    ``score`` takes after the mask at the step being scored (``sequencer_relations.py``)."""
    from strokebot.model import strokes

    size = sequencers[0].size

    def initial_state(self: object) -> np.ndarray:
        return np.zeros((len(sequencers), size), np.float32)

    def order_scores(self: object, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.asarray(features, np.float32)[:, : sequencers[0].memory.input_size])
        every = torch.ones(1, len(x), dtype=torch.bool)
        with torch.no_grad():
            logs = [torch.log_softmax(s.score(torch.cat([x, torch.from_numpy(state[k]).expand(len(x), size)], 1)[None], every, *extra())[0], 0)
                    for k, s in enumerate(sequencers)]  # fmt: skip
        return torch.stack(logs).mean(0).numpy()

    def remember(self: object, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.asarray(features, np.float32)[None, : sequencers[0].memory.input_size])
        with torch.no_grad():
            return np.stack([s.memory(x, torch.from_numpy(state[k])[None])[0].numpy() for k, s in enumerate(sequencers)])

    strokes.StrokeNets.initial_state = initial_state
    strokes.StrokeNets.order_scores = order_scores
    strokes.StrokeNets.remember = remember


def main(argv: list[str] | None = None) -> None:
    from strokebot.cli import main as strokebot
    from strokebot.evaluate import path_samples
    from strokebot.model.examples import order_examples
    from strokebot.model.learn import StrokeConfig, _fit_sequencer, load_samples
    from strokebot.model.strokes import order_context, sequencer_prefix

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    lead_arguments(parser, out="folder for the rows of each kind")
    parser.add_argument("--data", action="append", help=f"training data, as strokebot train (default: {' '.join(DATA)})")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args(argv)

    source, nets = parsing_nets(args.model)
    config = source.config
    started = time.perf_counter()
    data = args.data or list(QUICK_DATA if args.quick else DATA)
    train = order_examples(load_samples(data, seed=0, log=print), nets, workers=args.jobs)
    count = QUICK_TRACED if args.quick else None
    people = order_examples(load_samples([f"omniglot:{count}" if count else "omniglot"], seed=0, log=lambda _: None), nets, workers=args.jobs).glyphs
    tests = {name: order_examples(path_samples(name, count), nets, workers=args.jobs).glyphs for name in ("omniglot", "kanjivg")}
    print(f"examples: {sum(map(len, train.glyphs)):,} steps from {len(train):,} glyphs ({time.perf_counter() - started:.0f} s)", flush=True)
    print("| kind | seed | people's test: loss / accuracy | KanjiVG test | people's training glyphs | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    args.out.mkdir(parents=True, exist_ok=True)
    settings = StrokeConfig(order_hidden=tuple(config["order_hidden"]), memory=int(config["memory"]))
    for kind in args.kinds:
        trained = []
        for seed in args.seeds:
            began = time.perf_counter()
            # Trained by the function strokebot train trains its sequencers with, another scorer built.
            make = context_sequencer(kind)
            trained.append(_fit_sequencer(train, settings, epochs=2 if args.quick else 12, seed=seed, log=lambda _: None, make=make))
            figures = [held_out(trained[-1], glyphs) for glyphs in (tests["omniglot"], tests["kanjivg"], people)]
            cells = " | ".join(f"{loss:.4f} / {accuracy:.3f}" for loss, accuracy in figures)
            print(f"| {kind} | {seed} | {cells} | {time.perf_counter() - began:.0f} |", flush=True)
            if kind == {"none": "none", "place": "relations"}[order_context(config)] and seed < int(config.get("sequencers", 1)):
                own = {k: v.detach().numpy() for k, v in trained[-1].state_dict().items()}
                if all(np.array_equal(v, source.weights[sequencer_prefix(seed) + k]) for k, v in own.items()):
                    print(f"  (seed {seed}: the model's own sequencer {seed + 1}, bit for bit)")
        swap_in(trained)
        rows = args.out / f"{kind}.jsonl"
        limit = ["--limit", str(QUICK_TRACED)] if args.quick else []
        try:
            strokebot(["evaluate", "--model", str(args.model), "--data", "omniglot", "--data", "kanjivg", "--rows", str(rows), *limit])
        except SystemExit as done:
            if done.code:
                raise
        print(f"wrote {rows}", flush=True)


if __name__ == "__main__":
    main()
