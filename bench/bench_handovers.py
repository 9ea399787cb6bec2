"""Handover benchmark (not a test): what the implicit handover costs a batch intake.

    .venv/bin/python bench/bench_handovers.py [--items 1000] [--rounds 5]

In a fresh SQLite database (signing key installed, so every record event is appended and
signed), each round receives ``--items`` items once through the bare intake
(``items.intake_items``) and once through what ``POST /items/batch`` now does
(``handovers.receive_items``: the same intake, plus the handover row and one line per item,
each on the chain), the order alternating; it prints the median of the per-round ratios.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from evidence_service import handovers, keys
from evidence_service.agencies import AgencyCreate, create_agency
from evidence_service.cases import CaseCreate, create_case
from evidence_service.db import Database
from evidence_service.items import ItemCreate, intake_items
from evidence_service.locations import (
    LocationCreate,
    WarehouseCreate,
    create_location,
    create_warehouse,
)
from evidence_service.models import LocationKind, Role, User


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-handovers-"))
    keys.install(keys.create_key_file(work / "signing.key"))
    db = Database.from_url(f"sqlite:///{work / 'bench.db'}")
    db.migrate()
    with db.unit_of_work() as s:
        agency = create_agency(s, AgencyCreate(code="LS", name="THADS tỉnh Lạng Sơn"), None)
        actor = User(username="k", role=Role.manager.value, agency_id=agency.id, password_hash="x")
        s.add(actor)
        s.flush()
        create_warehouse(s, WarehouseCreate(code="W", name="Kho"), actor)
        create_location(
            s, LocationCreate(warehouse_code="W", code="R", kind=LocationKind.room), actor
        )
        case = create_case(
            s,
            CaseCreate(
                judgment_number="1/2026/HS-ST",
                court="TAND tỉnh Lạng Sơn",
                decision_issuer="THADS tỉnh Lạng Sơn",
                decision_year=2026,
                decision_number="1",
            ),
            actor,
        )
        case_id, actor_id = case.id, actor.id
    batch = [
        ItemCreate(
            case_id=case_id,
            category="other",
            description=f"Vật chứng {n}",
            quantity=1,
            unit="piece",
            net_weight_g=100.0,
            location_code="R",
        )
        for n in range(args.items)
    ]
    ratios = []
    for round_no in range(args.rounds):
        timings = {}
        order = ("bare", "handover") if round_no % 2 == 0 else ("handover", "bare")
        for name in order:
            with db.unit_of_work() as s:
                me = s.get(User, actor_id)
                assert me is not None
                start = time.perf_counter()
                if name == "bare":
                    intake_items(s, batch, me)
                else:
                    handovers.receive_items(s, batch, me, None)
            timings[name] = time.perf_counter() - start
        ratios.append(timings["handover"] / timings["bare"])
        print(
            f"round {round_no + 1}: bare {timings['bare']:.3f} s, with handover "
            f"{timings['handover']:.3f} s, ratio {ratios[-1]:.2f}"
        )
    print(
        f"median ratio {statistics.median(ratios):.2f} "
        f"(spread {min(ratios):.2f}–{max(ratios):.2f}), {args.items} items a batch"
    )


if __name__ == "__main__":
    main()
