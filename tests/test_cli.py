"""The command line through click's CliRunner: outputs, naming, and one-line errors with exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import draw_polylines, save_png

from strokebot.cli import cli


def run(*args: str, cwd: Path | None = None):
    """Run ``strokebot ARGS`` through click's CliRunner; returns the result (exit_code, stdout, stderr)."""
    import os

    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def glyphs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    save_png(folder / "seven.png", draw_polylines([[(8, 6), (20, 6), (13, 23)]], size=(28, 28), width=2.5))
    save_png(folder / "one.png", draw_polylines([[(30, 10), (30, 54)]], size=(64, 64), width=5))
    return folder


def test_trace_writes_beside_the_input(glyphs):
    result = run("trace", str(glyphs / "seven.png"), "--to", "gcode", "--to", "svg", "--to", "png", "--to", "json", "--width", "40mm")
    assert result.exit_code == 0, result.output
    for suffix in (".gcode", ".svg", ".preview.png", ".json"):
        assert (glyphs / f"seven{suffix}").stat().st_size > 0
    assert "seven.gcode" in result.stderr and "pen-up" in result.stderr


def test_png_never_overwrites_the_input(glyphs):
    before = (glyphs / "seven.png").read_bytes()
    assert run("trace", str(glyphs / "seven.png"), "--to", "png").exit_code == 0
    assert (glyphs / "seven.png").read_bytes() == before


def test_folder_into_an_output_folder(glyphs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert run("trace", str(glyphs), "--to", "svg", "-o", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["one.svg", "seven.svg"]


def test_one_output_file_and_stdout(glyphs, tmp_path):
    target = tmp_path / "named.gcode"
    assert run("trace", str(glyphs / "one.png"), "-o", str(target)).exit_code == 0
    assert target.read_text().startswith(";")
    result = run("trace", str(glyphs / "one.png"), "--to", "svg", "-o", "-", "-q")
    assert result.exit_code == 0 and result.stdout.startswith("<?xml") and result.stderr == ""


def test_width_sets_the_physical_size(glyphs):
    assert run("trace", str(glyphs / "one.png"), "--to", "svg", "--height", "1in").exit_code == 0
    svg = (glyphs / "one.svg").read_text()
    assert 'height="25.4mm"' in svg and 'width="25.4mm"' in svg


def test_profiles_and_options_reach_gcode(glyphs):
    assert run("trace", str(glyphs / "one.png"), "--profile", "marlin-servo", "-O", "feed=1234").exit_code == 0
    gcode = (glyphs / "one.gcode").read_text()
    assert "M280" in gcode and "F1234" in gcode
    assert run("trace", str(glyphs / "one.png"), "--to", "gcode", "--to", "png", "-O", "gcode.feed=999", "-O", "png.dpi=50").exit_code == 0
    assert "F999" in (glyphs / "one.gcode").read_text()


def test_json_round_trip(glyphs):
    assert run("trace", str(glyphs / "seven.png"), "--to", "json", "--width", "30mm").exit_code == 0
    doc = json.loads((glyphs / "seven.json").read_text())
    assert doc["format"] == "strokebot.trajectory" and doc["strokes"]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["trace", "missing.png"], 2, "missing.png: no such file"),
        (["trace", "{seven}", "--to", "dwg"], 2, "unknown format 'dwg' (known formats:"),
        (["trace", "{seven}", "--profile", "nope"], 2, "unknown"),
        (["trace", "{seven}", "--width", "40qq"], 2, "unknown unit 'qq'"),
        (["trace", "{seven}", "-o", "{tmp}/no/such/dir/"], 2, "does not exist"),
        (["trace", "{seven}", "-o", "{tmp}/nodir/x.gcode"], 4, "does not exist"),
        (["trace", "{seven}", "--model", "{tmp}/missing.npz"], 3, "model file not found"),
        (["trace", "{seven}", "--to", "svg", "--profile", "grbl-z"], 2, "--profile applies to --to gcode only"),
        (["trace", "{seven}", "-O", "nonsense"], 2, "expected KEY=VALUE"),
        (["trace", "{seven}", "-O", "warp=9"], 2, "no option 'warp'"),
        (["trace", "{blank}"], 2, "no ink found"),
        (["trace", "{text}"], 2, "not an image"),
        (["train", "--data", "hershey:8", "--out", "{tmp}/m.npz", "--end", "2,3"], 2, "each in 0..1"),
        (["train", "--data", "hershey:8", "--out", "{tmp}/m.npz", "--start", "left"], 2, "is not X,Y"),
        (["train", "--kind", "gesture", "--teacher", "{fast}", "--data", "hershey:8", "--out", "{tmp}/m.npz"], 2, "not a stroke model"),
        (["train", "--teacher", "{fast}", "--data", "kanjivg:2", "--out", "{tmp}/m.npz"], 2, "--teacher applies to --kind gesture only"),
        (["train", "--kind", "gesture", "--sequencers", "2", "--data", "hershey:8", "--out", "{tmp}/m.npz"], 2, "--sequencers applies to --kind strokes only"),
        (["train", "--sequencers", "0", "--data", "kanjivg:2", "--out", "{tmp}/m.npz"], 2, "--sequencers"),
        (["train", "--kind", "gesture", "--order-context", "none", "--data", "hershey:8", "--out", "{tmp}/m.npz"], 2, "--order-context applies to --kind strokes only"),
        (["train", "--order-context", "all", "--data", "kanjivg:2", "--out", "{tmp}/m.npz"], 2, "--order-context"),
        (["train", "--data", "letters:0", "--out", "{tmp}/m.npz"], 2, "the count after 'letters:' must be a whole number"),
        (["train", "--data", "letters:3", "--out", "{tmp}/m.npz"], 2, "--data letters teaches the sequencers only"),
    ],
)
def test_errors_are_one_line(glyphs, tmp_path, args, code, message):
    (tmp_path / "blank.png").write_bytes(b"")
    save_png(tmp_path / "blank.png", np.zeros((30, 30)))
    (tmp_path / "notes.png").write_text("not a picture")
    from strokebot.model.inference import FAST_MODEL

    values = {"seven": str(glyphs / "seven.png"), "tmp": str(tmp_path), "blank": str(tmp_path / "blank.png"),
              "text": str(tmp_path / "notes.png"), "fast": str(FAST_MODEL)}
    result = run(*[a.format(**values) for a in args], cwd=tmp_path)
    err = result.stderr
    assert result.exit_code == code, err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not list(glyphs.glob("seven.gcode"))


