import numpy as np
import pytest

from strokebot.drawing import Drawing, Stroke, concatenate
from strokebot.errors import UsageError


def drawing(*polylines, **kw):
    kw.setdefault("width", 100)
    kw.setdefault("height", 50)
    return Drawing([Stroke(p) for p in polylines], **kw)


class TestStroke:
    def test_two_columns_get_default_pressure_and_intensity(self):
        s = Stroke([[0, 0], [1, 1]])
        assert s.points.shape == (2, 4)
        assert s.pressure.tolist() == [0.5, 0.5] and s.intensity.tolist() == [1.0, 1.0]

    @pytest.mark.parametrize("points", [[], [[1, 2, 3]], [1, 2], [[0, 0], [np.nan, 1]], [[0, 0], [np.inf, 1]]])
    def test_bad_points(self, points):
        with pytest.raises(UsageError):
            Stroke(points)

    def test_points_are_read_only_copies(self):
        source = np.zeros((2, 2))
        s = Stroke(source)
        source[0, 0] = 5
        assert s.points[0, 0] == 0
        with pytest.raises(ValueError):
            s.points[0, 0] = 1

    def test_length_and_reverse(self):
        s = Stroke([[0, 0, 0.1, 1], [3, 4, 0.9, 1]], glyph=2)
        assert s.length == 5.0
        r = s.reversed()
        assert r.start.tolist() == [3, 4] and r.pressure.tolist() == [0.9, 0.1] and r.glyph == 2


class TestMeasures:
    def test_bounds_length_travel(self):
        d = drawing([[0, 0], [10, 0]], [[10, 5], [10, 15]])
        assert d.bounds() == (0, 0, 10, 15)
        assert d.length == 20
        assert d.travel_length == 5
        assert d.travel_from((0, 10)) == 15
        assert d.pen_lifts == 2

    def test_empty(self):
        d = drawing()
        assert d.bounds() is None and d.length == 0 and d.travel_length == 0

    @pytest.mark.parametrize("kw", [{"units": "cm"}, {"width": 0}, {"height": -1}])
    def test_bad_page(self, kw):
        with pytest.raises(UsageError):
            drawing(**kw)


class TestFit:
    def test_width_keeps_aspect(self):
        d = drawing([[0, 0], [100, 50]]).fit(width=40)
        assert (d.units, d.width, d.height) == ("mm", 40, 20)
        assert d.strokes[0].end.tolist() == pytest.approx([40, 20])

    def test_height_with_margin(self):
        d = drawing([[0, 0], [100, 50]], pen_width=2.0).fit(height=30, margin=5)
        assert d.height == 30 and d.width == pytest.approx(50)
        assert d.strokes[0].start.tolist() == pytest.approx([5, 5])
        assert d.pen_width == pytest.approx(0.8)

    def test_both_sides_centres(self):
        d = drawing([[0, 0], [100, 50]]).fit(width=100, height=100)
        assert d.bounds() == pytest.approx((0, 25, 100, 75))

    def test_crop_fits_the_strokes(self):
        d = drawing([[20, 10], [30, 20]]).fit(width=10, crop=True)
        assert d.bounds() == pytest.approx((0, 0, 10, 10))

    def test_no_size_is_css_pixels(self):
        d = drawing([[0, 0], [96, 0]]).fit()
        assert d.strokes[0].end[0] == pytest.approx(25.4)

    def test_margin_too_large(self):
        with pytest.raises(UsageError):
            drawing([[0, 0], [1, 1]]).fit(width=10, margin=5)

    def test_glyph_boxes_follow(self):
        d = drawing([[0, 0], [1, 1]], glyph_boxes=[(0, 0, 50, 50)]).fit(width=10)
        assert d.glyph_boxes == [pytest.approx((0, 0, 5, 5))]


def test_scaled():
    d = drawing([[1, 2], [3, 4]]).scaled(2)
    assert d.width == 200 and d.strokes[0].points[:, :2].tolist() == [[2, 4], [6, 8]]
    with pytest.raises(UsageError):
        d.scaled(0)


class TestSimplify:
    def test_collinear_points_go(self):
        d = drawing(np.c_[np.linspace(0, 10, 11), np.zeros(11)]).simplified(0.1)
        assert d.strokes[0].xy.tolist() == [[0, 0], [10, 0]]

    def test_corner_stays_and_tolerance_bounds_error(self):
        t = np.linspace(0, np.pi, 200)
        arc = np.c_[10 * np.cos(t), 10 * np.sin(t)]
        simple = drawing(arc).simplified(0.2).strokes[0]
        assert len(simple) < 40
        # Every original point lies within the tolerance of the simplified polyline.
        from strokebot.evaluate import chamfer

        assert chamfer([arc], [simple.points]) < 0.2

    def test_pressure_change_is_kept(self):
        points = np.c_[np.arange(5), np.zeros(5), [0.1, 0.1, 0.9, 0.1, 0.1], np.ones(5)]
        assert len(drawing(points).simplified(1.0).strokes[0]) == 5
        assert len(drawing(points).simplified(1.0, attribute_tolerance=1.0).strokes[0]) == 2

    def test_negative_tolerance(self):
        with pytest.raises(UsageError):
            drawing([[0, 0], [1, 1]]).simplified(-1)


