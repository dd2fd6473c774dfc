"""Glyph data for training and evaluation, all offline.

* MNIST in its IDX files (:func:`read_idx`, :func:`mnist`).
* Folders of glyph images (:func:`image_folder`), normalised like any traced glyph.
* Synthetic glyphs drawn from the Hershey single-stroke fonts (:func:`hershey_glyphs`): digits, Latin
  capitals and small letters, Greek, Japanese kana, script; random pen width, affine jitter
  and elastic noise. Their true pen paths are known, so they are test data with ground truth and
  supervision for training.
* The people-drawn Omniglot glyphs with their real pen trajectories (:func:`omniglot_glyphs`).
* KanjiVG's characters (:func:`kanjivg_glyphs`): kanji, kana, Latin letters and digits as centre
  lines in their official stroke order and direction, from the ``kanjivg`` package (CC BY-SA 3.0,
  Ulrich Apel and the KanjiVG contributors, https://kanjivg.tagaini.net). A fixed tenth of the
  characters (:func:`kanjivg_split`) is held out: training never sees it.

Every :class:`GlyphSample` has its ink (paper 0) and, where known, its true strokes in the image's
pixel coordinates (x right, y down, pixel centres at +0.5).
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from strokebot.errors import UsageError
from strokebot.imaging import Glyph, normalise

__all__ = [
    "GlyphSample",
    "read_idx",
    "mnist",
    "image_folder",
    "HERSHEY_SETS",
    "hershey_glyphs",
    "omniglot_glyphs",
    "omniglot_split",
    "render_strokes",
    "hershey_text",
    "hershey_words",
    "shape_glyphs",
    "kanjivg_characters",
    "kanjivg_split",
    "kanjivg_strokes",
    "kanjivg_glyphs",
    "latin_hand",
    "normalised_sample",
    "redrawn",
    "SHARED_DATA",
]

#: Where the project's shared data lies by default (``STROKEBOT_DATA`` overrides).
SHARED_DATA = Path(os.environ.get("STROKEBOT_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@dataclass
class GlyphSample:
    """One glyph image and, where known, the pen path that drew it."""

    image: np.ndarray  # (H, W) float32 ink in 0..1, paper 0
    strokes: list[np.ndarray] = field(default_factory=list)  # each (N, 2) x, y in image pixels
    label: str = ""


# -- MNIST and folders -----------------------------------------------------------------------------


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (gzip or plain): uint8 images (N, H, W) or labels (N,)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise UsageError(f"{path}: not an IDX file of unsigned bytes")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise UsageError(f"{path}: truncated IDX file ({body.size} bytes for shape {shape})")
    return body.reshape(shape)


def mnist(root: str | Path | None = None, *, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST images (N, 28, 28) float32 in 0..1 (ink 1) and labels (N,) from ``root``."""
    root = Path(root) if root is not None else SHARED_DATA / "mnist"
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise UsageError(f"split must be 'train' or 'test', got {split!r}")
    images = read_idx(_idx_file(root, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_idx_file(root, f"{prefix}-labels-idx1-ubyte"))
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)


def _idx_file(root: Path, stem: str) -> Path:
    for candidate in (root / f"{stem}.gz", root / stem):
        if candidate.exists():
            return candidate
    raise UsageError(f"{root}: no {stem}[.gz] (expected MNIST IDX files)")


