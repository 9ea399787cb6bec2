"""Core benchmark (not a test): every row of issue 19's table, each as a ratio to its bare
counterpart measured in the same run, and, with PostgreSQL, how throughput scales with
uvicorn workers.

    .venv/bin/python bench/bench_core.py [--items 100000] [--workdir /tmp/evidence-bench]
        [--seconds 5] [--rounds 3] [--postgres postgresql+psycopg://...] [--json PATH]

Needs wrk (``apt-get install wrk``). This VM's speed drifts 2-3x from minute to minute, so
every row is measured beside its bare counterpart, and the ratio (bare / ours: the share of
the ceiling we reach) is the figure to compare; wrk rows are measured in rounds, the bare
counterpart and ours back to back (the order alternating), and reported as the median of the
per-round ratios with their spread.

1. Load: N items with their signed intake events into a fresh SQLite database through the
   service's own ``intake_items``, wall and CPU time (target: 100,000 in ≤ 10 s). Bare: the
   same rows, read back, inserted with plain sqlite3 executemany into a copy of the database
   as it was before (the same indexes and triggers): what SQLite itself costs.
2. ``POST /items/batch`` of 1,000 through the real server, median of 10 (target ≤ 150 ms).
   Bare: a bare FastAPI POST validating the same body into a list of 7-field models.
3. 32 connections, one worker, SQLite: ``GET /items/{code}`` (random codes) and ``/healthz``
   against a bare FastAPI ``def`` GET returning a constant; ``POST /scan`` with items' label
   payloads (each scan writes a scan-log row) against a bare FastAPI POST reading a small JSON
   body. Targets: ≥ 50 % of bare, p99 ≤ 50 ms.
4. ``POST /moves`` in process: SQL statements of 100 items as a keeper and as a manager
   (target ≤ 15 whatever the count), and ms for 500 items (target ≤ 250 ms). Bare: the
   same request's statements replayed by plain sqlite3 (the database's share of the time).
5. ``verify`` (links, hashes, signatures, replay) over the loaded database, extrapolated to
   1,000,000 events (target ≤ 60 s; ``bench_verify.py`` measures 1,000,000 itself). Bare:
   reading every event and item row without checking anything.
6. With ``--postgres URL`` (an empty database; it is migrated here): servers with 1, 2 and 4
   workers, ``GET /items/{code}``, intake (POST /items, one new item a request) and the
   bare GET, each as a ratio to 1 worker in the same round.

All figures go to ``--json`` (default ``<workdir>/bench_core.json``); the last lines printed
are the table, one row each.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence_service import keys  # noqa: E402
from evidence_service.auth import issue_token  # noqa: E402
from evidence_service.db import Database  # noqa: E402
from evidence_service.items import ItemCreate, intake_items  # noqa: E402
from evidence_service.models import Item  # noqa: E402
from tests.factories import World, make_world  # noqa: E402

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
API = "/api/v1"
BARE_APP = """from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Scan(BaseModel):
    payload: str


@app.get('/bare')
def bare():
    return {'ok': True}


@app.post('/bare')
def bare_post(data: Scan):
    return {'ok': True}


class Row(BaseModel):
    case_id: int
    category: str
    description: str
    quantity: float
    unit: str
    net_weight_g: float | None = None
    location_code: str | None = None


class Batch(BaseModel):
    items: list[Row]


@app.post('/bare/batch', status_code=201)
def bare_batch(data: Batch):
    return {'ok': len(data.items)}
"""
Figures = dict[str, float]


# -- loading ------------------------------------------------------------------------------


def item(world: World, n: int, location: str | None) -> ItemCreate:
    return ItemCreate(
        case_id=world.cases["destroy"].id,
        category="other",
        description=f"Vật chứng số {n}",
        quantity=1,
        unit="piece",
        net_weight_g=100.0 + n % 50,
        location_code=location,
    )


def signing_key(workdir: Path) -> Path:
    """The benchmark's own signing key (made once in the work directory)."""
    path = workdir / "signing.key"
    if not path.exists():
        keys.create_key_file(path)
    return path


