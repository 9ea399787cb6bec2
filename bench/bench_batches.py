"""Batch operations benchmark (not a test): SQL statements and time of the batch writes.

    .venv/bin/python bench/bench_batches.py [--load 100000] [--workdir /tmp/evidence-batches]

1. POST /moves of 100 and 500 items, as a keeper and as a manager, in process: statements
   (target ≤ 15 whatever the count) and ms (target: 500 items ≤ 250 ms).
2. Adding 300 items to a destruction batch, and closing a stocktake of 300 items: statements, ms.
3. POST /items/batch of 1,000 through the real server: median ms (target ≤ 150 ms).
4. Loading 100,000 items with their intake events through ``intake_items`` (target ≤ 10 s).

Statements are counted by a ``before_cursor_execute`` listener on the engine: an
executemany counts once, as it is one round trip of the driver.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence_service import keys  # noqa: E402
from evidence_service.app import create_app  # noqa: E402
from evidence_service.auth import issue_token  # noqa: E402
from evidence_service.config import Settings  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from evidence_service.models import Item  # noqa: E402
from evidence_service.payload import make_payload  # noqa: E402
from tests.factories import World, make_world  # noqa: E402

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
API = "/api/v1"


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def fresh(workdir: Path, name: str) -> tuple[Database, World]:
    path = workdir / f"{name}.db"
    path.unlink(missing_ok=True)
    key_file = workdir / "signing.key"  # the benchmark's own signing key
    if not key_file.exists():
        keys.create_key_file(key_file)
    keys.install_from_file(key_file)
    db = Database.from_url(f"sqlite:///{path}")
    db.migrate()
    with db.session(write=True) as session:
        world = make_world(session)
        session.commit()
    return db, world


def intake(db: Database, world: World, count: int, location: str = "S2") -> list[str]:
    with db.session(write=True) as session:
        ids = intake_items(
            session,
            [
                ItemCreate(
                    case_id=world.cases["destroy"].id,
                    category="other",
                    description=f"Vật chứng số {n}",
                    quantity=1,
                    unit="piece",
                    net_weight_g=100.0 + n % 50,
                    location_code=location,
                )
                for n in range(count)
            ],
            world.users["keeper"],
        )
        session.commit()
        code_of = dict(
            session.execute(select(Item.id, Item.code).where(col(Item.id).in_(ids))).all()
        )
    return [code_of[i] for i in ids]


def timed(db: Database, client: TestClient, url: str, **kw: Any) -> tuple[int, float]:
    """Statements and ms of one POST."""
    with counting(db) as statements:
        t0 = time.perf_counter()
        response = client.post(url, **kw)
        elapsed = (time.perf_counter() - t0) * 1000
    response.raise_for_status()
    return len(statements), elapsed


def bench_moves(workdir: Path) -> None:
    db, world = fresh(workdir, "moves")
    client = TestClient(create_app(Settings(secret_key=SECRET, database_url="sqlite://"), db))
    warm = {"Authorization": f"Bearer {issue_token(world.users['keeper'], SECRET, 60)}"}
    client.post(
        f"{API}/moves",
        json={"item_codes": intake(db, world, 1), "to_location_code": "R1"},
        headers=warm,
    ).raise_for_status()
    for role in ("keeper", "manager"):
        headers = {"Authorization": f"Bearer {issue_token(world.users[role], SECRET, 60)}"}
        for count in (100, 500):
            codes = intake(db, world, count)
            statements, ms = timed(
                db,
                client,
                f"{API}/moves",
                json={"item_codes": codes, "to_location_code": "R1"},
                headers=headers,
            )
            print(f"POST /moves ×{count} as {role}: {statements} statements, {ms:.0f} ms")


def bench_destruction_add(workdir: Path, count: int = 300) -> None:
    db, world = fresh(workdir, "destruction")
    client = TestClient(create_app(Settings(secret_key=SECRET, database_url="sqlite://"), db))
    headers = {"Authorization": f"Bearer {issue_token(world.users['manager'], SECRET, 60)}"}
    codes = intake(db, world, count)
    batch = client.post(f"{API}/destruction-batches", json={"title": "b"}, headers=headers)
    batch.raise_for_status()
    statements, ms = timed(
        db,
        client,
        f"{API}/destruction-batches/{batch.json()['id']}/items",
        json={"codes": codes},
        headers=headers,
    )
    print(f"destruction add ×{count}: {statements} statements, {ms:.0f} ms")


def bench_stocktake_close(workdir: Path, count: int = 300) -> None:
    db, world = fresh(workdir, "stocktake")
    client = TestClient(create_app(Settings(secret_key=SECRET, database_url="sqlite://"), db))
    headers = {"Authorization": f"Bearer {issue_token(world.users['keeper'], SECRET, 60)}"}
    codes = intake(db, world, count)
    started = client.post(
        f"{API}/stocktakes", json={"scope": "warehouse", "warehouse_code": "W1"}, headers=headers
    )
    started.raise_for_status()
    stocktake = started.json()["id"]
    for code in codes[: count * 2 // 3]:  # a third missing
        client.post(
            f"{API}/stocktakes/{stocktake}/scans",
            json={"payload": make_payload("I", code)},
            headers=headers,
        ).raise_for_status()
    statements, ms = timed(
        db,
        client,
        f"{API}/stocktakes/{stocktake}/close",
        json={"keeper": "A", "accountant": "B", "head": "C"},
        headers=headers,
    )
    print(f"stocktake close ×{count} ({count // 3} missing): {statements} statements, {ms:.0f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_items_batch(workdir: Path, rounds: int = 10) -> None:
    db, world = fresh(workdir, "server")
    url = str(db.engine.url)
    db.engine.dispose()
    port = free_port()
    env = {**os.environ, "EVIDENCE_DATABASE_URL": url, "EVIDENCE_SECRET_KEY": SECRET}
    env["EVIDENCE_SIGNING_KEY_FILE"] = str(workdir / "signing.key")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "evidence_service.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        body = {
            "items": [
                {
                    "case_id": world.cases["destroy"].id,
                    "category": "other",
                    "description": f"lô {n}",
                    "quantity": 1,
                    "unit": "piece",
                    "net_weight_g": 10.0,
                    "location_code": "S2",
                }
                for n in range(1000)
            ]
        }
        token = issue_token(world.users["keeper"], SECRET, 60)
        times = []
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
            for _ in range(rounds):
                t0 = time.perf_counter()
                http.post(f"{base}{API}/items/batch", json=body).raise_for_status()
                times.append((time.perf_counter() - t0) * 1000)
        print(
            f"POST /items/batch ×1000 (real server): median {statistics.median(times):.0f} ms, "
            f"min {min(times):.0f} ms over {rounds}"
        )
    finally:
        server.terminate()
        server.wait()


def bench_load(workdir: Path, total: int, chunk: int = 5000) -> None:
    db, world = fresh(workdir, "load")
    keeper = world.users["keeper"]
    case_id = world.cases["destroy"].id
    started = time.perf_counter()
    for done in range(0, total, chunk):
        with db.session(write=True) as session:
            intake_items(
                session,
                [
                    ItemCreate(
                        case_id=case_id,
                        category="other",
                        description=f"Vật chứng số {done + n}",
                        quantity=1,
                        unit="piece",
                        net_weight_g=100.0 + n % 50,
                        location_code="S2",
                    )
                    for n in range(min(chunk, total - done))
                ],
                keeper,
            )
            session.commit()
    elapsed = time.perf_counter() - started
    print(f"load: {total:,} items + intake events in {elapsed:.2f} s ({total / elapsed:,.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--load", type=int, default=100_000, help="items to bulk load (0: skip)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-batches"))
    parser.add_argument(
        "--only", choices=["moves", "destruction", "stocktake", "batch", "load"], default=None
    )
    opts = parser.parse_args()
    shutil.rmtree(opts.workdir, ignore_errors=True)
    opts.workdir.mkdir(parents=True)
    steps: dict[str, Callable[[], None]] = {
        "moves": lambda: bench_moves(opts.workdir),
        "destruction": lambda: bench_destruction_add(opts.workdir),
        "stocktake": lambda: bench_stocktake_close(opts.workdir),
        "batch": lambda: bench_items_batch(opts.workdir),
        "load": lambda: bench_load(opts.workdir, opts.load) if opts.load else None,
    }
    for name, step in steps.items():
        if opts.only in (None, name):
            step()


if __name__ == "__main__":
    main()
