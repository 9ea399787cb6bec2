"""Provinces benchmark (not a test): does a big import in one province delay another's intakes?

    .venv/bin/python bench/bench_provinces.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench_chains
        [--items 20000] [--intakes 150] [--workers 2] [--workdir /tmp/evidence-bench]

A fresh PostgreSQL database (dropped and made again) with the test world: province A
(A-PROV) and province B (B-PROV). The service runs in ``--workers`` processes. Province B's
keeper sends single-item intakes (POST /items) one after another; we take their latencies
at rest, then while another process imports ``--items`` items into province A in one
transaction (as an import's commit does: one ``intake_items`` call, its events on A's
chain), and then the same again with that import taking the whole-record lock (what every
writer took before one chain per province). Reported: p50 and p99 of B's intakes in each
phase, the import's own time, and the ratios to rest.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.bench_core import SECRET, server, signing_key  # noqa: E402
from evidence_service import keys  # noqa: E402
from evidence_service.auth import issue_token  # noqa: E402
from evidence_service.custody import lock_for_write  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from tests.factories import item_data, load_world, make_world  # noqa: E402

API = "/api/v1"


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def import_into_a(url: str, items: int, whole_lock: bool, key_file: Path) -> None:
    """In this process: ``items`` intakes into province A in one transaction."""
    keys.install_from_file(key_file)
    db = Database.from_url(url)
    with db.unit_of_work() as session:
        world = load_world(session)
        keeper = world.users["keeper"]
        if whole_lock:
            lock_for_write(session)  # the one lock of before: every province waits
        data = [ItemCreate(**item_data(world, location_code="S2")) for _ in range(items)]
        print("started", flush=True)  # B's intakes are timed from here
        started = time.perf_counter()
        intake_items(session, data, keeper)
    print(json.dumps({"import_seconds": time.perf_counter() - started}), flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def intakes_of_b(base: str, token: str, case_id: int, stop: Any, count: int) -> list[float]:
    """Single-item intakes by B's keeper, one after another: their latencies in ms."""
    body = {
        "case_id": case_id,
        "category": "other",
        "description": "Vật chứng tỉnh B",
        "quantity": 1,
        "unit": "piece",
        "net_weight_g": 10.0,
        "location_code": "X1",
    }
    latencies: list[float] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        while (stop is None and len(latencies) < count) or (stop is not None and not stop()):
            started = time.perf_counter()
            answer = http.post(f"{API}/items", json=body, timeout=120)
            latencies.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 201, answer.text
    return latencies


def figures(latencies: list[float]) -> dict[str, float]:
    return {
        "n": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies),
    }


def during_import(
    opts: argparse.Namespace, base: str, token: str, case_id: int, whole_lock: bool, key: Path
) -> dict[str, Any]:
    args = [sys.executable, __file__, "--postgres", opts.postgres, "--items", str(opts.items)]
    args += ["--import-a", "--workdir", str(opts.workdir)] + (
        ["--whole-lock"] if whole_lock else []
    )
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    done = threading.Event()
    result: dict[str, list[float]] = {}

    def run() -> None:
        result["ms"] = intakes_of_b(base, token, case_id, done.is_set, 0)

    runner = threading.Thread(target=run)
    runner.start()
    out, _ = proc.communicate()
    done.set()
    runner.join()
    return {**figures(result["ms"]), **json.loads(out.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--intakes", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench"))
    parser.add_argument("--import-a", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--whole-lock", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    opts.workdir.mkdir(parents=True, exist_ok=True)
    key_file = signing_key(opts.workdir)
    if opts.import_a:
        import_into_a(opts.postgres, opts.items, opts.whole_lock, key_file)
        return
    fresh_database(opts.postgres)
    keys.install_from_file(key_file)
    db = Database.from_url(opts.postgres)
    db.migrate()
    with db.session(write=True) as session:
        world = make_world(session)
        session.commit()
    db.engine.dispose()
    token = issue_token(world.users["other-keeper"], SECRET, 120)
    case_id = int(world.cases["other"].id or 0)
    env = {**os.environ, "EVIDENCE_DATABASE_URL": opts.postgres, "EVIDENCE_SECRET_KEY": SECRET}
    env["EVIDENCE_SIGNING_KEY_FILE"] = str(key_file)
    out: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "workers": opts.workers,
        "items_imported": opts.items,
    }
    with server("evidence_service.app:create_app", env, "/healthz", opts.workers) as base:
        intakes_of_b(base, token, case_id, None, 20)  # warm up every worker
        out["at_rest"] = figures(intakes_of_b(base, token, case_id, None, opts.intakes))
        out["during_import"] = during_import(opts, base, token, case_id, False, key_file)
        out["at_rest_after"] = figures(intakes_of_b(base, token, case_id, None, opts.intakes))
        out["during_import_whole_lock"] = during_import(opts, base, token, case_id, True, key_file)
        out["during_import_again"] = during_import(opts, base, token, case_id, False, key_file)
    rest = out["at_rest"]["p99_ms"]
    phases = ("at_rest", "during_import", "at_rest_after", "during_import_whole_lock")
    for phase in (*phases, "during_import_again"):
        f = out[phase]
        extra = f" (import {f['import_seconds']:.1f} s)" if "import_seconds" in f else ""
        print(
            f"{phase:26} n={f['n']:4} p50 {f['p50_ms']:7.1f} ms  p99 {f['p99_ms']:7.1f} ms  "
            f"max {f['max_ms']:7.1f} ms  p99/rest {f['p99_ms'] / rest:5.2f}{extra}"
        )
    print(f"load average at the start: {out['load_average']}")
    (opts.workdir / "bench_provinces.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
