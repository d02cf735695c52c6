"""A sign-in that survives a reload and reaches every tab: the browser side of `linkage.accounts.sessions`.

Streamlit talks to a tab over a WebSocket and cannot set a cookie itself (streamlit/streamlit#14730
asks for it); the cookie libraries for Streamlit (extra-streamlit-components' CookieManager,
streamlit-cookies-controller) write `document.cookie` from JavaScript, so their cookies can never be
HttpOnly and any script on the page could read the token. Here the token is set by the server:

1. `remember_sign_in` (the sign-in page) starts a session with a one-time code and keeps the code
   in session state; a tiny inline component (no file, nothing fetched from anywhere) posts it to
   this app's own route `/_linkage/session`, served by `serve.py` through `st.App`;
2. `session_cookie_route` trades the code for the token and answers with
   `Set-Cookie: linkage_session=…; HttpOnly; SameSite=Strict; Path=/` (and `Secure` over https);
3. on every run, `keep_sign_in` signs a fresh tab in from that cookie (`st.context.cookies`, sent
   with the WebSocket's opening request), and checks a signed-in tab's session, so a sign-out in
   another tab, a disabled account or a changed password signs it out at its next interaction.
   That check is the run's one look at the account: it gives the entry script its actor.

Without `serve.py` (a plain `streamlit run streamlit_app.py`) sign-in works as before, for the tab only.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import asdict
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from linkage.accounts import identity, sessions
from linkage.accounts.users import Actor, current_actor
from linkage.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from linkage.store.db import get_engine

ROUTE = "_linkage/session"
SESSION_ID = "sign_in_session"  # session state: the id of this tab's session (not a secret)
HANDOVER = "sign_in_handover"  # session state: the one-time code the browser has yet to trade
SYNCED_LANGUAGE = "sign_in_language"  # session state: the language last stored in the session
TRIED_COOKIE = "sign_in_tried"  # session state: the digest of a cookie that named no session
CLEAR_COOKIE = "sign_in_clear_cookie"
IDENTITY_SPENT = "sign_in_identity_spent"  # session state: this tab's provider sign-in has been ended
AFTER_LOGIN = "after_login"  # session state: the page and query a signed-out visitor asked for, opened once signed in
ACCOUNT_ENDED = "account_ended"  # session state: this tab was signed out because its account was disabled or removed

# Posts the one-time code (or asks for the cookie to be cleared) once per code, whatever the reruns.
# It reports nothing back: an answer would cost a rerun in the middle of the user's next click.
COOKIE_JS = """
export default function (component) {
  const { data } = component;
  if (!data || !data.once) return;
  const sent = (window.__linkageSessionSent = window.__linkageSessionSent || new Set());
  if (sent.has(data.once)) return;
  sent.add(data.once);
  fetch(data.url, { method: data.method, body: data.body, credentials: "same-origin", cache: "no-store" });
}
"""


def route_path() -> str:
    """The cookie route's address under the server's base path (`server.baseUrlPath`)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{ROUTE}" if base else f"/{ROUTE}"


@cache
def _cookie_component() -> Any:
    return st.components.v2.component("linkage_session_cookie", js=COOKIE_JS)


COOKIE_KEY = "session_cookie"  # its element's key: the page's stylesheet gives it no room (ui/words.py)


def _cookie_request(request: dict[str, str] | None) -> None:
    """Have the browser call the cookie route, once per request's `once`. The (invisible) component
    is drawn on every run, asked or not, so nothing on the page moves when a request comes or goes."""
    with st.sidebar:
        _cookie_component()(key=COOKIE_KEY, data=request or {})


def _pending(key: str) -> dict[str, str] | None:
    """A request for the browser still worth asking: one kept in session state until its time is up,
    so that a page switch right after sign-in cannot drop it."""
    request = st.session_state.get(key)
    if request and time.time() < float(request["until"]):
        return {name: value for name, value in request.items() if name != "until"}
    st.session_state.pop(key, None)
    return None


def _lang() -> str:
    return str(st.session_state.get("lang", DEFAULT_LANGUAGE))


def _act_as(held: sessions.SignedIn) -> None:
    st.session_state["actor"] = asdict(held.actor)
    st.session_state[SESSION_ID] = held.session_id


