"""strokebot.exporters.trajectory: JSON validated against the shipped schema, timing within the limits,
CSV waypoints, stroke-3/stroke-5 arrays, and reading a trajectory back."""

from __future__ import annotations

import csv
import importlib.resources
import io
import json
import math

import jsonschema
import numpy as np
import pytest
from tests_tolerance import assert_float32_close

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.exporters import export
from strokebot.exporters.trajectory import read_trajectory, schema, to_stroke3, to_stroke5, to_trajectory
from strokebot.motion import Timing, segment_times


def sample() -> Drawing:
    """A zigzag with sharp and shallow corners, a long straight, and a dot, over two glyphs."""
    zigzag = [[5, 5, 0.2, 1.0], [15, 25, 0.4, 0.9], [25, 5, 0.6, 0.8], [26, 6, 0.8, 0.7], [50, 6, 1.0, 0.6]]
    return Drawing(
        [Stroke(zigzag, glyph=0), Stroke([[10, 35], [55, 35], [55, 36]], glyph=1), Stroke([[40, 20]], glyph=1)],
        width=60, height=40, units="mm", pen_width=0.3, model="strokebot-default 1",
    )


def document(drawing: Drawing | None = None, **options) -> dict:
    return json.loads(export(drawing or sample(), "json", **options))


def test_schema_is_shipped_and_is_a_valid_schema():
    assert importlib.resources.files("strokebot.exporters").joinpath("trajectory.schema.json").is_file()
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("options", [{}, {"units": "m"}, {"y_axis": "up"}, {"z": False}, {"v_max": 20, "a_max": 200}])
def test_documents_validate_against_the_schema(options):
    doc = document(**options)
    jsonschema.Draft202012Validator(schema()).validate(doc)
    assert doc["format"] == "strokebot.trajectory" and doc["version"] == 1
    assert len(doc["strokes"]) == 3 and doc["model"] == "strokebot-default 1"


def test_schema_rejects_what_is_not_a_trajectory():
    validator = jsonschema.Draft202012Validator(schema())
    doc = document()
    doc["strokes"][0]["points"][0]["pressure"] = 1.5
    assert not validator.is_valid(doc)
    assert not validator.is_valid({**document(), "version": 2})
    assert not validator.is_valid({**document(), "units": {"length": "in", "time": "s"}})


@pytest.mark.parametrize("timing", [Timing(), Timing(v_max=20, a_max=100, junction_deviation=0.05), Timing(v_max=200, a_max=5000, junction_deviation=0)])
def test_timing_is_monotonic_and_respects_the_limits(timing):
    doc = document(**timing.as_dict())
    t_all = [p["t"] for s in doc["strokes"] for p in s["points"]]
    assert t_all == sorted(t_all) and t_all[0] == pytest.approx(timing.dwell_down)
    for stroke in doc["strokes"]:
        points = stroke["points"]
        assert points[0]["t"] == pytest.approx(stroke["t_arrive"] + timing.dwell_down, abs=1e-5)
        assert stroke["t_lifted"] == pytest.approx(points[-1]["t"] + timing.dwell_up, abs=1e-5)
        xy = np.array([[p["x"], p["y"]] for p in points])
        t = np.array([p["t"] for p in points])
        v = np.array([p["v"] for p in points])
        lengths = np.hypot(*np.diff(xy, axis=0).T)
        assert (v <= timing.v_max + 1e-3).all() and v[0] == 0 and v[-1] == 0
        assert (np.abs(np.diff(v**2)) <= 2 * timing.a_max * lengths + 1e-2).all(), "speed change beyond a_max"
        if len(points) > 1:
            assert (lengths / np.diff(t) <= timing.v_max * (1 + 1e-3)).all(), "mean speed beyond v_max"
            # each segment takes exactly the trapezoid's time between its end speeds
            expected = segment_times(lengths, v[:-1], v[1:], timing.v_max, timing.a_max)
            np.testing.assert_allclose(np.diff(t), expected, atol=1e-4)
    assert doc["duration"] == pytest.approx(doc["strokes"][-1]["t_lifted"])
    assert doc["timing"] == {"method": "trapezoidal", **timing.as_dict()}


def test_sharp_corners_are_slower_than_shallow_ones():
    points = document(junction_deviation=0.05)["strokes"][0]["points"]
    sharp, shallow = points[1]["v"], points[3]["v"]  # a ~127 degree turn vs a 45 degree one
    assert 0 < sharp < shallow


def test_z_follows_pressure_between_the_tool_limits():
    doc = document(z_touch=0.5, z_full=-1.5, z_up=5)
    assert doc["tool"] == {"pen_width": 0.3, "z_up": 5.0, "z_touch": 0.5, "z_full": -1.5}
    for p in doc["strokes"][0]["points"]:
        assert p["z"] == pytest.approx(0.5 + p["pressure"] * (-1.5 - 0.5))
    assert "z" not in document(z=False)["strokes"][0]["points"][0]


def test_metres_and_y_up_frames():
    mm, m, up = document(), document(units="m"), document(y_axis="up")
    assert m["units"]["length"] == "m" and m["frame"]["page"] == {"width": 0.06, "height": 0.04}
    assert m["strokes"][0]["points"][1]["x"] == pytest.approx(mm["strokes"][0]["points"][1]["x"] / 1000)
    assert m["timing"]["v_max"] == pytest.approx(mm["timing"]["v_max"] / 1000)
    assert up["frame"]["origin"] == "bottom-left" and up["frame"]["y_axis"] == "up"
    assert up["strokes"][0]["points"][0]["y"] == pytest.approx(40 - 5)
    assert [p["t"] for p in up["strokes"][0]["points"]] == [p["t"] for p in mm["strokes"][0]["points"]]


