"""Import benchmark (not a test): a generated ledger of N rows, CSV and XLSX, dry run and real
run into a fresh SQLite database, with the peak memory of each run.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--small 10000] [--workdir DIR]

Each measurement runs in a child process whose peak resident memory (VmHWM, reset before the
import starts) is the import's own;
memory should stay flat from the small file to the large one (rows are streamed).
Target: 100,000 rows in ≤ 30 s.
"""

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADERS = [
    "STT",
    "Tên vật chứng",
    "Số lượng",
    "Đơn vị tính",
    "Trọng lượng",
    "Số bản án",
    "Ngày nhập kho",
    "Vị trí",
    "Loại",
    "Tình trạng niêm phong",
    "Ghi chú",
]
KINDS = [  # (description, unit, category, location, weight) — weights as ledgers write them
    ("Điện thoại di động", "cái", "Khác", "S2", "0,2 kg"),
    ("Xe mô tô biển số 12A-345.67", "chiếc", "Phương tiện", "S2", "95"),
    ("Giấy tờ tùy thân", "bộ", "Giấy tờ", "S2", "50 g"),
    ("Két sắt", "cái", "Khác", "S2", "35,5"),
]
# Hazardous rows (drugs, weapons: hazard classes narcotics/weapons, secure location).
HAZARDOUS = [
    ("Gói ma túy đá", "gói", "Ma túy", "SEC-1", "12,5 g"),
    ("Dao nhọn", "con", "Vũ khí thô sơ", "SEC-1", "0,35"),
]
HAZARDOUS_SHARE = 0.0


def rows(n: int) -> list[list[object]]:
    rng = random.Random(7)
    out = []
    for i in range(1, n + 1):
        kinds = HAZARDOUS if rng.random() < HAZARDOUS_SHARE else KINDS
        description, unit, category, location, weight = kinds[i % len(kinds)]
        day = 1 + rng.randrange(28)
        month = 1 + rng.randrange(12)
        out.append(
            [
                i,
                f"{description} số {i}",
                1 + rng.randrange(5),
                unit,
                weight,
                "1/2026/HS-ST" if i % 2 else "2/2026/HS-ST",
                f"{day:02d}/{month:02d}/2025",
                location,
                category,
                "Còn nguyên",
                "",
            ]
        )
    return out


def write_files(workdir: Path, n: int) -> tuple[Path, Path]:
    import openpyxl

    tag = f"{n}-h{int(HAZARDOUS_SHARE * 100)}" if HAZARDOUS_SHARE else str(n)
    csv_path, xlsx_path = workdir / f"ledger-{tag}.csv", workdir / f"ledger-{tag}.xlsx"
    data = rows(n)
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(data)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sổ")
    sheet.append(["SỔ THEO DÕI VẬT CHỨNG"])
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def child(db_path: Path, file: Path, commit: bool) -> None:
    from evidence_service import keys
    from evidence_service.db import Database
    from evidence_service.imports import import_file, load_mapping
    from evidence_service.models import User
    from tests.factories import make_world

    keys.install(keys.SigningKey.generate())  # the custody record signs every append
    db = Database.from_url(f"sqlite:///{db_path}")
    db.migrate()
    with db.session(write=True) as session:
        make_world(session)
        session.commit()
    with db.session() as session:
        actor = session.exec(
            User.__table__.select().where(User.__table__.c.username == "keeper")
        ).one()  # type: ignore[attr-defined]  # noqa: E501
        actor = session.get(User, actor.id)
    # Setting up (the migrations, Argon2 password hashes) has its own peak: reset it, so the
    # figure is the import's own peak resident memory.
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    outcome = import_file(file, actor, db.session, load_mapping(), dry_run=not commit)
    elapsed = time.perf_counter() - started
    peak_mb = _peak_rss_mb()
    report = outcome.report
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "peak_mb": round(peak_mb, 1),
                "outcome": report["outcome"],
                "rows": report["rows"],
                "created": report["created_items"],
                "rejected": report["rejected_rows"],
            }
        )
    )


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(workdir: Path, file: Path, commit: bool) -> dict[str, object]:
    db_path = workdir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(db_path), str(file), "1" if commit else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench-import"))
    parser.add_argument(
        "--hazardous",
        type=float,
        default=0.0,
        help="share of rows with hazard classes (drugs, weapons)",
    )
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    global HAZARDOUS_SHARE
    HAZARDOUS_SHARE = args.hazardous
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.child[2] == "1")
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'file':<22}{'run':<10}{'rows':>8}{'seconds':>10}{'rows/s':>10}{'peak MB':>10}")
    for n in (args.small, args.rows):
        for file in write_files(args.workdir, n):
            for commit in (False, True):
                r = measure(args.workdir, file, commit)
                rate = int(r["rows"]) / max(float(r["seconds"]), 1e-9)  # type: ignore[call-overload]
                run = "real" if commit else "dry run"
                print(
                    f"{file.name:<22}{run:<10}{r['rows']:>8}{r['seconds']:>10}"
                    f"{rate:>10.0f}{r['peak_mb']:>10}   {r['outcome']}"
                )


if __name__ == "__main__":
    main()
