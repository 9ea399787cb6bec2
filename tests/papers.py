"""Helpers for the tests of printed documents: their text (pypdf) and their pages as PNG
under ``test-output/`` (gitignored), for a reviewer to look at."""

import io
from pathlib import Path

import pypdfium2
from pypdf import PdfReader

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def render_png(data: bytes, name: str, scale: float = 1.5) -> list[Path]:
    """Every page of the PDF as ``test-output/<name>-p<n>.png``; returns the paths."""
    OUTPUT.mkdir(exist_ok=True)
    pdf = pypdfium2.PdfDocument(data)
    paths = []
    for n in range(len(pdf)):
        path = OUTPUT / f"{name}-p{n + 1}.png"
        pdf[n].render(scale=scale).to_pil().save(path)
        paths.append(path)
    pdf.close()
    return paths