def is_mnist_folder(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*-images-idx3-ubyte*"))


def image_folder(path: str | Path, *, size: int = 28, limit: int | None = None) -> tuple[np.ndarray, list[str]]:
    """Every image under ``path`` as one normalised glyph (N, size, size), with their names.

    Labels are the names of the images' folders. Images without ink are skipped.
    """
    from strokebot.errors import ImageError
    from strokebot.imaging import find_glyphs, ink_map, read_image
    from strokebot.jobs import IMAGE_SUFFIXES

    files = sorted(p for p in Path(path).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)[:limit]
    images, labels = [], []
    for file in files:
        try:
            ink = ink_map(*read_image(file), label=str(file))
        except ImageError:
            continue
        image, _ = normalise(find_glyphs(ink, split=False)[0], size=size)
        images.append(image)
        labels.append(file.parent.name)
    return np.stack(images) if images else np.zeros((0, size, size), np.float32), labels


# -- Hershey synthetic glyphs ----------------------------------------------------------------------

_DIGITS = "0123456789"
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SMALL = "abcdefghijklmnopqrstuvwxyz"

#: Glyph sets: (font, characters, script name). The Greek and Japanese fonts map Latin letters to
#: their own glyphs. Only single-stroke ("simplex") fonts: the duplex ones (futuram, cyrillic,
#: timesr) draw each line twice, which is not how a person draws it.
HERSHEY_SETS: tuple[tuple[str, str, str], ...] = (
    ("futural", _DIGITS + _CAPITALS + _SMALL, "latin"),
    ("rowmans", _DIGITS + _CAPITALS + _SMALL, "latin"),
    ("scripts", _CAPITALS + _SMALL, "script"),
    ("greek", _CAPITALS + _SMALL, "greek"),
    ("japanese", _CAPITALS + _SMALL, "japanese"),
)


@cache
def _font_strokes(font: str, char: str) -> tuple[np.ndarray, ...]:
    """The strokes of ``char`` in ``font``, font units, y down, consecutive segments joined."""
    hershey = _hershey(font)
    strokes: list[list[tuple[float, float]]] = []
    for stroke in hershey.strokes_for_text(char):
        points = [(float(x), float(y)) for x, y in stroke]
        if strokes and strokes[-1][-1] == points[0]:
            strokes[-1].extend(points[1:])
        else:
            strokes.append(points)
    return tuple(np.array(s) for s in strokes if len(s) >= 2)


@cache
def _hershey(font: str):
    from HersheyFonts import HersheyFonts

    hershey = HersheyFonts()
    hershey.load_default_font(font)
    return hershey


def _hershey_catalogue(fonts: Sequence[str] | None) -> list[tuple[str, str, str]]:
    chosen = [s for s in HERSHEY_SETS if fonts is None or s[0] in fonts or s[2] in fonts]
    if not chosen:
        known = ", ".join(sorted({s[0] for s in HERSHEY_SETS} | {s[2] for s in HERSHEY_SETS}))
        raise UsageError(f"no Hershey glyph set matches {fonts} (known: {known})")
    return [(font, char, script) for font, chars, script in chosen for char in chars if _font_strokes(font, char)]


def _jitter(strokes: Sequence[np.ndarray], rng: np.random.Generator, *, elastic: float) -> list[np.ndarray]:
    """Random affine (rotation, shear, aspect) and smooth elastic displacement of font strokes."""
    allpoints = np.concatenate(strokes)
    centre = (allpoints.min(0) + allpoints.max(0)) / 2
    extent = max(float(np.ptp(allpoints, axis=0).max()), 1.0)
    angle, shear = rng.normal(0, 0.08), rng.normal(0, 0.15)
    aspect = np.exp(rng.normal(0, 0.1))
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.array(
        [[aspect, shear], [0, 1 / aspect]]
    )
    waves = rng.normal(0, 1, (2, 3, 4))  # per axis, 3 waves: amplitude, fx, fy, phase
    out = []
    for stroke in strokes:
        dense = _resample(stroke, step=extent / 40)
        local = (dense - centre) / extent
        shifted = local @ matrix.T
        for axis in range(2):
            for amplitude, fx, fy, phase in waves[axis]:
                shifted[:, axis] += elastic * 0.02 * amplitude * np.sin(2.5 * (fx * local[:, 0] + fy * local[:, 1]) + phase)
        out.append(shifted)
    return out


def _resample(points: np.ndarray, *, step: float) -> np.ndarray:
    """Points along the polyline at most ``step`` apart, corners kept."""
    pieces = [points[:1]]
    for a, b in itertools.pairwise(points):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        pieces.append(a + (b - a) * (np.arange(1, n + 1) / n)[:, None])
    return np.concatenate(pieces)


def render_strokes(strokes: Sequence[np.ndarray], size: tuple[int, int], width: float) -> np.ndarray:
    """Rasterise polylines (image pixels) as a round pen of ``width`` draws them: float32 (H, W) ink.

    The exact rasteriser of :mod:`strokebot.metrics`, so the ink is centred on the true strokes
    (Pillow's whole-pixel line widths put it up to half a pixel off).
    """
    from strokebot.drawing import Drawing, Stroke
    from strokebot.metrics import rasterise

    w, h = size
    drawing = Drawing([Stroke(np.asarray(p, float)) for p in strokes], width=w, height=h, pen_width=width)
    return rasterise(drawing, (h, w))


def hershey_text(
    text: str, *, font: str = "futural", height: float = 60, pen: float = 6, margin: float = 20, ink: int = 0,
    shade: tuple[float, float] | None = None, noise: float = 0.0, seed: int = 0, invert: bool = False,
) -> np.ndarray:
    """``text`` in a Hershey font drawn with a round pen on white paper: a (H, W) uint8 page.

    ``shade`` dims the page from left to right (light falling off, e.g. ``(0.75, 1.0)``), ``noise``
    adds Gaussian grain of that standard deviation, as a scan or a phone photo would; ``invert``
    gives light ink on a dark ground. Test and example pictures for the plugins are drawn by this.

    >>> page = hershey_text("A7", height=40, pen=4)
    >>> page.dtype, bool(page.min() == 0 and page.max() == 255)
    (dtype('uint8'), True)
    """
    from HersheyFonts import HersheyFonts
    from PIL import ImageDraw

    hershey = HersheyFonts()  # its own: scaling the cached one would change font units for training
    hershey.load_default_font(font)
    hershey.normalize_rendering(height)
    segments = np.array(list(hershey.lines_for_text(text)), dtype=float)  # (S, 2, 2), y up
    segments[..., 1] *= -1
    segments -= segments.reshape(-1, 2).min(axis=0) - margin
    width, bottom = (segments.reshape(-1, 2).max(axis=0) + margin).astype(int)
    image = Image.new("L", (int(width), int(bottom)), 255)
    draw = ImageDraw.Draw(image)
    for (x0, y0), (x1, y1) in segments:
        draw.line([(x0, y0), (x1, y1)], fill=ink, width=int(pen))
        for x, y in ((x0, y0), (x1, y1)):
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=ink)
    pixels = np.asarray(image, dtype=float)
    if shade is not None:
        pixels = pixels * np.linspace(*shade, pixels.shape[1])[None, :]
    if noise:
        pixels = pixels + np.random.default_rng(seed).normal(0, noise, pixels.shape)
    if invert:
        pixels = 255 - pixels
    return np.clip(pixels, 0, 255).astype(np.uint8)


