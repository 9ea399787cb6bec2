"""Rendered pages for a reviewer: every document test writes its PDF's pages as PNG under
``test-output/`` (gitignored; CI keeps it as an artefact)."""

import io
from pathlib import Path

import pypdfium2
from pypdf import PdfReader

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def save_pages(pdf: bytes, name: str, scale: float = 1.4) -> list[Path]:
    """Each page of ``pdf`` as ``test-output/<name>-p<n>.png``; the paths."""
    OUTPUT.mkdir(exist_ok=True)
    for stale in OUTPUT.glob(f"{name}-p*.png"):  # pages of an earlier, longer rendering
        stale.unlink()
    (OUTPUT / f"{name}.pdf").write_bytes(pdf)
    document = pypdfium2.PdfDocument(pdf)
    paths = []
    for n in range(len(document)):
        path = OUTPUT / f"{name}-p{n + 1}.png"
        document[n].render(scale=scale).to_pil().save(path)
        paths.append(path)
    document.close()
    return paths


def pages_text(pdf: bytes) -> list[str]:
    """The text of every page, whitespace folded (a cell's text wraps)."""
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))
