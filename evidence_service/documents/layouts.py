"""Each document's layout as data: ``documents/layouts/<kind>.toml``.

A layout names the document's number code ("Số: 05/BB-HĐTH"), its page, its title and the
translation keys of its legal basis per regime, its copies and who receives them. Its words
are in the translation files (``docs_*`` sections), so the Vietnamese text and its English
translation live side by side. A layout file per document, so a new document adds a file.

Keys (``kind`` is the file's name)::

    code = "BB-HĐTH"               # after "Số: 05/"; "to be confirmed" where a form is unknown
    title = "docs_destruction.title"
    page = "A4"                    # or "A3-landscape", "A4-landscape"
    copies = 4                     # "lập thành 04 bản"
    distribution = ["docs_destruction.to_procuracy", ...]
    [basis]                        # per legal regime (models.LegalRegime), in order
    before_2026_07_01 = ["docs_basis.law_2008", ...]
    from_2026_07_01 = ["docs_basis.law_2025", ...]
    [sources]                      # why: the article each element follows (for a reader)
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A3, A4, landscape

from ..models import LegalRegime

LAYOUTS_DIR = Path(__file__).resolve().parent / "layouts"
PAGES: dict[str, tuple[float, float]] = {
    "A4": A4,
    "A4-landscape": landscape(A4),
    "A3-landscape": landscape(A3),
}


class UnknownLayout(LookupError):
    pass


@dataclass(frozen=True)
class Layout:
    kind: str
    code: str
    title: str
    page: str = "A4"
    copies: int = 0
    distribution: tuple[str, ...] = ()
    basis: tuple[tuple[LegalRegime, tuple[str, ...]], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def pagesize(self) -> tuple[float, float]:
        return PAGES[self.page]

    def basis_for(self, regime: LegalRegime | str | None) -> tuple[str, ...]:
        """The translation keys of the legal basis under ``regime`` (none given: the first)."""
        for name, keys in self.basis:
            if regime is None or name == regime:
                return keys
        return ()


def parse_layout(kind: str, raw: dict[str, Any]) -> Layout:
    where = f"layout {kind}"
    for key in ("code", "title"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ValueError(f"{where}: '{key}' is required")
    page = raw.get("page", "A4")
    if page not in PAGES:
        raise ValueError(f"{where}: page must be one of {', '.join(PAGES)}")
    basis = []
    for name, keys in (raw.get("basis") or {}).items():
        basis.append((LegalRegime(name), tuple(str(k) for k in keys)))
    return Layout(
        kind=kind,
        code=raw["code"],
        title=raw["title"],
        page=page,
        copies=int(raw.get("copies", 0)),
        distribution=tuple(str(k) for k in raw.get("distribution", ())),
        basis=tuple(basis),
        sources=tuple((str(k), str(v)) for k, v in (raw.get("sources") or {}).items()),
    )


@cache
def layout(kind: str) -> Layout:
    """The layout of one kind of document (``layouts/<kind>.toml``), read once."""
    path = LAYOUTS_DIR / f"{kind}.toml"
    if not path.is_file():
        raise UnknownLayout(f"no document layout '{kind}' ({path.name})")
    with path.open("rb") as fh:
        return parse_layout(kind, tomllib.load(fh))


def all_layouts() -> list[Layout]:
    return [layout(p.stem) for p in sorted(LAYOUTS_DIR.glob("*.toml"))]
