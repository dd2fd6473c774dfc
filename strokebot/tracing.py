"""Tracing: glyph images in, :class:`~strokebot.drawing.Drawing` s out.

The image front end (:mod:`strokebot.imaging`) finds and normalises the glyphs, the model (run with
numpy, :mod:`strokebot.inference`) predicts a pen gesture per glyph, and the pen-down runs of each
gesture are mapped back to the source image's pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import ImageError, UsageError
from strokebot.imaging import Frame, find_glyphs, ink_map, normalise, read_image
from strokebot.inference import GestureArrays, Model, load_model

__all__ = ["trace", "trace_batch", "prepare_and_trace", "Page", "prepare", "gesture_strokes", "PEN_DOWN"]

#: A step leaves ink when its intensity is above this.
PEN_DOWN = 0.5


@dataclass
class Page:
    """One input image, ready for the model: its ink and its normalised glyphs."""

    ink: np.ndarray  # (H, W) float32, paper 0
    glyphs: np.ndarray  # (G, S, S) float32 model inputs
    frames: list[Frame]
    boxes: list[tuple[float, float, float, float]]
    name: str = "image"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.ink.shape[1], self.ink.shape[0]


def _resolve_model(model: Model | str | Path | None) -> Model:
    if isinstance(model, Model):
        return model
    return load_model(model)


def prepare(
    image: Any,
    *,
    model: Model,
    polarity: str = "auto",
    clean: bool = True,
    split: bool = True,
    normalised: bool = False,
    max_pixels: int | None = None,
    name: str | None = None,
) -> Page:
    """Read ``image`` and cut it into model inputs (see :func:`trace` for the options)."""
    label = name or (str(image) if isinstance(image, (str, Path)) else "image")
    lightness, opacity = read_image(image, max_pixels=max_pixels, name=label)
    ink = ink_map(lightness, opacity, polarity=polarity, clean=clean, label=label)
    height, width = ink.shape
    if normalised:
        if height != width:
            raise ImageError(f"{label}: a normalised input must be square, got {width}x{height}")
        from PIL import Image

        glyph = ink if width == model.size else np.asarray(
            Image.fromarray(ink, "F").resize((model.size, model.size), Image.BILINEAR), np.float32
        )
        frame = Frame(scale=width / model.size, offset=(0.0, 0.0), size=model.size)
        return Page(ink, glyph[None], [frame], [(0.0, 0.0, float(width), float(height))], name=label)
    glyphs = find_glyphs(ink, split=split)
    inputs, frames = zip(*(normalise(g, size=model.size) for g in glyphs))
    boxes = [tuple(float(v) for v in g.box) for g in glyphs]
    return Page(ink, np.stack(inputs), list(frames), boxes, name=label)  # type: ignore[arg-type]


def gesture_strokes(gestures: GestureArrays, *, threshold: float = PEN_DOWN) -> list[list[np.ndarray]]:
    """Per gesture, its pen-down runs as (N, 4) arrays (x, y, pressure, intensity), model pixels.

    Step ``k`` moves from position ``k`` to ``k + 1``; a run of pen-down steps ``a..b`` is the stroke
    through positions ``a..b+1``. Each point takes the pressure and intensity of the step leaving
    it; the last point those of the step arriving.
    """
    positions = gestures.positions()  # (B, T+1, 2)
    down = gestures.intensity > threshold  # (B, T)
    result: list[list[np.ndarray]] = []
    for b in range(len(down)):
        edges = np.diff(np.concatenate([[0], down[b].astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # steps [a, e)
        strokes = []
        for a, e in zip(starts, ends):
            points = np.empty((e - a + 1, 4))
            points[:, :2] = positions[b, a : e + 1]
            points[:-1, 2], points[-1, 2] = gestures.pressure[b, a:e], gestures.pressure[b, e - 1]
            points[:-1, 3], points[-1, 3] = gestures.intensity[b, a:e], gestures.intensity[b, e - 1]
            strokes.append(points)
        result.append(strokes)
    return result


def _assemble(page: Page, strokes: Sequence[list[np.ndarray]], model: Model) -> Drawing:
    result: list[Stroke] = []
    for index, (glyph_strokes, frame) in enumerate(zip(strokes, page.frames)):
        for points in glyph_strokes:
            mapped = points.copy()
            mapped[:, :2] = frame.to_source(points[:, :2])
            result.append(Stroke(mapped, glyph=index))
    width, height = page.size
    scales = [f.scale for f in page.frames]
    return Drawing(
        result,
        width=float(width),
        height=float(height),
        units="px",
        pen_width=float(model.pen_width * np.median(scales)) if scales else None,
        source_size=(width, height),
        model=model.name,
        glyph_boxes=list(page.boxes),
        meta=dict(page.meta),
    )


def _gestures(model: Model, inputs: np.ndarray, batch_size: int) -> GestureArrays:
    parts = [model.gestures(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)]
    if len(parts) == 1:
        return parts[0]
    return GestureArrays(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("start", "velocity", "pressure", "intensity")))


def trace(
    image: Any,
    *,
    model: Model | str | Path | None = None,
    polarity: str = "auto",
    clean: bool = True,
    split: bool = True,
    normalised: bool = False,
    refine: int = 0,
    max_pixels: int | None = None,
    name: str | None = None,
) -> Drawing:
    """Trace the glyphs of ``image`` into strokes.

    Args:
        image: a path, a PIL image, or an array (H, W) / (H, W, C) of uint8, uint16, float or bool.
        model: a :class:`~strokebot.inference.Model`, a model file, or None for the bundled model.
        polarity: ``"auto"``, ``"dark-on-light"`` (scans, photos) or ``"light-on-dark"`` (MNIST).
        clean: remove background shading, paper texture and specks.
        split: find the separate glyphs of a word or a line; False traces all ink as one glyph.
        normalised: the image is already a glyph framed as the model's training data (an MNIST
            digit, say): skip finding and centring glyphs.
        refine: Adam steps that fit the strokes to the image itself (0: the model's guess as is).
        max_pixels: refuse larger images (default :data:`strokebot.imaging.MAX_PIXELS`).
        name: how the image is named in messages.

    Returns:
        The strokes in the image's pixels (origin top-left, y down), pen-down runs only.

    Raises:
        ImageError: unreadable image, no ink, all ink.
        ResourceError: the image exceeds ``max_pixels``.
        ModelError: the model file is missing or damaged.

    >>> import numpy as np, strokebot
    >>> image = np.zeros((28, 28), np.uint8); image[6:22, 13:15] = 255  # a "1", white on black
    >>> drawing = strokebot.trace(image)
    >>> drawing.units, drawing.width, len(drawing.strokes) >= 1
    ('px', 28.0, True)
    """
    return trace_batch(
        [image],
        model=model,
        polarity=polarity,
        clean=clean,
        split=split,
        normalised=normalised,
        refine=refine,
        max_pixels=max_pixels,
        names=None if name is None else [name],
    )[0]


def trace_batch(
    images: Iterable[Any],
    *,
    model: Model | str | Path | None = None,
    polarity: str = "auto",
    clean: bool = True,
    split: bool = True,
    normalised: bool = False,
    refine: int = 0,
    max_pixels: int | None = None,
    names: Sequence[str] | None = None,
    batch_size: int = 1024,
) -> list[Drawing]:
    """Trace many images, running the model on the glyphs of all of them in batches.

    Takes the options of :func:`trace`. Any bad image raises; to skip bad files and go on, trace
    them one by one (as ``strokebot trace FOLDER`` does).
    """
    if refine < 0:
        raise UsageError(f"refine must be a number of steps >= 0, got {refine}")
    resolved = _resolve_model(model)
    images = list(images)
    if names is not None and len(names) != len(images):
        raise UsageError("names must give one name per image")
    bulk = normalised and not clean and not refine
    if bulk and all(isinstance(i, np.ndarray) and i.shape == (resolved.size, resolved.size) for i in images):
        return _trace_normalised_arrays(images, resolved, polarity, batch_size)
    pages = [
        prepare(
            image,
            model=resolved,
            polarity=polarity,
            clean=clean,
            split=split,
            normalised=normalised,
            max_pixels=max_pixels,
            name=None if names is None else names[i],
        )
        for i, image in enumerate(images)
    ]
    return [_refined(d, page, refine) for d, page in zip(_trace_pages(pages, resolved, batch_size), pages)]


def _trace_pages(pages: Sequence[Page], model: Model, batch_size: int) -> list[Drawing]:
    """Run the model on the glyphs of all pages at once; one drawing per page."""
    if not pages:
        return []
    strokes = gesture_strokes(_gestures(model, np.concatenate([p.glyphs for p in pages]), batch_size))
    drawings, first = [], 0
    for page in pages:
        count = len(page.glyphs)
        drawings.append(_assemble(page, strokes[first : first + count], model))
        first += count
    return drawings


def _refined(drawing: Drawing, page: Page, steps: int) -> Drawing:
    if not steps:
        return drawing
    from strokebot.refine import refine

    return refine(drawing, page.ink, steps=steps).drawing


def _trace_normalised_arrays(images: list[np.ndarray], model: Model, polarity: str, batch_size: int) -> list[Drawing]:
    """The bulk path: framed glyph arrays of the model's size, straight into the model."""
    from strokebot.imaging import _split_channels

    size = model.size
    stack = np.stack([_split_channels(np.asarray(i), "image")[0] for i in images])  # (N, S, S) lightness
    border = np.concatenate([stack[:, 0], stack[:, -1], stack[:, :, 0], stack[:, :, -1]], axis=1)  # (N, 4S)
    flip = np.median(border, axis=1) >= 0.5 if polarity == "auto" else np.full(len(stack), polarity == "dark-on-light")
    stack[flip] = 1.0 - stack[flip]
    strokes = gesture_strokes(_gestures(model, stack.astype(np.float32), batch_size))
    frame = Frame(scale=1.0, offset=(0.0, 0.0), size=size)
    page = Page(np.zeros((size, size), np.float32), stack[:0], [frame], [(0.0, 0.0, float(size), float(size))])
    return [_assemble(page, [s], model) for s in strokes]


def prepare_and_trace(image: Any, *, model: Model | str | Path | None = None, refine: int = 0, **options: Any) -> tuple[Drawing, np.ndarray]:
    """Trace one image and also return its ink map (what verification and previews compare with).

    Takes the options of :func:`trace`.
    """
    resolved = _resolve_model(model)
    page = prepare(image, model=resolved, **options)
    return _refined(_trace_pages([page], resolved, 1024)[0], page, refine), page.ink
