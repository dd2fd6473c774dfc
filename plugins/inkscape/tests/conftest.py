"""Test images drawn here: glyphs in a Hershey single-stroke font, thick pen, optional paper texture.

Each plugin's tests stand alone, so each has this file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from HersheyFonts import HersheyFonts
from PIL import Image, ImageDraw


def draw_text(
    path: Path, text: str, *, font: str = "futural", height: int = 60, pen: int = 6, margin: int = 20,
    scan: bool = False, invert: bool = False,
) -> Path:
    """Write ``text`` as dark ink on white paper (a textured, unevenly lit scan with ``scan``)."""
    hershey = HersheyFonts()
    hershey.load_default_font(font)
    hershey.normalize_rendering(height)
    segments = np.array(list(hershey.lines_for_text(text)), dtype=float)  # (S, 2, 2), y up
    segments[..., 1] *= -1
    segments -= segments.reshape(-1, 2).min(axis=0) - margin
    width, bottom = (segments.reshape(-1, 2).max(axis=0) + margin).astype(int)
    image = Image.new("L", (int(width), int(bottom)), 255)
    draw = ImageDraw.Draw(image)
    for (x0, y0), (x1, y1) in segments:
        draw.line([(x0, y0), (x1, y1)], fill=0, width=pen)
        for x, y in ((x0, y0), (x1, y1)):
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=0)
    pixels = np.asarray(image, dtype=float)
    if scan:
        rng = np.random.default_rng(0)
        shade = np.linspace(0.75, 1.0, pixels.shape[1])[None, :]  # light falling off across the page
        pixels = pixels * shade + rng.normal(0, 12, pixels.shape)
    if invert:
        pixels = 255 - pixels
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
    return path


@pytest.fixture
def draw():
    """:func:`draw_text`, for tests that draw their own images."""
    return draw_text
