"""The whole check an auditor runs (``evidence-service verify``, ``/audit/verify``): the
chain's links, hashes and signatures; the state of every item and every chained record
replayed from it and compared with the tables; the append-only logs; the signed
checkpoints; the web sessions' signatures. Only public keys are needed. It streams: the
chain once in order, then each table beside its events (``replay``); memory stays flat.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from . import checkpoints, keys, logchain
from .custody import Anchor, ChainProblem, EventType, VerifyResult, verify_links
from .models import Checkpoint, Item, WebSession, metadata
from .recording import CHAINED
from .replay import compare_table
from .websign import session_problem


def _problem(table: str, row: str, problem: str) -> ChainProblem:
    return ChainProblem(0, None, problem, table=table, row=row)


def verify_record(
    session: Session, anchor: Anchor | None = None, ring: keys.Keyring | None = None
) -> VerifyResult:
    ring = ring or keys.keyring()
    if session.get_bind().dialect.name == "postgresql":  # both passes see one snapshot
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    pruned: dict[str, tuple[int, str]] = {}  # log → (seq, hash) pruned up to
    reached: dict[str, int] = {}  # log → the seq it had reached when pruned
    result: VerifyResult | None = None
    for step in verify_links(session, ring, anchor):
        if isinstance(step, VerifyResult):
            result = step
        elif step["event_type"] == EventType.log_pruned:
            details = step["details"]
            pruned[details["log"]] = (details["up_to"], details["hash"])
            reached[details["log"]] = details.get("head", [0])[0]
    assert result is not None
    if result.problem is not None:
        return result

    def failed(problem: ChainProblem) -> VerifyResult:
        return VerifyResult(result.events_checked, result.head_hash, problem)

    for table in [Item.__table__, *(metadata.tables[n] for n in sorted(CHAINED))]:  # type: ignore[attr-defined]
        difference = compare_table(session, table)
        if difference is not None:
            return failed(_problem(difference.table, difference.row, difference.problem))
    heads: dict[str, tuple[int, str]] = {}
    for name in logchain.LOGS:
        head, row, problem = logchain.verify_log(session, name, pruned.get(name))
        if problem is not None:
            return failed(_problem(name, row or "", problem))
        if head[0] < reached.get(name, 0):
            why = f"rows up to seq {reached[name]} existed when it was pruned: some are gone"
            return failed(_problem(name, f"seq={head[0] + 1}", why))
        heads[name] = head
    problem_ = _checkpoints(session, ring, result, heads)
    if problem_ is not None:
        return failed(problem_)
    for web in session.execute(select(WebSession)).scalars():
        if (unsigned := session_problem(ring, web)) is not None:
            where = f"id={web.id[:12]}… user_id={web.user_id}"
            return failed(_problem("web_sessions", where, unsigned))
    return result


def _checkpoints(
    session: Session, ring: keys.Keyring, result: VerifyResult, heads: dict[str, tuple[int, str]]
) -> ChainProblem | None:
    """Every checkpoint signed, and consistent with the chain and logs as they are now."""
    hashes: dict[int, str] = {}
    table = Checkpoint.__table__  # type: ignore[attr-defined]
    points: list[dict[str, Any]] = [dict(r) for r in session.execute(select(table)).mappings()]
    wanted = {p["events"] for p in points}
    if wanted:
        events = metadata.tables["custody_events"]
        found = select(events.c.seq, events.c.hash).where(events.c.seq.in_(wanted))
        hashes = {seq: digest for seq, digest in session.execute(found).all()}
    for point in points:
        name = f"id={point['id']} (events={point['events']})"
        if (why := checkpoints.verify_checkpoint(ring, point)) is not None:
            return _problem("checkpoints", name, why)
        if point["events"] > result.events_checked:
            return _problem(
                "checkpoints", name, "the chain is shorter than this checkpoint (truncated)"
            )
        if hashes.get(point["events"]) != point["head_hash"]:
            return _problem(
                "checkpoints", name, "the chain differs from this checkpoint (rewritten)"
            )
        for log, (seq, _digest) in point["logs"].items():
            if log in heads and seq > heads[log][0]:
                return _problem(log, f"seq={seq}", "rows after this checkpoint's head are gone")
    if points:  # the newest checkpoint's log heads are still there, unchanged
        for log, (seq, digest) in points[-1]["logs"].items():
            if seq and log in logchain.LOGS:
                log_table = logchain.LOGS[log][0].__table__
                at_seq = select(log_table.c.hash).where(log_table.c.seq == seq)
                stored = session.execute(at_seq).first()
                if stored is not None and stored[0] != digest:
                    return _problem(log, f"seq={seq}", "differs from the checkpoint (rewritten)")
    return None
