"""The environment of destruction: emission factors as data, every batch's estimated releases,
licensed facilities and distances, site safeguards, the destruction planner and the
environment report (issue 20)."""

import io
import math
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from evidence_service.demo import DEMO_PASSWORD, seed_demo
from evidence_service.destruction.methods import load_methods
from evidence_service.environment.estimate import Line, estimate
from evidence_service.environment.facilities import great_circle_km
from evidence_service.environment.factors import load_factors, parse_factors
from evidence_service.legal.gather import first_decisions
from evidence_service.legal.holidays import local_today
from evidence_service.models import Approval, Case, Disposition, Item, ItemStatus, User
from evidence_service.reports import capacity_forecast
from tests.docs_output import pages_text, save_pages
from tests.factories import make_item
from tests.test_destruction import (
    ENVIRONMENT,
    approve,
    destroyed,
    executed_batch,
    execution,
    new_batch,
    pdf_text,
    post,
)
from tests.test_web import CSRF_META, FORM_TOKEN

API = "/api/v1"


# ---------------------------------------------------------------- factors as data


def test_factors_load_and_every_value_has_a_source():
    table = load_factors()
    assert table.factors, "the shipped table has factors"
    methods = set(load_methods().methods)
    for source in table.sources.values():
        # A value read in a transcription names the document it transcribes, to be checked.
        assert source.verified_against_primary or source.primary, source
    for f in table.factors:
        assert f.source in table.sources
        if f.value is None:
            assert f.missing, f  # an empty cell says why it is empty
        else:
            assert f.table and f.klass and f.value > 0, f
            assert table.sources[f.source].url.startswith("http")
    for profile in table.profiles.values():
        assert set(profile.methods) <= methods, profile
    for group in table.groups:
        assert group.usual_method in methods, group
    # Every method that burns has a profile, so no estimate silently reads "nothing".
    assert {"open_burning", "licensed_incineration", "cement_kiln"} <= {
        m for p in table.profiles.values() for m in p.methods
    }


def test_a_factor_without_source_or_reason_is_refused():
    base = {
        "sources": [{"id": "S", "title": "T", "url": "http://x"}],
        "pollutants": [{"id": "co", "name_vi": "CO", "name_en": "CO", "unit": "kg"}],
        "material_groups": [{"id": "general", "name_vi": "g", "name_en": "g", "categories": ["*"]}],
        "profiles": [{"id": "open", "name_vi": "o", "name_en": "o", "methods": ["open_burning"]}],
    }
    factor = {"profile": "open", "material_group": "*", "pollutant": "co", "source": "S"}
    with pytest.raises(ValueError, match="must say why"):
        parse_factors({**base, "factors": [factor]})
    with pytest.raises(ValueError, match="unknown source"):
        parse_factors({**base, "factors": [{**factor, "source": "nowhere", "value": 1.0}]})
    with pytest.raises(ValueError, match="table and class"):
        parse_factors({**base, "factors": [{**factor, "value": 1.0}]})
    transcription = {"id": "S", "title": "T", "url": "http://x", "verified_against_primary": False}
    with pytest.raises(ValueError, match="must name its primary"):
        parse_factors({**base, "sources": [transcription], "factors": []})


def test_the_factors_are_served_with_their_sources(client, world):
    body = client.get(f"{API}/environment/emission-factors", headers=world.headers()).json()
    assert body["order_of_magnitude"] is True
    ids = {s["id"] for s in body["sources"]}
    assert all(f["source"] in ids for f in body["factors"])


# ---------------------------------------------------------------- estimates


