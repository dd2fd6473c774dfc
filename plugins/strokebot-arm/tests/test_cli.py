"""`strokebot simulate` and `strokebot robots`, added to strokebot's command line by the plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from strokebot.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def drawings(tmp_path, square):
    square.to_json(tmp_path / "square.json")
    square.to_svg(tmp_path / "square.svg")
    (tmp_path / "notes.json").write_text('{"hello": 1}')
    return tmp_path


def test_simulate_a_json_trajectory(drawings):
    result = run("simulate", str(drawings / "square.json"), "--robot", "ur5e-table")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{drawings / 'square.json'}: tracking error max ")
    assert "pen down" in result.stdout and "of its speed limit" in result.stdout
    assert "ur5e-table (shoulder" in result.stderr


def test_simulate_an_image_with_a_preview(draw_word, tmp_path):
    preview = tmp_path / "sim.png"
    result = run("simulate", str(draw_word), "--preview", str(preview), "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["passed"] and figures["tracking_error_mm"]["max"] <= 0.5 and figures["tracking_error_mm"]["rms"] <= 0.1
    from PIL import Image

    assert Image.open(preview).format == "PNG"


@pytest.mark.parametrize("args, code, message", [
    (["{svg}", "--tolerance", "0.0001"], 7, "strokebot: tracking error "),
    (["{svg}", "--width", "3m"], 2, "strokebot: error: ur5e-table cannot draw stroke "),
    (["{svg}", "--robot", "nope"], 2, "strokebot: error: unknown robot 'nope' (known robots: ur5e-table, ur5e-table-lifter"),
    (["{dir}/missing.png"], 2, "missing.png: no such file"),
    (["{dir}/notes.json"], 2, "notes.json is not a strokebot.trajectory document"),
    (["{svg}", "--preview", "{dir}/sim.jpg"], 2, "--preview writes a PNG"),
    (["{svg}", "--speed", "0"], 2, "Invalid value for '--speed'"),
])
def test_simulate_errors(drawings, args, code, message):
    before = sorted(p.name for p in drawings.iterdir())
    values = {"svg": str(drawings / "square.svg"), "dir": str(drawings)}
    result = run("simulate", *[a.format(**values) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.stderr
    if code == 2:
        assert len(result.stderr.strip().splitlines()) == 1
        assert sorted(p.name for p in drawings.iterdir()) == before


def test_robots_lists_and_shows_profiles():
    listing = run("robots")
    assert listing.exit_code == 0 and listing.stdout.splitlines()[0].startswith("ur5e-table ")
    shown = run("robots", "ur5e-table")
    assert shown.exit_code == 0 and "[ur5e-table]" in shown.stdout and 'arm = "ur5e"' in shown.stdout
    import tomllib

    assert tomllib.loads(shown.stdout)["ur5e-table"]["pen_control"] == "tool-move"


@pytest.mark.parametrize("command", ["simulate", "robots"])
def test_commands_have_examples(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout


def test_the_installed_strokebot_lists_the_commands():
    strokebot = str(Path(sys.executable).with_name("strokebot"))
    out = subprocess.run([strokebot, "--help"], capture_output=True, text=True, check=True).stdout
    assert "simulate" in out and "robots" in out and "broken" not in out


def test_without_offscreen_opengl_the_preview_has_the_path_only(tmp_path, square):
    """MuJoCo cannot import with a MUJOCO_GL whose libraries are missing: strokebot-arm imports it
    without rendering, simulates, and says what to install."""
    import ctypes.util
    import os

    if ctypes.util.find_library("OSMesa"):
        pytest.skip("OSMesa is installed here: MUJOCO_GL=osmesa would render")
    square.to_json(tmp_path / "square.json")
    strokebot = str(Path(sys.executable).with_name("strokebot"))
    result = subprocess.run([strokebot, "simulate", str(tmp_path / "square.json"), "--preview", str(tmp_path / "sim.png")],
                            capture_output=True, text=True, env={**os.environ, "MUJOCO_GL": "osmesa"})
    assert result.returncode == 0, result.stderr
    assert "tracking error max" in result.stdout
    assert "without the arm's render: no offscreen OpenGL" in result.stderr and "libosmesa6" in result.stderr
    from PIL import Image

    assert Image.open(tmp_path / "sim.png").width < 700  # the page panel alone
