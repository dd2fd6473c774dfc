"""Research lead: attention by place that also reads how two candidates are related.

    python benchmarks/leads/sequencer_relations.py --out rel/                   # seeds 0-2 (~25 min)
    python benchmarks/leads/sequencer_relations.py --out rel/ --quick           # a few glyphs, to try it
    python benchmarks/paired.py r28.jsonl rel/relational.jsonl                  # against the bundled rows

The bundled sequencers (``--order-context place``, :class:`strokebot.model.learn.PlaceAttention`)
decide whom a candidate looks at from a dot product of the two candidates' places (start, end,
centre, box, length), each mapped on its own. A dot product of maps of each side's place can prefer
a stroke that lies lower, or further right, but not the stroke *nearest* the candidate, nor the one it
hangs from: those are relations of the pair, and the sequencer knows them only as counts over all
strokes left (``rests_on``, ``touches_left``, ...). Here the attention's score of a pair also gets
a small net's reading of the pair's relations (:func:`pair_relations`: one stroke's two directions,
touching, a box holding the other, crossing, hanging from the other, starting on the other, where
the other's centre lies, how far one's end is from the other's start), in the manner of relative
positions in a transformer's attention. The net's last layer starts at zero, so training starts
from the bundled design.

The examples are built as ``strokebot train`` builds them (the documented command's data, seed 0,
parsed with the model's nets), with each glyph's relations; three sequencers (seeds 0-2) are
trained by the function that trains the package's own (:func:`strokebot.model.learn._fit_sequencer`:
12 epochs of 64 glyphs, AdamW at 2e-3 one-cycle, gradients clipped at 1), each batch with its
relations, and trace the held-out sets with the model's other nets and the package's beam of 4,
their log probabilities averaged (``strokebot evaluate --rows OUT/relational.jsonl``, run in this
process with the sequencers swapped in as ``sequencer_context.py`` swaps its own). The bundled model's own rows of the same sets are its baseline (MODEL_CARD.md, run 48).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import torch
from sequencer_context import DATA, QUICK_DATA, QUICK_TRACED, lead_arguments, parsing_nets
from sequencer_context import swap_in as swap_in_context
from torch import nn

SETS = ("omniglot", "kanjivg", "kanjivg-bold", "words", "hershey:500")

#: What :func:`pair_relations` says of two candidates i and j, in order.
RELATIONS = (
    "same_stroke", "touching", "holds", "held", "crosses", "hangs_from", "hung_from",
    "starts_on", "started_on", "centre_dx", "centre_dy", "end_to_start", "start_to_end",
)  # fmt: skip


def pair_relations(candidates: Any) -> np.ndarray:
    """(2K, 2K, len(RELATIONS)) relations of every two candidates (rows as
    :class:`strokebot.model.order.Candidates` numbers them: stroke k as parsed at 2k, reversed at
    2k + 1), from the relations the candidate features count (touching, boxes, crossings, what
    hangs from what, starts on ink) and where the two lie in the glyph's box."""
    count = 2 * len(candidates)
    stroke = np.arange(count) // 2
    i, j = stroke[:, None], stroke[None, :]
    static = candidates.static
    start, end, centre = static[:, 0:2], static[:, 2:4], static[:, 4:6]
    out = np.zeros((count, count, len(RELATIONS)), np.float32)
    out[..., 0] = (i == j) & ~np.eye(count, dtype=bool)
    out[..., 1] = candidates.touching[i, j]
    out[..., 2] = candidates.contains[i, j]
    out[..., 3] = candidates.contains[j, i]
    out[..., 4] = candidates.crosses[i, j]
    out[..., 5] = candidates.rests[i, j]
    out[..., 6] = candidates.rests[j, i]
    out[..., 7] = candidates.start_on[:, stroke]
    out[..., 8] = candidates.start_on[:, stroke].T
    out[..., 9:11] = centre[None, :, :] - centre[:, None, :]
    out[..., 11] = np.hypot(*(start[None, :, :] - end[:, None, :]).transpose(2, 0, 1))
    out[..., 12] = np.hypot(*(end[None, :, :] - start[:, None, :]).transpose(2, 0, 1))
    return out


