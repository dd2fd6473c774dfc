"""The image front end: any picture of glyphs in, normalised glyph images and their frames out.

numpy and Pillow only (no scipy: tracing one file must start fast). The steps, each a function:

1. :func:`read_image` — a path, a PIL image or an array to float lightness and opacity.
2. :func:`ink_map` — ink in 0..1 (paper 0): polarity detected (dark ink on light paper, or light on
   dark as MNIST), uneven lighting and paper texture of a photo or scan removed, specks dropped.
3. :func:`find_glyphs` — connected components grouped into glyphs (the dot of an i and the bar of a
   t stay with their glyph; words of two lines that nearly touch do not), in reading order,
   over-wide runs of joined writing cut into pieces.
4. :func:`normalise` — each glyph as the model saw its training data (MNIST's fit into 20×20 with
   the centre of mass at the middle of 28×28), with the exact affine :class:`Frame` back to the image.
"""

from __future__ import annotations

import itertools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from strokebot.errors import ImageError, ResourceError, UsageError
from strokebot.paths import readable_file, reason

__all__ = [
    "MAX_PIXELS",
    "MAX_MARKS",
    "Frame",
    "Glyph",
    "read_image",
    "ink_map",
    "find_glyphs",
    "normalise",
    "label_components",
    "stroke_width",
]

#: Largest image traced by default, in pixels; ``STROKEBOT_MAX_PIXELS`` or ``max_pixels=`` raise it.
#: Tracing takes at most about 25 bytes of memory per pixel (1 GB at this cap) and seconds of time.
MAX_PIXELS = 40_000_000

#: Most separate marks (connected pieces of ink, after cleaning) an image may split into; more is
#: noise or a stipple, whose grouping and tracing would take minutes. ``STROKEBOT_MAX_MARKS`` raises it.
MAX_MARKS = 10_000


def _cap(variable: str, default: int) -> int:
    """A cap from the environment variable ``variable`` if set, else ``default``."""
    text = os.environ.get(variable)
    if text is None:
        return default
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(f"{variable} must be a positive whole number, got {text!r}")
    return value

POLARITIES = ("auto", "dark-on-light", "light-on-dark")

#: Cleaning subtracts the background (shadows, uneven light) but not where it is this share of the
#: ink's own level or darker: that is ink too wide for the background's window (a fat pen's corner).
#: Phone photos' shade reaches about 0.4 of their ink (the samples).
BLOB_SHARE = 0.6

#: The Pillow decoders a file may be read with (JPEG takes phone cameras' MPO files too). The others
#: stay off: some (EPS) run external programs on the file, whose time and memory nothing bounds.
READABLE_FORMATS = ("PNG", "JPEG", "BMP", "DIB", "TIFF", "GIF", "WEBP", "PPM")


# -- reading ---------------------------------------------------------------------------------------


