"""Plotter-ready SVG: physical size, one centreline path per stroke, Inkscape layers.

What plotter software expects (vpype, the AxiDraw extension, Inkscape): ``width``/``height`` in mm and a
``viewBox`` in mm, so one user unit is one millimetre; ``fill="none"`` centreline paths with round caps
and joins at the nominal pen width (a preview only: no plotter plots a width); layers as top-level
groups ``inkscape:groupmode="layer"`` whose label starts with their number (vpype takes the layer id
from it). Pressure and intensity ride along per point in ``strokebot:pressure`` and
``strokebot:intensity``. The variable-width look goes into a hidden layer named ``% preview`` (hidden in
the SVG, and skipped by AxiDraw for its ``%``), never into a plotted one, which would trace outlines.

Same drawing, same bytes: no timestamps, no random ids.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError
from strokebot.exporters import Exporter, fixed, flag, in_millimetres, pen_width_mm

if TYPE_CHECKING:
    from strokebot.drawing import Drawing, Stroke

__all__ = ["SvgExporter", "to_svg", "NAMESPACE"]

#: XML namespace of strokebot's per-point attributes.
NAMESPACE = "urn:strokebot:svg:1"
INKSCAPE = "http://www.inkscape.org/namespaces/inkscape"
LAYERS = ("glyph", "pen")
#: What ``color`` may be: a name, #rgb, #rrggbb or rgb(...), nothing that could break the XML.
_COLOUR = re.compile(r"[a-zA-Z]{1,30}|#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|rgb\(\s*\d{1,3}%?\s*(,\s*\d{1,3}%?\s*){2}\)")


def to_svg(drawing: Drawing, *, layers: str = "glyph", pen_width: float | None = None, preview: bool = True,
           color: str = "black", decimals: int = 3) -> str:
    """The SVG document of ``drawing`` (mm, or px taken as CSS pixels).

    Args:
        layers: ``"glyph"``: one layer per glyph (``Stroke.glyph``); ``"pen"``: one layer for all.
        pen_width: nominal pen width in mm (default: the drawing's, else 0.5 mm).
        preview: add the hidden variable-width preview layer.
        color: stroke colour of the plot layers.
        decimals: decimals of coordinates, in mm.

    Raises:
        UsageError: an unknown ``layers`` value or a bad width.
    """
    import svgwrite

    if layers not in LAYERS:
        raise UsageError(f"svg layers must be one of {', '.join(LAYERS)}, got {layers!r}")
    preview = flag("preview", preview)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise UsageError(f"svg decimals must be an integer from 0 to 6, got {decimals!r}")
    if not isinstance(color, str) or not _COLOUR.fullmatch(color):
        raise UsageError(f"svg color must be a colour name, #rgb/#rrggbb or rgb(r,g,b), got {color!r}")
    page = in_millimetres(drawing)
    width = pen_width_mm(page, pen_width)
    w, h = fixed(page.width, decimals), fixed(page.height, decimals)
    document = svgwrite.Drawing(size=(f"{w}mm", f"{h}mm"), viewBox=f"0 0 {w} {h}", profile="full", debug=False)
    document.attribs["xmlns:inkscape"] = INKSCAPE
    document.attribs["xmlns:strokebot"] = NAMESPACE
    from strokebot import __version__

    summary = f"strokebot {__version__}: {len(page.strokes)} strokes, pen width {fixed(width)} mm"
    if page.model:
        summary += f", traced by {page.model}"
    document.set_desc(desc=summary)

    groups: dict[int, list[Stroke]] = {}
    for stroke in page.strokes:
        groups.setdefault(stroke.glyph if layers == "glyph" else 0, []).append(stroke)
    for number, (glyph, strokes) in enumerate(sorted(groups.items()), 1):
        label = f"{number} glyph {glyph}" if layers == "glyph" else f"{number} pen"
        layer = document.g(
            id=f"layer{number}", fill="none", stroke=color, stroke_width=fixed(width, decimals),
            stroke_linecap="round", stroke_linejoin="round",
            **{"inkscape:groupmode": "layer", "inkscape:label": label},
        )
        for stroke in strokes:
            layer.add(document.path(d=_path_data(stroke.xy, decimals), **{
                "strokebot:pressure": " ".join(fixed(v) for v in stroke.pressure),
                "strokebot:intensity": " ".join(fixed(v) for v in stroke.intensity),
            }))
        document.add(layer)
    if preview and page.strokes:
        document.add(_preview_layer(document, page, width, decimals))
    out = io.StringIO()
    document.write(out, pretty=True, indent=1)
    return out.getvalue() + "\n"


def _path_data(xy: np.ndarray, decimals: int) -> str:
    coords = [f"{fixed(x, decimals)},{fixed(y, decimals)}" for x, y in xy]
    if len(coords) == 1:  # a dot: a zero-length line still draws a round cap
        coords.append(coords[0])
    return "M" + coords[0] + " L" + " ".join(coords[1:])


def _preview_layer(document: Any, page: Drawing, width: float, decimals: int) -> Any:
    """Each segment at its own width (mean of its ends) and darkness (its intensity), hidden."""
    layer = document.g(
        id="preview", style="display:none", fill="none", stroke_linecap="round",
        **{"inkscape:groupmode": "layer", "inkscape:label": "% preview (variable width, not for plotting)"},
    )
    for stroke in page.strokes:
        points = stroke.points if len(stroke) > 1 else np.vstack([stroke.points, stroke.points])
        for a, b in zip(points[:-1], points[1:], strict=True):
            segment_width = width * (0.5 + (a[2] + b[2]) / 2)
            grey = round(255 * (1 - min(max((a[3] + b[3]) / 2, 0.0), 1.0)))
            layer.add(document.path(
                d=_path_data(np.array([a[:2], b[:2]]), decimals),
                stroke=f"#{grey:02x}{grey:02x}{grey:02x}", stroke_width=fixed(segment_width, decimals),
            ))
    return layer


class SvgExporter(Exporter):
    """``--to svg``: see :func:`to_svg`."""

    name = "svg"
    suffix = ".svg"
    description = "Plotter SVG in mm for vpype, AxiDraw and Inkscape: one path per stroke, layers per glyph"
    options = {
        "layers": "glyph (one layer per glyph, default) or pen (one layer for all)",
        "pen_width": "nominal pen width in mm (default: the drawing's, else 0.5)",
        "preview": "add the hidden variable-width preview layer (default true)",
        "color": "stroke colour of the plot layers (default black)",
        "decimals": "decimals of coordinates in mm (default 3)",
    }

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        return to_svg(drawing, **options).encode("utf-8")
