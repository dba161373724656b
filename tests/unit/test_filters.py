"""The URL filters as a table: query parameters -> (scope, period, notices) (DESIGN §6).

Plain Python: the places the user's scope admits are given as frames."""

from datetime import date

import pandas as pd
import pytest

from data_access import Period, Scope
from ui.filters import parse

TODAY = date(2026, 9, 23)
S1, S2 = "330109001", "330109002"
C1, C2, C3 = "330109001001", "330109001002", "330109002001"
COMMUNITIES = pd.DataFrame({"community_code": [C1, C2, C3], "street_code": [S1, S1, S2]})
GRIDS = pd.DataFrame({"grid_code": ["G1", "G1M1", "G3"], "community_code": [C1, C1, C3]})
DISTRICT = Scope.district()
DEFAULT = Period(date(2026, 8, 25), TODAY, TODAY)


def run(params, user_scope=DISTRICT, communities=COMMUNITIES, grids=GRIDS):
    filters = parse(params, communities, grids, user_scope, TODAY)
    return filters.scope, filters.period, filters.notices


CASES = [
    # (query params, scope, period, number of notices)
    ({}, DISTRICT, DEFAULT, 0),
    ({"street": S1}, Scope("street", S1), DEFAULT, 0),
    ({"community": C2}, Scope("community", C2), DEFAULT, 0),
    ({"street": S1, "community": C2}, Scope("community", C2), DEFAULT, 0),
    ({"grid": "G1M1"}, Scope("grid", "G1M1"), DEFAULT, 0),
    ({"street": S2, "community": C1}, Scope("street", S2), DEFAULT, 1),  # not in the street
    ({"community": C1, "grid": "G3"}, Scope("community", C1), DEFAULT, 1),  # grid elsewhere
    ({"community": "garbage"}, DISTRICT, DEFAULT, 1),
    ({"street": "999999999"}, DISTRICT, DEFAULT, 1),
    ({"community": "garbage", "from": "2024-13-45"}, DISTRICT, DEFAULT, 2),
    (
        {"from": "2026-09-01", "to": "2026-09-10"},
        DISTRICT,
        Period(date(2026, 9, 1), date(2026, 9, 10), TODAY),
        0,
    ),
    ({"from": "2026-09-01"}, DISTRICT, Period(date(2026, 9, 1), TODAY, TODAY), 0),
    ({"to": "2026-09-10"}, DISTRICT, Period(date(2026, 8, 12), date(2026, 9, 10), TODAY), 0),
    (
        {"asof": "2026-06-30"},
        DISTRICT,
        Period(date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 30)),
        0,
    ),
    ({"asof": "2027-01-01"}, DISTRICT, DEFAULT, 1),  # the future is not a view
    ({"asof": "20260630"}, DISTRICT, DEFAULT, 1),
    ({"from": "2026-09-10", "to": "2026-09-01"}, DISTRICT, DEFAULT, 1),
    ({"to": "not-a-day"}, DISTRICT, DEFAULT, 1),
    ({"mode": "wall"}, DISTRICT, DEFAULT, 1),
    ({"lang": "fr"}, DISTRICT, DEFAULT, 1),
    ({"community": [C1, C2]}, Scope("community", C2), DEFAULT, 0),  # the last one wins
    ({"unknown": "x"}, DISTRICT, DEFAULT, 0),
]


@pytest.mark.parametrize(("params", "scope", "period", "notices"), CASES)
def test_parse(params, scope, period, notices):
    got_scope, got_period, got_notices = run(params)
    assert (got_scope, got_period, len(got_notices)) == (scope, period, notices)


def test_never_wider_than_the_users_scope():
    # A community head of C1 sees only C1 (the frames are what their scope admits).
    mine = COMMUNITIES[COMMUNITIES["community_code"] == C1]
    my_grids = GRIDS[GRIDS["community_code"] == C1]
    own = Scope("community", C1)
    assert run({}, own, mine, my_grids)[0] == own
    scope, _, notices = run({"community": C3}, own, mine, my_grids)
    assert scope == own and len(notices) == 1
    scope, _, notices = run({"street": S2}, own, mine, my_grids)
    assert scope == own and len(notices) == 1
    assert run({"street": S1}, own, mine, my_grids)[0] == Scope("street", S1)  # RLS narrows


def test_notice_in_the_users_language():
    _, _, notices = run({"community": "garbage"})
    assert notices == ("参数 community=garbage 无效，已忽略并使用默认值。",)
    _, _, notices = run({"community": "garbage", "lang": "en"})
    assert notices == ("Parameter community=garbage is not valid; ignored, defaults used.",)


def test_query_params_round_trip():
    filters = parse(
        {"grid": "G1", "from": "2026-09-01", "lang": "en", "mode": "screen"},
        COMMUNITIES,
        GRIDS,
        DISTRICT,
        TODAY,
    )
    params = filters.query_params()
    assert params == {
        "street": S1,
        "community": C1,
        "grid": "G1",
        "from": "2026-09-01",
        "mode": "screen",
        "lang": "en",
    }
    again = parse(params, COMMUNITIES, GRIDS, DISTRICT, TODAY)
    assert again == filters


def test_garbage_is_dropped_from_the_clean_url():
    filters = parse(
        {"community": "garbage", "from": "2024-13-45", "street": S2},
        COMMUNITIES,
        GRIDS,
        DISTRICT,
        TODAY,
    )
    assert filters.query_params() == {"street": S2}