def load(
    db: Database, total: int, chunk: int = 5000, before: Path | None = None
) -> tuple[dict[str, float], list[str], World]:
    """Loads ``total`` items; ``before``: where to copy the database as it was before."""
    with db.session(write=True) as session:
        world = make_world(session)
        session.commit()
    if before is not None:
        before.unlink(missing_ok=True)
        plain = sqlite_connect(Path(str(db.engine.url.database)))
        plain.execute(f"VACUUM INTO '{before}'")
        plain.close()
    keeper = world.users["keeper"]
    started, cpu = time.perf_counter(), time.process_time()
    done = 0
    while done < total:
        n = min(chunk, total - done)
        with db.session(write=True) as session:
            intake_items(session, [item(world, done + i, "S2") for i in range(n)], keeper)
            session.commit()
        done += n
    elapsed = {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}
    codes_column = Item.__table__.c.code  # type: ignore[attr-defined]
    with db.session() as session:
        query = Item.__table__.select().with_only_columns(codes_column)  # type: ignore[attr-defined]
        codes = list(session.exec(query.order_by(codes_column).limit(2000)).scalars())
    return elapsed, codes, world


def sqlite_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection set up as the service sets up its own (db.make_engine)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def bare_load(loaded: Path, before: Path, chunk: int = 5000) -> float:
    """The loaded items and their events, as rows, inserted into the database as it was
    before the load with plain executemany, ``chunk`` items a transaction: SQLite's share."""
    source = sqlite_connect(loaded)
    target = sqlite_connect(before)
    (first,) = target.execute("SELECT COALESCE(MAX(seq), 0) FROM custody_events").fetchone()
    items = source.execute("SELECT * FROM items ORDER BY id").fetchall()
    cursor = source.execute("SELECT * FROM custody_events WHERE seq > ? ORDER BY seq", (first,))
    item_at = [d[0] for d in cursor.description].index("item_id")
    events = cursor.fetchall()
    source.close()
    item_sql = f"INSERT INTO items VALUES ({', '.join('?' * len(items[0]))})"
    event_sql = f"INSERT INTO custody_events VALUES ({', '.join('?' * len(events[0]))})"
    started, taken = time.perf_counter(), 0
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        last_id, upto = part[-1][0], taken
        while upto < len(events) and (events[upto][item_at] or 0) <= last_id:
            upto += 1
        target.execute("BEGIN IMMEDIATE")
        target.executemany(item_sql, part)
        target.executemany(event_sql, events[taken:upto])
        target.execute("COMMIT")
        taken = upto
    elapsed = time.perf_counter() - started
    target.close()
    return elapsed


# -- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(target: str, env: dict[str, str], ready_path: str, workers: int = 1) -> Iterator[str]:
    """A uvicorn server on a free port, ready to answer; yields its base URL."""
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--workers"]
    args += [str(workers), "--log-level", "warning", "--no-access-log"]
    if target.endswith("create_app"):
        args.append("--factory")
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + ready_path, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"server did not start: {args}")
        time.sleep(1.0 if workers > 1 else 0)  # let every worker finish booting
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # stuck on its requests: it and its workers
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# -- load generation with wrk -------------------------------------------------------------


def lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # as JSON writes it, Lua reads it


def lua_script(
    token: str | None, method: str, paths: list[str], bodies: list[str] | None = None
) -> str:
    """A random path of ``paths`` (and body of ``bodies``) a request. A body's ``%d`` becomes a
    counter, so that every request differs (each wrk thread counts on its own)."""
    quoted = ", ".join(lua_string(b.replace("%", "%%").replace("%%d", "%d")) for b in bodies or [])
    lines = [
        f"wrk.method = {lua_string(method)}",
        f"local paths = {{{', '.join(lua_string(p) for p in paths)}}}",
        f"local bodies = {{{quoted}}}",
        "local n = 0",
    ]
    if token:
        lines.append(f"wrk.headers['Authorization'] = {lua_string('Bearer ' + token)}")
    if bodies:
        lines.append("wrk.headers['Content-Type'] = 'application/json'")
    lines += [
        "request = function()",
        "  n = n + 1",
        "  local body = nil",
        "  if #bodies > 0 then body = string.format(bodies[math.random(#bodies)], n) end",
        "  return wrk.format(nil, paths[math.random(#paths)], nil, body)",
        "end",
    ]
    return "\n".join(lines) + "\n"


