"""Helpers for the tests of printed documents: their text (pypdf), lines kept; their pages as
PNG come from ``tests.docs_output.save_pages``."""

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