def _forget() -> None:
    for key in ("actor", SESSION_ID, HANDOVER, SYNCED_LANGUAGE):
        st.session_state.pop(key, None)


def identity_provider() -> bool:
    """Whether sign-in through the office's identity provider is offered: `.streamlit/secrets.toml`
    has an `[auth]` section (Streamlit's own OpenID Connect sign-in, `st.login`, needs Authlib)."""
    try:
        return st.secrets.load_if_toml_exists() and "auth" in st.secrets
    except Exception:  # a damaged secrets file: local accounts only, as without one
        return False


def sign_in_with_identity_provider() -> None:
    """Send the browser to the identity provider; it comes back signed in to `st.user`."""
    st.login()


def _from_identity_provider() -> Actor | None:
    """The local account of the person signed in at the identity provider, if there is one."""
    if st.session_state.get(IDENTITY_SPENT) or not identity_provider() or not st.user.get("is_logged_in"):
        return None
    subject, email = st.user.get("sub"), st.user.get("email")
    verified = st.user.get("email_verified")
    who = identity.account_for(
        get_engine(),
        subject=str(subject) if subject else None,
        email=str(email) if email else None,
        email_verified=verified if isinstance(verified, bool) else None,
    )
    if who is None:
        st.sidebar.error(t("app.session.oidc_unknown", _lang()))
    return who


def remember_sign_in(who: Actor) -> None:
    """After a successful sign-in: a session for this browser, kept in an HttpOnly cookie."""
    issued = sessions.hand_over(get_engine(), who.username, language=_lang())
    st.session_state[SESSION_ID] = issued.session_id
    st.session_state[HANDOVER] = {
        "url": route_path(),
        "method": "POST",
        "body": issued.secret,
        "once": sessions.digest(issued.secret)[:16],
        "until": str(time.time() + sessions.HANDOVER.total_seconds()),
    }
    st.session_state[SYNCED_LANGUAGE] = _lang()
    st.session_state.pop(CLEAR_COOKIE, None)


def renew_sign_in(who: Actor) -> None:
    """After users changed their own password: the sessions issued before it no longer hold (their
    other tabs and browsers are signed out), and this tab goes on in a new one, with a new cookie."""
    session_id = st.session_state.pop(SESSION_ID, None)
    if session_id is None:
        return  # signed in for this tab only: nothing was kept
    sessions.end(get_engine(), session_id=int(session_id))
    remember_sign_in(who)


def end_sign_in() -> bool:
    """Sign out: the session ends on the server (for every tab at once) and the cookie is cleared.
    True when the provider's sign-out is on its way: the browser is sent there, and the run that
    called this must end without a rerun, which would drop that redirect before it is sent."""
    session_id = st.session_state.get(SESSION_ID)
    leaving = bool(identity_provider() and st.user.get("is_logged_in"))
    if leaving:
        st.logout()  # or the provider's sign-in would sign this tab in again at once
    if session_id is not None:
        sessions.end(get_engine(), session_id=int(session_id))
        st.session_state[CLEAR_COOKIE] = {
            "url": route_path(),
            "method": "DELETE",
            "body": "",
            "once": f"end-{session_id}",
            "until": str(time.time() + sessions.HANDOVER.total_seconds()),
        }
    _forget()
    return leaving


def keep_sign_in() -> Actor | None:
    """Once per run, before the language switch and the navigation are drawn: who is signed in in
    this tab, as the database has the account now, or None.

    Signs this tab in from the browser's cookie, or out if its session no longer holds or its
    account was disabled or removed; keeps the session's language. One query on the account per
    run (the session's, joined to its account), so a changed role or scope applies at once."""
    who = None
    with suppress(SQLAlchemyError):  # a database not migrated yet: the app says so itself
        who = _keep_sign_in()
    _cookie_request(_pending(HANDOVER) or _pending(CLEAR_COOKIE))
    return who


def _signed_out(username: str) -> None:
    """This tab's session no longer holds: say why, once (its account is gone, or the session ended)."""
    _forget()
    # The provider's sign-in seen when this tab opened must not sign it in again.
    st.session_state[IDENTITY_SPENT] = True
    if current_actor(get_engine(), username) is None:  # asked only on the run that signs out
        st.session_state[ACCOUNT_ENDED] = True
    else:  # signed out in another tab, a new password, or the end of the working day
        st.sidebar.warning(t("app.session.ended", _lang()))


