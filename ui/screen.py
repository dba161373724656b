"""The big screen's frame (大屏, `?mode=screen&token=…`): a bar with the clock, the
data's as-of time, a stale warning and a heartbeat; the page's figures re-read on a
timer; and a rotation through the playlist of config/screen_playlist.toml, each stop
with its own filters.

One `st.fragment(run_every=tick)` drives it all. Each tick redraws only the bar
(clock, heartbeat, as-of); every `refresh` seconds it reruns the app, which redraws
the page in place from the shared query cache (data_access.runner: one query per
(query, parameters, scope, viewer scope) per TTL, however many screens); after a
stop's dwell it switches to the next stop's page and filters, keeping the token and
the mode in the URL so a reload of the wall screen lands where it was.

Nothing grows with time: the state is one small dict in the session.
"""

from __future__ import annotations

import html
import os
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

from data_access import WarehouseUnavailable, auth
from data_access import status as warehouse_status
from data_access.period import LOCAL
from ui.auth_ui import VIEWER_KEY
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
PLAYLIST_ENV = "COCKPIT_SCREEN_PLAYLIST"
REFRESH_ENV = "COCKPIT_SCREEN_REFRESH_S"
DEFAULT_PLAYLIST = ROOT / "config" / "screen_playlist.toml"
STATE_KEY = "cockpit_screen_state"

# DESIGN §6 page paths -> the scripts app.py navigates to.
PAGE_SCRIPTS = {
    "/": "pages/overview.py",
    "/map": "pages/map.py",
    "/incidents": "pages/incidents.py",
    "/services": "pages/services.py",
    "/points": "pages/points.py",
    "/community": "pages/community.py",
    "/alerts": "pages/alerts.py",
    "/status": "pages/status.py",
}
STOP_FILTERS = ("street", "community", "grid", "from", "to", "asof")
# Tables whose newest row is "the data's time" (rollups are bookkeeping, not data).
DATA_TABLES = ("fact_incident", "fact_incident_status_log", "fact_service_visit", "ledger_journal")
# A frozen page: the browser turns the bar red when no tick arrived for this many ticks
# (and at least this many seconds, so a slow page load is not called frozen).
FROZEN_AFTER_TICKS = 3
FROZEN_AFTER_MIN_S = 30

_FULL_RUN = threading.local()


class PlaylistError(ValueError):
    """The playlist file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Stop:
    """One page of the rotation, with its own filters."""

    path: str
    params: dict = field(default_factory=dict)
    dwell_seconds: int = 30

    @property
    def script(self) -> str:
        return PAGE_SCRIPTS[self.path]

    @property
    def page_name(self) -> str:
        """app.py's url_path of the page ("overview" for /)."""
        return Path(self.script).stem


@dataclass(frozen=True)
class Settings:
    stops: tuple[Stop, ...]
    refresh_seconds: int = 30
    tick_seconds: int = 10
    stale_after: timedelta = timedelta(minutes=180)

    @property
    def tick(self) -> int:
        """How often the bar redraws: never slower than a refresh or the shortest dwell."""
        shortest = min((stop.dwell_seconds for stop in self.stops), default=self.tick_seconds)
        return max(1, min(self.tick_seconds, self.refresh_seconds, shortest))


def playlist_path() -> Path:
    return Path(os.environ.get(PLAYLIST_ENV) or DEFAULT_PLAYLIST)


def settings() -> Settings:
    path = playlist_path()
    try:
        stamp = path.stat().st_mtime
    except OSError as error:
        raise PlaylistError(f"{path}: cannot be read ({error})") from error
    loaded = _load(str(path), stamp)
    refresh = os.environ.get(REFRESH_ENV)
    if refresh:
        loaded = Settings(
            loaded.stops, max(1, int(refresh)), loaded.tick_seconds, loaded.stale_after
        )
    return loaded


@cache
def _load(path: str, mtime: float) -> Settings:
    # Keyed by modification time: an edited playlist is picked up without a restart.
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return parse_playlist(data, path)