#: The Hershey font joined-up words are set in. hershey-fonts' "cursive" is this font again under
#: another name, stroke for stroke: words in the two are one font, not two.
SCRIPT_FONT = "scripts"


def hershey_words(
    text: str, *, font: str = SCRIPT_FONT, height: float = 60, pen: float = 5, margin: float = 20, join: float = 0.1
) -> GlyphSample:
    """``text`` set in a Hershey font as joined-up writing, with the true pen path of every stroke.

    In the script fonts consecutive letters of a word meet, and a letter's next stroke often starts
    a little back up the line just drawn (the humps of an m). Where a stroke starts within ``join``
    × ``height`` of where the last one ended, a pen writing the word goes on without lifting: the
    two are one stroke, joined by that short retrace. The dots of i and j, the bars of t, and the
    gaps between words are pen lifts; a dot or bar is drawn after the stroke it interrupts (a
    writer dots the i once the word is written).

    >>> sample = hershey_words("ill")
    >>> len(sample.strokes)  # the word in one stroke, then the dot of the i
    2
    """
    from HersheyFonts import HersheyFonts

    hershey = HersheyFonts()
    hershey.load_default_font(font)
    hershey.normalize_rendering(height)
    strokes: list[np.ndarray] = []
    for stroke in hershey.strokes_for_text(text):
        points = np.array([(float(x), -float(y)) for x, y in stroke])  # y down
        if len(points) < 2:
            continue
        # The letter may follow a dot or a bar drawn since: join the last stroke it continues.
        near = [k for k in range(len(strokes) - 1, -1, -1) if np.hypot(*(strokes[k][-1] - points[0])) <= join * height]
        if near:
            k = near[0]  # the word's stroke goes on; a dot drawn since stays after it
            touching = np.hypot(*(strokes[k][-1] - points[0])) < 1e-6 * height
            strokes[k] = np.vstack([strokes[k], points[1:] if touching else points])
        else:
            strokes.append(points)
    allpoints = np.concatenate(strokes)
    strokes = [p - allpoints.min(axis=0) + margin for p in strokes]
    width, bottom = (np.concatenate(strokes).max(axis=0) + margin).astype(int) + 1
    image = render_strokes(strokes, (int(width), int(bottom)), pen)
    return GlyphSample(image=image, strokes=strokes, label=f"{font}:{text}")