def test_folder_skips_bad_files_and_says_so(glyphs):
    (glyphs / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    result = run("trace", str(glyphs), "--to", "svg")
    err = result.stderr
    assert result.exit_code == 6
    assert "broken.png" in err and "1 of 3 inputs skipped" in err
    assert (glyphs / "seven.svg").exists() and (glyphs / "one.svg").exists()


@pytest.mark.parametrize("command", ["trace", "train", "evaluate", "formats", "profiles", "verify"])
def test_every_command_has_examples(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout
    # An example continued with a backslash keeps its line break: a single backslash at a line's
    # end in the epilog's (non-raw) source joins the next line onto it ("mnist       --data ...").
    examples = result.stdout.split("Examples:", 1)[1].splitlines()
    assert not [line for line in examples if re.search(r"\S {4,}--", line)]


def test_help_and_trace_do_not_import_torch(glyphs):
    script = (
        "import sys\nfrom strokebot.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    for args in (["--help"], ["trace", str(glyphs / "seven.png"), "--to", "gcode", "--to", "svg", "-q"]):
        subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True)


def test_python_m_strokebot():
    out = subprocess.run([sys.executable, "-m", "strokebot", "--version"], capture_output=True, text=True, check=True)
    assert "strokebot" in out.stdout


def test_folder_with_worker_processes(glyphs):
    (glyphs / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    result = run("trace", str(glyphs), "--to", "svg", "-j", "2", "-q")
    assert result.exit_code == 6, result.stderr
    assert (glyphs / "seven.svg").exists() and (glyphs / "one.svg").exists()
    assert "broken.png" in result.stderr and "1 of 3 inputs skipped" in result.stderr


def test_polarity_choices_match_the_library():
    from strokebot.cli.trace import POLARITIES
    from strokebot.imaging import POLARITIES as LIBRARY

    assert POLARITIES == LIBRARY


# -- commands added by plugins (the strokebot.commands entry-point group) ----------------------------

PLUGIN_MODULE = '''
import click

@click.command()
@click.argument("word")
def hello(word):
    """Say hello from a plugin."""
    click.echo(f"hello {word}")

not_a_command = 42
'''


@pytest.fixture
def plugin_entries(tmp_path, monkeypatch):
    """Entry points of a fake plugin (a real module on sys.path), in place of the installed ones."""
    import importlib.metadata

    import strokebot.cli as cli_module

    (tmp_path / "fake_strokebot_plugin.py").write_text(PLUGIN_MODULE)
    (tmp_path / "broken_strokebot_plugin.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    entries = {}

    def register(name: str, value: str) -> None:
        entries[name] = importlib.metadata.EntryPoint(name=name, value=value, group=cli_module.COMMAND_GROUP)

    monkeypatch.setattr(cli_module, "plugin_commands",
                        lambda: {n: e for n, e in entries.items() if n not in cli_module.COMMANDS})
    return register


def test_a_plugin_adds_a_command(plugin_entries):
    plugin_entries("hello", "fake_strokebot_plugin:hello")
    result = run("hello", "world")
    assert result.exit_code == 0 and result.stdout == "hello world\n"
    listing = run("--help")
    assert "hello" in listing.stdout and "Say hello from a plugin." in listing.stdout


@pytest.mark.parametrize("target, error", [
    ("broken_strokebot_plugin:anything", "ModuleNotFoundError: No module named 'no_such_module_anywhere'"),
    ("fake_strokebot_plugin:not_a_command", "TypeError: fake_strokebot_plugin:not_a_command is a int, not a click command"),
    ("fake_strokebot_plugin:missing", "AttributeError"),
])
def test_a_broken_plugin_is_a_broken_entry_not_a_crash(plugin_entries, target, error):
    plugin_entries("hello", target)
    listing = run("--help")
    assert listing.exit_code == 0 and "hello" in listing.stdout and "(broken:" in listing.stdout
    assert "trace" in listing.stdout
    helped = run("hello", "--help")
    assert helped.exit_code == 0 and error in helped.stdout and "Traceback" in helped.stdout  # the details, on request
    ran = run("hello", "world")
    assert ran.exit_code == 70
    assert ran.stderr.startswith("strokebot: error: command 'hello' from") and error in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1
    assert run("formats").exit_code == 0  # the rest of the tool works


def test_a_plugin_cannot_replace_a_built_in_command(plugin_entries):
    plugin_entries("trace", "fake_strokebot_plugin:hello")
    result = run("trace", "--help")
    assert result.exit_code == 0 and "Trace glyph images" in result.stdout


def test_simulate_without_its_plugin_says_what_to_install(plugin_entries):
    result = run("simulate", "word.png", "--robot", "ur5e-table")
    assert result.exit_code == 2
    assert result.stderr == ("strokebot: error: 'strokebot simulate' comes with the strokebot-arm plugin, which is not "
                             "installed: pip install strokebot-arm (from a strokebot checkout: pip install -e "
                             "plugins/strokebot-arm)\n")
    assert run("nonsense").exit_code == 2  # an unknown command is still click's usage error


def test_a_gesture_model_taught_by_the_stroke_model_says_so_and_carries_its_licence(tmp_path):
    # Data that needs nothing from ../shared, so that the test runs in any clone.
    from strokebot.model.checkpoint import read_model
    from strokebot.model.inference import DEFAULT_MODEL, load_model

    result = run("train", "--kind", "gesture", "--teacher", str(DEFAULT_MODEL), "--data", "hershey:18",
                 "--epochs", "1", "--steps", "8", "--out", str(tmp_path / "taught.npz"), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "drawn by strokebot-default" in result.stderr and "with the teacher's strokes" in result.stderr
    metrics = read_model(tmp_path / "taught.npz").metrics
    assert metrics["teacher"] == load_model().name
    assert metrics["license"] == load_model().metrics["license"]  # taught by CC BY-SA weights


def test_fast_keeps_the_models_order_unless_asked(tmp_path):
    """The fast model learnt the stroke model's order and direction, so --fast no longer reorders by default."""
    image = tmp_path / "two.png"
    save_png(image, draw_polylines([[(70, 10), (70, 50)], [(10, 10), (10, 50)]], size=(80, 60), width=4))

    def strokes(*flags: str) -> list:
        out = tmp_path / "out.json"
        assert run("trace", str(image), "--fast", "--to", "json", "-o", str(out), *flags).exit_code == 0
        return [[(p["x"], p["y"]) for p in s["points"]] for s in json.loads(out.read_text())["strokes"]]

    default, kept, reordered = strokes(), strokes("--no-order"), strokes("--order")
    assert default == kept and len(default) == 2
    # Reordering for travel from the origin turns the second bar round: drawn upwards, against the model.
    assert reordered[0] == kept[0] and reordered[1] == kept[1][::-1]
