"""strokebot.exporters: the entry-point registry, shared option handling, and writing files."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

from strokebot import exporters
from strokebot.drawing import Drawing, Stroke
from strokebot.errors import ExportError, UsageError
from strokebot.exporters import DEFAULT_PEN_WIDTH, Exporter, export, get_exporter, in_millimetres, pen_width_mm

BUILT_IN = {
    "csv": ".csv",
    "gcode": ".gcode",
    "hpgl": ".hpgl",
    "json": ".json",
    "png": ".preview.png",
    "stroke3": ".stroke3.npy",
    "stroke5": ".stroke5.npy",
    "svg": ".svg",
}


def sample() -> Drawing:
    return Drawing(
        [Stroke([[2, 2, 0.3, 1.0], [20, 4, 0.7, 0.8], [22, 18, 0.5, 1.0]], glyph=0), Stroke([[30, 5], [36, 18]], glyph=1)],
        width=40, height=20, units="mm",
    )


@pytest.fixture
def registry(monkeypatch):
    """The registry with extra, fake entry points; the loaded-exporter cache starts empty."""
    monkeypatch.setattr(exporters, "_loaded", {})
    real = exporters._entry_points()

    def install(**targets: str) -> None:
        fake = {name: importlib.metadata.EntryPoint(name=name, value=value, group=exporters.GROUP) for name, value in targets.items()}
        monkeypatch.setattr(exporters, "_entry_points", lambda: {**real, **fake})

    return install


def test_built_in_formats_register_through_entry_points():
    infos = {info.name: info for info in exporters.available()}
    assert {name: info.suffix for name, info in infos.items() if name in BUILT_IN} == BUILT_IN
    for name in BUILT_IN:
        assert infos[name].error is None
        assert infos[name].description and "\n" not in infos[name].description
        assert infos[name].value.startswith("strokebot.exporters.")
        exporter = get_exporter(name)
        assert isinstance(exporter, Exporter) and exporter.name == name


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_suffix_for(name):
    assert exporters.suffix_for(name) == BUILT_IN[name]


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown format 'eps' \(known formats: ([\w-]+, )*csv, ([\w-]+, )*gcode, hpgl, ([\w-]+, )*json, png"):
        export(sample(), "eps")


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_unknown_option_lists_the_known_ones(name):
    with pytest.raises(UsageError, match=rf"format '{name}' (with profile 'grbl-servo' )?has no option 'bogus' \(known options: "):
        export(sample(), name, bogus=1)


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_every_format_exports_an_empty_drawing(name):
    data = export(Drawing([], width=10, height=10, units="mm"), name)
    assert isinstance(data, bytes) and data


def test_broken_plugin_is_listed_and_breaks_nothing_else(registry):
    registry(broken="strokebot_no_such_module:Exporter", noexport="strokebot.units:UNITS")
    infos = {info.name: info for info in exporters.available()}
    assert "ModuleNotFoundError" in infos["broken"].error and "strokebot_no_such_module" in infos["broken"].error
    assert "no export() method" in infos["noexport"].error
    assert infos["svg"].error is None
    with pytest.raises(ExportError, match="format 'broken' from strokebot_no_such_module:Exporter is broken"):
        export(sample(), "broken")
    assert export(sample(), "svg").startswith(b"<?xml")


def test_third_party_exporter_registers_like_a_built_in(registry):
    registry(plt="strokebot.exporters.hpgl:HpglExporter")
    assert export(sample(), "plt") == export(sample(), "hpgl")


def test_plugin_returning_text_instead_of_bytes_is_an_export_error(registry, monkeypatch):
    registry(text="strokebot.exporters.hpgl:HpglExporter")
    monkeypatch.setattr(exporters.hpgl.HpglExporter, "export", lambda self, drawing, **options: "IN;")
    with pytest.raises(ExportError, match="returned str, not bytes"):
        export(sample(), "text")


def test_export_writes_the_file_atomically(tmp_path):
    target = tmp_path / "out.svg"
    assert export(sample(), "svg", target) is None
    assert target.read_bytes() == export(sample(), "svg")
    assert [p.name for p in tmp_path.iterdir()] == ["out.svg"]
    with pytest.raises(ExportError, match="does not exist"):
        export(sample(), "svg", tmp_path / "missing" / "out.svg")


def test_drawing_methods_reach_the_exporters():
    d = sample()
    assert d.to_svg() == export(d, "svg")
    assert d.to_json() == export(d, "json")
    assert d.to_gcode(profile="grbl-z") == export(d, "gcode", profile="grbl-z")
    assert d.render(dpi=50) == export(d, "png", dpi=50)


def test_px_drawings_are_css_pixels_and_pen_width_falls_back():
    px = Drawing([Stroke([[0, 0], [96, 0]])], width=96, height=48, units="px", pen_width=3.78)
    mm = in_millimetres(px)
    assert mm.units == "mm" and mm.width == pytest.approx(25.4) and mm.strokes[0].end[0] == pytest.approx(25.4)
    assert pen_width_mm(px) == pytest.approx(1.0, abs=1e-3)
    assert pen_width_mm(px.replace(pen_width=None)) == DEFAULT_PEN_WIDTH
    assert pen_width_mm(px, 0.3) == 0.3
    with pytest.raises(UsageError, match="pen_width"):
        pen_width_mm(px, -1)


def test_exports_do_not_import_torch():
    code = (
        "import sys\n"
        "from strokebot.drawing import Drawing, Stroke\n"
        "from strokebot import exporters\n"
        "d = Drawing([Stroke([[0, 0], [5, 5]])], width=10, height=10, units='mm')\n"
        "for info in exporters.available():\n"
        "    exporters.export(d, info.name)\n"
        "import strokebot.cli.export\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
