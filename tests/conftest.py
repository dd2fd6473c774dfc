"""Shared fixtures: small glyph images made in the tests, so no test needs a download."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def draw_polylines(polylines, size=(64, 64), width=4.0) -> np.ndarray:
    """Ink (H, W) float32 in 0..1 of polylines given in pixel coordinates (centres at +0.5)."""
    from strokebot.datasets import render_strokes

    return render_strokes([np.asarray(p, float) for p in polylines], size, width)


def save_png(path: Path, ink: np.ndarray, *, dark_on_light: bool = True) -> Path:
    values = (1.0 - ink) if dark_on_light else ink
    Image.fromarray((np.clip(values, 0, 1) * 255).astype(np.uint8)).save(path)
    return path


@pytest.fixture
def seven() -> np.ndarray:
    """A 28×28 MNIST-style seven: light ink on black."""
    return draw_polylines([[(7, 7), (21, 7), (12, 23)]], size=(28, 28), width=2.5)


@pytest.fixture
def word_photo(tmp_path: Path) -> Path:
    """A phone-photo-like image of 'Hit': shading, paper grain, dark ink, a dotted i and a crossed t."""
    rng = np.random.default_rng(1)
    h, w = 120, 260
    glyphs = [
        [(20, 25), (20, 95)], [(60, 25), (60, 95)], [(20, 60), (60, 60)],  # H
        [(110, 55), (110, 95)],  # i stem
        [(160, 30), (160, 95)], [(145, 50), (178, 50)],  # t
    ]
    ink = draw_polylines(glyphs, size=(w, h), width=6.0)
    dot = draw_polylines([[(110, 38), (110.5, 38)]], size=(w, h), width=8.0)
    ink = np.maximum(ink, dot)
    yy, xx = np.mgrid[0:h, 0:w]
    paper = 0.85 - 0.25 * (xx / w) * (yy / h) + rng.normal(0, 0.03, (h, w))
    lightness = np.clip(paper * (1 - 0.85 * ink), 0, 1)
    rgb = np.stack([lightness * 1.0, lightness * 0.95, lightness * 0.85], axis=-1)
    path = tmp_path / "word.jpg"
    Image.fromarray((rgb * 255).astype(np.uint8)).save(path, quality=90)
    return path


@pytest.fixture(scope="session")
def model():
    """The bundled default model: the stroke model."""
    import strokebot

    return strokebot.load_model()


@pytest.fixture(scope="session")
def fast_model():
    """The bundled one-shot gesture model of ``--fast``."""
    from strokebot.model.inference import FAST_MODEL, load_model

    return load_model(FAST_MODEL)
