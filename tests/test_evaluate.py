"""Measuring models: intervals over characters, and two models compared on the same glyphs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from strokebot.cli import cli
from strokebot.evaluate import group_interval, paired_difference, path_samples, summarise
from strokebot.model.inference import DEFAULT_MODEL


def test_an_interval_over_characters_is_wider_when_a_characters_glyphs_agree():
    # 40 glyphs, half drawn right: as 40 independent glyphs, the mean is known to about ±0.15; as
    # 4 characters whose 10 glyphs all go the same way, another 4 characters could give 0 or 1.
    values = np.repeat([1.0, 0.0, 1.0, 0.0], 10)
    alone = group_interval(values, [str(k) for k in range(40)])
    together = group_interval(values, np.repeat(["a", "b", "c", "d"], 10).tolist())
    assert alone[0] < 0.5 < alone[1] and alone[1] - alone[0] < 0.4
    assert together[0] <= 0.1 and together[1] >= 0.9


def test_an_interval_leaves_out_glyphs_without_the_figure():
    values = np.array([1.0, np.nan, 1.0, np.nan])
    assert group_interval(values, ["a", "b", "c", "d"]) == (1.0, 1.0)
    assert np.isnan(group_interval(np.full(3, np.nan), ["a", "b", "c"])).all()
    assert np.isnan(group_interval(np.array([1.0, 0.0, 1.0]), ["a", "a", "a"])).all()  # one character: no spread


def _rows(direction, order):
    return [
        {"direction": d, "order": o, "off_ink": 0.0, "strokes": 2, "true_strokes": 2, "chamfer": 0.3, "length_ratio": 1.0}
        for d, o in zip(direction, order, strict=True)
    ]


def test_a_difference_on_every_character_is_clear_and_one_characters_is_not():
    groups = np.repeat(["a", "b", "c", "d", "e", "f"], 5).tolist()
    before = _rows(np.full(30, 0.8), np.full(30, 0.5))
    everywhere = _rows(np.full(30, 0.9), np.full(30, 0.5))
    one_character = _rows(np.full(30, 0.8), np.r_[np.full(5, 1.0), np.full(25, 0.5)])
    gain = paired_difference(before, everywhere, groups)
    assert gain["direction"]["difference"] == pytest.approx(0.1) and gain["direction"]["clear"]
    assert gain["order_tau"]["difference"] == 0.0 and not gain["order_tau"]["clear"]
    lucky = paired_difference(before, one_character, groups)["order_tau"]
    assert lucky["difference"] == pytest.approx(0.5 / 6) and not lucky["clear"]
    assert lucky["interval"][0] == 0.0 < lucky["interval"][1]


def test_a_sets_figures_carry_their_intervals():
    figures = summarise(_rows([1.0, 0.5, 0.0], [1.0, 0.0, np.nan]), ["a", "b", "c"])
    assert figures["groups"] == 3 and figures["direction"] == 0.5 and figures["order_tau"] == 0.5
    low, high = figures["direction_interval"]
    assert 0.0 <= low < 0.5 < high <= 1.0
    assert "groups" not in summarise(_rows([1.0], [np.nan]))


def test_evaluate_against_a_model_measures_both_on_the_same_glyphs():
    result = CliRunner().invoke(cli, ["evaluate", "--data", "shapes:8", "--against", str(DEFAULT_MODEL), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["results"]["shapes:8"]
    assert figures["against"]["glyphs"] == figures["glyphs"] == 8
    assert figures["against"]["direction"] == figures["direction"]
    same = figures["difference"]["direction"]
    assert same["difference"] == 0.0 and same["interval"] == [0.0, 0.0] and not same["clear"]
    text = CliRunner().invoke(cli, ["evaluate", "--data", "shapes:4", "--against", str(DEFAULT_MODEL)])
    assert text.exit_code == 0 and "against" in text.stdout and "+0.0000 [+0.000, +0.000]" in text.stdout


def test_evaluate_against_a_missing_model_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["evaluate", "--data", "shapes:2", "--against", str(tmp_path / "none.npz")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_evaluate_writes_every_glyphs_figures_as_json_lines(tmp_path):
    rows = tmp_path / "rows.jsonl"
    result = CliRunner().invoke(cli, ["evaluate", "--data", "shapes:6", "--rows", str(rows), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in rows.read_text().splitlines()]
    assert [(r["set"], r["glyph"]) for r in lines] == [("shapes:6", k) for k in range(6)]
    assert all(r["label"].startswith("shape:") and r["order"] is None for r in lines)  # NaN as null
    assert "rows" not in json.loads(result.stdout)["results"]["shapes:6"]
    direction = np.mean([r["direction"] for r in lines])
    assert direction == pytest.approx(json.loads(result.stdout)["results"]["shapes:6"]["direction"])


def test_a_rows_file_that_cannot_be_written_is_refused_before_evaluating(tmp_path):
    result = CliRunner().invoke(cli, ["evaluate", "--data", "shapes:2", "--rows", str(tmp_path / "missing" / "rows.jsonl")])
    assert result.exit_code == 4 and "does not exist" in result.output and "Traceback" not in result.output


def test_paired_rows_of_one_model_differ_by_nothing_and_a_changed_glyph_shows(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    rows = tmp_path / "a.jsonl"
    assert CliRunner().invoke(cli, ["evaluate", "--data", "shapes:8", "--rows", str(rows)]).exit_code == 0
    changed = [json.loads(line) for line in rows.read_text().splitlines()]
    assert changed[0]["direction"] == 1.0
    changed[0]["direction"] = 0.0  # one glyph of eight drawn the other way
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in changed))
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "paired.py"

    def paired(a: str, b: str) -> str:
        done = subprocess.run([sys.executable, str(script), str(tmp_path / a), str(tmp_path / b)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    same = paired("a.jsonl", "a.jsonl")
    assert "shapes:8: 8 glyphs" in same and "+0.0000 [+0.000, +0.000]" in same and "clear" not in same
    assert "direction      1.0000 -> 0.8750  -0.1250" in paired("a.jsonl", "b.jsonl")
    # Several files a side (seeds of one design): their mean glyph by glyph, no exact counts.
    means = paired("a.jsonl", f"a.jsonl,{tmp_path / 'b.jsonl'}")
    assert "direction      1.0000 -> 0.9375  -0.0625" in means and "strokes_exact" not in means


def test_bold_kanji_are_the_held_out_characters_drawn_with_twice_the_pen():
    thin, bold = path_samples("kanjivg", 3), path_samples("kanjivg-bold", 3)
    assert [s.label for s in bold] == [s.label for s in thin]
    for a, b in zip(thin, bold, strict=True):
        assert all(np.array_equal(p, q) for p, q in zip(a.strokes, b.strokes, strict=True))
        assert 1.6 * a.image.sum() < b.image.sum() < 2.2 * a.image.sum()  # twice the width, less where lines overlap


def test_the_words_set_is_one_font_and_its_glyphs_group_by_word():
    from HersheyFonts import HersheyFonts

    from strokebot.datasets import SCRIPT_FONT

    fonts = [HersheyFonts() for _ in range(2)]
    for hershey, name in zip(fonts, (SCRIPT_FONT, "cursive"), strict=True):
        hershey.load_default_font(name)
    scripts, cursive = (list(hershey.strokes_for_text("wheat")) for hershey in fonts)
    assert scripts == cursive  # two names of one font: a word in each is the same glyph
    words = path_samples("words", 12)
    assert {s.label.split(":")[0] for s in words} == {SCRIPT_FONT}  # so an interval resamples words, not names
    assert len({s.label for s in words}) < len(words)


def test_a_stroke_models_mnist_figures_count_drawings_over_their_own_line():
    from strokebot.evaluate import reconstruction
    from strokebot.model.inference import load_model

    images = np.zeros((3, 28, 28), np.float32)
    images[0, 13:16, 4:24] = 1.0  # a bar
    images[1, 4:24, 13:16] = 1.0  # an upright
    yy, xx = np.mgrid[:28, :28]
    images[2] = (np.abs(np.hypot(yy - 14, xx - 14) - 8) < 1.5).astype(np.float32)  # a ring
    figures = reconstruction(load_model(DEFAULT_MODEL), images)
    assert figures["pixel_accuracy"] > 0.95
    assert figures["retraced_share"] == 0.0  # none of them goes back over itself
