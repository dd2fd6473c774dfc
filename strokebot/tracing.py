"""Tracing: glyph images in, :class:`~strokebot.drawing.Drawing` s out.

The image front end (:mod:`strokebot.imaging`) finds the glyphs; the model, run with numpy, draws
each one:

* a stroke model (the default, :class:`~strokebot.model.strokes.StrokeModel`) draws each glyph at
  its own resolution, stroke by stroke in a person's order and direction; the ink's width along a
  stroke becomes its pressure;
* a one-shot gesture model (``fast=True``, :class:`~strokebot.model.inference.Model`) reads every glyph
  normalised to 28×28 and predicts one pen gesture for it, all glyphs in one batch; the pen-down
  runs of each gesture are mapped back to the source image's pixels. The bundled one was taught by
  the bundled stroke model (its *student*): it draws framed glyphs the way the stroke model does.

Framed 28×28 glyph arrays in bulk (``normalised=True, clean=False``, no refinement; MNIST, say) go
to the student when no model is chosen, tens of thousands a second instead of about a hundred:
:func:`trace_batch`'s ``fast=None``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import ImageError, UsageError
from strokebot.imaging import Frame, Glyph, find_glyphs, ink_map, normalise, read_image
from strokebot.model.inference import FAST_MODEL, GestureArrays, Model, load_model
from strokebot.model.strokes import StrokeModel

__all__ = ["trace", "trace_batch", "prepare_and_trace", "student_of", "Page", "prepare", "gesture_strokes", "PEN_DOWN"]

#: A step leaves ink when its intensity is above this.
PEN_DOWN = 0.5
#: A row of ink no wider than this many times its height is one glyph for the stroke model.
WHOLE_ROW = 1.6
#: Stroke model points closer than this to the line through their neighbours are dropped (pixels).
SIMPLIFY = 0.2


@dataclass
class Page:
    """One input image, ready for the model: its ink and its normalised glyphs."""

    ink: np.ndarray  # (H, W) float32, paper 0
    glyphs: np.ndarray  # (G, S, S) float32 model inputs
    frames: list[Frame]
    boxes: list[tuple[float, float, float, float]]
    name: str = "image"
    meta: dict[str, Any] = field(default_factory=dict)
    crops: list[Glyph] = field(default_factory=list)  # each glyph's own ink, for a stroke model

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.ink.shape[1], self.ink.shape[0]


AnyModel = Model | StrokeModel


def _resolve_model(model: AnyModel | str | Path | None, fast: bool | None = False) -> AnyModel:
    if isinstance(model, (Model, StrokeModel)):
        return model
    if model is None and fast:
        return load_model(FAST_MODEL)
    return load_model(model)


def student_of(model: AnyModel) -> Model | None:
    """The bundled gesture model when it was taught by ``model`` (its drawings are ``model``'s), else None.

    A stroke model retrained without retraining the fast model has no student, so framed glyphs
    are never drawn by a model that learnt from another one's drawings.
    """
    if not isinstance(model, StrokeModel):
        return None
    student = load_model(FAST_MODEL)
    return student if student.metrics.get("teacher") == model.name and student.size == model.size else None


def prepare(
    image: Any,
    *,
    model: AnyModel,
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
    if model.kind == "strokes":
        if normalised:
            crops = [Glyph(box=(0, 0, width, height), ink=ink)]
        else:
            crops = find_glyphs(ink, split=split, cut=False, whole_rows=WHOLE_ROW)
        boxes = [tuple(float(v) for v in g.box) for g in crops]
        return Page(ink, np.zeros((len(crops), 0, 0), np.float32), [], boxes, name=label, crops=crops)  # type: ignore[arg-type]
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
    inputs, frames = zip(*(normalise(g, size=model.size) for g in glyphs), strict=True)
    boxes = [tuple(float(v) for v in g.box) for g in glyphs]
    return Page(ink, np.stack(inputs), list(frames), boxes, name=label)  # type: ignore[arg-type]


def gesture_strokes(gestures: GestureArrays, *, threshold: float = PEN_DOWN) -> list[list[np.ndarray]]:
    """Per gesture, its pen-down runs as (N, 4) arrays (x, y, pressure, intensity), model pixels.

    Step ``k`` moves from position ``k`` to ``k + 1``; a run of pen-down steps ``a..b`` is the stroke
    through positions ``a..b+1``. Each point takes the pressure and intensity of the step leaving
    it; the last point those of the step arriving. A gesture with no step above ``threshold`` draws
    the steps at least halfway from its mean intensity to its largest: every glyph gets strokes.
    """
    runs = _pen_down_runs(gestures, threshold)
    pieces = runs.pieces(runs.points)
    result: list[list[np.ndarray]] = [[] for _ in range(len(gestures.intensity))]
    for owner, points in zip(runs.owner.tolist(), pieces, strict=True):
        result[owner].append(points)
    return result


@dataclass
class _Runs:
    """The pen-down runs of a batch of gestures, all points in one array (see :func:`gesture_strokes`)."""

    points: np.ndarray  # (P, 4) float64: x, y, pressure, intensity of every run, one after another
    owner: np.ndarray  # (K,) the gesture each run belongs to, ascending
    ends: np.ndarray  # (K,) where each run's points end in ``points`` (exclusive)
    point_owner: np.ndarray  # (P,) the gesture each point belongs to

    def pieces(self, points: np.ndarray) -> list[np.ndarray]:
        """``points`` (P, ...) cut into one view per run."""
        bounds = [0, *self.ends.tolist()]
        return [points[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _pen_down_runs(gestures: GestureArrays, threshold: float) -> _Runs:
    """Every pen-down run of every gesture at once: no Python loop over gestures or runs."""
    positions = gestures.positions()  # (B, T+1, 2)
    down = gestures.intensity > threshold  # (B, T)
    # A glyph has ink, so its gesture must draw some: where no step clears the threshold, the
    # steps at least halfway from the gesture's mean intensity to its largest draw.
    silent = ~down.any(axis=1)
    if silent.any():
        quiet = gestures.intensity[silent]
        down[silent] = quiet >= (quiet.mean(axis=1, keepdims=True) + quiet.max(axis=1, keepdims=True)) / 2
    batch, steps = down.shape
    edges = np.zeros((batch, steps + 1), np.int8)
    edges[:, :-1] = down
    edges[:, 1:] -= down  # +1 where a run starts, -1 one step after it ends
    owner, first = np.nonzero(edges == 1)  # row-major: by gesture, then along it
    last = np.nonzero(edges == -1)[1]  # steps [first, last) are pen-down
    counts = last - first + 1  # a run of s steps passes s + 1 positions
    ends = np.cumsum(counts)
    run_of_point = np.repeat(np.arange(len(counts)), counts)  # (P,)
    step = first[run_of_point] + np.arange(int(ends[-1]) if len(ends) else 0) - (ends - counts)[run_of_point]
    point_owner = owner[run_of_point]
    # The last point of a run takes the attributes of the step arriving at it.
    attribute_step = np.minimum(step, last[run_of_point] - 1)
    points = np.empty((len(step), 4))
    points[:, :2] = positions[point_owner, step]
    points[:, 2] = gestures.pressure[point_owner, attribute_step]
    points[:, 3] = gestures.intensity[point_owner, attribute_step]
    return _Runs(points, owner, ends, point_owner)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def _drawings(pages: Sequence[Page], gestures: GestureArrays, model: Model) -> list[Drawing]:
    """One drawing per page from the gestures of all their glyphs, in page order.

    The pen-down runs are found, mapped to each page's pixels and cut into strokes with array
    operations over the whole batch; each :class:`Stroke` is a read-only view into one array.
    """
    runs = _pen_down_runs(gestures, PEN_DOWN)
    frames = [frame for page in pages for frame in page.frames]
    points = runs.points
    if any(f.scale != 1.0 or f.offset != (0.0, 0.0) for f in frames):
        scale = np.array([f.scale for f in frames], np.float64)[runs.point_owner, None]  # (P, 1)
        offset = np.array([f.offset for f in frames], np.float64)[runs.point_owner]  # (P, 2)
        points[:, :2] = points[:, :2] * scale + offset  # as Frame.to_source
    points.flags.writeable = False
    glyph_first = np.cumsum([0] + [len(page.frames) for page in pages])  # first glyph of each page
    glyph_of_run = (runs.owner - glyph_first[np.searchsorted(glyph_first, runs.owner, side="right") - 1]).tolist()
    strokes = [Stroke._unchecked(p, g) for p, g in zip(runs.pieces(points), glyph_of_run, strict=True)]
    run_first = np.searchsorted(runs.owner, glyph_first).tolist()  # first run of each page
    name = model.name
    pen_widths: dict[int, float | None] = {}  # by id(page): the bulk path passes one page many times
    drawings = []
    for k, page in enumerate(pages):
        if id(page) not in pen_widths:
            scales = [f.scale for f in page.frames]
            pen_widths[id(page)] = float(model.pen_width * _median(scales)) if scales else None
        width, height = page.size
        drawings.append(
            Drawing(
                strokes[run_first[k] : run_first[k + 1]],
                width=float(width),
                height=float(height),
                units="px",
                pen_width=pen_widths[id(page)],
                source_size=(width, height),
                model=name,
                glyph_boxes=list(page.boxes),
                meta=dict(page.meta),
            )
        )
    return drawings


def _gestures(model: Model, inputs: np.ndarray, batch_size: int) -> GestureArrays:
    parts = [model.gestures(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)]
    if len(parts) == 1:
        return parts[0]
    return GestureArrays(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("start", "velocity", "pressure", "intensity")))


def trace(
    image: Any,
    *,
    model: AnyModel | str | Path | None = None,
    fast: bool | None = None,
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
        model: a loaded model (:func:`~strokebot.load_model`), a model file, or None for the bundled
            stroke model (``strokebot-default 2.8``).
        fast: with no ``model``, True traces with the bundled one-shot gesture model instead:
            every glyph in one batched model call, tens of thousands of glyphs a second, rougher
            strokes in the stroke model's order and direction (it learnt from its drawings). None
            (the default) uses it only for framed glyph arrays of its size traced as they are
            (``normalised=True, clean=False``, no ``refine``), and only while it is the stroke
            model's student (:func:`student_of`); False never.
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
        fast=fast,
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
    model: AnyModel | str | Path | None = None,
    fast: bool | None = None,
    polarity: str = "auto",
    clean: bool = True,
    split: bool = True,
    normalised: bool = False,
    refine: int = 0,
    max_pixels: int | None = None,
    names: Sequence[str] | None = None,
    batch_size: int = 1024,
    workers: int = 1,
) -> list[Drawing]:
    """Trace many images, running the model on the glyphs of all of them in batches.

    Takes the options of :func:`trace`. Any bad image raises; to skip bad files and go on, trace
    them one by one (as ``strokebot trace FOLDER`` does).

    A dataset of framed glyphs (MNIST: ``normalised=True, clean=False``, arrays of 28×28) with no
    ``model`` is drawn by the stroke model's student, the bundled gesture model that learnt from its
    drawings: tens of thousands of glyphs a second where the stroke model draws about a hundred, in
    its order and direction (``Drawing.model`` names it). ``fast=False`` keeps the stroke model.

    ``workers`` other than 1 traces the images in that many worker processes (0: one per core),
    each a consecutive share of them on one BLAS thread, and gives the same drawings in the same
    order as one process. The stroke model draws glyph by glyph, so on hundreds of images or more
    this scales with the cores; starting the workers costs about half a second. As with anything
    that starts processes, call it under ``if __name__ == "__main__":`` in a script.
    """
    if refine < 0:
        raise UsageError(f"refine must be a number of steps >= 0, got {refine}")
    if workers < 0:
        raise UsageError(f"workers must be a number of processes >= 0 (0: one per core), got {workers}")
    resolved = _resolve_model(model, fast)
    images = list(images)
    if names is not None and len(names) != len(images):
        raise UsageError("names must give one name per image")
    bulk = normalised and not clean and not refine
    bulk = bulk and all(isinstance(i, np.ndarray) and i.shape == (resolved.size, resolved.size) for i in images)
    if bulk and model is None and fast is None:
        resolved = student_of(resolved) or resolved
    if workers != 1 and len(images) > 1:
        options = dict(model=resolved, polarity=polarity, clean=clean, split=split, normalised=normalised,
                       refine=refine, max_pixels=max_pixels, batch_size=batch_size)  # fmt: skip
        return _traced_in_workers(images, names, workers, options)
    if bulk:
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
    return [_refined(d, page, refine) for d, page in zip(_trace_pages(pages, resolved, batch_size), pages, strict=True)]


def _traced_in_workers(images: list[Any], names: Sequence[str] | None, workers: int, options: dict[str, Any]) -> list[Drawing]:
    """:func:`trace_batch` of consecutive shares of ``images`` in worker processes, in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from strokebot.batch import default_jobs, one_thread_workers

    count = min(workers or default_jobs(), len(images))
    if count <= 1:
        return trace_batch(images, names=names, **options)
    bounds = np.linspace(0, len(images), count + 1).round().astype(int).tolist()
    shares = [(images[a:b], None if names is None else list(names[a:b])) for a, b in itertools.pairwise(bounds)]
    # The workers start as the pool's tasks go out, inside one_thread_workers().
    with one_thread_workers(), ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool:
        traced = list(pool.map(partial(_trace_share, options=options), shares))
    return [drawing for share in traced for drawing in share]


def _trace_share(share: tuple[list[Any], list[str] | None], options: dict[str, Any]) -> list[Drawing]:
    images, names = share
    return trace_batch(images, names=names, **options)


def _trace_pages(pages: Sequence[Page], model: AnyModel, batch_size: int) -> list[Drawing]:
    """Run the model on the glyphs of all pages; one drawing per page."""
    if not pages:
        return []
    if isinstance(model, StrokeModel):
        return [_drawn_page(page, model) for page in pages]
    return _drawings(pages, _gestures(model, np.concatenate([p.glyphs for p in pages]), batch_size), model)


def _drawn_page(page: Page, model: StrokeModel) -> Drawing:
    """A page drawn glyph by glyph by a stroke model, in reading order.

    Each stroke's width follows the ink's (twice its radius): the drawing's pen width is the median
    width, and pressure ``p`` draws ``pen_width * (0.5 + p)`` wide.
    """
    from strokebot.drawing import _rdp_keep

    pieces: list[tuple[np.ndarray, np.ndarray, int]] = []
    for index, crop in enumerate(page.crops):
        x0, y0 = crop.box[0], crop.box[1]
        for stroke in model.draw(crop.ink):
            pieces.append((stroke.points + (x0, y0), 2 * np.maximum(stroke.radius, 0.25), index))
    width, height = page.size
    pen_width = float(np.median(np.concatenate([w for _, w, _ in pieces]))) if pieces else None
    strokes = []
    for xy, widths, glyph in pieces:
        points = np.empty((len(xy), 4))
        points[:, :2] = xy
        points[:, 2] = np.clip(widths / pen_width - 0.5, 0.0, 1.0) if pen_width else 0.5
        points[:, 3] = 1.0
        points = points[_rdp_keep(points, SIMPLIFY, 0.1)]
        points.flags.writeable = False
        strokes.append(Stroke._unchecked(points, glyph))
    return Drawing(
        strokes,
        width=float(width),
        height=float(height),
        units="px",
        pen_width=pen_width,
        source_size=(width, height),
        model=model.name,
        glyph_boxes=list(page.boxes),
        meta=dict(page.meta),
    )


def _refined(drawing: Drawing, page: Page, steps: int) -> Drawing:
    if not steps:
        return drawing
    from strokebot.refine import refine

    return refine(drawing, page.ink, steps=steps).drawing


def _trace_normalised_arrays(images: list[np.ndarray], model: AnyModel, polarity: str, batch_size: int) -> list[Drawing]:
    """The bulk path: framed glyph arrays of the model's size, straight into the model."""
    from strokebot.imaging import _split_channels, _to_unit

    size = model.size
    if len({i.dtype for i in images}) == 1:
        stack = _to_unit(np.stack(images), "image")  # (N, S, S) lightness, as _split_channels per image
    else:
        stack = np.stack([_split_channels(np.asarray(i), "image")[0] for i in images])
    border = np.concatenate([stack[:, 0], stack[:, -1], stack[:, :, 0], stack[:, :, -1]], axis=1)  # (N, 4S)
    flip = np.median(border, axis=1) >= 0.5 if polarity == "auto" else np.full(len(stack), polarity == "dark-on-light")
    stack[flip] = 1.0 - stack[flip]
    frame = Frame(scale=1.0, offset=(0.0, 0.0), size=size)
    box = (0.0, 0.0, float(size), float(size))
    if isinstance(model, StrokeModel):
        return [
            _drawn_page(Page(glyph, stack[:0], [frame], [box], crops=[Glyph(box=(0, 0, size, size), ink=glyph)]), model)
            for glyph in stack
        ]
    page = Page(np.zeros((size, size), np.float32), stack[:0], [frame], [box])
    drawings: list[Drawing] = []
    for first in range(0, len(stack), batch_size):  # a batch's strokes share one array; keep it small
        chunk = stack[first : first + batch_size]
        drawings.extend(_drawings([page] * len(chunk), model.gestures(chunk), model))
    return drawings


def prepare_and_trace(
    image: Any, *, model: AnyModel | str | Path | None = None, fast: bool = False, refine: int = 0, **options: Any
) -> tuple[Drawing, np.ndarray]:
    """Trace one image and also return its ink map (what verification and previews compare with).

    Takes the options of :func:`trace`.
    """
    resolved = _resolve_model(model, fast)
    page = prepare(image, model=resolved, **options)
    return _refined(_trace_pages([page], resolved, 1024)[0], page, refine), page.ink
