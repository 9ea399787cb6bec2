"""Database tables. API schemas live with their domain module.

Hard invariants are in the database too (NOT NULL, UNIQUE, CHECK, FK), so a bug in the
code or a hand-written SQL statement cannot store an impossible record.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps in UTC, timezone-aware in Python on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store timestamps in UTC with a zone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kw))


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    keeper = "keeper"
    council = "council"
    auditor = "auditor"


class Category(StrEnum):
    drug = "drug"
    fireworks = "fireworks"
    chemical = "chemical"
    weapon = "weapon"
    vehicle = "vehicle"
    cash = "cash"
    document = "document"
    other = "other"


class ItemStatus(StrEnum):
    received = "received"
    stored = "stored"
    checked_out = "checked_out"
    pending_destruction = "pending_destruction"
    destroyed = "destroyed"
    released = "released"
    transferred = "transferred"
    # Two people for every exit: asked for, not yet confirmed (still on its shelf, in stock).
    pending_release = "pending_release"
    # Confirmed transfer, until the receiving agency's keeper scans it in (still in stock).
    in_transit = "in_transit"
    # Missing at a count and written off by the head's decision: out of stock.
    written_off = "written_off"


class Disposition(StrEnum):
    destroy = "destroy"
    confiscate = "confiscate"
    return_to_owner = "return_to_owner"
    sell = "sell"
    keep_with_file = "keep_with_file"
    # Money goes to the agency's State Treasury account, never to destruction
    # (vn-legal-context §2.1, §2.3(1)).
    deposit_to_treasury = "deposit_to_treasury"
    pending = "pending"


class JudgmentLevel(StrEnum):
    # The chain of judgments of one case (vn-legal-context §5.2).
    first_instance = "first_instance"
    appeal = "appeal"
    review = "review"  # cassation (giám đốc thẩm) or reopening (tái thẩm)


class AttachmentKind(StrEnum):
    # The acts of the case file (vn-legal-context §5.2, §7).
    transfer_decision = "transfer_decision"
    judgment = "judgment"
    enforcement_decision = "enforcement_decision"
    seizure_record = "seizure_record"
    forensic_conclusion = "forensic_conclusion"
    other = "other"


class UnitKind(StrEnum):
    count_ = "count"  # not "count": that would shadow str.count
    mass = "mass"
    volume = "volume"
    length = "length"


class SealState(StrEnum):
    intact = "intact"
    broken = "broken"  # torn (rách)
    unsealed = "unsealed"
    # Neither clearly intact nor torn (khả nghi): accepted only with a new forensic
    # conclusion, as a torn one (vn-legal-context §2.2(4), §2.3(3); §7 "nguyên vẹn / rách /
    # khả nghi").
    suspicious = "suspicious"


class LegalRegime(StrEnum):
    # Rules on handling exhibits changed on 2026-07-01; deadlines depend on which applies.
    before_2026_07_01 = "before_2026_07_01"
    from_2026_07_01 = "from_2026_07_01"


class LocationKind(StrEnum):
    building = "building"
    room = "room"
    zone = "zone"
    shelf = "shelf"
    bin = "bin"


class CustodianKind(StrEnum):
    """Who physically keeps a warehouse's items (data/custodian_kinds.toml says what each
    kind means for the law; vn-legal-context §2.3, §3.5)."""

    own = "own"  # the agency's own evidence warehouse
    rented = "rented"  # kho thuê, kept by the agency
    police = "police"  # the investigating body's evidence warehouse (custody in place)
    treasury = "treasury"  # Kho bạc Nhà nước
    specialised = "specialised"  # a specialised agency (weapons, explosives, poisons)
    owner = "owner"  # the owner or a relative
    local_authority = "local_authority"  # the commune authority
    hired = "hired"  # an organisation or person under a custody contract


class Agency(SQLModel, table=True):
    __tablename__ = "agencies"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    parent_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    created_at: datetime = _ts(nullable=False, default=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    # Bumped when the user is disabled or changes role: their older tokens stop working.
    token_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Two-factor sign-in: the confirmed TOTP secret (base32), and one being enrolled.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_pending: str | None = Field(default=None, max_length=64)
    created_at: datetime = _ts(nullable=False, default=utcnow)


class Warehouse(SQLModel, table=True):
    """A place where the agency's items are kept: its own or a rented warehouse, or the
    place of an outside custodian who keeps them for it (custody in place, Decree 152/2026
    Art. 37; items left with others, Circular 01/2017 Art. 12(2))."""

    __tablename__ = "warehouses"
    __table_args__ = (CheckConstraint(_in("custodian_kind", CustodianKind), name="custodian_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    custodian_kind: str = Field(
        default=CustodianKind.own, max_length=16, sa_column_kwargs={"server_default": "own"}
    )
    # The outside custodian (body, organisation or person), who signs for it and in what
    # position, and the custody or storage contract (number, date) where there is one.
    custodian_name: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    custodian_representative: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""}
    )
    custodian_position: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""}
    )
    custody_contract: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""}
    )
    created_at: datetime = _ts(nullable=False, default=utcnow)


class Location(SQLModel, table=True):
    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint(_in("kind", LocationKind), name="kind"),
        CheckConstraint("max_items IS NULL OR max_items > 0", name="max_items_positive"),
        CheckConstraint("max_weight_kg IS NULL OR max_weight_kg > 0", name="max_weight_positive"),
        CheckConstraint("max_volume_l IS NULL OR max_volume_l > 0", name="max_volume_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    # The code without separators: what the QR label carries. Unique so that two codes
    # differing only in dashes ("A-03" / "A0-3") cannot both exist.
    label_key: str = Field(max_length=32, unique=True)
    name: str = Field(default="", max_length=200)
    kind: str = Field(default=LocationKind.shelf, max_length=16)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="locations.id", index=True)
    # Materialised path of ids, "/3/17/42/", for subtree queries without recursion.
    path: str = Field(default="", max_length=500, index=True)
    max_items: int | None = None
    max_weight_kg: float | None = None
    max_volume_l: float | None = None
    allowed_hazard_classes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    secure: bool = Field(default=False)
    # Where items approved for destruction wait: they are the most often stolen.
    awaiting_destruction: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa_false()}
    )
    created_at: datetime = _ts(nullable=False, default=utcnow)


class Case(SQLModel, table=True):
    """A case as the agency receives it: usually on the procuracy's transfer decision, long
    before any judgment (vn-legal-context §2.1). The judgments and enforcement decisions are
    their own tables; ``judgment_number``, ``court`` and ``decision_*`` repeat the latest
    judgment and the first decision, for the faces that show one line per case."""

    __tablename__ = "cases"
    __table_args__ = (
        # A decision number restarts every year at every issuer, so it is unique only
        # together with both.
        UniqueConstraint("decision_issuer", "decision_year", "decision_number"),
        CheckConstraint(_in("legal_regime", LegalRegime), name="legal_regime"),
        CheckConstraint(_in("disposition", Disposition), name="disposition"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    judgment_number: str | None = Field(default=None, max_length=64, index=True)
    court: str | None = Field(default=None, max_length=200)
    decision_issuer: str | None = Field(default=None, max_length=200)
    decision_year: int | None = None
    decision_number: str | None = Field(default=None, max_length=32)
    # The procuracy's (or investigating body's) decision transferring the evidence.
    transfer_issuer: str | None = Field(default=None, max_length=200)
    transfer_number: str | None = Field(default=None, max_length=64)
    transfer_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    investigating_body: str | None = Field(default=None, max_length=200)
    legal_regime: str = Field(max_length=32)
    # The default for the case's items; each item's own comes from the judgment ordering it.
    disposition: str = Field(default=Disposition.pending, max_length=32)
    notes: str = Field(default="")
    created_at: datetime = _ts(nullable=False, default=utcnow)


class Judgment(SQLModel, table=True):
    """One judgment of a case's chain: first instance, appeal, review."""

    __tablename__ = "judgments"
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        CheckConstraint(_in("level", JudgmentLevel), name="level"),
        CheckConstraint(
            "effective_date IS NULL OR judgment_date IS NULL OR effective_date >= judgment_date",
            name="effective_after_date",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    number: str = Field(max_length=64, index=True)
    # NULL only on judgments migrated from cases that kept no date.
    judgment_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    court: str = Field(max_length=200)
    level: str = Field(max_length=16)
    effective_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    received_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)