class Load:
    """One wrk target: a base URL and the Lua script written for it."""

    def __init__(self, workdir: Path, name: str, base: str, script: str) -> None:
        self.base = base
        self.script = workdir / f"{name}.lua"
        self.script.write_text(script)

    def run(self, seconds: float) -> Figures:
        # A client that waits 10 s: with wrk's 2 s it would give up and send anew while the server
        # still works on the first, so more requests would pile up than there are clients.
        cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s", "--latency"]
        cmd += ["-s", str(self.script)]
        done = subprocess.run(cmd + [self.base], capture_output=True, text=True, check=True)
        out = done.stdout
        if done.stderr.strip():  # a Lua error: wrk would go on sending plain GET /
            raise RuntimeError(f"wrk with {self.script}: {done.stderr.strip()}")
        found = re.search(r"Requests/sec:\s+([\d.]+)", out)
        if found is None:
            raise RuntimeError(f"wrk gave no rate:\n{out}")

        def pct(p: str) -> float:
            value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
            return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors:.*?(\d+) timeout", out)
        return {
            "rps": float(found.group(1)),
            "p50_ms": pct("50"),
            "p99_ms": pct("99"),
            "non_2xx": int(bad.group(1)) if bad else 0,
            "timeouts": int(errors.group(1)) if errors else 0,
        }


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def interleaved(
    loads: dict[str, Load], rounds: int, seconds: float, reference: str
) -> dict[str, Any]:
    """Runs every load once a round, rotating the order; the ratio of each to ``reference``
    is taken within the round, so the machine's drift between rounds cancels out."""
    names = list(loads)
    for load in loads.values():
        load.run(1)  # warm-up: first connections, caches
    per_round: list[dict[str, Figures]] = []
    for r in range(rounds):
        per_round.append({name: loads[name].run(seconds) for name in rotated(names, r)})
    return summary(per_round, reference)


def rotated(names: list[Any], r: int) -> list[Any]:
    return names[r % len(names) :] + names[: r % len(names)]


def summary(per_round: list[dict[str, Figures]], reference: str) -> dict[str, Any]:
    """Each load's median ratio to ``reference`` (None in a round where it did nothing)."""
    result: dict[str, Any] = {"rounds": per_round}
    for name in per_round[0]:
        ours = [figures[name] for figures in per_round]
        ratios = [f[name]["rps"] / f[reference]["rps"] for f in per_round if f[reference]["rps"]]
        result[name] = {
            "ratio": spread(ratios) if ratios else None,
            "rps": spread([o["rps"] for o in ours]),
            "p50_ms": statistics.median(o["p50_ms"] for o in ours),
            "p99_ms": statistics.median(o["p99_ms"] for o in ours),
            "non_2xx": sum(int(o["non_2xx"]) for o in ours),
            "idle_rounds": sum(1 for o in ours if not o["rps"]),
        }
    return result


def show(label: str, figures: dict[str, Any], of: str) -> None:
    ratio, rps = figures["ratio"], figures["rps"]
    failed = f", {figures['non_2xx']} non-2xx!" if figures["non_2xx"] else ""
    if figures["idle_rounds"]:
        failed += f", {figures['idle_rounds']} rounds without a single answer!"
    shown = (
        f"{ratio['median']:6.0%} of {of} (rounds {ratio['min']:.0%}–{ratio['max']:.0%})"
        if ratio
        else f"   n/a: {of} answered nothing"
    )
    print(
        f"  {label:<30} {shown}  "
        f"{rps['median']:7,.0f} req/s  p50 {figures['p50_ms']:6.2f} ms  "
        f"p99 {figures['p99_ms']:6.2f} ms{failed}"
    )


# -- the parts ----------------------------------------------------------------------------


def batch_intake(base: str, bare: str, token: str, case_id: int) -> dict[str, Any]:
    """Ten batches of 1,000 into ours and into the bare POST, alternating."""
    row = {
        "case_id": case_id,
        "category": "other",
        "description": "lô",
        "quantity": 1,
        "unit": "piece",
        "net_weight_g": 10.0,
        "location_code": "S2",
    }
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    targets = {"ours": f"{base}{API}/items/batch", "bare": f"{bare}/bare/batch"}
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
        for n in range(10):
            for name in rotated(list(targets), n):
                t0 = time.perf_counter()
                http.post(targets[name], json={"items": [row] * 1000}).raise_for_status()
                times[name].append(time.perf_counter() - t0)
    ours, ceiling = statistics.median(times["ours"]), statistics.median(times["bare"])
    return {"median_ms": ours * 1000, "bare_median_ms": ceiling * 1000, "ratio": ceiling / ours}


