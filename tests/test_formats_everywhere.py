"""One formatter per locale, in every face: the same item of 39 125 g reads ``39,125 kg`` in
every Vietnamese output (web page, destruction record, stocktake record, ledger XLSX and PDF,
CSV) and ``39.125 kg`` in English, while what machines read stays machine-readable."""

import csv
import io

import openpyxl
import pytest

from evidence_service.i18n import XLSX_KG_FORMAT, formatter
from evidence_service.payload import make_payload
from tests.factories import make_item
from tests.test_destruction import executed_batch, pdf_text
from tests.test_stocktakes import _close, _scan, _start
from tests.test_web import log_in

GRAMS = 39125.0
READS = {"vi": "39,125 kg", "en": "39.125 kg"}
API = "/api/v1"


@pytest.fixture
def item(session, world):
    return make_item(
        session, world, description="Cần sa khô", net_weight_g=GRAMS, gross_weight_g=None
    )


def _web(client, lang):
    token = log_in(client, "manager")
    client.post("/lang", data={"lang": lang, "csrf_token": token, "next": "/"})
    return client


def xlsx_display(cell, lang):
    """The text a spreadsheet shows for a kilogram cell in the reader's own separators."""
    assert isinstance(cell.value, float) and cell.number_format == XLSX_KG_FORMAT
    return f"{formatter(lang).number(cell.value, 3, fixed=True)} kg"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_weight_reads_the_same_in_every_output(client, session, world, item, lang):
    reads, other = READS[lang], READS["en" if lang == "vi" else "vi"]
    headers = world.headers()

    stocktake = _start(client, world)["id"]
    assert _scan(client, world, stocktake, make_payload("item", item.code)).status_code == 200
    assert _close(client, world, stocktake).status_code == 200
    record = client.get(f"{API}/stocktakes/{stocktake}/record.pdf?lang={lang}", headers=headers)
    assert reads in pdf_text(record.content)

    ledger = client.get(f"{API}/exports/ledger", params={"lang": lang}, headers=headers)
    sheet = openpyxl.load_workbook(io.BytesIO(ledger.content)).active
    line = next(row for row in sheet.iter_rows(min_row=2) if row[5].value == item.code)
    assert xlsx_display(line[9], lang) == reads
    ledger_pdf = client.get(
        f"{API}/exports/ledger", params={"lang": lang, "format": "pdf"}, headers=headers
    )
    assert reads in pdf_text(ledger_pdf.content)

    batch = executed_batch(client, world, [item])
    destruction = client.get(
        f"{API}/destruction-batches/{batch['id']}/record.pdf?lang={lang}", headers=headers
    )
    text = pdf_text(destruction.content)
    assert reads in text and other not in text

    web = _web(client, lang)
    page = web.get(f"/items/{item.code}").text
    assert reads in page and other not in page
    people_csv = web.get("/dashboard/destruction.csv").text
    assert reads in people_csv and other not in people_csv


def test_the_api_csv_stays_machine_readable(client, world, item):
    executed_batch(client, world, [item])
    response = client.get(
        f"{API}/reports/destruction", params={"format": "csv"}, headers=world.headers()
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = next(r for r in rows if r["section"] == "total")
    assert total["weight_kg"] == "39.125"  # a decimal point and no unit, for programs
