"""Where joined-up words lose their pen lifts: the stroke model's steps with the font's answers put in.

    python benchmarks/leads/joined_words.py            # the 100 evaluation words (a minute)
    python benchmarks/leads/joined_words.py --quick    # 10 words

A Hershey script word's true path is known (``strokebot.datasets.hershey_words``). Each word's
stroke graph is parsed with the *true* pairs of branch ends at every junction and put in the *true*
order and direction (the labels training uses, :mod:`strokebot.model.truth`); then the pieces are
joined four ways: not at all, where the bundled stay net says, wherever the short-way rule offers a
candidate (:func:`strokebot.model.parse.stay_down_candidates`), and wherever the ink connects two
consecutive pieces at all. Mean strokes per word for each, beside the truth and the model as it
runs — what each step could give if it were perfect.

A second table takes the model's own pieces in its own order and says why the pen lifts between
each two consecutive ones: the ink does not connect them; the way along the ink is too long to be a
candidate (:data:`~strokebot.model.parse.STAY_REACH`, :data:`~strokebot.model.parse.STAY_CAP`); or
the stay net turned the candidate down, by how sure it was (the pen stays down above
:func:`strokebot.model.strokes.stay_confidence`: 0.7 where it would draw a line twice, else 0.5).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np


def main(argv: list[str] | None = None) -> None:
    from strokebot.evaluate import path_samples
    from strokebot.model import strokes as model_strokes
    from strokebot.model.inference import load_model
    from strokebot.model.parse import GlyphContext, assemble, branch_ends, graph_path, pair_ends, stay_down_candidates
    from strokebot.model.skeleton import stroke_graph
    from strokebot.model.truth import Matcher, join_labels, stroke_labels, true_sequence

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 words")
    args = parser.parse_args(argv)
    model = load_model()
    nets = model.nets
    rows = []
    lifts: dict[str, int] = dict.fromkeys(LIFT_KINDS, 0)
    for sample in path_samples("words", 10 if args.quick else 100):
        graph = stroke_graph(sample.image, spur=nets.spur, corner=nets.corner)
        context = GlyphContext.of(graph)
        own = model_strokes.order_strokes(model_strokes.parse_glyph(graph, nets, context=context), nets)
        for kind in lift_kinds(graph, own, nets, context):
            lifts[kind] += 1
        matcher = Matcher(sample.strokes)
        pairs = [(node, a, b) for node, ends in branch_ends(graph).items() for i, a in enumerate(ends) for b in ends[i + 1 :]]
        truth = {}
        for (_, a, b), label in zip(pairs, join_labels(graph, pairs, matcher), strict=True):
            truth[(a, b)] = truth[(b, a)] = label
        pieces = assemble(graph, pair_ends(graph, lambda g, node, a, b, truth=truth: truth.get((a, b), 0.0)))
        _, sequence = true_sequence(pieces, stroke_labels(pieces, matcher))
        short = stay_down_candidates(graph, sequence)
        connected = sum(
            1
            for first, second in itertools.pairwise(sequence)
            if first.nodes and second.nodes and not first.closed and not second.closed
            and graph_path(graph, first.nodes[-1], second.nodes[0]) is not None
        )  # fmt: skip
        rows.append((len(sample.strokes), len(model.draw(sample.image)), len(sequence),
                     len(model_strokes.keep_down(graph, sequence, nets)), len(sequence) - len(short), len(sequence) - connected))  # fmt: skip
    table = np.array(rows, float)
    names = ("the font's strokes", "the model as it runs", "true pairs and order, no joins",
             "... joined where the stay net says", "... joined at every short-way candidate", "... joined wherever the ink connects")  # fmt: skip
    print(f"joined-up words: {len(rows)} ({model.name}); strokes per word, mean (median)")
    for name, column in zip(names, table.T, strict=True):
        print(f"  {name:<42} {column.mean():5.1f} ({np.median(column):.0f})")
    print(f"\nwhy the model lifts the pen between its own consecutive pieces: {sum(lifts.values())} lifts in {len(rows)} words")
    for kind, count in lifts.items():
        print(f"  {kind:<66} {count:5d}")


#: Why the pen lifts between two consecutive pieces, in the order :func:`lift_kinds` tells them apart.
LIFT_KINDS = (
    "the ink does not connect them",
    "the way is longer than STAY_REACH x the longer piece",
    "the way is longer than STAY_CAP x the word",
    "the stay net turned down a way drawn twice, 0.5 to STAY_CONFIDENCE",
    "the stay net turned it down, chance 0.2-0.5",
    "the stay net turned it down, chance under 0.2",
)


def lift_kinds(graph, sequence, nets, context) -> list[str]:
    """For each pen lift between consecutive pieces of ``sequence`` (a piece without nodes, a dot,
    counts as not connected): which of :data:`LIFT_KINDS` it is. The pairs the stay net is asked
    about are :func:`~strokebot.model.parse.stay_down_candidates`'; the others say why they are not."""
    from strokebot.model.parse import STAY_REACH, graph_path, stay_down_candidates, stay_features
    from strokebot.model.strokes import stay_confidence

    offered = dict(stay_down_candidates(graph, sequence))  # index of the first piece: the way
    kinds = []
    for i, (first, second) in enumerate(itertools.pairwise(sequence)):
        if i in offered:
            chance = float(nets.stay_probability(stay_features(graph, first, second, offered[i], context)[None])[0])
            if chance <= stay_confidence(graph, first, second, offered[i]):
                kinds.append(LIFT_KINDS[3] if chance > 0.5 else LIFT_KINDS[4] if chance > 0.2 else LIFT_KINDS[5])
            continue
        way = graph_path(graph, first.nodes[-1], second.nodes[0]) if first.nodes and second.nodes else None
        if way is None:
            kinds.append(LIFT_KINDS[0])
        elif way[0] > STAY_REACH * max(first.length, second.length):
            kinds.append(LIFT_KINDS[1])
        else:  # within reach of the pieces, but longer than STAY_CAP of the word
            kinds.append(LIFT_KINDS[2])
    return kinds

if __name__ == "__main__":
    main()