def _chunk(samples: list, nets: Any, spur: float, corner: float) -> list[tuple[Any, ...]]:
    """As ``strokebot train`` builds the sequencer's examples, with each glyph's relations and each
    step's candidate rows."""
    from strokebot.model.examples import _order_steps
    from strokebot.model.order import Candidates, step_rows
    from strokebot.model.skeleton import stroke_graph
    from strokebot.model.strokes import parse_glyph
    from strokebot.model.truth import Matcher, stroke_labels

    out = []
    for sample in samples:
        graph = stroke_graph(sample.image, spur=spur, corner=corner)
        strokes = parse_glyph(graph, nets)
        if not strokes:
            continue
        steps = _order_steps(graph, strokes, stroke_labels(strokes, Matcher(sample.strokes)))
        left, rows = np.arange(len(strokes)), []
        for _, target in steps:
            rows.append(step_rows(left))
            left = np.delete(left, target // 2)
        out.append((steps, pair_relations(Candidates.of(strokes)).astype(np.float16), rows))
    return out


def examples(samples: list, nets: Any, workers: int) -> list[tuple[Any, ...]]:
    from strokebot.model.examples import _in_workers

    return [glyph for part in _in_workers(_chunk, list(samples), workers, nets=nets, spur=nets.spur, corner=nets.corner) for glyph in part]


def relational_sequencer() -> type:
    from strokebot.model.learn import Sequencer
    from strokebot.model.order import PLACE_FEATURES

    class RelationalSequencer(Sequencer):
        """The bundled sequencer with attention by place, whose attention scores also read the pairs'
        relations (made last: every other weight starts as the bundled design's)."""

        def __init__(self, hidden: tuple[int, ...], memory: int, features: int, context: str = "place") -> None:
            super().__init__(hidden, memory, features, context="place")
            self.relation = nn.Sequential(nn.Linear(len(RELATIONS), 16), nn.SiLU(), nn.Linear(16, 1))
            nn.init.zeros_(self.relation[2].weight)
            nn.init.zeros_(self.relation[2].bias)

        def score(self, inputs: torch.Tensor, mask: torch.Tensor, relations: torch.Tensor | None = None) -> torch.Tensor:
            """(N, C) scores, as :meth:`Sequencer.score`, with the candidates' relations (N, C, C, R)."""
            if relations is None:
                raise ValueError("a relational sequencer scores with the candidates' relations")
            context = self.context

            def second(x: torch.Tensor, first: torch.Tensor) -> torch.Tensor:
                place = x[..., :PLACE_FEATURES]
                look = context.query(place) @ context.key(place).transpose(1, 2) / context.query.out_features**0.5
                look = look + self.relation(relations)[..., 0]
                return look.masked_fill(~mask[:, None, :], -1e9).softmax(-1) @ context.value(first)

            return self.order(inputs, second)

    return RelationalSequencer


def bundled(source: Any) -> list[nn.Module]:
    """A model file's sequencers (``order_context`` "place") as relational ones that read no
    relation (the net's last layer zero): they order as the file's own do."""
    from strokebot.model.strokes import sequencer_prefixes

    config = source.config
    sequencers = []
    for prefix in sequencer_prefixes(config):
        sequencer = relational_sequencer()(tuple(config["order_hidden"]), int(config["memory"]), int(config["order_features"]))
        own = {name: torch.from_numpy(source.weights[prefix + name]) for name in sequencer.state_dict() if not name.startswith("relation.")}
        sequencer.load_state_dict(own, strict=False)
        sequencers.append(sequencer.eval())
    return sequencers


def batch_of(glyphs: list[tuple[Any, ...]]) -> tuple[torch.Tensor, ...]:
    """:func:`strokebot.model.learn._order_batch`'s tensors and each step's relations (B × T, C, C, R),
    as :func:`strokebot.model.learn._order_loss` passes them to the scorer."""
    from strokebot.model.learn import _order_batch

    tensors = _order_batch([steps for steps, _, _ in glyphs])
    b, t, c = tensors[1].shape
    relations = np.zeros((b, t, c, c, len(RELATIONS)), np.float32)
    for g, (_, pairs, rows) in enumerate(glyphs):
        for s, r in enumerate(rows):
            relations[g, s, : len(r), : len(r)] = pairs[np.ix_(r, r)]
    return (*tensors, torch.from_numpy(relations).reshape(b * t, c, c, -1))


def fit(glyphs: list[tuple[Any, ...]], hidden: tuple[int, ...], memory: int, *, epochs: int, seed: int) -> nn.Module:
    """A relational sequencer trained as ``strokebot train`` trains its own
    (:func:`strokebot.model.learn._fit_sequencer`), its batches with their relations."""
    from strokebot.model.examples import OrderExamples
    from strokebot.model.learn import StrokeConfig, _fit_sequencer

    return _fit_sequencer(
        OrderExamples([steps for steps, _, _ in glyphs]), StrokeConfig(order_hidden=hidden, memory=memory), epochs=epochs, seed=seed,
        log=lambda line: print(f"  seed {seed}, {line.removeprefix('sequencer: ')}", flush=True),
        make=relational_sequencer(), batch=lambda chosen: batch_of([glyphs[i] for i in chosen]),
    )  # fmt: skip


def swap_in(sequencers: list[nn.Module]) -> None:
    """Make every stroke model in this process order with ``sequencers`` (as
    ``sequencer_context.swap_in``: the bundled beam, their log probabilities averaged), each step
    scored with its candidates' relations."""
    from strokebot.model import strokes
    from strokebot.model.order import step_rows

    step: dict[str, Any] = {}
    features_of = strokes.candidate_features

    def candidate_features(candidates: Any, left: np.ndarray, last: int | None, pen: np.ndarray | None) -> np.ndarray:
        # The beam asks for a step's features, then scores them: keep that step's relations.
        if step.get("candidates") is not candidates:
            step.update(candidates=candidates, pairs=torch.from_numpy(pair_relations(candidates)))
        rows = torch.from_numpy(step_rows(left))
        step["now"] = step["pairs"][rows][:, rows][None]
        return features_of(candidates, left, last, pen)

    strokes.candidate_features = candidate_features
    swap_in_context(sequencers, extra=lambda: (step["now"],))


def main(argv: list[str] | None = None) -> None:
    from strokebot.cli import main as strokebot
    from strokebot.model.learn import load_samples

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    lead_arguments(parser, out="folder for the rows")
    args = parser.parse_args(argv)

    source, nets = parsing_nets(args.model)
    config = source.config
    started = time.perf_counter()
    data = list(QUICK_DATA if args.quick else DATA)
    glyphs = examples(load_samples(data, seed=0, log=print), nets, args.jobs)
    print(f"examples: {sum(len(g[0]) for g in glyphs):,} steps from {len(glyphs):,} glyphs ({time.perf_counter() - started:.0f} s)", flush=True)
    trained = []
    for seed in args.seeds:
        began = time.perf_counter()
        trained.append(fit(glyphs, tuple(config["order_hidden"]), int(config["memory"]), epochs=2 if args.quick else 12, seed=seed))
        print(f"seed {seed}: {time.perf_counter() - began:.0f} s", flush=True)
    swap_in(trained)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = args.out / "relational.jsonl"
    sets = [part for name in (SETS[:2] + ("words",) if args.quick else SETS) for part in ("--data", name)]
    limit = ["--limit", str(QUICK_TRACED)] if args.quick else []
    try:
        strokebot(["evaluate", "--model", str(args.model), *sets, "--rows", str(rows), *limit])
    except SystemExit as done:
        if done.code:
            raise
    print(f"wrote {rows}", flush=True)


if __name__ == "__main__":
    main()
