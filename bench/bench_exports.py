"""Export benchmark (not a test): the ledger of N items as XLSX and as PDF, with the peak
memory of each export, from a SQLite database filled once.

    .venv/bin/python bench/bench_exports.py [--items 20000] [--workdir DIR]

Each export runs in a child process whose peak resident memory (VmHWM, reset just before the
export starts) is the export's own. One item in twenty has no location (received, not yet
placed): those are in their warehouse's ledger too. Targets (issue 18): 20,000 items in
≤ 10 s as XLSX and ≤ 30 s as PDF, ≤ 150 MB peak.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fill(db_path: Path, count: int) -> None:
    from evidence_service import keys
    from evidence_service.db import Database
    from evidence_service.items import ItemCreate, intake_items
    from tests.factories import World, make_world

    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    # The intake appends signed custody events: the benchmark's own key, made once.
    key_file = db_path.parent / "signing.key"
    keys.install(
        keys.read_signing_key(key_file) if key_file.exists() else keys.create_key_file(key_file)
    )
    db = Database.from_url(f"sqlite:///{db_path}")
    db.migrate()
    with db.session(write=True) as session:
        world: World = make_world(session)
        session.commit()
        keeper = world.users["keeper"]
        case_id = world.cases["destroy"].id
        for start in range(0, count, 2000):
            batch = [
                ItemCreate(
                    case_id=case_id,
                    category="other",  # type: ignore[arg-type]
                    description=f"Điện thoại di động số {n}",
                    quantity=1,
                    unit="piece",
                    net_weight_g=200.0 + n % 50,
                    location_code=None if n % 20 == 0 else "S2",
                    external_ref=f"W1/2026|{n}",
                )
                for n in range(start, min(start + 2000, count))
            ]
            intake_items(session, batch, keeper)
            session.commit()


def child(db_path: Path, fmt: str) -> None:
    from sqlmodel import select

    from evidence_service.db import Database
    from evidence_service.exports import ledger_file
    from evidence_service.models import User

    db = Database.from_url(f"sqlite:///{db_path}")
    with db.session() as session:
        actor = session.exec(select(User).where(User.username == "manager")).one()
        Path("/proc/self/clear_refs").write_text("5")
        before_mb = _resident_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        size = len(ledger_file(session, actor, fmt, "W1"))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    result = {
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "before_mb": round(before_mb, 1),
        "peak_mb": round(_peak_mb(), 1),
        "bytes": size,
    }
    print(json.dumps(result))


def _resident_mb() -> float:
    """The process's resident memory now (imports, fonts, the database engine)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench-exports"))
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    db_path = args.workdir / f"bench-{args.items}.db"
    if not db_path.exists():
        fill(db_path, args.items)
    # CPU seconds beside the wall clock: on a shared machine the wall clock is the load's.
    print(
        f"{'format':<8}{'items':>8}{'seconds':>10}{'CPU s':>8}{'RSS before':>12}"
        f"{'peak MB':>10}{'MB out':>10}"
    )
    for fmt in ("xlsx", "pdf"):
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(db_path), fmt],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{fmt:<8}{args.items:>8}{r['seconds']:>10}{r['cpu_seconds']:>8}"
            f"{r['before_mb']:>12}{r['peak_mb']:>10}{r['bytes'] / 1e6:>10.1f}"
        )


if __name__ == "__main__":
    main()
