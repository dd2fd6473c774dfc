"""Golden files: every format (and every G-code profile) of one drawing, byte for byte.

An intended change of output is accepted by regenerating them, and only then:

    STROKEBOT_UPDATE_GOLDEN=1 python -m pytest tests/test_exporters_golden.py

then reviewing ``git diff tests/golden``. The version number is written as ``VERSION`` so a release
does not touch them; PNGs are compared by pixels, with a small tolerance for Pillow's antialiasing.
"""

from __future__ import annotations

import difflib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from strokebot import __version__
from strokebot.drawing import Drawing, Stroke
from strokebot.exporters import export

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("STROKEBOT_UPDATE_GOLDEN") == "1"
PROFILES = ("grbl-servo", "grbl-z", "grbl-laser", "marlin-servo", "marlin-z", "klipper-servo", "klipper-z")

CASES = {
    **{f"sample.{profile}.gcode": ("gcode", {"profile": profile}) for profile in PROFILES},
    "sample.svg": ("svg", {}),
    "sample.hpgl": ("hpgl", {}),
    "sample.json": ("json", {}),
    "sample.csv": ("csv", {}),
    "sample.stroke3.npy": ("stroke3", {}),
    "sample.stroke5.npy": ("stroke5", {}),
    "sample.preview.png": ("png", {"dpi": 100}),
}


def sample() -> Drawing:
    """A two-glyph trace in image pixels, fitted to 60 mm as `strokebot trace --width 60mm` does."""
    t = np.linspace(0, 2 * np.pi, 9)
    loop = np.column_stack([30 + 12 * np.cos(t), 20 + 14 * np.sin(t), 0.3 + 0.4 * (1 + np.sin(t)) / 2, np.linspace(1, 0.7, 9)])
    traced = Drawing(
        [
            Stroke(loop, glyph=0),
            Stroke([[70, 6, 0.2, 1.0], [76, 34, 0.8, 1.0], [82, 6, 0.5, 0.9], [88, 34, 0.9, 0.8]], glyph=1),
            Stroke([[95, 30, 0.6, 1.0]], glyph=1),
        ],
        width=120, height=40, units="px", pen_width=3.0, model="strokebot-default 1",
    )
    return traced.fit(width=60)


def normalised(data: bytes) -> bytes:
    return data.replace(f"strokebot {__version__}".encode(), b"strokebot VERSION")


def compare(actual: bytes, path: Path, *, update: bool = UPDATE) -> None:
    """Fail unless ``actual`` matches the golden file ``path``; with ``update``, rewrite the file instead."""
    actual = normalised(actual)
    if update:
        path.write_bytes(actual)
        return
    if not path.exists():
        pytest.fail(f"golden file {path.name} is missing; create it with STROKEBOT_UPDATE_GOLDEN=1")
    expected = path.read_bytes()
    if path.suffix == ".png":
        a = np.asarray(Image.open(io.BytesIO(actual)), dtype=float)
        b = np.asarray(Image.open(io.BytesIO(expected)), dtype=float)
        assert a.shape == b.shape, f"{path.name}: size {a.shape} differs from the golden {b.shape}"
        difference = np.abs(a - b)
        assert difference.max() <= 16 and difference.mean() <= 0.5, f"{path.name}: pixels differ (max {difference.max()})"
        return
    if actual != expected:
        if path.suffix == ".npy":
            raise AssertionError(f"{path.name}: array differs from the golden file")
        diff = difflib.unified_diff(expected.decode().splitlines(), actual.decode().splitlines(), "golden", "actual", lineterm="", n=1)
        raise AssertionError(f"{path.name} differs from the golden file:\n" + "\n".join(list(diff)[:40]))


@pytest.mark.parametrize("filename", sorted(CASES))
def test_golden(filename):
    fmt, options = CASES[filename]
    compare(export(sample(), fmt, **options), GOLDEN / filename)


@pytest.mark.parametrize("filename", ["sample.svg", "sample.grbl-z.gcode", "sample.stroke3.npy", "sample.preview.png"])
def test_a_changed_output_fails_the_golden_comparison(filename):
    """The comparison is not vacuous: one moved point is caught, in text, arrays and pictures."""
    fmt, options = CASES[filename]
    moved = sample()
    moved.strokes[1] = moved.strokes[1].with_points(moved.strokes[1].points + [1.5, 0.0, 0.0, 0.0])
    with pytest.raises(AssertionError, match="differ"):
        compare(export(moved, fmt, **options), GOLDEN / filename, update=False)
