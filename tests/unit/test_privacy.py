"""Small-cell suppression and the facility load flags, without a database."""

import pandas as pd

from data_access.privacy import MIN_RESIDENTS, SUPPRESSED, suppress, suppress_count
from data_access.services import OVER_FULL, UNDER_USED, load_flag


def test_counts_below_five_are_hidden():
    assert MIN_RESIDENTS == 5 and SUPPRESSED == "<5"
    assert [suppress_count(n) for n in (0, 1, 4, 5, 6, 12345)] == [
        "<5", "<5", "<5", "5", "6", "12,345",
    ]  # fmt: skip
    assert suppress_count(None) == "<5"
    assert suppress_count(float("nan")) == "<5"


def test_suppress_touches_only_the_named_columns_and_copies():
    frame = pd.DataFrame({"name": ["a", "b"], "users": [3, 8], "visits": [3, 8]})
    shown = suppress(frame, ["users"])
    assert list(shown["users"]) == ["<5", "8"]
    assert list(shown["visits"]) == [3, 8]  # visits are not a count of residents
    assert list(frame["users"]) == [3, 8]  # the input is left alone


def test_load_flag_thresholds():
    assert (UNDER_USED, OVER_FULL) == (0.30, 0.95)
    assert load_flag(0.2999) == "under"
    assert load_flag(0.30) == "normal"
    assert load_flag(0.95) == "normal"
    assert load_flag(0.9501) == "over"
    assert load_flag(None) == "normal"
