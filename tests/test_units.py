import pytest

from strokebot.errors import UsageError
from strokebot.units import format_length, parse_length


@pytest.mark.parametrize(
    "text, mm",
    [("40mm", 40.0), ("4cm", 40.0), ("1.5in", 38.1), ("96px", 25.4), ("72pt", 25.4), (" 2.5 mm ", 2.5),
     ("10", 10.0), ("0.1m", 100.0), ("1e1mm", 10.0), ("-3mm", -3.0), (".5in", 12.7)],
)
def test_parse_length(text, mm):
    assert parse_length(text) == pytest.approx(mm)


@pytest.mark.parametrize("text", ["40qq", "mm", "", "4 0mm", "1.2.3in", "inch"])
def test_bad_lengths_name_the_input(text):
    with pytest.raises(UsageError) as error:
        parse_length(text)
    assert repr(text) in str(error.value)


def test_unknown_unit_lists_known_units():
    with pytest.raises(UsageError, match="known units: mm, cm"):
        parse_length("40qq")


def test_numbers_take_the_default_unit():
    assert parse_length(2, default_unit="in") == pytest.approx(50.8)


def test_format_length():
    assert format_length(40.0) == "40mm"
    assert format_length(38.1, "in") == "1.5in"
