"""A picture of what the machine will draw: each segment at its width, as dark as its ink, on white paper.

Pillow only (no torch), so a preview costs little. The width at a point is
``pen_width * (0.5 + pressure)``; a segment takes the mean of its ends' widths and intensities, is
drawn with round ends, and darker ink wins where lines cross. Pen-up travel leaves nothing.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError
from strokebot.exporters import Exporter, in_millimetres, number, pen_width_mm

if TYPE_CHECKING:
    from PIL import Image

    from strokebot.drawing import Drawing

__all__ = ["PngExporter", "to_image", "MAX_PIXELS"]

#: Largest preview drawn, in pixels (a 1 m square page at 300 dpi is 140 million).
MAX_PIXELS = 50_000_000


def to_image(drawing: Drawing, *, dpi: float = 300.0, pen_width: float | None = None, antialias: int = 3) -> Image.Image:
    """The preview as a greyscale (``L``) Pillow image of the page at ``dpi``.

    Args:
        dpi: pixels per inch of the page (mm drawings; a px drawing is taken at 96 px per inch).
        pen_width: nominal pen width in mm (default: the drawing's, else 0.5 mm).
        antialias: draw this many times larger, then shrink (1: no antialiasing).

    Raises:
        UsageError: a bad dpi or antialias, or a picture larger than :data:`MAX_PIXELS`.
    """
    from PIL import Image, ImageDraw

    dpi = number("dpi", dpi, positive=True)
    if isinstance(antialias, bool) or not isinstance(antialias, int) or not 1 <= antialias <= 8:
        raise UsageError(f"png antialias must be an integer from 1 to 8, got {antialias!r}")
    page = in_millimetres(drawing)
    width = pen_width_mm(page, pen_width)
    size = (max(1, round(page.width / 25.4 * dpi)), max(1, round(page.height / 25.4 * dpi)))
    if size[0] * size[1] > MAX_PIXELS:
        raise UsageError(f"a {size[0]}x{size[1]} preview is too large; lower the dpi (now {dpi:g})")
    scale = dpi / 25.4 * antialias  # pixels per mm while drawing
    canvas = Image.new("L", (size[0] * antialias, size[1] * antialias), 255)
    pen = ImageDraw.Draw(canvas)
    segments = []
    for stroke in page.strokes:
        points = stroke.points if len(stroke) > 1 else np.vstack([stroke.points, stroke.points])
        pressure = np.clip(points[:, 2], 0.0, 1.0)
        ink = np.clip(points[:, 3], 0.0, 1.0)
        for i in range(len(points) - 1):
            segments.append((
                (ink[i] + ink[i + 1]) / 2,
                width * (0.5 + (pressure[i] + pressure[i + 1]) / 2) * scale,
                tuple(points[i, :2] * scale),
                tuple(points[i + 1, :2] * scale),
            ))
    segments.sort(key=lambda s: s[0])  # lighter first, so darker ink is drawn over it
    for ink_level, line_width, a, b in segments:
        if ink_level <= 0:
            continue
        grey = round(255 * (1 - ink_level))
        radius = line_width / 2
        pen.line([a, b], fill=grey, width=max(1, round(line_width)))
        for x, y in (a, b):  # round ends and joins
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=grey)
    if antialias > 1:
        canvas = canvas.resize(size, Image.Resampling.BOX)
    return canvas


class PngExporter(Exporter):
    """``--to png``: see :func:`to_image`."""

    name = "png"
    suffix = ".preview.png"
    description = "Preview picture of what the machine will draw (line widths, ink darkness) at a chosen dpi"
    options = {
        "dpi": "pixels per inch of the page (default 300)",
        "pen_width": "nominal pen width in mm (default: the drawing's, else 0.5)",
        "antialias": "supersampling factor, 1 to 8 (default 3; 1: none)",
    }

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        out = io.BytesIO()
        to_image(drawing, **options).save(out, format="PNG", dpi=(options.get("dpi", 300.0),) * 2, optimize=True)
        return out.getvalue()
