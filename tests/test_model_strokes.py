"""strokebot.model.strokes and the bundled stroke model: clean lines, a person's order and direction."""

from __future__ import annotations

import numpy as np
import pytest

import strokebot
from strokebot import datasets
from strokebot.metrics import drawing_like_a_person


def reversals(points: np.ndarray, *, turn: float = 155.0) -> int:
    """Turns sharper than ``turn`` degrees between consecutive segments: back-and-forth moves."""
    steps = np.diff(points[:, :2], axis=0)
    steps = steps[np.hypot(*steps.T) > 1e-9]
    if len(steps) < 2:
        return 0
    a, b = steps[:-1], steps[1:]
    cosine = (a * b).sum(axis=1) / (np.hypot(*a.T) * np.hypot(*b.T))
    return int((cosine < np.cos(np.radians(turn))).sum())


def page(strokes, size=(200, 200), width=8.0) -> np.ndarray:
    ink = datasets.render_strokes([np.asarray(s, float) for s in strokes], size, width)
    return (255 * (1 - ink)).astype(np.uint8)  # black on white, as a scan


@pytest.mark.parametrize("angle", range(0, 360, 30))
def test_a_straight_line_in_any_direction_is_one_stroke_without_reversal(angle):
    a = np.radians(angle)
    line = [(100 - 80 * np.cos(a), 100 - 80 * np.sin(a)), (100 + 80 * np.cos(a), 100 + 80 * np.sin(a))]
    drawing = strokebot.trace(page([line]))
    assert len(drawing.strokes) == 1
    stroke = drawing.strokes[0].xy
    assert reversals(stroke) == 0
    assert np.hypot(*(stroke[-1] - stroke[0])) > 150  # end to end
    dx, dy = stroke[-1] - stroke[0]
    assert (dy > 0) if abs(dy) > abs(dx) + 1 else (dx > 0) if abs(dx) > abs(dy) + 1 else True  # down, or rightwards


def test_the_horizontal_bar_of_the_issue_is_one_stroke():
    image = np.full((200, 200), 255, np.uint8)
    image[96:104, 20:180] = 0  # 160 x 8 px
    drawing = strokebot.trace(image)
    assert len(drawing.strokes) == 1 and reversals(drawing.strokes[0].xy) == 0
    assert drawing.strokes[0].xy[0, 0] < drawing.strokes[0].xy[-1, 0]


@pytest.fixture(scope="module")
def figures_traced():
    """35 figures (five of each kind, pens 3-9 px on 160 px), each traced with the defaults."""
    traced = []
    for sample in datasets.shape_glyphs(35, seed=5, size=160):
        drawing = strokebot.trace(sample.image, polarity="light-on-dark")
        traced.append((sample, drawing))
    return traced


@pytest.mark.parametrize("kind", ["circle", "ellipse", "square", "wave"])
def test_closed_and_smooth_figures_are_one_stroke_each_without_reversal(figures_traced, kind):
    for sample, drawing in figures_traced:
        if sample.label.endswith(kind):
            assert len(drawing.strokes) == 1, kind
            assert reversals(drawing.strokes[0].xy) == 0, kind
            figures = drawing_like_a_person([s.xy for s in drawing.strokes], sample.strokes, sample.image)
            assert figures["off_ink"] == 0.0 and figures["chamfer"] < 1.5 and 0.85 < figures["length_ratio"] < 1.1, kind


