"""Trace one bitmap with strokebot and print its strokes, placed in an SVG document, as JSON.

The Inkscape extension (strokebot_trace.py) runs this file with the Python that has strokebot
installed, which is rarely Inkscape's own. It needs only strokebot's public API (``trace``,
``Drawing.transformed``, ``simplified``, ``reordered``); the two files ship together, so the JSON
between them can change with them.

The strokes are mapped from the image's pixels into the document's user units: first into the
``<image>`` element's box as SVG's ``preserveAspectRatio`` says, then through the element's
composed transform. The output::

    {"format": "strokebot-inkscape", "version": 1, "model": "...", "image_size": [w, h],
     "glyphs": 3, "strokes": [{"glyph": 0, "points": [[x, y, pressure, intensity], ...]}, ...]}

Exit codes: 0 done, 2 a strokebot error (the message on stderr), 3 strokebot is not installed for
this Python.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

FORMAT = "strokebot-inkscape"
VERSION = 1
NO_STROKEBOT = 3

_ALIGN = re.compile(r"x(Min|Mid|Max)Y(Min|Mid|Max)")
_SHARE = {"Min": 0.0, "Mid": 0.5, "Max": 1.0}


def box_matrix(
    source: tuple[float, float], box: tuple[float, float, float, float], aspect: str = "xMidYMid meet"
) -> list[list[float]]:
    """The 2×3 matrix that puts a ``source`` (width, height) bitmap into ``box`` (x, y, w, h).

    ``aspect`` is an SVG ``preserveAspectRatio`` value. A box of zero width or height takes the
    bitmap's own size, as SVG 2 sizes an ``<image>`` without width and height.

    >>> box_matrix((100, 50), (10, 0, 40, 40))  # meet: 40 wide, centred vertically
    [[0.4, 0.0, 10.0], [0.0, 0.4, 10.0]]
    >>> box_matrix((100, 50), (0, 0, 40, 40), "none")
    [[0.4, 0.0, 0.0], [0.0, 0.8, 0.0]]
    """
    src_w, src_h = source
    x, y, w, h = box
    if w <= 0 or h <= 0:
        w, h = src_w, src_h
    sx, sy = w / src_w, h / src_h
    words = aspect.split()
    if words and words[0] == "defer":
        words = words[1:]
    align = words[0] if words else "xMidYMid"
    if align == "none":
        return [[sx, 0.0, x], [0.0, sy, y]]
    scale = max(sx, sy) if len(words) > 1 and words[1] == "slice" else min(sx, sy)
    match = _ALIGN.fullmatch(align)
    share_x, share_y = (_SHARE[match.group(1)], _SHARE[match.group(2)]) if match else (0.5, 0.5)
    return [
        [scale, 0.0, x + (w - src_w * scale) * share_x],
        [0.0, scale, y + (h - src_h * scale) * share_y],
    ]


def compose(outer: list[list[float]], inner: list[list[float]]) -> list[list[float]]:
    """``outer`` after ``inner``, both 2×3 affine matrices."""
    (a, c, e), (b, d, f) = outer
    return [
        [a * inner[0][0] + c * inner[1][0], a * inner[0][1] + c * inner[1][1], a * inner[0][2] + c * inner[1][2] + e],
        [b * inner[0][0] + d * inner[1][0], b * inner[0][1] + d * inner[1][1], b * inner[0][2] + d * inner[1][2] + f],
    ]


def place_strokes(args: argparse.Namespace) -> dict:
    """Trace ``args.image`` and return the JSON document described above."""
    import strokebot

    drawing = strokebot.trace(
        args.image,
        model=args.model or None,
        polarity=args.polarity,
        split=args.split,
        refine=args.refine,
    )
    src_w, src_h = drawing.width, drawing.height
    matrix = compose(args.transform, box_matrix((src_w, src_h), args.box, args.aspect))
    placed = drawing.transformed(matrix, width=src_w, height=src_h)
    if args.simplify > 0:
        placed = placed.simplified(args.simplify)
    if args.order:
        placed = placed.reordered(origin=None)
    return {
        "format": FORMAT,
        "version": VERSION,
        "model": drawing.model,
        "image_size": [src_w, src_h],
        "glyphs": drawing.glyph_count,
        "strokes": [
            {"glyph": s.glyph, "points": [[round(v, 4) for v in point] for point in s.points.tolist()]}
            for s in placed.strokes
        ],
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("image")
    parser.add_argument("--box", nargs=4, type=float, default=[0, 0, 0, 0], metavar=("X", "Y", "W", "H"),
                        help="the <image> element's x, y, width, height (0 0 0 0: its own pixel size)")
    parser.add_argument("--aspect", default="xMidYMid meet", help="its preserveAspectRatio")
    parser.add_argument("--transform", nargs=6, type=float, default=[1, 0, 0, 0, 1, 0], metavar="M",
                        help="its composed transform, rows a c e b d f")
    parser.add_argument("--simplify", type=float, default=0.0, help="tolerance in user units (0: off)")
    parser.add_argument("--order", action="store_true", help="reorder strokes to cut pen-up travel")
    parser.add_argument("--polarity", default="auto")
    parser.add_argument("--no-split", dest="split", action="store_false")
    parser.add_argument("--refine", type=int, default=0)
    parser.add_argument("--model", default="")
    args = parser.parse_args(argv)
    t = args.transform
    args.transform = [[t[0], t[1], t[2]], [t[3], t[4], t[5]]]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import strokebot
    except ImportError:
        print(f"strokebot is not installed for {sys.executable}", file=sys.stderr)
        return NO_STROKEBOT
    try:
        result = place_strokes(args)
    except strokebot.StrokebotError as error:
        print(f"strokebot: {error}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
