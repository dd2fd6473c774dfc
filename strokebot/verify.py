"""Check strokes against the image they were traced from, before the pen touches paper.

:func:`verify` draws what the machine will draw (:func:`strokebot.metrics.rasterise`: pen-down
segments at their width, pen-up moves leave nothing) at the image's resolution and compares it with
the image's ink; :func:`preview` makes a picture of the strokes over the ink.

>>> import numpy as np
>>> from strokebot.drawing import Drawing, Stroke
>>> ink = np.zeros((20, 30), np.float32); ink[9:12, 5:25] = 1  # a bar 3 px thick
>>> drawing = Drawing([Stroke([[6.5, 10.5], [23.5, 10.5]])], width=30, height=20, pen_width=3)
>>> score = verify(drawing, ink)
>>> round(score.iou, 2), score.pen_lifts
(1.0, 1)
"""

from __future__ import annotations

import dataclasses
import math
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from strokebot.errors import UsageError
from strokebot.metrics import (
    INK_THRESHOLD,
    drawing_points,
    ink_precision_recall,
    line_widths,
    nearest_distances,
    rasterise,
    skeleton_points,
)

if TYPE_CHECKING:
    from strokebot.drawing import Drawing

__all__ = ["Score", "Reference", "verify", "preview", "in_image_frame"]


@dataclasses.dataclass(frozen=True)
class Score:
    """How well a drawing matches an image's ink. Lengths are in the image's pixels.

    Attributes:
        iou: intersection over union of the drawn ink and the image's ink.
        precision: share of the drawn pixels that are ink (1 - ink put where there is none).
        recall: share of the ink pixels that are drawn.
        chamfer: symmetric mean distance between the strokes' centre lines and the ink's skeleton
            (:func:`strokebot.metrics.chamfer_distance`); infinite when either is empty.
        chamfer_strokes: mean distance from the strokes to the skeleton (strokes astray).
        chamfer_ink: mean distance from the skeleton to the strokes (parts of the glyph missed).
        pen_lifts: how many times the pen lifts (one per stroke).
        length: pen-down length.
        travel: pen-up travel between strokes.
        pen_width: the nominal line width the drawing was drawn with.
        width, height: the image's size.
    """

    iou: float
    precision: float
    recall: float
    chamfer: float
    chamfer_strokes: float
    chamfer_ink: float
    pen_lifts: int
    length: float
    travel: float
    pen_width: float
    width: int
    height: int

    @property
    def strokes(self) -> int:
        """Number of strokes (as many as pen lifts)."""
        return self.pen_lifts

    def line(self) -> str:
        """One-line summary, e.g. ``IoU 0.74 (precision 0.81, recall 0.88), Chamfer 0.62 px, ...``."""
        return (
            f"IoU {self.iou:.2f} (precision {self.precision:.2f}, recall {self.recall:.2f}), "
            f"Chamfer {self.chamfer:.2f} px, {self.pen_lifts} pen lift{'s' if self.pen_lifts != 1 else ''}, "
            f"length {self.length:.0f} px, pen-up {self.travel:.0f} px"
        )

    def as_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (an infinite distance becomes None)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = None if isinstance(value, float) and not math.isfinite(value) else value
        out["strokes"] = self.strokes
        return out


class Reference:
    """An image's ink prepared for scoring many drawings against it (its skeleton computed once)."""

    def __init__(self, ink: Any, *, threshold: float = INK_THRESHOLD, skeleton: np.ndarray | None = None) -> None:
        ink = np.asarray(ink, dtype=np.float32)
        if ink.ndim != 2 or min(ink.shape) < 1:
            raise UsageError(f"ink must be an (H, W) map, got shape {ink.shape}")
        self.ink = ink
        self.threshold = threshold
        self.mask = ink > threshold
        self.skeleton = skeleton_points(ink, threshold=threshold) if skeleton is None else skeleton  # (M, 2)

    def window(self, x0: int, y0: int, x1: int, y1: int) -> Reference:
        """The part ``[x0, x1) × [y0, y1)`` of the image, in its own pixels, its skeleton cut from this one's."""
        inside = (self.skeleton[:, 0] >= x0) & (self.skeleton[:, 0] < x1) & (self.skeleton[:, 1] >= y0) & (self.skeleton[:, 1] < y1)
        return Reference(self.ink[y0:y1, x0:x1], threshold=self.threshold, skeleton=self.skeleton[inside] - (x0, y0))

    @property
    def shape(self) -> tuple[int, int]:
        return self.ink.shape  # type: ignore[return-value]

    def score(self, drawing: Drawing, *, pen_width: float | None = None) -> Score:
        """Score ``drawing`` (already in this image's pixels, see :func:`in_image_frame`)."""
        width = pen_width if pen_width is not None else drawing.pen_width
        if width is None:
            from strokebot.imaging import stroke_width

            width = stroke_width(self.ink)
        drawn = rasterise(drawing, self.shape, pen_width=width)
        precision, recall = ink_precision_recall(drawn, self.ink, threshold=self.threshold)
        union = np.count_nonzero((drawn > self.threshold) | self.mask)
        iou = 1.0 if union == 0 else float(np.count_nonzero((drawn > self.threshold) & self.mask) / union)
        centre = drawing_points(drawing, spacing=0.5)
        stray = _mean(nearest_distances(centre, self.skeleton), empty=0.0 if len(self.skeleton) == 0 else math.inf)
        missed = _mean(nearest_distances(self.skeleton, centre), empty=0.0 if len(centre) == 0 else math.inf)
        if len(centre) == 0 and len(self.skeleton) == 0:
            stray = missed = 0.0
        return Score(
            iou=iou,
            precision=precision,
            recall=recall,
            chamfer=(stray + missed) / 2,
            chamfer_strokes=stray,
            chamfer_ink=missed,
            pen_lifts=drawing.pen_lifts,
            length=drawing.length,
            travel=drawing.travel_length,
            pen_width=float(width),
            width=int(self.shape[1]),
            height=int(self.shape[0]),
        )


