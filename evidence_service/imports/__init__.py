"""Importing existing ledgers (sổ theo dõi vật chứng) from CSV or XLSX, with a per-row
report, a dry run by default, all-or-nothing or partial real runs, corrections of rows
changed since they were imported, and jobs."""

from .archive import BadFile, Limits
from .files import preview_rows, unpack, write_rejects, write_table
from .jobs import (
    LIVE,
    ImportJobPublic,
    TooLarge,
    create_job,
    get_job,
    job_public,
    list_jobs,
    prune_jobs,
    recover_jobs,
    run_job_here,
    run_job_in_background,
    save_upload,
)
from .mapping import Mapping, MappingError, load_mapping
from .reader import open_table, sniff
from .runner import ImportOutcome, import_file
from .uploads import commit_kept, mapping_for, receive_upload, uploads_options

__all__ = [
    "LIVE",
    "BadFile",
    "ImportJobPublic",
    "ImportOutcome",
    "Limits",
    "Mapping",
    "MappingError",
    "TooLarge",
    "commit_kept",
    "create_job",
    "get_job",
    "import_file",
    "job_public",
    "list_jobs",
    "load_mapping",
    "mapping_for",
    "open_table",
    "preview_rows",
    "prune_jobs",
    "receive_upload",
    "recover_jobs",
    "run_job_here",
    "run_job_in_background",
    "save_upload",
    "sniff",
    "unpack",
    "uploads_options",
    "write_rejects",
    "write_table",
]