def moves(workdir: Path) -> dict[str, Any]:
    """POST /moves in process (bench_batches' set-up): statements of 100 items as a keeper
    and as a manager, ms of 500; bare: the 500-item move's statements replayed by sqlite3."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_batches import fresh, intake  # noqa: PLC0415 (a sibling script)
    from fastapi.testclient import TestClient  # noqa: PLC0415
    from sqlalchemy import event  # noqa: PLC0415

    from evidence_service.app import create_app  # noqa: PLC0415
    from evidence_service.config import Settings  # noqa: PLC0415

    db, world = fresh(workdir, "moves")
    client = TestClient(create_app(Settings(secret_key=SECRET, database_url="sqlite://"), db))
    result: dict[str, Any] = {}
    for role, count in (("keeper", 1), ("keeper", 100), ("manager", 100), ("keeper", 500)):
        codes = intake(db, world, count)
        sent: list[tuple[str, Any]] = []

        def record(_c: Any, _cur: Any, sql: str, params: Any, *_: Any) -> None:
            sent.append((sql, params))  # noqa: B023 (listened to for this request only)

        headers = {"Authorization": f"Bearer {issue_token(world.users[role], SECRET, 60)}"}
        event.listen(db.engine, "before_cursor_execute", record)
        t0 = time.perf_counter()
        response = client.post(
            f"{API}/moves", json={"item_codes": codes, "to_location_code": "R1"}, headers=headers
        )
        elapsed = time.perf_counter() - t0
        event.remove(db.engine, "before_cursor_execute", record)
        response.raise_for_status()
        if count > 1:  # 1: the warm-up
            result[f"{count} as {role}"] = {"statements": len(sent), "ms": elapsed * 1000}
    db.engine.dispose()
    return result


def verify(path: Path, key_file: Path) -> dict[str, float]:
    """``verify_record`` over the loaded database; bare: reading its events and items."""
    from evidence_service.verification import verify_record  # noqa: PLC0415

    keys.install(None, keys.Keyring.read(keys.public_path(key_file)))
    db = Database.from_url(f"sqlite:///{path}")
    started, cpu = time.perf_counter(), time.process_time()
    with db.unit_of_work(write=False) as session:
        result = verify_record(session)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.engine.dispose()
    conn = sqlite_connect(path)
    t0 = time.perf_counter()
    for table in ("custody_events", "items"):
        for _ in conn.execute(f"SELECT * FROM {table}"):
            pass
    bare = time.perf_counter() - t0
    conn.close()
    if not result.ok:
        raise RuntimeError(f"verify failed: {result.problem}")
    return {
        "events": result.events_checked,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "bare_seconds": bare,
        "ratio": bare / elapsed,
        "per_million_s": elapsed / result.events_checked * 1_000_000,
    }


def label_payloads(base: str, token: str, codes: list[str]) -> list[str]:
    """The payloads printed on the items' labels, as the API gives them."""
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
        return [
            http.get(f"{base}{API}/items/{code}").raise_for_status().json()["label_payload"]
            for code in codes
        ]


def scan_path(
    opts: argparse.Namespace, env: dict[str, str], token: str, codes: list[str]
) -> dict[str, Any]:
    """Step 3: each of our rows beside its bare counterpart, one worker, SQLite."""
    bare_env = {**env, "PYTHONPATH": str(opts.workdir)}
    with (
        server("evidence_service.app:create_app", env, "/healthz") as ours,
        server("bare_app:app", bare_env, "/bare") as bare,
    ):
        w = opts.workdir
        item_paths = [f"{API}/items/{code}" for code in random.sample(codes, 200)]
        scans = [json.dumps({"payload": p}) for p in label_payloads(ours, token, codes[:50])]
        gets = {
            "bare GET": Load(w, "bare_get", bare, lua_script(None, "GET", ["/bare"])),
            "GET /items/{code}": Load(w, "item", ours, lua_script(token, "GET", item_paths)),
            "/healthz": Load(w, "healthz", ours, lua_script(None, "GET", ["/healthz"])),
        }
        posts = {
            "bare POST": Load(w, "bare_post", bare, lua_script(None, "POST", ["/bare"], scans)),
            "POST /scan": Load(w, "scan", ours, lua_script(token, "POST", [f"{API}/scan"], scans)),
        }
        print(
            f"scan path: SQLite, 1 worker, 32 connections, {opts.rounds} rounds × {opts.seconds} s"
        )
        get_figures = interleaved(gets, opts.rounds, opts.seconds, "bare GET")
        post_figures = interleaved(posts, opts.rounds, opts.seconds, "bare POST")
    show("GET /items/{code}", get_figures["GET /items/{code}"], "bare GET")
    show("POST /scan", post_figures["POST /scan"], "bare POST")
    show("/healthz (reference)", get_figures["/healthz"], "bare GET")
    print("  targets: ≥ 50 % of bare, p99 ≤ 50 ms")
    return {"get": get_figures, "post": post_figures}