@pytest.mark.parametrize("options", [{}, {"units": "m"}, {"y_axis": "up"}])
def test_read_trajectory_round_trips(options, tmp_path):
    original = sample()
    data = export(original, "json", **options)
    path = tmp_path / "t.json"
    path.write_bytes(data)
    for source in (data, path, str(path)):
        again = read_trajectory(source)
        assert again.units == "mm" and (again.width, again.height) == pytest.approx((60, 40))
        assert again.pen_width == pytest.approx(0.3) and again.model == original.model
        assert [s.glyph for s in again.strokes] == [s.glyph for s in original.strokes]
        for a, b in zip(again.strokes, original.strokes, strict=True):
            np.testing.assert_allclose(a.points, b.points, atol=1e-4)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"not json", "is not JSON"),
        (b'{"format": "something.else"}', "is not a strokebot.trajectory document"),
        (b'{"format": "strokebot.trajectory", "version": 9}', "version 9 is not supported"),
        (b'{"format": "strokebot.trajectory", "version": 1, "units": {"length": "mm"}}', "malformed"),
    ],
)
def test_read_trajectory_rejects_bad_documents(data, message):
    with pytest.raises(UsageError, match=message):
        read_trajectory(data)
    with pytest.raises(UsageError, match="cannot read"):
        read_trajectory("/nonexistent/t.json")


def test_same_drawing_same_bytes():
    assert export(sample(), "json") == export(sample(), "json")


@pytest.mark.parametrize("option, value", [("units", "in"), ("y_axis", "left"), ("v_max", 0), ("a_max", "x"), ("decimals", -1)])
def test_bad_options(option, value):
    with pytest.raises(UsageError, match=option):
        export(sample(), "json", **{option: value})


# -- CSV ------------------------------------------------------------------------------------------------


def test_csv_waypoints_match_the_json_plan():
    text = export(sample(), "csv").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "stroke,index,t_s,x_mm,y_mm,z_mm,pressure,intensity"
    assert len(rows) == sum(len(s) + 2 for s in sample().strokes)
    t = [float(r["t_s"]) for r in rows]
    assert t == sorted(t)
    doc = document()
    down = [r for r in rows if float(r["z_mm"]) <= 0]
    json_points = [p for s in doc["strokes"] for p in s["points"]]
    assert [float(r["t_s"]) for r in down] == pytest.approx([p["t"] for p in json_points], abs=1e-5)
    assert [float(r["x_mm"]) for r in down] == pytest.approx([p["x"] for p in json_points])
    up = [r for r in rows if float(r["z_mm"]) > 0]
    assert len(up) == 2 * len(doc["strokes"]) and all(float(r["z_mm"]) == 3.0 and float(r["pressure"]) == 0 for r in up)
    assert (up[0]["stroke"], up[0]["index"], up[1]["index"]) == ("0", "0", "4")


def test_csv_refuses_metres():
    with pytest.raises(UsageError, match="units"):
        export(sample(), "csv", units="m")


# -- stroke-3 / stroke-5 --------------------------------------------------------------------------------


def test_stroke3_rebuilds_the_points_and_pen_lifts():
    d = sample()
    data = np.load(io.BytesIO(export(d, "stroke3")))
    assert data.dtype == np.float32 and data.shape == (sum(len(s) for s in d.strokes), 3)
    xy = np.concatenate([s.xy for s in d.strokes])
    # float32 steps summed in float32: two roundings per point.
    assert_float32_close(np.cumsum(data[:, :2], axis=0), xy, scale=np.abs(xy).max(), terms=2 * len(xy))
    assert np.flatnonzero(data[:, 2]).tolist() == [4, 7, 8]  # the last point of each stroke
    np.testing.assert_allclose(to_stroke3(d, scale=0.5)[:, :2], data[:, :2] * 0.5, atol=1e-5)


def test_stroke5_one_hot_states_and_end_rows():
    d = sample()
    five = np.load(io.BytesIO(export(d, "stroke5")))
    three = to_stroke3(d)
    assert five.shape == (len(three) + 1, 5)
    np.testing.assert_array_equal(five[:-1, :2], three[:, :2])
    np.testing.assert_array_equal(five[:, 2:].sum(axis=1), 1)
    np.testing.assert_array_equal(five[:-1, 3], three[:, 2])
    assert five[-1].tolist() == [0, 0, 0, 0, 1]
    padded = to_stroke5(d, max_len=20)
    assert padded.shape == (20, 5) and (padded[len(three):, 4] == 1).all()
    with pytest.raises(UsageError, match="max_len"):
        to_stroke5(d, max_len=5)


def test_stroke_sequences_keep_the_drawing_units():
    px = Drawing([Stroke([[10, 10], [20, 10]])], width=28, height=28, units="px")
    assert to_stroke3(px).tolist() == [[10, 10, 0], [10, 0, 1]]


def test_empty_drawing_sequences():
    empty = Drawing([], width=10, height=10)
    assert to_stroke3(empty).shape == (0, 3) and to_stroke5(empty).tolist() == [[0, 0, 0, 0, 1]]
    assert to_trajectory(empty)["duration"] == 0 and math.isfinite(to_trajectory(empty)["length"])
