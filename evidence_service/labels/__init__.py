"""Labels: what goes on them, printing them, and rendering them to PNG, PDF and ZPL.

* :mod:`.contents` – what an item's or a location's label says (every field a template may print);
* :mod:`.printing` – print requests and downloads, the ``label_printed`` events;
* :mod:`.printers` – printers as data (``EVIDENCE_PRINTERS_FILE``) and sending to them;
* :mod:`.jobs` – print jobs sent to a named printer, stored with their status;
* :mod:`.selection` – which items and locations a request names, in the actor's scope;

and the renderers, pure (no database):

* :mod:`.templates`, :mod:`.catalog` – the TOML templates in the top-level ``labels/``, their
  validation, and the refusal of a template that cannot fit its never-dropped marks;
* :mod:`.text` – fonts and fitting text (wrap before shrink); :mod:`.qr` – QR symbols on the
  printer's dot grid; :mod:`.layout` – the placement of one label in millimetres;
* :mod:`.png`, :mod:`.pdf`, :mod:`.zpl` – back ends that only paint a layout, so they agree.
"""

from .catalog import load_template, load_templates
from .contents import item_label, location_label
from .jobs import (
    PrintJobPublic,
    PrintJobRequest,
    create_print_job,
    get_print_job,
    last_printer,
    public,
)
from .layout import (
    ASCENT_EM,
    ELLIPSIS,
    LINE_EM,
    MM_PER_PT,
    PT_PER_MM,
    Box,
    HazardMark,
    LabelData,
    Layout,
    QrPlacement,
    TextLine,
    dark_runs,
    fit_text,
    layout_label,
    qr_matrix,
    qr_placement,
    qr_rows,
)
from .pdf import iter_pdf, pdf_bytes, render_pdf
from .png import render_png
from .printers import Printer, PrinterError, load_printers, printers
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
    MIN_TEXT_PT,
    PAGE_SIZES_MM,
    FieldSpec,
    LabelTemplate,
    Section,
    Sheet,
    TemplateError,
    Title,
    default_labels_dir,
)
from .zpl import font_download, iter_zpl, render_zpl, z64

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
    "Box",
    "FieldSpec",
    "MIN_TEXT_PT",
    "Printer",
    "PrinterError",
    "PrintJobPublic",
    "PrintJobRequest",
    "QrPlacement",
    "create_print_job",
    "font_download",
    "get_print_job",
    "item_label",
    "last_printer",
    "load_printers",
    "location_label",
    "printers",
    "public",
    "qr_placement",
    "qr_rows",
    "z64",
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
