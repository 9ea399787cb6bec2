"""The stocktake record (biên bản kiểm kê vật chứng, tài sản tạm giữ), built on the document
engine (``documents``; layout ``documents/layouts/stocktake_record.toml``).

What it states (Circular 04/2023 Art. 11(4); vn-legal-context §3.6, §7 Inventory record;
vn-documents-review "Stocktake record"): the hour, day, month and year in words, local time;
which period (quarter, half-year, year, or a spot check); the warehouse and location; the
participants with their positions; per item its name, the quantity recorded and found, its
condition and seal, where it was recorded and found, the outcome ("seen without a location
scan" apart); each discrepancy with its cause and measures; the damaged and unknown labels
scanned; copies and the signatures of the storekeeper, the accountant and the head.

Closed, the record is made final once (numbered, bytes and SHA-256 kept) and served as
stored; open, or in English, it is rendered as it stands, marked a draft or a translation.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reportlab.platypus import Flowable
from sqlalchemy import nulls_first
from sqlmodel import Session, col, select

from .. import custodians
from .. import documents as d
from ..checkpoints import current_anchor
from ..documents import Column, Document, Signer
from ..i18n import Translator, translator
from ..i18n.formatting import local_day
from ..legal.deadlines import load_table
from ..models import (
    Checkout,
    Discrepancy,
    ExitKind,
    ExitSlip,
    Handover,
    HandoverLine,
    Item,
    LegalRegime,
    Location,
    OfficialDocument,
    Outcome,
    Stocktake,
    StocktakeLine,
    StocktakeScan,
    User,
    Warehouse,
)
from ..people import person_key
from .workflow import (
    SEEN_WHILE_CHECKED_OUT,
    checked_out_on_book,
    get_status,
    shown_counts,
    shown_outcome,
)

KIND = "stocktake_record"
SIGNERS = ("keeper", "accountant", "head")
SCAN_KINDS = ("damaged", "unknown_item", "unknown_location")
# Outcomes in which the item was seen: its quantity found is the recorded one unless counted.
SEEN = {Outcome.verified, Outcome.misplaced, Outcome.unexpected, Outcome.unlocated}


def subject(stocktake_id: int) -> str:
    return f"stocktake:{stocktake_id}"


def period(stocktake: Stocktake, t: Translator) -> str:
    """Which count this is: "6 tháng cuối năm 2026", "quý IV", the year, or a spot check."""
    day = local_day(stocktake.started_at)
    if stocktake.kind == "six_monthly":
        key = "period_first_half" if day.month <= 6 else "period_second_half"
        return t(f"docs_stocktake.{key}", year=day.year)
    if stocktake.kind == "quarterly":
        quarter = ("I", "II", "III", "IV")[(day.month - 1) // 3]
        return t("docs_stocktake.period_quarterly", quarter=quarter, year=day.year)
    if stocktake.kind == "yearly":
        return t("docs_stocktake.period_yearly", year=day.year)
    return t("docs_stocktake.period_spot_check")


@dataclass
class _Facts:
    stocktake: Stocktake
    warehouse: Warehouse
    location: Location | None
    lines: list[tuple[StocktakeLine, Item | None]]
    discrepancies: list[tuple[Discrepancy, Item]]
    scans: list[StocktakeScan]
    codes: dict[int, str]
    expected: int
    seen_expected: int
    away: list[tuple[Item, Checkout, str | None]]
    # Items the warehouse's outside custodian keeps for the agency (custody in place, items
    # left with others), each with the handover that left it there, if any.
    kept: list[tuple[Item, Handover | None]]
    # Items the book had as checked out when the count started (``workflow``).
    checked_out: set[int]

    def shown(self, line: StocktakeLine) -> str:
        return shown_outcome(line.outcome, line.item_id, self.checked_out)


def _facts(session: Session, stocktake: Stocktake, actor: User) -> _Facts:
    assert stocktake.id is not None
    status = get_status(session, stocktake.id, actor)
    warehouse = session.get(Warehouse, stocktake.warehouse_id)
    assert warehouse is not None
    location = session.get(Location, stocktake.location_id) if stocktake.location_id else None
    lines: list[tuple[StocktakeLine, Item | None]] = [
        (line, item)
        for line, item in session.exec(
            select(StocktakeLine, Item)
            .outerjoin(Item, col(Item.id) == StocktakeLine.item_id)
            .where(StocktakeLine.stocktake_id == stocktake.id)
            # Labels of no item first, on every database (NULLs sort last on PostgreSQL).
            .order_by(
                col(StocktakeLine.outcome),
                nulls_first(col(Item.code)),
                col(StocktakeLine.label),
            )
        ).all()
    ]
    discrepancies = [
        (row, item)
        for row, item in session.exec(
            select(Discrepancy, Item)
            .join(Item, col(Item.id) == Discrepancy.item_id)
            .where(Discrepancy.stocktake_id == stocktake.id)
            .order_by(col(Item.code))
        ).all()
    ]
    scans = list(
        session.exec(
            select(StocktakeScan)
            .where(
                StocktakeScan.stocktake_id == stocktake.id,
                col(StocktakeScan.kind).in_(SCAN_KINDS),
            )
            .order_by(col(StocktakeScan.id))
        ).all()
    )
    codes = dict(
        session.execute(
            select(Location.id, Location.code).where(Location.warehouse_id == warehouse.id)
        ).all()  # type: ignore[arg-type]
    )
    return _Facts(
        stocktake,
        warehouse,
        location,
        lines,
        discrepancies,
        scans,
        codes,
        status.expected,
        status.seen_expected,
        _away(session, stocktake, [item for line, item in lines if _held_away(line, item)]),
        _kept(session, stocktake, warehouse, lines),
        checked_out_on_book(session, stocktake.id),
    )


def _kept(
    session: Session,
    stocktake: Stocktake,
    warehouse: Warehouse,
    lines: list[tuple[StocktakeLine, Item | None]],
) -> list[tuple[Item, Handover | None]]:
    """The counted items an outside custodian keeps (its warehouse is held by others,
    ``custodians``): those of ``custodians.items_held_by_others`` this count covers (a
    stocktake is of one warehouse, or a location or a sample of it: its lines), each with the
    last handover that left it with the custodian (since when)."""
    if not custodians.held_by_others(warehouse):
        return []
    counted = {item.id for _, item in lines if item is not None}
    held = custodians.items_held_by_others(
        session, [stocktake.agency_id], warehouse_id=warehouse.id
    )
    out: list[tuple[Item, Handover | None]] = []
    for item, _ in held:
        if item.id not in counted:
            continue
        handover = session.exec(
            select(Handover)
            .join(HandoverLine, col(HandoverLine.handover_id) == Handover.id)
            .where(HandoverLine.item_id == item.id, col(Handover.custodian).is_not(None))
            .order_by(col(Handover.id).desc())
        ).first()
        out.append((item, handover))
    return out


def _held_away(line: StocktakeLine, item: Item | None) -> bool:
    return item is not None and line.outcome == Outcome.checked_out


def _away(
    session: Session, stocktake: Stocktake, items: list[Item | None]
) -> list[tuple[Item, Checkout, str | None]]:
    """The items out with another body when the count closed (outcome "checked out"): each
    with the check-out that had it then and the exit slip of that check-out."""
    at = stocktake.closed_at or stocktake.started_at
    out = []
    for item in items:
        assert item is not None
        checkout = session.exec(
            select(Checkout)
            .where(Checkout.item_id == item.id, col(Checkout.checked_out_at) <= at)
            .order_by(col(Checkout.id).desc())
        ).first()
        if checkout is None:
            continue
        slip = session.exec(
            select(ExitSlip.number)
            .where(
                ExitSlip.item_id == item.id,
                ExitSlip.kind == ExitKind.check_out,
                col(ExitSlip.issued_at) <= at,
            )
            .order_by(col(ExitSlip.id).desc())
        ).first()
        out.append((item, checkout, slip))
    return out


def _opening(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    where = t("docs_stocktake.opening_location", location=f.location.code) if f.location else ""
    text = t(
        "docs_stocktake.opening",
        moment=d.moment_words(t, f.stocktake.started_at),
        warehouse=f.warehouse.name,
        code=f.warehouse.code,
        location=where,
    )
    return [*d.basis(doc), d.spacer(2), d.para(text)]


@dataclass
class _Person:
    """One who takes part: a row of section I and a signature block."""

    name: str
    position: str  # position, organisation ("" for none)
    role: str  # the role's words (title), as the row's "Nhiệm vụ" and the block's capacity


def _role_words(role: str, t: Translator) -> str:
    """A role typed as a signer's code ("head", "keeper", "accountant") read as its title."""
    code = role.strip().casefold()
    return t(f"docs_stocktake.role_{code}") if code in SIGNERS else role.strip()


