"""Golden files: every format (and every G-code profile) of one drawing.

An intended change of output is accepted by regenerating them, and only then:

    STROKEBOT_UPDATE_GOLDEN=1 python -m pytest tests/test_exporters_golden.py

then reviewing ``git diff tests/golden``. The version number is written as ``VERSION`` so a release
does not touch them. Text formats must match word for word, with each number allowed one step of
its last printed digit (where another CPU, math library or summation order changes a value's last
bits and the value sits on a rounding boundary, it prints one step up or down); arrays are compared
within float32 rounding, PNGs by pixels with a small tolerance for Pillow's antialiasing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests_tolerance import assert_float32_close, assert_same_text, numbers_differ

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
#: The step each text format prints its coordinates with (HPGL: whole plotter units).
PRECISION = {".gcode": "0.001", ".svg": "0.001", ".json": "0.0001", ".csv": "0.0001", ".hpgl": "1"}


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
    if path.suffix == ".npy":
        a, b = np.load(io.BytesIO(actual)), np.load(io.BytesIO(expected))
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f"{path.name}: array {a.dtype} {a.shape} differs from the golden {b.dtype} {b.shape}"
        # float32 values rounded from float64 ones: one rounding each.
        assert_float32_close(a, b, scale=float(np.abs(b).max()), terms=1, err_msg=f"{path.name}: array values differ")
        return
    assert_same_text(actual.decode(), expected.decode(), name=path.name, precision=PRECISION[path.suffix])


@pytest.mark.parametrize("filename", sorted(CASES))
def test_golden(filename):
    fmt, options = CASES[filename]
    compare(export(sample(), fmt, **options), GOLDEN / filename)


@pytest.mark.parametrize("filename", sorted(CASES))
def test_a_changed_output_fails_the_golden_comparison(filename):
    """The comparison is not vacuous: one point moved by 0.75 mm is caught in every format."""
    fmt, options = CASES[filename]
    moved = sample()
    moved.strokes[1] = moved.strokes[1].with_points(moved.strokes[1].points + [1.5, 0.0, 0.0, 0.0])
    with pytest.raises(AssertionError, match="differ"):
        compare(export(moved, fmt, **options), GOLDEN / filename, update=False)


@pytest.mark.parametrize(
    ("actual", "expected", "precision", "same"),
    [
        ("G1 X19.244 Y5.050", "G1 X19.243 Y5.050", "0.001", True),  # one step of the last digit
        ('d="M21,10 L20.999,5"', 'd="M21,10 L21,5"', "0.001", True),  # SVG drops trailing zeros: 21 is 21.000
        ('{"t": 0.150001, "x": 20.9999}', '{"t": 0.15, "x": 21.0}', "0.0001", True),
        ("Z-0.0000", "Z0.0000", "0.0001", True),
        ("PD771,202;", "PD770,202;", "1", True),  # HPGL: whole plotter units
        ("G1 X19.245 Y5.050", "G1 X19.243 Y5.050", "0.001", False),  # two steps
        ('d="M21,10 L21.1,5"', 'd="M21,10 L21,5"', "0.001", False),  # 21.100 against 21.000
        ('{"t": 0.150002, "x": 21.0}', '{"t": 0.15, "x": 21.0}', "0.0001", False),
        ("PD772,202;", "PD770,202;", "1", False),
        ("G0 X1.000", "G1 X1.000", "0.001", False),  # a code
        ("; 4 strokes", "; 3 strokes", "0.001", False),  # a count
        ("G1 X1.000 F1000", "G1 X1.000", "0.001", False),  # a number more
        ("G1 X1.000 Y2.000", "G1 Y1.000 X2.000", "0.001", False),  # the words around the numbers
    ],
)
def test_text_comparison_allows_only_a_last_digit_step(actual, expected, precision, same):
    assert (numbers_differ(actual, expected, precision=precision) is None) == same


def test_arrays_one_float32_rounding_off_still_match():
    golden = GOLDEN / "sample.stroke3.npy"
    array = np.load(golden)
    array[3, 1] = np.nextafter(array[3, 1], np.float32(np.inf))
    out = io.BytesIO()
    np.save(out, array)
    compare(out.getvalue(), golden, update=False)