def shape_glyphs(count: int, *, seed: int = 0, size: int = 128, pen: tuple[float, float] = (3.0, 9.0)) -> list[GlyphSample]:
    """Simple figures drawn in one stroke each, as people draw them: ground truth for clean lines.

    A straight line in any direction (left to right, or top to bottom when steeper than 45°), a
    circle and an ellipse (from the top, anticlockwise on the page), a square (from its top-left
    corner, anticlockwise), a spiral (from its centre outwards), a zigzag and a wave (left to right),
    at random sizes, places and pen widths.
    """
    rng = np.random.default_rng(seed)
    samples = []
    kinds = ("line", "circle", "ellipse", "square", "spiral", "zigzag", "wave")
    for k in range(count):
        kind = kinds[k % len(kinds)]
        centre = size / 2 + rng.normal(0, size * 0.05, 2)
        extent = rng.uniform(0.45, 0.8) * size
        angle = rng.uniform(0, 2 * np.pi)
        if kind == "line":
            direction = np.array([np.cos(angle), np.sin(angle)])
            points = centre + np.outer(np.linspace(-0.5, 0.5, 2), direction) * extent
            dx, dy = points[1] - points[0]
            if (abs(dy) > abs(dx) and dy < 0) or (abs(dx) >= abs(dy) and dx < 0):
                points = points[::-1]
        elif kind in ("circle", "ellipse", "spiral"):
            turns = rng.uniform(2.0, 3.5) if kind == "spiral" else 1.0
            t = np.linspace(0, 2 * np.pi * turns, int(80 * turns))
            aspect = rng.uniform(0.5, 0.8) if kind == "ellipse" else 1.0
            r = extent / 2 * (t / t[-1] if kind == "spiral" else 1.0)
            # From the top (y down: -sin), anticlockwise on the page: x goes left first.
            points = centre + np.stack([-r * np.sin(t), -aspect * r * np.cos(t)], axis=1)
        elif kind == "square":
            h = extent / 2
            points = centre + np.array([[-h, -h], [-h, h], [h, h], [h, -h], [-h, -h]])
        else:
            n = int(rng.integers(3, 7))
            x = np.linspace(-extent / 2, extent / 2, 2 * n + 1 if kind == "zigzag" else 120)
            amplitude = rng.uniform(0.1, 0.25) * extent
            y = amplitude * (np.where(np.arange(len(x)) % 2, 1.0, -1.0) if kind == "zigzag" else np.sin(x / extent * 2 * np.pi * n / 2))
            points = centre + np.stack([x, y], axis=1)
        width = rng.uniform(*pen)
        image = render_strokes([points], (size, size), width)
        samples.append(GlyphSample(image=image, strokes=[points], label=f"shape:{kind}"))
    return samples


