"""The image front end: any picture of glyphs in, normalised glyph images and their frames out.

numpy and Pillow only (no scipy: tracing one file must start fast). The steps, each a function:

1. :func:`read_image` — a path, a PIL image or an array to float lightness and opacity.
2. :func:`ink_map` — ink in 0..1 (paper 0): polarity detected (dark ink on light paper, or light on
   dark as MNIST), uneven lighting and paper texture of a photo or scan removed, specks dropped.
3. :func:`find_glyphs` — connected components grouped into glyphs (the dot of an i and the bar of a
   t stay with their glyph), in reading order, over-wide runs of joined writing cut into pieces.
4. :func:`normalise` — each glyph as the model saw its training data (MNIST's fit into 20×20 with
   the centre of mass at the middle of 28×28), with the exact affine :class:`Frame` back to the image.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from strokebot.errors import ImageError, ResourceError, UsageError

__all__ = [
    "MAX_PIXELS",
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
MAX_PIXELS = int(os.environ.get("STROKEBOT_MAX_PIXELS", 40_000_000))

POLARITIES = ("auto", "dark-on-light", "light-on-dark")


# -- reading ---------------------------------------------------------------------------------------


def read_image(source: Any, *, max_pixels: int | None = None, name: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``source`` as (lightness, opacity), float32 (H, W) arrays in 0..1 (opacity None if opaque).

    ``source`` is a path, a PIL image, or an array (H, W) or (H, W, C) with C in 1..4 of uint8,
    uint16, float (0..1) or bool. Colour is reduced to luminance; an alpha channel is kept apart.

    Raises:
        ImageError: the file is missing, empty, truncated, not an image, or smaller than 2×2.
        ResourceError: the image has more than ``max_pixels`` pixels.
    """
    limit = MAX_PIXELS if max_pixels is None else max_pixels
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
            f"{label}: image is {width}x{height} = {width * height / 1e6:.1f} megapixels, over the "
            f"{limit / 1e6:.0f}-megapixel cap (raise it with --max-pixels or STROKEBOT_MAX_PIXELS)"
        )