def scale_out(opts: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Step 4: PostgreSQL, servers with 1, 2 and 4 workers running side by side (an idle one
    costs no CPU), every load measured on each in the same round."""
    db = Database.from_url(opts.postgres)
    if db.migration_status()[0] is not None:
        raise SystemExit(f"--postgres needs an empty database: {opts.postgres} has tables")
    db.migrate()
    elapsed, codes, world = load(db, opts.pg_items)
    db.engine.dispose()
    print(f"PostgreSQL: loaded {opts.pg_items:,} items in {elapsed['seconds']:.1f} s")
    token = issue_token(world.users["keeper"], SECRET, 120)
    new_item = json.dumps(
        {
            "case_id": world.cases["destroy"].id,
            "category": "other",
            "description": "Vật chứng nhập thử %d",
            "quantity": 1,
            "unit": "piece",
            "net_weight_g": 10.0,
            "location_code": "S2",
        },
        ensure_ascii=False,
    )
    item_paths = [f"{API}/items/{code}" for code in random.sample(codes, 200)]
    pg_env = {**env, "EVIDENCE_DATABASE_URL": opts.postgres}
    bare_env = {**env, "PYTHONPATH": str(opts.workdir)}
    w, workers = opts.workdir, [1, 2, 4]
    print(f"scale-out: PostgreSQL, 32 connections, {opts.rounds} rounds × {opts.seconds} s")
    per_round: dict[str, list[dict[str, Figures]]] = {"GET /items/{code}": [], "POST /items": []}
    per_round["bare GET"] = []
    with ExitStack() as stack:
        # The bare servers run side by side (idle they cost nothing); ours one at a time, as
        # each of their workers may hold up to 30 of PostgreSQL's 100 connections.
        bare = {
            n: Load(
                w,
                f"pg_bare_{n}",
                stack.enter_context(server("bare_app:app", bare_env, "/bare", n)),
                lua_script(None, "GET", ["/bare"]),
            )
            for n in workers
        }
        for r in range(opts.rounds):
            found: dict[str, dict[str, Figures]] = {name: {} for name in per_round}
            for n in rotated(workers, r):
                with server("evidence_service.app:create_app", pg_env, "/healthz", n) as ours:
                    get = Load(w, f"pg_item_{n}", ours, lua_script(token, "GET", item_paths))
                    post = lua_script(token, "POST", [f"{API}/items"], [new_item])
                    intake = Load(w, f"pg_intake_{n}", ours, post)
                    for name, target in (("GET /items/{code}", get), ("POST /items", intake)):
                        target.run(1)  # warm-up
                        found[name][f"workers={n}"] = target.run(opts.seconds)
                found["bare GET"][f"workers={n}"] = bare[n].run(opts.seconds)
            for name in per_round:
                per_round[name].append(found[name])
    result = {name: summary(rounds, "workers=1") for name, rounds in per_round.items()}
    for name, figures in result.items():
        for n in workers:
            show(f"{name}, {n} worker{'s' * (n > 1)}", figures[f"workers={n}"], "1 worker")
    return result


def table(f: dict[str, Any]) -> None:
    """Issue 19's table: each row, its bare counterpart, the ratio (bare / ours) and goal."""
    load, batch, ver = f["load"], f["batch_1000"], f["verify"]
    get, scan = f["scan_path"]["get"]["GET /items/{code}"], f["scan_path"]["post"]["POST /scan"]
    per_100k = load["seconds"] / load["items"] * 100_000
    rows = [
        (
            "GET /items/{code}",
            f"{get['rps']['median']:,.0f} req/s, p99 {get['p99_ms']:.0f} ms",
            "bare GET",
            get["ratio"]["median"] if get["ratio"] else None,
            "≥ 50 %, p99 ≤ 50 ms",
        ),
        (
            "POST /scan",
            f"{scan['rps']['median']:,.0f} req/s, p99 {scan['p99_ms']:.0f} ms",
            "bare POST",
            scan["ratio"]["median"] if scan["ratio"] else None,
            "≥ 50 %, p99 ≤ 50 ms",
        ),
    ]
    for name, m in f["moves"].items():
        rows.append(
            (
                f"POST /moves {name}",
                f"{m['statements']} statements, {m['ms']:.0f} ms",
                "—",
                None,
                "≤ 15 statements; 500 ≤ 250 ms",
            )
        )
    rows += [
        (
            f"load {load['items']:,} items",
            f"{load['seconds']:.1f} s ({per_100k:.1f} s per 100k; CPU {load['cpu_seconds']:.1f} s)",
            f"sqlite3 {load['bare_seconds']:.1f} s",
            load["ratio"],
            "100k ≤ 10 s",
        ),
        (
            "POST /items/batch ×1000",
            f"{batch['median_ms']:.0f} ms",
            f"bare POST {batch['bare_median_ms']:.0f} ms",
            batch["ratio"],
            "≤ 150 ms",
        ),
        (
            f"verify {ver['events']:,} events",
            f"{ver['seconds']:.1f} s ({ver['per_million_s']:.0f} s per 1M)",
            f"read {ver['bare_seconds']:.1f} s",
            ver["ratio"],
            "1M ≤ 60 s",
        ),
    ]
    print("\nissue 19's table (ratio = bare / ours, in the same run):")
    for name, ours, bare, ratio, goal in rows:
        shown = f"{ratio:5.0%}" if ratio is not None else "    —"
        print(f"  {name:<28} {ours:<44} {bare:<22} {shown}  goal {goal}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/evidence-bench"))
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="an empty database for the scale-out")
    parser.add_argument("--pg-items", type=int, default=20_000, help="items loaded there")
    parser.add_argument("--json", type=Path, help="default <workdir>/bench_core.json")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench_core needs wrk: apt-get install wrk")
    shutil.rmtree(opts.workdir, ignore_errors=True)
    opts.workdir.mkdir(parents=True)
    (opts.workdir / "bare_app.py").write_text(BARE_APP)
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "rounds": opts.rounds,
        "seconds": opts.seconds,
        "connections": 32,
    }

    db_url = f"sqlite:///{opts.workdir / 'bench.db'}"
    db = Database.from_url(db_url)
    db.migrate()
    key_file = signing_key(opts.workdir)
    keys.install_from_file(key_file)
    before = opts.workdir / "before.db"
    elapsed, codes, world = load(db, opts.items, before=before)
    db.engine.dispose()
    elapsed["bare_seconds"] = bare_load(opts.workdir / "bench.db", before)
    elapsed["ratio"] = elapsed["bare_seconds"] / elapsed["seconds"]
    figures["load"] = {"items": opts.items, **elapsed}
    print(
        f"load: {opts.items:,} items + signed intake events in {elapsed['seconds']:.2f} s "
        f"({elapsed['cpu_seconds']:.2f} s CPU); bare sqlite3 {elapsed['bare_seconds']:.2f} s"
    )
    token = issue_token(world.users["keeper"], SECRET, 120)
    env = {**os.environ, "EVIDENCE_DATABASE_URL": db_url, "EVIDENCE_SECRET_KEY": SECRET}
    env["EVIDENCE_SIGNING_KEY_FILE"] = str(key_file)
    bare_env = {**env, "PYTHONPATH": str(opts.workdir)}
    with (
        server("evidence_service.app:create_app", env, "/healthz") as base,
        server("bare_app:app", bare_env, "/bare") as bare,
    ):
        case = world.cases["destroy"].id
        figures["batch_1000"] = batch_intake(base, bare, token, case)  # type: ignore[arg-type]
    figures["verify"] = verify(opts.workdir / "bench.db", key_file)
    keys.install_from_file(key_file)
    figures["moves"] = moves(opts.workdir)
    figures["scan_path"] = scan_path(opts, env, token, codes)
    if opts.postgres:
        figures["scale_out"] = scale_out(opts, env)
    table(figures)

    path = opts.json or opts.workdir / "bench_core.json"
    path.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
