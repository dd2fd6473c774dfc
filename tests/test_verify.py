"""strokebot.verify and ``strokebot verify``: scores on hand-made cases, pictures, the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from strokebot.cli import main
from strokebot.datasets import render_strokes
from strokebot.drawing import Drawing, Stroke
from strokebot.errors import ExportError, UsageError
from strokebot.metrics import rasterise
from strokebot.verify import PREVIEW_SIZE, Score, in_image_frame, preview, verify


def seven_drawing(size: float = 28.0, pen_width: float = 2.5) -> Drawing:
    k = size / 28
    return Drawing([Stroke(np.array([[7, 7], [21, 7], [12, 23]]) * k)], width=size, height=size, pen_width=pen_width * k)


# -- scores ----------------------------------------------------------------------------------------


def test_identical_drawing_scores_iou_one():
    drawing = seven_drawing()
    score = verify(drawing, rasterise(drawing))
    assert (score.iou, score.precision, score.recall) == (1.0, 1.0, 1.0)
    assert score.chamfer < 0.6  # the skeleton of the ink lies on the centre line, ends cut short
    assert (score.pen_lifts, score.strokes, score.width, score.height) == (1, 1, 28, 28)
    assert score.length == pytest.approx(drawing.length)


@pytest.mark.parametrize("k", [2.0, 3.0, 5.0])
def test_shifted_drawing_has_known_chamfer(k):
    ink = np.zeros((30, 40), np.float32)
    ink[10, 5:35] = 1  # a one-pixel line: its skeleton is itself, centres at y = 10.5
    drawing = Drawing([Stroke([[5.5, 10.5 + k], [34.5, 10.5 + k]])], width=40, height=30, pen_width=1.0)
    score = verify(drawing, ink)
    assert score.chamfer_ink == pytest.approx(k)
    # The strokes are sampled every 0.5 px: every other sample lies between two pixel centres.
    stray = (k + np.hypot(k, 0.5)) / 2
    assert score.chamfer_strokes == pytest.approx(stray, rel=1e-3)
    assert score.chamfer == pytest.approx((k + stray) / 2, rel=1e-3)
    assert score.iou == 0.0


def test_partial_drawing_has_full_precision_and_partial_recall():
    full = Drawing([Stroke([[4.5, 10.5], [35.5, 10.5]])], width=40, height=20, pen_width=3)
    half = full.replace(strokes=[Stroke([[4.5, 10.5], [19.5, 10.5]])])
    score = verify(half, rasterise(full))
    assert score.precision == 1.0
    assert 0.4 < score.recall < 0.6
    assert score.chamfer_strokes < 0.3 < score.chamfer_ink


def test_a_drawing_without_pen_width_is_drawn_at_the_ink_width():
    drawing = seven_drawing()
    score = verify(drawing.replace(pen_width=None), rasterise(drawing))
    assert 1.5 < score.pen_width < 3.5 and score.iou > 0.7


def test_empty_drawing_scores_zero_and_infinite_distance():
    score = verify(Drawing([], width=28, height=28), rasterise(seven_drawing()))
    assert score.iou == 0.0 and score.recall == 0.0 and score.chamfer == np.inf
    figures = score.as_dict()
    assert figures["chamfer"] is None
    json.dumps(figures, allow_nan=False)


def test_line_and_as_dict():
    score = verify(seven_drawing(), rasterise(seven_drawing()))
    line = score.line()
    assert "\n" not in line and line.startswith("IoU 1.00") and "Chamfer" in line and "1 pen lift," in line
    figures = score.as_dict()
    assert set(figures) >= {"iou", "precision", "recall", "chamfer", "pen_lifts", "strokes", "length", "travel"}
    assert json.loads(json.dumps(figures)) == figures
    assert isinstance(score, Score)


def test_drawing_on_a_page_in_millimetres_is_mapped_onto_the_image():
    drawing = seven_drawing()
    ink = rasterise(drawing)
    on_paper = drawing.fit(width=40)
    assert on_paper.units == "mm"
    assert verify(on_paper, ink).iou == pytest.approx(1.0)
    back = in_image_frame(on_paper, ink.shape)
    np.testing.assert_allclose(back.strokes[0].xy, drawing.strokes[0].xy, atol=1e-9)


def test_drawing_of_another_shape_is_refused():
    with pytest.raises(UsageError, match="does not have the image's shape"):
        verify(seven_drawing(), np.zeros((28, 40), np.float32))


@pytest.mark.parametrize("ink", [np.zeros(28), np.zeros((2, 28, 28))])
def test_verify_bad_ink(ink):
    with pytest.raises(UsageError):
        verify(seven_drawing(), ink)


def test_verify_does_not_import_torch():
    code = "import sys, numpy as np, strokebot.verify as v, strokebot.metrics; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- pictures --------------------------------------------------------------------------------------


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_preview_of_a_small_glyph_is_enlarged(tmp_path):
    drawing = Drawing(
        [Stroke([[7, 7], [21, 7]]), Stroke([[21, 7], [12, 23]])], width=28, height=28, pen_width=2.5
    )
    path = tmp_path / "seven.png"
    assert preview(drawing, rasterise(seven_drawing()), path) is None
    image = Image.open(path).convert("RGB")
    scale = PREVIEW_SIZE // 28
    band = image.size[1] - 28 * scale  # the score's band above the picture
    assert image.size[0] == 28 * scale and 20 < band < 80
    pixels = np.asarray(image).astype(int)
    first = pixels[band + int(7 * scale), int(10 * scale)]  # on stroke 1: blue, the first colour
    last = pixels[band + int(15 * scale), int(16.5 * scale)]  # on stroke 2: red, the last
    assert first[2] > first[0] + 60 and last[0] > last[2] + 60
    assert pixels[:band, :80].min() < 100  # the score is written in the band, top left


def test_preview_of_a_line_of_text_is_enlarged_and_its_score_hides_no_ink():
    ink = np.zeros((100, 1900), np.float32)
    ink[10:30, 4:24] = 1.0  # a mark in the top-left corner, where the score is written
    image = np.asarray(open_png(preview(Drawing([], width=1900, height=100), ink)).convert("L")).astype(int)
    band = image.shape[0] - 200
    assert image.shape[1] == 3800 and 20 < band < 80  # twice the size: a line's letters stay large
    assert (image[:band] == 255).mean() > 0.9  # the band is white paper and the score
    mark = image[band + 20 : band + 60, 8:48]
    assert np.abs(mark - (255 - 110)).max() <= 1  # the mark shows as plain grey ink, nothing over it


def test_preview_of_a_big_scan_is_reduced():
    ink = render_strokes([np.array([[100.0, 100.0], [1800.0, 1000.0]])], (2000, 1200), 14.0)
    drawing = Drawing([Stroke([[100, 100], [1800, 1000]])], width=2000, height=1200, pen_width=14)
    image = open_png(preview(drawing, ink))
    assert max(image.size) == PREVIEW_SIZE and image.size[0] > image.size[1]


def test_preview_of_nothing_and_of_bad_input(tmp_path):
    ink = rasterise(seven_drawing())
    assert open_png(preview(Drawing([], width=28, height=28), ink)).size[0] >= PREVIEW_SIZE - 28
    with pytest.raises(UsageError):
        preview(seven_drawing(), np.zeros(5))
    with pytest.raises(ExportError):
        preview(seven_drawing(), ink, tmp_path / "missing" / "p.png")


# -- the command line ------------------------------------------------------------------------------


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


@pytest.fixture
def seven_png(tmp_path: Path) -> Path:
    ink = render_strokes([np.array([[7.0, 7.0], [21.0, 7.0], [12.0, 23.0]])], (28, 28), 2.5)
    path = tmp_path / "seven.png"
    Image.fromarray((255 * (1 - ink)).astype(np.uint8)).save(path)
    return path


def test_cli_prints_one_line(seven_png, capsys):
    code, out, err = run(["verify", str(seven_png)], capsys)
    assert code == 0
    assert out.count("\n") == 1 and out.startswith(f"{seven_png}: IoU ") and "Chamfer" in out


def test_cli_json_min_iou_and_preview(seven_png, tmp_path, capsys):
    picture = tmp_path / "check.png"
    code, out, _ = run(["verify", str(seven_png), "--json", "--min-iou", "0", "--preview", str(picture)], capsys)
    report = json.loads(out)
    assert code == 0 and report["passed"] is True and 0 <= report["score"]["iou"] <= 1
    assert picture.exists() and Image.open(picture).size[0] >= 28
    code, out, err = run(["verify", str(seven_png), "--min-iou", "1"], capsys)
    assert code == 7 and "below --min-iou" in err


def test_cli_refine_reports_before_and_after(seven_png, capsys):
    code, out, err = run(["verify", str(seven_png), "--refine", "20", "--json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["refine"]["steps"] == 20
    assert report["score"]["iou"] >= report["refine"]["before"]["iou"] - 0.05


@pytest.mark.parametrize(
    "argv, message",
    [
        (["verify", "no-such-image.png"], "no such file"),
        (["verify", "{png}", "--min-iou", "2"], "2"),
        (["verify", "{png}", "--refine", "-1"], "-1"),
    ],
)
def test_cli_errors_are_one_line(argv, message, seven_png, capsys):
    code, out, err = run([a.replace("{png}", str(seven_png)) for a in argv], capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_drawing_needs_the_trajectory_reader(seven_png, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "strokebot.exporters.trajectory", None)  # as if not installed
    (tmp_path / "d.json").write_text("{}")
    code, _, err = run(["verify", str(seven_png), "--drawing", str(tmp_path / "d.json")], capsys)
    assert code == 2 and "cannot read drawings" in err and err.count("\n") == 1


def test_cli_checks_a_drawing_file(seven_png, tmp_path, monkeypatch, capsys):
    drawing = seven_drawing()
    reader = types.ModuleType("strokebot.exporters.trajectory")
    reader.read_trajectory = lambda path: drawing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "strokebot.exporters.trajectory", reader)
    (tmp_path / "d.json").write_text("{}")
    code, out, _ = run(["verify", str(seven_png), "--drawing", str(tmp_path / "d.json"), "--json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["score"]["pen_lifts"] == 1 and report["score"]["iou"] > 0.8
    code, _, err = run(["verify", str(seven_png), "--drawing", str(tmp_path / "none.json")], capsys)
    assert code == 2 and "no such drawing file" in err


def test_cli_help_has_examples(capsys):
    code, out, _ = run(["verify", "--help"], capsys)
    assert code == 0 and "Examples:" in out and "--min-iou" in out and "Exit codes" in out


def test_preview_of_a_line_of_text_stays_legible():
    drawing = Drawing([Stroke([[5, 14], [595, 14]])], width=600, height=28, pen_width=3)
    image = open_png(preview(drawing, rasterise(drawing)))
    assert image.size[1] >= 100 and image.size[0] <= 4 * PREVIEW_SIZE
