"""Settings read from the environment (prefix ``EVIDENCE_``)."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# Used only with --demo and in tests; the service refuses to start with it otherwise.
DEMO_SECRET_KEY = "demo-secret-key-change-me-0123456789abcdef"


@dataclass(frozen=True)
class LoginPolicy:
    """When failed logins lock a user (or a client address) out, and for how long."""

    max_failures_per_user: int = 5
    max_failures_per_client: int = 20
    lock_minutes: int = 15


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVIDENCE_", env_file=None)

    database_url: str = "sqlite:///./evidence.db"
    secret_key: str = DEMO_SECRET_KEY
    access_token_minutes: int = 480
    demo: bool = False
    # Where label templates and fonts live; the repository's top-level labels/ by default.
    labels_dir: Path | None = None
    # If set, QR codes hold this URL followed by the payload, so phone cameras open the item.
    label_base_url: str | None = None
    # The label printers (TOML, see labels/README.md); none configured: downloads only.
    printers_file: Path | None = None
    # The CUPS client that sends to sheet printers' queues (a stand-in in tests).
    lp_command: str = "lp"
    idempotency_ttl_hours: int = 48
    # Failed logins: a user (or a client address) is locked out for a while after this many.
    login_max_failures: int = 5
    login_max_failures_per_client: int = 20
    login_lock_minutes: int = 15
    # Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
    # none by default: the client is the connection's peer.
    trusted_proxies: str = ""
    # Roles that must sign in with a two-factor code (comma-separated, e.g. "manager,admin").
    totp_required_roles: str = ""
    # Browser origins allowed to call the API; none by default (CORS closed).
    cors_origins: list[str] = []
    # Working days a stocktake discrepancy has before it is overdue.
    discrepancy_days: int = 5
    # A re-weighed weight further than this from the recorded one needs a note and is flagged.
    weight_tolerance_pct: float = 2.0
    # A sample taking more than this share of an item's net weight (or a reweigh beyond the
    # tolerance above) waits for a manager's confirmation.
    sample_max_share: float = 0.10
    sqlite_busy_timeout_ms: int = 15000
    # Ageing report: items held longer than these without a judgment (disposition pending).
    ageing_long_days: int = 365
    ageing_very_long_days: int = 5 * 365
    # Destruction ordered but not done within this many days of receipt. A stand-in: the
    # per-regime legal deadlines come with the destruction issue.
    destruction_deadline_days: int = 30
    # Destruction batches: voting council members (chair and members) needed to approve.
    destruction_min_voting_members: int = 3
    # Whether a council member who handled the batch's items blocks approval (else: flagged).
    destruction_block_handler_members: bool = False
    # Photos of a destruction (JPEG/PNG) larger than this are refused.
    destruction_photo_max_bytes: int = 10 * 1024 * 1024
    # The deadlines report lists deadlines falling within this many days (and past ones).
    destruction_deadline_warning_days: int = 7
    # Ledger imports: files larger than this are refused; files up to the second limit are
    # imported before the upload is answered, larger ones by a background job.
    # (13 and 18: parsing runs in the job by default, so the sync limit is 0.) An upload
    # body larger than import_max_bytes is refused with 413 (the request-size limit reads it).
    import_max_bytes: int = 100 * 1024 * 1024
    import_sync_max_bytes: int = 0
    # The custody record's Ed25519 private key (``evidence-service keys create``); its public
    # keys are read from ``<file>.pub``, or from ``public_keys_file`` to verify elsewhere.
    signing_key_file: Path | None = None
    public_keys_file: Path | None = None
    # Signed checkpoints: every this many events (and hourly), also as files here if set.
    checkpoint_every: int = 1000
    anchor_dir: Path | None = None
    # XLSX archive limits, checked before any XML is parsed (imports/archive.py).
    import_max_unpacked_bytes: int = 200 * 1024 * 1024
    import_max_shared_strings: int = 500_000
    import_max_rows: int = 200_000
    import_max_columns: int = 100
    # Finished import jobs (reports, rejects) are deleted after this many days (0: kept).
    import_job_retention_days: int = 30
    # Any other request body larger than this is refused (413) before it is read.
    max_body_bytes: int = 2 * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def totp_roles(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.totp_required_roles.split(",") if r.strip())

    @property
    def login_policy(self) -> LoginPolicy:
        return LoginPolicy(
            self.login_max_failures, self.login_max_failures_per_client, self.login_lock_minutes
        )

    def check_secret(self) -> None:
        if not self.demo and (
            self.secret_key == DEMO_SECRET_KEY or not strong_key(self.secret_key)
        ):
            raise RuntimeError(
                "EVIDENCE_SECRET_KEY must be set to a random string of at least 32 characters, "
                "not a few characters repeated "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`); "
                "the built-in key is only for --demo."
            )


def strong_key(key: str) -> bool:
    """Enough entropy to sign tokens: 32 characters or more, at least 10 different ones, none
    making up more than a quarter of the key, and no short pattern repeated."""
    if len(key) < 32 or len(set(key)) < 10:
        return False
    if max(key.count(c) for c in set(key)) > len(key) / 4:
        return False
    return not any(
        key == key[:n] * (len(key) // n) + key[: len(key) % n] for n in range(1, len(key) // 2 + 1)
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
