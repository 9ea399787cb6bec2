"""The stocktake record (biên bản kiểm kê) as a Vietnamese A4 PDF."""

from sqlmodel import Session

from .. import pdfdoc
from ..models import Agency, Location, Stocktake, User, Warehouse
from .workflow import get_status, lines

OUTCOME_VI = {
    "verified": "Đúng vị trí",
    "misplaced": "Sai vị trí",
    "missing": "Thiếu",
    "unexpected": "Thừa / không có trong sổ",
    "checked_out": "Đang trích xuất",
}
KIND_VI = {
    "quarterly": "định kỳ quý",
    "six_monthly": "định kỳ 6 tháng",
    "yearly": "định kỳ năm",
    "spot_check": "đột xuất",
}


def _dt(value: object) -> str:
    return value.strftime("%d/%m/%Y %H:%M UTC") if hasattr(value, "strftime") else "—"


def render(session: Session, stocktake_id: int, actor: User) -> bytes:
    status = get_status(session, stocktake_id, actor)
    stocktake = session.get(Stocktake, stocktake_id)
    assert stocktake is not None
    warehouse = session.get(Warehouse, stocktake.warehouse_id)
    agency = session.get(Agency, stocktake.agency_id)
    location = session.get(Location, stocktake.location_id) if stocktake.location_id else None
    assert warehouse is not None and agency is not None
    rows = lines(session, stocktake_id, actor)
    p = pdfdoc.para
    story = [
        p(agency.name, "center"),
        p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập – Tự do – Hạnh phúc", "center"),
        pdfdoc.spacer(),
        p(f"BIÊN BẢN KIỂM KÊ KHO VẬT CHỨNG số {stocktake_id}", "title"),
        p(
            f"Kiểm kê {KIND_VI.get(stocktake.kind, stocktake.kind)} — kho {warehouse.name} "
            f"({warehouse.code})" + (f", vị trí {location.code}" if location else "")
        ),
        p(f"Bắt đầu: {_dt(stocktake.started_at)}. Kết thúc: {_dt(stocktake.closed_at)}."),
        p(
            "Trạng thái: "
            + ("đã khóa sổ" if stocktake.status == "closed" else "ĐANG KIỂM (bản nháp)")
        ),
        pdfdoc.spacer(),
        p("Kết quả", "heading"),
        pdfdoc.table(
            [
                "Theo sổ",
                "Đã thấy",
                "Đúng vị trí",
                "Sai vị trí",
                "Thiếu",
                "Thừa",
                "Trích xuất",
                "Niêm phong hỏng",
            ],
            [
                [
                    status.expected,
                    status.seen_expected,
                    *(
                        stocktake.counts.get(k, 0)
                        for k in (
                            "verified",
                            "misplaced",
                            "missing",
                            "unexpected",
                            "checked_out",
                            "seal_broken",
                        )
                    ),
                ]
            ],
            [21] * 8,
        ),
        p("Chi tiết", "heading"),
        pdfdoc.table(
            ["Mã vật chứng / nhãn", "Kết quả", "Niêm phong", "Vị trí theo sổ", "Vị trí thấy"],
            [
                [
                    r["item_code"] or r["label"],
                    OUTCOME_VI.get(r["outcome"], r["outcome"]),
                    {"intact": "Nguyên vẹn", "broken": "Hỏng"}.get(r["seal_state"] or "", "—"),
                    r["expected_location_code"] or "—",
                    r["seen_location_code"] or "—",
                ]
                for r in rows
            ],
            [48, 34, 26, 32, 32],
        ),
        pdfdoc.spacer(8),
    ]
    signers = stocktake.signers or {}
    story.append(
        pdfdoc.signatures(
            [
                ("Thủ kho", signers.get("keeper", "")),
                ("Kế toán", signers.get("accountant", "")),
                ("Thủ trưởng đơn vị", signers.get("head", "")),
            ]
        )
    )
    return pdfdoc.build(story, f"Biên bản kiểm kê {stocktake_id}")
