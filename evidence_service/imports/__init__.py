"""Importing existing ledgers (sổ theo dõi vật chứng) from CSV or XLSX, with a per-row
validation report, a dry run by default, all-or-nothing or partial real runs, and jobs."""

from .jobs import (
    ImportJobPublic,
    TooLarge,
    create_job,
    get_job,
    job_public,
    run_job_here,
    run_job_in_background,
    save_upload,
)
from .mapping import Mapping, MappingError, load_mapping
from .reader import BadFile, open_table
from .runner import ImportOutcome, import_file, rejects_csv, write_rejects

__all__ = [
    "BadFile",
    "ImportJobPublic",
    "ImportOutcome",
    "Mapping",
    "MappingError",
    "TooLarge",
    "create_job",
    "get_job",
    "import_file",
    "job_public",
    "load_mapping",
    "open_table",
    "rejects_csv",
    "run_job_here",
    "run_job_in_background",
    "save_upload",
    "write_rejects",
]
