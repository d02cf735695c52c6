"""Linkage Tracker as served: `streamlit run serve.py` (tasks.py app, docs/deploy.md).

The app itself is `streamlit_app.py`; this adds the one HTTP route Streamlit lacks, the one that
puts a signed-in browser's session token into an HttpOnly cookie (ui/signin.py), a start-up that
prepares what the first pages need before the server answers (ui/startup.py), and the security
headers of every answer (ui/headers.py).
"""

import logging
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui import script_error
from ui.headers import SecurityHeaders
from ui.signin import routes
from ui.startup import lifespan

# Our own log lines (an unexpected error's reference and traceback: ui.navigation_run, ui.script_error) on the
# server's standard error, dated like Streamlit's; Streamlit's own loggers keep their handler.
logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = st.App(
    Path(__file__).parent / "streamlit_app.py",
    routes=routes(),
    lifespan=lifespan,
    middleware=[Middleware(SecurityHeaders)],  # no framing by other sites, nosniff, metrics closed (ui/headers.py)
    # An error outside a page (the entry script, a widget's callback): a plain message and a
    # reference, as inside one (ui.navigation_run); `client.showErrorDetails = "none"` is the net below.
    on_script_error=script_error,
)
