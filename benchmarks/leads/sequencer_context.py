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
  alone (queries and keys of 16 from their first :data:`PLACE` features: start, end, centre, box
  and length), so that the attention can learn relations of place, not a character's whole look.

The sequencer's examples are built as ``strokebot train`` builds them (the documented command's
data, ``--data``, seed 0, parsed with the model's own nets), then each kind is trained with each
seed exactly as ``strokebot train`` trains its sequencers (``none`` with seeds 0-2 is the bundled
model's three sequencers, bit for bit, when the model was trained by the documented command on
this code). Printed for each: the teacher-forced loss and next-stroke accuracy on the held-out
people's and KanjiVG glyphs and on the people's training glyphs (fit against generalisation). Then
the seeds of each kind, as an ensemble with the model's other nets, trace the held-out sets
(``strokebot evaluate --data omniglot --data kanjivg --rows OUT/KIND.jsonl``, run in this process
with the sequencers swapped in); compare with ``python benchmarks/paired.py OUT/none.jsonl
OUT/attention.jsonl`` (MODEL_CARD.md, run 46).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

DATA = ("kanjivg", "omniglot:4800", "shapes:400", "words:300", "letters:600")
KINDS = ("none", "mean", "attention", "relations")
#: The sequencer features ``relations`` attends by: where a candidate starts and ends, its centre,
#: box and length (the first of :data:`strokebot.model.order.STROKE_FEATURES`, up to its chord).
PLACE = 9


