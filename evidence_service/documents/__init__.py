"""The document engine: every official record (destruction, stocktake, handover, slips,
stock card, ledger, summary…) is declared and rendered here the same way.

    doc = Document(kind="destruction_record", lang="vi", agency=agency_header(s, agency_id),
                   day=local_day(moment), number=None, regime=regime, chain_head=head)
    pdf = render(doc, [*basis(doc, extra), heading(...), table(columns, rows), *copies(doc),
                       *signatures(doc.t, signers)])
    final = finalise(session, "destruction_record", agency_id, "destruction_batch:12",
                     lambda number: render(replace(doc, number=number.printed), body))

A kind is a file ``layouts/<kind>.toml`` (code, title, page, basis per regime, copies);
its words are ``docs_*`` keys of the translation files.
"""

from .agency import AgencyHeader, agency_header, place_of
from .blocks import (
    FRAME_WIDTH_MM,
    Column,
    Signer,
    bullets,
    copies_line,
    esc,
    heading,
    pairs,
    para,
    rich,
    signatures,
    spacer,
    table,
)
from .engine import Document, basis, copies, frame_width_mm, header, render
from .layouts import Layout, all_layouts, layout
from .store import Number, documents_about, finalise, stored, take_number
from .words import clock_words, copies_words, date_words, moment_words, place_date

__all__ = [
    "FRAME_WIDTH_MM",
    "AgencyHeader",
    "Column",
    "Document",
    "Layout",
    "Number",
    "Signer",
    "agency_header",
    "all_layouts",
    "basis",
    "bullets",
    "clock_words",
    "copies",
    "copies_line",
    "copies_words",
    "date_words",
    "documents_about",
    "esc",
    "finalise",
    "frame_width_mm",
    "header",
    "heading",
    "layout",
    "moment_words",
    "pairs",
    "para",
    "place_date",
    "place_of",
    "render",
    "rich",
    "signatures",
    "spacer",
    "stored",
    "table",
    "take_number",
]
