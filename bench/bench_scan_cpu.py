"""CPU per ``POST /scan`` in-process (not a test): the load-independent figure for the scan.

    .venv/bin/python bench/bench_scan_cpu.py [--requests 2000] [--concurrency 1 32]
        [--postgres postgresql+psycopg://...]
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/bench_scan_cpu.py --requests 150 --concurrency 32 --once --reuse

Scans go through the whole ASGI app (middlewares, routing, token, lookup, the kept log row
written and awaited, the JSON answer), with no HTTP server, on a fresh SQLite database of
1,000 items. ``time.process_time`` counts every thread of the process (the kept-rows writer
too), so CPU per scan does not move with the machine's load the way wall time does. With
``--concurrency C`` that many scans are in flight at once (as wrk's connections are), so the
writer's batches hold up to C rows. A bare FastAPI ``async`` POST reading the same body is
measured beside it. ``--once`` runs one measurement and prints nothing else: run it under
callgrind with two request counts, and the difference of the instruction counts over the
difference of the counts is the instructions per scan.
"""

import argparse
import asyncio
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlmodel import col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_scan_path import stocked_world  # noqa: E402
from evidence_service import keys, payload  # noqa: E402
from evidence_service.app import create_app  # noqa: E402
from evidence_service.auth import issue_token  # noqa: E402
from evidence_service.config import Settings  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.models import Item, ScanLog  # noqa: E402

keys.install(keys.SigningKey.generate())

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"


def setup(
    workdir: Path, postgres: str | None = None, reuse: bool = False
) -> tuple[FastAPI, Database, str, list[bytes]]:
    """The app on a database of 1,000 items. ``reuse``: a copy of the SQLite database the
    last run made (under callgrind, migrating and loading cost minutes)."""
    template, saved = workdir / "template.db", workdir / "template.json"
    if reuse and not postgres and template.exists():
        scan_db = workdir / "scan.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scan_db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, scan_db)
        url = f"sqlite:///{scan_db}"
        db = Database.from_url(url)
        token, bodies = json.loads(saved.read_text())
        app = create_app(Settings(database_url=url, secret_key=SECRET), db)
        return app, db, token, [b.encode() for b in bodies]
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    url = postgres or f"sqlite:///{workdir / 'scan.db'}"
    db = Database.from_url(url)
    if postgres and db.migration_status()[0] is not None:
        raise SystemExit(f"--postgres needs an empty database: {postgres} has tables")
    db.migrate()
    with db.session(write=True) as session:
        world = stocked_world(session)
        session.commit()
        codes = session.exec(select(Item.code).order_by(col(Item.id)).limit(50)).all()
    token = issue_token(world.users["keeper"], SECRET, 60)
    bodies = [json.dumps({"payload": payload.make_payload("I", c)}).encode() for c in codes]
    if not postgres:
        db.engine.dispose()
        shutil.copyfile(workdir / "scan.db", template)
        saved.write_text(json.dumps([token, [b.decode() for b in bodies]]))
    app = create_app(Settings(database_url=url, secret_key=SECRET), db)
    return app, db, token, bodies


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/bare")
    async def bare(request: Request) -> Response:
        await request.body()
        return Response(b'{"ok":true}', media_type="application/json")

    return app


async def drive(app: Any, path: str, token: str, bodies: list[bytes], n: int, c: int) -> None:
    """n POSTs through the app, c of them in flight at any time."""
    statuses: list[int] = []

    async def one(body: bytes) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"bench"),
                (b"authorization", f"Bearer {token}".encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(scope, receive, send)

    async def lane(start: int) -> None:
        for k in range(start, n, c):
            await one(bodies[k % len(bodies)])

    await asyncio.gather(*(lane(s) for s in range(c)))
    if set(statuses) != {200} or len(statuses) != n:
        raise RuntimeError(f"{path} answered {set(statuses)} ({len(statuses)} of {n})")


def count_batches(db: Database) -> list[int]:
    """The size of each write of kept rows from now on."""
    sizes: list[int] = []
    kept = db._kept
    write = kept._write

    def counted(rows: list[Any]) -> None:
        sizes.append(len(rows))
        write(rows)

    kept._write = counted  # type: ignore[method-assign]
    return sizes


def measure(app: Any, path: str, token: str, bodies: list[bytes], n: int, c: int) -> tuple:
    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(drive(app, path, token, bodies, n, c))
    return (time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-scan-cpu"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--once", action="store_true", help="one run, no output (callgrind)")
    parser.add_argument("--reuse", action="store_true", help="copy the last run's database")
    parser.add_argument("--postgres", metavar="URL", help="an empty database instead of SQLite")
    opts = parser.parse_args()
    app, db, token, bodies = setup(opts.workdir, opts.postgres, opts.reuse)
    path = "/api/v1/scan"
    if opts.once:
        batches = count_batches(db)
        asyncio.run(drive(app, path, token, bodies, opts.requests, opts.concurrency[0]))
        print(f"{opts.requests} scans, {len(batches)} writes", file=sys.stderr)
        return
    asyncio.run(drive(app, path, token, bodies, 100, 8))  # warm: caches, connections
    bare = bare_app()
    where = "PostgreSQL" if opts.postgres else "SQLite"
    print(f"POST /scan in-process, {where}, {opts.requests} scans, best of {opts.repeat}:")
    for c in opts.concurrency:
        with db.session() as session:
            before = session.exec(select(ScanLog.id)).all()
        batches = count_batches(db)
        ours = min(measure(app, path, token, bodies, opts.requests, c) for _ in range(opts.repeat))
        ref = min(measure(bare, "/bare", token, bodies, opts.requests, c) for _ in range(3))
        with db.session() as session:
            logged = len(session.exec(select(ScanLog.id)).all()) - len(before)
        print(
            f"  {c:3d} in flight: CPU {ours[0]:7.1f} µs/scan (wall {ours[1]:7.1f});"
            f" bare async POST CPU {ref[0]:5.1f} µs; {logged} log rows"
            f" in {len(batches)} writes"
        )


if __name__ == "__main__":
    main()
