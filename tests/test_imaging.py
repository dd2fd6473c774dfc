"""The image front end: reading every kind of input, polarity, cleaning, glyphs, normalisation."""

import numpy as np
import pytest
from conftest import draw_polylines
from PIL import Image

from strokebot.errors import ImageError, ResourceError, UsageError
from strokebot.imaging import (
    Frame,
    Glyph,
    find_glyphs,
    ink_map,
    label_components,
    normalise,
    read_image,
    stroke_width,
)


def iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


@pytest.fixture
def cross():
    return draw_polylines([[(8, 8), (40, 40)], [(40, 8), (8, 40)]], size=(48, 48), width=4)


class TestRead:
    @pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16", "1", "P", "F", "LA", "CMYK"])
    def test_every_mode_reads_to_the_same_ink(self, tmp_path, cross, mode):
        dark = (1 - cross) * 255
        image = Image.fromarray(dark.astype(np.uint8))
        if mode == "I;16":
            image = Image.fromarray((dark * 257).astype(np.uint16))
        elif mode == "F":
            image = Image.fromarray((dark / 255).astype(np.float32), "F")
        else:
            image = image.convert(mode)
        suffix = ".tif" if mode in ("I;16", "F", "CMYK") else ".png"
        path = tmp_path / f"x{suffix}"
        image.save(path)
        ink = ink_map(*read_image(path))
        assert iou(ink > 0.5, cross > 0.5) > 0.9

    @pytest.mark.parametrize("fmt", ["JPEG", "BMP", "TIFF", "PNG"])
    def test_formats(self, tmp_path, cross, fmt):
        path = tmp_path / f"x.{fmt.lower()}"
        Image.fromarray(((1 - cross) * 255).astype(np.uint8)).convert("RGB").save(path, format=fmt)
        assert iou(ink_map(*read_image(path)) > 0.5, cross > 0.5) > 0.85

    @pytest.mark.parametrize(
        "array",
        [
            lambda c: (c * 255).astype(np.uint8),
            lambda c: (c * 65535).astype(np.uint16),
            lambda c: c.astype(np.float64),
            lambda c: c > 0.5,
            lambda c: np.repeat((c * 255).astype(np.uint8)[..., None], 3, axis=2),
            lambda c: (c * 255).astype(np.uint8)[..., None],
        ],
    )
    def test_arrays(self, cross, array):
        assert iou(ink_map(*read_image(array(cross))) > 0.5, cross > 0.5) > 0.9

    def test_transparent_is_paper(self, cross):
        # Black everywhere; only the alpha channel says where the ink is.
        rgba = np.zeros(cross.shape + (4,), np.uint8)
        rgba[..., 3] = (cross * 255).astype(np.uint8)
        ink = ink_map(*read_image(rgba))
        assert iou(ink > 0.5, cross > 0.5) > 0.9

    def test_errors_name_the_file(self, tmp_path):
        with pytest.raises(ImageError, match="no such file"):
            read_image(tmp_path / "missing.png")
        empty = tmp_path / "empty.png"
        empty.write_bytes(b"")
        with pytest.raises(ImageError, match="empty"):
            read_image(empty)
        text = tmp_path / "notes.png"
        text.write_text("hello")
        with pytest.raises(ImageError, match="not an image"):
            read_image(text)
        with pytest.raises(ImageError, match="folder"):
            read_image(tmp_path)

    def test_truncated_png(self, tmp_path, cross):
        path = tmp_path / "t.png"
        Image.fromarray((cross * 255).astype(np.uint8)).save(path)
        path.write_bytes(path.read_bytes()[:60])
        with pytest.raises(ImageError, match=str(path.name)):
            read_image(path)

    def test_tiny_and_huge(self, tmp_path):
        with pytest.raises(ImageError, match="too small"):
            read_image(np.zeros((1, 1), np.uint8))
        with pytest.raises(ResourceError, match="megapixel cap"):
            read_image(np.zeros((100, 100), np.uint8), max_pixels=1000)
        big = tmp_path / "big.png"
        Image.new("L", (200, 200)).save(big)
        with pytest.raises(ResourceError, match="STROKEBOT_MAX_PIXELS"):
            read_image(big, max_pixels=1000)

    @pytest.mark.parametrize("shape", [(4, 4, 5), (2, 2, 2, 2), (5,)])
    def test_bad_shapes(self, shape):
        with pytest.raises(ImageError, match="shape"):
            read_image(np.zeros(shape, np.uint8))

    def test_nan(self):
        with pytest.raises(ImageError, match="NaN"):
            read_image(np.full((4, 4), np.nan))


