"""The filter bar, bound to the URL (DESIGN §6): street, community, grid, from, to, asof,
mode, lang. `parse()` is plain Python (unit-tested without Streamlit); `filter_bar()`
draws the sidebar widgets and keeps URL, widgets and the kept filters in step.

A value that is malformed, unknown or outside the user's scope is dropped with a notice
in the user's language and the default used: never an exception, never a wider view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from data_access import Period, Scope
from data_access.frames import lookup
from ui.i18n import LANGUAGES, t

PARAMS = ("street", "community", "grid", "from", "to", "asof", "mode", "lang")
GEOGRAPHY = ("street", "community", "grid")
MODES = ("desk", "screen")
DEFAULT_DAYS = 30
KEPT_KEY = "cockpit_filters"  # the last good URL parameters, re-applied after a page switch
VIEW_KEY = "cockpit_view"  # this run's checked Filters
USER_SCOPE_KEY = "cockpit_user_scope"
WIDGET_PREFIX = "cockpit_f_"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Filters:
    """A checked view: what the page shows and the URL parameters that reopen it."""

    scope: Scope
    period: Period
    notices: tuple[str, ...] = ()
    street: str | None = None
    community: str | None = None
    grid: str | None = None
    start: date | None = None  # as given in the URL (None: default)
    end: date | None = None
    as_of: date | None = None
    mode: str = "desk"
    lang: str = "zh"
    extra: dict = field(default_factory=dict, compare=False)

    def query_params(self) -> dict[str, str]:
        """The canonical URL parameters of this view (only what differs from defaults)."""
        params = {
            "street": self.street,
            "community": self.community,
            "grid": self.grid,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "asof": self.as_of.isoformat() if self.as_of else None,
            "mode": self.mode if self.mode != "desk" else None,
            "lang": self.lang if self.lang != "zh" else None,
        }
        return {key: value for key, value in params.items() if value}


def _single(value) -> str | None:
    """The last value of a parameter given once or several times."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None:
        return None
    return str(value).strip()


def _day(value: str | None) -> date | None:
    if not value or not _DAY.match(value):
        raise ValueError(value)
    return date.fromisoformat(value)


def parse(
    params: Mapping,
    communities: pd.DataFrame,
    grids: pd.DataFrame,
    user_scope: Scope,
    today: date,
) -> Filters:
    """Check URL parameters against the places the user's scope admits.

    `communities` has community_code and street_code, `grids` grid_code and
    community_code: both as the user's scope sees them, so any code not in them is
    either unknown or outside the scope, and is dropped alike.
    """
    raw = {key: _single(params.get(key)) for key in PARAMS}
    problems: list[tuple[str, str, str]] = []  # (notice key, param, value)

    def drop(param: str, key: str = "notice.bad_value") -> None:
        problems.append((key, param, raw[param] or ""))

    lang = raw["lang"] or "zh"
    if lang not in LANGUAGES:
        drop("lang")
        lang = "zh"
    mode = raw["mode"] or "desk"
    if mode not in MODES:
        drop("mode")
        mode = "desk"

    street_of = lookup(communities, "community_code", "street_code")
    community_of_grid = lookup(grids, "grid_code", "community_code")
    street = raw["street"] or None
    community = raw["community"] or None
    grid = raw["grid"] or None
    if street and street not in set(street_of.values()):
        drop("street")
        street = None
    if community and (community not in street_of or (street and street_of[community] != street)):
        drop("community")
        community = None
    if grid and (
        grid not in community_of_grid
        or community_of_grid[grid] not in street_of
        or (community and community_of_grid[grid] != community)
        or (street and street_of[community_of_grid[grid]] != street)
    ):
        drop("grid")
        grid = None
    if grid:
        community = community_of_grid[grid]
    if community:
        street = street_of[community]

    dates: dict[str, date | None] = {}
    for param in ("from", "to", "asof"):
        dates[param] = None
        if raw[param]:
            try:
                dates[param] = _day(raw[param])
            except ValueError:
                drop(param)
    if dates["asof"] and dates["asof"] > today:
        drop("asof")
        dates["asof"] = None
    as_of = dates["asof"] or today
    end = dates["to"] or as_of
    start = dates["from"] or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        problems.append(("notice.bad_range", "from", raw["from"] or ""))
        dates["from"] = dates["to"] = None
        end = as_of
        start = end - timedelta(days=DEFAULT_DAYS - 1)

    if grid:
        scope = Scope("grid", grid)
    elif community:
        scope = Scope("community", community)
    elif street:
        scope = Scope("street", street)
    else:
        scope = user_scope
    notices = tuple(t(key, lang, param=param, value=value) for key, param, value in problems)
    return Filters(
        scope=scope,
        period=Period(start, end, as_of),
        notices=notices,
        street=street,
        community=community,
        grid=grid,
        start=dates["from"],
        end=dates["to"],
        as_of=dates["asof"],
        mode=mode,
        lang=lang,
    )


