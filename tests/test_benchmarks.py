"""The benchmarks still run (a small --quick run of each) and the baselines trace what they should."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED_DATA, draw_polylines

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import baselines  # noqa: E402

needs_data = pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(), reason="shared MNIST/Omniglot data not found")


def _lead(name: str):
    """A lead script of benchmarks/leads as a module (leads import torch, so only where a test needs one)."""
    leads = str(BENCHMARKS / "leads")
    if leads not in sys.path:
        sys.path.insert(0, leads)
    return importlib.import_module(name)


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_skeleton_tracer_cuts_at_junctions():
    cross = draw_polylines([[(10, 30), (54, 30)], [(32, 8), (32, 52)]], size=(64, 64), width=5)
    paths = baselines.skeleton_trace(cross)
    assert len(paths) == 4  # four arms out of one junction
    assert all(p.shape[1] == 2 and len(p) > 5 for p in paths)
    ring = draw_polylines([[(10, 10), (50, 10), (50, 50), (10, 50), (10, 10)]], size=(64, 64), width=5)
    (loop,) = baselines.skeleton_trace(ring)
    np.testing.assert_array_equal(loop[0], loop[-1])
    dot = np.zeros((9, 9))
    dot[4, 4] = 1
    assert [p.tolist() for p in baselines.skeleton_trace(dot)] == [[[4.5, 4.5]]]
    assert baselines.skeleton_trace(np.zeros((9, 9))) == []


@pytest.mark.skipif(not baselines.potrace_available(), reason="potrace not installed")
def test_potrace_gives_outlines_in_image_coordinates():
    ring = draw_polylines([[(10, 10), (50, 10), (50, 50), (10, 50), (10, 10)]], size=(64, 80), width=5)
    outer, hole = sorted(baselines.potrace_trace(ring), key=len, reverse=True)
    assert outer[:, 1].min() == pytest.approx(7.5, abs=1) and outer[:, 1].max() == pytest.approx(52.5, abs=1)
    assert hole[:, 0].min() > 10 and hole[:, 0].max() < 50
    assert len(baselines.potrace_batch([ring, ring])) == 2


@needs_data
@pytest.mark.slow
def test_throughput_quick():
    out = run("throughput.py", "--quick", "--count", "300", "--stroke-count", "20", "--folder", "24")
    assert "trace_batch, arrays to Drawings" in out and "target: trace_batch" in out
    assert "default: trace_batch, no model given" in out and "the default call is drawn by strokebot-fast" in out
    assert "stroke model: trace_batch, 2 processes" in out
    assert "folder of 24 PNGs to G-code, -j 2" in out and "torch in workers: no" in out


@pytest.mark.slow
def test_fat_pens_quick():
    out = run("fat_pens.py", "--quick")
    assert "narrow Vs" in out and "zigzags" in out and out.count("one stroke:") == 2
    # A V whose arms are 28 degrees apart is one stroke with either pen (MODEL_CARD.md, Limits).
    assert "| 28° | 1 | 1 |" in out


@needs_data  # its people's glyphs come from the shared Omniglot archive
@pytest.mark.slow
def test_smooth_lines_quick():
    out = run("smooth_lines.py", "--quick")
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in out.splitlines() if line.startswith("| ") and "---" not in line}
    assert set(rows) >= {"line", "circle", "ellipse", "wave"}
    for kind in ("line", "circle", "ellipse", "wave"):
        wobble, worst = rows[kind][2].replace("(", "").replace(")", "").split()
        assert abs(float(wobble)) < 30 and float(rows[kind][3]) < 0.1 and rows[kind][5].strip(" |") == "1.00", kind


@pytest.mark.slow
def test_coldstart_quick():
    out = run("coldstart.py", "--quick", "--rounds", "1")
    assert "strokebot trace glyph.png --to gcode" in out
    assert "trace imports torch: no" in out


@needs_data
@pytest.mark.slow
def test_compare_quick():
    out = run("compare.py", "--quick", "--limit", "6")
    for name in ("mnist:", "hershey:", "omniglot:", "scans:", "skeleton tracer", "strokebot vs skeleton tracer"):
        assert name in out
    assert "machine:" in out


def test_convention_trace_joins_straight_through_and_orders_by_convention():
    cross = draw_polylines([[(54, 20), (10, 20)], [(32, 56), (32, 8)]], size=(64, 64), width=5)  # a dagger
    first, second = baselines.convention_trace(cross)  # two strokes, each right through the junction
    assert np.ptp(first[:, 0]) > 35 and np.ptp(first[:, 1]) < 3  # the bar first (its centroid is higher)
    assert first[-1, 0] > first[0, 0]  # drawn left to right, against how it was drawn here
    assert second[-1, 1] > second[0, 1] and np.ptp(second[:, 1]) > 35  # the stem, top to bottom


@needs_data
@pytest.mark.slow
def test_drawing_order_quick():
    out = run("drawing_order.py", "--quick", "--sets", "omniglot", "shapes")
    assert "skeleton, convention order" in out and "strokebot --fast" in out
    assert "omniglot: strokebot" in out and "the convention-ordered skeleton" in out


@pytest.mark.slow
@needs_data
def test_global_local_lead_quick(tmp_path):  # trains on people's Omniglot paths too
    out = run("leads/global_local.py", "--quick", "--out", str(tmp_path / "quick"))
    assert "KanjiVG test, 218 px" in out


def test_another_persons_path_fitted_onto_a_glyph_scores_as_the_same_drawing():
    # The people benchmark fits one person's path onto another's glyph: the fit must not itself make
    # two drawings disagree. A path stretched, sheared and moved is brought back onto the original.
    from people import fitted

    from strokebot.metrics import drawing_like_a_person

    t = np.linspace(0, np.pi, 40)
    strokes = [np.stack([50 + 30 * np.cos(t), 50 - 30 * np.sin(t)], axis=1), np.array([[20.0, 70.0], [80.0, 70.0]])]
    skew = np.array([[1.3, 0.2], [-0.1, 0.8]])
    other = [s @ skew.T + (12.0, -7.0) for s in strokes]
    figures = drawing_like_a_person(fitted(other, strokes), strokes)
    assert figures["chamfer"] < 0.5
    assert figures["direction"] == 1.0 and figures["order"] == 1.0


@needs_data
@pytest.mark.slow
def test_people_quick():
    out = run("people.py", "--quick")
    assert "another person" in out and "the most alike other person" in out and "| strokebot |" in out
    assert "order by character" in out and "/character" in out.split("order by character")[1]
    table, split = out.split("whether most of the other people drew them the same way")[1].split("by how many of the other people drew them")
    shares = {line.split(" | ")[0].strip("| "): line.split(" | ")[2] for line in table.splitlines() if line.startswith("| ") and "---" not in line}
    assert "conventional" in shares and all(0 <= int(v.rstrip("%")) <= 100 for k, v in shares.items() if k != "the person drew it")
    # The same strokes by the others' share, and how often strokebot drew them the person's way.
    bins = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in split.splitlines() if line.startswith("| ") and "---" not in line}
    assert "over two thirds" in bins and set(bins) <= {"the others the person's way", "under a third", "a third to two thirds", "over two thirds"}
    assert all(0 <= int(cells[2].strip(" |%")) <= 100 for name, cells in bins.items() if name != "the others the person's way")


@pytest.mark.slow
def test_joined_words_lead_quick():
    out = run("leads/joined_words.py", "--quick")
    assert "joined wherever the ink connects" in out and "the font's strokes" in out
    # The reasons for the model's own lifts account for its strokes: a word of N strokes lifts N - 1 times.
    strokes = float(out.split("the model as it runs")[1].split()[0])
    header = out.split("why the model lifts the pen")[1].splitlines()[0]
    lifts, words = int(header.split(": ")[1].split()[0]), int(header.split(" in ")[1].split()[0])
    assert abs(lifts - (strokes - 1) * words) <= 2
    assert "the stay net turned it down" in out and "the ink does not connect them" in out


@needs_data
@pytest.mark.slow
def test_direction_errors_lead_quick():
    out = run("leads/direction_errors.py", "--quick")
    rows = {line.split(" | ")[0].strip("| "): line for line in out.splitlines() if line.startswith("| ") and "---" not in line}
    assert "split over drawn strokes" in rows and "one drawn stroke, the person conventional" in rows
    strokes, backwards = (int(rows["all"].split(" | ")[k]) for k in (1, 2))
    assert strokes > 50 and 0 <= backwards < strokes / 2


@pytest.mark.slow
def test_direction_errors_lead_reads_the_rules_on_any_set():
    out = run("leads/direction_errors.py", "--quick", "--data", "shapes", "--rules")
    assert "shapes glyphs (the convention-ordered skeleton)" in out
    rows = [line for line in out.splitlines() if line.startswith("| all |")]
    assert len(rows) == 1 and int(rows[0].split(" | ")[1]) >= 60  # every figure has a stroke with a direction


@needs_data
@pytest.mark.slow
def test_sequencer_context_lead_trains_and_traces_each_kind(tmp_path):
    kinds = ("none", "mean", "relations")  # "attention" runs the code of "relations" on other inputs
    out = run("leads/sequencer_context.py", "--out", str(tmp_path), "--quick", "--kinds", *kinds, "--seeds", "0", "-j", "1")
    lines = [line for line in out.splitlines() if line.startswith(tuple(f"| {kind} |" for kind in kinds))]
    assert len(lines) == 3 and all(len(line.split(" / ")) == 4 for line in lines)  # three held-out sets, loss / accuracy each
    for kind in kinds:
        rows = (tmp_path / f"{kind}.jsonl").read_text().splitlines()
        assert len(rows) == 2 * _lead("sequencer_context").QUICK_TRACED and f"wrote {tmp_path / kind}.jsonl" in out  # people's glyphs and KanjiVG characters


def test_people_in_hindsight_picks_the_drawing_that_agrees_best_with_everyone_else():
    from people import _best_in_hindsight, _voted

    # Three people: 0 and 1 draw alike, 2 their own way. The drawing picked for each person is the
    # one, of the others', that agrees best with all who drew the character, that person included.
    agree = {(0, 1): 1.0, (1, 0): 1.0, (0, 2): 0.2, (2, 0): -0.4, (1, 2): 0.0, (2, 1): -0.4}
    scored = {pair: {"direction": 1.0, "order": tau, "chamfer": 0.3} for pair, tau in agree.items()}
    rows = _best_in_hindsight(scored, 3)
    # Person 0 gets 1's drawing (1 agrees 0.5 on average, 2 -0.4); 1 gets 0's (0.6); 2 gets 0's too.
    assert [row["order"] for row in rows] == [1.0, 1.0, 0.2] and rows[0]["chamfer"] == 0.3

    # A vote: strokes drawn the person's way where over half the votes say so (or half, with ties).
    forwards, ranks = np.array([0.5, 1.0, np.nan, 0.0]), np.array([0.0, 1.0, 3.0, 2.0])
    assert _voted({}, forwards, ranks)["direction"] == pytest.approx(1 / 3)  # the dot has no direction
    assert _voted({}, forwards, ranks, ties=True)["direction"] == pytest.approx(2 / 3)
    assert _voted({}, forwards, ranks)["order"] == pytest.approx(2 / 3)  # one pair of four strokes swapped: tau 4/6


def test_people_counts_the_strokes_strokebot_draws_the_persons_way_by_how_many_others_did():
    from types import SimpleNamespace

    from people import split_strokes

    line = np.array([[0.0, 0.0], [40.0, 0.0]])
    sample = SimpleNamespace(strokes=[line, line + (0, 20), line + (0, 40)])
    shares = {0: np.array([0.1, 0.5, 0.9]), 1: np.array([0.2, np.nan, 0.95])}
    forwards, backwards = [line, line + (0, 20), line + (0, 40)], [line[::-1], line[::-1] + (0, 20), line[::-1] + (0, 40)]
    text = split_strokes(shares, [forwards, backwards], [sample, sample])
    table = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in text.splitlines() if line.startswith("| ") and "---" not in line}
    assert table["under a third"] == ["2", "0.15", "50% |"]  # one drawn forwards, one backwards
    assert table["a third to two thirds"] == ["1", "0.50", "100% |"] and table["over two thirds"][0] == "2"


def test_people_splits_the_shortfall_by_strokes_drawn():
    from people import by_stroke_count

    rows = [dict(order=o, strokes=s, true_strokes=3.0) for o, s in ((1.0, 3.0), (0.0, 3.0), (-1.0, 4.0), (0.5, 2.0), (float("nan"), 3.0))]
    majority = {k: dict(order=m) for k, m in enumerate((1.0, 1.0, 1.0, 0.5, 1.0))}
    table = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in by_stroke_count(rows, majority).splitlines() if line.startswith("| ") and "---" not in line and "glyphs" not in line}
    assert table["as many"][0] == "2" and table["more"][0] == "1" and table["fewer"][0] == "1"  # the NaN glyph is left out
    assert float(table["as many"][3]) == -0.5 and float(table["more"][3]) == -2.0
    shares = sum(float(cells[4].rstrip(" |")) for cells in table.values())
    assert shares == pytest.approx((0 - 1 - 2 + 0) / 4, abs=1e-3)  # the groups' shares add up to the whole mean shortfall
    rows = [dict(r, direction=d) for r, d in zip(rows, (1.0, 0.5, 1.0, 0.0, 1.0), strict=True)]
    majority = {k: dict(v, direction=1.0) for k, v in majority.items()}
    text = by_stroke_count(rows, majority, "direction")
    assert text.splitlines()[1].startswith("direction against the other people's majority")
    table = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in text.splitlines() if line.startswith("| ") and "---" not in line and "glyphs" not in line}
    assert table["as many"][0] == "3" and float(table["fewer"][3]) == -1.0  # the glyph without an order has a direction


@needs_data
@pytest.mark.slow
def test_sequencer_seeds_lead_writes_models_that_read_their_width(tmp_path):
    from strokebot.model.inference import load_model
    from strokebot.model.order import CONVENTION_FEATURES, STROKE_FEATURES

    out = run("leads/sequencer_seeds.py", "--out", str(tmp_path), "--quick", "--seeds", "1", "-j", "1")
    assert "sequencer examples:" in out
    every, fewer = len(STROKE_FEATURES), CONVENTION_FEATURES
    narrow, wide = load_model(tmp_path / f"f{fewer}-s1.npz"), load_model(tmp_path / f"f{every}-s1.npz")
    assert (narrow.nets.features, wide.nets.features) == (fewer, every) and narrow.name.endswith(f"sequencer f{fewer} s1")
    ink = draw_polylines([[(10, 30), (54, 30)], [(32, 8), (32, 52)]], size=(64, 64), width=5)
    assert 1 <= len(narrow.draw(ink)) <= 3 and 1 <= len(wide.draw(ink)) <= 3


def test_sheet_draws_the_true_strokes_beside_the_models(tmp_path):
    from PIL import Image

    out = run("sheet.py", "--set", "shapes", "--glyph", "3", "--glyph", "61", "--size", "80", "-o", str(tmp_path / "sheet.png"))
    assert "2 glyphs of shapes, the true strokes and strokebot-default" in out
    picture = np.asarray(Image.open(tmp_path / "sheet.png").convert("RGB")).astype(int)
    assert picture.shape[0] >= 2 * 80 and picture.shape[1] >= 2 * 80  # two rows, two columns
    coloured = np.abs(picture - picture.mean(axis=2, keepdims=True)).max(axis=2) > 40
    assert coloured[:, : picture.shape[1] // 2].any() and coloured[:, picture.shape[1] // 2 :].any()  # strokes in both columns
    done = subprocess.run([sys.executable, str(BENCHMARKS / "sheet.py"), "--set", "shapes", "--label", "no such label"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.strip() == "sheet: no glyph of shapes has a label containing 'no such label'"
    done = subprocess.run([sys.executable, str(BENCHMARKS / "sheet.py"), "--set", "shapes", "--glyph", "9999"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.strip() == "sheet: no glyph of shapes numbered 9999 has a label containing ''"


def test_digit_strokes_lead_counts_strokes_per_digit():
    if not (SHARED_DATA / "mnist" / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("needs the shared MNIST")
    out = run("leads/digit_strokes.py", "--count", "60")
    rows = [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 10
    assert sum(int(row.split("|")[2]) for row in rows) <= 60
    ones = rows[1].split("|")  # the 1s: one stroke each, none drawn over itself
    assert ones[3].strip() == "100 %" and ones[6].strip() == "0 %"


def test_distilled_fast_lead_scores_a_gesture_model_against_the_stroke_model():
    if not (SHARED_DATA / "mnist" / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("needs the shared MNIST")
    out = run("leads/distilled_fast.py", "--test", "40")
    (row,) = [line for line in out.splitlines() if line.startswith("| strokebot")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    direction, pixel_accuracy, clustering = float(cells[2]), float(cells[7]), float(cells[8])
    assert 0 <= direction <= 1 and 0.9 < pixel_accuracy <= 1 and 0 < clustering <= 1


def test_bold_kanji_lead_says_where_fat_pens_lose_strokes():
    out = run("leads/bold_kanji.py", "--count", "6", "--pen", "6", "--pen", "12")
    rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row[0] for row in rows] == ["| 6", "| 12"]
    for row in rows:
        exact, *_, fewer, more = (int(cell.strip(" |")) for cell in row[1:])
        assert exact + fewer + more == 6


@needs_data
def test_model_speed_lead_times_two_models_side_by_side():
    from strokebot.model.checkpoint import DEFAULT_MODEL

    out = run("leads/model_speed.py", "--model", str(DEFAULT_MODEL), "--model", str(DEFAULT_MODEL), "--kanjivg", "2", "--omniglot", "2", "--rounds", "1")
    rows = [line for line in out.splitlines() if line.startswith(("| kanjivg |", "| omniglot |"))]
    assert len(rows) == 2 and all(len(row.split("|")) == 7 for row in rows)  # set, glyphs, two times, one ratio
    done = subprocess.run([sys.executable, str(BENCHMARKS / "leads" / "model_speed.py"), "--model", "no-such.npz"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and done.stderr.strip() == "model_speed: no-such.npz: model file not found"


def test_lines_of_writing_lead_scores_each_character_of_a_line_on_its_own():
    from strokebot.model.checkpoint import DEFAULT_MODEL

    lines_of_writing = _lead("lines_of_writing")

    image, placed = lines_of_writing.line("tio", 1.0)
    assert image.shape[0] == 109 and [len(c) for c in placed] == [2, 2, 1]  # t and i two strokes each
    rights = [max(float(s[:, 0].max()) for s in c) for c in placed]
    lefts = [min(float(s[:, 0].min()) for s in c) for c in placed]
    assert all(left - right >= lines_of_writing.GAP - 1e-6 for right, left in zip(rights[:-1], lefts[1:], strict=True))  # apart
    latin, joined = lines_of_writing.line("tVo", 1.0, latin=True)
    np.testing.assert_array_equal(latin, lines_of_writing.line("tVo", 1.0)[0])  # the same ink,
    assert [len(c) for c in joined] == [2, 1, 1]  # a V in one stroke
    out = run("leads/lines_of_writing.py", "--model", str(DEFAULT_MODEL), "--model", str(DEFAULT_MODEL), "--count", "2")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("|") and line.split("|")[3].strip().endswith("(default.npz)")]
    assert len(rows) == 8  # four sets, two models each
    against = [row[-2].strip() for row in rows[1::2]]  # the second model against the first: itself
    assert all(said.replace("+0.000 [+0.000, +0.000]", "").replace("+0.000 (one character)", "") == "; " for said in against), against
    changed = [line.split("|")[4].strip() for line in out.splitlines() if "drawn otherwise than the first" in line]
    assert changed == ["none"] * 4, changed  # a model draws every character as itself
    done = subprocess.run([sys.executable, str(BENCHMARKS / "leads" / "lines_of_writing.py"), "--model", "no-such.npz"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and done.stderr.strip() == "lines_of_writing: no-such.npz: model file not found"


def test_sequencer_relations_lead_reads_what_hangs_from_what():
    from strokebot.model.checkpoint import DEFAULT_MODEL, read_model
    from strokebot.model.order import Candidates
    from strokebot.model.skeleton import stroke_graph
    from strokebot.model.strokes import StrokeNets, parse_glyph

    lead = _lead("sequencer_relations")
    source = read_model(DEFAULT_MODEL)
    ink = draw_polylines([[(10, 12), (54, 12)], [(32, 12), (32, 56)]], size=(64, 64), width=5)  # a T
    candidates = Candidates.of(parse_glyph(stroke_graph(ink), StrokeNets(source.config, source.weights)))
    assert len(candidates) == 2
    bar = next(c for c in (0, 2) if np.ptp(candidates.strokes[c].points[:, 0]) > 30)
    stem = 2 - bar
    down = stem if candidates.strokes[stem].points[0, 1] < candidates.strokes[stem].points[-1, 1] else stem + 1
    pairs = lead.pair_relations(candidates)
    named = {name: pairs[..., k] for k, name in enumerate(lead.RELATIONS)}
    assert pairs.shape == (4, 4, len(lead.RELATIONS))
    assert named["same_stroke"][bar, bar + 1] == 1 and named["same_stroke"][bar, bar] == 0 and named["same_stroke"][bar, stem] == 0
    assert named["touching"][bar, stem] == 1 and named["crosses"][bar, stem] == 0
    assert named["hangs_from"][stem, bar] == 1 and named["hung_from"][bar, stem] == 1 and named["hangs_from"][bar, stem] == 0
    assert named["starts_on"][down, bar] == 1 and named["starts_on"][down ^ 1, bar] == 0  # the stem drawn down starts on the bar
    assert named["started_on"][bar, down] == 1
    assert named["centre_dy"][bar, stem] > 0.3 and abs(named["centre_dx"][bar, stem]) < 0.05  # the stem's centre lies below


def test_sequencer_relations_lead_orders_as_the_bundled_model_while_it_reads_no_relation(monkeypatch):
    from strokebot.model import strokes
    from strokebot.model.checkpoint import DEFAULT_MODEL, read_model

    lead = _lead("sequencer_relations")
    source = read_model(DEFAULT_MODEL)
    nets = strokes.StrokeNets(source.config, source.weights)
    glyphs = [
        draw_polylines([[(10, 12), (54, 12)], [(32, 12), (32, 56)], [(14, 34), (50, 34)]], size=(64, 64), width=4),
        draw_polylines([[(12, 12), (52, 12), (52, 52)], [(12, 12), (12, 52), (52, 52)], [(20, 30), (44, 30)]], size=(64, 64), width=4),
        draw_polylines([[(40, 8), (12, 40)], [(24, 24), (50, 56)], [(30, 40), (56, 20)]], size=(64, 64), width=4),
    ]
    before = [[s.points for s in strokes.draw_glyph(ink, nets)] for ink in glyphs]
    own = strokes.StrokeNets.order_scores
    for name in ("initial_state", "order_scores", "remember"):  # put back after the test
        monkeypatch.setattr(strokes.StrokeNets, name, getattr(strokes.StrokeNets, name))
    monkeypatch.setattr(strokes, "candidate_features", strokes.candidate_features)
    lead.swap_in(lead.bundled(source))
    assert strokes.StrokeNets.order_scores is not own  # the lead's ordering is in use
    after = [[s.points for s in strokes.draw_glyph(ink, nets)] for ink in glyphs]
    assert [len(d) for d in after] == [len(d) for d in before] and max(map(len, before)) >= 3
    for drawn, bundled in zip(after, before, strict=True):
        for a, b in zip(drawn, bundled, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-4)


@needs_data
@pytest.mark.slow
def test_sequencer_relations_lead_trains_and_traces(tmp_path):
    out = run("leads/sequencer_relations.py", "--out", str(tmp_path), "--quick", "--seeds", "0", "-j", "1")
    assert "seed 0, epoch 2/2" in out and f"wrote {tmp_path / 'relational.jsonl'}" in out
    sets = {line.split('"set": "')[1].split('"')[0] for line in (tmp_path / "relational.jsonl").read_text().splitlines()}
    assert {"omniglot", "kanjivg", "words"} <= sets


def test_beam_oracle_keeps_per_glyph_the_sequence_closest_to_the_truth():
    best_of = _lead("beam_oracle").best_of

    nan = float("nan")
    order = np.array([[1.0, -1.0, nan, 0.0], [-1.0, 1.0, nan, 0.5]])  # (ranks, glyphs)
    direction = np.array([[1.0, 0.5, 1.0, 0.0], [0.0, 1.0, 0.5, 1.0]])
    assert best_of(order, direction, 1) == pytest.approx((0.0, 0.625, 0.625))  # the first alone; the NaN glyph left out of the order
    tau, way, best_way = best_of(order, direction, 2)
    assert tau == pytest.approx((1.0 + 1.0 + 0.5) / 3)
    assert way == pytest.approx((1.0 + 1.0 + 1.0 + 1.0) / 4)  # the direction of the sequence picked by its order (glyph 2: the first)
    assert best_way == pytest.approx(1.0)


def test_beam_oracle_lead_is_never_below_the_likeliest_sequence():
    out = run("leads/beam_oracle.py", "--quick", "--data", "kanjivg")
    taus = [float(line.split(" | ")[3]) for line in out.splitlines() if line.startswith("| kanjivg |")]
    assert len(taus) == 4 and taus == sorted(taus) and taus[0] > 0.5


def test_unseen_alphabets_lead_leaves_each_alphabet_out_of_its_own_fold():
    unseen_alphabets = _lead("unseen_alphabets")

    alphabets = ["Sanskrit", "Tagalog"]
    assert unseen_alphabets.people_alphabet("Tagalog/character07", set(alphabets)) == "Tagalog"
    assert unseen_alphabets.people_alphabet("kanjivg:05b57", set(alphabets)) is None
    assert unseen_alphabets.people_alphabet("Hebrew/character01", set(alphabets)) is None  # not an alphabet people drew here
    examples = {"": ["kanji"], "Sanskrit": ["s1", "s2"], "Tagalog": ["t1"]}
    assert unseen_alphabets.folds(examples, alphabets, "others") == {"Sanskrit": ["kanji", "t1"], "Tagalog": ["kanji", "s1", "s2"]}
    assert unseen_alphabets.folds(examples, alphabets, "none") == {"": ["kanji"]}


@needs_data
@pytest.mark.slow
def test_unseen_alphabets_lead_traces_every_alphabet_with_sequencers_that_never_saw_it(tmp_path):
    out = run("leads/unseen_alphabets.py", "--out", str(tmp_path), "--quick", "--people", "others", "none", "--seeds", "0", "-j", "1", "--curve")
    traced, learning = out.split("as the sequencers learn")
    table = [line for line in traced.splitlines() if line.startswith(("| model", "| skeleton", "| relations"))]
    assert len(table) == 4 and all(len(line.split(" / ")) == 5 for line in table)  # three alphabets and all, direction / order each
    # --curve: each design's loss / accuracy on each left-out alphabet after each of --quick's 2 epochs.
    curve = [line.split(" | ") for line in learning.splitlines() if line.startswith("| relations")]
    assert [(cells[0], cells[1]) for cells in curve] == [("| relations, people others", "1"), ("| relations, people others", "2"),
                                                         ("| relations, people none", "1"), ("| relations, people none", "2")]  # fmt: skip
    for cells in curve:  # --quick learns from a few people's glyphs: an alphabet without any has no curve ("—")
        pairs = [tuple(map(float, cell.strip(" |").split(" / "))) for cell in cells[2:] if cell.strip(" |") != "—"]
        assert len(cells) == 5 and pairs and all(loss > 0 and 0 <= accuracy <= 1 for loss, accuracy in pairs)
    for name in ("model", "rules", "relations-others", "relations-none"):
        rows = [json.loads(line) for line in (tmp_path / f"{name}.jsonl").read_text().splitlines()]
        assert len(rows) == 3 * _lead("unseen_alphabets").QUICK_PER_ALPHABET
        assert {row["label"].split("/")[0] for row in rows} == {"Japanese_(katakana)", "Sanskrit", "Tagalog"}
