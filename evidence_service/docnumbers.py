"""The "Số" of the numbered documents of handovers, exits and unsealings: one sequence per
document type, agency and year (``data/document_symbols.toml``), taken under the write lock
in the document's transaction, so a refused request uses no number and two documents never
share one. Stand-in for the document engine's numbering (branch ``docs``): the callers ask
only :func:`next_number`, so it can be switched."""

import tomllib
from functools import cache
from pathlib import Path

from sqlmodel import Session

from .custody import lock_for_write
from .models import CodeCounter

SYMBOLS_FILE = Path(__file__).resolve().parent / "data" / "document_symbols.toml"


@cache
def symbols() -> dict[str, str]:
    with SYMBOLS_FILE.open("rb") as f:
        return dict(tomllib.load(f)["symbols"])


def next_number(session: Session, kind: str, agency_id: int, year: int) -> str:
    """The next number of ``kind`` for the agency in the year: ``07/BBGN``."""
    symbol = symbols()[kind]
    lock_for_write(session)
    name = f"doc:{kind}:{agency_id}:{year}"[:32]
    counter = session.get(CodeCounter, name)
    if counter is None:
        counter = CodeCounter(name=name, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return f"{counter.value:02d}/{symbol}"
