"""Latin letters and digits as a page holds them: are they drawn in their conventional order and direction?

    python benchmarks/leads/lines_of_writing.py                                   # the bundled model (a minute)
    python benchmarks/leads/lines_of_writing.py --model old.npz --model new.npz   # two models, paired
    python benchmarks/leads/lines_of_writing.py --latin     # against a Latin hand: no lift at a V's point

KanjiVG draws Latin letters and digits in the order and direction Japanese schools teach them (a t's
stem before its bar, an i's stem before its dot, a 5's body before its flag), as most Latin hands do;
its stroke counts are the school's too (a pen lift at every corner: a V in two strokes, a W in four),
which most Latin hands' are not, so "strokes exact" here is against KanjiVG, not a Latin hand.
Here they are set side by side as a user's page would hold them: English words (lower case, and
capitalised) and runs of digits, and, as a check that the letters' conventions cost the characters
nothing, rows of three held-out kanji. Each row is traced as ``strokebot trace`` traces a page
(glyph by glyph, :func:`strokebot.imaging.find_glyphs`) and each character of it is scored on its
own: :func:`strokebot.metrics.drawing_like_a_person` of the strokes drawn inside its columns against
its true strokes. With two models or more, each is compared with the first, character by character,
with its 95 % interval over the characters (:func:`strokebot.evaluate.paired_difference`), and the
characters the last draws otherwise than the first (direction, order or stroke count) are listed.

The Latin letters and digits are KanjiVG's training characters but for six held out (1 X Z g n z);
a user's letters are these same 62. What training cannot have seen is the way they are set: the
sizes, the pen, the neighbours. A letter cut out of its word looks to the sequencer like a character
standing alone, and a t like 十, whose bar comes first (MODEL_CARD.md, run 42).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

WORDS = (
    "plot", "little", "attic", "after", "first", "write", "tactful", "kitten", "fifty", "jury", "quiet", "extra",
    "bright", "fox", "jumps", "over", "lazy", "dog", "water", "strokes", "pen", "paper", "motion", "vivid",
)  # fmt: skip
CAPITALS = ("Tokyo", "Berlin", "Flat", "Exit", "Quick", "Ahead", "Kite", "Zebra")
DIGITS = ("2026", "1984", "4711", "3058", "69", "7421")
GAP = 14.0  # KanjiVG units between characters


def line(characters: str, scale: float, *, latin: bool = False) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """An image of ``characters`` set side by side from KanjiVG's strokes, and each one's strokes
    (with ``latin``, joined where a Latin hand goes on: :func:`strokebot.datasets.latin_hand`)."""
    from strokebot import datasets

    placed, drawn, x = [], [], 8.0
    for char in characters:
        strokes = [s.copy() for s in datasets.kanjivg_strokes(char)]
        low = min(float(s[:, 0].min()) for s in strokes)
        high = max(float(s[:, 0].max()) for s in strokes)
        for s in strokes:
            s[:, 0] += x - low
        drawn += [s * scale for s in strokes]
        if latin and char.isascii():
            strokes = datasets.latin_hand(strokes)  # the same ink, drawn with fewer lifts
        placed.append([s * scale for s in strokes])
        x += high - low + GAP
    size = (int(round((x - GAP + 8.0) * scale)), int(round(datasets.KANJIVG_BOX * scale)))  # width, height
    image = datasets.render_strokes(drawn, size, datasets.KANJIVG_PEN * scale)
    return image, placed


def letter_rows(model, text: str, scale: float, *, latin: bool = False) -> list[dict[str, float]]:
    """Per character of ``text``, its figures (``label``: the character)."""
    from strokebot.metrics import drawing_like_a_person
    from strokebot.tracing import trace

    image, placed = line(text, scale, latin=latin)
    drawn = [s.points[:, :2] for s in trace(image, model=model, polarity="light-on-dark").strokes]
    rows = []
    for k, strokes in enumerate(placed):
        left = float(min(s[:, 0].min() for s in strokes)) - GAP * scale / 2
        right = float(max(s[:, 0].max() for s in strokes)) + GAP * scale / 2
        mine = [d for d in drawn if left <= float(d[:, 0].mean()) < right]
        row = drawing_like_a_person(mine, strokes, image) if mine else {"direction": 0.0, "strokes": 0.0}
        rows.append(dict(row, label=text[k]))
    return rows


def _said(difference: dict) -> str:
    """A paired difference with its interval (none where fewer than two characters have the figure)."""
    low, high = difference["interval"]
    if not np.isfinite(low):
        return f"{difference['difference']:+.3f} (one character)"
    return f"{difference['difference']:+.3f} [{low:+.3f}, {high:+.3f}]" + (" clear" if difference["clear"] else "")


def main(argv: list[str] | None = None) -> int:
    from strokebot import datasets
    from strokebot.errors import StrokebotError
    from strokebot.evaluate import paired_difference, summarise
    from strokebot.model.inference import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, action="append", help="model file (repeatable; default: the bundled model)")
    parser.add_argument("--count", type=int, default=24, help="words, at most; and as many rows of kanji (default 24)")
    parser.add_argument("--scale", type=float, default=1.0, help="pixels per KanjiVG unit (default 1: 109-px lines)")
    parser.add_argument("--latin", action="store_true", help="score the letters against a Latin hand: KanjiVG's strokes joined where it lifts at a corner")
    args = parser.parse_args(argv)
    try:
        models = [load_model(path) for path in args.model or [None]]
        kanji = [c for c in datasets.kanjivg_characters() if datasets.kanjivg_split(c) == "test" and ord(c) >= 0x4E00]
    except StrokebotError as error:
        print(f"lines_of_writing: {error}", file=sys.stderr)
        return 1
    picks = np.random.default_rng(0).choice(len(kanji), (args.count, 3), replace=False)
    sets = {
        "words": list(WORDS[: args.count]),
        "capitalised words": list(CAPITALS[: args.count]),
        "digits": list(DIGITS[: args.count]),
        "rows of kanji": ["".join(kanji[i] for i in row) for row in picks],
    }
    names = [m.name if path is None else f"{m.name} ({path.name})" for m, path in zip(models, args.model or [None], strict=True)]
    hand = "a Latin hand (KanjiVG's strokes joined where it lifts at a corner)" if args.latin else "KanjiVG"
    print(f"letters and digits in lines of writing, against {hand}; each character scored on its own, differences with 95 % over characters\n")
    print("| set | characters | model | direction | order tau | strokes exact | against the first: direction; order |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for set_name, texts in sets.items():
        rows = [[row for text in texts for row in letter_rows(model, text, args.scale, latin=args.latin)] for model in models]
        labels = [r["label"] for r in rows[0]]
        for k, (name, mine) in enumerate(zip(names, rows, strict=True)):
            figures = summarise(mine)
            against = ""
            if k:
                diff = paired_difference(rows[0], mine, labels)
                against = "; ".join(_said(diff[key]) for key in ("direction", "order_tau"))
            print(
                f"| {set_name if k == 0 else ''} | {f'{len(mine)} ({len(set(labels))})' if k == 0 else ''} | {name} | "
                f"{figures['direction']:.3f} | {figures['order_tau']:.3f} | {100 * figures['strokes_exact']:.0f} % | {against} |",
                flush=True,
            )
        wrong = sorted({r["label"] for r in rows[-1] if r.get("order", 1.0) < 1.0 or r.get("direction", 1.0) < 1.0})
        print(f"| | | {names[-1]}: not as {'a Latin hand' if args.latin else 'KanjiVG'} | {''.join(wrong) if len(wrong) < 40 else f'{len(wrong)} characters'} | | | |")
        if len(models) > 1:
            print(f"| | | {names[-1]}: drawn otherwise than the first | {_changed(rows[0], rows[-1])} | | | |")
    return 0


def _changed(first: list[dict], last: list[dict]) -> str:
    """The characters whose direction, order or stroke count differ between two models' rows, each
    with how many times (``r×10``: ten r's of the set), most first; ``none`` where none does."""
    keys = ("direction", "order", "strokes")

    def same(a: object, b: object) -> bool:
        return a == b or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))

    counts = Counter(a["label"] for a, b in zip(first, last, strict=True) if not all(same(a.get(k), b.get(k)) for k in keys))
    return " ".join(f"{c}×{n}" if n > 1 else c for c, n in counts.most_common()) or "none"


if __name__ == "__main__":
    sys.exit(main())