def _mean(values: np.ndarray, *, empty: float) -> float:
    if len(values) == 0:
        return empty
    return float(values.mean())


def in_image_frame(drawing: Drawing, shape: tuple[int, int]) -> Drawing:
    """``drawing`` in the pixels of an image of ``shape`` (H, W).

    A drawing traced from the image (units ``px``, page the image's size) is returned as is. A
    drawing whose page has another size, or is in millimetres (a drawing fitted to a page without
    margins), is scaled so that its page covers the image.

    Raises:
        UsageError: the page's aspect ratio differs from the image's by more than 2 %.
    """
    height, width = shape
    if drawing.units == "px" and abs(drawing.width - width) < 1e-6 and abs(drawing.height - height) < 1e-6:
        return drawing
    sx, sy = width / drawing.width, height / drawing.height
    if abs(sx / sy - 1) > 0.02:
        raise UsageError(
            f"the drawing's page ({drawing.width:g} x {drawing.height:g} {drawing.units}) does not have the "
            f"image's shape ({width} x {height} px); export it from a trace of this image, without margins"
        )
    return drawing.scaled(sx, units="px").replace(width=float(width), height=float(height))


def verify(drawing: Drawing, ink: Any, *, threshold: float = INK_THRESHOLD) -> Score:
    """Score ``drawing`` against the ink map ``ink`` (float (H, W), paper 0, ink 1).

    The drawing is rasterised as the machine draws it, at the image's resolution, with its own
    ``pen_width`` (or the ink's typical stroke width when it has none), and compared with the ink:
    IoU, precision, recall; its centre lines are compared with the ink's skeleton (Chamfer distance).

    Raises:
        UsageError: ``ink`` is not an (H, W) map, or the drawing's page does not fit the image.
    """
    reference = Reference(ink, threshold=threshold)
    return reference.score(in_image_frame(drawing, reference.shape))


# -- pictures --------------------------------------------------------------------------------------

#: Long side of a preview, in pixels: small glyphs are enlarged to it, big scans reduced.
PREVIEW_SIZE = 900


def _order_colours(count: int) -> np.ndarray:
    """``count`` RGB colours from blue (first stroke) through green and orange to red (last)."""
    anchors = np.array([[40, 80, 220], [0, 160, 160], [60, 170, 40], [230, 140, 0], [215, 30, 40]], float)
    if count <= 1:
        return anchors[:1].astype(np.uint8)
    where = np.linspace(0, len(anchors) - 1, count)
    low = np.floor(where).astype(int).clip(0, len(anchors) - 2)
    part = (where - low)[:, None]
    return (anchors[low] * (1 - part) + anchors[low + 1] * part).round().astype(np.uint8)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()