def test_estimate_of_a_hand_computed_batch():
    lines = [
        Line("D1", "drug", ["narcotics"], 2000.0),  # 0.002 t drugs and plant material
        Line("G1", "other", [], 3000.0),  # 0.003 t general
    ]
    e = estimate(lines, "open_burning")
    by = {p.pollutant: p for p in e.actual.pollutants}
    # dioxin-like PCB: 2 µg TEQ/t for every group (UNEP Toolkit 2013, Table III.46.1)
    assert by["dl_pcb"].value == pytest.approx(0.005 * 2.0)
    assert by["dl_pcb"].complete and by["dl_pcb"].range_kind == "order_of_magnitude"
    assert (by["dl_pcb"].low, by["dl_pcb"].high) == pytest.approx((0.001, 0.1))
    # PCDD/F: 40 µg TEQ/t for every group (Toolkit 6b class 3, read in a transcription)
    assert by["pcdd_f"].value == pytest.approx(0.005 * 40.0)
    assert by["pcdd_f"].complete and by["pcdd_f"].source_ids == ["UNEP-TK2013-6b-WAPLA"]
    assert (by["pcdd_f"].low, by["pcdd_f"].high) == pytest.approx((0.02, 2.0))
    # CO and PM2.5: 102 and 6.26 kg/t (GFED4, agricultural waste burning) for plant material
    # only; the general item has no factor: partial, never padded with 0
    assert by["co"].value == pytest.approx(0.002 * 102.0)
    assert not by["co"].complete and by["co"].missing_groups == ["general"]
    assert by["pm2_5"].value == pytest.approx(0.002 * 6.26)
    assert by["pm2_5"].missing_groups == ["general"]
    # the sources: the value's, and the empty cell's (which says what was looked for there)
    assert by["pm2_5"].source_ids == ["EMEP-GB2023-5C2", "GFED4-EF"]
    # No PM10 nor HCl factor was found: no value, never 0
    assert by["pm10"].value is None and by["pm10"].missing_groups == ["drugs_plant", "general"]
    assert by["hcl"].value is None
    assert e.actual.weight_kg == pytest.approx(5.0)
    assert e.order_of_magnitude and "Order-of-magnitude" in e.note
    # The licensed alternatives have no factor read: nothing avoided can be claimed
    assert all(a.value is None for a in e.avoided)


def test_avoided_releases_are_the_difference_with_its_range():
    table = parse_factors(
        {
            "sources": [{"id": "S", "title": "T", "url": "http://x"}],
            "pollutants": [{"id": "pcdd_f", "name_vi": "d", "name_en": "d", "unit": "µg TEQ"}],
            "material_groups": [
                {"id": "general", "name_vi": "g", "name_en": "g", "categories": ["*"]}
            ],
            "profiles": [
                {"id": "open_burning", "name_vi": "o", "name_en": "o", "methods": ["open_burning"]},
                {"id": "licensed_incineration", "name_vi": "l", "name_en": "l", "methods": []},
                {"id": "cement_kiln", "name_vi": "k", "name_en": "k", "methods": []},
            ],
            "factors": [
                {
                    "profile": "open_burning",
                    "material_group": "*",
                    "pollutant": "pcdd_f",
                    "source": "S",
                    "value": 40.0,
                    "low": 20.0,
                    "high": 80.0,
                    "table": "t",
                    "class": "c",
                },
                {
                    "profile": "licensed_incineration",
                    "material_group": "*",
                    "pollutant": "pcdd_f",
                    "source": "S",
                    "value": 1.0,
                    "table": "t",
                    "class": "c",
                },
            ],
        }
    )
    e = estimate([Line("A", "other", [], 500_000.0)], "open_burning", table)  # 0.5 t
    (mine,) = e.actual.pollutants
    assert (mine.value, mine.low, mine.high) == pytest.approx((20.0, 10.0, 40.0))
    assert mine.range_kind == "source"
    incinerator = next(a for a in e.avoided if a.alternative == "licensed_incineration")
    # 20 − 0.5; range: lowest here − highest there (0.5 × 10), highest here − lowest there
    assert (incinerator.value, incinerator.low, incinerator.high) == pytest.approx(
        (19.5, 10.0 - 5.0, 40.0 - 0.05)
    )
    kiln = next(a for a in e.avoided if a.alternative == "cement_kiln")
    assert kiln.value is None


