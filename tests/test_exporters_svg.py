"""strokebot.exporters.svg, read back with svgelements and with vpype (library and command line)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import svgelements
import vpype

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.exporters import export
from strokebot.exporters.svg import NAMESPACE, to_svg

PX_PER_MM = 96 / 25.4


def sample() -> Drawing:
    """Three glyphs on a 60 x 25 mm page, four strokes, varying pressure and intensity."""
    return Drawing(
        [
            Stroke([[5, 5, 0.2, 1.0], [15, 5, 0.5, 0.8], [15, 20, 0.9, 0.4]], glyph=0),
            Stroke([[20, 5, 0.5, 1.0], [30, 20, 0.5, 1.0]], glyph=1),
            Stroke([[30, 5, 0.5, 1.0], [20, 20, 0.5, 1.0]], glyph=1),
            Stroke([[40, 5], [55, 5], [55, 20], [40, 20], [40, 5]], glyph=2),
        ],
        width=60, height=25, units="mm", pen_width=0.4,
    )


def written(tmp_path: Path, drawing: Drawing, **options) -> Path:
    path = tmp_path / "out.svg"
    path.write_bytes(export(drawing, "svg", **options))
    return path


def test_svgelements_reads_size_and_one_path_per_stroke(tmp_path):
    svg = svgelements.SVG.parse(str(written(tmp_path, sample())))
    assert svg.values["width"] == "60mm" and svg.values["height"] == "25mm"
    assert svg.values["viewBox"] == "0 0 60 25"
    assert svg.width == pytest.approx(60 * PX_PER_MM) and svg.height == pytest.approx(25 * PX_PER_MM)
    paths = [e for e in svg.elements() if isinstance(e, svgelements.Path)]
    assert len(paths) == 4  # the hidden preview layer is not part of the document svgelements keeps
    first = paths[0]
    assert first.values["fill"] == "none" and first.values["stroke-linecap"] == "round"
    assert first.values["stroke-linejoin"] == "round" and first.values["stroke-width"] == "0.4"
    assert first.values[f"{{{NAMESPACE}}}pressure"] == "0.2 0.5 0.9"
    assert first.values[f"{{{NAMESPACE}}}intensity"] == "1 0.8 0.4"
    points = [(s.end.x / PX_PER_MM, s.end.y / PX_PER_MM) for s in first if not isinstance(s, svgelements.Move)]
    np.testing.assert_allclose(points, [[15, 5], [15, 20]], atol=1e-4)


def test_vpype_reads_it_at_the_right_size_with_a_layer_per_glyph(tmp_path):
    document = vpype.read_multilayer_svg(str(written(tmp_path, sample())), quantization=0.1)
    width, height = document.page_size
    assert width / PX_PER_MM == pytest.approx(60) and height / PX_PER_MM == pytest.approx(25)
    assert sorted(document.layers) == [1, 2, 3]
    assert [len(document.layers[k]) for k in sorted(document.layers)] == [1, 2, 1]
    assert document.layers[2].property("vp_name") == "2 glyph 1"
    assert document.layers[1].property("vp_pen_width") / PX_PER_MM == pytest.approx(0.4)
    total = sum(lc.length() for lc in document.layers.values()) / PX_PER_MM
    assert total == pytest.approx(sample().length, rel=1e-6)


def test_one_layer_for_all_strokes(tmp_path):
    document = vpype.read_multilayer_svg(str(written(tmp_path, sample(), layers="pen")), quantization=0.1)
    assert list(document.layers) == [1] and len(document.layers[1]) == 4


def test_vpype_command_line_reads_60mm(tmp_path):
    """`vpype read x.svg stat`, the round trip a plotter user does first."""
    fitted = Drawing([Stroke([[0, 0], [28, 28]]), Stroke([[28, 0], [0, 28]])], width=28, height=28, units="px").fit(width=60)
    path = written(tmp_path, fitted)
    vpype_cli = shutil.which("vpype", path=str(Path(sys.executable).parent)) or shutil.which("vpype")
    if vpype_cli is None:
        pytest.skip("vpype command not installed")
    out = subprocess.run([vpype_cli, "read", str(path), "stat"], capture_output=True, text=True, check=True, timeout=60).stdout
    size = re.search(r"Current page size: \(([\d.]+), ([\d.]+)\)", out)
    assert float(size[1]) / PX_PER_MM == pytest.approx(60) and float(size[2]) / PX_PER_MM == pytest.approx(60)
    assert re.search(r"Totals\s+Layer count: 1\s+Length: [\d.]+\s+Pen-up length: [\d.]+\s+Total length: [\d.]+\s+Path count: 2", out)


def test_hidden_variable_width_preview_layer():
    text = to_svg(sample())
    preview = re.search(r'<g [^>]*id="preview"[^>]*>', text)[0]
    assert 'style="display:none"' in preview and 'inkscape:label="% preview' in preview
    body = text.split(preview)[1].split("</g>")[0]
    widths = [float(w) for w in re.findall(r'stroke-width="([\d.]+)"', body)]
    assert len(widths) == 2 + 1 + 1 + 4  # one per segment
    assert widths[0] == pytest.approx(0.4 * (0.5 + 0.35)) and widths[1] == pytest.approx(0.4 * (0.5 + 0.7))
    greys = [int(c, 16) for c in re.findall(r'stroke="#([0-9a-f]{2})', body)]
    assert greys[0] < greys[1] == 0x66  # lighter where intensity fades (0.6 -> 40% grey)
    assert "preview" not in to_svg(sample(), preview=False)


def test_layers_are_inkscape_layers_numbered_from_one():
    labels = re.findall(r'inkscape:groupmode="layer" inkscape:label="([^"]+)"', to_svg(sample(), preview=False))
    assert labels == ["1 glyph 0", "2 glyph 1", "3 glyph 2"]


def test_same_drawing_same_bytes_no_random_ids():
    first, second = export(sample(), "svg"), export(sample(), "svg")
    assert first == second
    assert set(re.findall(rb'id="([^"]+)"', first)) == {b"layer1", b"layer2", b"layer3", b"preview"}


def test_px_drawing_is_sized_in_css_pixels():
    d = Drawing([Stroke([[0, 0], [96, 48]])], width=192, height=96, units="px")
    text = to_svg(d)
    assert 'width="50.8mm"' in text and 'height="25.4mm"' in text and 'viewBox="0 0 50.8 25.4"' in text
    assert 'd="M0,0 L25.4,12.7"' in text


def test_single_point_stroke_is_a_dot():
    text = to_svg(Drawing([Stroke([[3, 4]])], width=10, height=10, units="mm"), preview=False)
    assert 'd="M3,4 L3,4"' in text


def test_parseable_by_a_plain_xml_reader():
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.parse(io.StringIO(to_svg(sample()))).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("option, value", [("layers", "colour"), ("decimals", 12), ("pen_width", 0)])
def test_bad_options(option, value):
    with pytest.raises(UsageError, match=option):
        export(sample(), "svg", **{option: value})
