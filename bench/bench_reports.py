"""Capacity report benchmark (not a test): target ≤ 100 ms with 1,000,000 items on SQLite.

    .venv/bin/python bench/bench_reports.py [--items 1000000] [--workdir DIR] [--reuse]

1. Creates a fresh SQLite database with 4 warehouses × 5 rooms × 10 shelves (220 locations,
   some with limits) and loads N items through the service's own intake code
   (``items.intake_items``, chunks of 10,000, with their intake custody events), spread
   over the shelves with various categories and dispositions. The ``location_usage`` table
   is filled by the database triggers as the items go in, exactly as in production.
2. Checks that the trigger-kept usage equals a GROUP BY over the items.
3. Times ``reports.capacity_report`` (median of 20 runs) against the 100 ms target, and,
   for comparison, the single aggregate query over the items it avoids.
"""

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import select  # noqa: E402

from evidence_service import keys, reports  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from evidence_service.locations import (  # noqa: E402
    LocationCreate,
    WarehouseCreate,
    create_location,
    create_warehouse,
)
from evidence_service.models import Category, Disposition, LocationKind, User  # noqa: E402
from tests.factories import make_world  # noqa: E402

keys.install(keys.SigningKey.generate())  # the custody record signs every append

WAREHOUSES, ROOMS, SHELVES = 4, 5, 10
CATEGORIES = [c for c in Category if c is not Category.vehicle]
DISPOSITIONS = [Disposition.pending] * 5 + [Disposition.destroy] * 3 + [Disposition.confiscate]
TARGET_MS = 100.0

GROUP_BY_ITEMS = """
    SELECT location_id, category, disposition = 'destroy', COUNT(*),
           SUM(net_weight_g), SUM(volume_l)
    FROM items WHERE status IN ('stored', 'pending_destruction')
    GROUP BY location_id, category, disposition = 'destroy'
"""


def build_locations(db: Database) -> tuple[int, list[str]]:
    with db.session(write=True) as session:
        world = make_world(session)
        manager = world.users["manager"]
        shelves = []
        for w in range(1, WAREHOUSES + 1):
            wcode = f"BK{w}"
            create_warehouse(session, WarehouseCreate(code=wcode, name=f"Kho bench {w}"), manager)
            for r in range(1, ROOMS + 1):
                room = f"{wcode}-R{r}"
                create_location(
                    session,
                    LocationCreate(warehouse_code=wcode, code=room, kind=LocationKind.room),
                    manager,
                )
                for s in range(1, SHELVES + 1):
                    shelf = f"{room}-S{s:02d}"
                    create_location(
                        session,
                        LocationCreate(warehouse_code=wcode, code=shelf, parent_code=room),
                        manager,
                    )
                    shelves.append(shelf)
        session.commit()
        assert manager.id is not None
        return manager.id, shelves


def load(db: Database, total: int, shelves: list[str], chunk: int) -> float:
    rng = random.Random(42)
    with db.session() as session:
        keeper = session.exec(select(User).where(User.username == "keeper")).one()
        case_id = session.execute(text("SELECT id FROM cases ORDER BY id LIMIT 1")).scalar_one()
    started = time.perf_counter()
    done = 0
    while done < total:
        n = min(chunk, total - done)
        batch = [
            ItemCreate(
                case_id=case_id,
                category=rng.choice(CATEGORIES),
                description=f"Vật chứng số {done + i}",
                quantity=1,
                unit="piece",
                net_weight_g=rng.uniform(5, 5000),
                volume_l=rng.choice([None, rng.uniform(0.1, 20)]),
                disposition=rng.choice(DISPOSITIONS),
                location_code=rng.choice(shelves),
            )
            for i in range(n)
        ]
        with db.session(write=True) as session:
            intake_items(session, batch, keeper)
            session.commit()
        done += n
        if done % 100_000 == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(f"  loaded {done:>9,} items  {elapsed:6.1f} s  ({done / elapsed:,.0f} items/s)")
    return time.perf_counter() - started


def set_limits(db: Database) -> None:
    """Limits after the load, so intake doesn't refuse (the report only reads them)."""
    with db.session(write=True) as session:
        session.execute(
            text(
                "UPDATE locations SET max_items = 60000, max_weight_kg = 150000 WHERE kind = 'room'"
            )
        )
        session.execute(
            text(
                "UPDATE locations SET max_items = 5000, max_volume_l = 40000 "
                "WHERE kind = 'shelf' AND code LIKE 'BK%'"
            )
        )
        session.commit()


def check_consistent(db: Database) -> None:
    with db.engine.connect() as conn:
        direct = {
            (r[0], r[1], bool(r[2])): (r[3], round(r[4] or 0, 3), round(r[5] or 0, 3))
            for r in conn.execute(text(GROUP_BY_ITEMS)).all()
        }
        kept = {
            (r[0], r[1], bool(r[2])): (r[3], round(r[4], 3), round(r[5], 3))
            for r in conn.execute(
                text(
                    "SELECT location_id, category, destroy, item_count, net_weight_g, volume_l "
                    "FROM location_usage WHERE item_count != 0"
                )
            ).all()
        }
    assert kept == direct, "location_usage does not match the items"
    print(f"location_usage matches GROUP BY over the items ({len(kept)} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench-reports"))
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already loaded database in --workdir"
    )
    opts = parser.parse_args()
    path = opts.workdir / "bench.db"
    if not (opts.reuse and path.exists()):
        shutil.rmtree(opts.workdir, ignore_errors=True)
        opts.workdir.mkdir(parents=True)
        db = Database.from_url(f"sqlite:///{path}")
        db.migrate()
        _, shelves = build_locations(db)
        print(f"loading {opts.items:,} items over {len(shelves)} shelves ...")
        elapsed = load(db, opts.items, shelves, opts.chunk)
        print(f"load: {opts.items:,} items in {elapsed:.1f} s")
        set_limits(db)
    else:
        db = Database.from_url(f"sqlite:///{path}")
    check_consistent(db)

    with db.session() as session:
        manager = session.exec(select(User).where(User.username == "manager")).one()
        count = session.execute(text("SELECT COUNT(*) FROM items")).scalar_one()
        times = []
        for _ in range(opts.runs):
            started = time.perf_counter()
            report = reports.capacity_report(session, manager)
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()  # a fresh read transaction each run, like a request
        located = sum(len(w.locations) for w in report.warehouses)
        total = sum(w.totals.items for w in report.warehouses)
        started = time.perf_counter()
        csv_text = reports.capacity_csv(report)
        csv_ms = (time.perf_counter() - started) * 1000
        group_times = []
        for _ in range(3):
            started = time.perf_counter()
            session.execute(text(GROUP_BY_ITEMS)).all()
            group_times.append((time.perf_counter() - started) * 1000)

    median = statistics.median(times)
    print(
        f"capacity_report: {len(report.warehouses)} warehouses, {located} locations, "
        f"{total:,} stored items of {count:,} in the database"
    )
    print(
        f"capacity_report: median {median:.1f} ms, min {min(times):.1f} ms, "
        f"max {max(times):.1f} ms over {opts.runs} runs "
        f"(target ≤ {TARGET_MS:.0f} ms: {'MET' if median <= TARGET_MS else 'MISSED'})"
    )
    print(f"capacity_csv: {csv_ms:.1f} ms for {len(csv_text.splitlines()) - 1} rows")
    print(
        f"for comparison, one GROUP BY over the items (what the usage table avoids): "
        f"median {statistics.median(group_times):.0f} ms"
    )


if __name__ == "__main__":
    main()