class TestReorder:
    def test_nearest_neighbour_with_reversal(self):
        d = drawing([[50, 0], [60, 0]], [[0, 0], [10, 0]], [[30, 0], [11, 0]])
        r = d.reordered()
        assert [s.start.tolist() for s in r.strokes] == [[0, 0], [11, 0], [50, 0]]
        assert r.travel_length < d.travel_length
        assert r.length == d.length

    def test_without_reversal(self):
        r = drawing([[50, 0], [60, 0]], [[10, 0], [0, 0]]).reordered(reverse=False)
        assert r.strokes[0].start.tolist() == [10, 0]

    def test_random_drawings_never_get_more_travel_from_origin(self):
        rng = np.random.default_rng(0)
        for _ in range(20):
            d = drawing(*[rng.uniform(0, 100, (3, 2)) for _ in range(8)])
            assert d.reordered().travel_from((0, 0)) <= d.travel_from((0, 0)) + 1e-9
            assert sorted(s.length for s in d.reordered()) == pytest.approx(sorted(s.length for s in d))


def test_concatenate_keeps_glyphs_apart():
    a = drawing([[0, 0], [1, 1]], glyph_boxes=[(0, 0, 10, 10)])
    b = Drawing([Stroke([[2, 2], [3, 3]], glyph=0)], width=100, height=50, glyph_boxes=[(20, 0, 30, 10)])
    c = concatenate([a, b], width=100, height=50)
    assert [s.glyph for s in c.strokes] == [0, 1] and c.glyph_count == 2


def test_repr_mentions_size():
    assert "100x50px" in repr(drawing([[0, 0], [1, 1]]))


def test_two_opt_undoes_a_crossing():
    # Nearest neighbour from the origin walks 0 -> 1 -> 2 -> 3 and then has to come back: the
    # classic case 2-opt fixes.
    strokes = [[[1, 0], [2, 0]], [[3, 0], [4, 0]], [[4, 2], [5, 2]], [[0, 3], [1, 3]], [[10, 0], [11, 0]]]
    d = drawing(*strokes)
    greedy = d.reordered(two_opt=False)
    better = d.reordered()
    assert better.travel_from((0, 0)) <= greedy.travel_from((0, 0))
    assert sorted(s.length for s in better) == pytest.approx(sorted(s.length for s in d))


def test_reordering_never_makes_travel_longer_than_the_given_order():
    rng = np.random.default_rng(4)
    for _ in range(30):
        d = drawing(*[rng.uniform(0, 100, (2, 2)) for _ in range(rng.integers(2, 12))])
        for origin in ((0, 0), (50, 25), None):
            home = origin if origin is not None else d.strokes[0].start
            assert d.reordered(origin=origin).travel_from(home) <= d.travel_from(home) + 1e-9


def test_reversed_is_read_only_and_its_own_copy():
    stroke = Stroke([[0, 0, 0.1, 1], [1, 2, 0.2, 0.5], [3, 4, 0.3, 0.7]], glyph=2)
    back = stroke.reversed()
    assert back.glyph == 2 and not back.points.flags.writeable and back.points.flags.c_contiguous
    np.testing.assert_array_equal(back.points, stroke.points[::-1])
    assert back.reversed() == stroke and not np.shares_memory(back.points, stroke.points)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"width": -5}, "width must be a length above 0 mm, got -5"),
        ({"width": 0}, "width must be a length above 0 mm, got 0"),
        ({"height": float("inf")}, "height must be a length above 0 mm, got inf"),
        ({"width": 40, "margin": -1}, "margin must be a length of 0 mm or more, got -1"),
        ({"width": 10, "margin": 5}, "margin 5 mm on each side leaves no room on a page 10 mm wide"),
        ({"height": 4, "margin": 2.5}, "margin 2.5 mm on each side leaves no room on a page 4 mm high"),
    ],
)
def test_fit_says_which_size_is_wrong(options, message):
    """Not "margin 0.0mm leaves no room on a -5.0mm page", which no one can act on."""
    d = Drawing([Stroke([[0, 0], [28, 14]])], width=28, height=28)
    with pytest.raises(UsageError) as caught:
        d.fit(**options)
    assert str(caught.value) == message


def test_steps_are_the_drawing_as_one_gesture():
    d = Drawing([Stroke([[0, 0], [4, 0]]), Stroke([[4, 3], [4, 7]])], width=10, height=10)
    steps = d.steps(spacing=1.0)
    positions = steps.positions()
    np.testing.assert_allclose(positions[0], [0, 0])
    np.testing.assert_allclose(positions[-1], [4, 7])
    assert np.hypot(*steps.velocity.T).max() <= 1.0 + 1e-9
    # The pen-up move from (4, 0) to (4, 3) is the steps of intensity 0, and only those.
    up = steps.intensity == 0
    np.testing.assert_allclose(steps.velocity[up].sum(axis=0), [0, 3])
    np.testing.assert_allclose(steps.velocity[~up].sum(axis=0), [4, 4])
    counted = d.steps(count=11)
    assert len(counted.velocity) == 11 and np.allclose(np.hypot(*counted.velocity.T), 1.0)


def test_steps_of_nothing_and_bad_options():
    assert len(Drawing([], width=1, height=1).steps(count=5).velocity) == 0
    d = Drawing([Stroke([[0, 0], [1, 0]])], width=2, height=2)
    for options in ({}, {"count": 3, "spacing": 1.0}, {"spacing": 0.0}):
        with pytest.raises(UsageError):
            d.steps(**options)
