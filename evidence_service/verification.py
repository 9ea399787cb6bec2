"""The whole check an auditor runs (``evidence-service verify``, ``/audit/verify``): the
chain's links, hashes and signatures; the state of every item and every chained record
replayed from it and compared with the tables; the append-only logs; the signed
checkpoints; the web sessions' signatures. Only public keys are needed. It streams: the
chain once in order, then each table beside its events (``replay``); memory stays flat.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from . import checkpoints, keys, logchain, replay_beside
from .custody import EventType
from .links import Anchor, ChainProblem, VerifyResult, merkle_root, verify_links
from .models import Checkpoint, WebSession, metadata
from .websign import session_problem


def _problem(table: str, row: str, problem: str) -> ChainProblem:
    return ChainProblem(0, None, problem, table=table, row=row)


def verify_record(
    session: Session, anchor: Anchor | None = None, ring: keys.Keyring | None = None
) -> VerifyResult:
    ring, given = ring or keys.keyring(), anchor
    if session.get_bind().dialect.name == "postgresql":  # every pass sees one snapshot
        _one_snapshot(session)
    printed: ChainProblem | None = None  # a printed anchor no checkpoint has: the heads now?
    if anchor is not None and anchor.expected() is None:
        found = _printed_checkpoint(session, ring, anchor)
        if isinstance(found, ChainProblem):
            printed, anchor = found, None
        else:
            anchor = found
    replayed = replay_beside.start(session)  # beside the walk, on a long chain
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
        replayed(False)
        return result
    if printed is not None and not (
        given is not None
        and result.events_checked == given.events
        and result.head_hash.startswith(given.head_hash)
    ):
        replayed(False)
        return VerifyResult(result.events_checked, result.head_hash, printed, result.heads)

    def failed(problem: ChainProblem) -> VerifyResult:
        return VerifyResult(result.events_checked, result.head_hash, problem)

    if (difference := replayed(True)) is not None:
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


def _one_snapshot(session: Session) -> None:
    """REPEATABLE READ for the whole check, set before its first statement (once the
    transaction has begun, PostgreSQL ignores a new isolation level with a warning)."""
    from psycopg.pq import TransactionStatus  # PostgreSQL's driver, there only

    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    # IDLE: no statement has run in this transaction yet (psycopg begins at the first one).
    # Else (the caller read something first) its snapshot stays the caller's.
    if driver.info.transaction_status == TransactionStatus.IDLE:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _printed_checkpoint(
    session: Session, ring: keys.Keyring, anchor: Anchor
) -> Anchor | ChainProblem:
    """The signed checkpoint a printed global anchor (``EVG <events> <root16>``) names."""
    table = Checkpoint.__table__  # type: ignore[attr-defined]
    query = select(table).where(table.c.events == anchor.events, table.c.chains.is_not(None))
    for point in session.execute(query).mappings():
        if point["head_hash"].startswith(anchor.head_hash):
            if (why := checkpoints.verify_checkpoint(ring, dict(point))) is not None:
                return _problem("checkpoints", f"id={point['id']}", why)
            return checkpoints.as_anchor(dict(point))
    why = (
        f"no signed checkpoint of {anchor.events} events with root {anchor.head_hash}: "
        "the checkpoint was deleted or the history it anchored rewritten"
    )
    return _problem("checkpoints", anchor.printed(), why)


def _at(session: Session, points: list[dict[str, Any]]) -> dict[tuple[int, int], str]:
    """(chain, seq) → hash of every event a checkpoint names."""
    wanted: dict[int, set[int]] = {}
    for point in points:
        for chain, (seq, _h) in _heads(point).items():
            wanted.setdefault(chain, set()).add(seq)
    events = metadata.tables["custody_events"]
    hashes: dict[tuple[int, int], str] = {}
    for chain, seqs in wanted.items():
        listed = sorted(seqs)
        for start in range(0, len(listed), 900):
            found = select(events.c.seq, events.c.hash).where(
                events.c.chain == chain, events.c.seq.in_(listed[start : start + 900])
            )
            hashes.update({(chain, s): h for s, h in session.execute(found).all()})
    return hashes


def _heads(point: dict[str, Any]) -> dict[int, tuple[int, str]]:
    if point.get("chains") is None:  # from before the partition: the common chain's head
        return {0: (point["events"], point["head_hash"])}
    return {int(c): (int(s), str(h)) for c, (s, h) in point["chains"].items()}


def _checkpoints(
    session: Session, ring: keys.Keyring, result: VerifyResult, heads: dict[str, tuple[int, str]]
) -> ChainProblem | None:
    """Every checkpoint signed, and consistent with the chains and logs as they are now."""
    table = Checkpoint.__table__  # type: ignore[attr-defined]
    points: list[dict[str, Any]] = [dict(r) for r in session.execute(select(table)).mappings()]
    hashes = _at(session, points)
    for point in points:
        name = f"id={point['id']} (events={point['events']})"
        if (why := checkpoints.verify_checkpoint(ring, point)) is not None:
            return _problem("checkpoints", name, why)
        recorded = _heads(point)
        if point.get("chains") is not None and merkle_root(recorded) != point["head_hash"]:
            return _problem("checkpoints", name, "its root is not that of its chains' heads")
        for chain, (seq, digest) in sorted(recorded.items()):
            if seq > result.heads.get(chain, (0, ""))[0]:
                why = f"chain {chain} is shorter than this checkpoint (truncated)"
                return _problem("checkpoints", name, why)
            if seq and hashes.get((chain, seq)) != digest:
                why = f"chain {chain} differs from this checkpoint (rewritten)"
                return _problem("checkpoints", name, why)
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
