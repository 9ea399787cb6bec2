"""Printers as data: ``EVIDENCE_PRINTERS_FILE`` (TOML) names each printer, and sending to it.

.. code-block:: toml

    [[printer]]
    name = "kho-a-zebra"
    kind = "zpl"                # zpl (Zebra, raw TCP) or pdf (a CUPS queue)
    dpi = 203
    media = ["thermal-50x30-203", "thermal-100x50-203"]   # templates it has loaded
    address = "10.0.0.21:9100"  # raw TCP; "lp:QUEUE" for a CUPS queue via lp
    text = "graphic"            # or "font": the label font is downloaded once (~DY)

A template is refused on a printer of another dpi or whose media does not list it.
"""

from __future__ import annotations

import socket
import subprocess
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import Settings
from ..errors import Conflict, DomainError, Invalid
from .templates import LabelTemplate

SEND_TIMEOUT_S = 10.0


class PrinterError(DomainError):
    """The printer could not be reached or refused the job (the job is kept as failed)."""

    status_code = 502


class Printer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    title: str = ""
    kind: Literal["zpl", "pdf"]
    dpi: int = Field(ge=72, le=1200)
    media: list[str] = Field(min_length=1)
    address: str = Field(min_length=1)
    text: Literal["graphic", "font"] = "graphic"

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if value.startswith("lp:"):
            if not value[3:].strip():
                raise ValueError("lp: needs a queue name")
            return value
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError("address is host:port (raw TCP, e.g. zebra:9100) or lp:QUEUE")
        return value

    @property
    def queue(self) -> str | None:
        return self.address[3:] if self.address.startswith("lp:") else None

    def refuses(self, template: LabelTemplate) -> tuple[str, str, dict[str, Any]] | None:
        """Why this printer cannot print ``template`` (None if it can): the English reason,
        and the translation key and params a person reads."""
        names = {"printer": self.name, "template": template.name}
        if template.name not in self.media:
            return (
                f"printer {self.name} has no {template.name} media; it takes {self.media}",
                "labels16_print.no_media",
                {**names, "media": ", ".join(self.media)},
            )
        if template.dpi != self.dpi:
            # its dots are the template's dots, so it prints template_dpi / dpi times the size
            scale = f"{template.dpi / self.dpi:.2f}"
            return (
                f"template {template.name} is for {template.dpi} dpi; printer {self.name} "
                f"prints {self.dpi} dpi (it would print {scale}x the size)",
                "labels16_print.wrong_dpi",
                {**names, "template_dpi": template.dpi, "printer_dpi": self.dpi},
            )
        if (self.kind == "zpl") != (template.kind == "thermal"):
            return (
                f"printer {self.name} ({self.kind}) cannot print {template.kind} templates",
                "labels16_print.wrong_kind",
                names,
            )
        return None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    printer: list[Printer] = []


def load_printers(path: Path) -> dict[str, Printer]:
    try:
        data = _File.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ValueError(f"printers file {path}: {exc}") from exc
    printers: dict[str, Printer] = {}
    for p in data.printer:
        if p.name in printers:
            raise ValueError(f"printers file {path}: printer {p.name!r} is listed twice")
        printers[p.name] = p
    return printers


def printers(settings: Settings) -> dict[str, Printer]:
    """The configured printers (none without ``EVIDENCE_PRINTERS_FILE``), reread on change."""
    if settings.printers_file is None:
        return {}
    path = Path(settings.printers_file)
    return _cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _cached(path: str, _stamp: int) -> dict[str, Printer]:
    return load_printers(Path(path))


def get_printer(settings: Settings, name: str) -> Printer:
    known = printers(settings)
    if name not in known:
        raise Invalid(
            "printer",
            f"unknown printer '{name}'; known: {', '.join(known) or 'none'}",
            key="labels16_print.unknown_printer",
            params={"printer": name, "known": ", ".join(known) or "—"},
        )
    return known[name]


def check_media(printer: Printer, template: LabelTemplate) -> None:
    refusal = printer.refuses(template)
    if refusal is not None:
        reason, key, params = refusal
        raise Conflict(reason, key=key, params=params)


def send(settings: Settings, printer: Printer, data: bytes, title: str) -> None:
    """Send a finished document; raises :class:`PrinterError` with the printer's error."""
    queue = printer.queue
    if queue is not None:
        raw = ["-o", "raw"] if printer.kind == "zpl" else []  # ZPL bypasses the CUPS filters
        try:
            done = subprocess.run(
                [settings.lp_command, "-d", queue, "-t", title, *raw, "-"],
                input=data,
                capture_output=True,
                timeout=SEND_TIMEOUT_S * 3,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PrinterError(
                f"{printer.name}: {exc}",
                key="labels_print.failed",
                params={"printer": printer.name, "error": str(exc)},
            ) from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"lp exit {done.returncode}"
            raise PrinterError(
                f"{printer.name}: {message}",
                key="labels_print.failed",
                params={"printer": printer.name, "error": message},
            )
        return
    host, _, port = printer.address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=SEND_TIMEOUT_S) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
    except OSError as exc:
        raise PrinterError(
            f"{printer.name}: {exc}",
            key="labels_print.failed",
            params={"printer": printer.name, "error": str(exc)},
        ) from exc