def test_every_batch_shows_its_estimate_and_the_record_prints_it(client, session, world):
    item = make_item(session, world, net_weight_g=4000.0, gross_weight_g=None)
    batch = executed_batch(
        client,
        world,
        [item],
        [destroyed(item.code, 4050.0)],  # the measured weight counts, as in the totals
        method="open_burning",
        details={"distance_to_homes_m": 800},
    )
    releases = batch["estimated_releases"]
    assert releases["order_of_magnitude"] is True and releases["method"] == "open_burning"
    dl_pcb = next(p for p in releases["actual"]["pollutants"] if p["pollutant"] == "dl_pcb")
    assert dl_pcb["value"] == pytest.approx(0.00405 * 2.0)
    assert dl_pcb["source_ids"] == ["UNEP-TK2013-A46"]
    assert [a["profile"] for a in releases["alternatives"]] == [
        "licensed_incineration",
        "cement_kiln",
    ]
    record = client.get(
        f"{API}/destruction-batches/{batch['id']}/record.pdf", headers=world.headers("manager")
    )
    text = pdf_text(record.content)
    assert "Ước tính phát thải" in text and "bậc độ lớn" in text


def test_a_draft_batch_shows_what_its_items_would_release(client, session, world):
    item = make_item(
        session,
        world,
        category="drug",
        location_code="SEC-1",
        net_weight_g=1000.0,
        gross_weight_g=None,
    )
    batch = new_batch(client, world, [item.code])
    releases = batch["estimated_releases"]
    assert releases["method"] is None and releases["lines"][0]["material_group"] == "drugs_plant"
    assert releases["actual"]["pollutants"] == []  # no method yet: nothing is claimed


# ---------------------------------------------------------------- site safeguards


def _burning(client, session, world, details, environment):
    item = make_item(session, world)
    batch = new_batch(client, world, [item.code])
    assert approve(client, world, batch["id"]).status_code == 200
    body = execution([destroyed(item.code)], method="open_burning", details=details)
    body["environment"] = environment
    return batch, post(client, world, f"/{batch['id']}/execute", body)


def test_open_burning_next_to_homes_needs_a_note_and_is_flagged(client, session, world):
    batch, refused = _burning(client, session, world, {"distance_to_homes_m": 0}, ENVIRONMENT)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "environment", "site_note"]
    with_note = {**ENVIRONMENT, "site_note": "Bãi đất trống duy nhất; dân được báo trước"}
    done = post(
        client,
        world,
        f"/{batch['id']}/execute",
        {
            **execution(
                [destroyed(batch["items"][0]["code"])],
                method="open_burning",
                details={"distance_to_homes_m": 0},
            ),
            "environment": with_note,
        },
    )
    assert done.status_code == 200, done.text
    (flag,) = done.json()["site_flags"]
    assert flag["field"] == "distance_to_homes_m" and flag["distance_m"] == 0
    assert flag["threshold_m"] == 500 and flag["threshold_confirmed"] is False
    assert flag["note"].startswith("Bãi đất trống")


def test_open_burning_records_the_wind_and_the_distance_to_water(client, session, world):
    no_wind = {k: v for k, v in ENVIRONMENT.items() if k != "wind_direction"}
    _, refused = _burning(client, session, world, {"distance_to_homes_m": 900}, no_wind)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "environment", "wind_direction"]
    no_water = {k: v for k, v in ENVIRONMENT.items() if k != "distance_to_water_m"}
    _, refused = _burning(client, session, world, {"distance_to_homes_m": 900}, no_water)
    assert refused.json()["detail"][0]["loc"] == ["body", "environment", "distance_to_water_m"]


def test_a_licensed_incineration_needs_no_site_distances(client, session, world):
    item = make_item(session, world)
    batch = executed_batch(client, world, [item])
    assert batch["site_flags"] == []


# ---------------------------------------------------------------- facilities and distance


def test_great_circle_distance_of_one_degree_of_latitude():
    # One degree along a meridian on the mean-radius sphere: 2πR / 360.
    assert great_circle_km(21.0, 105.0, 22.0, 105.0) == pytest.approx(2 * math.pi * 6371.0088 / 360)


