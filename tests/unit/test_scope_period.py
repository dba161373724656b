from datetime import date, datetime, timedelta

import pytest

from data_access import Period, Scope
from data_access.period import LOCAL


@pytest.mark.parametrize(
    ("scope", "setting"),
    [
        (Scope.district(), "district"),
        (Scope("street", "330109001"), "street:330109001"),
        (Scope("community", "330109001001"), "community:330109001001"),
        (Scope("grid", "330109001001G01M02"), "grid:330109001001G01M02"),
    ],
)
def test_scope_setting(scope, setting):
    assert scope.setting() == setting


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("district", "x"),
        ("street", None),
        ("community", "a:b"),
        ("community", "1' OR '1"),
        ("galaxy", "1"),
    ],
)
def test_malformed_scopes_are_refused(kind, code):
    with pytest.raises(ValueError):
        Scope(kind, code)


def test_as_of_in_the_past_ends_at_midnight_after_it():
    period = Period(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 10))
    params = period.params(now=datetime(2026, 11, 28, 15, 30, tzinfo=LOCAL))
    assert params["t"] == datetime(2026, 3, 11, tzinfo=LOCAL)
    assert params["end_day"] == date(2026, 3, 10)
    assert params["end_at"] == datetime(2026, 3, 11, tzinfo=LOCAL)


def test_as_of_today_is_now_to_the_minute():
    now = datetime(2026, 11, 28, 15, 30, 45, tzinfo=LOCAL)
    params = Period.last_days(7, as_of=now.date()).params(now=now)
    assert params["t"] == datetime(2026, 11, 28, 15, 30, tzinfo=LOCAL)
    assert params["end_at"] == params["t"]
    assert params["start_day"] == now.date() - timedelta(days=6)


def test_previous_period_has_the_same_length():
    period = Period(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 10))
    assert period.previous() == Period(date(2026, 2, 19), date(2026, 2, 28), date(2026, 2, 28))


def test_start_after_end_is_refused():
    with pytest.raises(ValueError):
        Period(date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 2))
