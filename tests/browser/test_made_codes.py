"""A cooperative never invents a code, in real headless Chromium on a phone's screen (390×844) on the
province demo: a new member and a new raw material area are saved with the code left empty and get
one the program makes, and a buyer joins a linkage by being chosen by name among the parties (typed to
search, its code shown beside), each read back from the database afterwards."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from linkage.store.db import get_engine

from .conftest import PHONE, WAIT, ProvinceApp, Watched, settled, sign_in_as

pytestmark = pytest.mark.browser


def test_on_a_phone_a_cooperative_adds_a_member_and_an_area_without_a_code_and_a_buyer_by_name(
    province_app: ProvinceApp, phone: Watched
) -> None:
    page, watched, demo = phone.page, phone, province_app
    assert page.viewport_size == PHONE
    account = demo.accounts["htx.demo"]
    engine = get_engine(demo.url)
    sign_in_as(page, demo, account.username)
    page.goto(f"{demo.base}/my_cooperative")
    settled(page)

    page.get_by_role("tab", name="Thành viên").click()
    made_here = page.get_by_label("Mã (để trống: chương trình tự đặt mã)")
    form = page.get_by_test_id("stForm").filter(has=made_here).locator("visible=true")  # the open tab's
    expect(form).to_have_count(1, timeout=WAIT)
    expect(form.get_by_label("Mã *")).to_have_count(0)  # the new member's form does not ask it to invent one
    form.get_by_label("Tên *").fill("Hộ Y Thu Niê")
    commune = form.get_by_test_id("stSelectbox").filter(has_text="Xã, phường (bản đồ từ 01/07/2025)").locator("input")
    page.mouse.wheel(0, 400)  # room below the field for its list
    commune.click()
    commune.fill("Ea")
    expect(page.get_by_role("option").first).to_be_visible(timeout=WAIT)
    page.get_by_role("option").first.click()
    form.get_by_role("button", name="Lưu").click()
    settled(page)
    expect(page.get_by_text(re.compile(r"^Đã lưu"))).to_be_visible(timeout=WAIT)
    with engine.connect() as connection:
        made = connection.execute(
            sa.text("SELECT code FROM producer WHERE name = 'Hộ Y Thu Niê' AND cooperative_code = :c"),
            {"c": account.scope},
        ).scalar_one()
    assert re.fullmatch(r"SX\d{6}", made)

    page.get_by_role("tab", name="Vùng nguyên liệu").click()
    made_here = page.get_by_label("Mã (để trống: chương trình tự đặt mã)")
    form = page.get_by_test_id("stForm").filter(has=made_here).locator("visible=true")  # the open tab's
    expect(form).to_have_count(1, timeout=WAIT)
    expect(form.get_by_label("Mã *")).to_have_count(0)
    linked = page.get_by_test_id("stSelectbox").filter(visible=True).filter(has_text="Thuộc liên kết")
    expect(linked).to_have_count(1)
    shown_linkage = linked.locator("input").input_value() or linked.inner_text()
    chosen_linkage = re.findall(r"LK\d{6}", shown_linkage)  # the linkage shown chosen
    assert len(chosen_linkage) == 1, shown_linkage
    form.get_by_label("Tên *").fill("Vùng cà phê Y Thu")
    commune = form.get_by_test_id("stSelectbox").filter(has_text="Xã, phường (bản đồ từ 01/07/2025)").locator("input")
    commune.scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)
    commune.click()
    commune.fill("Ea")
    expect(page.get_by_role("option").first).to_be_visible(timeout=WAIT)
    page.get_by_role("option").first.click()
    product = form.get_by_test_id("stSelectbox").filter(has_text="Mã sản phẩm *").locator("input")
    product.scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)
    product.click()
    product.fill("Cà phê")  # a product by its name, not its code
    expect(page.get_by_role("option").first).to_be_visible(timeout=WAIT)
    page.get_by_role("option").first.click()
    form.get_by_label("Diện tích (ha) *").fill("12,5")  # the Vietnamese way
    form.get_by_role("button", name="Lưu").click()
    settled(page)
    expect(page.get_by_text(re.compile(r"^Đã lưu"))).to_be_visible(timeout=WAIT)
    with engine.connect() as connection:
        area, hectares = connection.execute(
            sa.text("SELECT code, area_ha FROM raw_material_area WHERE name = 'Vùng cà phê Y Thu'")
        ).one()
        joined_to = connection.execute(
            sa.text("SELECT linkage_code FROM linkage_party WHERE raw_material_area_code = :a"), {"a": area}
        ).scalar_one()
    assert re.fullmatch(r"VNL\d{6}", area) and float(hectares) == 12.5
    assert joined_to == chosen_linkage[0]

    with engine.connect() as connection:
        linkage, buyer, buyer_name = connection.execute(
            sa.text(
                "SELECT p.linkage_code, b.code, b.name FROM linkage_party p, buyer b"
                " WHERE p.party_type = 'cooperative' AND p.cooperative_code = :c AND p.archived_at IS NULL"
                " AND b.archived_at IS NULL AND b.code NOT IN"
                " (SELECT buyer_code FROM linkage_party WHERE linkage_code = p.linkage_code AND buyer_code IS NOT NULL)"
                " ORDER BY p.linkage_code, b.code LIMIT 1"
            ),
            {"c": account.scope},
        ).one()
    page.get_by_role("tab", name="Liên kết").click()
    choice = page.get_by_test_id("stSelectbox").filter(visible=True).filter(has_text="Chọn liên kết")
    choice.first.locator("input").fill(linkage)
    page.get_by_role("option", name=re.compile(re.escape(linkage))).first.click()
    expect(choice.first.locator("input")).to_have_value(re.compile(re.escape(linkage)), timeout=WAIT)  # picked
    settled(page)
    party = page.get_by_test_id("stSelectbox").filter(visible=True).filter(has_text="Bên tham gia *")
    expect(party).to_have_count(1, timeout=WAIT)
    page.mouse.wheel(0, 400)  # room below the field for its list
    party.locator("input").click()
    party.locator("input").fill(buyer_name)  # found by typing its name
    option = page.get_by_role(
        "option", name=re.compile(re.escape(f"{buyer_name} — ") + r".*\(" + re.escape(buyer) + r"\)")
    )
    expect(option.first).to_be_visible(timeout=WAIT)
    option.first.click()
    party.locator("xpath=ancestor::*[@data-testid='stForm'][1]").get_by_role("button", name="Lưu").click()
    settled(page)
    expect(page.get_by_text(re.compile(r"^Đã lưu"))).to_be_visible(timeout=WAIT)
    with engine.connect() as connection:
        joined = connection.execute(
            sa.text("SELECT count(*) FROM linkage_party WHERE linkage_code = :l AND buyer_code = :b"),
            {"l": linkage, "b": buyer},
        ).scalar_one()
    assert joined == 1
    assert watched.outside == [] and watched.errors == []
