"""strokebot.exporters.plot_time: the header's plot time covers the whole program, is never below
what any firmware needs for the file's moves at their feeds (read back by gcodeparser), and names
the machine settings it assumes."""

from __future__ import annotations

import pytest
from test_exporters_gcode import far_drawing, feed_time_bound, golden_sample, header_estimate, program, sample

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import UsageError
from strokebot.exporters.gcode import to_gcode
from strokebot.exporters.plot_time import estimate_time
from strokebot.exporters.profiles import get_profile, load_profiles


@pytest.fixture(autouse=True)
def no_user_profiles(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("STROKEBOT_PROFILES", raising=False)


BUNDLED = sorted(name for name, profile in load_profiles().items() if profile.source == "bundled")


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("make", [sample, far_drawing, golden_sample], ids=["sample", "far", "golden"])
def test_the_estimate_is_never_below_the_time_of_the_moves_at_their_feeds(name, make):
    """Every bundled profile: what the header says is at least what no firmware can beat."""
    text = to_gcode(make(), name)
    estimate, bound = header_estimate(text), feed_time_bound(text, get_profile(name))
    assert estimate >= bound > 0
    assert estimate < 2.5 * bound + 1.0, "acceleration and corners cannot cost that much on these drawings"


@pytest.mark.parametrize("name", BUNDLED)
def test_the_estimate_covers_the_moves_from_and_back_to_the_origin(name):
    """A stroke placed 150 mm further along X from X0 Y0 takes 150 mm of travel longer, there and back."""
    profile = get_profile(name)
    bar = Drawing([Stroke([[40, 40, 0.5, 1], [50, 40, 0.5, 1]])], width=60, height=40, units="mm")  # on machine Y0
    near, far = (estimate_time(to_gcode(bar, name, offset_x=x, comments=False), profile) for x in (0, 150))
    top = profile.max_rate_x / 60.0
    if profile.firmware != "grbl":  # Marlin and Klipper move G0 at the travel feed
        top = min(top, profile.default_values["travel_feed"] / 60.0)
    assert far - near == pytest.approx(2 * 150 / top, rel=1e-6)


def test_the_header_names_the_machine_settings_it_assumes():
    assert "it assumes GRBL $110=4000 $111=4000 mm/min, $120=500 $121=500 mm/s^2 (see yours with $$)" in \
        " ".join(line[2:] for line in program("grbl-servo").splitlines() if line.startswith("; "))
    words = {name: " ".join(line[2:] for line in program(name).splitlines() if line.startswith("; ")) for name in BUNDLED}
    assert "$112=500 mm/min" in words["grbl-z"] and "$122=50 mm/s^2" in words["grbl-z"]
    assert "$112" not in words["grbl-servo"]  # a servo pen never moves Z
    assert "Marlin M203 X100 Y100 Z10 mm/s, M201 X500 Y500 Z100 mm/s^2 (see yours with M503)" in words["marlin-z"]
    assert "Klipper max_velocity: 100, max_accel: 500 (mm/s, mm/s^2; see printer.cfg)" in words["klipper-servo"]
    assert all("feed" in text and "the whole program from X0 Y0 Z0" in text for text in words.values())


def test_slower_machine_settings_give_a_longer_estimate(tmp_path):
    """Stock GRBL ($110 = $111 = 500 mm/min, $120 = $121 = 10 mm/s^2), by option or by the user's profile."""
    drawing = far_drawing()
    fast = header_estimate(to_gcode(drawing, "grbl-servo"))
    options = {"max_rate_x": 500, "max_rate_y": 500, "acceleration_x": 10, "acceleration_y": 10}
    text = to_gcode(drawing, "grbl-servo", **options)
    assert "$110=500 $111=500 mm/min, $120=10 $121=10 mm/s^2" in text.replace("\n; ", " ")
    assert header_estimate(text) > 4 * fast
    path = tmp_path / "stock.toml"
    path.write_text('[stock]\nextends = "grbl-servo"\n' + "".join(f"{k} = {v}\n" for k, v in options.items()))
    assert header_estimate(to_gcode(drawing, "stock", profiles_file=path)) == header_estimate(text)
    assert header_estimate(to_gcode(drawing, "grbl-servo", acceleration=10)) > fast  # the older option: X and Y
    with pytest.raises(UsageError, match="option max_rate_x must be above 0 mm/min, got -5"):
        to_gcode(drawing, "grbl-servo", max_rate_x=-5)


def test_a_profile_without_machine_limits_says_why_there_is_no_estimate(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[bare]\ndefault_values = { feed = 100 }\nsegment = "G1 X{x:.3f} Y{y:.3f}{f}\\n"\n'
                    '[servo-z]\nextends = "grbl-servo"\nsegment = "G1 X{x:.3f} Y{y:.3f} Z0{f}\\n"\n')
    text = to_gcode(sample(), "bare", profiles_file=path).replace("\n; ", " ")
    assert "no plot time estimate: profile 'bare'" in text and "names no max_rate_x, acceleration_x" in text
    assert "(GRBL $110 $120 $111 $121)" in text
    with pytest.raises(UsageError, match="names no max_rate_x"):
        estimate_time("G1 X5 F100\n", get_profile("bare", path))
    assert "(GRBL $112 $122)" not in to_gcode(sample(), "servo-z", profiles_file=path)  # Z0 throughout: Z never moves


def test_the_estimate_reads_the_program_as_firmware_does():
    grbl, marlin = get_profile("grbl-servo"), get_profile("marlin-servo")
    line = estimate_time("G1 X10 F600\n", grbl)
    assert estimate_time("G91\nG1 X5 F600\nG1 X5\n", grbl) == pytest.approx(line)  # relative, one straight line
    assert estimate_time("G20\nG1 X0.3937 F23.622\n", grbl) == pytest.approx(line, rel=1e-3)  # inches
    assert estimate_time("G1 X10 F600\nG4 P1.5\n", grbl) == pytest.approx(line + 1.5)  # GRBL: seconds
    assert estimate_time("G1 X10 F600\nG4 P1500\n", marlin) == pytest.approx(line + 1.5)  # Marlin: ms
    assert estimate_time("G0 X10 F600\n", grbl) < line  # GRBL's G0 ignores F
    assert estimate_time("G0 X10 F600\n", marlin) == pytest.approx(line)
    stop = estimate_time("G1 X10 F600\nM3 S30\nG1 X20\n", grbl)
    assert stop == pytest.approx(2 * line) and estimate_time("G1 X10 F600\nG1 X20\n", grbl) < stop
    assert estimate_time("G92 X100\nG1 X110 F600\n", grbl) == pytest.approx(line)
    assert estimate_time("; only comments\n(and this)\n", grbl) == 0.0