def preview(drawing: Drawing, ink: Any, path: str | Path | None = None, *, score: Score | None = None) -> bytes | None:
    """A PNG of the strokes over the ink; written atomically to ``path``, or returned as bytes.

    The ink is grey; each stroke is drawn as the pen's footprint (light) and its centre line
    (strong), coloured by drawing order from blue (first) to red (last); a dotted line shows each
    pen-up move and a numbered dot each stroke's start. ``score`` (computed when not given) is
    printed in a white band above the picture, so that it hides no ink. Small glyphs are enlarged
    and big scans reduced so that the long side is about :data:`PREVIEW_SIZE` pixels (a long strip
    such as a line of text may be up to four times as long, so that its letters stay large beside
    the numbered dots: a quarter of that high where it can).

    Raises:
        UsageError: bad ink, or a drawing that does not fit the image.
        ExportError: ``path`` cannot be written.
    """
    from PIL import Image, ImageDraw

    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise UsageError(f"ink must be an (H, W) map, got shape {ink.shape}")
    height, width = ink.shape
    drawing = in_image_frame(drawing, (height, width))
    if score is None:
        score = verify(drawing, ink)
    # The long side about PREVIEW_SIZE; a strip (a line of text) taller, up to 4 x PREVIEW_SIZE long.
    long, short = max(height, width), min(height, width)
    scale = max(PREVIEW_SIZE / long, min(PREVIEW_SIZE / 4 / short, 4 * PREVIEW_SIZE / long))
    if scale > 1:
        scale = max(1, round(scale))  # whole pixels: every source pixel an equal square
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    grey = (255 - 110 * np.clip(ink, 0, 1)).astype(np.uint8)
    resample = Image.NEAREST if scale >= 1 else Image.BOX
    base = Image.fromarray(grey, "L").resize((out_w, out_h), resample).convert("RGBA")

    # Footprints: what the pen covers, drawn opaque on a layer that is then laid on lightly.
    colours = _order_colours(len(drawing.strokes))
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    for index, (stroke, widths) in enumerate(zip(drawing.strokes, line_widths(drawing, pen_width=score.pen_width), strict=True)):
        colour = tuple(int(c) for c in colours[index]) + (255,)
        xy = stroke.xy * scale
        radii = widths * scale / 2
        for k in range(len(xy)):
            x, y, r = xy[k, 0], xy[k, 1], radii[k]
            pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            if k + 1 < len(xy):
                pen.line([tuple(xy[k]), tuple(xy[k + 1])], fill=colour, width=max(1, round(radii[k] + radii[k + 1])))
    alpha = np.asarray(layer.getchannel("A"), np.float32) * (75 / 255)
    layer.putalpha(Image.fromarray(alpha.astype(np.uint8), "L"))
    base = Image.alpha_composite(base, layer)

    draw = ImageDraw.Draw(base)
    line = max(2, round(PREVIEW_SIZE / 300))
    dot = 2.5 * line
    font = _font(max(11, round(PREVIEW_SIZE / 50)))
    strokes = drawing.strokes
    for previous, following in pairwise(strokes):
        _dotted(draw, previous.end * scale, following.start * scale, fill=(60, 60, 60, 255), width=max(1, line // 2), gap=3 * line)
    for index, stroke in enumerate(strokes):
        colour = tuple(int(c) for c in colours[index]) + (255,)
        xy = [tuple(p) for p in (stroke.xy * scale).tolist()]
        if len(xy) > 1:
            draw.line(xy, fill=colour, width=line, joint="curve")
        x, y = xy[0]
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=colour, outline=(0, 0, 0, 255), width=1)
        draw.text((x + dot + 1, y - dot - 1), str(index + 1), fill=(0, 0, 0, 255), font=font,
                  stroke_width=2, stroke_fill=(255, 255, 255, 255))

    text = f"IoU {score.iou:.2f}  P {score.precision:.2f}  R {score.recall:.2f}\n" \
           f"Chamfer {score.chamfer:.2f} px  {score.pen_lifts} pen lift{'s' if score.pen_lifts != 1 else ''}"
    # The score in a band above the picture, as wide as the picture or the text.
    box = draw.multiline_textbbox((6, 4), text, font=font, spacing=3)
    band = box[3] + 6
    page = Image.new("RGBA", (max(base.width, box[2] + 6), base.height + band), (255, 255, 255, 255))
    page.paste(base, (0, band))
    ImageDraw.Draw(page).multiline_text((6, 4), text, fill=(0, 0, 0, 255), font=font, spacing=3)
    base = page

    import io

    buffer = io.BytesIO()
    base.convert("RGB").save(buffer, "PNG", optimize=True)
    data = buffer.getvalue()
    if path is None:
        return data
    from strokebot.output import write_bytes

    write_bytes(path, data)
    return None


def _dotted(draw: Any, a: np.ndarray, b: np.ndarray, *, fill: tuple[int, ...], width: int, gap: float) -> None:
    """A dotted line from ``a`` to ``b``: dots ``gap`` pixels apart."""
    length = float(np.hypot(*(b - a)))
    count = max(2, int(length / gap) + 1)
    radius = max(1.0, width * 0.8)
    for t in np.linspace(0, 1, count):
        x, y = a + (b - a) * t
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