# -- Streamlit side ---------------------------------------------------------------------
def user_scope() -> Scope:
    """Whose view this is: the signed-in viewer's scope (ui.shell keeps it), which
    bounds every query the page makes."""
    import streamlit as st

    return st.session_state.get(USER_SCOPE_KEY, Scope.district())


def restore_kept() -> None:
    """After a page switch the URL loses its parameters: put the kept filters back."""
    import streamlit as st

    kept = st.session_state.get(KEPT_KEY)
    if kept and not any(key in st.query_params for key in PARAMS):
        st.query_params.update(kept)


def _keep(params: dict[str, str]) -> None:
    import streamlit as st

    st.session_state[KEPT_KEY] = dict(params)
    current = {key: st.query_params.get(key) for key in PARAMS if key in st.query_params}
    if current != params:
        for key in PARAMS:
            if key in st.query_params and key not in params:
                del st.query_params[key]
        st.query_params.update(params)


def check_url() -> Filters:
    """This run's checked view, from the URL; the URL is rewritten to its clean form."""
    import streamlit as st

    from data_access import figures
    from data_access.period import today_local

    scope = user_scope()
    params = {key: st.query_params.get_all(key) for key in PARAMS if key in st.query_params}
    filters = parse(params, figures.communities(scope), _named_grid(params), scope, today_local())
    st.session_state[VIEW_KEY] = filters
    _keep(filters.query_params())
    return filters


def _named_grid(params: Mapping) -> pd.DataFrame:
    """The grids to check a URL's `grid` against: those of its own community (what a
    grid scope admits, bounded by the viewer's session), or none when the URL names no
    grid. Fetching every grid of the viewer's scope instead, on every page, was 36,000
    rows at city scope to check a parameter most URLs do not have."""
    from data_access import figures

    code = _single(params.get("grid"))
    if not code or not Scope.is_code(code):
        return pd.DataFrame({"grid_code": [], "community_code": []})
    return figures.grids(Scope("grid", code))


def current() -> Filters:
    """The checked view of this run (set by app.py before the page runs)."""
    import streamlit as st

    filters = st.session_state.get(VIEW_KEY)
    return filters if filters is not None else check_url()


def _set(changes: dict[str, str | None]) -> None:
    """Apply widget changes to the URL and the kept filters."""
    import streamlit as st

    params = dict(st.session_state.get(KEPT_KEY) or {})
    for key, value in changes.items():
        if value:
            params[key] = value
        else:
            params.pop(key, None)
    _keep(params)


def _on_change(name: str, key: str | None = None) -> None:
    """A filter widget changed: `key` is the widget's own (the phone's top bar draws
    the same filters under other keys), `name` the filter it sets."""
    import streamlit as st

    value = st.session_state.get(key or WIDGET_PREFIX + name) or None  # "" is 全部 (all)
    if name == "street":
        _set({"street": value, "community": None, "grid": None})
    elif name == "community":
        _set({"community": value, "grid": None})
    elif name == "grid":
        _set({"grid": value})
    elif name == "range":
        if isinstance(value, (list, tuple)) and len(value) == 2:
            _set({"from": value[0].isoformat(), "to": value[1].isoformat()})
    elif name == "asof":
        _set({"asof": value.isoformat() if value else None})
    elif name == "lang":
        _set({"lang": value if value != "zh" else None})
    elif name == "mode":
        _set({"mode": value if value != "desk" else None})


def _reset() -> None:
    import streamlit as st

    kept = st.session_state.get(KEPT_KEY) or {}
    _keep({key: kept[key] for key in ("lang", "mode") if key in kept})


def _place_select(
    name: str, label: str, choices: dict[str, str], all_label: str, key: str | None = None
) -> None:
    """A street / community / grid list: "" means all, the rest are codes shown by name."""
    import streamlit as st

    key = key or WIDGET_PREFIX + name
    st.selectbox(
        label,
        ["", *choices],
        format_func=lambda code: all_label if not code else choices[code],
        key=key,
        on_change=_on_change,
        args=(name, key),
    )


