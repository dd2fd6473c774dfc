"""strokebot.exporters.profiles: bundled and user profiles, read, merged, checked and written back."""

from __future__ import annotations

import tomllib

import pytest
from test_exporters_gcode import PROFILES, sample

from strokebot.errors import UsageError
from strokebot.exporters.gcode import to_gcode
from strokebot.exporters.profiles import Profile, get_profile, load_profiles


@pytest.fixture(autouse=True)
def no_user_profiles(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("STROKEBOT_PROFILES", raising=False)


def test_user_profiles_from_config_env_and_file_in_that_order(tmp_path, monkeypatch):
    config = tmp_path / "config" / "strokebot"
    config.mkdir(parents=True)
    (config / "profiles.toml").write_text('[mine]\nextends = "grbl-z"\ndescription = "config"\ndefault_values = { z_full = -0.3 }\n')
    env = tmp_path / "env.toml"
    env.write_text('[mine]\nextends = "mine"\ndescription = "env"\n')
    monkeypatch.setenv("STROKEBOT_PROFILES", str(env))
    found = load_profiles()
    assert found["mine"].description == "env" and found["mine"].default_values["z_full"] == -0.3
    assert found["mine"].default_values["feed"] == 1500  # from grbl-z
    option = tmp_path / "option.toml"
    option.write_text('[mine]\nextends = "grbl-servo"\ndescription = "option"\n')
    assert load_profiles(option)["mine"].description == "option"
    assert "G1 X25.000 Y35.000 Z-0.150 F1500" in to_gcode(sample(), "mine", simplify=0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[p\nsegment = 1", "not valid TOML"),
        ('[p]\nsegmnet = "G1"', r"unknown field 'segmnet' \(known fields:"),
        ('[p]\nunit = "furlong"', "unknown unit 'furlong'"),
        ('[p]\ndwell_unit = "min"', "dwell_unit must be 's' or 'ms'"),
        ('[p]\nextends = "nothing"', "extends unknown profile 'nothing'"),
        ('[p]\nvertical_flip = "yes"', "vertical_flip has the wrong type"),
        ("[p]\nmax_rate_x = -5", r"max_rate_x must be a rate in mm/min above 0 and at most 1000000 \(GRBL \$110\), got -5"),
        ("[p]\nacceleration_y = 0", r"acceleration_y must be an acceleration in mm/s² above 0 .*\(GRBL \$121\), got 0"),
        ("[p]\nmax_rate_z = nan", r"max_rate_z must be a rate in mm/min above 0 .*\(GRBL \$112\), got nan"),
        ("[p]\nmax_rate_y = 1e30", r"max_rate_y must be a rate in mm/min above 0 and at most 1000000 .*got 1e\+30"),
        ("[p]\nacceleration_x = inf", "acceleration_x must be an acceleration"),
        ('[p]\nmax_rate_y = "fast"', "max_rate_y must be a rate in mm/min above 0 .* got 'fast'"),
        ("[p]\nmax_rate_y = true", "max_rate_y must be a rate"),
        ("[p]\nscale_x = 0", "scale_x must be a finite number other than 0, got 0"),
        ("[p]\noffset_y = nan", "offset_y must be a finite number, got nan"),
        ("[p]\nmax_line_length = 0", "max_line_length must be a positive number of characters, got 0"),
        ('[p]\ndefault_values = { feed = "fast" }', r"default_values.feed must be a number, got 'fast'"),
        ('[p]\nextends = "grbl-servo"\ndefault_values = { dwell_up = inf }', "default_values.dwell_up must be a number, got inf"),
    ],
)
def test_bad_profile_files_are_usage_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_profiles(path)


def test_bad_profile_values_are_one_line_errors_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from strokebot.cli import cli

    path = tmp_path / "mine.toml"
    path.write_text('[mine]\nextends = "grbl-servo"\nmax_rate_x = -500\n')
    for args in (["profiles", "--file", str(path)], ["profiles", "mine", "--file", str(path)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        assert result.stderr == (f"strokebot: error: profile 'mine' ({path}): max_rate_x must be a rate in mm/min above 0 "
                                 "and at most 1000000 (GRBL $110), got -500\n")


def test_the_machine_settings_show_with_the_profile_and_pass_to_a_user_profile(tmp_path):
    shown = get_profile("grbl-servo").to_toml()
    assert "max_rate_x = 4000.0\nmax_rate_y = 4000.0\nacceleration_x = 500.0\nacceleration_y = 500.0" in shown
    assert "# firmware's, e.g. GRBL's $110 $111 $120 $121 (shown by $$)." in shown
    assert "travel_feed" not in shown  # GRBL's G0 runs at the max rates, whatever F says
    path = tmp_path / "mine.toml"
    path.write_text('[mine]\nextends = "grbl-z"\nmax_rate_z = 200\n')
    mine = get_profile("mine", path)
    assert (mine.max_rate_x, mine.max_rate_z, mine.acceleration_z) == (3000, 200, 50)


@pytest.mark.parametrize("name", PROFILES)
def test_profile_toml_round_trips(name):
    profile = get_profile(name)
    again = Profile.from_table(name, tomllib.loads(profile.to_toml())[name])
    assert again == profile


def test_every_bundled_profile_keeps_its_firmware_facts():
    found = load_profiles()
    assert set(PROFILES) <= set(found)
    for name in PROFILES:
        profile = found[name]
        assert profile.dwell_unit == ("s" if profile.firmware == "grbl" else "ms")
        assert profile.vertical_flip and profile.unit == "mm"
        assert (profile.max_line_length == 79) == (profile.firmware == "grbl")
        assert "{f}" in profile.templates["segment"]

