"""vpype-strokebot, tested through vpype itself: real pipelines in a subprocess, and vpype_cli.execute."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import vpype as vp
import vpype_cli
from vpype_strokebot import PX_PER_MM, place, to_layers
from vpype_strokebot.commands import POLARITIES

import strokebot

VPYPE = str(Path(sys.executable).with_name("vpype"))
MM = PX_PER_MM  # CSS px per mm


def run_vpype(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([VPYPE, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def svg_polylines(path: Path) -> tuple[ET.Element, dict[str, list[np.ndarray]]]:
    """The root and, per layer label, the polylines of an SVG written by vpype's ``write``."""
    root = ET.parse(path).getroot()
    layers = {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        label = group.get("{http://www.inkscape.org/namespaces/inkscape}label")
        lines = []
        for polyline in group.iter("{http://www.w3.org/2000/svg}polyline"):
            numbers = [float(v) for v in re.split(r"[ ,]+", polyline.get("points").strip())]
            lines.append(np.array(numbers).reshape(-1, 2))
        layers[label] = lines
    return root, layers


def gcode_paths(text: str) -> list[np.ndarray]:
    """Pen-down paths of a vpype-gcode program: each G00 starts one, G01s continue it."""
    paths: list[list[tuple[float, float]]] = []
    for line in text.splitlines():
        match = re.match(r"G0?([01]) X(-?[\d.]+) Y(-?[\d.]+)", line)
        if match:
            if match.group(1) == "0":
                paths.append([])
            paths[-1].append((float(match.group(2)), float(match.group(3))))
    return [np.array(p) for p in paths]


def inside(points: np.ndarray, box: tuple[float, float, float, float], tolerance: float) -> bool:
    x0, y0, x1, y1 = box
    return bool(
        (points[:, 0] >= x0 - tolerance).all() and (points[:, 0] <= x1 + tolerance).all()
        and (points[:, 1] >= y0 - tolerance).all() and (points[:, 1] <= y1 + tolerance).all()
    )


def test_write_pipeline_gives_a_60mm_svg_with_strokes_on_the_glyphs(word: Path) -> None:
    done = run_vpype("strokebot", word.name, "--width", "60mm", "linemerge", "linesort", "write", "out.svg", cwd=word.parent)
    assert done.returncode == 0, done.stderr
    root, layers = svg_polylines(word.parent / "out.svg")

    traced = strokebot.trace(word)
    scale = 60 / traced.width  # mm per source pixel
    assert vp.convert_length(root.get("width")) == pytest.approx(60 * MM)
    assert vp.convert_length(root.get("height")) == pytest.approx(traced.height * scale * MM)
    assert list(layers) == ["word"]
    lines = layers["word"]
    assert lines, "no strokes in the SVG"
    boxes = [tuple(v * scale * MM for v in box) for box in traced.glyph_boxes]
    tolerance = 3 * scale * MM  # three source pixels
    for line in lines:
        assert inside(line, (0, 0, 60 * MM, traced.height * scale * MM), 0)
        assert any(inside(line, box, tolerance) for box in boxes)
    # every glyph got ink
    for box in boxes:
        assert any(inside(line, box, tolerance) for line in lines)


@pytest.mark.parametrize(("profile", "unit"), [("gcodemm", 1.0), ("gcode", 25.4)])
def test_gwrite_pipeline_draws_the_traced_strokes(scan: Path, profile: str, unit: float) -> None:
    done = run_vpype("strokebot", scan.name, "--width", "40mm", "gwrite", "-p", profile, "out.gcode", cwd=scan.parent)
    assert done.returncode == 0, done.stderr
    paths = gcode_paths((scan.parent / "out.gcode").read_text())

    reference = strokebot.trace(scan).fit(width=40)  # mm, y down
    assert len(paths) == len(reference.strokes) > 0
    for path, stroke in zip(paths, reference.strokes, strict=True):
        expected = stroke.xy.copy()
        expected[:, 1] = reference.height - expected[:, 1]  # the profiles flip Y against the page
        np.testing.assert_allclose(path * unit, expected, atol=2e-3 * unit)


def test_options_may_follow_or_precede_the_image(word: Path) -> None:
    after = vpype_cli.execute(f"strokebot {word} --width 60mm -p 10mm 5mm")
    before = vpype_cli.execute(f"strokebot --width 60mm -p 10mm 5mm {word}")
    assert after.layers[1] == before.layers[1]
    plain = vpype_cli.execute(f"strokebot {word} --width 60mm")
    moved = np.array(after.bounds()) - np.array(plain.bounds())
    np.testing.assert_allclose(moved, [10 * MM, 5 * MM] * 2, atol=1e-6)
    assert after.page_size == pytest.approx((plain.page_size[0] + 10 * MM, plain.page_size[1] + 5 * MM))


def test_height_fits_the_image_frame(word: Path) -> None:
    document = vpype_cli.execute(f"strokebot {word} --height 1in")
    traced = strokebot.trace(word)
    assert document.page_size == pytest.approx((96 * traced.width / traced.height, 96))
    x0, y0, x1, y1 = document.bounds()
    assert 0 <= x0 < x1 <= document.page_size[0] and 0 <= y0 < y1 <= document.page_size[1]


def test_glyph_layers_carry_their_properties(word: Path) -> None:
    document = vpype_cli.execute(f"strokebot {word} --width 60mm --glyph-layers --pen-width 0.5mm")
    traced = strokebot.trace(word)
    glyphs = sorted({s.glyph for s in traced.strokes})
    assert len(glyphs) == 3 and len(document.layers) == len(glyphs)
    scale = 60 / traced.width * MM
    for layer_id, glyph in zip(sorted(document.layers), glyphs, strict=True):
        layer = document.layers[layer_id]
        assert layer.property("vp_name") == f"word glyph {glyph + 1}"
        assert layer.property("strokebot_glyph") == glyph + 1
        assert layer.property("vp_pen_width") == pytest.approx(0.5 * MM)
        assert layer.property("vp_source") == word.absolute()
        assert 0 <= layer.property("strokebot_pressure") <= 1
        assert 0 <= layer.property("strokebot_intensity") <= 1
        assert layer.property("strokebot_model") == traced.model
        box = tuple(v * scale for v in traced.glyph_boxes[glyph])
        for line in layer:
            assert inside(np.c_[line.real, line.imag], box, 3 * scale)


def test_single_layer_goes_to_the_target_layer(word: Path) -> None:
    document = vpype_cli.execute(f"rect -l 1 0 0 1cm 1cm strokebot {word} -W 3cm -l 2")
    assert sorted(document.layers) == [1, 2]
    assert document.layers[2].property("vp_name") == "word"
    assert document.layers[1].property("vp_name") is None  # the rect's layer is left alone


def test_pressure_bands_split_by_pressure_and_scale_the_pen() -> None:
    strokes = [strokebot.Stroke(np.c_[[0, 10], [0, 0], [p, p], [1, 1]]) for p in (0.1, 0.2, 0.9)]
    drawing = strokebot.Drawing(strokes, width=20, height=10, pen_width=2.0)
    layers = to_layers(drawing, pressure_bands=2, name="w")
    assert [lc.property("vp_name") for lc in layers] == ["w p0.00-0.50", "w p0.50-1.00"]
    assert [len(lc) for lc in layers] == [2, 1]
    assert layers[0].property("strokebot_pressure") == pytest.approx(0.15)
    assert layers[1].property("vp_pen_width") == pytest.approx(2.0 * (0.5 + 0.9))


def test_gwrite_templates_read_the_pressure_properties(word: Path) -> None:
    config = word.parent / "pen.toml"
    config.write_text(
        "[gwrite.pressure_z]\n"
        'unit = "mm"\n'
        'layer_start = "(layer {layer_id}: {vp_name})\\nG0 Z{strokebot_pressure:.4f}\\n"\n'
        'segment_first = "G0 X{x:.3f} Y{y:.3f}\\n"\n'
        'segment = "G1 X{x:.3f} Y{y:.3f}\\n"\n'
    )
    done = run_vpype("-c", "pen.toml", "strokebot", word.name, "-W", "5cm", "-b", "4", "gwrite", "-p", "pressure_z", "out.gcode", cwd=word.parent)
    assert done.returncode == 0, done.stderr
    text = (word.parent / "out.gcode").read_text()
    document = vpype_cli.execute(f"strokebot {word} -W 5cm -b 4")
    expected = [f"G0 Z{layer.property('strokebot_pressure'):.4f}" for layer in document.layers.values()]
    assert re.findall(r"G0 Z[\d.]+", text) == expected


def test_several_images_stack_down_the_page(tmp_path: Path, draw) -> None:
    folder = tmp_path / "lines"
    folder.mkdir()
    first = draw(folder / "1.png", "ab")
    second = draw(folder / "2.png", "cde")
    document = vpype_cli.execute(f"strokebot {folder} --width 50mm --gap 5mm")
    heights = [50 * strokebot.trace(p).height / strokebot.trace(p).width for p in (first, second)]
    assert document.page_size == pytest.approx((50 * MM, (heights[0] + 5 + heights[1]) * MM))
    pattern = vpype_cli.execute(f"strokebot '{folder}/*.png' --width 50mm --gap 5mm")
    assert pattern.layers[1] == document.layers[1]
    assert len(document.sources) == 2


def test_light_on_dark_and_the_model_option(tmp_path: Path, draw) -> None:
    digit = draw(tmp_path / "digit.png", "3", invert=True, height=20, pen=3, margin=4)
    model = Path(strokebot.__file__).parent / "models" / "default.npz"
    document = vpype_cli.execute(f"strokebot {digit} --polarity light-on-dark --model {model} -W 1cm")
    assert len(document.layers[1]) > 0
    x0, y0, x1, y1 = document.bounds()
    assert x0 >= 0 and x1 <= 10 * MM + 1e-6


def test_place_maps_pixels_to_css_pixels() -> None:
    drawing = strokebot.Drawing([strokebot.Stroke([[0, 0], [100, 50]])], width=100, height=50)
    placed, frame = place(drawing, width=100 * MM, position=(5.0, 7.0))
    assert frame == pytest.approx((5, 7, 5 + 100 * MM, 7 + 50 * MM))
    np.testing.assert_allclose(placed.strokes[0].xy, [[5, 7], [5 + 100 * MM, 7 + 50 * MM]])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["strokebot", "missing.png"], "missing.png: no such file or folder"),
        (["strokebot", "blank.png"], "strokebot:"),
        (["strokebot", "word.png", "-g", "-l", "2"], "--layer applies when everything goes on one layer"),
    ],
)
def test_errors_are_one_line_and_fail(word: Path, args: list[str], message: str) -> None:
    from PIL import Image

    Image.new("L", (40, 40), 255).save(word.parent / "blank.png")
    done = run_vpype(*args, "stat", cwd=word.parent)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_polarities_match_the_core() -> None:
    from strokebot.imaging import POLARITIES as CORE

    assert POLARITIES == CORE


def test_help_lists_the_command() -> None:
    done = subprocess.run([VPYPE, "--help"], capture_output=True, text=True, timeout=120)
    assert re.search(r"^\s+strokebot\s+Trace pictures of glyphs", done.stdout, re.M)
