"""The web layer: thin blueprints per audience over the engine's services."""

from __future__ import annotations

import os
import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from flask import Flask, current_app, request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import Settings, load_settings
from engine.db import make_engine, make_session_factory
from engine.runtime import Runtime, build_runtime
from webapp.converters import init_converters
from webapp.errors import init_errors
from webapp.extensions import babel, csrf, login_manager
from webapp.filters import init_filters
from webapp.health import init_health
from webapp.i18n import DEFAULT_LOCALE, init_i18n, select_locale
from webapp.readlog import init_readlog
from webapp.security import init_security
from webapp.transaction import init_transactions

# Page endpoints that take a larger file than MAX_CONTENT_LENGTH: the setting of their cap.
LARGE_PAGE_UPLOADS = {"reports.package_import_send": "sirup_max_bytes"}


@dataclass
class AlurState:
    settings: Settings
    runtime: Runtime
    engine: Engine
    session_factory: sessionmaker[Session]


def _secret_key(settings: Settings) -> str:
    """ALUR_SECRET_KEY, or a random key kept under instance/ so sessions survive restarts."""
    if os.environ.get("ALUR_SECRET_KEY"):
        return os.environ["ALUR_SECRET_KEY"]
    path = settings.instance_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(overrides: dict | None = None) -> Flask:
    settings = load_settings()
    overrides = dict(overrides or {})
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    init_converters(app)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("ALUR_COOKIE_SECURE", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        # the cookie lives no longer than its server-side session may (engine.services.sessions)
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        DATABASE_URL=settings.database_url,
        UPLOAD_DIR=str(settings.upload_dir),
    )
    app.config.update(overrides)
    runtime = build_runtime(settings, **{"upload_dir": Path(app.config["UPLOAD_DIR"]),
                                         **app.config.get("RUNTIME_OVERRIDES", {})})
    runtime.storage.check()  # ALUR_STORAGE=s3: no bucket, no start (a clear StorageError)
    engine = make_engine(app.config["DATABASE_URL"])
    # gunicorn --preload builds the app once and forks its workers: a connection the master
    # may have opened must never be shared, so each child starts with an empty pool.
    os.register_at_fork(after_in_child=partial(_empty_pool, weakref.ref(engine)))
    factory = make_session_factory(engine, runtime=runtime)
    app.extensions["alur"] = AlurState(settings, runtime, engine, factory)
    _init_extensions(app)
    _trust_proxies(app, settings.proxy_hops)
    _register_blueprints(app)
    init_health(app)
    if app.config.get("TIMER_THREAD") or os.environ.get("ALUR_TIMER_THREAD") == "1":
        start_timer_thread(app)
    return app


def _empty_pool(engine_ref: weakref.ref) -> None:
    """In a forked child: forget the parent's pooled connections without closing them."""
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind ALUR_PROXY_COUNT reverse proxies, believe their X-Forwarded-* headers.

    The client's address (sign-in throttling, the audit log), the scheme, host and port
    (links built with url_for(_external=True), e.g. in mail) and a path prefix
    (X-Forwarded-Prefix, an app served under /alur) come from the last `hops` proxies.
    Without it (0, the default) every forwarded header is ignored: anyone can send one.
    """
    if hops > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )


def allow_large_page_uploads() -> None:
    """The SIRUP import page takes files up to its own cap (ALUR_SIRUP_MAX_BYTES), larger
    than other uploads (MAX_CONTENT_LENGTH); its service refuses one past the cap itself."""
    if request.endpoint in LARGE_PAGE_UPLOADS:
        settings = current_app.extensions["alur"].settings
        request.max_content_length = getattr(settings, LARGE_PAGE_UPLOADS[request.endpoint]) \
            + 64 * 1024


def _init_extensions(app: Flask) -> None:
    init_security(app)
    init_transactions(app)
    init_errors(app)
    init_i18n(app)
    init_filters(app)
    init_readlog(app)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(allow_large_page_uploads)  # before the CSRF check reads the form
    csrf.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from webapp.admin.routes import bp as admin_bp
    from webapp.api.routes import bp as api_bp
    from webapp.audit.routes import bp as audit_bp
    from webapp.auth.routes import bp as auth_bp
    from webapp.cli import cli
    from webapp.health import bp as health_bp
    from webapp.inbox.routes import bp as inbox_bp
    from webapp.modeler.routes import bp as modeler_bp
    from webapp.reports.routes import bp as reports_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(modeler_bp, url_prefix="/pemodel")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/laporan")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # bearer tokens only: no cookies, so nothing to forge
    app.cli.add_command(cli)


def start_timer_thread(app: Flask) -> threading.Thread:
    """Under `make run`, the worker's loop in a daemon thread of the web process."""
    from webapp.cli import run_worker_loop

    state = app.extensions["alur"]
    thread = threading.Thread(
        target=run_worker_loop,
        args=(state.session_factory, state.settings.timer_interval_seconds),
        name="alur-timers",
        daemon=True,
    )
    thread.start()
    return thread
