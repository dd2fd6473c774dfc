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


def test_kanjivg_strokes_in_official_order_and_direction():
    from strokebot.datasets import kanjivg_strokes

    strokes = kanjivg_strokes("言")
    assert len(strokes) == 7
    first_bar = strokes[1]
    assert first_bar[-1, 0] > first_bar[0, 0] + 60  # the long bar, drawn left to right
    assert all(s.shape[1] == 2 and len(s) > 3 for s in strokes)


def test_kanjivg_split_is_fixed_and_holds_out_a_tenth():
    from strokebot.datasets import kanjivg_characters, kanjivg_split

    characters = kanjivg_characters()
    held_out = [c for c in characters if kanjivg_split(c) == "test"]
    assert 0.08 < len(held_out) / len(characters) < 0.12
    assert kanjivg_split("言") == kanjivg_split("言")  # by code point, the same every time
    assert held_out[:3] == [c for c in characters if kanjivg_split(c) == "test"][:3]


def test_kanjivg_glyphs_are_drawn_on_their_strokes():
    from strokebot.datasets import kanjivg_glyphs
    from strokebot.metrics import nearest_distances, sample_polylines

    (sample,) = kanjivg_glyphs(characters=["木"])
    assert sample.image.shape == (218, 218) and sample.label == "kanjivg:木"
    rows, cols = np.nonzero(sample.image > 0.5)
    ink = np.stack([cols + 0.5, rows + 0.5], axis=1)
    assert nearest_distances(sample_polylines(sample.strokes), ink).max() < 1.0


def test_hershey_words_join_letters_and_lift_for_dots():
    from strokebot.datasets import hershey_words

    word = hershey_words("minimum")
    assert len(word.strokes) == 3  # the word, then the dots of its two i's
    assert word.image.shape[1] > 3 * word.image.shape[0]


def test_shapes_are_one_stroke_each():
    from strokebot.datasets import shape_glyphs

    shapes = shape_glyphs(7)
    assert [s.label.split(":")[1] for s in shapes] == ["line", "circle", "ellipse", "square", "spiral", "zigzag", "wave"]
    assert all(len(s.strokes) == 1 and s.image.max() > 0.9 for s in shapes)


def test_omniglot_split_is_by_character():
    from strokebot.datasets import omniglot_split

    assert omniglot_split("Sanskrit/character10") in ("train", "test")
    names = [f"Tagalog/character{k:02d}" for k in range(1, 60)]
    assert 0.1 < sum(omniglot_split(n) == "test" for n in names) / len(names) < 0.45


def test_latin_hand_goes_on_where_kanjivg_lifts_at_a_corner():
    """A V's two downstrokes become one stroke down and back up; an L's stem and foot one stroke; an
    A's legs, which only start at one point, and a 4's stem, which meets nothing end to end, stay apart."""
    from strokebot.datasets import kanjivg_strokes, latin_hand

    v = kanjivg_strokes("V")
    (joined,) = latin_hand(v)
    assert len(joined) == len(v[0]) + len(v[1]) - 1
    np.testing.assert_array_equal(joined[: len(v[0])], v[0])  # down the first arm as KanjiVG draws it,
    np.testing.assert_array_equal(joined[len(v[0]) :], v[1][::-1][1:])  # then up the second
    assert len(latin_hand(kanjivg_strokes("L"))) == 1 and len(latin_hand(kanjivg_strokes("W"))) == 1
    assert [len(s) for s in latin_hand(kanjivg_strokes("A"))] == [len(s) for s in kanjivg_strokes("A")]
    assert len(latin_hand(kanjivg_strokes("4"))) == 2 and len(latin_hand(kanjivg_strokes("D"))) == 2
    assert latin_hand([]) == []
    wide = [s * (2.0, 1.0) for s in v]  # twice as wide: its point opens from 49° to 85°
    assert len(latin_hand(wide)) == 2 and len(latin_hand(v, drawn=wide)) == 1  # joined as KanjiVG's V
