"""The README's set-up commands are what CI runs, and the examples it shows still parse."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_two_setup_commands():
    commands = setup_commands()
    assert len(commands) == 2
    install_and_trace, install_and_test = commands
    assert "torch==2.13.0" in install_and_trace and "strokebot trace samples/" in install_and_trace
    assert "torch==2.13.0" in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_readme_test_command():
    test_command = setup_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    # CI may quieten pip, nothing else.
    assert test_command.replace("pip install ", "pip install -q ") in ci


def test_the_sample_the_readme_traces_exists():
    sample = re.search(r"strokebot trace (samples/\S+)", setup_commands()[0]).group(1)
    assert (ROOT / sample).is_file()


def test_the_profile_the_readme_shows_loads_and_the_settings_it_quotes_are_the_bundled_ones(tmp_path, monkeypatch):
    from strokebot.exporters.profiles import get_profile

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    text = (ROOT / "README.md").read_text()
    (example,) = re.findall(r"```toml\n(.+?)\n```", text, re.S)
    path = tmp_path / "profiles.toml"
    path.write_text(example)
    mine = get_profile("my-plotter", path)
    assert (mine.max_rate_x, mine.acceleration_y, mine.max_rate_z) == (8000, 800, None)
    servo, z = get_profile("grbl-servo"), get_profile("grbl-z")
    quoted = text.split("The bundled profiles assume", 1)[1].split("Tell strokebot", 1)[0]
    for figure in (servo.max_rate_x, z.max_rate_x, servo.acceleration_x, z.max_rate_z, z.acceleration_z):
        assert f"{figure:g}" in quoted