class EnforcementDecision(SQLModel, table=True):
    """An enforcement decision (quyết định thi hành án). Its number restarts every year at
    every issuer (vn-legal-context §5.1). ``date`` is NULL when only the year is known
    (decisions recorded before dates were kept): the day is unknown, never invented."""

    __tablename__ = "enforcement_decisions"
    __table_args__ = (
        UniqueConstraint("issuer", "year", "number"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    issuer: str = Field(max_length=200)
    number: str = Field(max_length=32)
    year: int
    decision_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)

    @staticmethod
    def coded(number: str) -> bool:
        """A coded number ("112/QĐ-THADS") is whole: its year is said apart, never glued on
        ("112/QĐ-THADS/2026"); a bare number ("112") reads with its year ("112/2026")."""
        return "/" in number

    @staticmethod
    def short_reference(number: str, year: int) -> str:
        return number if EnforcementDecision.coded(number) else f"{number}/{year}"


class CaseAttachment(SQLModel, table=True):
    """A scanned act of the case file, kept whole with its SHA-256."""

    __tablename__ = "case_attachments"
    __table_args__ = (CheckConstraint(_in("kind", AttachmentKind), name="kind"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=32)
    title: str = Field(default="", max_length=300)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=64)
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = _ts(nullable=False, default=utcnow)


class AgencyUnit(SQLModel, table=True):
    """A unit an agency added to the built-in ones (data/units.toml), with its kind."""

    __tablename__ = "agency_units"
    __table_args__ = (
        UniqueConstraint("agency_id", "code"),
        CheckConstraint(_in("kind", UnitKind), name="kind"),
        CheckConstraint("factor > 0", name="factor_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    code: str = Field(max_length=16)
    kind: str = Field(max_length=8)
    # How many of the kind's base unit (piece, g, l, m) one of it is.
    factor: float = Field(default=1.0)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)


class ItemBase(SQLModel):
    """An item's own fields, declared once: the table (``Item``), what intake takes
    (``items.ItemCreate``) and what the API shows (``items.ItemPublic``) build on it. Table
    models skip validation, so the checks here act at the edge; the table CHECKs the rest."""

    category: Category = Field(sa_type=String(16), index=True)
    description: str = Field(min_length=1, max_length=1000)
    hazard_classes: list[str] = Field(
        default_factory=list, sa_type=JSON, nullable=False, schema_extra={"examples": [["1.4G"]]}
    )
    quantity: float = Field(gt=0)
    unit: str = Field(sa_type=String(16), schema_extra={"examples": ["pack"]})
    net_weight_g: float | None = Field(default=None, gt=0)
    gross_weight_g: float | None = Field(default=None, gt=0)
    volume_l: float | None = Field(default=None, gt=0)
    seal_number: str | None = Field(default=None, max_length=64)
    condition: str = Field(default="", max_length=500)
    handover_record_no: str | None = Field(default=None, max_length=64)
    entry_slip_no: str | None = Field(default=None, max_length=64)


class Item(ItemBase, table=True):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint(_in("category", Category), name="category"),
        CheckConstraint(_in("status", ItemStatus), name="status"),
        CheckConstraint(_in("disposition", Disposition), name="disposition"),
        CheckConstraint(_in("seal_state", SealState), name="seal_state"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("net_weight_g IS NULL OR net_weight_g >= 0", name="net_weight"),
        CheckConstraint("gross_weight_g IS NULL OR gross_weight_g >= 0", name="gross_weight"),
        CheckConstraint("volume_l IS NULL OR volume_l >= 0", name="volume"),
        CheckConstraint("version >= 1", name="version"),
        # Items on a shelf (items.lifecycle.ON_SHELF) have a place; others have none.
        CheckConstraint(
            "(status IN ('stored', 'pending_destruction', 'pending_release')) "
            "= (location_id IS NOT NULL)",
            name="location_matches_status",
        ),
        Index("uq_items_agency_external_ref", "agency_id", "external_ref", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    label_key: str = Field(max_length=32, unique=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    # What was recorded at intake, before any sample or reweighing.
    seized_net_weight_g: float | None = None
    seized_gross_weight_g: float | None = None
    seal_state: str = Field(default=SealState.unsealed, max_length=16)
    delivered_by_name: str = Field(default="", max_length=200)
    delivered_by_position: str = Field(default="", max_length=200)
    delivered_by_id_document: str = Field(default="", max_length=64)
    received_by_id: int = Field(foreign_key="users.id")
    disposition: str = Field(default=Disposition.pending, max_length=32)
    # The judgment that ordered the disposition, and the document carrying it out (for
    # cash: the deposit slip of the State Treasury account).
    disposition_judgment_id: int | None = Field(default=None, foreign_key="judgments.id")
    disposition_document: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=24, index=True)
    location_id: int | None = Field(default=None, foreign_key="locations.id", index=True)
    # Set on items split off another one (e.g. the part sent to the forensic lab).
    parent_item_id: int | None = Field(default=None, foreign_key="items.id")
    # The item's number in the ledger it was imported from; re-importing it finds it here.
    external_ref: str | None = Field(default=None, max_length=100)
    version: int = Field(default=1)
    received_at: datetime = _ts(nullable=False, default=utcnow)
    updated_at: datetime = _ts(nullable=False, default=utcnow)


class CustodyEvent(SQLModel, table=True):
    """Append-only: triggers refuse UPDATE and DELETE (see the first migration)."""

    __tablename__ = "custody_events"
    __table_args__ = (
        Index("ix_custody_events_subject", "subject", "subject_id"),
        UniqueConstraint("chain", "seq", name="uq_custody_events_chain_seq"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # The chain: 0 the common one (and every event from before the partition), else the
    # province's top-level agency id (``chains``).
    chain: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Position in its chain: contiguous from 1, so a removed event leaves a gap.
    seq: int
    # The item, or (with no item) the row ``subject_id`` of the table ``subject`` names.
    item_id: int | None = Field(default=None, foreign_key="items.id", index=True)
    event_type: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    occurred_at: datetime = _ts(nullable=False)
    from_location_id: int | None = Field(default=None, foreign_key="locations.id")
    to_location_id: int | None = Field(default=None, foreign_key="locations.id")
    reason: str = Field(default="")
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    subject: str | None = Field(default=None, max_length=40)
    subject_id: int | None = None
    # The key that signed the append this event is part of; the last event of each append
    # carries the Ed25519 signature over its seq and hash (``custody``).
    key_id: str | None = Field(default=None, max_length=16)
    signature: str | None = Field(default=None, max_length=100)


class Checkpoint(SQLModel, table=True):
    """The chain head at a moment, signed: written every N events and every hour (and to
    ``EVIDENCE_ANCHOR_DIR``), with the heads of the append-only logs."""

    __tablename__ = "checkpoints"
    id: int | None = Field(default=None, primary_key=True)
    events: int
    head_hash: str = Field(max_length=64)
    at: datetime = _ts(nullable=False, default=utcnow)
    logs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # chain → [seq, hash] of every chain's head; ``head_hash`` is then their Merkle root and
    # ``events`` their sum. None: a checkpoint of the one chain there was before 0018.
    chains: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    key_id: str = Field(max_length=16)
    signature: str = Field(max_length=100)


class LogChained(SQLModel):
    """Rows of an append-only log: each hashes the one before (``logchain``)."""

    seq: int | None = Field(default=None, unique=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class CodeCounter(SQLModel, table=True):
    """Per-year sequence for item codes, incremented under the write lock."""

    __tablename__ = "code_counters"
    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(default=0)


class OfficialDocument(SQLModel, table=True):
    """A document made final: its number (per kind, agency and year, taken at that moment),
    the bytes as issued and their SHA-256 (``documents.store``)."""

    __tablename__ = "official_documents"
    __table_args__ = (
        UniqueConstraint("kind", "agency_id", "year", "seq"),
        UniqueConstraint("kind", "subject", name="uq_official_documents_subject"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=48)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    year: int
    seq: int
    number: str = Field(max_length=64)
    # What the document is about, e.g. ``destruction_batch:12`` (one final document each).
    subject: str = Field(max_length=96, index=True)
    sha256: str = Field(max_length=64)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    finalised_by_id: int | None = Field(default=None, foreign_key="users.id")
    finalised_at: datetime = _ts(nullable=False, default=utcnow)


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    response_body: str
    created_at: datetime = _ts(nullable=False, default=utcnow, index=True)


class ScanResult(StrEnum):
    ok = "ok"
    damaged = "damaged"
    unknown_format = "unknown_format"
    not_found = "not_found"


class ScanLog(LogChained, table=True):
    """Every scan, whatever it found: who scanned what, when, and what came of it."""

    __tablename__ = "scan_log"
    __table_args__ = (CheckConstraint(_in("result", ScanResult), name="result"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    scanned_at: datetime = _ts(nullable=False, default=utcnow)
    raw: str = Field(max_length=500)
    kind: str | None = Field(default=None, max_length=16)
    code: str | None = Field(default=None, max_length=32)
    result: str = Field(max_length=16)


class Checkout(SQLModel, table=True):
    """An item taken out of the warehouse (trích xuất) for court, a lab or another agency."""

    __tablename__ = "checkouts"
    __table_args__ = (
        CheckConstraint(
            "returned_at IS NULL OR returned_at >= checked_out_at", name="return_after"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    recipient: str = Field(max_length=200)
    purpose: str = Field(max_length=32)
    document_number: str = Field(max_length=64)
    due_at: datetime = _ts(nullable=False)
    checked_out_at: datetime = _ts(nullable=False, default=utcnow)
    checked_out_by_id: int = Field(foreign_key="users.id")
    from_location_id: int = Field(foreign_key="locations.id")
    returned_at: datetime | None = _ts(nullable=True)
    returned_by_id: int | None = Field(default=None, foreign_key="users.id")
    returned_to_location_id: int | None = Field(default=None, foreign_key="locations.id")


class PhotoKind(StrEnum):
    item = "item"
    packaging = "packaging"
    seal = "seal"


class ItemPhoto(SQLModel, table=True):
    """A photo of an item, its packaging or its seal (intake, or later), kept as sent; its
    SHA-256 is also in the ``photo`` custody event that recorded it."""

    __tablename__ = "item_photos"
    __table_args__ = (
        CheckConstraint(_in("kind", PhotoKind), name="kind"),
        CheckConstraint("size_bytes > 0", name="size"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    kind: str = Field(max_length=16)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=32)
    size_bytes: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = _ts(nullable=False, default=utcnow)


class LocationUsage(SQLModel, table=True):
    """What each location holds itself (not its subtree), kept current by database triggers.

    One row per (location, category, disposition is "destroy"), counting only items whose
    status occupies space. Triggers on ``items`` (migration 0003) keep it in step with every
    INSERT, DELETE and UPDATE of the columns it depends on, whatever code writes the item, so
    the capacity report reads a few thousand rows instead of grouping a million items.
    """

    __tablename__ = "location_usage"
    location_id: int = Field(foreign_key="locations.id", primary_key=True)
    category: str = Field(max_length=16, primary_key=True)
    destroy: bool = Field(primary_key=True)
    item_count: int = Field(default=0)
    net_weight_g: float = Field(default=0.0)
    volume_l: float = Field(default=0.0)


class BatchStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    executed = "executed"
    closed = "closed"
    cancelled = "cancelled"


class CouncilRole(StrEnum):
    chair = "chair"
    member = "member"
    procuracy = "procuracy"  # Kiểm sát viên supervising the destruction
    specialist = "specialist"


class DestructionBatch(SQLModel, table=True):
    """A set of items destroyed together, with its council, method and environmental record."""

    __tablename__ = "destruction_batches"
    __table_args__ = (
        UniqueConstraint("agency_id", "number"),
        CheckConstraint(_in("status", BatchStatus), name="status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    number: str = Field(max_length=32)
    status: str = Field(default=BatchStatus.draft, max_length=16)
    title: str = Field(default="", max_length=300)
    notes: str = Field(default="")
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)
    # approval: the decision establishing the council
    decision_number: str | None = Field(default=None, max_length=64)
    decision_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    decision_issuer: str | None = Field(default=None, max_length=200)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    approved_at: datetime | None = _ts(nullable=True)
    # execution
    executed_at: datetime | None = _ts(nullable=True)
    site: str | None = Field(default=None, max_length=300)
    method: str | None = Field(default=None, max_length=64)
    method_details: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    environment: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    safety_plan_ref: str | None = Field(default=None, max_length=100)
    # The method used is environmentally risky (from the methods data, fixed at execution).
    environmental_risk: bool = Field(default=False)
    executed_by_id: int | None = Field(default=None, foreign_key="users.id")
    # The destruction deadline from the council decision, and the days it was exceeded.
    destruction_due_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    destruction_days_late: int | None = None
    # closing: the record is generated once and frozen with its hash
    closed_at: datetime | None = _ts(nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="users.id")
    record_pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    record_sha256: str | None = Field(default=None, max_length=64)
    cancelled_at: datetime | None = _ts(nullable=True)
    cancel_reason: str | None = Field(default=None)
    # The record's other facts (vn-legal-context §7 Destruction record): when it ended,
    # who attended without being a member (police, commune, contractor), the contractor and
    # its contract, the council's conclusion.
    ended_at: datetime | None = _ts(nullable=True)
    attendees: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    contractor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    conclusion: str | None = Field(default=None)
    version: int = Field(default=1)


class DestructionItem(SQLModel, table=True):
    """An item in a batch. ``open`` is true while the batch may still destroy it; a partial
    unique index makes the database refuse one item in two open batches."""

    __tablename__ = "destruction_items"
    __table_args__ = (
        UniqueConstraint("batch_id", "item_id"),
        Index(
            "uq_destruction_items_open_item",
            "item_id",
            unique=True,
            sqlite_where=text("open"),
            postgresql_where=text("open"),
        ),
        CheckConstraint("result IS NULL OR result IN ('destroyed', 'excluded')", name="result"),
        CheckConstraint("measured_weight_g IS NULL OR measured_weight_g >= 0", name="weight"),
    )
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="destruction_batches.id", index=True)
    item_id: int = Field(foreign_key="items.id")
    open: bool = Field(default=True)
    added_by_id: int = Field(foreign_key="users.id")
    added_at: datetime = _ts(nullable=False, default=utcnow)
    override_reason: str | None = Field(default=None)
    # Start of the legal deadlines: the enforcement decision ordering destruction. Cases keep
    # only its year and number, so it is given when the item is added (default: the day the
    # case was recorded).
    enforcement_decision_date: date | None = Field(
        default=None, sa_column=Column(Date, nullable=True)
    )
    # Lateness, remembered once the step is taken (vn-legal-context §4.3: the procuracy
    # checks it): the council's due date for this item and the days it sat late (0: on time).
    council_due_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    council_days_late: int | None = None
    # Where the item was kept when destroyed (its location is cleared then): for reports.
    warehouse_id: int | None = Field(default=None, foreign_key="warehouses.id")
    recorded_weight_g: float | None = None
    measured_weight_g: float | None = None
    weight_difference_pct: float | None = None
    seal_intact: bool | None = None
    result: str | None = Field(default=None, max_length=16)
    exclusion_reason: str | None = Field(default=None)
    weight_note: str | None = Field(default=None)
    weight_flagged: bool = Field(default=False)
    # At execution, per line (Circular 04/2023 Art. 12(1); Decree 152/2026 Art. 40(2)): the
    # condition before destruction, the method if not the batch's, the seal as checked
    # (its number, intact / torn / suspicious / none) and the note a seal not intact needs.
    condition_before: str | None = Field(default=None, max_length=1000)
    line_method: str | None = Field(default=None, max_length=64)
    seal_number_seen: str | None = Field(default=None, max_length=64)
    seal_state_seen: str | None = Field(default=None, max_length=16)
    seal_note: str | None = Field(default=None)


class CouncilMember(SQLModel, table=True):
    __tablename__ = "council_members"
    __table_args__ = (CheckConstraint(_in("role", CouncilRole), name="role"),)
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="destruction_batches.id", index=True)
    name: str = Field(max_length=200)
    position: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    # The member's account, if any: used to flag members who handled the items themselves.
    user_id: int | None = Field(default=None, foreign_key="users.id")
    # Codes of the batch's items in whose custody history the member appears as an actor.
    handled_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # A member with an account confirms being there with their own password, before close.
    present_confirmed_at: datetime | None = _ts(nullable=True)


class DestructionPhoto(SQLModel, table=True):
    __tablename__ = "destruction_photos"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="destruction_batches.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=32)
    size_bytes: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    caption: str = Field(default="", max_length=500)
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = _ts(nullable=False, default=utcnow)


class StocktakeKind(StrEnum):
    quarterly = "quarterly"
    six_monthly = "six_monthly"
    yearly = "yearly"
    spot_check = "spot_check"


class StocktakeScope(StrEnum):
    location = "location"  # a location and everything below it
    warehouse = "warehouse"
    sample = "sample"  # N items drawn at random from the records of a warehouse


class Outcome(StrEnum):
    verified = "verified"
    misplaced = "misplaced"
    missing = "missing"
    unexpected = "unexpected"
    checked_out = "checked_out"
    # Seen, but before any location label was scanned: where it stood is not known, so it
    # is neither "in the right place" nor misplaced (vn-documents-review, stocktake).
    unlocated = "unlocated"


class Stocktake(SQLModel, table=True):
    """A counting session (kiểm kê)."""

    __tablename__ = "stocktakes"
    __table_args__ = (
        CheckConstraint(_in("kind", StocktakeKind), name="kind"),
        CheckConstraint(_in("scope", StocktakeScope), name="scope"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id")
    location_id: int | None = Field(default=None, foreign_key="locations.id")
    scope: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    sample_size: int | None = None
    status: str = Field(default="open", max_length=8)
    started_by_id: int = Field(foreign_key="users.id")
    started_at: datetime = _ts(nullable=False, default=utcnow)
    closed_by_id: int | None = Field(default=None, foreign_key="users.id")
    closed_at: datetime | None = _ts(nullable=True)
    signers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Everyone else who took part (name, position, organisation, role; Circular 04/2023
    # Art. 11(4), vn-legal-context §7 Inventory record).
    participants: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StocktakeExpected(SQLModel, table=True):
    """What the records said when the count started (a snapshot, so later moves don't
    change what was expected)."""

    __tablename__ = "stocktake_expected"
    __table_args__ = (UniqueConstraint("stocktake_id", "item_id"),)
    id: int | None = Field(default=None, primary_key=True)
    stocktake_id: int = Field(foreign_key="stocktakes.id", index=True)
    item_id: int = Field(foreign_key="items.id")
    location_id: int | None = Field(default=None, foreign_key="locations.id")
    status: str = Field(max_length=24)


class StocktakeScan(SQLModel, table=True):
    __tablename__ = "stocktake_scans"
    id: int | None = Field(default=None, primary_key=True)
    stocktake_id: int = Field(foreign_key="stocktakes.id", index=True)
    raw: str = Field(max_length=500)
    kind: str = Field(max_length=16)  # item, location, unknown_item, damaged
    item_id: int | None = Field(default=None, foreign_key="items.id")
    location_id: int | None = Field(default=None, foreign_key="locations.id")
    # Where the keeper stood: the last location label scanned before this item.
    at_location_id: int | None = Field(default=None, foreign_key="locations.id")
    seal_state: str | None = Field(default=None, max_length=16)
    # What the keeper counted and saw (Circular 04/2023 Art. 11(4)), when given.
    quantity_found: float | None = None
    condition: str | None = Field(default=None, max_length=500)
    scanned_by_id: int = Field(foreign_key="users.id")
    scanned_at: datetime = _ts(nullable=False, default=utcnow)


class StocktakeLine(SQLModel, table=True):
    """The outcome for one item (or one unknown label) when the count closed."""

    __tablename__ = "stocktake_lines"
    __table_args__ = (CheckConstraint(_in("outcome", Outcome), name="outcome"),)
    id: int | None = Field(default=None, primary_key=True)
    stocktake_id: int = Field(foreign_key="stocktakes.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="items.id")
    label: str | None = Field(default=None, max_length=500)
    outcome: str = Field(max_length=16)
    seal_state: str | None = Field(default=None, max_length=16)
    expected_location_id: int | None = Field(default=None, foreign_key="locations.id")
    seen_location_id: int | None = Field(default=None, foreign_key="locations.id")
    quantity_found: float | None = None
    condition: str | None = Field(default=None, max_length=500)


class DiscrepancyStatus(StrEnum):
    open = "open"
    found = "found"
    written_off = "written_off"
    escalated = "escalated"


class DiscrepancyKind(StrEnum):
    missing = "missing"
    seal_broken = "seal_broken"
    # Found, but fewer than the book says: a partial loss (Circular 01/2017 Art. 14,
    # vn-legal-context §3.7), with its cause and measures like any other.
    short = "short"


class Discrepancy(SQLModel, table=True):
    __tablename__ = "discrepancies"
    __table_args__ = (
        CheckConstraint(_in("kind", DiscrepancyKind), name="kind"),
        CheckConstraint(_in("status", DiscrepancyStatus), name="status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    stocktake_id: int = Field(foreign_key="stocktakes.id", index=True)
    item_id: int = Field(foreign_key="items.id")
    kind: str = Field(max_length=16)
    status: str = Field(default=DiscrepancyStatus.open, max_length=16)
    opened_at: datetime = _ts(nullable=False, default=utcnow)
    due_at: datetime = _ts(nullable=False)
    document_ref: str | None = Field(default=None, max_length=100)
    # Why it happened and what is done about it, as the count's record states them (§3.7).
    cause: str | None = Field(default=None)
    measures: str | None = Field(default=None)
    resolution_note: str | None = Field(default=None)
    resolved_by_id: int | None = Field(default=None, foreign_key="users.id")
    resolved_at: datetime | None = _ts(nullable=True)


class LoginAttempt(LogChained, table=True):
    """Kept in the database so every worker process throttles the same way."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    client: str = Field(max_length=64)
    at: datetime = _ts(nullable=False, default=utcnow)
    success: bool


class SecurityEvent(LogChained, table=True):
    """Logins, failures, lockouts, role changes, disabled accounts: who, when, from where."""

    __tablename__ = "security_events"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False, default=utcnow, index=True)
    event: str = Field(max_length=32)
    username: str = Field(max_length=64)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    client: str = Field(default="", max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ImportJob(SQLModel, table=True):
    """An import of a ledger file: its progress and validation report, shared by workers."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    filename: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    dry_run: bool = Field(default=True)
    partial: bool = Field(default=False)
    status: str = Field(default="pending", max_length=16)
    total_rows: int | None = None
    processed_rows: int = Field(default=0)
    created_items: int = Field(default=0)
    skipped_rows: int = Field(default=0)
    error_count: int = Field(default=0)
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The rejected rows with what was wrong (CSV, UTF-8 with BOM), to fix and import again;
    # gzip-compressed since migration 0012 (imports.files.unpack reads both).
    rejects_csv: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # What each row would create or why not (the dry run's per-row report), gzip CSV.
    preview_csv: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = _ts(nullable=False, default=utcnow)
    finished_at: datetime | None = _ts(nullable=True)


class WebSession(SQLModel, table=True):
    """A browser login: in the database, so every worker process knows it and a logout or a
    disabled user ends it everywhere at once. Only the SHA-256 of the cookie is stored."""

    __tablename__ = "web_sessions"
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    csrf_token: str = Field(max_length=64)
    lang: str = Field(default="vi", max_length=8)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    expires_at: datetime = _ts(nullable=False)
    revoked: bool = Field(default=False)
    # The service's signature over id, user and expiry ("<key id>:<base64>"): a row
    # inserted by hand has none.
    signature: str | None = Field(default=None, max_length=120)


class LabelPrintJob(SQLModel, table=True):
    """A label job sent to a printer (``POST /print-jobs``): in the database, so every app
    process answers its status. A failed job is kept with the printer's error."""

    __tablename__ = "label_print_jobs"
    id: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="users.id", index=True)
    printer: str = Field(max_length=100, index=True)
    template: str = Field(max_length=100)
    format: str = Field(max_length=8)
    status: str = Field(max_length=16)  # sent / failed
    error: str = Field(default="")
    labels: int = Field(default=0)
    copies: int = Field(default=1)
    skip: int = Field(default=0)
    reason: str = Field(default="")
    byte_count: int = Field(default=0)
    sha256: str = Field(default="", max_length=64)
    font_sent: bool = Field(default=False)
    created_at: datetime = _ts(nullable=False, default=utcnow)


class ApprovalKind(StrEnum):
    release = "release"
    transfer = "transfer"
    disposition = "disposition"
    sample = "sample"
    reweigh = "reweigh"


class ApprovalStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    refused = "refused"
    received = "received"  # a confirmed transfer, scanned in by the receiving agency


class Approval(SQLModel, table=True):
    """Two people for every exit: one user asks (``requested_by``), a manager who is not that
    user confirms or refuses (``decided_by``). What is asked is in ``details``; it is done
    only when confirmed (see ``items/approvals.py``)."""

    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(_in("kind", ApprovalKind), name="kind"),
        CheckConstraint(_in("status", ApprovalStatus), name="status"),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="two_people"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    kind: str = Field(max_length=16)
    status: str = Field(default=ApprovalStatus.pending, max_length=16, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The item's version and status when asked: a confirmation applies to that state only.
    item_version: int
    item_status: str = Field(max_length=24)
    to_agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    requested_by_id: int = Field(foreign_key="users.id")
    requested_at: datetime = _ts(nullable=False, default=utcnow)
    reason: str = Field(default="")
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = _ts(nullable=True)
    decision_note: str = Field(default="")
    received_by_id: int | None = Field(default=None, foreign_key="users.id")
    received_at: datetime | None = _ts(nullable=True)


class ReceiverRole(StrEnum):
    """Who receives for the agency (Law 2008 Art. 122; Circular 04/2023 Art. 10;
    vn-legal-context §2.1, §2.2(1), §2.3(2))."""

    officer = "officer"  # Chấp hành viên
    head = "head"  # Thủ trưởng cơ quan THADS or the person he authorises
    keeper = "keeper"  # Thủ kho vật chứng
    accountant = "accountant"  # Kế toán nghiệp vụ thi hành án


# The act a re-entry after a check-out rests on (Circular 04/2023 Art. 11(3)).
HANDOVER_RE_ENTRY = "check_out"


class Handover(SQLModel, table=True):
    """A handover of a group of items to the agency (biên bản giao nhận vật chứng, tài sản
    tạm giữ, vn-legal-context §2.2(5), §2.3(4), §7), with its entry slip (phiếu nhập kho).
    ``implicit``: made by a plain intake (``POST /items``), without the handover's own
    details; it stays a draft until completed. Once final, both documents are official
    documents (``documents.finalise``, subject ``handover:<id>``), their numbers repeated
    here."""

    __tablename__ = "handovers"
    __table_args__ = (
        CheckConstraint(
            "final_at IS NULL OR (record_number IS NOT NULL AND entry_slip_number IS NOT NULL)",
            name="numbered_when_final",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    record_number: str | None = Field(default=None, max_length=64)
    entry_slip_number: str | None = Field(default=None, max_length=64)
    implicit: bool = Field(default=False)
    handed_over_at: datetime = _ts(nullable=False)
    place: str = Field(default="", max_length=300)
    deliverer_name: str = Field(default="", max_length=200)
    deliverer_position: str = Field(default="", max_length=200)
    deliverer_id_document: str = Field(default="", max_length=64)
    deliverer_agency: str = Field(default="", max_length=200)
    introduction_letter: str = Field(default="", max_length=200)
    # [{"role": ReceiverRole, "name": ..., "position": ...}]
    receivers: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # {"transfer_decision" | "seizure_record" | "forensic_conclusion": {"number", "date",
    # "issuer"}}: the acts the handover rests on (vn-legal-context §2.2, §7).
    acts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # How differences from the seizure record were clarified (§2.2(3), §2.3(2)).
    resolution: str = Field(default="")
    notes: str = Field(default="")
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)
    final_at: datetime | None = _ts(nullable=True)
    # The outside custodian who keeps the items where they are, as the handover saw it
    # ({"warehouse_id", "warehouse", "kind", "name", "representative", "position",
    # "contract", "place"}); None when the items go into the agency's own keeping. From
    # 01/07/2026 such a handover is one in place (Decree 152/2026 Art. 37).
    # None is SQL NULL (not JSON null), so "IS NULL" says "no custodian".
    custodian: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )

    def re_entry(self) -> dict[str, Any] | None:
        """The check-out a return ends, when this handover is one (``acts[HANDOVER_RE_ENTRY]``,
        recorded by ``handovers.receiving.receive_return``)."""
        act = (self.acts or {}).get(HANDOVER_RE_ENTRY)
        return act if isinstance(act, dict) else None


class HandoverLine(SQLModel, table=True):
    """One item of a handover, with its comparison against the initial seizure record and
    its seal as received."""

    __tablename__ = "handover_lines"
    __table_args__ = (
        UniqueConstraint("handover_id", "line_no"),
        CheckConstraint(_in("seal_state", SealState), name="seal_state"),
        CheckConstraint("matches OR difference <> ''", name="difference_said"),
    )
    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handovers.id", index=True)
    # An item's intake, then each return after a check-out (Circular 04/2023 Art. 11(3)).
    item_id: int = Field(foreign_key="items.id", index=True)
    line_no: int
    # What the seizure record says, when it differs from what was received.
    matches: bool = Field(default=True)
    difference: str = Field(default="")
    seal_number: str | None = Field(default=None, max_length=64)
    seal_state: str = Field(max_length=16)
    seal_signatories: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # The line's own (new) forensic conclusion, e.g. for a torn or suspicious seal.
    forensic_conclusion: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )


class ExitKind(StrEnum):
    """Why an item leaves the warehouse; each exit has its slip (phiếu xuất kho,
    vn-legal-context §3.5, §4.2)."""

    return_to_owner = "return_to_owner"
    confiscation = "confiscation"  # hand-over to the finance agency / commune
    sale = "sale"
    treasury_deposit = "treasury_deposit"
    kept_with_file = "kept_with_file"  # lưu theo hồ sơ vụ án
    transfer = "transfer"
    check_out = "check_out"  # trích xuất, a temporary exit
    destruction = "destruction"  # out to the destruction council, at execution


class ExitSlip(SQLModel, table=True):
    """The exit slip of one item leaving (and, where the law asks, the hand-over record),
    made in the transaction of the exit; the documents are official documents (subject
    ``exit_slip:<id>``), their numbers repeated here."""

    __tablename__ = "exit_slips"
    __table_args__ = (CheckConstraint(_in("kind", ExitKind), name="kind"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    number: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=24)
    issued_at: datetime = _ts(nullable=False)
    issued_by_id: int = Field(foreign_key="users.id")
    # The item's custody event of the exit (its seq on the chain).
    event_seq: int | None = None
    recipient: str = Field(default="", max_length=300)
    # The receiver beside the name: the position the exit order and slip must state (Decree
    # 142/2024 Art. 14; vn-legal-context §2.2 end, §7), the identity paper checked (Art.
    # 14(2), §3.5) and the body the receiver acts for. None on slips made before they were
    # asked (migration 0022): printed as a dotted blank.
    recipient_position: str | None = Field(default=None, max_length=200)
    recipient_id_document: str | None = Field(default=None, max_length=100)
    recipient_organisation: str | None = Field(default=None, max_length=300)
    document_number: str | None = Field(default=None, max_length=100)
    document_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    document_issuer: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="")
    # The item as it left: quantity, unit, weights, condition, seal, place.
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    record_number: str | None = Field(default=None, max_length=64)


class UnsealPurpose(StrEnum):
    sampling = "sampling"
    destruction = "destruction"
    inspection = "inspection"


class Unsealing(SQLModel, table=True):
    """An unsealing record (biên bản mở niêm phong, Decree 127/2017; vn-legal-context §2.4):
    the seal before opening, the item after, and the new seal if it was sealed again."""

    __tablename__ = "unsealings"
    __table_args__ = (
        CheckConstraint(_in("purpose", UnsealPurpose), name="purpose"),
        CheckConstraint(_in("seal_state_before", SealState), name="seal_state_before"),
        CheckConstraint("NOT resealed OR new_seal_number IS NOT NULL", name="new_seal"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    item_id: int = Field(foreign_key="items.id", index=True)
    number: str | None = Field(default=None, max_length=64)  # of its official document
    purpose: str = Field(max_length=16)
    opened_at: datetime = _ts(nullable=False)
    place: str = Field(default="", max_length=300)
    seal_number_before: str | None = Field(default=None, max_length=64)
    seal_state_before: str = Field(max_length=16)
    seal_description: str = Field(default="")  # the seal as seen before opening
    condition_after: str = Field(default="")  # the item as found once opened
    resealed: bool = Field(default=False)
    new_seal_number: str | None = Field(default=None, max_length=64)
    # [{"name", "position", "organisation"}]
    participants: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    document_number: str | None = Field(default=None, max_length=100)
    notes: str = Field(default="")
    # A sample taken at this opening (purpose ``sampling``; ``items/sampling.py``): the
    # weight taken, the net (and gross) weight before and after, what the sample is, the lab
    # that receives it and its document. None for an opening that took nothing.
    sample: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)


class FacilityKind(StrEnum):
    hazardous_waste_incineration = "hazardous_waste_incineration"
    cement_kiln = "cement_kiln"
    chemical_treatment = "chemical_treatment"


class EnvironmentFacility(SQLModel, table=True):
    """A licensed facility as an admin set it: replaces the entry of ``data/facilities.toml``
    with the same ``key``, or adds one (``environment/facilities.py``). Stored here so every
    process of the service sees the same list."""

    __tablename__ = "environment_facilities"
    __table_args__ = (
        CheckConstraint(_in("kind", FacilityKind), name="kind"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="lat"),
        CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="lon"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    province: str = Field(default="", max_length=100)
    kind: str = Field(max_length=32)
    permit_ref: str = Field(default="", max_length=200)
    material_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    latitude: float | None = None
    longitude: float | None = None
    source: str = Field(default="")
    verified: bool = Field(default=False)
    active: bool = Field(default=True)
    note: str = Field(default="")
    updated_by_id: int = Field(foreign_key="users.id")
    updated_at: datetime = _ts(nullable=False, default=utcnow)


class WarehouseSite(SQLModel, table=True):
    """Where a warehouse is (WGS 84) and its province: the distances to licensed facilities
    and the province filter of the planner and the environment report."""

    __tablename__ = "warehouse_sites"
    __table_args__ = (
        CheckConstraint("latitude >= -90 AND latitude <= 90", name="lat"),
        CheckConstraint("longitude >= -180 AND longitude <= 180", name="lon"),
    )
    warehouse_id: int = Field(foreign_key="warehouses.id", primary_key=True)
    latitude: float
    longitude: float
    province: str = Field(default="", max_length=100)
    updated_by_id: int = Field(foreign_key="users.id")
    updated_at: datetime = _ts(nullable=False, default=utcnow)


class CustodyCheck(SQLModel, table=True):
    """A monthly check of the items left with an outside custodian (the owner or a relative,
    the local authority, a hired custodian: Circular 01/2017 Art. 12(2), vn-legal-context
    §3.5): one warehouse of that custodian, at a time and place; per item found or not, the
    quantity and condition found; signed by the accountant, the storekeeper, the head and
    the custodian (``custody_checks``)."""

    __tablename__ = "custody_checks"
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    warehouse_id: int = Field(foreign_key="warehouses.id", index=True)
    number: str | None = Field(default=None, max_length=64)  # of its official document
    checked_at: datetime = _ts(nullable=False)
    place: str = Field(default="", max_length=300)
    # The custodian as the warehouse named it when checked (kind, name, representative…).
    custodian: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # [{"item_id", "code", "description", "unit", "quantity", "net_weight_g", "condition",
    #   "found", "quantity_found", "condition_found", "note", "discrepancy"}]
    lines: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # [{"role", "name", "position"}]: accountant, keeper, head, custodian (and others).
    participants: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    discrepancies: int = Field(default=0)
    conclusion: str = Field(default="")
    notes: str = Field(default="")
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)