@pytest.mark.parametrize("kind", ["spiral", "zigzag"])
def test_spirals_and_zigzags_are_one_stroke_mostly_and_rarely_retrace(figures_traced, kind):
    counts, retraced = [], 0
    for sample, drawing in figures_traced:
        if not sample.label.endswith(kind):
            continue
        counts.append(len(drawing.strokes))
        retraced += sum(reversals(s.xy) for s in drawing.strokes) > reversals(sample.strokes[0])
        figures = drawing_like_a_person([s.xy for s in drawing.strokes], sample.strokes, sample.image)
        assert figures["off_ink"] == 0.0 and figures["chamfer"] < 1.5 and 0.75 < figures["length_ratio"] < 1.1, kind
    # A spiral's tight centre, or the tips of a fat pen's zigzag, may break off or be retraced
    # (MODEL_CARD.md, Limits): most are one stroke, and at most one of the five retraces.
    assert counts.count(1) >= 2 and sorted(counts)[len(counts) // 2] <= 2, (kind, counts)
    assert retraced <= 1, (kind, retraced)


def test_most_figures_are_one_stroke(figures_traced):
    one = sum(len(drawing.strokes) == 1 for _, drawing in figures_traced)
    assert one >= 0.8 * len(figures_traced)


@pytest.mark.parametrize("offset", [0.25, 0.5])
def test_a_45_degree_line_off_the_pixel_grid_is_drawn_whole(offset):
    # Thinned to a pixel or two, such a line was drawn as a 7-px tap (a 10-px pen, 113 px long).
    image = datasets.render_strokes([np.array([(20 + offset, 100), (100 + offset, 20)])], (120, 120), 10)
    (stroke,) = strokebot.trace(image, polarity="light-on-dark").strokes
    assert np.hypot(*np.diff(stroke.xy, axis=0).T).sum() > 0.9 * 113


def test_an_underline_beneath_a_word_is_one_stroke_drawn_after_it():
    word = datasets.hershey_words("pen", height=60, pen=5)
    image = np.pad(word.image, ((0, 40), (0, 0)))
    height, width = image.shape
    line = [(15, height - 20), (width - 15, height - 20)]
    image = np.maximum(image, datasets.render_strokes([np.array(line, float)], (width, height), 5))
    drawing = strokebot.trace(image, polarity="light-on-dark")
    underline = [s for s in drawing.strokes if np.ptp(s.xy[:, 1]) < 3 and np.ptp(s.xy[:, 0]) > width - 40]
    assert len(underline) == 1 and underline[0] is drawing.strokes[-1]  # one stroke, after the word
    assert reversals(underline[0].xy) == 0 and underline[0].xy[-1, 0] > underline[0].xy[0, 0]


def test_no_pen_down_on_bare_paper_and_no_back_and_forth_on_kanji():
    for sample in datasets.kanjivg_glyphs(6, split="test"):
        drawing = strokebot.trace(sample.image, polarity="light-on-dark")
        figures = drawing_like_a_person([s.xy for s in drawing.strokes], sample.strokes, sample.image)
        assert figures["off_ink"] <= 0.005, sample.label
        assert figures["length_ratio"] < 1.1, sample.label
        assert sum(reversals(s.xy) for s in drawing.strokes) == 0, sample.label


def test_a_kanji_is_drawn_in_its_order_and_direction():
    (sample,) = datasets.kanjivg_glyphs(characters=["言"])
    drawing = strokebot.trace(sample.image, polarity="light-on-dark")
    figures = drawing_like_a_person([s.xy for s in drawing.strokes], sample.strokes, sample.image)
    assert figures["strokes"] == 7 and figures["direction"] == 1.0 and figures["order"] > 0.9


def test_letters_written_apart_are_drawn_as_a_latin_hand_draws_them():
    """A t's stem before its bar and an i's stem before its dot, in KanjiVG's direction: a t cut out
    of its word is no 十, whose bar comes first (2.6 drew the bar first; MODEL_CARD.md, run 42)."""
    word, placed, x = "tint", [], 8.0
    for char in word:
        strokes = [s.copy() for s in datasets.kanjivg_strokes(char)]
        low, high = min(float(s[:, 0].min()) for s in strokes), max(float(s[:, 0].max()) for s in strokes)
        placed.append([s + (x - low, 0.0) for s in strokes])
        x += high - low + 24.0
    image = datasets.render_strokes([s for c in placed for s in c], (int(x), 109), datasets.KANJIVG_PEN)
    drawing = strokebot.trace(image, polarity="light-on-dark")
    assert drawing.glyph_count == 4  # a line of letters, traced letter by letter
    for glyph, strokes in enumerate(placed):
        if word[glyph] in "ti":
            drawn = [s.xy for s in drawing.strokes if s.glyph == glyph]
            figures = drawing_like_a_person(drawn, strokes, image)
            assert figures["strokes"] == 2 and figures["direction"] == 1.0 and figures["order"] == 1.0, glyph


def test_a_joined_word_is_one_glyph_with_a_stroke_per_letter_at_most_and_its_dots_later():
    sample = datasets.hershey_words("minimum", height=70, pen=5)
    drawing = strokebot.trace(sample.image, polarity="light-on-dark")
    assert drawing.glyph_count == 1  # the front end no longer cuts joined-up writing into pieces
    # The pen goes back down the stems it has drawn up, as the writer's does; it may still lift at a
    # retrace or two (MODEL_CARD.md, Limits): the font draws the word in one stroke, plus the dots.
    assert len(drawing.strokes) <= 3 + 2
    top = min(s.xy[:, 1].min() for s in drawing.strokes)
    bottom = max(s.xy[:, 1].max() for s in drawing.strokes)
    dots = [k for k, s in enumerate(drawing.strokes) if s.length < 10 and s.xy[:, 1].max() < top + 0.35 * (bottom - top)]
    assert len(dots) == 2 and min(dots) > 0  # the two i-dots, not first


def test_gcode_has_no_repeated_points_and_no_tiny_back_and_forth(tmp_path):
    from gcodeparser import parse_gcode_lines

    sample = datasets.kanjivg_glyphs(characters=["書"])[0]
    drawing = strokebot.trace(sample.image, polarity="light-on-dark").fit(width=60)
    text = drawing.to_gcode(profile="grbl-servo").decode()
    points, previous = [], None
    for line in parse_gcode_lines(text):
        if line.command in (("G", 1), ("G", 0)) and ("X" in line.params or "Y" in line.params):
            point = (line.params.get("X", previous[0] if previous else 0.0), line.params.get("Y", previous[1] if previous else 0.0))
            assert point != previous, "a repeated point"
            points.append((line.command[1],) + point)
            previous = point
    down = np.array([p[1:] for p in points])
    steps = np.hypot(*np.diff(down, axis=0).T)
    tiny = steps < 0.05
    assert tiny.mean() < 0.05  # a few sub-0.05 mm steps along curves at most
    for k in np.flatnonzero(tiny[:-1] & tiny[1:]):  # never a tiny step back and forth
        a, b = down[k + 1] - down[k], down[k + 2] - down[k + 1]
        assert a @ b >= 0


def test_the_model_draws_every_glyph_of_a_page_in_reading_order():
    image = datasets.hershey_text("AB 12", height=50, pen=5)
    drawing = strokebot.trace(image)
    firsts = [min(k for k, s in enumerate(drawing.strokes) if s.glyph == g) for g in range(drawing.glyph_count)]
    assert firsts == sorted(firsts) and drawing.glyph_count == 4
    lefts = [min(s.xy[:, 0].min() for s in drawing.strokes if s.glyph == g) for g in range(drawing.glyph_count)]
    assert lefts == sorted(lefts)


def test_a_dot_inside_another_line_is_dropped_but_a_dot_beside_it_is_kept():
    from strokebot.model.strokes import DrawnStroke, without_covered_dots

    stem = DrawnStroke(np.array([[50.0, 20.0], [50.0, 100.0]]), np.array([4.0, 4.0]))
    inside = DrawnStroke(np.array([[52.0, 60.0], [53.0, 61.0]]), np.array([2.0, 2.0]))  # a speck on the stem's ink
    beside = DrawnStroke(np.array([[55.0, 60.0]]), np.array([2.0]))  # its centre off the stem's ink
    i_dot = DrawnStroke(np.array([[50.0, 9.0], [51.0, 9.0]]), np.array([3.0, 3.0]))
    kept = without_covered_dots([stem, inside, beside, i_dot])
    assert [id(s) for s in kept] == [id(stem), id(beside), id(i_dot)]
    assert without_covered_dots([inside])[0] is inside  # a drawing of one dot keeps it


def test_the_chalk_sample_has_no_pen_taps_on_lines_already_drawn():
    from pathlib import Path

    chalk = Path(__file__).resolve().parent.parent / "samples" / "chalk-light-on-dark.png"
    drawing = strokebot.trace(str(chalk))
    # The A and its bar, the B in two or three strokes, the C: 12 strokes once, with seven taps on
    # the chalk's own lines; then a hole's rim at the C's tail drawn as a tap. A tap is a stroke no
    # longer than the chalk is wide (about 15 px); the shortest letter stroke, the A's bar, is 50 px.
    assert len(drawing.strokes) <= 6
    assert min(s.length for s in drawing.strokes) > 30.0


def test_a_strokes_width_is_its_own_where_another_crosses_it_and_a_taper_is_kept():
    # The pen does not press harder where it crosses a line: the width measured there is both lines'.
    from strokebot.model.strokes import draw_glyph

    nets = strokebot.load_model().nets
    cross = datasets.render_strokes([np.array([(20.0, 60), (180, 60)]), np.array([(100.0, 10), (100, 110)])], (200, 120), 6.0)
    strokes = draw_glyph(cross, nets)
    assert len(strokes) == 2
    for stroke in strokes:
        width = 2 * stroke.radius
        assert np.abs(width - 6.0).max() < 0.1 * 6.0  # 8-10 px at the crossing before
    # A stroke whose own ink widens from 4 to 12 px keeps its swell.
    xs = np.linspace(20, 180, 17)
    taper = np.zeros((120, 200), np.float32)
    for k in range(16):
        taper = np.maximum(taper, datasets.render_strokes([np.array([(xs[k], 60.0), (xs[k + 1], 60.0)])], (200, 120), 4 + 8 * k / 15))
    (stroke,) = draw_glyph(taper, nets)
    width, x = 2 * stroke.radius, stroke.points[:, 0]
    assert width[x < 40].mean() < 5.0 and width[x > 160].mean() > 10.5


def test_of_two_dots_on_one_another_one_is_drawn():
    # Each lies inside the other's line: dropping both would leave nothing (it raised, once widths
    # were read at crossings).
    from strokebot.model.strokes import DrawnStroke, without_covered_dots

    a = DrawnStroke(np.array([[10.0, 10.0], [10.5, 10.0]]), np.array([2.0, 2.0]))
    b = DrawnStroke(np.array([[10.2, 10.0], [10.4, 10.0]]), np.array([2.0, 2.0]))
    assert len(without_covered_dots([a, b])) == 1


def _stroke(points, nodes):
    from strokebot.model.parse import ParsedStroke

    points = np.asarray(points, float)
    return ParsedStroke(points, np.full(len(points), 3.0), [0], False, nodes)


def test_a_curl_drawn_out_from_where_the_next_stroke_starts_is_turned_to_end_there():
    from strokebot.model.strokes import toward_next

    curl = _stroke([(50, 50), (44, 44)], (7, 8))  # out from node 7 to a tip, 8.5 px
    spiral = _stroke([(50, 50), (90, 50), (90, 90), (20, 90), (20, 20), (120, 20)], (7, 9))  # on from node 7, 330 px
    first, second = toward_next([curl, spiral])
    assert first.nodes == (8, 7) and first.points[-1].tolist() == [50, 50] and second is spiral
    # 厂: its bar and its sweep start at one corner, each a sizeable stroke: the conventions' order stays.
    bar = _stroke([(20, 20), (100, 20)], (1, 2))
    sweep = _stroke([(20, 20), (20, 80), (5, 110)], (1, 3))
    assert toward_next([bar, sweep]) == [bar, sweep]
    # Where the stroke before ends on that node, the pen is there already: the curl stays as drawn.
    into = _stroke([(50, 120), (50, 50)], (4, 7))
    assert toward_next([into, curl, spiral])[1] is curl


def test_the_beam_ends_with_sequences_likeliest_first_and_the_first_is_what_is_drawn():
    from strokebot.model.inference import load_model
    from strokebot.model.skeleton import stroke_graph
    from strokebot.model.strokes import likeliest_orders, order_strokes, parse_glyph

    (sample,) = datasets.kanjivg_glyphs(characters=["言"])
    nets = load_model().nets
    parsed = parse_glyph(stroke_graph(sample.image, spur=nets.spur, corner=nets.corner), nets)
    orders = likeliest_orders(parsed, nets)
    assert len(orders) == 4 and [p for p, _ in orders] == sorted((p for p, _ in orders), reverse=True) and orders[0][0] < 0
    assert all(len(sequence) == len(parsed) for _, sequence in orders)
    firsts = [[tuple(np.round(s.points[0], 3)) for s in sequence] for _, sequence in orders]
    assert len({tuple(f) for f in firsts}) == 4  # four different sequences
    drawn = order_strokes(parsed, nets)
    assert all(np.array_equal(a.points, b.points) for a, b in zip(drawn, orders[0][1], strict=True))
    (one,) = likeliest_orders(parsed, None)  # without nets: the rule of thumb alone
    assert one[0] <= 0.0 and len(one[1]) == len(parsed) and likeliest_orders([], nets) == []
