"""The graph page on two maps: units of either map in the picker, found by their old or new
name, a commune of 2025-07 drawn with its chains, and the map in the graph's address."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from linkage.accounts.users import Actor

from .apptest import graph_list, texts
from .helpers import OFFICER_058

App = Callable[..., AppTest]
ADMIN = Actor("quantri", "admin")


def test_a_commune_is_found_by_its_new_name_or_by_the_name_of_a_commune_it_took_in(app: App) -> None:
    at = app(ADMIN, "graph.py")
    at.text_input(key="graph_search").set_value("phong quang").run()
    options = at.selectbox(key="graph_unit").options
    assert "Xã Phong Quang — Tỉnh Thái Nguyên (01849, 2025-07)" in options
    assert not any("2025-01" in o and "Phong Quang" in o for o in options)  # communes of 2025-01 have no graph
    # Xã Dương Quang (01849 of 2025-01) went into the new Xã Phong Quang: its old name finds it too
    at.text_input(key="graph_search").set_value("duong quang").run()
    assert "Xã Phong Quang — Tỉnh Thái Nguyên (01849, 2025-07)" in at.selectbox(key="graph_unit").options


def test_the_graph_of_a_new_commune_draws_its_chains_and_its_address_carries_the_map(app: App) -> None:
    at = app(ADMIN, "graph.py", map="2025-07", unit="01849", as_of="2024-06-30")
    assert at.selectbox(key="graph_unit").value == "2025-07:commune:01849"
    assert dict(at.query_params) in (
        {"map": "2025-07", "unit": "01849", "as_of": "2024-06-30"},
        {"map": ["2025-07"], "unit": ["01849"], "as_of": ["2024-06-30"]},
    )
    # C1 (HTX Dương Quang, in old 01849, whose one candidate is new 01849) leads L1, with buyer B1 and
    # area A1 (in Nông Thượng, drawn as L1's party); nothing else of the fixture lies in the new commune.
    drawn = set(re.findall(r'"id": "([a-z_]+:[^"]+)"', at.get("iframe")[0].proto.srcdoc))
    assert drawn == {"cooperative:C1", "linkage:L1", "buyer:B1", "raw_material_area:A1"}
    assert graph_list(at, "dependence")["Mã"].tolist() == ["B1"]  # B1 behind the only chain


def test_a_link_to_a_district_of_a_map_that_has_none_is_named_and_the_users_own_opens(app: App) -> None:
    at = app(OFFICER_058, "graph.py", map="2025-07", unit="058")
    assert 'Địa chỉ nêu đơn vị "058"' in texts(at)
    assert at.selectbox(key="graph_unit").value == "2025-01:district:058"
    assert at.query_params["map"] in ("2025-01", ["2025-01"])


# A province of 2025-07 is drawn as its overview, its communes the clusters (as a province of 2025-01
# is drawn as its districts). Worked by hand from tests/fixtures/bac_kan, each record of 2025-01 placed
# by the package's table: today C1, C6, P1, P2, P3, A1, A3 are in active linkages (L1, L6, L2, L3, L5);
# C5 is dissolved; A4 lies in Hà Nội; the rest of the old Bắc Kạn's records are in no linkage.


def test_a_province_of_the_new_map_is_drawn_as_its_communes_and_a_click_opens_one(app: App) -> None:
    from vietnam_provinces import Ward

    at = app(ADMIN, "graph.py", map="2025-07", unit="19")
    assert at.selectbox(key="graph_unit").value == "2025-07:province:19"
    assert "Tỉnh của bản đồ 2025-07 vẽ theo xã" in texts(at)
    page = at.get("iframe")[0].proto.srcdoc
    drawn = set(re.findall(r'"id": "district:([^"]+)"', page))
    communes = {f"{int(w.code):05d}" for w in Ward.iter_all() if int(w.province_code) == 19}
    assert drawn == communes  # one cluster per commune of the province, none of another
    assert "data-selectable" in page  # a click writes the unit to the address
    assert "Bấm để mở sơ đồ của xã này." in page and "Bên mua chung của nhiều xã" in page  # its words: communes
    assert "huyện" not in page
    unlinked = graph_list(at, "unlinked")
    assert set(unlinked["Mã"]) == {"C2", "C3", "C4", "C7", "C8", "P4", "A2"}  # the whole province's
    at.query_params["unit"] = "01894"  # what a click on Xã Phúc Lộc writes (the map stays in the address)
    at.run()
    assert at.selectbox(key="graph_unit").value == "2025-07:commune:01894"
    # Phúc Lộc took in Bành Trạch (C4) and Hà Hiệu (C8, A2 of the ended L4); P3 of Bành Trạch is in L5.
    assert set(at.dataframe[0].value["Mã"]) == {"C4", "C8", "A2"}


def test_who_is_in_no_linkage_is_read_when_its_list_is_opened_not_for_the_drawing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.graphs

    read: list[str] = []
    real = ui.graphs.unlinked

    def counted(session: Any, unit: Any, as_of: date, *, actor: Actor) -> Any:
        read.append(unit.code)
        return real(session, unit, as_of, actor=actor)

    monkeypatch.setattr(ui.graphs, "unlinked", counted)
    at = app(ADMIN, "graph.py", map="2025-07", unit="19")
    assert "district:" in at.get("iframe")[0].proto.srcdoc  # the province's overview is drawn
    assert read == []  # its drawing did not wait for the list
    assert set(graph_list(at, "unlinked")["Mã"]) == {"C2", "C3", "C4", "C7", "C8", "P4", "A2"}
    assert read == ["19"]


def test_choosing_on_the_map_draws_the_ground_graph_of_the_same_function_and_the_address_keeps_it(
    app: App, database: str
) -> None:
    from linkage.actor import SYSTEM
    from linkage.graphs.graph import build_graph
    from linkage.graphs.ground import ground_layout
    from linkage.store.db import get_engine, read_session

    at = app(ADMIN, "graph.py", map="2025-01", unit="058", as_of="2025-12-31")
    radio = at.radio(key="graph_layout")
    assert radio.value == "chains" and radio.options == ["Chuỗi liên kết", "Trên bản đồ"]
    chains = at.get("iframe")[0].proto.srcdoc
    radio.set_value("map").run()
    assert not at.exception
    page = at.get("iframe")[0].proto.srcdoc
    assert '"physics": {"enabled": false}' in page and "data-selectable" in page  # a click still picks
    with read_session(get_engine(database)) as session:
        graph = build_graph(session, "058", date(2025, 12, 31), actor=SYSTEM)
    laid = ground_layout(graph)
    point = re.compile(r'"id": "([^"]+)"[^{}]*?"x": (-?\d+), "y": (-?\d+)')
    drawn = {m[0]: (int(m[1]), int(m[2])) for m in point.findall(page)}
    assert drawn and drawn == {n: (round(s.x), round(s.y)) for n, s in laid.spots.items()}
    as_chains = {m[0]: (int(m[1]), int(m[2])) for m in point.findall(chains)}
    assert as_chains.keys() >= drawn.keys() and all(as_chains[n] != drawn[n] for n in drawn)  # each elsewhere
    assert "Mỗi bản ghi ở điểm của xã mình" in texts(at)
    assert at.query_params["layout"] in ("map", ["map"])
    at.query_params["layout"] = "spiral"  # a hand-typed address: named, and the chains drawn
    at.run()
    assert 'Địa chỉ nêu cách vẽ "spiral"' in texts(at) and at.radio(key="graph_layout").value == "chains"


def test_a_province_on_the_map_is_drawn_whole_on_the_ground_not_as_its_overview(app: App) -> None:
    at = app(ADMIN, "graph.py", map="2025-07", unit="19", as_of="2025-12-31", layout="map")
    assert at.radio(key="graph_layout").value == "map"
    page = at.get("iframe")[0].proto.srcdoc
    assert '"physics": {"enabled": false}' in page and '"id": "district:' not in page
    assert '"id": "linkage:L1"' in page  # C1's chain, at its commune's point


def test_a_link_with_a_short_code_naming_several_units_offers_each_that_has_a_graph(app: App) -> None:
    """`?map=2025-07&unit=1864`: Xã Bằng Thành (01864) today, Xã Bộc Bố (01864) of 2025-01, a commune of
    a map whose graphs are drawn for districts. No unit is guessed; the one with a graph is a button."""
    at = app(ADMIN, "graph.py", map="2025-07", unit="1864")
    warned = re.sub(r"\\(.)", r"\1", "\n".join(w.value for w in at.warning))
    assert "Xã Bằng Thành, Tỉnh Thái Nguyên (01864, 2025-07)" in warned and "Xã Bộc Bố" in warned
    labels = [b.label for b in at.button]
    assert "Xã Bằng Thành, Tỉnh Thái Nguyên (01864, 2025-07)" in labels
    assert not any("Bộc Bố" in label for label in labels)  # a commune of 2025-01 has no graph of its own
    assert at.selectbox(key="graph_unit").value != "2025-07:commune:01864"  # not guessed
    next(b for b in at.button if b.label.startswith("Xã Bằng Thành")).click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="graph_unit").value == "2025-07:commune:01864"
    assert at.query_params["unit"] in ("01864", ["01864"]) and not at.warning