def read_image(source: Any, *, max_pixels: int | None = None, name: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``source`` as (lightness, opacity), float32 (H, W) arrays in 0..1 (opacity None if opaque).

    ``source`` is a path, a PIL image, or an array (H, W) or (H, W, C) with C in 1..4 of uint8,
    uint16, float (0..1) or bool. Colour is reduced to luminance; an alpha channel is kept apart.

    Raises:
        ImageError: the file is missing, empty, truncated, not an image, or smaller than 2×2.
        ResourceError: the image has more than ``max_pixels`` pixels.
    """
    limit = _cap("STROKEBOT_MAX_PIXELS", MAX_PIXELS) if max_pixels is None else max_pixels
    label = name or (str(source) if isinstance(source, (str, Path)) else "image")
    if isinstance(source, (str, Path)):
        array = _read_file(Path(source), limit)
    elif isinstance(source, Image.Image):
        _check_size(label, source.width, source.height, limit)
        array = _pil_to_array(source, label)
    else:
        array = np.asarray(source)
    lightness, opacity = _split_channels(array, label)
    height, width = lightness.shape
    _check_size(label, width, height, limit)
    if height < 2 or width < 2:
        raise ImageError(f"{label}: image is {width}x{height} pixels; too small to trace")
    return lightness, opacity


def _check_size(label: str, width: int, height: int, limit: int) -> None:
    if width * height > limit:
        raise ResourceError(
            f"{label}: image is {width}x{height} = {width * height / 1e6:.3g} megapixels, over the "
            f"{limit / 1e6:g}-megapixel cap (raise it with --max-pixels or STROKEBOT_MAX_PIXELS)"
        )


def _read_file(path: Path, limit: int) -> np.ndarray:
    info = readable_file(path, what="image", error=ImageError)  # a pipe or a device could block or never end
    if info.st_size == 0:
        raise ImageError(f"{path}: file is empty")
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below); read as decoded, never whole
    except OSError as error:
        raise ImageError(f"{path}: {reason(error)}") from None
    try:
        with handle, warnings.catch_warnings():
            # Pillow warns above 89 megapixels (the cap below is what decides) and about damaged
            # metadata (the pixels decode, or the error says so): neither is news to the user.
            warnings.simplefilter("ignore")
            with Image.open(handle, formats=READABLE_FORMATS) as image:
                _check_size(str(path), image.width, image.height, limit)
                image.load()
                return _pil_to_array(image, str(path))
    except Image.DecompressionBombError:
        most = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise ResourceError(
            f"{path}: image is over {most / 1e6:.0f} megapixels, more than Pillow decodes safely"
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageError(f"{path}: not an image, or a format strokebot cannot read (PNG, JPEG, BMP, TIFF, GIF, WebP, PNM)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"{path}: damaged or truncated image ({error})") from None


def _pil_to_array(image: Image.Image, label: str) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(image, dtype=np.uint16)
    if mode == "I":
        array = np.asarray(image, dtype=np.int64)
        return (np.clip(array, 0, 65535)).astype(np.uint16)
    if mode == "F":
        return np.asarray(image, dtype=np.float32)
    if mode == "1":
        return np.asarray(image.convert("L"))
    if mode in ("L", "LA", "RGB", "RGBA"):
        return np.asarray(image)
    if "A" in mode or "transparency" in image.info:
        return np.asarray(image.convert("RGBA"))
    try:
        return np.asarray(image.convert("RGB"))
    except (ValueError, OSError) as error:
        raise ImageError(f"{label}: unsupported image mode {mode} ({error})") from None


def _split_channels(array: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray | None]:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (2, 3, 4)):
        raise ImageError(f"{label}: expected an image of shape (H, W) or (H, W, 1..4), got {array.shape}")
    if array.ndim == 2:
        return _to_unit(array, label), None
    # One channel at a time: a float copy of all channels of a 40-megapixel photo would be 480 MB.
    channels = array.shape[2]
    colour = channels - 1 if channels in (2, 4) else channels
    if colour == 3:
        lightness = np.zeros(array.shape[:2], np.float32)
        for channel, weight in enumerate((0.299, 0.587, 0.114)):
            values = _to_unit(array[..., channel], label)
            values *= np.float32(weight)
            lightness += values
    else:
        lightness = _to_unit(array[..., 0], label)
    alpha = _to_unit(array[..., -1], label) if colour < channels else None
    if alpha is not None and alpha.min() >= 1.0:
        alpha = None
    return lightness, alpha


def _to_unit(array: np.ndarray, label: str) -> np.ndarray:
    """``array`` as a new float32 array in 0..1."""
    kind = array.dtype.kind
    if kind == "b":
        return array.astype(np.float32)
    if kind == "u" or kind == "i":
        values = array.astype(np.float32)
        values /= 255.0 if array.dtype.itemsize == 1 else 65535.0
    elif kind == "f":
        if not np.isfinite(array).all():
            raise ImageError(f"{label}: image holds NaN or infinite values")
        values = np.empty(array.shape, np.float32)  # clipped before the cast: 1e300 is 1, not inf
        return np.clip(array, 0, 1, out=values, casting="same_kind")
    else:
        raise ImageError(f"{label}: unsupported pixel type {array.dtype}")
    return np.clip(values, 0, 1, out=values)


# -- ink -------------------------------------------------------------------------------------------


def ink_map(
    lightness: np.ndarray,
    opacity: np.ndarray | None = None,
    *,
    polarity: str = "auto",
    clean: bool = True,
    label: str = "image",
) -> np.ndarray:
    """Ink in 0..1 (paper 0), float32 (H, W).

    ``polarity`` is ``"auto"`` (paper is what covers most of the border), ``"dark-on-light"`` (a scan
    or photo) or ``"light-on-dark"`` (MNIST). Transparent pixels are paper. With ``clean``, slowly
    varying background (shadows, uneven light) is subtracted, contrast is stretched so that ink is 1,
    paper texture below the ink/paper threshold is zeroed, and specks smaller than a pen dot dropped.

    Raises:
        UsageError: unknown ``polarity``.
        ImageError: no ink found, or the image is all ink.
    """
    if polarity not in POLARITIES:
        raise UsageError(f"unknown polarity {polarity!r} (known: {', '.join(POLARITIES)})")
    if opacity is not None and _transparent_border(opacity):
        # Strokes on a transparent sheet: what is opaque is the ink, whatever its colour, unless the
        # opaque part is itself a card with ink on it.
        opaque = lightness[opacity > 0.5]
        if opaque.size == 0 or float(opaque.std()) < 0.15:
            ink = opacity
        else:
            ink = opacity * (lightness if polarity == "light-on-dark" or (polarity == "auto" and _median(opaque) < 0.5) else 1.0 - lightness)
    else:
        if polarity == "auto":
            polarity = "light-on-dark" if _paper_level(lightness, opacity) < 0.5 else "dark-on-light"
        ink = lightness if polarity == "light-on-dark" else 1.0 - lightness
        if opacity is not None:
            ink = ink * opacity
    ink = np.asarray(ink, np.float32)
    inked = float(np.count_nonzero(ink > 0.5)) / ink.size  # before cleaning, which takes a page of ink for shade
    if clean:
        owned = not np.may_share_memory(ink, lightness) and (opacity is None or not np.may_share_memory(ink, opacity))
        ink = _clean(ink if owned else ink.copy(), label)
    _check_ink(ink, label, inked)
    return ink


def _median(values: np.ndarray) -> float:
    """The median, without np.median (which imports numpy.ma: 10 ms of every trace's start)."""
    flat = np.ravel(values)
    half = len(flat) // 2
    part = np.partition(flat, [half - 1, half] if len(flat) % 2 == 0 and half else [half])
    return float(part[half]) if len(flat) % 2 else float((part[half - 1] + part[half]) / 2)


def _rank_filter(values: np.ndarray, window: int, reduce: Any) -> np.ndarray:
    """Square min or max filter (``reduce`` np.min or np.max) with edges repeated, as Pillow's
    MinFilter/MaxFilter, in two 1-D passes: the cost grows with the window, not its square."""
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    rows = reduce(np.lib.stride_tricks.sliding_window_view(padded, window, axis=0), axis=-1)
    return reduce(np.lib.stride_tricks.sliding_window_view(rows, window, axis=1), axis=-1)


def _border(shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    band = max(1, min(height, width) // 20)
    ring = np.ones(shape, bool)
    ring[band:-band, band:-band] = False
    return ring


def _transparent_border(opacity: np.ndarray) -> bool:
    return _median(opacity[_border(opacity.shape)]) < 0.5


def _paper_level(lightness: np.ndarray, opacity: np.ndarray | None) -> float:
    """Median lightness of the border (opaque pixels only), where paper nearly always is."""
    ring = _border(lightness.shape)
    if opacity is not None:
        ring &= opacity > 0.5
    return _median(lightness[ring]) if ring.any() else 1.0


def _check_ink(ink: np.ndarray, label: str, inked: float = 0.0) -> None:
    """Refuse a page without ink, or all ink (``inked``: the share of ink before cleaning)."""
    mask = ink > 0.5
    if mask.mean() > 0.75 or (inked > 0.75 and not mask.any()):
        raise ImageError(f"{label}: the image is nearly all ink; nothing to trace (try --polarity)")
    if not mask.any():
        raise ImageError(f"{label}: no ink found (an empty page? try --polarity)")


def _clean(ink: np.ndarray, label: str) -> np.ndarray:
    """The cleaned ink; works in place on ``ink``, which the caller gives up."""
    height, width = ink.shape
    # Background: a grey opening (min then max filter) wider than any stroke removes the ink and
    # keeps shadows and paper tone; done on a reduced copy, since background varies slowly.
    if min(height, width) >= 48:
        factor = max(1, min(height, width) // 96)
        small = Image.fromarray(ink, "F").reduce(factor) if factor > 1 else Image.fromarray(ink, "F")
        window = max(3, (min(small.size) // 6) | 1)
        reduced = np.asarray(small, np.float32)
        opened = _rank_filter(_rank_filter(reduced, window, np.min), window, np.max)
        # Ink wider than the window (a fat pen's filled corner, a dot as big as a letter) survives
        # the opening too, but no shade is nearly as dark as the ink on it: where the opening
        # reaches BLOB_SHARE of the ink's level, it is ink, and the paper there is as the rest.
        blob = opened > BLOB_SHARE * _ink_levels(reduced)[1]
        if blob.any():
            blob = _rank_filter(blob.astype(np.float32), 5, np.max) > 0  # with its anti-aliased rim
            opened[blob] = _median(opened[~blob]) if not blob.all() else 0.0
        background = Image.fromarray(_rank_filter(opened, 3, np.max), "F")
        # Scaled up and subtracted a band of rows at a time, so no full-size copy of it is made.
        band = max(1, 2**20 // width)
        small_width, small_height = background.size
        for y0 in range(0, height, band):
            y1 = min(height, y0 + band)
            box = (0, y0 * small_height / height, small_width, y1 * small_height / height)
            ink[y0:y1] -= np.asarray(background.resize((width, y1 - y0), Image.BILINEAR, box=box), np.float32)
        np.clip(ink, 0, 1, out=ink)
    low, high = np.percentile(ink, [1, 99.99])
    if high - low < 0.1:  # no contrast anywhere: a blank page
        return np.zeros_like(ink)
    threshold, top = _ink_levels(ink)
    floor = min(threshold * 0.6, 0.5 * top)
    if top - floor < 0.08:  # no contrast between ink and paper: leave it to _check_ink
        return np.zeros_like(ink) if top < 0.15 else ink
    ink -= floor
    ink /= top - floor
    return _drop_specks(np.clip(ink, 0, 1, out=ink))


def _ink_levels(ink: np.ndarray) -> tuple[float, float]:
    """The ink/paper threshold (Otsu's, over the pixels with any ink) and the ink's level (the 90th
    percentile of the pixels above it; 1 where none are)."""
    levels = ink[ink > 0.02]
    if not levels.size:
        return 0.5, 1.0
    threshold = _otsu(levels)
    strong = levels[levels > threshold]
    return threshold, float(np.percentile(strong, 90)) if strong.size else 1.0


def _otsu(values: np.ndarray) -> float:
    histogram, edges = np.histogram(values, bins=64, range=(0, 1))
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * centres)
    total, total_mean = weight[-1], mean[-1]
    between = (total_mean * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    return float(centres[int(np.argmax(between[:-1]))])


def _drop_specks(ink: np.ndarray) -> np.ndarray:
    mask = ink > 0.5
    labels, count = label_components(mask)
    if count < 2:
        return ink
    areas = np.bincount(labels[mask], weights=ink[mask], minlength=count + 1)[1:]
    width = stroke_width(ink)
    # Specks: smaller than a third of a pen dot, or (for many tiny ones) a hundredth of the biggest.
    small = (areas < 0.35 * width * width) | (areas < 0.01 * areas.max())
    if not small.any():
        return ink
    keep = np.concatenate([[0], ~small]).astype(np.uint8)[labels] * np.uint8(255)  # 255 where kept ink
    del labels
    # Pixels next to a kept component belong to its anti-aliased edge; keep those too.
    near = np.asarray(Image.fromarray(keep).filter(ImageFilter.MaxFilter(3)))
    ink[near == 0] = 0
    return ink


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels: twice the ink's area over its edge length."""
    mask = ink > 0.5
    area = float(ink.sum())
    edges = np.count_nonzero(mask[1:] != mask[:-1]) + np.count_nonzero(mask[:, 1:] != mask[:, :-1])
    edges += np.count_nonzero(mask[0]) + np.count_nonzero(mask[-1]) + np.count_nonzero(mask[:, 0]) + np.count_nonzero(mask[:, -1])
    return max(1.0, 2.0 * area / max(edges, 1))


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean (H, W) mask: (labels int32 with 0 for background, count).

    Runs of each row are joined with the runs they touch in the row above, by a vectorised
    union-find over runs, so the cost grows with the number of runs, not pixels, and no Python
    loop runs per run (a page of salt noise has millions of them). Labels are numbered in
    row-major order of each component's first pixel.
    """
    height, width = mask.shape
    rows, starts, ends = _runs(mask)
    count = len(starts)
    labels = np.zeros((height, width), np.int32)
    if count == 0:
        return labels, 0
    # Run k (row r, [s, e)) touches run j of row r - 1 (8-connected) when s_j <= e_k and e_j >= s_k.
    # Keys make the row-major order of runs one sorted axis, so one searchsorted finds them all.
    stride = width + 2
    start_keys, end_keys = rows * stride + starts, rows * stride + ends
    first = np.searchsorted(end_keys, (rows - 1) * stride + starts, side="left")
    last = np.searchsorted(start_keys, (rows - 1) * stride + ends, side="right")
    touching = np.maximum(last - first, 0)
    a = np.repeat(np.arange(count), touching)
    b = np.repeat(first, touching) + (np.arange(len(a)) - np.repeat(np.cumsum(touching) - touching, touching))
    roots = _union(count, a, b)
    _, compact = np.unique(roots, return_inverse=True)
    labels[mask] = np.repeat(compact.astype(np.int32) + 1, ends - starts)  # ink pixels are in run order
    return labels, int(compact.max()) + 1


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The horizontal runs of a mask in row-major order: (row, start, end exclusive), int64 each."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), np.int8)
    padded[:, 1:-1] = mask
    change = np.diff(padded, axis=1)
    rows, starts = np.nonzero(change == 1)
    _, ends = np.nonzero(change == -1)  # same order as starts (row-major)
    return rows, starts, ends


def _union(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The root (smallest member) of each of ``count`` items joined by the edges ``a``-``b``.

    Roots are hooked under the smallest root they touch, then paths are halved until every item
    points at its root; a few rounds suffice, each vectorised over all edges.
    """
    parent = np.arange(count)
    while True:
        while True:  # pointer jumping until every item points at a root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        pa, pb = parent[a], parent[b]
        differ = pa != pb
        if not differ.any():
            return parent
        a, b, pa, pb = a[differ], b[differ], pa[differ], pb[differ]
        np.minimum.at(parent, np.maximum(pa, pb), np.minimum(pa, pb))


# -- glyphs ----------------------------------------------------------------------------------------


@dataclass
class Glyph:
    """One glyph of a page: its box (x0, y0, x1, y1; pixel edges, x1/y1 exclusive) and ink."""

    box: tuple[int, int, int, int]
    ink: np.ndarray  # (y1 - y0, x1 - x0) float32, other glyphs' ink removed

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def find_glyphs(ink: np.ndarray, *, split: bool = True, cut: bool = True, whole_rows: float = 0.0) -> list[Glyph]:
    """The glyphs of a page, in reading order (rows top to bottom, left to right in a row).

    With ``split`` False the whole ink is one glyph. Otherwise connected components are grouped:
    components overlapping in x within a row (a dot over its stem) form one glyph; two that other
    words show to lie in two lines do not (:func:`_one_glyph`). With ``cut``, a
    glyph far wider than its row is tall (joined-up writing) is cut at the columns with least ink
    (the one-shot model's 28-pixel frame cannot hold a word). A row no wider than ``whole_rows``
    times its height is one glyph: a character whose strokes do not touch (小, ハ) stays whole.

    Raises:
        ResourceError: the ink falls apart into more than :data:`MAX_MARKS` pieces.
    """
    mask = ink > 0.5
    if not split:
        box = _bbox(mask)
        return [Glyph(box=box, ink=ink[box[1] : box[3], box[0] : box[2]].copy())]
    labels, count = label_components(mask)
    if count == 0:
        return []
    limit = _cap("STROKEBOT_MAX_MARKS", MAX_MARKS)
    if count > limit:
        raise ResourceError(
            f"the ink falls apart into {count:,} separate marks, over the cap of {limit:,} (noise or a "
            f"stipple? trace it whole with --no-split, or raise STROKEBOT_MAX_MARKS)"
        )
    groups = _group_by_overlap(_boxes_of(labels, count), pen=stroke_width(ink))
    glyphs: list[Glyph] = []
    for row in _rows(groups):
        row_height = max(b[3] for _, b in row) - min(b[1] for _, b in row)
        row_width = max(b[2] for _, b in row) - min(b[0] for _, b in row)
        if row_width <= whole_rows * row_height:
            box = (min(b[0] for _, b in row), min(b[1] for _, b in row), max(b[2] for _, b in row), max(b[3] for _, b in row))
            row = [([m for members, _ in row for m in members], box)]
        for members, (x0, y0, x1, y1) in sorted(row, key=lambda g: g[1][0]):
            own = np.isin(labels[y0:y1, x0:x1], np.asarray(members) + 1)
            pieces = _cut_wide(ink[y0:y1, x0:x1], own, row_height) if cut else [(0, 0, x1 - x0, y1 - y0)]
            for a, top, b, bottom in pieces:
                glyphs.append(_glyph(ink, own[top:bottom, a:b], (x0 + a, y0 + top, x0 + b, y0 + bottom)))
    return glyphs


def _glyph(ink: np.ndarray, own: np.ndarray, box: tuple[int, int, int, int]) -> Glyph:
    """The glyph in ``box`` whose own components are ``own`` (a mask of the box)."""
    x0, y0, x1, y1 = box
    if not own.all():
        # Keep the anti-aliased rim of this glyph's own ink, nothing of its neighbours.
        own = np.asarray(Image.fromarray(own.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(3))) > 0
    return Glyph(box=box, ink=np.where(own, ink[y0:y1, x0:x1], 0).astype(np.float32))


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def _boxes_of(labels: np.ndarray, count: int) -> list[tuple[int, int, int, int]]:
    rows, starts, ends = _runs(labels > 0)
    ids = labels[rows, starts] - 1
    x0 = np.full(count, np.iinfo(np.int64).max)
    y0 = x0.copy()
    x1 = np.full(count, -1)
    y1 = x1.copy()
    np.minimum.at(x0, ids, starts)
    np.minimum.at(y0, ids, rows)
    np.maximum.at(x1, ids, ends)
    np.maximum.at(y1, ids, rows + 1)
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(x0, y0, x1, y1, strict=True)]


def _group_by_overlap(boxes: list[tuple[int, int, int, int]], pen: float = 1.0) -> list[tuple[list[int], tuple[int, int, int, int]]]:
    """Merge components whose x-ranges overlap by half the narrower one (and that are near in y),
    unless they are words of two lines (:func:`_one_glyph`; ``pen`` the stroke width).

    Pairs are merged in the order of a left-to-right scan that starts over after each merge, with
    the work of starting over limited to what the merge can change, so a page of thousands of
    marks takes a fraction of a second.
    """
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    box = np.array([boxes[i] for i in order], np.int64).reshape(-1, 4)  # x0, y0, x1, y1 by x0
    members = [[i] for i in order]
    alive = np.ones(len(order), bool)

    def stacked(i: int, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Of ``others``, the groups above or below i that overlap it in x; and the gaps."""
        a, b = box[i], box[others]
        overlap = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0])
        narrower = np.minimum(a[2] - a[0], b[:, 2] - b[:, 0])
        gap_y = np.maximum(a[1], b[:, 1]) - np.minimum(a[3], b[:, 3])
        tallest = np.maximum(a[3] - a[1], b[:, 3] - b[:, 1])
        near = alive[others] & (overlap >= 0.5 * narrower) & (gap_y <= 0.8 * tallest)
        return others[near], gap_y[near]

    def partners(i: int, others: np.ndarray) -> np.ndarray:
        found, _ = stacked(i, others)
        return np.array([j for j in found.tolist() if _one_glyph(box, alive, i, j, stacked, pen)], np.int64)

    def merge(i: int, j: int) -> None:
        box[i, :2] = np.minimum(box[i, :2], box[j, :2])
        box[i, 2:] = np.maximum(box[i, 2:], box[j, 2:])
        members[i] += members[j]
        alive[j] = False

    i = 0
    while i < len(order):
        if not alive[i]:
            i += 1
            continue
        reach = int(np.searchsorted(box[:, 0], box[i, 2], side="left"))  # groups starting left of i's end
        found = partners(i, np.arange(i + 1, max(reach, i + 1)))
        if not len(found):
            i += 1
            continue
        merge(i, int(found[0]))
        # Groups before i had no partner; now only the grown i can be one, for those reaching it.
        while True:
            earlier = np.flatnonzero(alive[:i] & (box[:i, 2] > box[i, 0]))
            found = partners(i, earlier)
            if not len(found):
                break
            h = int(found[0])
            merge(h, i)
            i = h
    return [(members[i], tuple(int(v) for v in box[i])) for i in np.flatnonzero(alive)]  # type: ignore[misc]


#: Two parts one above the other are two lines of writing only when the line beside one of them
#: runs at least this many times the taller part's height.
LINE_LENGTH = 5.0


def _one_glyph(box: np.ndarray, alive: np.ndarray, i: int, j: int, stacked: Any, pen: float) -> bool:
    """Whether groups i and j, one above the other, are parts of one glyph rather than of two lines.

    A dot or a bar (no taller than three pen widths: the dot of an i, an accent, the bar of a t)
    goes with the part it is nearest among those it overlaps (a dot just under a word of the line
    above is the dot of the i below). Two larger parts are two lines of writing when the page says
    so: parts taller than three pen widths sit level with one of them (across the middle half of
    its height) and clear of the other (no vertical overlap), and with it run :data:`LINE_LENGTH` times
    the taller part's height across the page — the next letters and words of a line — and nothing
    beside them stands as tall as both (a neighbour in a row of characters does). Otherwise they are
    one glyph: a character's parts (宀 over 子) have no line beside them.
    """
    height = box[:, 3] - box[:, 1]
    centre = (box[:, 1] + box[:, 3]) / 2
    tall = alive & (height > 3 * pen)  # a part of writing, not a dot or a bar
    tall[[i, j]] = False

    def in_a_line(one: int, other: int) -> bool:
        core = (box[one, 1] + 3 * box[one, 3]) / 4, (3 * box[one, 1] + box[one, 3]) / 4  # its middle half
        level = tall & (box[:, 1] <= core[0]) & (box[:, 3] >= core[1])
        clear = (box[:, 3] <= box[other, 1]) | (box[:, 1] >= box[other, 3])
        beside = np.flatnonzero(level & clear).tolist()
        line = beside + [one]
        return bool(beside) and box[line, 2].max() - box[line, 0].min() >= LINE_LENGTH * max(height[i], height[j])

    if min(height[i], height[j]) <= 3 * pen:  # a dot or a bar: the part it is nearest
        small = i if height[i] <= height[j] else j
        hosts, gaps = stacked(small, np.flatnonzero(alive & (np.arange(len(box)) != small)))
        # Level gaps go to the host below (a dot sits above its letter).
        nearest = min(zip(gaps.tolist(), (-box[hosts, 1]).tolist(), hosts.tolist(), strict=True))[2]
        return nearest == (j if small == i else i)
    upper, lower = (i, j) if centre[i] <= centre[j] else (j, i)
    if np.any(tall & (box[:, 1] <= centre[upper]) & (box[:, 3] >= centre[lower])):
        return True  # something as tall as both stands beside them: one row (a row of characters)
    return not in_a_line(i, j) and not in_a_line(j, i)


def _rows(groups: list[tuple[list[int], tuple[int, int, int, int]]]) -> list[list[tuple[list[int], tuple[int, int, int, int]]]]:
    """Cluster glyph groups into text rows by vertical overlap, top to bottom."""
    rows: list[list[Any]] = []
    spans: list[list[int]] = []  # each row's [top, bottom]
    for group in sorted(groups, key=lambda g: (g[1][1] + g[1][3]) / 2):
        _, (x0, y0, x1, y1) = group
        centre = (y0 + y1) / 2
        for row, span in zip(rows, spans, strict=True):
            top, bottom = span
            if top <= centre <= bottom or (y0 <= (top + bottom) / 2 <= y1):
                row.append(group)
                span[0], span[1] = min(top, y0), max(bottom, y1)
                break
        else:
            rows.append([group])
            spans.append([y0, y1])
    return rows


def _cut_wide(ink: np.ndarray, own: np.ndarray, row_height: int) -> list[tuple[int, int, int, int]]:
    """Boxes (relative to ``ink``) cutting a glyph much wider than its row is tall into pieces.

    Cuts fall on the columns with least ink near each even division, so joined-up writing is cut
    between letters where it can be.
    """
    height, width = ink.shape
    pieces = int(round(width / (1.2 * max(height, row_height))))
    if pieces < 2:
        return [(0, 0, width, height)]
    column_ink = np.where(own, ink, 0).sum(axis=0)
    reach = width // (3 * pieces)
    cuts = [0]
    for k in range(1, pieces):
        target = k * width // pieces
        lo, hi = max(1, target - reach), min(width - 1, target + reach)
        cuts.append(lo + int(np.argmin(column_ink[lo:hi])) if hi > lo else target)
    cuts.append(width)
    boxes = []
    for a, b in itertools.pairwise(cuts):
        if own[:, a:b].any():
            _, top, _, bottom = _bbox(own[:, a:b])
            boxes.append((a, top, b, bottom))
    return boxes


def _max_pool(ink: np.ndarray, factor: int) -> np.ndarray:
    """``ink`` reduced ``factor`` times by the maximum of each block (padded with paper): thin strokes stay ink."""
    height, width = ink.shape
    rows, cols = -(-height // factor), -(-width // factor)
    padded = np.zeros((rows * factor, cols * factor), np.float32)
    padded[:height, :width] = ink
    return padded.reshape(rows, factor, cols, factor).max(axis=(1, 3))


# -- normalisation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The affine map from a model frame to the source image: ``source = model * scale + offset``.

    The model frame is ``size`` × ``size`` pixels; the map is exact, not rounded to pixels.

    >>> f = Frame(scale=2.0, offset=(10.0, 5.0), size=28)
    >>> f.to_source([[14.0, 14.0]]).tolist(), f.to_model([[38.0, 33.0]]).tolist()
    ([[38.0, 33.0]], [[14.0, 14.0]])
    """

    scale: float
    offset: tuple[float, float]
    size: int

    def to_source(self, points: Any) -> np.ndarray:
        return np.asarray(points, np.float64) * self.scale + np.asarray(self.offset)

    def to_model(self, points: Any) -> np.ndarray:
        return (np.asarray(points, np.float64) - np.asarray(self.offset)) / self.scale


def normalise(
    glyph: Glyph, *, size: int = 28, fit: float = 20.0, min_width: float = 1.6, centre: str = "mass"
) -> tuple[np.ndarray, Frame]:
    """The glyph as a ``size`` × ``size`` model input and the frame that maps it back.

    The glyph's box is scaled so its longer side is ``fit`` pixels and placed so that its centre of
    mass (``centre="mass"``, as MNIST) or its box centre (``"box"``) is at the middle. Strokes that
    would end up thinner than ``min_width`` model pixels are thickened first, so a thin pen on a
    big scan still reads like the training data.
    """
    ink = glyph.ink
    x0, y0 = glyph.box[0], glyph.box[1]
    # A glyph much bigger than the model frame is max-pooled first: detail finer than 1/(8·size) of
    # it cannot reach the model anyway, and thickening a 2000-pixel glyph at full size takes minutes.
    pool = -(-max(ink.shape) // (8 * size))
    if pool > 1:
        ink = _max_pool(ink, pool)
    width, height = glyph.width / pool, glyph.height / pool  # in pooled pixels
    scale = fit / max(width, height)  # model pixels per (pooled) glyph pixel
    width_model = stroke_width(ink) * scale
    if width_model < min_width and scale < 1:
        radius = int(np.ceil((min_width / scale - stroke_width(ink)) / 2))
        if radius > 0:
            ink = np.asarray(Image.fromarray(ink, "F").filter(ImageFilter.MaxFilter(2 * radius + 1)), np.float32)
    if centre == "mass" and ink.sum() > 0:
        ys, xs = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]]
        total = ink.sum()
        cx, cy = float((xs * ink).sum() / total) + 0.5, float((ys * ink).sum() / total) + 0.5
    else:
        cx, cy = width / 2, height / 2
    half = size / 2 / scale  # half the model frame, in (pooled) glyph pixels
    # Source box of the model frame, relative to the glyph box; pad so it lies inside the canvas.
    bx0, by0 = cx - half, cy - half
    pad_x0, pad_y0 = int(np.ceil(max(0.0, -bx0))), int(np.ceil(max(0.0, -by0)))
    pad_x1 = int(np.ceil(max(0.0, cx + half - ink.shape[1])))
    pad_y1 = int(np.ceil(max(0.0, cy + half - ink.shape[0])))
    canvas = np.pad(ink, ((pad_y0, pad_y1), (pad_x0, pad_x1)))
    box = (bx0 + pad_x0, by0 + pad_y0, bx0 + pad_x0 + 2 * half, by0 + pad_y0 + 2 * half)
    image = Image.fromarray(canvas, "F").resize((size, size), Image.BILINEAR, box=box)
    frame = Frame(scale=pool / scale, offset=(x0 + pool * bx0, y0 + pool * by0), size=size)
    return np.clip(np.asarray(image, np.float32), 0, 1), frame
