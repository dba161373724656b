"""Every named query parses, is documented, and declares exactly the parameters the
data_access code binds — checked without a database."""

import re

import pytest

from data_access.period import Period
from sqlfiles import all_queries, parse

PERIOD_PARAMS = set(Period.last_days(30).params())


def test_parse_reads_names_docs_and_params():
    source = (
        "-- header comment\n\n-- name: first\n-- One row.\n-- Second line.\n"
        "SELECT x::date FROM t WHERE a = :alpha AND b = ':not_a_param';\n\n"
        "-- name: second\nSELECT 1\n"
    )
    queries = parse(source, "demo")
    assert list(queries) == ["first", "second"]
    assert queries["first"].doc == "One row. Second line."
    assert queries["first"].params == {"alpha"}
    assert queries["second"].params == set()


def test_duplicate_names_are_refused():
    with pytest.raises(ValueError, match="defined twice"):
        parse("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;", "demo")


@pytest.mark.parametrize("name", sorted(all_queries()))
def test_every_query_is_documented_and_bindable(name):
    named = all_queries()[name]
    assert named.doc, f"{name} has no doc comment"
    assert not re.search(r"\{[a-z_]*\}", named.sql), "no format placeholders in SQL"
    allowed = PERIOD_PARAMS | {"grid_code", "community_code", "incident_id", "limit", "key"}
    allowed |= {"scope_codes"}  # filled in by data_access.runner (migration 019)
    allowed |= {"warning_hours", "escalate_days"}  # the 督办 ladder (config/alerts.toml)
    # the kept whole-city results' store (data_access/kept.py, runner)
    allowed |= {"query_name", "params_key", "params", "live_day", "now", "known_id"}
    allowed |= {"computed_for", "snapshot", "payload"}
    assert named.params <= allowed, f"{name} binds unknown parameters {named.params - allowed}"


# Queries that read every community on purpose, and why.
WHOLE_WAREHOUSE = {
    "orphans": "cockpit check, run by the owner over the whole warehouse",
    "rollups_equal_facts": "cockpit check, run by the owner over the whole warehouse",
    "area_rollups_equal": "cockpit check, run by the owner over the whole warehouse",
    "balances_equal_entries": "cockpit check, run by the owner over the whole warehouse",
    "last_earnings_equal": "cockpit check, run by the owner over the whole warehouse",
    "rollups_current": "cockpit check: counts pending community-days, no resident's row",
    "rollup_lag": "数据状态: counts pending community-days (the view rollup_pending)",
}
# the fact, rollup and ledger tables, and the view of when incidents were open (migration 040)
COMMUNITY_ROWS = re.compile(r"\b(?:(?:fact|rollup|ledger)_\w+|incident_open_spans)\b")
SCOPING_FUNCTIONS = ("alerts_at",)


@pytest.mark.parametrize("name", sorted(all_queries()))
def test_every_query_over_community_rows_names_the_communities_it_wants(name):
    # The policies keep every query in its scope whatever it says. Naming the scope's
    # communities (in_scope_codes with :scope_codes, migration 019) or one community's
    # key is what lets an index find a street's rows instead of the policy filtering
    # the city's: a query that forgets is right, and slow at city scale.
    sql = all_queries()[name].sql
    if name in WHOLE_WAREHOUSE or not COMMUNITY_ROWS.search(sql):
        return
    # alerts_at (migration 036) applies in_scope_codes to the codes it is given
    told = any(f"{fn}(" in sql for fn in SCOPING_FUNCTIONS) and ":scope_codes" in sql
    assert "in_scope_codes(" in sql or told or "community_code = :community_code" in sql, name
