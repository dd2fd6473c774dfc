"""``strokebot trace``: images in, G-code / SVG / JSON / PNG out."""

from __future__ import annotations

import os

import click

from strokebot.cli.types import KEY_VALUE, LENGTH, OUTPUT, PATH, PEN_WIDTH, POSITIVE_LENGTH, Count
from strokebot.errors import EXIT_SKIPPED, Interrupted, UsageError

#: As strokebot.imaging.POLARITIES, without importing numpy for --help (a test keeps them equal).
POLARITIES = ("auto", "dark-on-light", "light-on-dark")

EPILOG = """\b
Examples:
  strokebot trace digit.png                          # digit.gcode beside it (grbl-servo)
  strokebot trace word.jpg --to gcode --profile grbl-z --width 60mm
  strokebot trace word.jpg --to svg --to png --height 1.5in -o out/
  strokebot trace scans/ --to json -o trajectories/  # every image in a folder
  strokebot trace scans/ -j 0 -q                     # with every core, a progress bar
  strokebot trace digit.png --to svg -o - | vpype read - show
  strokebot trace scan.png --refine 100 --verify --preview check.png --to svg
  strokebot trace word.png --to gcode --profile grbl-z -O feed=1500 -O z_up=3
  strokebot trace word.png --to gcode --to png -O gcode.feed=1500 -O png.dpi=150
"""


@click.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=PATH)
@click.option("--to", "formats", multiple=True, default=("gcode",), show_default=True, metavar="FORMAT",
              help="Output format (repeatable); `strokebot formats` lists them.")
@click.option("-o", "--output", metavar="PATH", type=OUTPUT, help="Output file, existing folder, or - for stdout. Default: beside each input.")
@click.option("--width", type=POSITIVE_LENGTH, help="Fit the image to this width (e.g. 60mm, 2.5in).")
@click.option("--height", type=POSITIVE_LENGTH, help="Fit the image to this height.")
@click.option("--margin", type=LENGTH, default="0mm", show_default=True, help="Margin inside --width/--height.")
@click.option("--profile", metavar="NAME", help="G-code machine profile (see `strokebot profiles`).")
@click.option("--pen-width", type=PEN_WIDTH, help="Nominal pen width for exports (default: the traced ink's).")
@click.option("--order/--no-order", default=None,
              help="Reorder strokes to cut pen-up travel, reversing some (default: no; the models draw in a person's order).")
@click.option("-O", "--option", "options", multiple=True, type=KEY_VALUE, help="Exporter option KEY=VALUE, or FMT.KEY=VALUE for one format (repeatable); `strokebot formats FMT` lists them.")
@click.option("--model", type=PATH, help="Model file (default: the bundled stroke model).")
@click.option("--fast", is_flag=True, help="Trace with the bundled one-shot model, taught by the stroke model: many times faster, rougher strokes.")
@click.option("--polarity", type=click.Choice(POLARITIES), default="auto", show_default=True, help="Ink on paper, or light on dark.")
@click.option("--split/--no-split", default=True, show_default=True, help="Find separate glyphs (a word, a row of digits).")
@click.option("--clean/--no-clean", default=True, show_default=True, help="Remove shading, paper texture and specks.")
@click.option("--refine", type=Count(0), default=0, show_default=True, help="Fit strokes to the image with N gradient steps.")
@click.option("--verify", is_flag=True, help="Print how well the strokes cover the ink (IoU, Chamfer).")
@click.option("--preview", type=PATH, help="Write a picture of the strokes over the ink.")
@click.option("-r", "--recursive", is_flag=True, help="Look into sub-folders of folder inputs.")
@click.option("--max-pixels", type=Count(4), help="Refuse images larger than this (default 40 million).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-j", "--jobs", type=Count(0), default=1, show_default=True,
              help="Trace N inputs at a time in N processes (0: one per core), with a progress bar.")
def trace(inputs, formats, output, width, height, margin, profile, pen_width, order, options, model, fast, polarity, split,
          clean, refine, verify, preview, recursive, max_pixels, quiet, jobs) -> None:
    """Trace glyph images into strokes and write them for a machine.

    INPUTS are image files (PNG, JPEG, BMP, TIFF) or folders of them. Each gives one output per
    --to format, named after it. Bad files are reported and skipped (exit code 6). Outputs are
    written whole or not at all: an existing file is only ever replaced by a complete new one, even
    on Ctrl-C (exit code 130). Exit codes: docs/errors.md.
    """
    # One glyph at a time gains nothing from a BLAS thread pool, and starting one costs ~60 ms.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from strokebot.jobs import TraceSettings, expand_inputs, trace_files

    formats = tuple(dict.fromkeys(formats))  # --to svg --to svg is one svg
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
        formats=tuple(formats), model=model, fast=fast, width=width, height=height, margin=margin, order=order,
        polarity=polarity, clean=clean, split=split, refine=refine, max_pixels=max_pixels, pen_width=pen_width,
        export_options=export_options, verify=verify, preview=preview,
    )
    tally = {"written": 0}
    skipped = 0
    results = trace_files(sources, settings, output, tally=tally, jobs=jobs)
    if jobs != 1 and len(sources) > 1:
        from strokebot.batch import progress

        results = progress(results, len(sources))
    try:
        for result in results:
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
    except KeyboardInterrupt:
        done = tally["written"] + skipped
        traced = f" ({tally['written']} traced, {skipped} skipped)" if skipped else ""
        raise Interrupted(
            f"interrupted after {done} of {len(sources)} input{'s' if len(sources) != 1 else ''}{traced}; "
            "every file written is complete"
        ) from None
    if skipped:
        click.echo(f"strokebot: {skipped} of {len(sources)} inputs skipped", err=True)
        raise SystemExit(EXIT_SKIPPED)
