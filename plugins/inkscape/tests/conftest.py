"""Test images drawn here: glyphs in a Hershey single-stroke font, thick pen, optional paper texture."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from strokebot.datasets import hershey_text


def draw_text(
    path: Path, text: str, *, font: str = "futural", height: int = 60, pen: int = 6, margin: int = 20,
    scan: bool = False, invert: bool = False,
) -> Path:
    """Write ``text`` as dark ink on white paper (a textured, unevenly lit scan with ``scan``)."""
    page = hershey_text(text, font=font, height=height, pen=pen, margin=margin, invert=invert,
                        shade=(0.75, 1.0) if scan else None, noise=12 if scan else 0)
    Image.fromarray(page).save(path)
    return path


@pytest.fixture
def draw():
    """:func:`draw_text`, for tests that draw their own images."""
    return draw_text
