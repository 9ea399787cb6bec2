"""Where the time goes on the scan path (not a test): each step of ``GET /items/{code}``
timed in-process with ``timeit``, on a fresh SQLite database of 1,000 items.

    .venv/bin/python bench/bench_scan_path.py [--workdir /tmp/evidence-scan-path]

The steps, in the order a request meets them (the HTTP server's own parsing and writing is
not here: ``bench_core.py``'s bare endpoint measures that ceiling):

- the ASGI middlewares (security headers, commit-before-response) around a constant app;
- FastAPI: routing among all routes, dependency solving (settings, bearer, database),
  the path parameter, the ``Response``: the full request minus the steps below;
- the token check: signature cached, the account from the per-process cache;
- the raw SELECT: pool checkout, execute, fetch, return;
- building the answer and dumping its JSON: ``find_item`` and its dump minus the SELECT.
"""

import argparse
import asyncio
import shutil
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from sqlmodel import col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence_service import keys  # noqa: E402
from evidence_service.api.transaction import CommitBeforeResponse  # noqa: E402
from evidence_service.app import SecurityHeaders, create_app  # noqa: E402
from evidence_service.auth import issue_token, user_from_token  # noqa: E402
from evidence_service.config import Settings  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from evidence_service.items.hot_lookup import _sql, find_item  # noqa: E402
from evidence_service.items.lookup import key_of  # noqa: E402
from evidence_service.models import Item  # noqa: E402
from tests.factories import make_world  # noqa: E402

keys.install(keys.SigningKey.generate())  # the custody record signs every append

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
Asgi = Callable[..., Any]


def best_us(stmt: Callable[[], object], number: int = 2000, repeat: int = 7) -> float:
    """The best of ``repeat`` runs, per call in µs: the least disturbed by the VM's drift."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number * 1e6


def asgi_us(app: Asgi, path: str, token: str, number: int = 2000, repeat: int = 7) -> float:
    """One GET through an ASGI app, in-process, per call in µs (best of ``repeat``)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def run() -> float:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            for _ in range(number):
                await app(dict(scope), receive, send)
            best = min(best, time.perf_counter() - started)
        return best / number * 1e6

    result = asyncio.run(run())
    if set(statuses) != {200}:
        raise RuntimeError(f"{path} answered {set(statuses)}")
    return result


def constant_app() -> Asgi:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


def bare_fastapi() -> FastAPI:
    app = FastAPI()

    @app.get("/bare/{code}")
    async def bare(code: str) -> Response:
        return Response(b'{"ok":true}', media_type="application/json")

    return app


def stocked_world(session: Any) -> Any:
    """The factories' world with 1,000 items stored at S2: what the scan benches read."""
    world = make_world(session)
    rows = [
        ItemCreate(
            case_id=world.cases["destroy"].id,
            category="other",
            description=f"Vật chứng số {n}",
            quantity=1,
            unit="piece",
            net_weight_g=100.0,
            location_code="S2",
        )
        for n in range(1000)
    ]
    intake_items(session, rows, world.users["keeper"])
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-scan-path"))
    opts = parser.parse_args()
    shutil.rmtree(opts.workdir, ignore_errors=True)
    opts.workdir.mkdir(parents=True)
    url = f"sqlite:///{opts.workdir / 'scan.db'}"
    db = Database.from_url(url)
    db.migrate()
    with db.session(write=True) as session:
        world = stocked_world(session)
        session.commit()
    keeper = world.users["keeper"]
    token = issue_token(keeper, SECRET, 60)
    with db.session() as session:
        code = session.exec(select(Item.code).order_by(col(Item.id)).offset(500)).first()
    assert code is not None
    db.accounts.read()  # as the first request would
    actor = user_from_token(db.accounts, token, SECRET)
    sql, order = _sql(db.engine)

    def select_row() -> None:
        params = {"key": key_of(code)}
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, [params[name] for name in order] if order else params)
            cursor.fetchone()
            cursor.close()
        finally:
            connection.close()

    app = create_app(Settings(database_url=url, secret_key=SECRET), db)
    token_us = best_us(lambda: user_from_token(db.accounts, token, SECRET))
    select_us = best_us(select_row)
    with db.session() as session:
        lookup_us = best_us(lambda: find_item(session, code, actor).model_dump_json())
    constant = constant_app()
    wrapped = SecurityHeaders(CommitBeforeResponse(constant, db))
    middleware_us = asgi_us(wrapped, "/x", token) - asgi_us(constant, "/x", token)
    full_us = asgi_us(app, f"/api/v1/items/{code}", token)
    bare_us = asgi_us(bare_fastapi(), f"/bare/{code}", token)
    framework_us = full_us - token_us - lookup_us - middleware_us
    steps = [
        ("token check (cached claims and accounts)", token_us),
        ("raw SELECT (checkout, execute, fetch, return)", select_us),
        ("build the answer and dump its JSON", lookup_us - select_us),
        ("ASGI middlewares (headers, commit-before-response)", middleware_us),
        ("FastAPI: routing, dependencies, Response", framework_us),
    ]
    print("GET /items/{code} in-process, SQLite, best of 7 × 2,000 (µs per request):")
    for name, us in steps:
        print(f"  {name:<52} {us:7.1f}  {us / full_us:4.0%}")
    print(f"  {'whole request through the app (ASGI, no HTTP)':<52} {full_us:7.1f}")
    print(f"  {'bare FastAPI, one async endpoint (ASGI, no HTTP)':<52} {bare_us:7.1f}")


if __name__ == "__main__":
    main()
