"""Verify benchmark (not a test): ``evidence-service verify`` over a long chain, with replay.

    .venv/bin/python bench/bench_verify.py [--events 1000000] [--workdir /tmp/evidence-bench]

Builds a SQLite database whose chain holds the given number of events: one item in five
events (its intake with every field, then four moves, each carrying what it changed), signed
every 1,000 events as the service signs each append, items in the table as the events left
them. Then, in a fresh process, runs the whole check (links, hashes, signatures, the replay
of every item and record against the tables, logs, checkpoints) and reports its time and
the process's peak memory, and the same for a chain a tenth as long: flat memory means the
two peaks are close. Target: 1,000,000 events in ≤ 60 s.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlmodel import col  # noqa: E402

from evidence_service import custody, keys  # noqa: E402
from evidence_service.bulk import insert_rows  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from evidence_service.models import CustodyEvent, Item, Location  # noqa: E402
from evidence_service.verification import verify_record  # noqa: E402
from tests.factories import item_data, make_world  # noqa: E402

MOVES = 4  # events per item after its intake
SIGN_EVERY = 1000


def build(path: Path, events: int, key_file: Path) -> None:
    path.unlink(missing_ok=True)
    key = keys.install_from_file(key_file)
    db = Database.from_url(f"sqlite:///{path}")
    db.migrate()
    with db.session(write=True) as session:
        world = make_world(session)
        session.commit()
        keeper = world.users["keeper"]
        (first,) = intake_items(
            session, [ItemCreate(**item_data(world, location_code="S2"))], keeper
        )
        session.commit()
        items_table = Item.__table__  # type: ignore[attr-defined]
        found = session.execute(select(items_table).where(items_table.c.id == first))
        template = dict(found.mappings().one())
        shelves = [
            loc.id
            for loc in session.execute(
                select(Location).where(col(Location.code).in_(["S2", "R1"]))
            ).scalars()
        ]
        seq, prev = custody.chain_head(session)
        connection = session.connection()
        now = datetime.now(UTC)
        stamp = custody._ts(now)
        events_table = CustodyEvent.__table__  # type: ignore[attr-defined]
        next_id = first + 1
        item_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        while seq < events:
            item_id, n = next_id, next_id
            next_id += 1
            code = f"VC-B-{n:08d}"
            row = {**template, "id": item_id, "code": code, "label_key": code.replace("-", "")}
            history = [
                (
                    "intake",
                    {"record": {k: custody.plain(v) for k, v in row.items() if k != "updated_at"}},
                )
            ]
            location, version = row["location_id"], 1
            for m in range(MOVES):
                target = shelves[(m + 1) % 2]
                changes = {"location_id": [location, target], "version": [version, version + 1]}
                history.append(("move", {"changes": changes}))
                location, version = target, version + 1
            row["location_id"], row["version"] = location, version
            item_rows.append(row)
            for kind, details in history:
                seq += 1
                event = {
                    "chain": 0,
                    "seq": seq,
                    "item_id": item_id,
                    "event_type": kind,
                    "actor_id": keeper.id,
                    "occurred_at": now,
                    "from_location_id": None,
                    "to_location_id": None,
                    "reason": "",
                    "details": details,
                    "prev_hash": prev,
                    "subject": None,
                    "subject_id": None,
                    "key_id": key.key_id,
                    "signature": None,
                }
                event["hash"] = prev = custody._hash(event, stamp)
                if seq % SIGN_EVERY == 0:
                    event["signature"] = key.sign(custody.signed_message(seq, prev))
                event_rows.append(event)
            if len(event_rows) >= 20000:
                last = event_rows[-1]  # every insert ends signed, as every append does
                last["signature"] = last["signature"] or key.sign(
                    custody.signed_message(last["seq"], last["hash"])
                )
                insert_rows(connection, items_table, item_rows)
                insert_rows(connection, events_table, event_rows)
                item_rows, event_rows = [], []
        if event_rows:
            event_rows[-1]["signature"] = key.sign(custody.signed_message(seq, prev))
            insert_rows(connection, items_table, item_rows)
            insert_rows(connection, events_table, event_rows)
        session.commit()
    db.engine.dispose()


def check(path: Path, key_file: Path) -> None:
    """In this process: the whole check, then its time and peak memory as JSON."""
    keys.install(None, keys.Keyring.read(keys.public_path(key_file)))
    db = Database.from_url(f"sqlite:///{path}")
    started, cpu = time.perf_counter(), time.process_time()
    with db.unit_of_work(write=False) as session:
        result = verify_record(session)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    replay = resource.getrusage(resource.RUSAGE_CHILDREN)  # the replay's own process, if any
    print(
        json.dumps(
            {
                "ok": result.ok,
                "events": result.events_checked,
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "replay_process_cpu_seconds": replay.ru_utime + replay.ru_stime,
                "replay_process_peak_mb": replay.ru_maxrss / 1024,
                "load_average": os.getloadavg(),
                "peak_mb": peak_mb,
                "problem": str(result.problem) if result.problem else None,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench"))
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    key_file = opts.workdir / "verify-signing.key"
    if opts.check:
        check(opts.check, key_file)
        return
    opts.workdir.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        keys.create_key_file(key_file)
    figures = {}
    for events in (opts.events // 10, opts.events):
        path = opts.workdir / f"verify-{events}.db"
        started = time.perf_counter()
        build(path, events, key_file)
        print(f"built {events:,} events in {time.perf_counter() - started:.1f} s", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--workdir", str(opts.workdir), "--check", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures[events] = json.loads(out.strip().splitlines()[-1])
        f = figures[events]
        print(
            f"verify {f['events']:,} events: {f['seconds']:.1f} s "
            f"(CPU {f['cpu_seconds']:.1f} s + replay process "
            f"{f['replay_process_cpu_seconds']:.1f} s), peak {f['peak_mb']:.0f} MB, "
            f"load {f['load_average'][0]:.1f}, ok={f['ok']} "
            f"{f['problem'] or ''}",
            flush=True,
        )
    (opts.workdir / "bench_verify.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
