"""Where a workspace keeps its things, and the Django settings that follow from them.

Why a state folder beside the data folder: the data folder is the published,
versioned record (layers, the log, evidence files), while the account
database, the secret key, upload staging, thumbnails and the publish status
belong to one running server and must never be committed or published. So
`data/layers` gets `data/layers.workspace/` unless `--state` says otherwise;
it is never inside the maps folder.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.keys import KeyPair

ENV_DATA = "HERITAGE_MAP_DATA"
ENV_STATE = "HERITAGE_MAP_STATE"
ENV_MAPS = "HERITAGE_MAP_MAPS"
ENV_MAX_UPLOAD_MB = "HERITAGE_MAP_MAX_UPLOAD_MB"
ENV_TILES = "HERITAGE_MAP_TILES"
ENV_ALLOWED_HOSTS = "HERITAGE_MAP_ALLOWED_HOSTS"
ENV_TRUSTED_ORIGINS = "HERITAGE_MAP_CSRF_TRUSTED_ORIGINS"
ENV_BEHIND_TLS_PROXY = "HERITAGE_MAP_BEHIND_TLS_PROXY"

DEFAULT_MAX_UPLOAD_MB = 25
SECRET_KEY_FILE = "secret_key"
SIGNING_KEY_FILE = "workspace_ed25519"
DATABASE_FILE = "workspace.sqlite3"


def default_state_dir(data_dir: Path) -> Path:
    """`<data>.workspace`, beside the data folder (so two data folders never share accounts or keys)."""
    data_dir = data_dir.resolve()
    return data_dir.with_name(data_dir.name + ".workspace")


@dataclass(frozen=True)
class Workspace:
    """One workspace: the data folder it records into, its own state folder, and where it publishes the maps."""

    data_dir: Path
    state_dir: Path
    maps_dir: Path
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    tiles: str = "osm"
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
    trusted_origins: tuple[str, ...] = ()
    behind_tls_proxy: bool = False

    @property
    def log_path(self) -> Path:
        """The monitors' log the workspace appends to."""
        return self.data_dir / "observations.jsonl"

    @property
    def signing_key_path(self) -> Path:
        """The workspace's own Ed25519 key (OpenSSH, 0600; `.pub` beside it), which signs for its accounts."""
        return self.state_dir / SIGNING_KEY_FILE

    @property
    def evidence_dir(self) -> Path:
        """Uploaded evidence files, named by their SHA-256, under the data folder (they travel with the log)."""
        return self.data_dir / "evidence"

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Workspace:
        """The workspace `heritage-map serve` described in the environment (it sets these variables itself)."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get(ENV_DATA, "data/layers")).resolve()
        state = env.get(ENV_STATE)
        hosts = tuple(h for h in env.get(ENV_ALLOWED_HOSTS, "").split(",") if h)
        return cls(
            data_dir=data_dir,
            state_dir=Path(state).resolve() if state else default_state_dir(data_dir),
            maps_dir=Path(env.get(ENV_MAPS, "maps")).resolve(),
            max_upload_bytes=int(float(env.get(ENV_MAX_UPLOAD_MB, DEFAULT_MAX_UPLOAD_MB)) * 1024 * 1024),
            tiles=env.get(ENV_TILES, "osm"),
            allowed_hosts=hosts or cls.allowed_hosts,
            trusted_origins=tuple(o for o in env.get(ENV_TRUSTED_ORIGINS, "").split(",") if o),
            behind_tls_proxy=env.get(ENV_BEHIND_TLS_PROXY, "") == "1",
        )

    def environ(self) -> dict[str, str]:
        """The variables that describe this workspace to `from_environ` (in the server process)."""
        env = {
            ENV_DATA: str(self.data_dir),
            ENV_STATE: str(self.state_dir),
            ENV_MAPS: str(self.maps_dir),
            ENV_MAX_UPLOAD_MB: repr(self.max_upload_bytes / 1024 / 1024),
            ENV_TILES: self.tiles,
            ENV_ALLOWED_HOSTS: ",".join(self.allowed_hosts),
            ENV_TRUSTED_ORIGINS: ",".join(self.trusted_origins),
        }
        if self.behind_tls_proxy:
            env[ENV_BEHIND_TLS_PROXY] = "1"
        return env


def secret_key(state_dir: Path) -> str:
    """The server's secret key: made on first run, kept in the state folder readable by its owner only (0600).

    It signs sessions and CSRF tokens; whoever reads it can forge a login, so
    it is created with `O_EXCL` and mode 0600 (never world-readable, even for
    an instant) and never written anywhere else.
    """
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = state_dir / SECRET_KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    return path.read_text(encoding="ascii").strip()


def signing_key(workspace: Workspace) -> KeyPair:
    """The workspace's signing key: made on first use in the state folder (mode 0600), never anywhere else.

    An admin registers its public half in the keyring with role `workspace`
    (`heritage-map analyst add workspace --key STATE/workspace_ed25519.pub
    --role workspace --sign-with ADMIN_KEY`); until then the workspace records
    nothing.
    """
    from geo.keys import KeyPair, write_key_pair

    workspace.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = workspace.signing_key_path
    try:
        return KeyPair.of(write_key_pair(path))
    except FileExistsError:
        return KeyPair.load(path)


def django_settings(workspace: Workspace) -> dict[str, Any]:
    """Every Django setting of the workspace: secure defaults, nothing from a CDN, DEBUG off."""
    import dj_database_url  # loaded with Django, never by `import geo`

    here = Path(__file__).parent
    sqlite = f"sqlite:///{workspace.state_dir / DATABASE_FILE}"
    settings: dict[str, Any] = {
        "DEBUG": False,
        "SECRET_KEY": secret_key(workspace.state_dir),
        "ALLOWED_HOSTS": list(workspace.allowed_hosts),
        "CSRF_TRUSTED_ORIGINS": list(workspace.trusted_origins),
        "HERITAGE_WORKSPACE": workspace,
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "axes",
            "geo.workspace.apps.WorkspaceConfig",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "geo.workspace.middleware.content_security_policy",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.auth.middleware.LoginRequiredMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            # Last, as django-axes asks: it turns a locked-out login into the lockout page.
            "axes.middleware.AxesMiddleware",
        ],
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
        "ROOT_URLCONF": "geo.workspace.urls",
        "WSGI_APPLICATION": "geo.workspace.wsgi.application",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "geo.workspace.roles.context",
                    ],
                },
            }
        ],
        "DATABASES": {"default": dj_database_url.config(default=sqlite, conn_max_age=60)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        "LOGIN_URL": "login",
        "LOGIN_REDIRECT_URL": "queue",
        "LOGOUT_REDIRECT_URL": "login",
        # English first; every string goes through gettext so the map's interface languages can follow.
        "LANGUAGE_CODE": "en",
        "LANGUAGES": [("en", "English")],
        "LOCALE_PATHS": [str(here / "locale")],
        "USE_I18N": True,
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "STATIC_URL": "/static/",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 12 * 60 * 60,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        # Uploads above this are spooled to a temporary file instead of memory; the per-file limit is the form's.
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
        "FILE_UPLOAD_PERMISSIONS": 0o644,
        # django-axes: five wrong passwords for one account lock it for 30 minutes, from any address.
        "AXES_FAILURE_LIMIT": 5,
        "AXES_COOLOFF_TIME": 0.5,
        "AXES_LOCKOUT_PARAMETERS": ["username"],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_LOCKOUT_TEMPLATE": "workspace/locked_out.html",
        "AXES_VERBOSE": False,
        # axes warns that a lockout by username alone ignores the address. That is deliberate: on loopback or behind a
        # proxy every login comes from one address, and locking it would lock the whole team out.
        "SILENCED_SYSTEM_CHECKS": ["axes.W006"],
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"stderr": {"class": "logging.StreamHandler"}},
            "loggers": {
                "django": {"handlers": ["stderr"], "level": "WARNING"},
                "axes": {"handlers": ["stderr"], "level": "WARNING"},
            },
        },
    }
    if workspace.behind_tls_proxy:
        # Behind a TLS reverse proxy that sets X-Forwarded-Proto (README: "Behind a TLS reverse proxy").
        settings |= {
            "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
            "SESSION_COOKIE_SECURE": True,
            "CSRF_COOKIE_SECURE": True,
            "SECURE_SSL_REDIRECT": True,
            "SECURE_HSTS_SECONDS": 31_536_000,
            "USE_X_FORWARDED_HOST": False,
        }
    return settings
