"""Where bold characters lose their stroke counts: the parse or the stay net, pen width by pen width.

    python benchmarks/leads/bold_kanji.py                     # 104 held-out KanjiVG characters, pens 6, 9, 12 px (a minute)
    python benchmarks/leads/bold_kanji.py --count 20 --pen 6 --pen 12 --model other.npz

The same held-out characters (218 px) drawn with wider and wider pens. Per pen width, how many
characters come out with the true number of strokes, and where the others went wrong: the junction
net's parse (:func:`strokebot.model.strokes.parse_glyph`) already gives fewer or more pieces than
the true strokes, or the stay net (:func:`strokebot.model.strokes.keep_down`) joins pieces where
the writer lifted. A stroke whose end sinks into a fat line leaves a junction that looks like a
line passing through.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def stages(model, ink: np.ndarray) -> tuple[int, int, int]:
    """Pieces after the parse, strokes after the stay net, and strokes of the whole drawing."""
    from strokebot.model import strokes

    factor = strokes.working_scale(ink)
    work = ink if factor == 1.0 else strokes._scaled(ink, factor)[0]
    graph = strokes.stroke_graph(work, threshold=0.5, spur=model.nets.spur, corner=model.nets.corner)
    context = strokes.GlyphContext.of(graph)
    parsed = strokes.parse_glyph(graph, model.nets, context=context)
    down = strokes.keep_down(graph, strokes.order_strokes(parsed, model.nets), model.nets, context=context)
    return len(parsed), len(down), len(model.draw(ink))


def main(argv: list[str] | None = None) -> int:
    from strokebot import datasets
    from strokebot.errors import StrokebotError
    from strokebot.model.inference import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=104, help="held-out characters, spread over the split (default 104)")
    parser.add_argument("--pen", type=float, action="append", help="pen width in px at 218 px (repeatable; default 6, 9, 12)")
    parser.add_argument("--model", type=Path, help="stroke model file (default: the bundled model)")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model)
        if model.kind != "strokes":
            raise StrokebotError(f"{model.name} is a gesture model; this lead looks inside a stroke model")
        pens = args.pen or [6.0, 9.0, 12.0]
        print(f"bold characters: {args.count} held-out KanjiVG characters at 218 px, {model.name}")
        print("| pen px | exact | parse too few | parse too many | stay net joined | drawing fewer | drawing more |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for pen in pens:
            counts = np.zeros(6, int)
            for sample in datasets.kanjivg_glyphs(args.count, split="test", pen=pen):
                true = len(sample.strokes)
                parsed, down, drawn = stages(model, sample.image)
                counts += [drawn == true, parsed < true, parsed > true, down < parsed, drawn < true, drawn > true]
            print(f"| {pen:g} | " + " | ".join(str(n) for n in counts) + " |")
    except StrokebotError as error:
        print(f"bold_kanji: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
