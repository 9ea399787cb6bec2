"""Labels: what goes on them, printing them, and rendering them to PNG, PDF and ZPL.

* :mod:`.printing` – label contents, print requests and jobs, the ``label_printed`` events;
* :mod:`.selection` – which items and locations a request names, in the actor's scope;

and the renderers, pure (no database):

* :mod:`.templates` – the TOML templates in the top-level ``labels/`` and their validation;
* :mod:`.layout` – fonts, QR matrices and the placement of one label in millimetres;
* :mod:`.png`, :mod:`.pdf`, :mod:`.zpl` – back ends that only paint a layout, so they agree.
"""

from .layout import (
    ASCENT_EM,
    ELLIPSIS,
    LINE_EM,
    MM_PER_PT,
    PT_PER_MM,
    QR_MASK,
    Box,
    HazardMark,
    LabelData,
    Layout,
    TextLine,
    dark_runs,
    fit_text,
    layout_label,
    qr_matrix,
)
from .pdf import iter_pdf, pdf_bytes, render_pdf
from .png import render_png
from .printing import (
    DEFAULT_TEMPLATE,
    MAX_CODES,
    MAX_COPIES,
    MEDIA_TYPES,
    LabelFormat,
    LabelRequest,
    PrintJob,
    TemplatePublic,
    prepare_preview,
    prepare_print,
    template_list,
)
from .templates import (
    FIELD_NAMES,
    PAGE_SIZES_MM,
    FontSizes,
    LabelTemplate,
    Section,
    Sheet,
    TemplateError,
    Title,
    default_labels_dir,
    load_template,
    load_templates,
)
from .zpl import iter_zpl, render_zpl

__all__ = [
    "ASCENT_EM",
    "DEFAULT_TEMPLATE",
    "MAX_CODES",
    "MAX_COPIES",
    "MEDIA_TYPES",
    "LabelFormat",
    "LabelRequest",
    "PrintJob",
    "TemplatePublic",
    "prepare_print",
    "prepare_preview",
    "template_list",
    "ELLIPSIS",
    "FIELD_NAMES",
    "LINE_EM",
    "MM_PER_PT",
    "PAGE_SIZES_MM",
    "PT_PER_MM",
    "QR_MASK",
    "Box",
    "FontSizes",
    "HazardMark",
    "LabelData",
    "LabelTemplate",
    "Layout",
    "Section",
    "Sheet",
    "TemplateError",
    "TextLine",
    "Title",
    "dark_runs",
    "default_labels_dir",
    "fit_text",
    "iter_pdf",
    "iter_zpl",
    "layout_label",
    "load_template",
    "load_templates",
    "pdf_bytes",
    "qr_matrix",
    "render_pdf",
    "render_png",
    "render_zpl",
]
