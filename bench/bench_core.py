"""Core benchmark (not a test): bulk load, batch intake throughput, item lookup vs a bare endpoint.

    .venv/bin/python bench/bench_core.py [--items 100000] [--workdir /tmp/evidence-bench]

1. Loads N items with their intake events into a fresh SQLite database through the
   service's own intake code (target: 100,000 in ≤ 10 s).
2. Starts the real server and measures POST /items/batch with batches of 1,000.
3. Measures GET /items/{code} with 32 concurrent connections (wrk if installed, otherwise
   an asyncio client) side by side with a bare FastAPI endpoint returning a constant, so
   the ratio shows our overhead (targets: ≥ 50 % of the bare throughput, p99 ≤ 50 ms).
"""

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence_service.auth import issue_token  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from evidence_service.models import Item  # noqa: E402
from tests.factories import make_world  # noqa: E402

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
BARE_APP = """from fastapi import FastAPI
app = FastAPI()
@app.get('/bare')
def bare():
    return {'ok': True}
"""


def item(world, n: int, location: str | None) -> ItemCreate:
    return ItemCreate(
        case_id=world.cases["destroy"].id,
        category="other",
        description=f"Vật chứng số {n}",
        quantity=1,
        unit="piece",
        net_weight_g=100.0 + n % 50,
        location_code=location,
    )


def load(db: Database, total: int, chunk: int = 5000) -> tuple[float, list[str]]:
    with db.session(write=True) as session:
        world = make_world(session)
        session.commit()
    keeper = world.users["keeper"]
    started = time.perf_counter()
    done = 0
    while done < total:
        n = min(chunk, total - done)
        with db.session(write=True) as session:
            intake_items(session, [item(world, done + i, "S2") for i in range(n)], keeper)
            session.commit()
        done += n
    elapsed = time.perf_counter() - started
    with db.session() as session:
        codes = list(
            session.exec(
                Item.__table__.select()
                .with_only_columns(Item.__table__.c.code)  # type: ignore[attr-defined]
                .order_by(Item.__table__.c.id)
                .limit(2000)
            ).scalars()
        )  # type: ignore[attr-defined]
    return elapsed, codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start: {args}")


def uvicorn_args(target: str, port: int, factory: bool) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return args + (["--factory"] if factory else [])


def wrk(url: str, token: str | None, seconds: int) -> tuple[float, float, float]:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, pct("50"), pct("99")


async def _asyncio_load(
    urls: list[str], token: str | None, seconds: int
) -> tuple[float, float, float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(
        headers=headers, limits=httpx.Limits(max_connections=32)
    ) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = await client.get(random.choice(urls))
                r.raise_for_status()
                latencies.append((time.perf_counter() - t0) * 1000)

        await asyncio.gather(*(worker() for _ in range(32)))
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / seconds, q[49], q[98]


def measure(urls: list[str], token: str | None, seconds: int) -> tuple[float, float, float]:
    if shutil.which("wrk"):
        return wrk(urls[0], token, seconds)
    return asyncio.run(_asyncio_load(urls, token, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench"))
    parser.add_argument("--seconds", type=int, default=10)
    opts = parser.parse_args()
    shutil.rmtree(opts.workdir, ignore_errors=True)
    opts.workdir.mkdir(parents=True)
    db_url = f"sqlite:///{opts.workdir / 'bench.db'}"
    db = Database.from_url(db_url)
    db.migrate()

    elapsed, codes = load(db, opts.items)
    print(
        f"load: {opts.items} items + intake events in {elapsed:.2f} s "
        f"({opts.items / elapsed:,.0f} items/s; target ≤ 10 s for 100,000)"
    )

    with db.session() as session:
        from sqlmodel import select

        from evidence_service.models import Case, User

        keeper = session.exec(select(User).where(User.username == "keeper")).one()
        case_id = session.exec(select(Case.id).where(Case.judgment_number == "1/2026/HS-ST")).one()
    token = issue_token(keeper, SECRET, 60)
    env = {**os.environ, "EVIDENCE_DATABASE_URL": db_url, "EVIDENCE_SECRET_KEY": SECRET}
    port, bare_port = free_port(), free_port()
    (opts.workdir / "bare_app.py").write_text(BARE_APP)
    server = start(
        uvicorn_args("evidence_service.app:create_app", port, True),
        env,
        f"http://127.0.0.1:{port}/healthz",
    )
    bare = start(
        uvicorn_args("bare_app:app", bare_port, False),
        {**env, "PYTHONPATH": str(opts.workdir)},
        f"http://127.0.0.1:{bare_port}/bare",
    )
    try:
        batch = [
            {
                "case_id": case_id,
                "category": "other",
                "description": "lô",
                "quantity": 1,
                "unit": "piece",
                "net_weight_g": 10.0,
                "location_code": "S2",
            }
        ] * 1000
        times = []
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
            for _ in range(10):
                t0 = time.perf_counter()
                r = http.post(f"http://127.0.0.1:{port}/api/v1/items/batch", json={"items": batch})
                r.raise_for_status()
                times.append(time.perf_counter() - t0)
        print(
            f"POST /items/batch ×1000: median {statistics.median(times) * 1000:.0f} ms per batch, "
            f"{1000 / statistics.median(times):,.0f} items/s"
        )

        item_urls = [f"http://127.0.0.1:{port}/api/v1/items/{c}" for c in random.sample(codes, 200)]
        bare_rps, bare_p50, bare_p99 = measure(
            [f"http://127.0.0.1:{bare_port}/bare"], None, opts.seconds
        )
        ours_rps, ours_p50, ours_p99 = measure(item_urls, token, opts.seconds)
        tool = "wrk" if shutil.which("wrk") else "asyncio client"
        for name, (rps, p50, p99) in (
            ("bare endpoint     ", (bare_rps, bare_p50, bare_p99)),
            ("GET /items/{code} ", (ours_rps, ours_p50, ours_p99)),
        ):
            print(f"{name} ({tool}): {rps:8,.0f} req/s  p50 {p50:.2f} ms  p99 {p99:.2f} ms")
        print(f"ratio: {ours_rps / bare_rps:.0%} of the bare endpoint (target ≥ 50 %, p99 ≤ 50 ms)")
    finally:
        for proc in (server, bare):
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
