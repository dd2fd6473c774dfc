"""strokebot-dxf: a ``dxf`` export format for strokebot, for laser cutters, CNC and CAD.

Installed beside strokebot, it registers through the ``strokebot.exporters`` entry point, exactly as
the built-in formats do::

    strokebot trace word.png --to dxf --width 60mm
    strokebot trace word.png --to dxf -O layers=single -O depth=0.5mm

The file is in millimetres (``$INSUNITS`` 4) with Y up, as CAD and CAM expect: the image's top-left
corner is at (0, page height). Each pen-down stroke is one LWPOLYLINE (a 3D POLYLINE with ``depth``)
on a layer per glyph (``GLYPH-1``, ``GLYPH-2``, ...) or on one layer ``STROKES``. Every polyline
carries its glyph number and mean pressure and intensity as XDATA of the application ``STROKEBOT``.
The same drawing always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from strokebot.errors import UsageError
from strokebot.exporters import Exporter

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = ["DxfExporter", "MM_PER_PX", "APPID"]
__version__ = "0.1.0"

#: Millimetres per CSS pixel: a drawing that was never fitted to a size is read at 96 dpi.
MM_PER_PX = 25.4 / 96.0
#: XDATA application name.
APPID = "STROKEBOT"

_LAYERS = ("glyph", "single")
_VERSIONS = ("R2000", "R2004", "R2007", "R2010", "R2013", "R2018")  # LWPOLYLINE and $INSUNITS need R2000


class DxfExporter(Exporter):
    """Strokes as DXF polylines in millimetres, a layer per glyph."""

    name = "dxf"
    suffix = ".dxf"
    description = "DXF for CAD, laser and CNC: a polyline per stroke, millimetres, a layer per glyph (ezdxf)"

    def export(
        self,
        drawing: Drawing,
        *,
        layers: str = "glyph",
        depth: float | None = None,
        widths: bool = False,
        flip_y: bool = True,
        version: str = "R2010",
    ) -> bytes:
        """The DXF file's bytes.

        Args:
            layers: ``"glyph"`` (a layer per glyph) or ``"single"`` (all on ``STROKES``).
            depth: with a depth in mm, each stroke is a 3D POLYLINE whose Z follows pressure,
                from 0 (no pressure) down to ``-depth`` (full pressure), for engraving.
            widths: give LWPOLYLINE vertices a start and end width of
                ``pen_width * (0.5 + pressure)``, a variable-width preview in CAD. Off by default,
                since CAM software may cut the outline of a wide polyline.
            flip_y: Y up (CAD's convention). False keeps the image's Y down.
            version: DXF version, R2000 to R2018.

        Raises:
            UsageError: a bad option value.
        """
        import ezdxf

        if layers not in _LAYERS:
            raise UsageError(f"dxf: layers must be one of {', '.join(_LAYERS)}, got {layers!r}")
        if version.upper() not in _VERSIONS:
            raise UsageError(f"dxf: version must be one of {', '.join(_VERSIONS)}, got {version!r}")
        if depth is not None and not depth > 0:
            raise UsageError(f"dxf: depth must be a positive length in mm, got {depth!r}")
        to_mm = 1.0 if drawing.units == "mm" else MM_PER_PX
        page_h = drawing.height * to_mm
        pen_width = drawing.pen_width * to_mm if drawing.pen_width else 0.5

        with _reproducible():
            doc = ezdxf.new(version.upper(), setup=False)
        doc.header["$INSUNITS"] = 4  # millimetres
        doc.header["$MEASUREMENT"] = 1  # metric
        doc.appids.add(APPID)
        msp = doc.modelspace()
        msp.reset_limits((0.0, 0.0), (drawing.width * to_mm, page_h))  # the page

        def layer_of(glyph: int) -> str:
            name = "STROKES" if layers == "single" else f"GLYPH-{glyph + 1}"
            if name not in doc.layers:
                doc.layers.add(name, color=7 if layers == "single" else 1 + glyph % 6)
            return name

        for stroke in drawing.strokes:
            xy = stroke.xy * to_mm
            if flip_y:
                xy[:, 1] = page_h - xy[:, 1]
            pressure = stroke.pressure
            if len(xy) == 1:  # a dot: a zero-length polyline still marks it
                xy, pressure = xy.repeat(2, axis=0), pressure.repeat(2)
            attribs = {"layer": layer_of(stroke.glyph)}
            if depth is not None:
                polyline = msp.add_polyline3d([(x, y, -p * depth) for (x, y), p in zip(xy.tolist(), pressure.tolist(), strict=True)], dxfattribs=attribs)
            elif widths:
                width = (pen_width * (0.5 + pressure)).tolist()
                polyline = msp.add_lwpolyline([(x, y, w, w) for (x, y), w in zip(xy.tolist(), width, strict=True)], format="xyse", dxfattribs=attribs)
            else:
                polyline = msp.add_lwpolyline(xy.tolist(), format="xy", dxfattribs=attribs)
            polyline.set_xdata(APPID, [
                (1000, "glyph"), (1070, stroke.glyph + 1),
                (1000, "pressure"), (1040, round(float(stroke.pressure.mean()), 4)),
                (1000, "intensity"), (1040, round(float(stroke.intensity.mean()), 4)),
            ])
        if drawing.strokes:
            x0, y0, x1, y1 = (v * to_mm for v in drawing.bounds())  # type: ignore[union-attr]
            if flip_y:
                y0, y1 = page_h - y1, page_h - y0
            msp.reset_extents((x0, y0, -depth if depth else 0.0), (x1, y1, 0.0))
        stream = io.StringIO()
        with _reproducible():
            doc.write(stream)
        return stream.getvalue().encode(doc.output_encoding)


@contextlib.contextmanager
def _reproducible() -> Iterator[None]:
    """Fixed dates, GUIDs and ezdxf marker: the same drawing gives the same bytes.

    ezdxf stamps a file when it is created and when it is written; its option for reproducible
    files (meant for its own tests) replaces the stamps with constants.
    """
    import ezdxf

    before = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        yield
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = before
