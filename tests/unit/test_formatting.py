"""Numbers the Chinese way (DESIGN §5 labels, issue [2])."""

import math

import pytest

from ui.formatting import format_count, format_hours, format_number, format_rate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (8897, "8,897"),
        (9999, "9,999"),
        (10_000, "1万"),
        (16_950, "1.7万"),
        (82_000, "8.2万"),
        (92_761, "9.3万"),
        (1_234_567, "123.5万"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_format_count_chinese(value, expected):
    assert format_count(value) == expected


def test_format_count_english_uses_k():
    assert format_count(8897, "en") == "8,897"
    assert format_count(82_000, "en") == "82k"
    assert format_count(12_340, "en") == "12.3k"


@pytest.mark.parametrize(
    ("value", "expected"), [(0.873, "87.3%"), (1, "100.0%"), (0, "0.0%"), (None, "—")]
)
def test_format_rate(value, expected):
    assert format_rate(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(15.24, "15.2"), (0, "0.0"), (None, "—")])
def test_format_hours(value, expected):
    assert format_hours(value) == expected


def test_format_number():
    assert format_number(1234.56) == "1,234.6"
    assert format_number(None) == "—"
