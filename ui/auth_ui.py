"""Who is looking: the sign-in page, the session cookie that survives a reload, the
wall-screen token in the URL, and the sign-out button. The checks themselves live in
the warehouse (data_access.auth); this module only asks and remembers."""

from __future__ import annotations

import json

import streamlit as st

from data_access import Scope, auth
from data_access.runner import WarehouseUnavailable, fetch
from ui.i18n import t

VIEWER_KEY = "cockpit_viewer"
COOKIE = "cockpit_session"
REFUSED_KEY = "cockpit_sign_in_refused"  # why the sign-in page is shown again


def _set_cookie(token: str, max_age: int) -> None:
    # st.context.cookies can read it on the next visit; only JavaScript can write it.
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; path=/; max-age={max_age};"
        f" SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


def current_viewer() -> auth.Viewer | None:
    """The viewer of this session: remembered, from a screen token, or from the cookie."""
    viewer = _still_allowed(st.session_state.get(VIEWER_KEY))
    token = st.query_params.get("token")
    if viewer is None and token:
        viewer = auth.use_screen_token(token)
        if viewer is None:
            st.error(t("auth.token_refused"))
    if viewer is None:
        cookie = st.context.cookies.get(COOKIE) if st.context.cookies else None
        if cookie:
            viewer = auth.resume(cookie)
    if viewer is None and single_sign_on_configured():
        viewer = _viewer_from_identity_provider()
    if viewer is not None:
        st.session_state[VIEWER_KEY] = viewer
        st.session_state.pop(REFUSED_KEY, None)
    auth.set_current_viewer(viewer)
    return viewer


def _still_allowed(viewer: auth.Viewer | None) -> auth.Viewer | None:
    """The remembered viewer, if its session or token still opens its scope. Checked at
    every full rerun: the figures a page keeps while the warehouse is unchanged must not
    outlive the session that fetched them. An ended session is forgotten (the cookie or
    the token then gets its chance, as on a reload); an unreachable warehouse cannot
    say, so the viewer is kept and the page shows its stale-figures notice."""
    if viewer is None:
        return None
    try:
        allowed = auth.still_allowed(viewer)
    except WarehouseUnavailable:
        return viewer
    if allowed:
        return viewer
    st.session_state.pop(VIEWER_KEY, None)
    if not viewer.is_screen:
        st.session_state[REFUSED_KEY] = "ended"
    return None


def _demo_accounts() -> list[dict]:
    meta = fetch("warehouse_meta_value", Scope.district(), key="demo_accounts")
    if meta.empty:
        return []
    value = meta.iloc[0]["value"]
    return value if isinstance(value, list) else json.loads(value)


def single_sign_on_configured() -> bool:
    """An [auth] OIDC provider in .streamlit/secrets.toml (see secrets.toml.example)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _viewer_from_identity_provider() -> auth.Viewer | None:
    """After st.login: the account whose e-mail the provider vouched for, if any."""
    try:
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email")
    except Exception:  # provider misconfigured: fall back to the password form
        return None
    if not email:
        return None
    result = auth.sign_in_sso(str(email))
    if result.viewer is None:
        st.session_state[REFUSED_KEY] = result.reason
        return None
    st.session_state["cockpit_new_session_token"] = result.token
    return result.viewer


def _attempt_sign_in() -> None:
    # A callback: it runs before the script does, so the outcome survives any rerun.
    result = auth.sign_in(
        st.session_state.get("cockpit_sign_in_user", "").strip(),
        st.session_state.get("cockpit_sign_in_pw", ""),
    )
    if result.viewer is None:
        st.session_state[REFUSED_KEY] = result.reason
        return
    st.session_state.pop(REFUSED_KEY, None)
    st.session_state[VIEWER_KEY] = result.viewer
    st.session_state["cockpit_new_session_token"] = result.token


def remember_session() -> None:
    """After a sign-in, hand the session token to the browser as a cookie (once)."""
    token = st.session_state.pop("cockpit_new_session_token", None)
    if token:
        _set_cookie(token, auth.SESSION_HOURS * 3600)


def sign_in_page() -> None:
    """The form; on success the callback remembers the viewer and the app reruns."""
    st.title(t("app.title"))
    left, _ = st.columns([2, 3])
    with left.container(border=True):
        st.subheader(t("auth.heading"))
        st.text_input(t("auth.username"), key="cockpit_sign_in_user")
        st.text_input(t("auth.password"), type="password", key="cockpit_sign_in_pw")
        st.button(
            t("auth.submit"),
            type="primary",
            key="cockpit_sign_in_submit",
            on_click=_attempt_sign_in,
        )
    if single_sign_on_configured() and left.button(t("auth.sso"), key="cockpit_sso"):
        st.login()
    refused = st.session_state.get(REFUSED_KEY)
    if refused:
        left.error(t(f"auth.refused.{refused}"))
    demo = _demo_accounts()
    if demo:
        left.info(t("auth.demo_intro"))
        left.table(
            {
                t("auth.username"): [a["username"] for a in demo],
                t("auth.password"): [a["password"] for a in demo],
                t("auth.account"): [a["display_name"] for a in demo],
            }
        )


def _sign_out() -> None:
    viewer = st.session_state.pop(VIEWER_KEY, None)
    if viewer is not None:
        auth.sign_out(viewer)
    auth.set_current_viewer(None)
    st.session_state["cockpit_signed_out"] = True


def sign_out_button(viewer: auth.Viewer) -> None:
    if viewer.is_screen:
        return
    st.sidebar.caption(t("auth.signed_in_as", name=viewer.display_name))
    st.sidebar.button(t("auth.sign_out"), key="cockpit_sign_out", on_click=_sign_out)


def forget_cookie_after_sign_out() -> None:
    if st.session_state.pop("cockpit_signed_out", False):
        _set_cookie("", 0)
