"""Synthetic pages of Hershey text, as the plugins' tests and example pictures draw them."""

import numpy as np

from strokebot.datasets import _font_strokes, hershey_text


def test_hershey_text_is_ink_on_paper_with_margins():
    page = hershey_text("A7", height=40, pen=4, margin=10)
    assert page.dtype == np.uint8 and page.min() == 0 and page.max() == 255
    ink = np.argwhere(page < 128)
    assert ink.min() >= 10 - 2 - 1 and (np.array(page.shape) - ink.max(axis=0)).min() >= 10 - 2


def test_hershey_text_scan_and_inverted():
    clean = hershey_text("H", noise=0)
    scan = hershey_text("H", shade=(0.75, 1.0), noise=12)
    assert scan.shape == clean.shape
    assert scan[:, :5].mean() < clean[:, :5].mean() - 20  # dimmer on the left
    np.testing.assert_array_equal(hershey_text("H", invert=True), 255 - clean)


def test_hershey_text_leaves_the_training_font_units_alone():
    before = [s.copy() for s in _font_strokes("futural", "Q")]
    _font_strokes.cache_clear()
    hershey_text("Q", height=200)
    after = _font_strokes("futural", "Q")
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