def _read_file(path: Path, limit: int) -> np.ndarray:
    if not path.exists():
        raise ImageError(f"{path}: no such file")
    if path.is_dir():
        raise ImageError(f"{path}: is a folder, not an image")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageError(f"{path}: cannot read ({error.strerror})") from None
    if not data:
        raise ImageError(f"{path}: file is empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            _check_size(str(path), image.width, image.height, limit)
            image.load()
            return _pil_to_array(image, str(path))
    except Image.DecompressionBombError:
        raise ResourceError(f"{path}: image is too large to decode safely (raise --max-pixels)") from None
    except Image.UnidentifiedImageError:
        raise ImageError(f"{path}: not an image, or a format strokebot cannot read (PNG, JPEG, BMP, TIFF)") from None
    except (OSError, SyntaxError, ValueError) as error:
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
    values = _to_unit(array, label)
    if values.ndim == 2:
        return values, None
    colour, alpha = (values[..., :-1], values[..., -1]) if values.shape[2] in (2, 4) else (values, None)
    if colour.shape[2] == 3:
        lightness = colour @ np.array([0.299, 0.587, 0.114], np.float32)
    else:
        lightness = colour[..., 0]
    if alpha is not None and alpha.min() >= 1.0:
        alpha = None
    return np.ascontiguousarray(lightness, np.float32), alpha


def _to_unit(array: np.ndarray, label: str) -> np.ndarray:
    kind = array.dtype.kind
    if kind == "b":
        return array.astype(np.float32)
    if kind == "u" or kind == "i":
        top = 255.0 if array.dtype.itemsize == 1 else 65535.0
        return np.clip(array.astype(np.float32) / top, 0, 1)
    if kind == "f":
        values = array.astype(np.float32)
        if not np.isfinite(values).all():
            raise ImageError(f"{label}: image holds NaN or infinite values")
        return np.clip(values, 0, 1)
    raise ImageError(f"{label}: unsupported pixel type {array.dtype}")


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
            ink = opacity * (lightness if polarity == "light-on-dark" or (polarity == "auto" and np.median(opaque) < 0.5) else 1.0 - lightness)
    else:
        if polarity == "auto":
            polarity = "light-on-dark" if _paper_level(lightness, opacity) < 0.5 else "dark-on-light"
        ink = lightness if polarity == "light-on-dark" else 1.0 - lightness
        if opacity is not None:
            ink = ink * opacity
    ink = np.asarray(ink, np.float32)
    if clean:
        ink = _clean(ink, label)
    _check_ink(ink, label)
    return ink


def _border(shape: tuple[int, int]) -> np.ndarray:
    height, width = shape
    band = max(1, min(height, width) // 20)
    ring = np.ones(shape, bool)
    ring[band:-band, band:-band] = False
    return ring


def _transparent_border(opacity: np.ndarray) -> bool:
    return float(np.median(opacity[_border(opacity.shape)])) < 0.5


def _paper_level(lightness: np.ndarray, opacity: np.ndarray | None) -> float:
    """Median lightness of the border (opaque pixels only), where paper nearly always is."""
    ring = _border(lightness.shape)
    if opacity is not None:
        ring &= opacity > 0.5
    return float(np.median(lightness[ring])) if ring.any() else 1.0


def _check_ink(ink: np.ndarray, label: str) -> None:
    mask = ink > 0.5
    if not mask.any():
        raise ImageError(f"{label}: no ink found (an empty page? try --polarity)")
    if mask.mean() > 0.75:
        raise ImageError(f"{label}: the image is nearly all ink; nothing to trace (try --polarity)")


def _clean(ink: np.ndarray, label: str) -> np.ndarray:
    height, width = ink.shape
    # Background: a grey opening (min then max filter) wider than any stroke removes the ink and
    # keeps shadows and paper tone; done on a reduced copy, since background varies slowly.
    if min(height, width) >= 48:
        factor = max(1, min(height, width) // 96)
        small = Image.fromarray(ink, "F").reduce(factor) if factor > 1 else Image.fromarray(ink, "F")
        window = max(3, (min(small.size) // 6) | 1)
        background = small.filter(ImageFilter.MinFilter(window)).filter(ImageFilter.MaxFilter(window))
        background = background.filter(ImageFilter.MaxFilter(3)).resize((width, height), Image.BILINEAR)
        ink = np.clip(ink - np.asarray(background, np.float32), 0, 1)
    low, high = np.percentile(ink, [1, 99.99])
    if high - low < 0.1:  # no contrast anywhere: a blank page
        return np.zeros_like(ink)
    levels = ink[ink > 0.02]
    threshold = _otsu(levels)
    strong = levels[levels > threshold]
    top = float(np.percentile(strong, 90)) if strong.size else 1.0
    floor = min(threshold * 0.6, 0.5 * top)
    if top - floor < 0.08:  # no contrast between ink and paper: leave it to _check_ink
        return np.zeros_like(ink) if top < 0.15 else ink
    ink = np.clip((ink - floor) / (top - floor), 0, 1)
    return _drop_specks(ink)


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
    areas = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=count + 1)[1:]
    width = stroke_width(ink)
    # Specks: smaller than a third of a pen dot, or (for many tiny ones) a hundredth of the biggest.
    small = (areas < 0.35 * width * width) | (areas < 0.01 * areas.max())
    if not small.any():
        return ink
    keep = np.concatenate([[True], ~small])[labels]
    # Pixels next to a kept component belong to its anti-aliased edge; keep those too.
    near = np.asarray(Image.fromarray((keep & mask).astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(3))) > 0
    return np.where(near, ink, 0).astype(np.float32)


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels: twice the ink's area over its edge length."""
    mask = ink > 0.5
    area = float(ink.sum())
    edges = np.count_nonzero(mask[1:] != mask[:-1]) + np.count_nonzero(mask[:, 1:] != mask[:, :-1])
    edges += np.count_nonzero(mask[0]) + np.count_nonzero(mask[-1]) + np.count_nonzero(mask[:, 0]) + np.count_nonzero(mask[:, -1])
    return max(1.0, 2.0 * area / max(edges, 1))


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean (H, W) mask: (labels int32 with 0 for background, count).

    Runs of each row are joined with the runs they touch in the row above (union-find over runs),
    so the cost grows with the number of runs, not pixels.
    """
    height, width = mask.shape
    padded = np.zeros((height, width + 2), np.int8)
    padded[:, 1:-1] = mask
    change = np.diff(padded, axis=1)
    rows, starts = np.nonzero(change == 1)
    _, ends = np.nonzero(change == -1)  # exclusive; same order as starts (row-major)
    count = len(starts)
    if count == 0:
        return np.zeros((height, width), np.int32), 0
    parent = np.arange(count)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    row_first = np.searchsorted(rows, np.arange(height + 1))
    for row in range(1, height):
        lo, hi = row_first[row], row_first[row + 1]
        plo, phi = row_first[row - 1], row_first[row]
        if lo == hi or plo == phi:
            continue
        prev_starts, prev_ends = starts[plo:phi], ends[plo:phi]
        # Run [s, e) touches a run [ps, pe) of the row above (8-connected) when ps <= e and pe >= s.
        first = np.searchsorted(prev_ends, starts[lo:hi], side="left")
        last = np.searchsorted(prev_starts, ends[lo:hi], side="right")
        for k in range(hi - lo):
            for j in range(first[k], last[k]):
                a, b = find(lo + k), find(plo + j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    roots = np.array([find(i) for i in range(count)])
    _, compact = np.unique(roots, return_inverse=True)
    labels = np.zeros((height, width), np.int32)
    for i in range(count):
        labels[rows[i], starts[i] : ends[i]] = compact[i] + 1
    return labels, int(compact.max()) + 1


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


def find_glyphs(ink: np.ndarray, *, split: bool = True) -> list[Glyph]:
    """The glyphs of a page, in reading order (rows top to bottom, left to right in a row).

    With ``split`` False the whole ink is one glyph. Otherwise connected components are grouped:
    components overlapping in x within a row (a dot over its stem) form one glyph, and a glyph far
    wider than its row is tall (joined-up writing) is cut at the columns with least ink.
    """
    mask = ink > 0.5
    if not split:
        box = _bbox(mask)
        return [Glyph(box=box, ink=ink[box[1] : box[3], box[0] : box[2]].copy())]
    labels, count = label_components(mask)
    if count == 0:
        return []
    groups = _group_by_overlap(_boxes_of(labels, count))
    glyphs: list[Glyph] = []
    for row in _rows(groups):
        row_height = max(b[3] for _, b in row) - min(b[1] for _, b in row)
        for members, (x0, y0, x1, y1) in sorted(row, key=lambda g: g[1][0]):
            own = np.isin(labels[y0:y1, x0:x1], np.asarray(members) + 1)
            for a, top, b, bottom in _cut_wide(ink[y0:y1, x0:x1], own, row_height):
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
    ys, xs = np.nonzero(labels)
    ids = labels[ys, xs] - 1
    x0 = np.full(count, np.iinfo(np.int64).max)
    y0 = x0.copy()
    x1 = np.full(count, -1)
    y1 = x1.copy()
    np.minimum.at(x0, ids, xs)
    np.minimum.at(y0, ids, ys)
    np.maximum.at(x1, ids, xs)
    np.maximum.at(y1, ids, ys)
    return [(int(a), int(b), int(c) + 1, int(d) + 1) for a, b, c, d in zip(x0, y0, x1, y1)]


def _group_by_overlap(boxes: list[tuple[int, int, int, int]]) -> list[tuple[list[int], tuple[int, int, int, int]]]:
    """Merge components whose x-ranges overlap by half the narrower one (and that are near in y)."""
    groups = [([i], box) for i, box in enumerate(boxes)]
    merged = True
    while merged:
        merged = False
        groups.sort(key=lambda g: g[1][0])
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                (mi, a), (mj, b) = groups[i], groups[j]
                if b[0] >= a[2]:
                    break
                overlap = min(a[2], b[2]) - max(a[0], b[0])
                narrower = min(a[2] - a[0], b[2] - b[0])
                gap_y = max(a[1], b[1]) - min(a[3], b[3])
                tallest = max(a[3] - a[1], b[3] - b[1])
                if overlap >= 0.5 * narrower and gap_y <= 0.8 * tallest:
                    box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    groups[i] = (mi + mj, box)
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return groups


def _rows(groups: list[tuple[list[int], tuple[int, int, int, int]]]) -> list[list[tuple[list[int], tuple[int, int, int, int]]]]:
    """Cluster glyph groups into text rows by vertical overlap, top to bottom."""
    rows: list[list[Any]] = []
    for group in sorted(groups, key=lambda g: (g[1][1] + g[1][3]) / 2):
        _, (x0, y0, x1, y1) = group
        centre = (y0 + y1) / 2
        for row in rows:
            top = min(b[1] for _, b in row)
            bottom = max(b[3] for _, b in row)
            if top <= centre <= bottom or (y0 <= (top + bottom) / 2 <= y1):
                row.append(group)
                break
        else:
            rows.append([group])
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
    for a, b in zip(cuts[:-1], cuts[1:]):
        if own[:, a:b].any():
            _, top, _, bottom = _bbox(own[:, a:b])
            boxes.append((a, top, b, bottom))
    return boxes


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
    scale = fit / max(glyph.width, glyph.height)  # model pixels per source pixel
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
        cx, cy = glyph.width / 2, glyph.height / 2
    half = size / 2 / scale  # half the model frame, in source pixels
    # Source box of the model frame, relative to the glyph box; pad so it lies inside the canvas.
    bx0, by0 = cx - half, cy - half
    pad_x0, pad_y0 = int(np.ceil(max(0.0, -bx0))), int(np.ceil(max(0.0, -by0)))
    pad_x1 = int(np.ceil(max(0.0, cx + half - ink.shape[1])))
    pad_y1 = int(np.ceil(max(0.0, cy + half - ink.shape[0])))
    canvas = np.pad(ink, ((pad_y0, pad_y1), (pad_x0, pad_x1)))
    box = (bx0 + pad_x0, by0 + pad_y0, bx0 + pad_x0 + 2 * half, by0 + pad_y0 + 2 * half)
    image = Image.fromarray(canvas, "F").resize((size, size), Image.BILINEAR, box=box)
    frame = Frame(scale=1.0 / scale, offset=(x0 + bx0, y0 + by0), size=size)
    return np.clip(np.asarray(image, np.float32), 0, 1), frame
