"""Measuring models: intervals over characters, and two models compared on the same glyphs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from strokebot.cli import cli
from strokebot.evaluate import group_interval, paired_difference, summarise
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