def hershey_glyphs(
    count: int,
    *,
    seed: int = 0,
    sizes: tuple[int, int] = (28, 256),
    fonts: Sequence[str] | None = None,
    pen: tuple[float, float] = (0.06, 0.14),
    elastic: float = 1.0,
) -> list[GlyphSample]:
    """``count`` synthetic glyph images with their true strokes.

    Each is a random character of the chosen fonts (names from :data:`HERSHEY_SETS`, or scripts:
    ``latin``, ``script``, ``greek``, ``japanese``), jittered, drawn with a pen of a
    random width (a fraction ``pen`` of the glyph's size) into a square image of a random side in
    ``sizes``, glyph filling 60–85 % of it.
    """
    rng = np.random.default_rng(seed)
    catalogue = _hershey_catalogue(fonts)
    samples = []
    for _ in range(count):
        font, char, script = catalogue[rng.integers(len(catalogue))]
        side = int(rng.integers(sizes[0], sizes[1] + 1))
        strokes = _jitter(_font_strokes(font, char), rng, elastic=elastic)
        allpoints = np.concatenate(strokes)
        low, high = allpoints.min(0), allpoints.max(0)
        span = max(float((high - low).max()), 1e-6)
        fill = rng.uniform(0.6, 0.85) * side
        scale = fill / span
        offset = side / 2 - (low + high) / 2 * scale + rng.normal(0, 0.03 * side, 2)
        placed = [p * scale + offset for p in strokes]
        width = max(1.0, rng.uniform(*pen) * fill)
        image = render_strokes(placed, (side, side), width)
        samples.append(GlyphSample(image=image, strokes=placed, label=f"{script}:{font}:{char}"))
    return samples


def redrawn(sample: GlyphSample, rng: np.random.Generator, *, elastic: float = 1.0, pen: tuple[float, float] = (0.6, 1.6)) -> GlyphSample:
    """``sample``'s true strokes distorted (random affine and elastic noise, as :func:`hershey_glyphs`)
    and drawn again, the pen a random ``pen`` times the ink's own width, in an image of the same size."""
    from strokebot.imaging import stroke_width

    height, width = sample.image.shape
    strokes = [np.asarray(s, np.float64)[:, :2] for s in sample.strokes]
    allpoints = np.concatenate(strokes)
    centre = (allpoints.min(0) + allpoints.max(0)) / 2
    extent = max(float(np.ptp(allpoints, axis=0).max()), 1.0)
    moved = [p * extent + centre for p in _jitter(strokes, rng, elastic=elastic)]
    pen_width = max(1.0, stroke_width(sample.image) * rng.uniform(*pen))
    return GlyphSample(image=render_strokes(moved, (width, height), pen_width), strokes=moved, label=sample.label)


def normalised_sample(sample: GlyphSample, *, size: int = 28) -> GlyphSample:
    """The sample framed as the model's training data, its strokes mapped into that frame."""
    mask = sample.image > 0.5
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if len(ys) == 0:
        raise UsageError(f"sample {sample.label!r} has no ink")
    box = (int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)
    glyph = Glyph(box=box, ink=sample.image[box[1] : box[3], box[0] : box[2]])
    image, frame = normalise(glyph, size=size)
    return GlyphSample(image=image, strokes=[frame.to_model(s) for s in sample.strokes], label=sample.label)


# -- KanjiVG --------------------------------------------------------------------------------------

#: KanjiVG draws every character in a 109 × 109 box with a pen 3 units wide.
KANJIVG_BOX = 109.0
KANJIVG_PEN = 3.0


def _kanjivg_folder() -> Path:
    """Where the ``kanjivg`` package put its SVG files (``pip install kanjivg``)."""
    from importlib import metadata

    try:
        folder = Path(str(metadata.distribution("kanjivg").locate_file("kanji")))
    except metadata.PackageNotFoundError:
        folder = None
    if folder is None or not folder.is_dir():
        raise UsageError("KanjiVG is not installed (pip install kanjivg, or strokebot's [train] extra)")
    return folder


