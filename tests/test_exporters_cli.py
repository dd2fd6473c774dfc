"""``strokebot formats`` and ``strokebot profiles`` (strokebot.cli.export), through click's CliRunner."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import pytest
from click.testing import CliRunner

from strokebot import exporters
from strokebot.cli import cli, main

PROFILES = ("grbl-servo", "grbl-z", "grbl-laser", "marlin-servo", "marlin-z", "klipper-servo", "klipper-z")


@pytest.fixture(autouse=True)
def no_user_profiles(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("STROKEBOT_PROFILES", raising=False)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


@pytest.mark.parametrize(
    "args, expected",
    [
        # (columns as wide as the longest name, a plugin's included)
        (["formats"], [r"gcode +\.gcode", r"svg +\.svg", r"png +\.preview\.png", "json", "csv", "hpgl", "stroke3", "stroke5"]),
        (["formats", "gcode"], ["options (-O KEY=VALUE):", "profile ", "simplify ", "strokebot profiles NAME"]),
        (["formats", "svg"], ["layers ", "glyph (one layer per glyph"]),
        (["formats", "--help"], ["Examples:", "strokebot formats gcode"]),
        (["profiles"], [f"{name} " for name in PROFILES]),
        (["profiles", "grbl-z"], ["[grbl-z]", 'firmware = "grbl"', "z_full = -1.0", "segment = \"\"\""]),
        (["profiles", "grbl-servo"], ["max_rate_x = 4000.0", "acceleration_y = 500.0", "GRBL's $110 $111 $120 $121"]),
        (["formats", "gcode"], ["max_rate_x ", "GRBL $110", "acceleration_z ", "Klipper max_z_accel"]),
        (["profiles", "--help"], ["Examples:", "~/.config/strokebot/profiles.toml", "STROKEBOT_PROFILES"]),
    ],
)
def test_commands_print(args, expected):
    result = run(*args)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert re.search(text, result.output) if "\\" in text else text in result.output


def test_formats_lists_a_broken_plugin_and_still_the_others(monkeypatch):
    real = exporters._entry_points()
    fake = importlib.metadata.EntryPoint(name="aaa-broken", value="strokebot_no_such_module:X", group=exporters.GROUP)
    monkeypatch.setattr(exporters, "_entry_points", lambda: {**real, "aaa-broken": fake})
    monkeypatch.setattr(exporters, "_loaded", {})
    result = run("formats")
    assert result.exit_code == 0
    assert "aaa-broken" in result.output and "BROKEN" in result.output and "ModuleNotFoundError" in result.output
    assert re.search(r"^svg +\.svg +Plotter SVG", result.output, re.M)


@pytest.mark.parametrize(
    "args, message",
    [
        (["formats", "eps"], "unknown format 'eps' (known formats: csv, "),
        (["profiles", "grbl-zz"], "unknown G-code profile 'grbl-zz' (known profiles: grbl-laser, grbl-servo"),
    ],
)
def test_errors_are_one_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_shown_profile_is_valid_toml_that_loads_back(tmp_path):
    result = run("profiles", "marlin-servo")
    table = tomllib.loads(result.output)["marlin-servo"]
    assert table["dwell_unit"] == "ms" and "M400" in table["line_end"]
    copy = tmp_path / "mine.toml"
    copy.write_text(result.output.replace("[marlin-servo]", "[my-plotter]"))
    listing = run("profiles", "--file", str(copy))
    assert "my-plotter" in listing.output and str(copy) in listing.output


def test_profiles_with_a_missing_file_is_a_usage_error(tmp_path):
    result = run("profiles", "--file", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2 and "cannot read profiles file" in result.stderr