def test_an_admin_edits_the_facilities_and_managers_may_not(client, world):
    body = {
        "name": "Lò đốt thử nghiệm",
        "province": "Tỉnh A",
        "kind": "hazardous_waste_incineration",
        "material_groups": ["drugs_plant", "general"],
        "latitude": 22.0,
        "longitude": 105.0,
        "source": "test fixture",
    }
    url = f"{API}/environment/facilities/test-plant"
    assert client.put(url, json=body, headers=world.headers("manager")).status_code == 403
    bad = client.put(
        url, json={**body, "material_groups": ["gold"]}, headers=world.headers("admin")
    )
    assert bad.status_code == 422
    half = client.put(url, json={**body, "longitude": None}, headers=world.headers("admin"))
    assert half.status_code == 422
    made = client.put(url, json=body, headers=world.headers("admin"))
    assert made.status_code == 200, made.text
    listed = client.get(f"{API}/environment/facilities", headers=world.headers()).json()
    assert [f["origin"] for f in listed if f["id"] == "test-plant"] == ["admin"]
    # the shipped, sourced facility stays listed
    assert any(f["id"] == "viet-xuan-moi-thai-nguyen" and f["source"] for f in listed)


def test_the_plan_gives_the_nearest_facility_and_its_road_estimate(client, session, world):
    make_item(session, world, net_weight_g=2000.0, gross_weight_g=None)
    admin, manager = world.headers("admin"), world.headers("manager")
    for key, lat in (("near", 21.5), ("far", 23.0)):
        assert (
            client.put(
                f"{API}/environment/facilities/{key}",
                json={
                    "name": key,
                    "kind": "hazardous_waste_incineration",
                    "material_groups": ["general"],
                    "latitude": lat,
                    "longitude": 105.0,
                    "source": "test fixture",
                },
                headers=admin,
            ).status_code
            == 200
        )
    site = {"latitude": 21.0, "longitude": 105.0, "province": "Tỉnh A"}
    assert client.put(f"{API}/warehouses/W1/site", json=site, headers=manager).status_code == 200
    plan = client.get(f"{API}/destruction-plan", headers=manager, params={"province": "Tỉnh A"})
    (proposal,) = [p for p in plan.json()["proposals"] if p["material_group"] == "general"]
    assert proposal["facility"]["id"] == "near"
    distance = proposal["distance"]
    assert distance["straight_km"] == pytest.approx(great_circle_km(21, 105, 21.5, 105), abs=0.1)
    assert distance["road_km"] == pytest.approx(distance["straight_km"] * 1.4, abs=0.2)
    assert distance["road_hours"] == pytest.approx(distance["road_km"] / 40, abs=0.1)
    # another province: none of W1's items
    other = client.get(f"{API}/destruction-plan", headers=manager, params={"province": "Tỉnh B"})
    assert other.json()["proposals"] == []


# ---------------------------------------------------------------- the planner on the demo world