@cache
def kanjivg_characters() -> tuple[str, ...]:
    """Every character KanjiVG draws (its main form; the variant files are left out), by code point."""
    codes = sorted(int(p.stem, 16) for p in _kanjivg_folder().glob("*.svg") if "-" not in p.stem)
    return tuple(chr(c) for c in codes)


def kanjivg_split(char: str) -> str:
    """``"test"`` for the fixed tenth of KanjiVG's characters that training never sees, else ``"train"``.

    Decided by a hash of the code point, so it never changes with the package's version or the order
    of its files.
    """
    import zlib

    return "test" if zlib.crc32(f"U+{ord(char):05X}".encode()) % 10 == 0 else "train"


_SVG_TOKEN = re.compile(r"[MmCcSsLlZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _svg_path(d: str, *, tolerance: float = 0.05) -> np.ndarray:
    """The points of an SVG path of moves, lines and cubic Béziers (KanjiVG's commands): (N, 2).

    Each Bézier is sampled finely enough that the polyline stays within about ``tolerance`` of it.
    """
    tokens = _SVG_TOKEN.findall(d)
    points: list[np.ndarray] = []
    here = np.zeros(2)
    mirror: np.ndarray | None = None  # the last cubic's second control point, for S/s
    command, k = "M", 0

    def numbers(n: int) -> np.ndarray:
        nonlocal k
        values = np.array([float(t) for t in tokens[k : k + n]])
        if len(values) != n:
            raise UsageError(f"malformed SVG path data: {d[:40]!r}")
        k += n
        return values.reshape(-1, 2)

    def cubic(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray) -> None:
        hull = np.hypot(*(p1 - p0)) + np.hypot(*(p2 - p1)) + np.hypot(*(p3 - p2))
        count = max(2, int(np.ceil(np.sqrt(hull / tolerance))))
        t = np.linspace(0, 1, count + 1)[1:, None]
        points.append((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3)

    while k < len(tokens):
        if tokens[k].isalpha():
            command = tokens[k]
            k += 1
        relative = command.islower()
        origin = here if relative else np.zeros(2)
        kind = command.upper()
        if kind == "M":
            here = numbers(2)[0] + origin
            points.append(here[None])
            command = "l" if relative else "L"  # further pairs after a move are lines
            mirror = None
        elif kind == "L":
            here = numbers(2)[0] + origin
            points.append(here[None])
            mirror = None
        elif kind == "C":
            c1, c2, end = numbers(6) + origin
            cubic(here, c1, c2, end)
            here, mirror = end, c2
        elif kind == "S":
            c2, end = numbers(4) + origin
            c1 = 2 * here - mirror if mirror is not None else here
            cubic(here, c1, c2, end)
            here, mirror = end, c2
        elif kind == "Z":
            if points:
                points.append(points[0][:1])
        else:  # pragma: no cover - the token pattern admits no other letter
            raise UsageError(f"unsupported SVG path command {command!r}")
    return np.concatenate(points) if points else np.zeros((0, 2))


@cache
def kanjivg_strokes(char: str) -> tuple[np.ndarray, ...]:
    """The strokes of ``char`` in KanjiVG's order and direction, in its 109-unit box (y down)."""
    import xml.etree.ElementTree as ElementTree

    path = _kanjivg_folder() / f"{ord(char):05x}.svg"
    if not path.exists():
        raise UsageError(f"KanjiVG has no character {char!r} (U+{ord(char):04X})")
    root = ElementTree.parse(path).getroot()
    strokes = []
    for element in root.iter("{http://www.w3.org/2000/svg}path"):
        ident = element.get("id", "")
        if "-s" in ident and element.get("d"):
            number = int(ident.rsplit("-s", 1)[1])
            strokes.append((number, _svg_path(element.get("d", ""))))
    return tuple(points for _, points in sorted(strokes, key=lambda s: s[0]) if len(points))


def kanjivg_glyphs(
    limit: int | None = None,
    *,
    split: str = "test",
    scale: float = 2.0,
    pen: float | None = None,
    jitter: float = 0.0,
    pens: tuple[float, float] = (0.6, 1.6),
    seed: int = 0,
    characters: Sequence[str] | None = None,
) -> list[GlyphSample]:
    """KanjiVG characters drawn with a round pen, with their true strokes: 218-px glyphs by default.

    Args:
        limit: at most this many characters, spread evenly over the split (all by default).
        split: ``"test"`` (the held-out tenth), ``"train"`` or ``"all"``.
        scale: image pixels per KanjiVG unit (its box is 109 units: 2 gives 218-pixel images).
        pen: line width in image pixels (default KanjiVG's own, 3 units).
        jitter: strength of a random affine and elastic distortion (0: the characters as drawn),
            for training; each glyph also gets a random pen width, ``pens`` times ``pen``.
        pens: the range of that pen width, as multiples of ``pen`` (only with ``jitter``).
        seed: for the distortions.
        characters: draw these instead of a split.
    """
    if characters is None:
        if split not in ("test", "train", "all"):
            raise UsageError(f"split must be 'test', 'train' or 'all', got {split!r}")
        characters = [c for c in kanjivg_characters() if split == "all" or kanjivg_split(c) == split]
        if limit is not None and limit < len(characters):
            characters = [characters[i] for i in np.linspace(0, len(characters) - 1, limit).round().astype(int)]
    rng = np.random.default_rng(seed)
    side = int(round(KANJIVG_BOX * scale))
    samples = []
    for char in characters:
        strokes = [s * scale for s in kanjivg_strokes(char)]
        width = (pen if pen is not None else KANJIVG_PEN * scale)
        if jitter:
            allpoints = np.concatenate(strokes)
            centre = (allpoints.min(0) + allpoints.max(0)) / 2
            extent = max(float(np.ptp(allpoints, axis=0).max()), 1.0)
            strokes = [p * extent + centre for p in _jitter(strokes, rng, elastic=jitter)]
            width *= rng.uniform(*pens)
        image = render_strokes(strokes, (side, side), width)
        samples.append(GlyphSample(image=image, strokes=strokes, label=f"kanjivg:{char}"))
    return samples


def _heading_into_end(points: np.ndarray, span: float) -> np.ndarray:
    """The unit heading with which a stroke arrives at its last point, over its last ``span`` of length."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    back = np.concatenate([[0.0], np.cumsum(steps[::-1])])  # length back from the end, point by point
    k = len(points) - 1 - min(int(np.searchsorted(back, span)), len(points) - 1)
    chord = points[-1] - points[k]
    return chord / max(float(np.linalg.norm(chord)), 1e-9)


def latin_hand(strokes: Sequence[np.ndarray], *, drawn: Sequence[np.ndarray] | None = None, reach: float = 0.04, fold: float = 60.0) -> list[np.ndarray]:
    """KanjiVG's strokes of a Latin letter or digit, joined where a Latin hand does not lift the pen.

    Japanese schools lift the pen at every corner of a Latin letter; a Latin hand goes on. Two
    consecutive strokes become one where the pen could go on without lifting:

    * the next starts where this one ends (an L's stem and foot, a Z, the arms of a K, a B's bowls);
    * both end at one point, arriving from nearly the same side (their headings within ``fold``
      degrees: a V's point, the valleys of a W, an M's middle, an N's foot): the pen comes down one
      and goes back up the other, which is drawn the other way round.

    Strokes that only start at one point (an A's apex, an E's corner) stay apart, as most hands draw
    them, and so do a D's or G's strokes meeting square on. ``reach`` is how near two ends must be, as a
    share of the letter's size (KanjiVG's coinciding ends lie within 3 % of it, distinct ones 14 %
    apart and more). ``drawn``, the same strokes distorted (a training glyph's), are joined as
    ``strokes`` are: a distortion can shear a V's point past ``fold``, not make it another letter.
    """
    strokes = [np.asarray(s, dtype=float) for s in strokes]
    drawn = strokes if drawn is None else [np.asarray(s, dtype=float) for s in drawn]
    if len(drawn) != len(strokes):
        raise ValueError(f"{len(drawn)} drawn strokes for {len(strokes)} strokes")
    if not strokes:
        return []
    near = reach * max(float(np.ptp(np.concatenate(strokes), axis=0).max()), 1.0)
    plan = [[(0, False)]]  # per joined stroke, its pieces: (index, drawn backwards)
    end = strokes[0]  # the last piece of the stroke being joined, the way it is drawn
    for k, stroke in enumerate(strokes[1:], start=1):
        if np.linalg.norm(stroke[0] - end[-1]) <= near:
            plan[-1].append((k, False))
            end = stroke
        elif np.linalg.norm(stroke[-1] - end[-1]) <= near and _heading_into_end(end, 4 * near) @ _heading_into_end(stroke, 4 * near) >= np.cos(np.radians(fold)):
            plan[-1].append((k, True))
            end = stroke[::-1]
        else:
            plan.append([(k, False)])
            end = stroke
    joined = []
    for pieces in plan:
        points = [drawn[k][::-1] if backwards else drawn[k] for k, backwards in pieces]
        joined.append(np.concatenate([points[0]] + [p[1:] for p in points[1:]]))
    return joined


# -- Omniglot --------------------------------------------------------------------------------------


def omniglot_split(label: str) -> str:
    """``"test"`` for the fixed quarter of the Omniglot characters training never sees, else ``"train"``.

    The split is by character (``alphabet/characterNN``), so every drawing of a held-out character,
    by any of its 20 people, is held out. Decided by a hash of the name: it never changes.
    """
    import zlib

    return "test" if zlib.crc32(label.encode()) % 4 == 0 else "train"


def omniglot_glyphs(limit: int | None = None, *, root: str | Path | None = None, split: str = "all") -> list[GlyphSample]:
    """The people-drawn Omniglot glyphs (105×105) with their pen trajectories, sorted by path.

    ``split`` is ``"all"``, or ``"test"`` / ``"train"`` (:func:`omniglot_split`); ``limit`` takes
    the first glyphs of it. The trajectory files hold ``x, y, t`` rows with y pointing up; image
    coordinates are ``(x + 0.5, -y + 0.5)`` with pixel centres at +0.5.
    """
    if split not in ("all", "test", "train"):
        raise UsageError(f"split must be 'all', 'test' or 'train', got {split!r}")
    archive = Path(root) if root is not None else SHARED_DATA / "omniglot" / "omniglot-strokes-subset.zip"
    if not archive.exists():
        raise UsageError(f"{archive}: Omniglot archive not found")
    samples = []
    with zipfile.ZipFile(archive) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".png") and "images_" in n)
        names = [n for n in names if split == "all" or omniglot_split("/".join(Path(n).parts[-3:-1])) == split][:limit]
        for name in names:
            paper = np.asarray(Image.open(io.BytesIO(z.read(name))).convert("L"), np.float32) / 255.0
            trajectory = name.replace("images_", "strokes_").replace(".png", ".txt")
            strokes = _read_omniglot_strokes(z.read(trajectory).decode())
            parts = Path(name).parts
            samples.append(GlyphSample(image=1.0 - paper, strokes=strokes, label=f"{parts[-3]}/{parts[-2]}"))
    return samples


def _read_omniglot_strokes(text: str) -> list[np.ndarray]:
    strokes: list[np.ndarray] = []
    current: list[tuple[float, float]] = []
    for line in text.splitlines():
        line = line.strip()
        if line in ("START", "BREAK", ""):
            if len(current) >= 1:
                strokes.append(np.array(current))
            current = []
            continue
        x, y, _ = (float(v) for v in line.split(","))
        current.append((x + 0.5, -y + 0.5))
    if current:
        strokes.append(np.array(current))
    return strokes
