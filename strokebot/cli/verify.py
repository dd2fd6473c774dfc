"""``strokebot verify``: how well strokes match the image they are meant to draw."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from strokebot.cli.trace import POLARITIES
from strokebot.cli.types import FRACTION, PATH, Count
from strokebot.errors import EXIT_BELOW_MIN_IOU, DrawingError, StrokebotError, UsageError

EPILOG = f"""\b
Examples:
  strokebot verify digit.png                       # trace, then one line: IoU, Chamfer, pen lifts
  strokebot verify scan.png --refine 100 --preview check.png
  strokebot verify word.png --drawing word.json    # check a drawing exported earlier
  strokebot verify digit.png --json | jq .score.iou
  strokebot verify digit.png --min-iou 0.7 || echo "trace it by hand"

\b
Exit codes: 0 checked (and at least --min-iou), {EXIT_BELOW_MIN_IOU} below --min-iou,
2 bad input or option, 3 bad model file.
"""


def read_drawing(path: Path):
    """Load a drawing exported as a JSON trajectory (``strokebot trace --to json``)."""
    try:
        from strokebot.exporters.trajectory import read_trajectory
    except ImportError:
        raise UsageError(
            f"{path}: this strokebot cannot read drawings (strokebot.exporters.trajectory.read_trajectory is "
            "missing); verify the image itself instead, without --drawing"
        ) from None
    from strokebot.paths import readable_file

    if not os.path.lexists(path):
        raise DrawingError(f"{path}: no such drawing file")
    readable_file(path, what="drawing file", error=DrawingError)
    try:
        return read_trajectory(path)
    except StrokebotError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DrawingError(f"{path}: not a strokebot JSON trajectory ({error})") from None


@click.command(epilog=EPILOG)
@click.argument("input", type=PATH)
@click.option("--drawing", "drawing_file", type=PATH,
              help="A drawing exported as JSON (--to json) to check, instead of tracing INPUT.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@click.option("--min-iou", type=FRACTION, help=f"Exit with code {EXIT_BELOW_MIN_IOU} when the IoU is below this.")
@click.option("--preview", type=PATH, help="Write a picture of the strokes over the ink (PNG).")
@click.option("--model", type=PATH, help="Model file (default: the bundled model).")
@click.option("--refine", type=Count(0), default=0, show_default=True,
              help="Fit the strokes to the image with N gradient steps first.")
@click.option("--polarity", type=click.Choice(POLARITIES), default="auto", show_default=True, help="Ink on paper, or light on dark.")
@click.option("--split/--no-split", default=True, show_default=True, help="Find separate glyphs (a word, a row of digits).")
@click.option("--clean/--no-clean", default=True, show_default=True, help="Remove shading, paper texture and specks.")
@click.option("--max-pixels", type=Count(4), help="Refuse images larger than this (default 40 million).")
def verify(input, drawing_file, as_json, min_iou, preview, model, refine, polarity, split, clean, max_pixels) -> None:
    """Check how well strokes cover the ink of INPUT, before a machine draws them.

    Traces INPUT (or takes --drawing), draws the strokes as the machine will (pen-down segments at
    the pen width, pen-up moves leave nothing) at the image's resolution, and compares with the
    ink: IoU, precision and recall of the ink, and the Chamfer distance in pixels from the strokes'
    centre lines to the ink's skeleton. Prints one line, or every figure with --json.
    """
    from strokebot.verify import preview as write_preview
    from strokebot.verify import verify as score_drawing

    options = dict(polarity=polarity, clean=clean, max_pixels=max_pixels)
    if drawing_file is not None:
        from strokebot.imaging import ink_map, read_image

        lightness, opacity = read_image(input, max_pixels=max_pixels)
        ink = ink_map(lightness, opacity, polarity=polarity, clean=clean, label=str(input))
        drawing = read_drawing(drawing_file)
    else:
        from strokebot.tracing import prepare_and_trace

        drawing, ink = prepare_and_trace(input, model=model, split=split, **options)
    refined = None
    if refine:
        from strokebot.refine import refine as refine_drawing

        refined = refine_drawing(drawing, ink, steps=refine)
        drawing = refined.drawing
    score = refined.after if refined is not None else score_drawing(drawing, ink)
    if preview is not None:
        write_preview(drawing, ink, preview, score=score)
    passed = min_iou is None or score.iou >= min_iou
    if as_json:
        report = {"input": str(input), "drawing": None if drawing_file is None else str(drawing_file),
                  "score": score.as_dict(), "min_iou": min_iou, "passed": passed}
        if refined is not None:
            report["refine"] = {"steps": refined.steps, "seconds": round(refined.seconds, 3), "kept": refined.kept,
                                "before": refined.before.as_dict()}
        click.echo(json.dumps(report, indent=2))
    else:
        if refined is not None:
            click.echo(f"{input}: {refined.line()}", err=True)
        click.echo(f"{input}: {score.line()}")
    if not passed:
        click.echo(f"strokebot: IoU {score.iou:.2f} is below --min-iou {min_iou:g}", err=True)
        raise SystemExit(EXIT_BELOW_MIN_IOU)
