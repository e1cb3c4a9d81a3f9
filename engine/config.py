"""Settings read from ALUR_* environment variables, with defaults that need no services.

The default database is SQLite under instance/, so `make run` works on a machine without
PostgreSQL or Redis; production points ALUR_DATABASE_URL (or DATABASE_URL) at PostgreSQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"ALUR_{name}", default)


def default_database_url() -> str:
    url = os.environ.get("ALUR_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    path = PROJECT_ROOT / "instance" / "alur.sqlite3"
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    instance_dir: Path = field(
        default_factory=lambda: Path(_env("INSTANCE_DIR", str(PROJECT_ROOT / "instance")))
    )
    upload_dir: Path = field(
        default_factory=lambda: Path(_env("UPLOAD_DIR", str(PROJECT_ROOT / "instance" / "uploads")))
    )
    bpmn_dir: Path = field(
        default_factory=lambda: Path(_env("BPMN_DIR", str(PROJECT_ROOT / "bpmn")))
    )
    forms_dir: Path = field(
        default_factory=lambda: Path(_env("FORMS_DIR", str(PROJECT_ROOT / "forms")))
    )
    max_bpmn_bytes: int = field(
        default_factory=lambda: int(_env("MAX_BPMN_BYTES", str(2 * 1024 * 1024)))
    )
    max_upload_bytes: int = field(
        default_factory=lambda: int(_env("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
    )
    # SIRUP package files (engine.sirup): the largest file and the most package rows taken.
    sirup_max_bytes: int = field(
        default_factory=lambda: int(_env("SIRUP_MAX_BYTES", str(20 * 1024 * 1024)))
    )
    sirup_max_rows: int = field(default_factory=lambda: int(_env("SIRUP_MAX_ROWS", "50000")))
    timezone: str = field(default_factory=lambda: _env("TIMEZONE", "Asia/Jakarta"))
    workweek: tuple[int, ...] = field(
        default_factory=lambda: tuple(int(d) for d in _env("WORKWEEK", "0,1,2,3,4").split(","))
    )
    timer_interval_seconds: float = field(
        default_factory=lambda: float(_env("TIMER_INTERVAL", "5"))
    )
    # Live workflows kept in memory between requests (0 turns the cache off).
    workflow_cache_size: int = field(default_factory=lambda: int(_env("WORKFLOW_CACHE_SIZE", "64")))

    # Sign-in sessions: ended after this many idle minutes, and at the latest this many
    # hours after sign-in, whatever the cookie says (engine.services.sessions).
    session_idle_minutes: int = field(
        default_factory=lambda: int(_env("SESSION_IDLE_MINUTES", "30"))
    )
    session_max_hours: int = field(default_factory=lambda: int(_env("SESSION_MAX_HOURS", "12")))
    # Sign-in throttling: failures allowed per username and per client address within the
    # window before further attempts wait (engine.services.throttle).
    login_max_failures_per_user: int = field(
        default_factory=lambda: int(_env("LOGIN_MAX_FAILURES_PER_USER", "5"))
    )
    login_max_failures_per_client: int = field(
        default_factory=lambda: int(_env("LOGIN_MAX_FAILURES_PER_CLIENT", "20"))
    )
    login_window_minutes: int = field(
        default_factory=lambda: int(_env("LOGIN_WINDOW_MINUTES", "15"))
    )
    # Proxies in front of the web app whose X-Forwarded-For may be trusted for the client
    # address (0: none, use the peer's address; throttling counts per client address).
    # ALUR_PROXY_COUNT (ALUR_PROXY_HOPS is its older name): with it set, ProxyFix also trusts
    # X-Forwarded-Proto/Host/Port from that many proxies (links in mail, secure cookies).
    proxy_hops: int = field(
        default_factory=lambda: int(_env("PROXY_COUNT", "") or _env("PROXY_HOPS", "0"))
    )
    # Upload quotas (engine.services.documents), count and bytes: per task (ever) and per
    # person (in any 24 hours).
    upload_task_max_files: int = field(
        default_factory=lambda: int(_env("UPLOAD_TASK_MAX_FILES", "20"))
    )
    upload_task_max_bytes: int = field(
        default_factory=lambda: int(_env("UPLOAD_TASK_MAX_BYTES", str(100 * 1024 * 1024)))
    )
    upload_user_max_files: int = field(
        default_factory=lambda: int(_env("UPLOAD_USER_MAX_FILES", "500"))
    )
    upload_user_max_bytes: int = field(
        default_factory=lambda: int(_env("UPLOAD_USER_MAX_BYTES", str(1024 * 1024 * 1024)))
    )
    # Diagram bounds (engine.bpmn): the largest multi-instance, how often one element of one
    # running process may complete in one request (more is a loop), and timer cycles.
    max_loop_cardinality: int = field(
        default_factory=lambda: int(_env("MAX_LOOP_CARDINALITY", "200"))
    )
    max_engine_steps: int = field(default_factory=lambda: int(_env("MAX_ENGINE_STEPS", "100")))
    min_timer_cycle_seconds: int = field(
        default_factory=lambda: int(_env("MIN_TIMER_CYCLE_SECONDS", "60"))
    )
    max_timer_repetitions: int = field(
        default_factory=lambda: int(_env("MAX_TIMER_REPETITIONS", "1000"))
    )

    # The server's Ed25519 key that signs chain heads and checkpoints (engine.signing): a
    # file outside the database, made on first use; its public key sits beside it (.pub).
    signing_key_file: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("SIGNING_KEY_FILE", "")) else None
    )
    # Seconds between signed checkpoints of all chain heads (written by the worker).
    checkpoint_interval_seconds: float = field(
        default_factory=lambda: float(_env("CHECKPOINT_INTERVAL", "300"))
    )

    # Where people reach the app (links in mail): ALUR_BASE_URL, without a trailing slash.
    base_url: str = field(
        default_factory=lambda: _env("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    )

    # Mail over SMTP (engine.services.mail): off while ALUR_SMTP_HOST is unset.
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "587")))
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", ""), repr=False)
    smtp_from: str = field(default_factory=lambda: _env("SMTP_FROM", "alur-kinerja@localhost"))
    # "starttls" (default), "ssl" (implicit TLS, port 465) or "none" (a relay on localhost)
    smtp_security: str = field(default_factory=lambda: _env("SMTP_SECURITY", "starttls"))
    smtp_timeout_seconds: float = field(
        default_factory=lambda: float(_env("SMTP_TIMEOUT", "10"))
    )

    # Background jobs (engine.services.jobs): how long a worker owns a job it took before
    # another may take it again, and how often a failing job is tried before it becomes an
    # incident for the administrators.
    job_lease_seconds: float = field(default_factory=lambda: float(_env("JOB_LEASE", "300")))
    job_max_attempts: int = field(default_factory=lambda: int(_env("JOB_MAX_ATTEMPTS", "5")))

    # Document storage (engine.storage): "local" (upload_dir) or "s3" (ALUR_S3_*).
    storage_backend: str = field(default_factory=lambda: _env("STORAGE", "local"))
    s3_endpoint_url: str = field(default_factory=lambda: _env("S3_ENDPOINT_URL", ""))
    s3_bucket: str = field(default_factory=lambda: _env("S3_BUCKET", ""))
    s3_region: str = field(default_factory=lambda: _env("S3_REGION", "us-east-1"))
    s3_access_key: str = field(default_factory=lambda: _env("S3_ACCESS_KEY", ""))
    s3_secret_key: str = field(default_factory=lambda: _env("S3_SECRET_KEY", ""), repr=False)
    s3_prefix: str = field(default_factory=lambda: _env("S3_PREFIX", "documents/"))
    # A stored file no row names, older than this, is an orphan the worker removes.
    orphan_grace_minutes: int = field(
        default_factory=lambda: int(_env("ORPHAN_GRACE_MINUTES", "60"))
    )

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def signing_key_path(self) -> Path:
        """ALUR_SIGNING_KEY_FILE, else `signing-key.pem` in the instance folder."""
        return self.signing_key_file or self.instance_dir / "signing-key.pem"

    @cached_property
    def zone(self) -> ZoneInfo:
        """The deployment's one time zone: due dates, timers and what pages show."""
        return ZoneInfo(self.timezone)


def load_settings() -> Settings:
    """Read the environment once; the process keeps the result in its Runtime."""
    return Settings()
