"""Make the sample input images (deterministic). Run from the repository root:

    python samples/make_inputs.py

Sources: MNIST test digits and the people-drawn Omniglot glyphs from ../shared/data, and words and
letters written with the Hershey single-stroke fonts, jittered and put on photographed-looking paper.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from strokebot.datasets import SHARED_DATA, _hershey, _jitter, mnist, render_strokes

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(2026)


def text_strokes(text: str, font: str) -> list[np.ndarray]:
    """Strokes of ``text`` in a Hershey font, consecutive segments joined, y down."""
    strokes: list[list[tuple[float, float]]] = []
    for stroke in _hershey(font).strokes_for_text(text):
        points = [(float(x), float(y)) for x, y in stroke]
        if strokes and strokes[-1][-1] == points[0]:
            strokes[-1].extend(points[1:])
        else:
            strokes.append(points)
    return [np.array(s) for s in strokes if len(s) > 1]


def place(strokes: list[np.ndarray], width: int, height: int, fill: float) -> list[np.ndarray]:
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    scale = fill * min(width / (high - low)[0], height / (high - low)[1])
    offset = np.array([width, height]) / 2 - (low + high) / 2 * scale
    return [s * scale + offset for s in strokes]


def handwriting(text: str, font: str, width: int, height: int, pen: float, *, fill: float = 0.8, spacing: float = 4) -> np.ndarray:
    """Ink of ``text`` written with a little wobble, letter by letter."""
    letters = []
    cursor = 0.0
    for char in text:
        strokes = text_strokes(char, font)
        if not strokes:
            cursor += 10
            continue
        points = np.concatenate(strokes)
        wobbly = _jitter(strokes, RNG, elastic=0.6)
        # _jitter returns glyph-relative coordinates; put the letter back at its place in the word.
        extent = max(float(np.ptp(points, axis=0).max()), 1.0)
        centre = (points.min(0) + points.max(0)) / 2
        letters += [w * extent + centre + [cursor - points.min(0)[0], 0] for w in wobbly]
        cursor += np.ptp(points[:, 0]) + spacing
    return render_strokes(place(letters, width, height, fill), (width, height), pen)


def photo(ink: np.ndarray, *, tint=(1.0, 0.96, 0.88), ink_colour=(0.12, 0.14, 0.3)) -> Image.Image:
    """Dark ink on paper as a phone photographs it: shading, grain, colour cast, slight blur."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    light = 0.95 - 0.35 * (xx - 0.2) ** 2 - 0.25 * (yy - 0.1) * xx
    grain = Image.fromarray((RNG.normal(0, 1, (h, w)) * 40 + 128).clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2))
    paper = light + (np.asarray(grain, np.float32) / 255 - 0.5) * 0.12
    channels = [paper * t * (1 - ink) + c * ink * light for t, c in zip(tint, ink_colour, strict=True)]
    rgb = (np.clip(np.stack(channels, axis=-1), 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(0.6))


def chalkboard(ink: np.ndarray) -> Image.Image:
    """Light chalk on a dark board."""
    h, w = ink.shape
    board = 0.18 + RNG.normal(0, 0.025, (h, w))
    chalk = ink * (0.75 + RNG.normal(0, 0.1, (h, w)))
    value = np.clip(board + chalk, 0, 1)
    rgb = np.stack([value * 0.9, value * 1.0, value * 0.92], axis=-1)
    return Image.fromarray((rgb * 255).astype(np.uint8))


def main() -> None:
    images, labels = mnist(SHARED_DATA / "mnist", split="test")
    Image.fromarray((images[0] * 255).astype(np.uint8)).save(HERE / "digit-7.png")
    row = [images[np.flatnonzero(labels == d)[3]] for d in (2, 0, 2, 6)]
    Image.fromarray((np.hstack(row) * 255).astype(np.uint8)).save(HERE / "digits-2026.png")

    photo(handwriting("plot", "scripts", 640, 260, 9)).save(HERE / "word-photo.jpg", quality=88)
    letters = handwriting("AaBbGg", "futural", 720, 180, 7, fill=0.85, spacing=10)
    Image.fromarray(((1 - letters * 0.9) * 255).astype(np.uint8)).save(HERE / "letters-scan.png")
    chalkboard(handwriting("ABC", "futural", 420, 180, 10, spacing=12)).save(HERE / "chalk-light-on-dark.png")

    with zipfile.ZipFile(SHARED_DATA / "omniglot" / "omniglot-strokes-subset.zip") as z:
        name = sorted(n for n in z.namelist() if n.endswith(".png") and "Sanskrit" in n)[40]
        Image.open(io.BytesIO(z.read(name))).convert("L").save(HERE / "sanskrit-omniglot.png")

    # A note of three lines, each line's descenders 4 px above the next line's ascenders.
    lines = [handwriting(text, "scripts", 760, 120, 5, fill=0.9, spacing=3) for text in ("pen plotters", "draw lines", "in order")]
    inked = [np.flatnonzero(line.max(axis=1) > 0.05) for line in lines]
    rows = [line[used[0] : used[-1] + 1] for line, used in zip(lines, inked, strict=True)]
    gap, margin = np.zeros((4, 760), np.float32), np.zeros((24, 760), np.float32)
    photo(np.vstack([margin, rows[0], gap, rows[1], gap, rows[2], margin])).save(HERE / "note-photo.jpg", quality=88)
    print("wrote", ", ".join(sorted(p.name for p in HERE.iterdir() if p.suffix in (".png", ".jpg"))))


if __name__ == "__main__":
    main()
