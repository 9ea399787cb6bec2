"""The stocktake record (biên bản kiểm kê) as an A4 PDF, in Vietnamese (or English).

The words are the ``record``, ``stocktake_record`` and ``stocktake`` keys of the translation
files; weights and times go through the language's formatter.
"""

from sqlmodel import Session

from .. import pdfdoc
from ..checkpoints import current_anchor
from ..i18n import translator
from ..models import Agency, Location, Stocktake, User, Warehouse
from .workflow import get_status, lines

OUTCOMES = ("verified", "misplaced", "missing", "unexpected", "checked_out")


def render(session: Session, stocktake_id: int, actor: User, lang: str = "vi") -> bytes:
    t = translator(lang)
    none = t("record.none")
    status = get_status(session, stocktake_id, actor)
    stocktake = session.get(Stocktake, stocktake_id)
    assert stocktake is not None
    warehouse = session.get(Warehouse, stocktake.warehouse_id)
    agency = session.get(Agency, stocktake.agency_id)
    location = session.get(Location, stocktake.location_id) if stocktake.location_id else None
    assert warehouse is not None and agency is not None
    rows = lines(session, stocktake_id, actor)
    scope = t(
        "stocktake_record.scope_location" if location else "stocktake_record.scope",
        kind=t(f"stocktake_record.kind_{stocktake.kind}"),
        warehouse=warehouse.name,
        code=warehouse.code,
        location=location.code if location else "",
    )
    seals = {
        "intact": t("stocktake_record.seal_intact"),
        "broken": t("stocktake_record.seal_broken"),
    }
    p = pdfdoc.para
    story = [
        p(agency.name, "center"),
        p(f"{t('record.nation')} — {t('record.motto')}", "center"),
        pdfdoc.spacer(),
        p(t("stocktake_record.title", id=stocktake_id), "title"),
        p(scope),
        p(
            t(
                "stocktake_record.times",
                start=t.datetime(stocktake.started_at) or none,
                end=t.datetime(stocktake.closed_at) or none,
            )
        ),
        p(
            t(
                "stocktake_record.state_closed"
                if stocktake.status == "closed"
                else "stocktake_record.state_open"
            )
        ),
        pdfdoc.spacer(),
        p(t("stocktake_record.results"), "heading"),
        pdfdoc.table(
            [
                t("stocktake_record.expected"),
                t("stocktake_record.seen"),
                *(t(f"stocktake.outcome_{k}") for k in OUTCOMES),
                t("stocktake.seal_broken_count"),
            ],
            [
                [
                    t.number(status.expected),
                    t.number(status.seen_expected),
                    *(t.number(stocktake.counts.get(k, 0)) for k in (*OUTCOMES, "seal_broken")),
                ]
            ],
            [21] * 8,
        ),
        p(t("stocktake_record.details"), "heading"),
        pdfdoc.table(
            [
                t("stocktake_record.item"),
                t("stocktake_record.description"),
                t("stocktake_record.weight"),
                t("stocktake.outcome"),
                t("stocktake.seal"),
                t("stocktake.expected_at"),
                t("stocktake.seen_at"),
            ],
            [
                [
                    r["item_code"] or r["label"],
                    r["description"] or "",
                    t.weight(r["net_weight_g"]) or none,
                    t.maybe(f"stocktake.outcome_{r['outcome']}", r["outcome"]),
                    seals.get(r["seal_state"] or "", none),
                    r["expected_location_code"] or none,
                    r["seen_location_code"] or none,
                ]
                for r in rows
            ],
            [32, 36, 20, 24, 18, 20, 20],
        ),
        pdfdoc.spacer(8),
    ]
    signers = stocktake.signers or {}
    story.append(
        pdfdoc.signatures(
            [
                (t(f"stocktake.signer_{role}"), signers.get(role, ""))
                for role in ("keeper", "accountant", "head")
            ]
        )
    )
    head = (t("record_chain.footer"), current_anchor(session).printed())
    return pdfdoc.build(story, t("stocktake_record.file_title", id=stocktake_id), chain=head)