def _joined(*parts: str) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _people(f: _Facts, t: Translator) -> list[_Person]:
    """The three signers first, each with their position (else their role's title); then the
    other participants. A participant who is a signer (the same person, ``people.py``) is
    that signer, with the position and organisation given there: listed and signing once."""
    signers = f.stocktake.signers or {}
    participants = list(f.stocktake.participants or [])
    people = []
    for role in SIGNERS:
        name = signers.get(role) or ""
        same = [
            p for p in participants if name and person_key(p.get("name", "")) == person_key(name)
        ]
        participants = [p for p in participants if p not in same]
        position = signers.get(f"{role}_position", "").strip()
        for p in same:
            position = position or p.get("position", "").strip()
        organisation = next((p["organisation"] for p in same if p.get("organisation")), "")
        title = t(f"docs_stocktake.role_{role}")
        people.append(_Person(name, _joined(position or title, organisation), title))
    for p in participants:
        people.append(
            _Person(
                p.get("name", ""),
                _joined(p.get("position", ""), p.get("organisation", "")),
                _role_words(p.get("role", ""), t),
            )
        )
    return people


def _participants(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    rows: list[list[Any]] = [[p.name or "……………", p.position, p.role] for p in _people(f, t)]
    if _custodian_signs(f, doc):
        w = f.warehouse
        rows.append(
            [
                w.custodian_representative or "……………",
                ", ".join(p for p in (w.custodian_position, w.custodian_name) if p),
                t("custody15_stocktake.sign_custodian"),
            ]
        )
    columns = [
        Column(t("docs_stocktake.col_no"), 10, right=True),
        Column(t("docs_stocktake.name"), 55),
        Column(t("docs_stocktake.position"), 55),
        Column(t("docs_stocktake.role"), 55),
    ]
    return [
        d.heading(t("docs_stocktake.participants")),
        d.table(columns, [[n, *r] for n, r in enumerate(rows, 1)]),
    ]


def _totals(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    counts = f.stocktake.counts or {}
    outcomes = [o.value for o in Outcome]
    columns = [Column(t("docs_stocktake.expected"), 19, right=True)]
    columns.append(Column(t("docs_stocktake.seen"), 19, right=True))
    columns += [Column(t(f"docs_stocktake.outcome_{o}"), 19, right=True) for o in outcomes]
    columns.append(Column(t("docs_stocktake.seal_broken_count"), 23, right=True))
    # Items of the book recorded as checked out but found here are no "not in the book":
    # counted apart, under "checked out" (their return not recorded).
    shown = shown_counts(counts, [f.shown(line) for line, _ in f.lines])
    row = [t.number(f.expected), t.number(f.seen_expected)]
    row += [t.number(shown.get(o, 0)) for o in outcomes]
    if present := shown[SEEN_WHILE_CHECKED_OUT]:
        away = outcomes.index(Outcome.checked_out.value) + 2
        row[away] += "\n" + t("stocktake15b_record.present_count", count=t.number(present))
    row.append(t.number(counts.get("seal_broken", 0)))
    return [d.heading(t("docs_stocktake.results")), d.table(columns, [row])]


def _seal(state: str | None, item: Item | None, t: Translator) -> str:
    if state in ("intact", "broken"):
        text = t(f"docs_stocktake.seal_{state}")
    elif item is not None and item.seal_state in ("intact", "broken"):
        text = t(f"docs_stocktake.seal_{item.seal_state}")
    else:
        text = t("docs_stocktake.seal_unsealed")
    number = item.seal_number if item is not None else None
    return f"{number}\n{text}" if number else text


def _details(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    none = t("docs_engine.none")
    rows = []
    for n, (line, item) in enumerate(f.lines, 1):
        outcome = Outcome(line.outcome)
        if item is None:
            name, recorded, found, condition = line.label or none, none, none, none
        else:
            unit = t.maybe(f"unit.{item.unit}", item.unit)
            recorded = f"{t.number(item.quantity)} {unit}"
            counted = line.quantity_found
            if counted is None and outcome in SEEN:
                counted = item.quantity
            found = none if counted is None else f"{t.number(counted)} {unit}"
            if outcome == Outcome.missing:
                found = f"0 {unit}"
            condition = line.condition or item.condition or none
            weight = t.weight(item.net_weight_g)
            name = f"{item.description}\n{item.code}" + (f"\n{weight}" if weight else "")
        place = (
            f"{f.codes.get(line.expected_location_id or -1, none)}\n"
            f"{f.codes.get(line.seen_location_id or -1, none)}"
        )
        rows.append(
            [
                n,
                name,
                recorded,
                found,
                condition,
                _seal(line.seal_state, item, t),
                place,
                _outcome_words(f.shown(line), t),
            ]
        )
    columns = [
        Column(t("docs_stocktake.col_no"), 9, right=True),
        Column(t("docs_stocktake.col_item"), 38),
        Column(t("docs_stocktake.col_recorded"), 18, right=True),
        Column(t("docs_stocktake.col_found"), 18, right=True),
        Column(t("docs_stocktake.col_condition"), 27),
        Column(t("docs_stocktake.col_seal"), 22),
        Column(t("docs_stocktake.col_place"), 21),
        Column(t("docs_stocktake.col_outcome"), 22),
    ]
    out: list[Flowable] = [d.heading(t("docs_stocktake.details")), d.table(columns, rows)]
    present = [
        item.code
        for line, item in f.lines
        if item is not None and f.shown(line) == SEEN_WHILE_CHECKED_OUT
    ]
    if present:
        note = t("stocktake15b_record.return_not_recorded", codes=", ".join(present))
        out += [d.spacer(2), d.para(note)]
    return out


def _outcome_words(shown: str, t: Translator) -> str:
    if shown == SEEN_WHILE_CHECKED_OUT:
        return t("stocktake15b_record.outcome_seen_while_checked_out")
    return t(f"docs_stocktake.outcome_{shown}")


def _held_by_others(f: _Facts, doc: Document) -> list[Flowable]:
    """IV. Items in the keeping of another body: checked out (here), or kept by the outside
    custodian of the warehouse (``_kept_in_place``). Checked out: who, since when, under which
    document (the requester's and the exit slip), until when."""
    t = doc.t
    out: list[Flowable] = [d.heading(t("stocktake15b_record.away"))]
    if not f.away:
        # Items an outside custodian keeps follow (``_kept_in_place``): then not "none".
        return out if f.kept else [*out, d.para(t("docs15_stocktake.no_away"))]
    rows = []
    for n, (item, checkout, slip) in enumerate(f.away, 1):
        documents = [t("docs15_stocktake.away_request", number=checkout.document_number)]
        if slip:
            documents.append(t("docs15_stocktake.away_slip", number=slip))
        purpose = t.maybe(f"purpose.{checkout.purpose}", checkout.purpose)
        rows.append(
            [
                n,
                f"{item.description}\n{item.code}\n{t.quantity(item.quantity, item.unit)}",
                f"{checkout.recipient}\n({purpose})",
                t.date(checkout.checked_out_at),
                "\n".join(documents),
                # The day asked for (check-outs store it as that day's end in UTC).
                t.date(checkout.due_at.astimezone(UTC).date()),
            ]
        )
    columns = [
        Column(t("docs_stocktake.col_no"), 9, right=True),
        Column(t("docs_stocktake.col_item"), 42),
        Column(t("docs15_stocktake.col_holder"), 40),
        Column(t("docs15_stocktake.col_since"), 20),
        Column(t("docs15_stocktake.col_document"), 44),
        Column(t("docs15_stocktake.col_due"), 20),
    ]
    return [*out, d.table(columns, rows)]


def _kept_in_place(f: _Facts, doc: Document) -> list[Flowable]:
    """IV (cont.). Items the warehouse's outside custodian keeps for the agency: the
    custodian, the place, since when (the handover that left them there), quantity, weight
    and condition as recorded (Decree 152/2026 Art. 38: the custodian inventories with the
    agency every 6 months and every year, vn-legal-context §3.3; Circular 01/2017 Art. 12(2)
    for items left with others, §3.5)."""
    if not f.kept:
        return []
    t = doc.t
    w = f.warehouse
    custodian = f"{w.custodian_name}\n({t(f'lead_custodian_kind.{w.custodian_kind}')})" + (
        f"\n{t('custody15_stocktake.contract', contract=w.custody_contract)}"
        if w.custody_contract
        else ""
    )
    rows = []
    for n, (item, handover) in enumerate(f.kept, 1):
        if handover is not None:
            since = t.date(handover.handed_over_at)
            if handover.record_number:
                since += "\n" + t("custody15_stocktake.record", number=handover.record_number)
        else:
            since = t.date(item.received_at) if item.received_at else t("docs_engine.none")
        weight = t.weight(item.net_weight_g)
        rows.append(
            [
                n,
                f"{item.description}\n{item.code}",
                t.quantity(item.quantity, item.unit) + (f"\n{weight}" if weight else ""),
                item.condition or t("docs_engine.none"),
                custodian,
                f"{w.name}"
                + (f", {w.address}" if w.address else "")
                + (f"\n{f.codes[item.location_id]}" if item.location_id in f.codes else ""),
                since,
            ]
        )
    columns = [
        Column(t("docs_stocktake.col_no"), 9, right=True),
        Column(t("docs_stocktake.col_item"), 36),
        Column(t("custody15_stocktake.col_quantity"), 22, right=True),
        Column(t("docs_stocktake.col_condition"), 26),
        Column(t("custody15_stocktake.col_custodian"), 30),
        Column(t("custody15_stocktake.col_place"), 30),
        Column(t("custody15_stocktake.col_since"), 22),
    ]
    return [
        d.para(t("custody15_stocktake.kept", count=len(f.kept), name=w.custodian_name)),
        d.table(columns, rows),
    ]


def _custodian_signs(f: _Facts, doc: Document) -> bool:
    """From 01/07/2026 the custodian body reviews and lists the stock with the agency every
    6 months and every year (Decree 152/2026 Art. 38, vn-legal-context §3.3): its
    representative signs the inventory of the items it keeps. Before then no rule has it sign
    an inventory (the monthly check record of Circular 01/2017 Art. 12(2) is another
    record)."""
    return bool(f.kept) and doc.regime == LegalRegime.from_2026_07_01


def _discrepancies(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    out: list[Flowable] = [d.heading(t("docs15_stocktake.discrepancies"))]
    if not f.discrepancies:
        return [*out, d.para(t("docs_stocktake.no_discrepancies"))]
    unknown = t("docs_stocktake.not_stated")
    # One row per item: a broken seal and a shortfall of one item share their finding.
    by_item: dict[int | None, list[tuple[Discrepancy, Item]]] = {}
    for row, item in f.discrepancies:
        by_item.setdefault(item.id, []).append((row, item))
    rows = [
        [
            n,
            f"{found[0][1].description}\n{found[0][1].code}",
            "\n".join(t(f"docs_stocktake.kind_{row.kind}") for row, _ in found),
            found[0][0].cause or unknown,
            found[0][0].measures or unknown,
        ]
        for n, found in enumerate(by_item.values(), 1)
    ]
    columns = [
        Column(t("docs_stocktake.col_no"), 9, right=True),
        Column(t("docs_stocktake.col_item"), 38),
        Column(t("docs_stocktake.col_kind"), 28),
        Column(t("docs_stocktake.col_cause"), 50),
        Column(t("docs_stocktake.col_measures"), 50),
    ]
    return [*out, d.table(columns, rows)]


def _scans(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    out: list[Flowable] = [d.heading(t("docs15_stocktake.scans"))]
    if not f.scans:
        return [*out, d.para(t("docs_stocktake.no_scans"))]
    rows = [
        [n, t.datetime(s.scanned_at), s.raw, t(f"docs_stocktake.scan_{s.kind}")]
        for n, s in enumerate(f.scans, 1)
    ]
    columns = [
        Column(t("docs_stocktake.col_no"), 9, right=True),
        Column(t("docs_stocktake.col_time"), 30),
        Column(t("docs_stocktake.col_label"), 80),
        Column(t("docs_stocktake.col_scan_kind"), 56),
    ]
    return [*out, d.table(columns, rows)]


def _closing(f: _Facts, doc: Document) -> list[Flowable]:
    t = doc.t
    if f.stocktake.closed_at is None:
        ended = t("docs_stocktake.state_open")
    else:
        ended = t(
            "docs_stocktake.ended",
            moment=d.moment_words(t, f.stocktake.closed_at, mid_sentence=True),
        )
    people = [
        # The capacity is the role; the line under it the position, if it says more.
        Signer(p.role or p.position, p.name, "" if p.position == p.role else p.position)
        for p in _people(f, t)
    ]
    if _custodian_signs(f, doc):
        w = f.warehouse
        people.append(
            Signer(
                t("custody15_stocktake.sign_custodian"),
                w.custodian_representative,
                ", ".join(p for p in (w.custodian_position, w.custodian_name) if p),
            )
        )
    return [
        d.spacer(2),
        d.para(ended),
        *d.copies(doc),
        d.heading(t("docs15_stocktake.signatures")),
        *d.signatures(t, people),
    ]


SECTIONS = [
    _opening,
    _participants,
    _totals,
    _details,
    _held_by_others,
    _kept_in_place,
    _discrepancies,
    _scans,
    _closing,
]


def _render(
    session: Session,
    stocktake: Stocktake,
    actor: User,
    lang: str,
    number: str | None,
    chain_head: str,
) -> bytes:
    t = translator(lang)
    facts = _facts(session, stocktake, actor)
    moment: datetime = stocktake.closed_at or stocktake.started_at
    day = local_day(moment)
    doc = Document(
        kind=KIND,
        lang=lang,
        agency=d.agency_header(session, stocktake.agency_id),
        day=day,
        number=number,
        regime=load_table().regime_on(day),
        chain_head=chain_head,
        draft=stocktake.status != "closed",
        subtitle=period(stocktake, t),
    )
    body: list[Flowable] = []
    for section in SECTIONS:
        body += section(facts, doc)
    return d.render(doc, body)


def finalise_record(session: Session, stocktake: Stocktake, actor: User) -> OfficialDocument:
    """Number the closed count's record and keep it (``documents.finalise``)."""
    assert stocktake.id is not None
    head = current_anchor(session).printed()
    return d.finalise(
        session,
        KIND,
        stocktake.agency_id,
        subject(stocktake.id),
        lambda number: _render(session, stocktake, actor, "vi", number.printed, head),
        actor,
    )


@dataclass(frozen=True)
class Record:
    pdf: bytes
    sha256: str | None  # the stored record's only


def record(session: Session, stocktake_id: int, actor: User, lang: str = "vi") -> Record:
    """The stored record of a closed count (Vietnamese); otherwise a rendering as it stands:
    a draft while open, a translation in English (with the final number)."""
    get_status(session, stocktake_id, actor)  # the reader's agency may see it, or 404
    stocktake = session.get(Stocktake, stocktake_id)
    assert stocktake is not None
    final = d.stored(session, KIND, subject(stocktake_id))
    if final is not None and lang == "vi":
        return Record(final.pdf, final.sha256)
    head = current_anchor(session).printed()
    number = final.number if final else None
    return Record(_render(session, stocktake, actor, lang, number, head), None)


def render(session: Session, stocktake_id: int, actor: User, lang: str = "vi") -> bytes:
    return record(session, stocktake_id, actor, lang).pdf
