"""strokebot-dxf through strokebot's own command line, read back with ezdxf's reader."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import ezdxf
import numpy as np
import pytest
from click.testing import CliRunner
from strokebot_dxf import APPID, MM_PER_PX, DxfExporter

import strokebot
from strokebot.cli import cli
from strokebot.exporters import available, get_exporter

STROKEBOT = str(Path(sys.executable).with_name("strokebot"))


def trace_to_dxf(image: Path, *args: str) -> ezdxf.document.Drawing:
    result = CliRunner().invoke(cli, ["trace", str(image), "--to", "dxf", *args])
    assert result.exit_code == 0, result.output
    return ezdxf.readfile(image.with_suffix(".dxf"))


def polylines(doc: ezdxf.document.Drawing) -> list[tuple[str, np.ndarray]]:
    """(layer, vertices) of each polyline in model space."""
    found = []
    for entity in doc.modelspace():
        if entity.dxftype() == "LWPOLYLINE":
            found.append((entity.dxf.layer, np.array(entity.get_points("xy"))))
        else:
            found.append((entity.dxf.layer, np.array([tuple(v) for v in entity.points()])))
    return found


def test_registered_like_a_built_in_format() -> None:
    assert isinstance(get_exporter("dxf"), DxfExporter)
    info = {i.name: i for i in available()}["dxf"]
    assert info.error is None and info.suffix == ".dxf" and info.distribution == "strokebot-dxf"
    assert "DXF" in info.description


def test_trace_to_dxf_keeps_strokes_units_and_glyph_layers(word: Path) -> None:
    doc = trace_to_dxf(word, "--width", "60mm")
    assert doc.header["$INSUNITS"] == 4  # millimetres
    assert doc.header["$MEASUREMENT"] == 1
    found = polylines(doc)
    assert {e.dxftype() for e in doc.modelspace()} == {"LWPOLYLINE"}

    reference = strokebot.trace(word).fit(width=60)  # what the command traced, in mm, y down
    assert len(found) == len(reference.strokes) > 0
    glyphs = sorted({s.glyph for s in reference.strokes})
    assert sorted({layer for layer, _ in found}) == [f"GLYPH-{g + 1}" for g in glyphs]
    assert all(f"GLYPH-{g + 1}" in doc.layers for g in glyphs)

    # The command reordered and may have reversed strokes: match each polyline to its stroke.
    unmatched = list(reference.strokes)
    for layer, points in found:
        back = points.copy()
        back[:, 1] = reference.height - back[:, 1]  # the DXF is y up
        match = next(
            (s for s in unmatched if len(s) == len(back)
             and (np.allclose(s.xy, back, atol=1e-6) or np.allclose(s.xy[::-1], back, atol=1e-6))),
            None,
        )
        assert match is not None, f"a polyline on {layer} matches no traced stroke"
        assert layer == f"GLYPH-{match.glyph + 1}"
        unmatched.remove(match)
        assert (points[:, 0] >= 0).all() and (points[:, 0] <= 60).all()
        assert (points[:, 1] >= 0).all() and (points[:, 1] <= reference.height).all()


def test_xdata_carries_glyph_pressure_and_intensity(word: Path) -> None:
    doc = trace_to_dxf(word, "--width", "30mm")
    for entity in doc.modelspace():
        tags = dict(zip(*[iter(v for _, v in entity.get_xdata(APPID))] * 2, strict=True))
        assert entity.dxf.layer == f"GLYPH-{tags['glyph']}"
        assert 0 <= tags["pressure"] <= 1 and 0 <= tags["intensity"] <= 1


def test_unfitted_drawing_is_read_at_96_dpi(word: Path) -> None:
    doc = trace_to_dxf(word)
    traced = strokebot.trace(word)
    assert doc.header["$LIMMAX"] == pytest.approx((traced.width * MM_PER_PX, traced.height * MM_PER_PX))


def test_options_single_layer_depth_and_widths(word: Path) -> None:
    single = trace_to_dxf(word, "--width", "40mm", "-O", "layers=single")
    assert {layer for layer, _ in polylines(single)} == {"STROKES"}

    engraved = trace_to_dxf(word, "--width", "40mm", "-O", "depth=0.8mm")
    assert {e.dxftype() for e in engraved.modelspace()} == {"POLYLINE"}
    assert all(e.is_3d_polyline for e in engraved.modelspace())
    z = np.concatenate([points[:, 2] for _, points in polylines(engraved)])
    assert (z <= 0).all() and (z >= -0.8).all()

    wide = trace_to_dxf(word, "--width", "40mm", "--pen-width", "0.6mm", "-O", "widths=true")
    for entity in wide.modelspace():
        widths = np.array(entity.get_points("se"))
        assert ((widths >= 0.3 - 1e-9) & (widths <= 0.9 + 1e-9)).all()


def test_same_drawing_same_bytes() -> None:
    drawing = strokebot.Drawing([strokebot.Stroke([[0, 0], [10, 5], [20, 0]]), strokebot.Stroke([[3, 3]], glyph=1)],
                                width=20, height=10, units="mm")
    first = DxfExporter().export(drawing)
    assert first == DxfExporter().export(drawing)
    doc = ezdxf.read(__import__("io").StringIO(first.decode()))
    dot = [e for e in doc.modelspace() if e.dxf.layer == "GLYPH-2"][0]
    assert np.array(dot.get_points("xy")).tolist() == [[3, 7], [3, 7]]  # a dot is a zero-length polyline


@pytest.mark.parametrize(("option", "message"), [
    ("layers=pen", "layers must be one of glyph, single"),
    ("version=R12", "version must be one of"),
    ("bogus=1", "unexpected keyword argument 'bogus'"),
])
def test_bad_options_fail_with_one_line(word: Path, option: str, message: str) -> None:
    done = subprocess.run([STROKEBOT, "trace", str(word), "--to", "dxf", "-O", option],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not word.with_suffix(".dxf").exists()


def test_console_script_writes_dxf_beside_the_image(scan: Path) -> None:
    done = subprocess.run([STROKEBOT, "trace", str(scan), "--to", "dxf", "--height", "1in"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    doc = ezdxf.readfile(scan.with_suffix(".dxf"))
    assert doc.header["$LIMMAX"][1] == pytest.approx(25.4)
    assert len(doc.modelspace()) > 0


@pytest.mark.skipif(importlib.util.find_spec("strokebot.cli.export") is None,
                    reason="this strokebot has no `strokebot formats` command yet")
def test_formats_command_lists_dxf() -> None:
    done = subprocess.run([STROKEBOT, "formats"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "dxf" in done.stdout
