"""Research lead: how the sequencers draw people's glyphs of an alphabet they have never seen.

    python benchmarks/leads/unseen_alphabets.py --out ua/                          # 2.8's design, seeds 0-2 (~45 min)
    python benchmarks/leads/unseen_alphabets.py --out ua/ --kinds relations none --people others none
    python benchmarks/leads/unseen_alphabets.py --out ua4/ --epochs 4              # a shorter training (run 53)
    python benchmarks/leads/unseen_alphabets.py --out ua/ --curve --seeds 0        # and how it learns, epoch by epoch
    python benchmarks/leads/unseen_alphabets.py --out ua/ --quick                  # a few glyphs, to try it

``strokebot evaluate --data omniglot`` holds out a quarter of the *characters* of the three
alphabets people drew (katakana, Sanskrit, Tagalog); the sequencers have seen the other
characters of each, drawn by the same 20 people. A user's glyphs may come from an alphabet nobody
drew for strokebot. Here each alphabet in turn is left out: the sequencers are trained (three
seeds, as ``strokebot train`` trains them) on everything else, and trace every glyph of the
alphabet left out, all its characters and all 20 people (2,120 glyphs of 106 characters over the
three folds: four times the held-out split, so designs are told apart more finely).

``--kinds``: the sequencer, as ``sequencer_context.py`` names them (``relations`` is attention
by place, the bundled 2.8's; ``none`` is 2.7's per-candidate scorer). ``--people``: what people's
glyphs they learn from: ``others`` (the other two alphabets') or ``none`` (no people's glyphs at
all, KanjiVG and the rest only: one training serves every fold). ``--epochs``: how long each
sequencer learns (12, as ``strokebot train``; the rows' file names do not say it, so give each
schedule its own ``--out``). ``--curve``: also, after every epoch, each sequencer's teacher-forced
loss and next-stroke accuracy on the left-out alphabet's training glyphs (people's, never learnt
from in that fold), a table of them by epoch, means over the seeds; it watches the training
without changing it (the same rows).

Rows, one file per design (``OUT/KIND-PEOPLE.jsonl``, the set ``unseen alphabet``, labels
``alphabet/character``) and the parsing model's own (``OUT/model.jsonl``: it has seen three
quarters of these characters, so it is the seen-alphabet reference, not a fair rival), and the
rules' (``OUT/rules.jsonl``: the skeleton joined, oriented and ordered by convention, as
``benchmarks/drawing_order.py`` runs it; they learn nothing, so every alphabet is new to them). Compare two
designs glyph by glyph with ``python benchmarks/paired.py OUT/relations-others.jsonl
OUT/none-others.jsonl``. The junction, excursion and stay nets are the model's own, which saw the
training characters of every alphabet: the lead measures the sequencers (order and direction), not
the parse (MODEL_CARD.md, run 52).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sequencer_context import (
    DATA,
    KINDS,
    QUICK_DATA,
    context_sequencer,
    held_out,
    lead_arguments,
    parsing_nets,
    swap_in,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/baselines.py
from baselines import convention_trace  # noqa: E402

SET = "unseen alphabet"
QUICK_PER_ALPHABET = 8  # --quick: people's glyphs traced of each alphabet


def people_alphabet(label: str, alphabets: set[str]) -> str | None:
    """The Omniglot alphabet of a training glyph's label (``alphabet/characterNN``), or None for other data."""
    head, slash, _ = label.partition("/")
    return head if slash and head in alphabets else None


def folds(examples: dict[str, list], alphabets: list[str], people: str) -> dict[str, list]:
    """The sequencers' training steps of each fold: every glyph but the left-out alphabet's, or, with
    ``people`` ``"none"``, no people's glyphs at all (one fold, named ``""``, for every alphabet)."""
    if people == "none":
        return {"": examples[""]}
    return {left: examples[""] + [g for a in alphabets if a != left for g in examples[a]] for left in alphabets}


def watcher(curve: dict[str, list[list[tuple[float, float]]]], unseen: list[str], examples: dict[str, list]):
    """A ``watch`` for one sequencer's training (:func:`strokebot.model.learn._fit_sequencer`): after
    every epoch, its loss and accuracy on each ``unseen`` alphabet's ``examples``, added to a new
    list of ``curve[alphabet]``."""
    for a in unseen:
        curve[a].append([])

    def watch(epoch: int, sequencer: object) -> None:
        for a in unseen:  # an alphabet with no glyphs to learn from (--quick's few): NaN
            curve[a][-1].append(held_out(sequencer, examples[a]) if examples[a] else (float("nan"), float("nan")))

    return watch


def learning_curve(curves: dict[str, dict[str, list[list[tuple[float, float]]]]], alphabets: list[str]) -> str:
    """The ``--curve`` table: for each design (``curves[design][alphabet]``: per seed, per epoch, the
    left-out alphabet's loss and accuracy), a line per epoch, each alphabet's means over the seeds."""
    import numpy as np

    lines = ["\nas the sequencers learn: teacher-forced loss / next-stroke accuracy on the left-out alphabet's glyphs, means over the seeds",
             "| sequencers | epoch | " + " | ".join(alphabets) + " |", "| --- | --- |" + " --- |" * len(alphabets)]  # fmt: skip
    for design, by_alphabet in curves.items():
        means = {a: np.mean(by_alphabet[a], axis=0) for a in alphabets}  # (epochs, 2)
        for epoch in range(len(means[alphabets[0]])):
            cells = " | ".join(f"{means[a][epoch, 0]:.3f} / {means[a][epoch, 1]:.3f}" for a in alphabets)
            lines.append(f"| {design} | {epoch + 1} | {cells} |".replace("nan / nan", "—"))
    return "\n".join(lines)


