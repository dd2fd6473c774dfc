"""``strokebot trace``: images in, G-code / SVG / JSON / PNG out."""

from __future__ import annotations

from pathlib import Path

import click

from strokebot.cli.types import KEY_VALUE, LENGTH
from strokebot.errors import EXIT_SKIPPED, UsageError
from strokebot.imaging import POLARITIES

EPILOG = """\b
Examples:
  strokebot trace digit.png                          # digit.gcode beside it (grbl-servo)
  strokebot trace word.jpg --to gcode --profile grbl-z --width 60mm
  strokebot trace word.jpg --to svg --to png --height 1.5in -o out/
  strokebot trace scans/ --to json -o trajectories/  # every image in a folder
  strokebot trace digit.png --to svg -o - | vpype read - show
  strokebot trace scan.png --refine 100 --verify --preview check.png --to svg
  strokebot trace word.png --to gcode --profile grbl-z -O feed=1500 -O z_up=3
  strokebot trace word.png --to gcode --to png -O gcode.feed=1500 -O png.dpi=150
"""


@click.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--to", "formats", multiple=True, default=("gcode",), show_default=True, metavar="FORMAT",
              help="Output format (repeatable); `strokebot formats` lists them.")
@click.option("-o", "--output", metavar="PATH", help="Output file, existing folder, or - for stdout. Default: beside each input.")
@click.option("--width", type=LENGTH, help="Fit the image to this width (e.g. 60mm, 2.5in).")
@click.option("--height", type=LENGTH, help="Fit the image to this height.")
@click.option("--margin", type=LENGTH, default="0mm", show_default=True, help="Margin inside --width/--height.")
@click.option("--profile", metavar="NAME", help="G-code machine profile (see `strokebot profiles`).")
@click.option("--pen-width", type=LENGTH, help="Nominal pen width for exports (default: the traced ink's).")
@click.option("--order/--no-order", default=True, show_default=True, help="Reorder strokes to cut pen-up travel.")
@click.option("-O", "--option", "options", multiple=True, type=KEY_VALUE, help="Exporter option KEY=VALUE, or FMT.KEY=VALUE for one format (repeatable); `strokebot formats FMT` lists them.")
@click.option("--model", type=click.Path(path_type=Path), help="Model file (default: the bundled model).")
@click.option("--polarity", type=click.Choice(POLARITIES), default="auto", show_default=True, help="Ink on paper, or light on dark.")
@click.option("--split/--no-split", default=True, show_default=True, help="Find separate glyphs (a word, a row of digits).")
@click.option("--clean/--no-clean", default=True, show_default=True, help="Remove shading, paper texture and specks.")
@click.option("--refine", type=click.IntRange(min=0), default=0, show_default=True, help="Fit strokes to the image with N gradient steps.")
@click.option("--verify", is_flag=True, help="Print how well the strokes cover the ink (IoU, Chamfer).")
@click.option("--preview", type=click.Path(path_type=Path), help="Write a picture of the strokes over the ink.")
@click.option("-r", "--recursive", is_flag=True, help="Look into sub-folders of folder inputs.")
@click.option("--max-pixels", type=click.IntRange(min=4), help="Refuse images larger than this (default 40 million).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def trace(inputs, formats, output, width, height, margin, profile, pen_width, order, options, model, polarity, split,
          clean, refine, verify, preview, recursive, max_pixels, quiet) -> None:
    """Trace glyph images into strokes and write them for a machine.

    INPUTS are image files (PNG, JPEG, BMP, TIFF) or folders of them. Each gives one output per
    --to format, named after it. Bad files are reported and skipped (exit code 6).
    """
    from strokebot.jobs import TraceSettings, expand_inputs, trace_files

    export_options = dict(options)
    if profile is not None:
        if "gcode" not in formats:
            raise UsageError("--profile applies to --to gcode only")
        export_options["profile"] = profile
    sources = expand_inputs(inputs, recursive=recursive)
    if not sources:
        raise UsageError("no images found in " + ", ".join(map(str, inputs)))
    if preview is not None and len(sources) > 1:
        raise UsageError("--preview takes one input")
    settings = TraceSettings(
        formats=tuple(formats), model=model, width=width, height=height, margin=margin, order=order,
        polarity=polarity, clean=clean, split=split, refine=refine, max_pixels=max_pixels, pen_width=pen_width,
        export_options=export_options, verify=verify, preview=preview,
    )
    skipped = 0
    for result in trace_files(sources, settings, output):
        if result.error is not None:
            skipped += 1
            if len(sources) == 1:
                raise result.error
            click.echo(f"strokebot: {result.error}", err=True)
            continue
        if not quiet:
            click.echo(result.summary(), err=True)
        if result.score is not None and (verify or not quiet):
            click.echo(f"{result.source}: {result.score.line()}", err=True)
    if skipped:
        click.echo(f"strokebot: {skipped} of {len(sources)} inputs skipped", err=True)
        raise SystemExit(EXIT_SKIPPED)
