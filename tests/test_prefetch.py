"""The files of Streamlit's element code the browser loads ahead (ui/prefetch.py)."""

from __future__ import annotations

from pathlib import Path

from ui.prefetch import ELEMENTS, chunk_files


def test_every_element_the_pages_show_has_its_file_in_the_installed_streamlit() -> None:
    """A Streamlit that names its files otherwise would silently load nothing ahead: this says so."""
    files = chunk_files()
    assert [name.split(".")[0] for name in files] == list(ELEMENTS)
    folder = Path(__import__("streamlit").__file__).parent / "static" / "static" / "js"
    assert all((folder / name).is_file() for name in files)


def test_files_are_picked_by_name_and_hash_in_the_order_pages_need_them(tmp_path: Path) -> None:
    for name in [
        "DataFrame.-f9-1zS0.js",
        "DataFrame.DUkanX9_.css",  # a stylesheet: the page loads it itself
        "Metric.MSVuxtnf.js",
        "MetricExtra.MSVuxtnf.js",  # another name that starts alike
        "Metric.js",  # no hash: not one of Streamlit's built files
        "embed.CX5AQgxi.js",
        "PlotlyChart.D9Z0_fxz.js",  # not shown by any page
    ]:
        (tmp_path / name).write_text("")
    assert chunk_files(tmp_path) == ("Metric.MSVuxtnf.js", "embed.CX5AQgxi.js", "DataFrame.-f9-1zS0.js")
