"""The manager's pages without a browser: dashboard, CSV downloads, label links."""

import re
from datetime import datetime

from evidence_service import payload
from evidence_service.i18n import LOCAL_TIME_ZONE
from tests.factories import make_item
from tests.test_web import log_in


def test_the_dashboard_shows_capacity_forecast_and_reports(client, world, session):
    make_item(session, world, location_code="S1")
    log_in(client, "manager")
    response = client.get("/dashboard")
    assert response.status_code == 200, response.text
    html = response.text
    assert 'data-location="S1"' in html and "Dự báo ngày kho đầy" in html
    assert "<svg" in html and "style=" not in html  # the CSP allows no inline style
    row = re.search(r'data-location="S1".*?</tr>', html, re.S).group(0)
    assert re.search(r'data-col="items_used">1<', row) and re.search(r'items_limit">2<', row)


def test_the_dashboard_is_the_managers_home(client, world):
    log_in(client, "manager")
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard"


def test_a_keeper_may_not_see_the_dashboard(client, world):
    log_in(client, "keeper")
    assert client.get("/dashboard").status_code == 403


def test_csv_downloads_of_the_dashboard(client, world, session):
    make_item(session, world, location_code="S1")
    log_in(client, "manager")
    for name, header in (
        ("capacity", "Mã kho,Tên kho"),
        ("forecast", "Mã kho,Tên kho"),
        ("ageing", "Mã kho,Loại vật chứng"),
        ("destruction", "Nhóm,Khóa"),
    ):
        response = client.get(f"/dashboard/{name}.csv")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.lstrip("\ufeff").startswith(header)
    forecast = client.get("/dashboard/forecast.csv").text
    assert "W1,Kho Một,Số lượng,2,1," in forecast


def test_a_label_link_opens_the_item_after_login(client, world, session):
    item = make_item(session, world)
    label = payload.make_payload("item", item.code)
    response = client.get(f"/S/{label}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    log_in(client)
    response = client.get(f"/S/{label}", follow_redirects=False)
    assert response.headers["location"] == f"/items/{item.code}"
    response = client.get(f"/s/{payload.make_payload('location', 'S2')}", follow_redirects=False)
    assert response.headers["location"] == "/locations/S2"


def test_a_damaged_label_link_explains_itself(client, world, session):
    item = make_item(session, world)
    label = payload.make_payload("item", item.code)
    log_in(client)
    damaged = label[:-1] + ("A" if label[-1] != "A" else "B")
    response = client.get(f"/s/{damaged}")
    assert response.status_code == 422 and "Nhãn bị hỏng" in response.text


def _token(client, path):
    return re.search(r'name="csrf-token" content="([^"]*)"', client.get(path).text).group(1)


def test_a_destruction_batch_through_every_step_in_forms(client, world, session):
    codes = [make_item(session, world, location_code="S2").code for _ in range(2)]
    log_in(client, "manager")
    token = _token(client, "/destruction")
    response = client.post(
        "/destruction", data={"title": "Đợt 1", "csrf_token": token}, follow_redirects=False
    )
    url = response.headers["location"]
    label = payload.make_payload("item", codes[0])
    response = client.post(
        f"{url}/items", data={"codes": f"{label} {codes[1]}", "csrf_token": token}
    )
    assert response.status_code == 200 and codes[1] in response.text
    council = [("Ánh", "chair"), ("Bình", "member"), ("Chi", "member"), ("Dũng", "procuracy")]
    members = {
        f"member.{n}.{k}": v
        for n, (name, role) in enumerate(council)
        for k, v in (
            ("name", name),
            ("role", role),
            ("position", "Cán bộ"),
            ("organisation", "Cục"),
        )
    }
    today = datetime.now(LOCAL_TIME_ZONE)
    response = client.post(
        f"{url}/approve",
        data={
            "decision_number": "15/QĐ",
            "decision_date": today.date().isoformat(),
            "decision_issuer": "Cục",
            "csrf_token": token,
            **members,
        },
    )
    assert "Ghi nhận tiêu hủy tại hiện trường" in response.text, response.text
    fields = {
        "executed_at": today.strftime("%Y-%m-%dT%H:%M"),
        "site": "Bãi A",
        "method": "crushing",
        "env.weather": "nắng",
        "env.residue_quantity_kg": "0,5",
        "env.residue_destination": "bãi rác",
        "weight_unit": "kg",
        "csrf_token": token,
        "code": codes,
    }
    for n in range(2):
        fields |= {f"seal.{n}": "1", f"weight.{n}": "1,5", f"result.{n}": "destroyed"}
    response = client.post(f"{url}/execute", data=fields)
    assert response.status_code == 422  # 1.5 kg against 1 kg recorded: a note is needed
    assert "ghi chú" in response.text
    fields |= {"weight.0": "1", "weight.1": "1", "m.crushing.equipment": "máy nghiền"}
    response = client.post(f"{url}/execute", data=fields)
    assert response.status_code == 200, response.text
    assert "Lập biên bản và khóa đợt" in response.text
    alone = client.post(f"{url}/close", data={"csrf_token": token})
    assert alone.status_code == 403  # nobody destroys alone
    client.cookies.clear()
    log_in(client, "manager2")
    token = _token(client, url)
    response = client.post(f"{url}/close", data={"csrf_token": token})
    assert "Tải biên bản tiêu hủy" in response.text
    pdf = client.get(f"{url}/record.pdf")
    assert pdf.content.startswith(b"%PDF") and "X-Record-SHA256" in pdf.headers


def test_a_stocktake_scan_answers_with_live_counts(client, world, session):
    codes = [make_item(session, world, location_code="S2").code for _ in range(2)]
    log_in(client, "keeper")
    token = _token(client, "/stocktakes")
    start = {
        "warehouse_code": "W1",
        "scope": "location",
        "location_code": "S2",
        "kind": "spot_check",
        "csrf_token": token,
    }
    response = client.post("/stocktakes", data=start, follow_redirects=False)
    url = response.headers["location"]
    headers = {"Accept": "application/json", "X-CSRF-Token": token}
    label = payload.make_payload("item", codes[0])
    answer = client.post(f"{url}/scan", headers=headers, data={"payload": label}).json()
    assert answer["counts"] == {"expected": 2, "seen": 1, "remaining": 1, "unexpected": 0}
    damaged = client.post(f"{url}/scan", headers=headers, data={"payload": "EV1IXXXX"})
    assert damaged.status_code == 422 and damaged.json()["counts"]["seen"] == 1
    response = client.post(
        f"{url}/close", data={"keeper": "A", "accountant": "B", "head": "C", "csrf_token": token}
    )
    page = client.get(url).text
    assert "Thiếu: 1" in page and codes[1] in page
    assert client.get(f"{url}/record.pdf").content.startswith(b"%PDF")
    assert codes[1] in client.get("/stocktakes/discrepancies").text