class ContextSequencer(nn.Module):
    """:class:`strokebot.model.learn.Sequencer` whose second hidden layer also sees the other candidates."""

    def __init__(self, kind: str, hidden: tuple[int, ...], memory: int, features: int) -> None:
        from strokebot.model.learn import ScoreNet

        super().__init__()
        self.kind, self.size = kind, memory
        self.order = ScoreNet(features + memory, hidden)  # created first, as Sequencer does: same start
        self.memory = nn.GRUCell(features, memory)
        if kind == "mean":
            self.pool = nn.Linear(hidden[0], hidden[1], bias=False)
        elif kind == "attention":
            self.query, self.key, self.value = nn.Linear(hidden[0], 32), nn.Linear(hidden[0], 32), nn.Linear(hidden[0], hidden[1])
        elif kind == "relations":
            self.query, self.key, self.value = nn.Linear(PLACE, 16), nn.Linear(PLACE, 16), nn.Linear(hidden[0], hidden[1])

    def states(self, chosen: torch.Tensor) -> torch.Tensor:
        """States before each step (B, T, M) from the features of the candidates drawn (B, T, F)."""
        h, states = chosen.new_zeros(len(chosen), self.size), []
        for t in range(chosen.shape[1]):
            states.append(h)
            h = self.memory(chosen[:, t], h)
        return torch.stack(states, dim=1)

    def scores(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(N, C) scores of N steps' candidates x (N, C, F + M); ``mask`` (N, C) marks the real ones."""
        layers = self.order.layers
        x = (x - self.order.mean) * self.order.scale
        h = nn.functional.silu(layers[0](x))
        second = layers[1](h)
        if self.kind == "mean":
            weight = mask[..., None].float()
            second = second + self.pool((h * weight).sum(1, keepdim=True) / weight.sum(1, keepdim=True).clamp_min(1))
        elif self.kind in ("attention", "relations"):
            by = h if self.kind == "attention" else x[..., :PLACE]
            look = self.query(by) @ self.key(by).transpose(1, 2) / self.query.out_features**0.5
            second = second + look.masked_fill(~mask[:, None, :], -1e9).softmax(-1) @ self.value(h)
        h = nn.functional.silu(second)
        for layer in layers[2:-1]:
            h = nn.functional.silu(layer(h))
        return layers[-1](h)[..., 0]


def step_loss(sequencer: ContextSequencer, batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Summed cross-entropy of the true choices, how many were the top score, and how many steps."""
    candidates, mask, choice, valid, chosen = batch
    b, t, c, _ = candidates.shape
    states = sequencer.states(chosen)
    inputs = torch.cat([candidates, states[:, :, None].expand(b, t, c, sequencer.size)], dim=-1)
    scores = sequencer.scores(inputs.reshape(b * t, c, -1), mask.reshape(b * t, c)).reshape(b, t, c).masked_fill(~mask, -1e9)
    loss = nn.functional.cross_entropy(scores[valid], choice[valid], reduction="sum")
    return loss, (scores.argmax(-1) == choice)[valid].float().sum(), int(valid.sum())


def batches(glyphs: list, size: int = 64) -> list[tuple[torch.Tensor, ...]]:
    from strokebot.model.learn import _order_batch

    by_length = sorted(range(len(glyphs)), key=lambda i: len(glyphs[i]))  # as strokebot train batches them
    return [_order_batch([glyphs[i] for i in by_length[k : k + size]]) for k in range(0, len(by_length), size)]


def fit(kind: str, glyphs: list, *, seed: int, epochs: int, hidden: tuple[int, ...], memory: int) -> ContextSequencer:
    """Trained as ``strokebot.model.learn._fit_sequencer`` trains the bundled sequencer."""
    torch.manual_seed(seed)
    rows = np.concatenate([f for g in glyphs for f, _ in g])
    sequencer = ContextSequencer(kind, hidden, memory, rows.shape[1])
    with torch.no_grad():
        stats = torch.from_numpy(rows)
        sequencer.order.mean[: rows.shape[1]] = stats.mean(0)
        sequencer.order.scale[: rows.shape[1]] = 1.0 / stats.std(0).clamp_min(1e-3)
    optimiser = torch.optim.AdamW(sequencer.parameters(), lr=2e-3, weight_decay=1e-4)
    padded = batches(glyphs)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=max(epochs * len(padded), 1))
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        for k in rng.permutation(len(padded)):
            loss, _, steps = step_loss(sequencer, padded[k])
            optimiser.zero_grad()
            (loss / steps).backward()
            nn.utils.clip_grad_norm_(sequencer.parameters(), 1.0)
            optimiser.step()
            schedule.step()
    return sequencer.eval()


def held_out(sequencer: ContextSequencer, glyphs: list) -> tuple[float, float]:
    """Mean teacher-forced loss per step and next-stroke accuracy on ``glyphs``."""
    total, right, steps = 0.0, 0.0, 0
    with torch.no_grad():
        for batch in batches(glyphs):
            loss, hits, count = step_loss(sequencer, batch)
            total, right, steps = total + float(loss), right + float(hits), steps + count
    return total / max(steps, 1), right / max(steps, 1)


def swap_in(sequencers: list[ContextSequencer]) -> None:
    """Make every :class:`strokebot.model.strokes.StrokeNets` in this process order with ``sequencers``
    (their log probabilities averaged, as the bundled ensemble does)."""
    from strokebot.model import strokes

    size = sequencers[0].size

    def initial_state(self: object) -> np.ndarray:
        return np.zeros((len(sequencers), size), np.float32)

    def order_scores(self: object, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.asarray(features, np.float32)[:, : sequencers[0].memory.input_size])
        every = torch.ones(1, len(x), dtype=torch.bool)
        with torch.no_grad():
            logs = [torch.log_softmax(s.scores(torch.cat([x, torch.from_numpy(state[k]).expand(len(x), size)], 1)[None], every)[0], 0)
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
    from strokebot.model.checkpoint import DEFAULT_MODEL, read_model
    from strokebot.model.examples import order_examples
    from strokebot.model.learn import load_samples
    from strokebot.model.strokes import StrokeNets, sequencer_prefix

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the rows of each kind")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model whose nets parse the glyphs (default: the bundled one)")
    parser.add_argument("--data", action="append", help=f"training data, as strokebot train (default: {' '.join(DATA)})")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="worker processes building the examples")
    parser.add_argument("--quick", action="store_true", help="about 40 glyphs of each set, 2 epochs, 40 glyphs traced")
    args = parser.parse_args(argv)

    source = read_model(args.model)
    config = source.config
    nets = StrokeNets(config, source.weights)
    started = time.perf_counter()
    data = args.data or (["kanjivg:40", "omniglot:40", "letters:20"] if args.quick else list(DATA))
    train = order_examples(load_samples(data, seed=0, log=print), nets, workers=args.jobs).glyphs
    count = 40 if args.quick else None
    people = order_examples(load_samples([f"omniglot:{count}" if count else "omniglot"], seed=0, log=lambda _: None), nets, workers=args.jobs).glyphs
    tests = {name: order_examples(path_samples(name, count), nets, workers=args.jobs).glyphs for name in ("omniglot", "kanjivg")}
    print(f"examples: {sum(map(len, train)):,} steps from {len(train):,} glyphs ({time.perf_counter() - started:.0f} s)", flush=True)
    print("| kind | seed | people's test: loss / accuracy | KanjiVG test | people's training glyphs | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    args.out.mkdir(parents=True, exist_ok=True)
    settings = dict(hidden=tuple(config["order_hidden"]), memory=int(config["memory"]), epochs=2 if args.quick else 12)
    for kind in args.kinds:
        trained = []
        for seed in args.seeds:
            began = time.perf_counter()
            trained.append(fit(kind, train, seed=seed, **settings))
            figures = [held_out(trained[-1], glyphs) for glyphs in (tests["omniglot"], tests["kanjivg"], people)]
            cells = " | ".join(f"{loss:.4f} / {accuracy:.3f}" for loss, accuracy in figures)
            print(f"| {kind} | {seed} | {cells} | {time.perf_counter() - began:.0f} |", flush=True)
            if kind == "none" and seed < int(config.get("sequencers", 1)):
                own = {k: v.detach().numpy() for k, v in trained[-1].state_dict().items()}
                if all(np.array_equal(v, source.weights[sequencer_prefix(seed) + k]) for k, v in own.items()):
                    print(f"  (seed {seed}: the model's own sequencer {seed + 1}, bit for bit)")
        swap_in(trained)
        rows = args.out / f"{kind}.jsonl"
        limit = ["--limit", "40"] if args.quick else []
        try:
            strokebot(["evaluate", "--model", str(args.model), "--data", "omniglot", "--data", "kanjivg", "--rows", str(rows), *limit])
        except SystemExit as done:
            if done.code:
                raise
        print(f"wrote {rows}", flush=True)


if __name__ == "__main__":
    main()