class TestInk:
    def test_polarity_auto_and_override(self, cross):
        light_on_dark = cross
        dark_on_light = 1 - cross
        for image in (light_on_dark, dark_on_light):
            assert iou(ink_map(image) > 0.5, cross > 0.5) > 0.9
        forced = ink_map(dark_on_light, polarity="dark-on-light")
        assert iou(forced > 0.5, cross > 0.5) > 0.9
        with pytest.raises(ImageError):  # read the wrong way round, it is all ink
            ink_map(dark_on_light, polarity="light-on-dark", clean=False)
        with pytest.raises(UsageError, match="polarity"):
            ink_map(cross, polarity="sideways")

    def test_blank_and_full(self):
        with pytest.raises(ImageError, match="no ink"):
            ink_map(np.ones((32, 32), np.float32))
        with pytest.raises(ImageError, match="no ink"):
            ink_map(np.full((32, 32), 0.5, np.float32))
        noise = np.clip(0.9 + np.random.default_rng(0).normal(0, 0.02, (64, 64)), 0, 1)
        with pytest.raises(ImageError, match="no ink"):
            ink_map(noise)

    def test_photo_is_cleaned(self, word_photo):
        ink = ink_map(*read_image(word_photo))
        assert (ink[:, :8] == 0).all() and (ink[:8] == 0).all()  # paper grain and shading gone
        assert 0.03 < (ink > 0.5).mean() < 0.2

    @pytest.mark.parametrize("size", [100, 200])
    def test_a_fat_pens_filled_corner_and_a_big_dot_are_ink_not_shade(self, size):
        # Both are wider than the background's window (a sixth of the image): cleaning took them for
        # shade and cut the V's tip off as a glyph of its own, and hollowed the dot into a ring.
        k = size / 100
        v = draw_polylines([[(35 * k, 15 * k), (50 * k, 85 * k), (65 * k, 15 * k)]], size=(size, size), width=14 * k)
        dot = draw_polylines([[(80 * k, 80 * k), (80.5 * k, 80 * k)]], size=(size, size), width=24 * k)
        ink = np.maximum(v, dot)
        cleaned = ink_map(1.0 - ink)
        assert iou(cleaned > 0.5, ink > 0.5) > 0.97
        assert len(find_glyphs(cleaned, cut=False)) == 2

    def test_shade_around_a_fat_pens_corner_is_still_taken_away(self):
        v = draw_polylines([[(35, 15), (50, 85), (65, 15)]], size=(100, 100), width=14)
        yy, xx = np.mgrid[0:100, 0:100]
        paper = 0.9 - 0.45 * (xx / 100)  # light falling off to the right: shade up to half the ink's level
        cleaned = ink_map(paper * (1 - 0.9 * v))
        assert (cleaned[v < 0.05] < 0.5).all()
        assert iou(cleaned > 0.5, v > 0.5) > 0.9

    def test_specks_go_but_dots_stay(self):
        ink = draw_polylines([[(10, 30), (60, 30)]], size=(80, 60), width=5)
        ink[5, 5] = 1.0  # a speck
        ink = np.maximum(ink, draw_polylines([[(70, 10), (70.5, 10)]], size=(80, 60), width=6))  # a dot
        cleaned = ink_map(ink)
        assert cleaned[5, 5] == 0
        assert cleaned[10, 70] > 0.5

    def test_stroke_width(self):
        for width in (2, 4, 8):
            ink = draw_polylines([[(10, 50), (90, 50)]], size=(100, 100), width=width)
            assert stroke_width(ink) == pytest.approx(width, rel=0.2)


def test_label_components_matches_scipy():
    from scipy import ndimage

    rng = np.random.default_rng(0)
    for density in (0.2, 0.45, 0.6):
        mask = rng.random((40, 50)) < density
        ours, count = label_components(mask)
        theirs, expected = ndimage.label(mask, structure=np.ones((3, 3)))
        assert count == expected
        # Same partition: a one-to-one map between the labellings.
        pairs = set(zip(ours[mask].tolist(), theirs[mask].tolist(), strict=True))
        assert len(pairs) == count
    assert label_components(np.zeros((3, 3), bool)) == (pytest.approx(np.zeros((3, 3))), 0)


