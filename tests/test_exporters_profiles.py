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
    ],
)
def test_bad_profile_files_are_usage_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_profiles(path)


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