def parse_playlist(data: dict, where: str = "playlist") -> Settings:
    screen = data.get("screen", {})
    stops = []
    for number, page in enumerate(data.get("page", []), start=1):
        path = page.get("path")
        if path not in PAGE_SCRIPTS:
            raise PlaylistError(f"{where}: page {number}: unknown path {path!r}")
        unknown = set(page) - {"path", "dwell_seconds", *STOP_FILTERS}
        if unknown:
            raise PlaylistError(f"{where}: page {number}: unknown keys {sorted(unknown)}")
        dwell = int(page.get("dwell_seconds", 30))
        if dwell < 1:
            raise PlaylistError(f"{where}: page {number}: dwell_seconds must be positive")
        params = {key: str(page[key]) for key in STOP_FILTERS if key in page}
        stops.append(Stop(path, params, dwell))
    if not stops:
        raise PlaylistError(f"{where}: no [[page]]")
    return Settings(
        tuple(stops),
        int(screen.get("refresh_seconds", 30)),
        int(screen.get("tick_seconds", 10)),
        timedelta(minutes=float(screen.get("stale_after_minutes", 180))),
    )


# -- plain decisions (unit-testable) ---------------------------------------------------
def _place(params: dict) -> tuple[str, str | None]:
    """The narrowest place a set of filters names (a community implies its street)."""
    for key in ("grid", "community", "street"):
        if params.get(key):
            return key, params[key]
    return "district", None


def matching_stop(stops, page_name: str, params: dict) -> int | None:
    """The playlist stop showing this page with these filters, if any."""
    for index, stop in enumerate(stops):
        if stop.page_name != page_name or _place(stop.params) != _place(params):
            continue
        if all(stop.params.get(key) == params.get(key) for key in ("from", "to", "asof")):
            return index
    return None


def newest_data(tables: pd.DataFrame, now: datetime) -> datetime | None:
    """The newest event time of the data tables (bookings are not counted, see
    migration 010), never later than now: events dated ahead of the clock (a demo
    generated up to 20:00 of today) say the data is current, not from the future."""
    rows = tables[tables["table_name"].isin(DATA_TABLES)]
    times = [
        pd.Timestamp(value) for value in rows["newest"] if value is not None and pd.notna(value)
    ]
    times = [
        stamp.tz_convert(LOCAL) if stamp.tzinfo else stamp.tz_localize(LOCAL) for stamp in times
    ]
    return min(max(times), pd.Timestamp(now)).to_pydatetime() if times else None


