"""Print jobs to named printers: a fake Zebra on a loopback port records the bytes it gets,
a fake ``lp`` records what CUPS would; the custody record gets one event per label printed."""

import hashlib
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_service.i18n import Translator
from evidence_service.labels import Printer, load_printers, load_templates
from evidence_service.web.errors import words
from tests.factories import make_item
from tests.test_web import log_in

API = "/api/v1"


class FakePrinter:
    """A raw-TCP printer on 127.0.0.1: each connection's bytes, in order."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
                self.jobs.append(b"".join(chunks))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


@pytest.fixture
def fake_lp(tmp_path: Path) -> Path:
    """An ``lp`` that stores its arguments and standard input (and fails for queue 'jammed')."""
    script = tmp_path / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'out="{tmp_path}/lp-$$"\n'
        'printf "%s\\n" "$@" > "$out.args"\n'
        'cat > "$out.data"\n'
        'case "$*" in *jammed*) echo "lp: printer jammed is out of paper" >&2; exit 1;; esac\n'
        'echo "request id is q-1 (1 file(s))"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
def printers_app(app, tmp_path, fake_printer, fake_lp):
    config = tmp_path / "printers.toml"
    config.write_text(
        f"""
[[printer]]
name = "zebra-a"
kind = "zpl"
dpi = 203
media = ["thermal-50x30-203", "thermal-100x50-203"]
address = "127.0.0.1:{fake_printer.port}"

[[printer]]
name = "zebra-font"
kind = "zpl"
dpi = 203
media = ["thermal-50x30-203"]
address = "127.0.0.1:{fake_printer.port}"
text = "font"

[[printer]]
name = "zebra-off"
kind = "zpl"
dpi = 203
media = ["thermal-50x30-203"]
address = "127.0.0.1:{closed_port()}"

[[printer]]
name = "laser"
kind = "pdf"
dpi = 300
media = ["a4-3x8-70x37", "a4-2x7-l7163"]
address = "lp:office"

