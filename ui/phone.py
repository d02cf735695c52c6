"""The layout on a phone (a screen about 390 px wide): rules Streamlit has no option for, shipped with
the page as a small stylesheet (nothing fetched). Tabs wrap onto a second line instead of scrolling
out of sight with their labels cut; nothing else changes on a wider screen."""

from __future__ import annotations

import streamlit as st

PHONE = """
@media (max-width: 640px) {
  [data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow: visible; row-gap: 0.25rem; }
  [data-testid="stTabsScrollLeft"], [data-testid="stTabsScrollRight"] { display: none; }
}
"""


def show_phone_layout() -> None:
    """Add the phone rules to the page (style only: Streamlit gives it no room on the screen)."""
    st.html(f"<style>{PHONE}</style>")
