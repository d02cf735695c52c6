"""The address a browser signs in from, for the sign-in throttle (linkage/accounts/users.py)."""

from __future__ import annotations

import streamlit as st


def client_address() -> str | None:
    """The browser's address. Streamlit gives none for a connection from this machine: that is the
    proxy of docs/deploy.md (deploy/nginx.conf), which names the browser in `X-Real-IP`, or someone
    at the server itself (`local`). A header is trusted only from this machine: a browser elsewhere
    cannot choose the address it is counted under."""
    direct = st.context.ip_address
    if direct:
        return str(direct)
    forwarded = st.context.headers.get("X-Real-IP", "").strip()
    return forwarded[:48] or "local"
