"""strokebot drawings as vpype layers: the library behind ``vpype strokebot``.

vpype works in CSS pixels (1/96 in, y down) and carries data on layers only: a layer is a
:class:`vpype.LineCollection` of polylines plus a dict of properties. A traced
:class:`strokebot.Drawing` is in source-image pixels, with a pressure and an intensity per point.
So a drawing is put on the page (:func:`place`), its strokes are grouped into layers by glyph and/or
by pressure band (:func:`to_layers`), and what vpype cannot hold per point is summarised per layer:

===========================  ==============================================================
layer property               value
===========================  ==============================================================
``vp_name``                  ``word``, ``word glyph 2``, ``word p0.33-0.67`` ...
``vp_pen_width``             nominal pen width (CSS px); with pressure bands scaled by
                             ``0.5 + pressure``, strokebot's width convention
``vp_source``                the image file
``strokebot_pressure``       mean pen pressure of the layer's points, 0..1
``strokebot_intensity``      mean ink intensity of the layer's points, 0..1
``strokebot_glyph``          glyph number, 1-based (glyph layers only)
``strokebot_model``          name and version of the model that traced it
===========================  ==============================================================

vpype-gcode's ``gwrite`` expands layer properties in its templates, so a profile can turn
``{strokebot_pressure}`` into a Z depth or ``{strokebot_intensity}`` into a laser power per layer.

>>> import strokebot, numpy as np
>>> d = strokebot.Drawing([strokebot.Stroke([[0, 0], [28, 28]])], width=28, height=28)
>>> placed, frame = place(d, width=96.0, position=(10.0, 0.0))
>>> frame
(10.0, 0.0, 106.0, 96.0)
>>> [lc.property("vp_name") for lc in to_layers(placed, name="seven")]
['seven']
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import vpype as vp

if TYPE_CHECKING:
    from strokebot import Drawing

__all__ = ["PX_PER_MM", "find_images", "place", "to_layers", "trace_document"]

#: CSS pixels (vpype's unit) per millimetre.
PX_PER_MM = 96.0 / 25.4


def find_images(pattern: str | Path) -> list[Path]:
    """The images ``pattern`` names: one file, the images in a folder, or a glob such as ``*.png``.

    Raises:
        strokebot.UsageError: nothing matches, or a named file does not exist.
    """
    from strokebot import UsageError
    from strokebot.jobs import IMAGE_SUFFIXES, expand_inputs

    text = str(pattern)
    if any(c in text for c in "*?["):
        found = sorted(Path(p) for p in glob.glob(text) if Path(p).suffix.lower() in IMAGE_SUFFIXES)
    elif Path(text).is_file():
        return [Path(text)]
    elif Path(text).is_dir():
        found = expand_inputs([text])
    else:
        raise UsageError(f"{text}: no such file or folder")
    if not found:
        raise UsageError(f"no images found in {text}")
    return found


def place(
    drawing: Drawing,
    *,
    width: float | None = None,
    height: float | None = None,
    position: Sequence[float] = (0.0, 0.0),
    crop: bool = False,
) -> tuple[Drawing, tuple[float, float, float, float]]:
    """Scale ``drawing`` to ``width`` and/or ``height`` (CSS px) with its top-left at ``position``.

    The source image's frame is fitted (with ``crop``, the strokes' bounds), aspect ratio kept;
    with neither size given one source pixel becomes one CSS pixel. Returns the drawing in CSS px
    and the frame (x0, y0, x1, y1) it occupies on the page.
    """
    mm = drawing.fit(
        width=None if width is None else width / PX_PER_MM,
        height=None if height is None else height / PX_PER_MM,
        crop=crop,
    )
    x, y = (float(v) for v in position)
    page_w, page_h = mm.width * PX_PER_MM, mm.height * PX_PER_MM
    # strokebot labels anything not in mm "px"; here that means vpype's CSS pixels.
    placed = mm.transformed([[PX_PER_MM, 0, x], [0, PX_PER_MM, y]], width=page_w, height=page_h, units="px")
    return placed, (x, y, x + page_w, y + page_h)


def to_layers(
    drawing: Drawing,
    *,
    glyph_layers: bool = False,
    pressure_bands: int = 1,
    pen_width: float | None = None,
    name: str = "strokebot",
    source: str | Path | None = None,
) -> list[vp.LineCollection]:
    """The strokes of ``drawing`` (already in CSS px) as vpype layers, with properties.

    Args:
        glyph_layers: one layer per glyph instead of one for all.
        pressure_bands: split strokes into this many layers by mean pressure: band ``k`` holds
            strokes with mean pressure in ``[k/N, (k+1)/N)``. Empty layers are left out.
        pen_width: nominal pen width in CSS px; default the drawing's own.
        name: layer name (``vp_name``) stem.
        source: the image, recorded as ``vp_source``.
    """
    if pressure_bands < 1:
        raise ValueError(f"pressure_bands must be at least 1, got {pressure_bands}")
    groups: dict[tuple[int, int], list[np.ndarray]] = {}
    for stroke in drawing.strokes:
        glyph = stroke.glyph if glyph_layers else 0
        band = min(int(stroke.pressure.mean() * pressure_bands), pressure_bands - 1) if pressure_bands > 1 else 0
        groups.setdefault((glyph, band), []).append(stroke.points)
    nominal = pen_width if pen_width is not None else drawing.pen_width
    layers = []
    for (glyph, band), strokes in sorted(groups.items()):
        points = np.concatenate(strokes)
        pressure, intensity = float(points[:, 2].mean()), float(points[:, 3].mean())
        label = name
        if glyph_layers:
            label += f" glyph {glyph + 1}"
        if pressure_bands > 1:
            label += f" p{band / pressure_bands:.2f}-{(band + 1) / pressure_bands:.2f}"
        metadata: dict[str, Any] = {
            vp.METADATA_FIELD_NAME: label,
            "strokebot_pressure": round(pressure, 4),
            "strokebot_intensity": round(intensity, 4),
        }
        if nominal is not None:
            scale = 0.5 + pressure if pressure_bands > 1 else 1.0
            metadata[vp.METADATA_FIELD_PEN_WIDTH] = float(nominal * scale)
        if source is not None:
            metadata[vp.METADATA_FIELD_SOURCE] = Path(source).absolute()
        if glyph_layers:
            metadata["strokebot_glyph"] = glyph + 1
        if drawing.model:
            metadata["strokebot_model"] = drawing.model
        lines = [p[:, 0] + 1j * p[:, 1] for p in strokes]
        layers.append(vp.LineCollection(lines, metadata=metadata))
    return layers


def trace_document(
    images: Sequence[str | Path],
    *,
    width: float | None = None,
    height: float | None = None,
    position: Sequence[float] = (0.0, 0.0),
    gap: float = 0.0,
    crop: bool = False,
    glyph_layers: bool = False,
    pressure_bands: int = 1,
    pen_width: float | None = None,
    model: Any = None,
    polarity: str = "auto",
    split: bool = True,
    clean: bool = True,
    refine: int = 0,
) -> vp.Document:
    """Trace ``images`` into a vpype document: layers 1, 2, ... and a page that holds them all.

    Each image is fitted to ``width``/``height`` (CSS px) like :func:`place`; the first has its
    top-left corner at ``position``, each next one goes ``gap`` below the one before, as lines
    of a page. With one layer per image (neither ``glyph_layers`` nor ``pressure_bands``), the
    layers are named after the images.

    Raises:
        strokebot.StrokebotError: an image cannot be read or traced, or the model cannot be loaded.
    """
    import strokebot

    loaded = strokebot.load_model(model) if not isinstance(model, strokebot.Model) else model
    document = vp.Document()
    x, y = (float(v) for v in position)
    right = bottom = 0.0
    for image in images:
        drawing = strokebot.trace(image, model=loaded, polarity=polarity, split=split, clean=clean, refine=refine)
        placed, (_, _, x1, y1) = place(drawing, width=width, height=height, position=(x, y), crop=crop)
        for layer in to_layers(
            placed,
            glyph_layers=glyph_layers,
            pressure_bands=pressure_bands,
            pen_width=pen_width,
            name=Path(image).stem,
            source=image,
        ):
            document.add(layer, document.free_id(), with_metadata=True)
        right, bottom = max(right, x1), max(bottom, y1)
        y = y1 + gap
    document.page_size = (right, bottom)
    return document