def write_rows(path: Path, rows: list[tuple[str, dict]]) -> None:
    """``rows`` (label, figures) as ``strokebot evaluate --rows`` writes a set's glyphs."""
    from strokebot.evaluate import rows_jsonl
    from strokebot.output import write_bytes

    write_bytes(path, rows_jsonl({SET: [{"label": label, **row} for label, row in rows]}))


def main(argv: list[str] | None = None) -> None:
    from strokebot import datasets, load_model
    from strokebot.evaluate import path_rows, summarise
    from strokebot.metrics import drawing_like_a_person
    from strokebot.model.examples import OrderExamples, order_examples
    from strokebot.model.learn import StrokeConfig, _fit_sequencer, load_samples

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    lead_arguments(parser, out="folder for the rows of each design")
    parser.add_argument("--data", action="append", help=f"training data, as strokebot train (default: {' '.join(DATA)})")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=["relations"])
    parser.add_argument("--people", nargs="+", choices=("others", "none"), default=["others"])
    parser.add_argument("--epochs", type=int, default=12, help="epochs of each sequencer (default 12, as strokebot train; --quick: 2)")
    parser.add_argument("--curve", action="store_true", help="also the left-out alphabet's loss and accuracy after every epoch")
    args = parser.parse_args(argv)

    source, nets = parsing_nets(args.model)
    config = source.config
    glyphs = datasets.omniglot_glyphs()
    alphabets = sorted({g.label.split("/")[0] for g in glyphs})
    tested = {a: [g for g in glyphs if g.label.startswith(a + "/")][: QUICK_PER_ALPHABET if args.quick else None] for a in alphabets}
    started = time.perf_counter()
    samples = load_samples(args.data or list(QUICK_DATA if args.quick else DATA), seed=0, log=print)
    grouped: dict[str, list] = {"": [], **{a: [] for a in alphabets}}
    known = set(alphabets)
    for sample in samples:
        grouped[people_alphabet(sample.label, known) or ""].append(sample)
    examples = {name: order_examples(part, nets, workers=args.jobs).glyphs for name, part in grouped.items()}
    counts = ", ".join(f"{name or 'the rest'} {len(steps):,}" for name, steps in examples.items())
    print(f"examples: glyphs of {counts} ({time.perf_counter() - started:.0f} s)", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    model = load_model(args.model)
    every = [g for a in alphabets for g in tested[a]]  # alphabet by alphabet, as the table reads them
    reference = [(g.label, row) for g, row in zip(every, path_rows(model, every), strict=True)]
    write_rows(args.out / "model.jsonl", reference)
    rules = [(g.label, drawing_like_a_person(convention_trace(g.image), g.strokes, g.image)) for g in every]
    write_rows(args.out / "rules.jsonl", rules)
    report = [("model (seen alphabets)", [row for _, row in reference]), ("skeleton, convention order", [row for _, row in rules])]
    settings = StrokeConfig(order_hidden=tuple(config["order_hidden"]), memory=int(config["memory"]))
    epochs = 2 if args.quick else args.epochs
    curves: dict[str, dict[str, list[list[tuple[float, float]]]]] = {}
    for kind in args.kinds:
        make = context_sequencer(kind)
        for people in args.people:
            rows = []
            trained: dict[str, list] = {}
            curve = curves.setdefault(f"{kind}, people {people}", {a: [] for a in alphabets})
            for left, steps in folds(examples, alphabets, people).items():
                began = time.perf_counter()
                fit = OrderExamples(steps)
                trained[left] = [
                    _fit_sequencer(fit, settings, epochs=epochs, seed=seed, log=lambda _: None, make=make,
                                   watch=watcher(curve, [left] if left else alphabets, examples) if args.curve else None)  # fmt: skip
                    for seed in args.seeds
                ]
                print(f"{kind}, people {people}, without {left or 'any alphabet'}: {len(steps):,} glyphs, {time.perf_counter() - began:.0f} s", flush=True)
            for a in alphabets:
                swap_in(trained[a if people == "others" else ""])
                rows += [(g.label, row) for g, row in zip(tested[a], path_rows(model, tested[a]), strict=True)]
            write_rows(args.out / f"{kind}-{people}.jsonl", rows)
            report.append((f"{kind}, people {people}", [row for _, row in rows]))

    print("| sequencers | " + " | ".join(f"{a}: direction / order" for a in alphabets) + " | all |")
    print("| --- |" + " --- |" * (len(alphabets) + 1))
    for name, rows in report:
        cells, k = [], 0
        for a in alphabets:
            figures = summarise(rows[k : k + len(tested[a])])
            cells.append(f"{figures['direction']:.3f} / {figures['order_tau']:.3f}")
            k += len(tested[a])
        whole = summarise(rows)
        print(f"| {name} | " + " | ".join(cells) + f" | {whole['direction']:.3f} / {whole['order_tau']:.3f} |", flush=True)
    if args.curve:
        print(learning_curve(curves, alphabets))


if __name__ == "__main__":
    main()