def filter_bar(filters: Filters) -> None:
    """The sidebar widgets of the desk mode, showing exactly the checked view."""
    import streamlit as st

    from data_access import figures
    from data_access.period import today_local

    scope = user_scope()
    communities = figures.communities(scope)
    lang = filters.lang
    state = st.session_state
    streets = (
        communities.drop_duplicates("street_code").set_index("street_code")["street_name"].to_dict()
    )
    in_street = communities
    if filters.street:
        in_street = communities[communities["street_code"] == filters.street]
    names = lookup(in_street, "community_code", "community_name")
    # the grid box lists the chosen community's grids only: the view's own scope (a grid
    # scope admits its community's grids, the rows the URL's grid was checked against)
    grid_rows = figures.grids(filters.scope) if filters.community else None

    state[WIDGET_PREFIX + "street"] = filters.street or ""
    state[WIDGET_PREFIX + "community"] = filters.community or ""
    state[WIDGET_PREFIX + "grid"] = filters.grid or ""
    state[WIDGET_PREFIX + "range"] = (filters.period.start, filters.period.end)
    state[WIDGET_PREFIX + "asof"] = filters.period.as_of
    state[WIDGET_PREFIX + "lang"] = lang
    all_label = t("filter.all", lang)

    with st.sidebar:
        st.subheader(t("filter.heading", lang))
        _place_select("street", t("filter.street", lang), streets, all_label)
        _place_select("community", t("filter.community", lang), names, all_label)
        if grid_rows is not None and len(grid_rows):
            _place_select("grid", t("filter.grid", lang), _grid_labels(grid_rows), all_label)
        st.date_input(
            t("filter.period", lang),
            key=WIDGET_PREFIX + "range",
            on_change=_on_change,
            args=("range",),
        )
        st.date_input(
            t("filter.as_of", lang),
            key=WIDGET_PREFIX + "asof",
            on_change=_on_change,
            args=("asof",),
            max_value=today_local(),
        )
        st.segmented_control(
            t("filter.language", lang),
            list(LANGUAGES),
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            key=WIDGET_PREFIX + "lang",
            on_change=_on_change,
            args=("lang",),
        )
        st.button(t("filter.reset", lang), on_click=_reset, key=WIDGET_PREFIX + "reset")


def _grid_labels(grid_rows: pd.DataFrame) -> dict[str, str]:
    return {
        row.grid_code: (row.grid_name if row.level == "grid" else f"· {row.grid_name}")
        for row in grid_rows.itertuples()
    }


PHONE_PREFIX = WIDGET_PREFIX + "phone_"  # the phone's top bar: same filters, own widget keys


def phone_filters(filters: Filters) -> None:
    """The filters a community head uses on a phone (period, grid, as of), in an expander
    at the top of the page (ui.phone shows it under the phone media query only).

    Bound like the sidebar's: each change goes through `_on_change` to the same URL
    parameters and kept filters, and the widgets show exactly the checked view.
    """
    import streamlit as st

    from data_access import figures
    from data_access.period import today_local

    lang = filters.lang
    state = st.session_state
    # a community's grids once the view is a community or a grid (a community head's own
    # scope is one without any URL parameter)
    grid_rows = (
        figures.grids(filters.scope) if filters.scope.kind in ("community", "grid") else None
    )
    grid_name = None
    if grid_rows is not None and filters.grid:
        grid_name = _grid_labels(grid_rows).get(filters.grid, "").lstrip("· ")
    period = filters.period
    summary = f"{period.start:%m-%d}–{period.end:%m-%d}"
    summary += f" · {grid_name}" if grid_name else f" · {t('phone.all_grids', lang)}"
    if filters.as_of:
        summary += f" · {t('phone.as_of', lang, day=f'{period.as_of:%m-%d}')}"

    state[PHONE_PREFIX + "range"] = (period.start, period.end)
    state[PHONE_PREFIX + "grid"] = filters.grid or ""
    state[PHONE_PREFIX + "asof"] = period.as_of
    with st.expander(t("phone.filters", lang, summary=summary)):
        st.date_input(
            t("filter.period", lang),
            key=PHONE_PREFIX + "range",
            on_change=_on_change,
            args=("range", PHONE_PREFIX + "range"),
        )
        if grid_rows is not None and len(grid_rows):
            _place_select(
                "grid",
                t("filter.grid", lang),
                _grid_labels(grid_rows),
                t("filter.all", lang),
                key=PHONE_PREFIX + "grid",
            )
        st.date_input(
            t("filter.as_of", lang),
            key=PHONE_PREFIX + "asof",
            on_change=_on_change,
            args=("asof", PHONE_PREFIX + "asof"),
            max_value=today_local(),
        )
        st.button(t("filter.reset", lang), on_click=_reset, key=PHONE_PREFIX + "reset")


def show_notices(filters: Filters) -> None:
    import streamlit as st

    for notice in filters.notices:
        st.warning(notice)
