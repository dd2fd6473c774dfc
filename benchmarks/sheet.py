"""A picture of how people and models draw the same glyphs: the true strokes beside each model's.

    python benchmarks/sheet.py --set omniglot --label Sanskrit/character22 --model old.npz --model new.npz
    python benchmarks/sheet.py --set kanjivg --count 6 -o kanji.png        # the bundled model
    python benchmarks/sheet.py --set words --glyph 39 --glyph 58           # glyphs by number, as in --rows

One row per glyph of an evaluation set (`strokebot evaluate`'s held-out glyphs), one column for the
true strokes and one per model. Each panel shows the ink in grey and the strokes over it, coloured
by their order from blue (first) to red (last), each start marked by a dot with the stroke's number;
under it the glyph's direction and order against the true strokes (`strokebot.metrics`), as the
evaluation scores them. Numbers say which characters a model gets wrong; this says how.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from strokebot.errors import StrokebotError
from strokebot.evaluate import PATH_SETS, path_samples
from strokebot.metrics import drawing_like_a_person
from strokebot.output import write_bytes
from strokebot.tracing import trace
from strokebot.verify import _font, _order_colours

CAPTION = 16  # pixels under each panel


def panel(ink: np.ndarray, strokes: list[np.ndarray], scale: float, caption: str) -> Image.Image:
    """The ink in grey, ``strokes`` over it in order colours, starts numbered; ``caption`` beneath."""
    height, width = ink.shape
    grey = (255 - np.clip(ink, 0, 1) * 110).astype(np.uint8)
    picture = Image.fromarray(grey).convert("RGB").resize((round(width * scale), round(height * scale)), Image.NEAREST)
    out = Image.new("RGB", (picture.width, picture.height + CAPTION), "white")
    out.paste(picture, (0, 0))
    draw = ImageDraw.Draw(out)
    font = _font(11)
    colours = [tuple(int(c) for c in colour) for colour in _order_colours(len(strokes))]
    for points, colour in zip(strokes, colours, strict=True):
        line = [(float(x) * scale, float(y) * scale) for x, y in points[:, :2]]
        if len(line) > 1:
            draw.line(line, fill=colour, width=max(2, round(scale)))
    for number, (points, colour) in enumerate(zip(strokes, colours, strict=True), 1):
        x, y = float(points[0, 0]) * scale, float(points[0, 1]) * scale
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour, outline=(0, 0, 0))
        draw.text((x + 5, y - 12), str(number), fill=(0, 0, 0), font=font)
    draw.text((3, picture.height + 2), caption, fill=(0, 0, 0), font=font)
    return out


def _caption(figures: dict[str, float]) -> str:
    parts = [f"{int(figures['strokes'])} strokes"]
    for name, short in (("direction", "dir"), ("order", "tau")):
        if np.isfinite(figures[name]):
            parts.append(f"{short} {figures[name]:.2f}")
    return ", ".join(parts)


def sheet(samples: list[Any], models: list[Any], *, size: int = 160) -> Image.Image:
    """Rows of panels: the true strokes, then each model's drawing of the same glyph."""
    rows = []
    for sample in samples:
        scale = size / max(sample.image.shape)
        panels = [panel(sample.image, [np.asarray(s, float) for s in sample.strokes], scale, f"{len(sample.strokes)} strokes, true")]
        for model in models:
            drawing = trace(sample.image, model=model, polarity="light-on-dark")
            drawn = [s.points[:, :2] for s in drawing.strokes]
            panels.append(panel(sample.image, drawn, scale, _caption(drawing_like_a_person(drawn, sample.strokes, sample.image))))
        rows.append(panels)
    width = max(sum(p.width for p in row) + 8 * (len(row) - 1) for row in rows)
    height = sum(max(p.height for p in row) + 8 for row in rows)
    out = Image.new("RGB", (width, height), "white")
    y = 0
    for row in rows:
        x = 0
        for picture in row:
            out.paste(picture, (x, y))
            x += picture.width + 8
        y += max(p.height for p in row) + 8
    return out


def main(argv: list[str] | None = None) -> int:
    from strokebot.model.inference import load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="omniglot", choices=sorted(PATH_SETS), help="evaluation set (default: omniglot)")
    parser.add_argument("--label", default="", help="only glyphs whose label contains this, e.g. Sanskrit/character22")
    parser.add_argument("--glyph", action="append", type=int, help="only this glyph, by its number in the set (`strokebot evaluate --rows`' \"glyph\"; repeatable)")
    parser.add_argument("--count", type=int, default=8, help="glyphs, at most (default 8)")
    parser.add_argument("--model", action="append", type=Path, help="model file (repeatable; default: the bundled model)")
    parser.add_argument("--size", type=int, default=160, help="panel size in pixels (default 160)")
    parser.add_argument("-o", "--out", type=Path, default=Path("sheet.png"), help="PNG to write (default sheet.png)")
    args = parser.parse_args(argv)
    try:
        models = [load_model(path) for path in args.model] if args.model else [load_model()]
        chosen = set(args.glyph or ())
        samples = [s for k, s in enumerate(path_samples(args.set, None)) if args.label in s.label and (not chosen or k in chosen)]
        samples = samples[: max(args.count, 0)]
        if not samples:
            numbered = f" numbered {', '.join(map(str, sorted(chosen)))}" if chosen else ""
            print(f"sheet: no glyph of {args.set}{numbered} has a label containing {args.label!r}", file=sys.stderr)
            return 2
        picture = sheet(samples, models, size=args.size)
        from io import BytesIO

        data = BytesIO()
        picture.save(data, format="PNG")
        write_bytes(args.out, data.getvalue())
    except StrokebotError as error:
        print(f"sheet: {error}", file=sys.stderr)
        return 1
    names = ", ".join(model.name for model in models)
    print(f"wrote {args.out}: {len(samples)} glyphs of {args.set}, the true strokes and {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