def _keep_sign_in() -> Actor | None:
    session_id = st.session_state.get(SESSION_ID)
    values = st.session_state.get("actor")
    if session_id is not None:
        held = sessions.check(get_engine(), int(session_id))
        if held is None:
            _signed_out(values["username"] if values else "")
            return None
        _act_as(held)  # a changed role or scope applies at once
        if st.session_state.get(SYNCED_LANGUAGE) != _lang():
            sessions.set_language(get_engine(), held.session_id, _lang())
            st.session_state[SYNCED_LANGUAGE] = _lang()
        return held.actor
    if values:  # signed in for this tab only (tests, or a server without the cookie route)
        fresh = current_actor(get_engine(), values["username"])
        if fresh is None:
            _forget()
            st.session_state[ACCOUNT_ENDED] = True
            return None
        st.session_state["actor"] = asdict(fresh)
        return fresh
    token = st.context.cookies.get(sessions.COOKIE)  # AppTest's stand-in client answers with no text
    if isinstance(token, str) and st.session_state.get(TRIED_COOKIE) == sessions.digest(token):
        token = None
    held = sessions.resolve(get_engine(), token) if isinstance(token, str) and token else None
    if held is None:
        if isinstance(token, str) and token:
            st.session_state[TRIED_COOKIE] = sessions.digest(token)  # ask the database once, not every run
        who = _from_identity_provider()
        if who is not None:
            st.session_state["actor"] = asdict(who)
            remember_sign_in(who)
        return who
    _act_as(held)
    if held.language in LANGUAGES:
        st.session_state["lang"] = held.language
    st.session_state[SYNCED_LANGUAGE] = _lang()
    return held.actor


def _cookie_attributes(request: Request) -> dict[str, Any]:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"
    path = route_path().removesuffix(ROUTE).rstrip("/") or "/"
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": path}


DEFAULT_PORTS = {"http": 80, "https": 443}


def _authority(scheme: str, netloc: str) -> str | None:
    """`host[:port]` in lower case, without the scheme's default port; None if it names no host."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


def from_this_site(request: Request) -> bool:
    """Whether a request to the cookie route comes from the app's own pages.

    A page of another site, or of another address of the same site, could otherwise post its own
    one-time code and sign the victim's browser in to the attacker's account (or end its session).
    The browser says who asks: `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the user)
    when sent, and `Origin`, when sent, must name the host the request was sent to (the `Host` header,
    which the proxy passes on as the browser gave it: deploy/nginx.conf). A client that sends neither
    is no browser acting for someone else: it needs the code itself."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin.strip())
    if parts.scheme not in DEFAULT_PORTS or parts.path not in ("", "/") or parts.query or parts.username:
        return False  # `null` (a sandboxed frame, a file, a redirect), or no origin at all
    theirs = _authority(parts.scheme, parts.netloc)
    ours = _authority(parts.scheme, request.headers.get("host", ""))
    return theirs is not None and theirs == ours


async def session_cookie_route(request: Request) -> Response:
    """POST a one-time code: the session's token comes back as an HttpOnly cookie. DELETE: the
    session named by the cookie ends and the cookie is cleared. Nothing else is answered, and
    nothing at all to a request from another site (`from_this_site`): 403, the code left unused."""
    if not from_this_site(request):
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    engine = get_engine()
    answer = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if request.method == "DELETE":
        token = request.cookies.get(sessions.COOKIE)
        if token:
            await run_in_threadpool(sessions.end, engine, None, token)
        answer.delete_cookie(sessions.COOKIE, **_cookie_attributes(request))
        return answer
    code = (await request.body())[:200].decode("ascii", errors="replace")
    token = await run_in_threadpool(sessions.redeem, engine, code)
    if token is None:
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    seconds = int(sessions.LIFETIME.total_seconds())
    answer.set_cookie(sessions.COOKIE, token, max_age=seconds, **_cookie_attributes(request))
    return answer


def routes() -> list[Route]:
    """The cookie route for `st.App` (serve.py), under the configured base path."""
    return [Route(route_path(), session_cookie_route, methods=["POST", "DELETE"])]