[[printer]]
name = "laser-jammed"
kind = "pdf"
dpi = 300
media = ["a4-3x8-70x37"]
address = "lp:jammed"
""",
        encoding="utf-8",
    )
    app.state.settings = app.state.settings.model_copy(
        update={"printers_file": config, "lp_command": str(fake_lp)}
    )
    return app


def events(client, world, code: str) -> list[dict]:
    response = client.get(f"{API}/items/{code}/custody", headers=world.headers())
    assert response.status_code == 200
    return [e for e in response.json() if e["event_type"] == "label_printed"]


def post_job(client, world, **body):
    return client.post(f"{API}/print-jobs", json=body, headers=world.headers())


def test_printers_are_listed(printers_app, client, world):
    response = client.get(f"{API}/printers", headers=world.headers())
    assert response.status_code == 200
    assert [p["name"] for p in response.json()][:2] == ["zebra-a", "zebra-font"]


def test_zebra_job_gets_exactly_the_jobs_bytes_and_one_event_per_label(
    printers_app, client, session, world, fake_printer
):
    a = make_item(session, world, description="Hóa chất Kali xyanua", seal_number="0012345")
    b = make_item(session, world, description="Dao găm 45 cm")
    response = post_job(
        client,
        world,
        printer="zebra-a",
        template="thermal-50x30-203",
        items=[a.code, b.code],
        copies=2,
    )
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["status"] == "sent" and job["labels"] == 4 and job["error"] == ""
    (sent,) = fake_printer.jobs
    assert len(sent) == job["byte_count"]
    assert hashlib.sha256(sent).hexdigest() == job["sha256"]
    assert sent.count(b"^XA") == 4 and b"^GFA," in sent
    mine = events(client, world, a.code)
    assert [(e["details"]["copy"], e["details"]["print_number"]) for e in mine] == [(1, 1), (2, 2)]
    assert {e["details"]["printer"] for e in mine} == {"zebra-a"}
    assert {e["details"]["job"] for e in mine} == {job["id"]}
    assert len(events(client, world, b.code)) == 2
    status = client.get(f"{API}/print-jobs/{job['id']}", headers=world.headers())
    assert status.status_code == 200 and status.json()["status"] == "sent"


def test_a_reprint_needs_a_reason_and_carries_it(printers_app, client, session, world):
    item = make_item(session, world)
    assert (
        post_job(
            client, world, printer="zebra-a", template="thermal-50x30-203", items=[item.code]
        ).status_code
        == 201
    )
    again = post_job(
        client, world, printer="zebra-a", template="thermal-50x30-203", items=[item.code]
    )
    assert again.status_code == 422
    assert "reason" in again.text and item.code in again.text
    assert len(events(client, world, item.code)) == 1  # nothing written by the refusal
    ok = post_job(
        client,
        world,
        printer="zebra-a",
        template="thermal-50x30-203",
        items=[item.code],
        reason="nhãn bị rách",
    )
    assert ok.status_code == 201
    last = events(client, world, item.code)[-1]
    assert last["reason"] == "nhãn bị rách" and last["details"]["print_number"] == 2


def test_a_template_of_another_dpi_or_media_is_refused(
    printers_app, client, session, world, fake_printer
):
    item = make_item(session, world)
    other_dpi = post_job(
        client, world, printer="zebra-a", template="thermal-50x30-300", items=[item.code]
    )
    assert other_dpi.status_code == 409
    sheet = post_job(client, world, printer="zebra-a", template="a4-3x8-70x37", items=[item.code])
    assert sheet.status_code == 409
    unknown = post_job(
        client, world, printer="nope", template="thermal-50x30-203", items=[item.code]
    )
    assert unknown.status_code == 422 and "zebra-a" in unknown.text
    assert fake_printer.jobs == [] and events(client, world, item.code) == []


def test_a_printer_that_fails_leaves_the_record_alone_and_the_job_says_why(
    printers_app, client, session, world
):
    item = make_item(session, world)
    response = post_job(
        client, world, printer="zebra-off", template="thermal-50x30-203", items=[item.code]
    )
    assert response.status_code == 502
    detail = response.json()["detail"]
    assert detail["status"] == "failed" and "zebra-off" in detail["error"]
    assert events(client, world, item.code) == []
    status = client.get(f"{API}/print-jobs/{detail['job']}", headers=world.headers())
    assert status.status_code == 200
    assert status.json()["status"] == "failed" and status.json()["error"] == detail["error"]


def test_sheet_printer_through_lp_with_skip(printers_app, client, session, world, tmp_path):
    items = [make_item(session, world) for _ in range(3)]
    response = post_job(
        client,
        world,
        printer="laser",
        template="a4-3x8-70x37",
        items=[i.code for i in items],
        skip=5,
    )
    assert response.status_code == 201, response.text
    (data,) = tmp_path.glob("lp-*.data")
    args = data.with_suffix(".args").read_text().split("\n")
    assert args[:2] == ["-d", "office"] and "raw" not in args
    assert (
        data.read_bytes().startswith(b"%PDF")
        and len(data.read_bytes()) == (response.json()["byte_count"])
    )
    jammed = post_job(
        client,
        world,
        printer="laser-jammed",
        template="a4-3x8-70x37",
        items=[items[0].code],
        reason="x",
    )
    assert jammed.status_code == 502 and "out of paper" in jammed.json()["detail"]["error"]


def test_a_locations_contents_and_location_labels(
    printers_app, client, session, world, fake_printer
):
    inside = make_item(session, world, location_code="SEC-1")
    contents = post_job(
        client, world, printer="zebra-a", template="thermal-50x30-203", contents_of="SEC-1"
    )
    assert contents.status_code == 201, contents.text
    assert len(events(client, world, inside.code)) == 1
    places = post_job(
        client, world, printer="zebra-a", template="thermal-50x30-203", locations=["SEC-1", "S1"]
    )
    assert places.status_code == 201 and places.json()["labels"] == 2
    assert fake_printer.jobs[-1].count(b"^XA") == 2


def test_font_mode_downloads_the_font_once(printers_app, client, session, world, fake_printer):
    item = make_item(session, world)
    first = post_job(
        client, world, printer="zebra-font", template="thermal-50x30-203", items=[item.code]
    )
    assert first.status_code == 201
    second = post_job(
        client,
        world,
        printer="zebra-font",
        template="thermal-50x30-203",
        items=[item.code],
        reason="test",
    )
    assert second.status_code == 201
    one, two = fake_printer.jobs
    assert one.startswith(b"~DYE:DEJAVU,A,T,") and b"~DY" not in two
    assert b"^A@N," in two and b"E:DEJAVU" in two


def test_print_jobs_need_the_label_permission(printers_app, client, session, world):
    item = make_item(session, world)
    response = client.post(
        f"{API}/print-jobs",
        json={"printer": "zebra-a", "template": "thermal-50x30-203", "items": [item.code]},
        headers=world.headers("council"),
    )
    assert response.status_code == 403


def test_bad_printers_file_is_refused(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text(
        '[[printer]]\nname = "x"\nkind = "zpl"\ndpi = 203\nmedia = ["a"]\naddress = "nohost"\n'
    )
    with pytest.raises(ValueError, match="address"):
        load_printers(bad)


# --- the web's print dialog ------------------------------------------------------------------


def test_web_dialog_prints_to_a_named_printer_and_remembers_it(
    printers_app, client, session, world, fake_printer
):
    item = make_item(session, world, location_code="SEC-1")
    csrf = log_in(client)
    page = client.get(f"/items/{item.code}").text
    assert 'action="/labels/print"' in page and 'value="zebra-a"' in page
    assert "/static/print_dialog.js" in page
    sent = client.post(
        "/labels/print",
        data={
            "csrf_token": csrf,
            "printer": "zebra-a",
            "template": "thermal-50x30-203",
            "code": item.code,
            "copies": "1",
            "skip": "0",
        },
    )
    assert sent.status_code == 200, sent.text
    assert "zebra-a" in sent.text and len(fake_printer.jobs) == 1
    assert len(events(client, world, item.code)) == 1
    # The last printer is preselected next time, on every page with the dialog.
    again = client.get("/locations/SEC-1").text
    assert (
        '<option value="zebra-a" data-media="thermal-50x30-203 thermal-100x50-203" selected>'
        in again
    )
    assert 'form="selected-print"' in again  # the item list selects with checkboxes
    # A reprint from the dialog without a reason is refused, in words, and writes nothing.
    refused = client.post(
        "/labels/print",
        data={
            "csrf_token": csrf,
            "printer": "zebra-a",
            "template": "thermal-50x30-203",
            "code": item.code,
        },
    )
    assert refused.status_code == 422 and len(fake_printer.jobs) == 1
    assert f"Nhãn của {item.code} đã được in: in lại phải ghi lý do." in refused.text
    assert len(events(client, world, item.code)) == 1
    # A template the printer does not take (another dpi) is refused in words that say why,
    # before anything is sent.
    wrong = client.post(
        "/labels/print",
        data={
            "csrf_token": csrf,
            "printer": "zebra-a",
            "template": "thermal-50x30-300",
            "code": item.code,
            "reason": "thử",
        },
    )
    assert wrong.status_code == 409 and len(fake_printer.jobs) == 1
    assert "Máy in zebra-a không có loại nhãn thermal-50x30-300; máy nhận: thermal-50x30-203" in (
        wrong.text
    )


def test_web_dialog_selection_and_location_contents_as_downloads(
    printers_app, client, session, world
):
    a = make_item(session, world, location_code="SEC-1")
    b = make_item(session, world, location_code="SEC-1")
    csrf = log_in(client)
    zpl = client.post(
        "/labels/print",
        data={
            "csrf_token": csrf,
            "printer": "",
            "template": "thermal-50x30-203",
            "code": [a.code, b.code],
            "format": "zpl",
            "copies": "2",
        },
    )
    assert zpl.status_code == 200 and zpl.text.count("^XA") == 4
    assert "attachment" in zpl.headers["content-disposition"]
    pdf = client.post(
        "/labels/print",
        data={
            "csrf_token": csrf,
            "printer": "",
            "template": "a4-3x8-70x37",
            "contents_of": "SEC-1",
            "skip": "3",
            "format": "pdf",
            "reason": "in lại",
        },
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    failed = client.post(
        "/labels/print",
        data={
            "csrf_token": csrf,
            "printer": "zebra-off",
            "template": "thermal-50x30-203",
            "location": "SEC-1",
        },
    )
    assert failed.status_code == 502 and 'role="alert"' in failed.text


def test_a_printer_refuses_a_template_of_another_dpi_in_words():
    """Even where its media list names it (a mistyped printers file), a 300-dpi template on a
    203-dpi Zebra is refused: it would print 1.48x too large with the QR cut off."""
    printer = Printer(
        name="zebra-a", kind="zpl", dpi=203, media=["thermal-50x30-300"], address="z:9100"
    )
    refusal = printer.refuses(load_templates()["thermal-50x30-300"])
    assert refusal is not None
    reason, key, params = refusal
    assert "1.48x the size" in reason
    assert words(Translator("vi"), key, params) == (
        "Mẫu thermal-50x30-300 dành cho máy 300 dpi; máy in zebra-a in 203 dpi "
        "(nhãn sẽ sai cỡ, mã QR bị cắt)."
    )
