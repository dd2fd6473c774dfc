"""``vpype strokebot``: the click wrapper around :func:`vpype_strokebot.layers.trace_document`.

vpype imports every plugin when it starts, whatever command runs, so this module imports neither
strokebot nor its image stack: they load when the command executes.
"""

from __future__ import annotations

import click
import vpype as vp
import vpype_cli

__all__ = ["strokebot", "POLARITIES"]

#: strokebot.imaging.POLARITIES, spelled out so that vpype starts without importing strokebot
#: (a test keeps the two equal).
POLARITIES = ("auto", "dark-on-light", "light-on-dark")


class ImageFirstCommand(click.Command):
    """A command that also takes its options after its one argument: ``strokebot word.png -W 6cm``.

    vpype chains commands, and in a chain click stops reading a command's options at its first
    argument, so ``--width`` after the image would be read as the next command. The options that
    follow the image, up to the first token that is none of this command's, are moved in front
    of it; the next command's name and everything after it are left alone.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-"):
            taken = self._own_options(ctx, args[1:])
            args = args[1 : 1 + taken] + args[:1] + args[1 + taken :]
        return super().parse_args(ctx, args)

    def _own_options(self, ctx: click.Context, tokens: list[str]) -> int:
        """How many of ``tokens``, from the start, are this command's options and their values."""
        arity: dict[str, int] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                takes = 0 if param.is_flag or param.count else param.nargs
                for name in (*param.opts, *param.secondary_opts):
                    arity[name] = takes
        index = 0
        while index < len(tokens):
            name, inline, _ = tokens[index].partition("=")
            if name not in arity:
                break
            index += 1 + (0 if inline else arity[name])
        return min(index, len(tokens))


@click.command(cls=ImageFirstCommand)
@click.argument("image", type=vpype_cli.PathType())
@click.option("-W", "--width", type=vpype_cli.LengthType(), help="Fit each image to this width (e.g. 60mm).")
@click.option("-H", "--height", type=vpype_cli.LengthType(), help="Fit each image to this height.")
@click.option(
    "-p", "--position", nargs=2, type=vpype_cli.LengthType(), default=("0", "0"),
    help="Top-left corner of the (first) image on the page [default: 0 0].",
)
@click.option("--gap", type=vpype_cli.LengthType(), default="0", help="Space between several images, one below the other.")
@click.option("--crop", is_flag=True, help="Fit the strokes' bounds, not the whole image, to --width/--height.")
@click.option("-g", "--glyph-layers", is_flag=True, help="One layer per glyph (default: one layer for all).")
@click.option(
    "-b", "--pressure-bands", type=click.IntRange(min=1), default=1, metavar="N",
    help="Split strokes into N layers by mean pen pressure, pen width scaled to match [default: 1].",
)
@click.option("--pen-width", type=vpype_cli.LengthType(), help="Nominal pen width (default: the traced ink's).")
@click.option("-m", "--model", type=vpype_cli.PathType(exists=True, dir_okay=False), help="Model file (default: the bundled one).")
@click.option("--polarity", type=click.Choice(POLARITIES), default="auto", help="Ink on paper, or light on dark [default: auto].")
@click.option("--split/--no-split", default=True, help="Find separate glyphs (a word, a row of digits) [default: split].")
@click.option("--clean/--no-clean", default=True, help="Remove shading, paper texture and specks [default: clean].")
@click.option("--refine", type=click.IntRange(min=0), default=0, metavar="N", help="Fit strokes to the image with N gradient steps [default: 0].")
@click.option(
    "-l", "--layer", type=vpype_cli.LayerType(accept_new=True),
    help="Target layer or 'new' when everything goes on one layer (default: the current one).",
)
@vpype_cli.global_processor
@vpype_cli.pass_state
def strokebot(
    state: vpype_cli.State,
    document: vp.Document,
    image: str,
    width: float | None,
    height: float | None,
    position: tuple[float, float],
    gap: float,
    crop: bool,
    glyph_layers: bool,
    pressure_bands: int,
    pen_width: float | None,
    model: str | None,
    polarity: str,
    split: bool,
    clean: bool,
    refine: int,
    layer: int | None,
) -> vp.Document:
    """Trace pictures of glyphs into strokes a pen plotter can draw.

    IMAGE is a PNG, JPEG, BMP or TIFF file of handwriting, digits or letters (a scan, a phone
    photo, an MNIST digit), a folder of them, or a quoted pattern such as 'scans/*.png'. Each
    image is traced by strokebot into centreline strokes, scaled to --width/--height with its
    aspect ratio kept, and placed with its top-left corner at --position; several images go one
    below the other, --gap apart. The page grows to hold them. Options may come before or after
    IMAGE.

    All strokes go on one layer (the current target layer, or --layer), or with --glyph-layers
    on a new layer per glyph. Pressure and intensity are kept per layer as the properties
    strokebot_pressure and strokebot_intensity, which vpype-gcode's gwrite templates can use;
    --pressure-bands N splits strokes into N layers by pressure, each with a pen width to match.

    \b
    Examples:
      vpype strokebot word.png --width 60mm linemerge linesort write word.svg
      vpype strokebot scan.jpg -H 2cm -p 20mm 30mm gwrite -p gcodemm scan.gcode
      vpype strokebot digits.png --glyph-layers --width 10cm write digits.svg
      vpype strokebot 'lines/*.png' --width 8cm --gap 5mm show
    """
    from strokebot import StrokebotError
    from vpype_strokebot.layers import find_images, trace_document

    if layer is not None and (glyph_layers or pressure_bands > 1):
        raise click.BadParameter("--layer applies when everything goes on one layer", param_hint="--layer")
    try:
        images = find_images(image)
        traced = trace_document(
            images, width=width, height=height, position=position, gap=gap, crop=crop,
            glyph_layers=glyph_layers, pressure_bands=pressure_bands, pen_width=pen_width,
            model=model, polarity=polarity, split=split, clean=clean, refine=refine,
        )
    except StrokebotError as error:
        raise click.ClickException(f"strokebot: {error}") from None

    if glyph_layers or pressure_bands > 1:
        for collection in traced.layers.values():
            document.add(collection, document.free_id(), with_metadata=True)
    else:
        target = vpype_cli.single_to_layer_id(layer, document)
        for collection in traced.layers.values():
            # Several images share the target layer; a new layer takes the first one's properties.
            document.add(collection, target, with_metadata=not document.exists(target))
        state.target_layer_id = target
    document.extend_page_size(traced.page_size)
    for path in images:
        document.add_to_sources(path)
    return document


strokebot.help_group = "Input"