def age_text(seconds: float, lang: str | None = None) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return t("screen.age.minutes", lang, n=minutes)
    if minutes < 48 * 60:
        return t("screen.age.hours", lang, n=minutes // 60)
    return t("screen.age.days", lang, n=minutes // (24 * 60))


# -- the frame ---------------------------------------------------------------------------
def _state() -> dict:
    state = st.session_state.get(STATE_KEY)
    if state is None:
        state = {"stop": None, "since": time.time(), "beats": 0, "refreshed": time.time()}
        st.session_state[STATE_KEY] = state
    return state


def run_frame(page, view) -> None:
    """Draw the bar and start the timer; called by ui/shell.py before the page runs."""
    config = settings()
    state = _state()
    now = time.time()
    here = matching_stop(config.stops, page.url_path or "overview", view.query_params())
    if here is not None and here != state["stop"]:
        state["stop"], state["since"] = here, now
    state["refreshed"] = now
    state["beats"] += 1
    _FULL_RUN.active = True
    try:
        st.fragment(_tick, run_every=config.tick)(page.title, view.lang)
    finally:
        _FULL_RUN.active = False


def _tick(title: str, lang: str) -> None:
    config = settings()
    state = _state()
    now = time.time()
    if not getattr(_FULL_RUN, "active", False):
        # A timer rerun: the full script (and ui/shell's sign-in) did not run.
        auth.set_current_viewer(st.session_state.get(VIEWER_KEY))
        state["beats"] += 1
        current = state["stop"]
        dwell = config.stops[current if current is not None else 0].dwell_seconds
        moves = len(config.stops) > 1 or current is None
        if moves and now - state["since"] >= dwell:
            _go(config, (current + 1) % len(config.stops) if current is not None else 0, lang)
        if now - state["refreshed"] >= config.refresh_seconds:
            st.rerun()
    st.html(_bar(config, state, title, now, lang), unsafe_allow_javascript=True)


def _go(config: Settings, index: int, lang: str) -> None:
    stop = config.stops[index]
    state = _state()
    state["stop"], state["since"] = index, time.time()
    params = {**stop.params, "mode": "screen"}
    if lang != "zh":
        params["lang"] = lang
    token = st.query_params.get("token")
    if token:
        params["token"] = token  # a reload of the wall screen must still open
    st.switch_page(stop.script, query_params=params)


def _bar(config: Settings, state: dict, title: str, now: float, lang: str) -> str:
    moment = datetime.fromtimestamp(now, LOCAL)
    parts = [
        f'<div class="csb-title">{html.escape(t("app.title", lang))} · {html.escape(title)}</div>'
    ]
    try:
        from ui.filters import user_scope

        newest = newest_data(warehouse_status.table_status(user_scope()), moment)
        down = warehouse_status.health()["down"]
    except WarehouseUnavailable:
        newest, down = None, True
    if newest is None:
        parts.append(f'<div class="csb-asof">{html.escape(t("screen.as_of_unknown", lang))}</div>')
    else:
        shown = newest.astimezone(LOCAL).strftime("%m-%d %H:%M")
        parts.append(
            f'<div class="csb-asof" data-testid="screenAsOf">'
            f"{html.escape(t('screen.as_of', lang, time=shown))}</div>"
        )
        age = (moment - newest).total_seconds()
        if age > config.stale_after.total_seconds():
            parts.append(
                f'<div class="csb-stale" data-testid="screenStale">'
                f"{html.escape(t('screen.stale', lang, age=age_text(age, lang)))}</div>"
            )
    if down:
        parts.append(f'<div class="csb-stale">{html.escape(t("screen.down", lang))}</div>')
    if len(config.stops) > 1 and state["stop"] is not None:
        following = config.stops[(state["stop"] + 1) % len(config.stops)]
        left = max(0, round(config.stops[state["stop"]].dwell_seconds - (now - state["since"])))
        parts.append(
            '<div class="csb-next">'
            + html.escape(
                t(
                    "screen.next",
                    lang,
                    index=state["stop"] + 1,
                    count=len(config.stops),
                    title=t(f"page.{following.page_name}", lang),
                    seconds=left,
                )
            )
            + "</div>"
        )
    frozen_after = max(config.tick * FROZEN_AFTER_TICKS, FROZEN_AFTER_MIN_S)
    beat = t("screen.heartbeat", lang, beats=state["beats"], time=moment.strftime("%H:%M:%S"))
    parts.append(
        f'<div class="csb-beat" data-testid="screenHeartbeat" data-at="{int(now * 1000)}"'
        f' data-frozen-after="{frozen_after * 1000}">{html.escape(beat)}</div>'
    )
    parts.append(f'<div class="csb-clock" data-testid="screenClock">{moment:%H:%M}</div>')
    return f'<div class="csb-bar" data-testid="screenBar">{"".join(parts)}</div>{_FROZEN_WATCH}'


# In the browser, so that it keeps counting when the server or the connection is gone:
# one interval per page (guarded), reading the newest heartbeat's time from the DOM.
_FROZEN_WATCH = """<script>
if (!window.cockpitFrozenWatch) {
  window.cockpitFrozenWatch = setInterval(function () {
    var beat = document.querySelector('.csb-beat[data-at]');
    if (!beat) return;
    var bar = beat.closest('.csb-bar');
    var late = Date.now() - Number(beat.getAttribute('data-at'));
    var frozen = late > Number(beat.getAttribute('data-frozen-after'));
    if (bar) bar.classList.toggle('csb-frozen', frozen);
  }, 1000);
}
</script>"""


# -- compact building blocks for the screen branches of the pages ------------------------
def table(frame: pd.DataFrame, max_rows: int | None = None, testid: str = "screenTable") -> None:
    """A dark table sized in rem (scales with the screen), unlike the data grid."""
    shown = frame.head(max_rows) if max_rows else frame
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    st.html(
        f'<table class="screen-table" data-testid="{testid}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