class TestGlyphs:
    def test_word_with_dot_and_bar_in_reading_order(self):
        strokes = [
            [(10, 20), (10, 60)],  # l
            [(40, 35), (40, 60)],  # i stem
            [(70, 15), (70, 60)],  # t stem
            [(60, 30), (80, 30)],  # t bar (touches the stem)
        ]
        ink = draw_polylines(strokes, size=(100, 70), width=4)
        ink = np.maximum(ink, draw_polylines([[(40, 25), (40.2, 25)]], size=(100, 70), width=5))  # i dot
        glyphs = find_glyphs(ink)
        assert [g.box[0] < 20 for g in glyphs] == [True, False, False]
        assert len(glyphs) == 3
        i_glyph = glyphs[1]
        assert i_glyph.box[1] < 25 < i_glyph.box[3]  # the dot is part of the i

    def test_two_rows(self):
        strokes = [[(10, 10), (10, 30)], [(40, 10), (40, 30)], [(10, 60), (10, 80)], [(40, 60), (40, 80)]]
        glyphs = find_glyphs(draw_polylines(strokes, size=(60, 90), width=4))
        tops = [(g.box[0] // 20, g.box[1] // 40) for g in glyphs]
        assert tops == [(0, 0), (1, 0), (0, 1), (1, 1)]

    def test_lines_of_writing_that_nearly_touch_are_read_line_by_line(self):
        # Three words a line, two lines; a word's tail reaches down to 3 px above the word below it
        # (a descender over an ascender). The words stacked in a column used to be one glyph, so a
        # page was drawn column by column, across the lines.
        def word(x, y):
            return [(x + t, y + 12 + 10 * np.sin(t / 4)) for t in np.linspace(0, 50, 60)] + [(x + 50, y + 22), (x + 50, y + 30)]

        lines = [[word(x, y) for x in (10, 80, 150)] for y in (5, 38)]
        glyphs = find_glyphs(draw_polylines([w for line in lines for w in line], size=(210, 75), width=3), cut=False)
        assert len(glyphs) == 6
        assert [(g.box[0] // 70, g.box[1] // 30) for g in glyphs] == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]

    def test_rows_of_characters_are_read_row_by_row_and_keep_their_stacked_parts(self):
        # Two rows of six 60-px characters, 4 px apart: five are one box each (口), one is two
        # small boxes one over the other (like 吕). Its parts stay one glyph: its neighbours stand as
        # tall as both. The rows used to merge, each column of two characters one glyph.
        def box(x0, y0, x1, y1):
            return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]

        strokes = []
        for top in (0, 64):
            for k, x in enumerate(range(0, 384, 64)):
                if k == 2:
                    strokes += [box(x + 20, top + 8, x + 40, top + 26), box(x + 14, top + 34, x + 46, top + 54)]
                else:
                    strokes.append(box(x + 8, top + 8, x + 52, top + 54))
        glyphs = find_glyphs(draw_polylines(strokes, size=(384, 128), width=4), cut=False)
        assert [(g.box[0] // 64, g.box[1] // 64) for g in glyphs] == [(k, row) for row in (0, 1) for k in range(6)]

    def test_letters_of_lines_written_apart_are_read_line_by_line(self):
        # Each letter its own mark, tall ones (with ascenders) reaching up to 4 px below the line above.
        def letter(x, y, tall):
            return [(x, y + 30), (x + 8, y + (0 if tall else 14)), (x + 16, y + 30)]

        strokes = [letter(10 + 22 * k, y, k % 3 == 1) for y in (4, 40, 76) for k in range(9)]
        glyphs = find_glyphs(draw_polylines(strokes, size=(210, 112), width=3), cut=False)
        rows = [g.box[1] // 36 for g in glyphs]
        assert rows == sorted(rows) and len(set(rows)) == 3

    def test_a_character_of_two_parts_one_over_the_other_stays_whole(self):
        # 二-like parts that do not touch: nothing on the page says they are two lines.
        roof = [[(20, 10), (20, 18), (60, 18), (60, 26)], [(40, 4), (40, 10)]]
        child = [[(25, 34), (55, 34), (40, 46), (40, 70)], [(18, 52), (62, 52)]]
        glyphs = find_glyphs(draw_polylines(roof + child, size=(80, 80), width=4))
        assert len(glyphs) == 1

    def test_a_dot_between_two_lines_goes_with_the_letter_it_is_nearest(self):
        # The dot of an i on the second line, just below a word of the first: it is the i's.
        def word(x0, x1, y):
            return [(x, y + 6 * np.sin(x / 5)) for x in np.linspace(x0, x1, 80)]

        i_stem, dot = [(40, 44), (40, 62)], [(40, 36), (40.2, 36)]
        ink = draw_polylines([word(10, 90, 20), word(110, 190, 20), i_stem, dot, word(60, 190, 55)], size=(200, 70), width=4)
        glyphs = find_glyphs(ink, cut=False)
        assert len(glyphs) == 4
        (i_glyph,) = [g for g in glyphs if g.box[0] < 45 and g.box[3] > 60]
        assert i_glyph.box[1] <= 34 and i_glyph.box[2] < 45  # the dot, and nothing of the line above

    def test_neighbours_ink_is_masked(self):
        strokes = [[(10, 10), (30, 30)], [(25, 5), (26, 5)]]  # a dot inside the other's box, apart
        ink = draw_polylines(strokes, size=(40, 40), width=3)
        for glyph in find_glyphs(ink):
            assert glyph.ink.sum() <= ink.sum()

    def test_joined_writing_is_cut(self):
        wave = [(x, 30 + 10 * np.sin(x / 6)) for x in np.linspace(5, 195, 200)]
        glyphs = find_glyphs(draw_polylines([wave], size=(200, 60), width=3))
        assert len(glyphs) >= 3
        assert all(g.width <= 1.8 * max(g.height, 20) for g in glyphs)

    def test_no_split(self, cross):
        assert len(find_glyphs(cross, split=False)) == 1


class TestNormalise:
    def test_like_mnist(self, cross):
        glyph = find_glyphs(cross)[0]
        image, frame = normalise(glyph)
        assert image.shape == (28, 28)
        ys, xs = np.nonzero(image > 0.05)
        assert max(xs.max() - xs.min(), ys.max() - ys.min()) <= 22
        total = image.sum()
        yy, xx = np.mgrid[0:28, 0:28]
        assert (xx * image).sum() / total + 0.5 == pytest.approx(14, abs=0.6)
        assert (yy * image).sum() / total + 0.5 == pytest.approx(14, abs=0.6)

    @pytest.mark.parametrize("size, x, y", [(60, 17.3, 41.8), (300, 150.5, 80.25), (28, 3.5, 20.0)])
    def test_round_trip_is_exact(self, size, x, y):
        ink = draw_polylines([[(size * 0.2, size * 0.2), (size * 0.8, size * 0.7)]], size=(size, size), width=max(2, size / 15))
        glyph = find_glyphs(ink)[0]
        _, frame = normalise(glyph)
        there = frame.to_model([[x, y]])
        np.testing.assert_allclose(frame.to_source(there), [[x, y]], atol=1e-9)

    @pytest.mark.parametrize("size", [40, 105, 400])
    def test_ink_lands_where_the_frame_says(self, size):
        # A dot in the source must appear in the model image where the frame maps it.
        cx, cy = 0.37 * size, 0.61 * size
        ink = draw_polylines([[(0.2 * size, 0.2 * size), (0.8 * size, 0.25 * size)], [(cx, cy), (cx + 0.01, cy)]],
                             size=(size, size), width=size / 12)
        glyph = Glyph(box=(0, 0, size, size), ink=ink)
        image, frame = normalise(glyph, centre="box")
        expected = frame.to_model([[cx, cy]])[0]
        window = image[int(expected[1]) - 3 : int(expected[1]) + 4, int(expected[0]) - 3 : int(expected[0]) + 4]
        yy, xx = np.mgrid[0 : window.shape[0], 0 : window.shape[1]]
        got = np.array([(xx * window).sum(), (yy * window).sum()]) / window.sum() + [int(expected[0]) - 3 + 0.5, int(expected[1]) - 3 + 0.5]
        np.testing.assert_allclose(got, expected, atol=0.35)

    def test_thin_strokes_are_thickened(self):
        ink = draw_polylines([[(50, 50), (950, 900)]], size=(1000, 1000), width=3)
        glyph = find_glyphs(ink)[0]
        image, _ = normalise(glyph)
        assert image.max() > 0.6

    def test_frame_doc(self):
        f = Frame(scale=2.0, offset=(1.0, 2.0), size=28)
        assert f.to_source([[0, 0]]).tolist() == [[1.0, 2.0]]