def _demo_headers(client, session, user="demo-manager"):
    seed_demo(session)
    session.commit()
    token = client.post(
        f"{API}/auth/token", data={"username": user, "password": DEMO_PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_planner_proposes_eligible_items_only_in_deadline_order(client, session):
    headers = _demo_headers(client, session)
    plan = client.get(f"{API}/destruction-plan", headers=headers).json()
    proposals = plan["proposals"]
    assert proposals
    proposed = {i["code"] for p in proposals for i in p["items"]}
    items = {i.code: i for i in session.exec(select(Item)).all()}
    decided = first_decisions(session, {i.case_id for i in items.values()})
    eligible = {
        code
        for code, i in items.items()
        if i.status == ItemStatus.stored
        and i.disposition == Disposition.destroy
        and i.case_id in decided
    }
    assert proposed == eligible  # every eligible item, and nothing else
    waiting = session.exec(select(Case).where(Case.judgment_number.is_(None))).one()  # type: ignore[union-attr]
    assert not {c for c, i in items.items() if i.case_id == waiting.id} & proposed
    # deadline order: the earliest legal deadline first, undated last
    dues = [p["earliest_due_on"] or "9999-12-31" for p in proposals]
    assert dues == sorted(dues)
    for p in proposals:
        item_dues = [i["due_on"] or "9999-12-31" for i in p["items"]]
        assert item_dues == sorted(item_dues)
        # the space freed adds up, per location and in all
        assert (
            p["freed_total"]["items"]
            == len(p["items"])
            == sum(f["items"] for f in p["freed_by_location"])
        )
        assert p["freed_total"]["net_weight_kg"] == pytest.approx(
            sum(i["net_weight_kg"] for i in p["items"])
        )
        assert p["freed_total"]["net_weight_kg"] == pytest.approx(
            sum(f["net_weight_kg"] for f in p["freed_by_location"])
        )
        # one material group per proposal: compatible by construction
        groups = {
            load_factors()
            .group_of(items[i["code"]].category, list(items[i["code"]].hazard_classes))
            .id
            for i in p["items"]
        }
        assert groups == {p["material_group"]}
        assert p["estimated_releases"]["method"] == p["usual_method"]
    # destroying frees space: the "full on" date never comes earlier, and it is the forecast's
    # own date (the same projection of the same numbers) for a measure nothing is freed in
    manager = session.exec(select(User).where(User.username == "demo-manager")).one()
    dates = {
        (w.code, m.measure): m.full_on and m.full_on.isoformat()
        for w in capacity_forecast(session, manager).warehouses
        for m in w.measures
    }
    checked = 0
    for p in proposals:
        for f in p["full_on"]:
            assert f["full_on"] == dates[(p["warehouse_code"], f["measure"])]
            if f["full_on"] and f["full_on_after"]:
                assert f["full_on_after"] >= f["full_on"], (p["id"], f)
                checked += 1
    assert checked, "the demo world has filling warehouses"


def test_the_planner_leaves_out_checked_out_batched_and_pending_items(client, session):
    headers = _demo_headers(client, session)
    first = client.get(f"{API}/destruction-plan", headers=headers).json()["proposals"]
    codes = [i["code"] for p in first for i in p["items"]]
    assert len(codes) >= 3
    in_batch, asked, out = codes[0], codes[1], codes[2]
    batch = client.post(f"{API}/destruction-batches", json={"title": "x"}, headers=headers).json()
    added = client.post(
        f"{API}/destruction-batches/{batch['id']}/items",
        json={"codes": [in_batch]},
        headers=headers,
    )
    assert added.status_code == 200, added.text
    item = session.exec(select(Item).where(Item.code == asked)).one()
    keeper_id = session.exec(select(Item.received_by_id).where(Item.code == asked)).one()
    session.add(
        Approval(
            item_id=item.id,
            agency_id=item.agency_id,
            kind="sample",
            item_version=item.version,
            item_status=item.status,
            requested_by_id=keeper_id,
        )
    )
    session.commit()
    version = client.get(f"{API}/items/{out}", headers=headers).json()["version"]
    checked_out = client.post(
        f"{API}/items/{out}/check-outs",
        json={
            "recipient": "TAND tỉnh Lạng Sơn",
            "purpose": "court",
            "document_number": "12/QĐ-TA",
            "due_date": "2099-01-01",
            "version": version,
        },
        headers=headers,
    )
    assert checked_out.status_code == 200, checked_out.text
    again = {
        i["code"]
        for p in client.get(f"{API}/destruction-plan", headers=headers).json()["proposals"]
        for i in p["items"]
    }
    assert again == set(codes) - {in_batch, asked, out}


def test_one_call_creates_the_draft_batch_of_the_first_proposal(client, session):
    headers = _demo_headers(client, session)
    first = client.get(f"{API}/destruction-plan", headers=headers).json()["proposals"][0]
    made = client.post(
        f"{API}/destruction-plan/batches", json={"proposal_id": first["id"]}, headers=headers
    )
    assert made.status_code == 201, made.text
    batch = made.json()
    assert batch["status"] == "draft"
    assert sorted(i["code"] for i in batch["items"]) == sorted(i["code"] for i in first["items"])
    assert batch["title"].startswith("Tiêu hủy theo đề xuất")
    after = client.get(f"{API}/destruction-plan", headers=headers).json()["proposals"]
    assert first["id"] not in {p["id"] for p in after}
    gone = client.post(
        f"{API}/destruction-plan/batches", json={"proposal_id": first["id"]}, headers=headers
    )
    assert gone.status_code == 409
    keeper = _demo_headers(client, session, "demo-council")
    refused = client.post(
        f"{API}/destruction-plan/batches", json={"proposal_id": after[0]["id"]}, headers=keeper
    )
    assert refused.status_code == 403


# ---------------------------------------------------------------- the report


def test_the_report_totals_equal_the_destruction_totals(client, session, world):
    drug = make_item(
        session,
        world,
        category="drug",
        location_code="SEC-1",
        net_weight_g=2000.0,
        gross_weight_g=None,
    )
    other = make_item(session, world, net_weight_g=1000.0, gross_weight_g=None)
    burnt = make_item(session, world, net_weight_g=3000.0, gross_weight_g=None)
    executed_batch(
        client, world, [drug, other], [destroyed(drug.code, 1990.0), destroyed(other.code, 1000.0)]
    )
    executed_batch(
        client,
        world,
        [burnt],
        [destroyed(burnt.code, 3000.0)],
        method="open_burning",
        details={"distance_to_homes_m": 800},
    )
    headers = world.headers("manager")
    totals = client.get(f"{API}/reports/destruction", headers=headers).json()
    env = client.get(f"{API}/reports/environment", headers=headers).json()
    assert env["totals"]["items"] == totals["items"] == 3
    assert env["totals"]["weight_kg"] == pytest.approx(totals["weight_kg"])
    assert env["totals"]["by_method"] == totals["by_method"]
    assert env["totals"]["environmentally_risky"] == totals["environmentally_risky"]
    assert sum(c["items"] for c in env["by_method_material"]) == totals["items"]
    assert sum(c["weight_kg"] for c in env["by_method_material"]) == pytest.approx(5.99)
    # every number traces to its items: the appendix lists each destroyed item once
    assert sorted(a["item_code"] for a in env["appendix"]) == sorted(
        [drug.code, other.code, burnt.code]
    )
    burning = next(r for r in env["releases"] if r["method"] == "open_burning")
    dl_pcb = next(r for r in burning["actual"] if r["pollutant"] == "dl_pcb")
    assert dl_pcb["value"] == pytest.approx(0.003 * 2.0)
    pcdd_f = next(r for r in burning["actual"] if r["pollutant"] == "pcdd_f")
    assert pcdd_f["value"] == pytest.approx(0.003 * 40.0)
    pdf = client.get(f"{API}/reports/environment", headers=headers, params={"format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "BÁO CÁO TÁC ĐỘNG MÔI TRƯỜNG" in text and "bậc độ lớn" in text
    assert burnt.code in text  # the appendix
    xlsx = client.get(f"{API}/reports/environment", headers=headers, params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert burnt.code in cells and "UNEP-TK2013-A46" in cells
    english = client.get(
        f"{API}/reports/environment", headers=headers, params={"format": "pdf", "lang": "en"}
    )
    assert "ENVIRONMENTAL IMPACT" in pdf_text(english.content)


def test_the_report_period_is_checked(client, world):
    bad = client.get(
        f"{API}/reports/environment",
        headers=world.headers("manager"),
        params={"from": "2026-06-01", "to": "2026-01-01"},
    )
    assert bad.status_code == 422
    outside = client.get(
        f"{API}/reports/environment",
        headers=world.headers("manager"),
        params={"from": "2001-01-01", "to": "2001-12-31"},
    )
    assert outside.status_code == 200 and outside.json()["totals"]["items"] == 0


# ---------------------------------------------------------------- the page


def test_the_manager_sees_the_page_takes_a_proposal_and_prints_the_report(client, session):
    seed_demo(session)
    session.commit()
    token = FORM_TOKEN.search(client.get("/login").text).group(1)
    client.post(
        "/login",
        data={"username": "demo-manager", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert 'href="/environment"' in client.get("/dashboard").text  # the way there
    page = client.get("/environment")
    assert page.status_code == 200
    assert "bậc độ lớn" in page.text and "<svg" in page.text
    assert "giấy phép chưa được đối chiếu" in page.text  # the proposed facility, unverified
    # open burning's bars are drawn red, as the chart's caption says (the dashboard's class)
    methods_chart = page.text.split('id="env-methods-caption"')[1].split("</figure>")[0]
    assert 'class="bar-risky"' in methods_chart and 'class="risky"' not in page.text
    # the period is typed and shown as Vietnamese dates (dd/mm/yyyy), not the browser's
    typed = client.get("/environment", params={"date_from": "01/06/2026", "date_to": "30/11/2026"})
    assert typed.status_code == 200
    assert 'value="01/06/2026"' in typed.text and 'value="30/11/2026"' in typed.text
    # the last half-year's open burning released PCDD/F, estimated from its weight (40 µg TEQ/t)
    token = client.post(
        f"{API}/auth/token", data={"username": "demo-manager", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    report = client.get(
        f"{API}/reports/environment", headers={"Authorization": f"Bearer {token}"}
    ).json()
    burnt = next(r for r in report["releases"] if r["method"] == "open_burning")
    pcdd_f = next(p for p in burnt["actual"] if p["pollutant"] == "pcdd_f")
    assert burnt["weight_kg"] > 0
    assert pcdd_f["value"] == pytest.approx(burnt["weight_kg"] / 1000 * 40.0)
    csrf = CSRF_META.search(client.get("/scan").text).group(1)
    proposal = page.text.split('name="proposal_id" value="')[1].split('"')[0]
    made = client.post(
        "/environment/plan/batches",
        data={"csrf_token": csrf, "proposal_id": proposal},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/destruction/")
    batch_page = client.get(made.headers["location"])
    assert 'id="estimated-releases"' in batch_page.text
    pdf = client.get("/environment/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _web_login(client, username):
    token = FORM_TOKEN.search(client.get("/login").text).group(1)
    client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    return CSRF_META.search(client.get("/account").text).group(1)


def test_an_admin_adds_a_facility_and_a_manager_places_a_warehouse_on_the_page(client, session):
    seed_demo(session)
    session.commit()
    csrf = _web_login(client, "demo-admin")
    page = client.get("/environment/facilities")
    assert page.status_code == 200 and "Việt Xuân Mới" in page.text
    form = {
        "csrf_token": csrf,
        "id": "lo-dot-thu",
        "name": "Lò đốt thử",
        "province": "Lạng Sơn",
        "kind": "hazardous_waste_incineration",
        "material_groups": ["drugs_plant", "general"],
        "latitude": "21,9",  # typed the Vietnamese way
        "longitude": "106,7",
        "source": "kiểm thử",
    }
    saved = client.post("/environment/facilities", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    bad = client.post("/environment/facilities", data={**form, "latitude": "100"})
    assert bad.status_code == 422
    listed = client.get(f"{API}/environment/facilities", headers=_demo_headers(client, session))
    (made,) = [f for f in listed.json() if f["id"] == "lo-dot-thu"]
    assert (made["latitude"], made["longitude"]) == (21.9, 106.7)
    client.cookies.clear()
    csrf = _web_login(client, "demo-manager")
    placed = client.post(
        "/environment/sites/KHO-LS1",
        data={
            "csrf_token": csrf,
            "latitude": "21,85",
            "longitude": "106,76",
            "province": "Lạng Sơn",
        },
        follow_redirects=False,
    )
    assert placed.status_code == 303
    refused = client.post(
        "/environment/facilities", data={**form, "csrf_token": csrf}, follow_redirects=False
    )
    assert refused.status_code == 403


def test_the_demo_province_report_and_record_print_their_estimates(client, session):
    """The Done-when: last half-year on the demo world, the province report printed (pages
    saved for a reviewer under test-output/), and the burnt batch's record."""
    headers = _demo_headers(client, session)
    today = local_today()
    pdf = client.get(
        f"{API}/reports/environment",
        headers=headers,
        params={
            "format": "pdf",
            "province": "Lạng Sơn",
            "from": (today - timedelta(days=182)).isoformat(),
            "to": today.isoformat(),
        },
    ).content
    assert save_pages(pdf, "environment-report-demo")
    text = " ".join(pages_text(pdf))
    assert "Tỉnh: Lạng Sơn" in text and "BC-MT" in text
    assert "Đốt lộ thiên" in text and "bậc độ lớn" in text
    batches = client.get(f"{API}/destruction-batches", headers=headers).json()
    burnt = next(b for b in batches if b["method"] == "open_burning")
    record = client.get(f"{API}/destruction-batches/{burnt['id']}/record.pdf", headers=headers)
    assert save_pages(record.content, "destruction-record-environment-demo")
    words = " ".join(pages_text(record.content))
    assert "Ước tính phát thải" in words and "150 m" in words  # the site flag, with its note
