"""Tracing through the public API: inputs of every kind, batches, the stroke extraction, end to end."""

import numpy as np
import pytest
from PIL import Image

import strokebot
from conftest import draw_polylines, save_png
from strokebot.errors import ImageError, UsageError
from strokebot.evaluate import chamfer
from strokebot.inference import GestureArrays
from strokebot.tracing import gesture_strokes, prepare_and_trace


def test_gesture_strokes_cuts_pen_down_runs():
    #            steps:   0    1    2    3    4
    intensity = np.array([[0.9, 0.8, 0.1, 0.7, 0.2]])
    g = GestureArrays(
        start=np.array([[1.0, 1.0]]),
        velocity=np.array([[[1, 0], [1, 0], [0, 1], [0, 1], [1, 1]]], float),
        pressure=np.array([[0.1, 0.2, 0.3, 0.4, 0.5]]),
        intensity=intensity,
    )
    (strokes,) = gesture_strokes(g)
    assert len(strokes) == 2
    np.testing.assert_array_equal(strokes[0][:, :2], [[1, 1], [2, 1], [3, 1]])
    np.testing.assert_array_equal(strokes[0][:, 2], [0.1, 0.2, 0.2])
    np.testing.assert_array_equal(strokes[1][:, :2], [[3, 2], [3, 3]])
    np.testing.assert_array_equal(strokes[1][:, 3], [0.7, 0.7])


def test_gesture_strokes_all_up_and_all_down():
    g = GestureArrays(np.zeros((2, 2)), np.ones((2, 3, 2)), np.full((2, 3), 0.5), np.array([[0, 0, 0], [1, 1, 1.0]]))
    up, down = gesture_strokes(g)
    assert up == [] and len(down) == 1 and len(down[0]) == 4


@pytest.mark.parametrize(
    "convert",
    [
        lambda ink: (ink * 255).astype(np.uint8),
        lambda ink: ((1 - ink) * 65535).astype(np.uint16),
        lambda ink: ink.astype(np.float32),
        lambda ink: ink > 0.5,
        lambda ink: np.dstack([(1 - ink) * 255] * 3).astype(np.uint8),
        lambda ink: Image.fromarray(((1 - ink) * 255).astype(np.uint8)),
    ],
)
def test_trace_accepts_arrays_and_pil(seven, convert):
    drawing = strokebot.trace(convert(seven))
    assert drawing.units == "px" and (drawing.width, drawing.height) == (28, 28)
    assert drawing.strokes and drawing.model.startswith("strokebot")
    x0, y0, x1, y1 = drawing.bounds()
    assert -2 <= x0 and x1 <= 30 and -2 <= y0 and y1 <= 30


def test_trace_path(tmp_path, seven):
    path = save_png(tmp_path / "seven.png", seven)
    assert strokebot.trace(path).strokes
    assert strokebot.trace(str(path)).strokes


def test_trace_errors(tmp_path):
    with pytest.raises(ImageError, match="no ink"):
        strokebot.trace(np.zeros((28, 28), np.uint8))
    with pytest.raises(ImageError, match="no such file"):
        strokebot.trace(tmp_path / "nope.png")
    with pytest.raises(UsageError):
        strokebot.trace(np.eye(28), refine=-1)


def test_batch_equals_one_by_one(seven, model):
    images = [seven, seven.T.copy(), np.roll(seven, 3, axis=1)]
    batch = strokebot.trace_batch(images, model=model)
    for image, drawing in zip(images, batch):
        single = strokebot.trace(image, model=model)
        assert len(single.strokes) == len(drawing.strokes)
        for a, b in zip(single.strokes, drawing.strokes):
            np.testing.assert_allclose(a.points, b.points, atol=1e-5)


def test_normalised_bulk_path_equals_general_path(seven, model):
    images = [(seven * 255).astype(np.uint8)] * 3
    fast = strokebot.trace_batch(images, model=model, normalised=True, clean=False)
    slow = [strokebot.trace(i, model=model, normalised=True, clean=False) for i in images]
    for a, b in zip(fast, slow):
        assert len(a.strokes) == len(b.strokes)
        for sa, sb in zip(a.strokes, b.strokes):
            np.testing.assert_allclose(sa.points, sb.points, atol=1e-5)


def test_words_keep_glyphs_in_place(word_photo):
    drawing, ink = prepare_and_trace(word_photo)
    assert drawing.glyph_count == 3
    assert (drawing.width, drawing.height) == (260, 120)
    for stroke in drawing.strokes:
        x0, y0, x1, y1 = drawing.glyph_boxes[stroke.glyph]
        margin = 0.25 * max(x1 - x0, y1 - y0) + 4
        assert (stroke.xy[:, 0] > x0 - margin).all() and (stroke.xy[:, 0] < x1 + margin).all()
        assert (stroke.xy[:, 1] > y0 - margin).all() and (stroke.xy[:, 1] < y1 + margin).all()
    # Glyphs are traced in reading order.
    firsts = [min(s.xy[:, 0].min() for s in drawing.strokes if s.glyph == g) for g in range(3)]
    assert firsts == sorted(firsts)


@pytest.mark.parametrize("size", [28, 64, 200])
def test_end_to_end_known_strokes(size):
    """Draw known strokes, trace them, and find the strokes within a stated tolerance."""
    s = size / 28
    truth = [np.array([(8, 6), (20, 6), (13, 23)]) * s]  # a 7
    ink = draw_polylines(truth, size=(size, size), width=2.4 * s)
    drawing = strokebot.trace(ink)
    # Tolerance: 8 % of the glyph's extent (1.5 px on a 28-px digit) for the encoder alone.
    assert chamfer([st.points for st in drawing.strokes], truth) < 0.08 * 17 * s
