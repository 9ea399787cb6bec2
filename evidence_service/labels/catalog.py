"""Loading templates: the TOML files, their validation, and the check that each can print
its never-dropped marks (a template that cannot is refused here, with the reason)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from ..i18n import Translator
from .layout import unfit_reason
from .templates import LabelTemplate, TemplateError, default_labels_dir

# The longest wording of the warning any label prints (the Vietnamese one is printed).
SECURE_TEXT = Translator("vi")("label.secure")


def load_template(path: Path) -> LabelTemplate:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        template = LabelTemplate.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise TemplateError(f"label template {path}: {exc}") from exc
    if template.name != path.stem:
        raise TemplateError(f"label template {path}: name {template.name!r} != file name")
    reason = unfit_reason(template, SECURE_TEXT)
    if reason is not None:
        raise TemplateError(f"label template {path}: cannot fit its marks: {reason}")
    return template


def load_templates(directory: Path | str | None = None) -> dict[str, LabelTemplate]:
    """Every ``*.toml`` in ``directory`` (default: the repository's ``labels/``), by name."""
    root = Path(directory) if directory is not None else default_labels_dir()
    templates = {p.stem: load_template(p) for p in sorted(root.glob("*.toml"))}
    if not templates:
        raise TemplateError(f"no label templates in {root}")
    return templates
