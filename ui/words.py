"""Streamlit's own words that no option or widget parameter sets, shown in the session's language.

Streamlit 1.67 writes a few texts of its own in English only: the file uploader's button
("Upload") and size line ("100MB per file • CSV, XLSX"), "No results" in a select box that
matches nothing typed, "Stop" beside the running status, and a menu of English items. A small
stylesheet, shipped with the page (nothing fetched), replaces each text inside the element
Streamlit marks with a `data-testid` or an ARIA role, and hides the menu. If a Streamlit release
renames those, the rule matches nothing and the English text comes back unchanged — nothing
breaks, and `tests/browser/test_words.py` says which text returned.

What options can set is set where it belongs: `.streamlit/config.toml` (`client.showErrorLinks`),
widget parameters (`placeholder`, `format`, `select_all`).
"""

from __future__ import annotations

import streamlit as st

from linkage.i18n import t
from ui.prefetch import KEY as PREFETCH_KEY
from ui.signin import COOKIE_KEY

# (element whose own text is replaced, catalog key of the replacement)
REPLACED = (
    (
        '[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] '
        '[data-testid="stMarkdownContainer"] p',
        "app.streamlit.upload",
    ),
    ('[data-testid="stFileUploaderDropzoneInstructions"] span', "app.streamlit.upload_limit"),
    # a listbox's option that is its direct child is the "No results" line: real options sit in
    # the virtual list's positioned wrappers
    ('[data-testid$="Dropdown"] [role="listbox"] > [role="option"] > span', "app.streamlit.no_results"),
    ('[data-testid="stStatusWidget"] button[data-testid="stBaseButton-header"]', "app.streamlit.stop"),
    # "Press Enter to apply" under a text box; in a form that Enter submits (sign-in), "… to submit form"
    ('[data-testid="InputInstructions"]', "app.polish.enter_to_apply"),
    ('[data-testid="stForm"] [data-testid="InputInstructions"]', "app.polish.enter_to_submit"),
)
# The menu holds only Streamlit's English items (themes, Print, Record screen) and nothing of ours;
# `client.toolbarMode = "minimal"` would hide it but also the "running" status, so it is hidden here.
# The prefetcher (ui/prefetch.py) and the sign-in's cookie request (ui/signin.py) draw nothing: their
# elements take no gap in the sidebar either.
HIDDEN = ('[data-testid="stMainMenu"]', f".st-key-{PREFETCH_KEY}", f".st-key-{COOKIE_KEY}")
# On a phone (a screen about 390 px wide) tabs wrap onto a second line instead of scrolling out of
# sight with their labels cut, and a chart drawn wider than the screen (the map of gaps, which keeps its true
# shape) is scaled down to fit; nothing changes on a wider screen. Layout rules with no Streamlit option.
PHONE = """@media (max-width: 640px) {
  [data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow: visible; row-gap: 0.25rem; }
  [data-testid="stTabsScrollLeft"], [data-testid="stTabsScrollRight"] { display: none; }
  [data-testid="stVegaLiteChart"] svg.marks { max-width: 100%; height: auto; }
}"""


def css_string(text: str) -> str:
    """`text` as a CSS string literal that cannot end the string, the rule or the <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,;:–—…%()" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def stylesheet(lang: str) -> str:
    """The rules that put the catalog's words in place of Streamlit's, for language `lang`."""
    limit = st.get_option("server.maxUploadSize")  # MB, what the uploader itself refuses above
    rules = []
    for selector, key in REPLACED:
        words = css_string(t(key, lang, size=limit))
        rules.append(f"{selector} {{ font-size: 0; }}")
        rules.append(f"{selector}::after {{ content: {words}; font-size: 0.875rem; }}")
    rules += [f"{selector} {{ display: none; }}" for selector in HIDDEN]
    return "\n".join([*rules, PHONE])


def show_streamlit_words(lang: str) -> None:
    """Add the stylesheet to the page (style only: Streamlit gives it no room on the screen)."""
    st.html(f"<style>\n{stylesheet(lang)}\n</style>")
