"""The record of a monthly check of items held by others, through the document engine
(layout ``documents/layouts/custody_check_record.toml``; its form name and number code are
to be confirmed: the reference gives neither). Fields: Circular 01/2017 Art. 12(2) (the
time, the items' names, quantities and condition; signed by the accountant, the storekeeper,
the head and the custodian), vn-legal-context §3.5, §7."""

from collections.abc import Callable
from dataclasses import replace

from reportlab.platypus import Flowable
from sqlmodel import Session

from .. import documents as docs
from ..checkpoints import current_anchor
from ..i18n import Translator
from ..i18n.formatting import local_day
from ..models import CustodyCheck, Warehouse

KIND = "custody_check_record"
SIGN_ORDER = ("custodian", "keeper", "accountant", "head")


def subject(row: CustodyCheck) -> str:
    return f"custody_check:{row.id}"


def _document(session: Session, row: CustodyCheck, lang: str) -> docs.Document:
    custodian = row.custodian.get("name") or "…"
    return docs.Document(
        kind=KIND,
        lang=lang,
        agency=docs.agency_header(session, row.agency_id),
        day=local_day(row.checked_at),
        number=row.number,
        chain_head=current_anchor(session).printed(),
        title_values={"custodian": custodian.upper() if lang == "vi" else custodian},
    )


def _qty(t: Translator, value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{t.number(value)} {t.maybe(f'unit.{unit}', unit)}"


def _body(doc: docs.Document, row: CustodyCheck, warehouse: Warehouse) -> list[Flowable]:
    t = doc.t
    c = row.custodian
    kind = t.maybe(f"lead_custodian_kind.{c.get('kind')}", str(c.get("kind") or ""))
    out: list[Flowable] = [
        *docs.basis(doc),
        docs.para(
            t(
                "checks15_record.opening",
                moment=docs.moment_words(t, row.checked_at),
                place=row.place,
            )
        ),
        docs.heading(t("checks15_record.participants")),
        *docs.bullets(
            [
                t(
                    "checks15_record.participant",
                    role=t(f"checks15_role.{p['role']}"),
                    name=p["name"],
                    position=p.get("position") or "…",
                )
                for p in row.participants
            ]
        ),
        docs.heading(t("checks15_record.custodian_heading")),
        docs.pairs(
            [
                (t("checks15_record.custodian_kind"), kind),
                (t("checks15_record.custodian_name"), c.get("name") or "…"),
                (
                    t("checks15_record.custodian_representative"),
                    t(
                        "checks15_record.representative_value",
                        name=c.get("representative") or "…",
                        position=c.get("position") or "…",
                    ),
                ),
                (t("checks15_record.contract"), c.get("contract") or t("checks15_record.none")),
                (
                    t("checks15_record.warehouse"),
                    f"{warehouse.name} ({warehouse.code})",
                ),
            ]
        ),
        docs.heading(t("checks15_record.items_heading")),
    ]
    C = docs.Column
    columns = [
        C(t("checks15_record.col_no"), 9),
        C(t("checks15_record.col_code"), 25),
        C(t("checks15_record.col_item"), 25),
        C(t("checks15_record.col_unit"), 11),
        C(t("checks15_record.col_quantity"), 15, right=True),
        C(t("checks15_record.col_quantity_found"), 15, right=True),
        C(t("checks15_record.col_weight"), 16, right=True),
        C(t("checks15_record.col_condition"), 20),
        C(t("checks15_record.col_condition_found"), 20),
        C(t("checks15_record.col_note"), 19),
    ]
    rows = []
    for n, line in enumerate(row.lines, 1):
        unit = line["unit"]
        note = line["note"]
        if line["discrepancy"]:
            flag = t("checks15_record.missing" if not line["found"] else "checks15_record.differs")
            note = f"{flag}. {note}" if note else flag
        rows.append(
            [
                str(n),
                line["code"],
                line["description"],
                t.maybe(f"unit.{unit}", unit),
                t.number(line["quantity"]),
                t.number(line["quantity_found"])
                if line["found"]
                else t("checks15_record.not_found"),
                t.weight(line["net_weight_g"]) if line["net_weight_g"] is not None else "",
                line["condition"] or "…",
                (line["condition_found"] or "…") if line["found"] else "",
                note,
            ]
        )
    out.append(docs.table(columns, rows))
    out.append(docs.heading(t("checks15_record.conclusion_heading")))
    found = sum(1 for line in row.lines if line["found"])
    if row.discrepancies:
        out.append(
            docs.para(
                t(
                    "checks15_record.summary_discrepancies",
                    count=len(row.lines),
                    found=found,
                    discrepancies=row.discrepancies,
                )
            )
        )
        out += docs.bullets(
            [
                t(
                    "checks15_record.discrepancy_missing"
                    if not line["found"]
                    else "checks15_record.discrepancy_line",
                    code=line["code"],
                    description=line["description"],
                    recorded=_qty(t, line["quantity"], line["unit"]),
                    quantity=_qty(t, line["quantity_found"], line["unit"]),
                    condition=line["condition"] or "…",
                    condition_found=line["condition_found"] or "…",
                )
                for line in row.lines
                if line["discrepancy"]
            ]
        )
    else:
        out.append(docs.para(t("checks15_record.summary_ok", count=len(row.lines))))
    if row.conclusion:
        out.append(docs.para(row.conclusion))
    if row.notes:
        out.append(docs.para(t("checks15_record.notes", notes=row.notes)))
    out += [docs.para(t("checks15_record.closing")), *docs.copies(doc)]
    signers = []
    for role in SIGN_ORDER:
        for p in row.participants:
            if p["role"] == role:
                signers.append(
                    docs.Signer(t(f"checks15_role.{role}"), p["name"], p.get("position") or "")
                )
    signers += [
        docs.Signer(p.get("position") or t("checks15_role.other"), p["name"])
        for p in row.participants
        if p["role"] == "other"
    ]
    return out + docs.signatures(t, signers)


def draw(
    session: Session, row: CustodyCheck, warehouse: Warehouse, lang: str
) -> Callable[[str | None], bytes]:
    """A drawer of the record: given its printed number (None: the draft's "…")."""
    doc = _document(session, row, lang)
    body = _body(doc, row, warehouse)

    def render(number: str | None) -> bytes:
        return docs.render(replace(doc, number=number), body)

    return render


def render(session: Session, row: CustodyCheck, lang: str) -> bytes:
    """The record drawn now (``?lang=en``: the translation; the Vietnamese one is stored)."""
    warehouse = session.get(Warehouse, row.warehouse_id)
    assert warehouse is not None
    return draw(session, row, warehouse, lang)(row.number)
