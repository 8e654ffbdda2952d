"""Fixtures for the real-browser journeys: a real server, a real worker, real Chromium.

The tests here never touch pytest-django's test database. The ``server``
fixture builds its own database (a SQLite file in a temporary directory, or a
fresh PostgreSQL database when DATABASE_URL names one), loads the demo data
into it and runs the platform exactly as in production: daphne for HTTP and
WebSockets, ``run_huey`` for the worker, mail over SMTP (to a local sink).

Without Chromium the tests are skipped, unless REQUIRE_E2E=1 asks for them, in
which case they fail instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.e2e.live import LiveServer, NewPage
from tests.e2e.mail import MailSink

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 30.0
# Playwright's own timeout for each action and assertion, in milliseconds.
ACTION_TIMEOUT_MS = 10_000
# Variables of the outer environment that would change what the server under test does.
_DROPPED_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "TESTING",
    "HUEY_IMMEDIATE",
    "EMAIL_FILE_PATH",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "MEDIA_ROOT",
    "SQLITE_PATH",
    "REDIS_PREFIX",
}

_SERVER_KEY = pytest.StashKey["LiveServer"]()
_FAILED_KEY = pytest.StashKey[bool]()


def _require_e2e() -> bool:
    return os.environ.get("REQUIRE_E2E", "") == "1"


# The dev extras bring these; without them the journeys are not even collected.
_MISSING = [
    name
    for name in ("playwright", "aiosmtpd", "axe_playwright_python")
    if importlib.util.find_spec(name) is None
]
if _MISSING:
    if _require_e2e():
        raise pytest.UsageError(f"REQUIRE_E2E=1 but {', '.join(_MISSING)} are not installed")
    collect_ignore_glob = ["test_*.py"]


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when REQUIRE_E2E=1 says these tests must run."""
    if _require_e2e():
        pytest.fail(f"REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- pytest plumbing


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    """Overrides tests/conftest.py: the cache that matters here is the server's, not ours.

    (With REDIS_URL, clearing this process's cache would flush the Redis
    database that the server under test is using.)
    """


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember failures; attach the server's and the worker's log tails to each one."""
    report = yield
    if report.failed:
        item.config.stash[_FAILED_KEY] = True
        item.stash[_FAILED_KEY] = True
        server = item.config.stash.get(_SERVER_KEY, None)
        if server is not None:
            report.sections.append(("daphne log (tail)", _tail(server.daphne_log)))
            report.sections.append(("worker log (tail)", _tail(server.worker_log)))
    return report


# --------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> str:
    """Debian's Chromium; Playwright's own browsers cannot be downloaded here."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    _unavailable("Chromium is not installed (looked for /usr/bin/chromium and `chromium` on PATH)")


# --------------------------------------------------------------------------- mail


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[tuple[MailSink, int]]:
    """An SMTP server on 127.0.0.1 that keeps what it receives; yields (sink, port)."""
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def mailbox(mail_sink: tuple[MailSink, int]) -> MailSink:
    return mail_sink[0]


# --------------------------------------------------------------------------- the server


class _PostgresDatabase:
    """A fresh database next to the one DATABASE_URL names, dropped at the end."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.name = f"participation_e2e_{os.getpid()}"
        parts = urllib.parse.urlsplit(url)
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))

    def _execute(self, statement: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def create(self) -> None:
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        self._execute("CREATE DATABASE {}")

    def drop(self) -> None:
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _run_step(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(  # noqa: S603
            [sys.executable, *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=180,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` exited with {result.returncode}:\n{_tail(log)}", pytrace=False
        )


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        for process in server.processes:
            if process.poll() is not None:
                pytest.fail(
                    f"{process.args!r} exited with {process.returncode} during start-up:\n"
                    f"daphne:\n{_tail(server.daphne_log)}\nworker:\n{_tail(server.worker_log)}",
                    pytrace=False,
                )
        try:
            with urllib.request.urlopen(server("/health/"), timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.2)
    pytest.fail(
        f"/health/ did not answer 200 within {STARTUP_TIMEOUT} s ({last_error}):\n"
        f"{_tail(server.daphne_log)}",
        pytrace=False,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _forget_redis_keys(url: str, prefix: str) -> None:
    """Best effort: remove what the server put in Redis under its own prefix."""
    try:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()
    except Exception as exc:
        print(f"could not clean Redis keys under {prefix!r}: {exc}", file=sys.stderr)


@pytest.fixture(scope="session")
def server(
    request: pytest.FixtureRequest,
    mail_sink: tuple[MailSink, int],
    chromium_executable: str,
) -> Iterator[LiveServer]:
    """daphne and the huey worker on a fresh database with the demo data loaded."""
    sink, mail_port = mail_sink
    tmp = Path(tempfile.mkdtemp(prefix="participation-e2e-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in _DROPPED_VARIABLES
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "participation.settings",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "1",
            "VAR_DIR": str(tmp),
            "HUEY_SQLITE_PATH": str(tmp / "huey.sqlite3"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_port),
            "EMAIL_USE_TLS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_ROOT": url,
            "LANGUAGE_CODE": "kk",
            # Small petition thresholds, so a journey can reach them (test_petitions.py).
            "PETITION_SUPPORTERS": "2",
            "PETITION_THRESHOLD_CITY": "2",
            "PETITION_COUNT_POLL_SECONDS": "2",
        }
    )
    postgres: _PostgresDatabase | None = None
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        postgres = _PostgresDatabase(database_url)
        postgres.create()
        env["DATABASE_URL"] = postgres.url
    else:
        # Never run migrate and seed_demo against somebody's own database.
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp / "db.sqlite3")
    redis_url = os.environ.get("REDIS_URL", "")
    redis_prefix = f"e2e-{os.getpid()}"
    if redis_url:
        env["REDIS_PREFIX"] = redis_prefix

    live = LiveServer(
        url=url,
        tmp=tmp,
        env=env,
        mail=sink,
        daphne_log=tmp / "daphne.log",
        worker_log=tmp / "worker.log",
    )
    try:
        setup_log = tmp / "setup.log"
        _run_step(["manage.py", "migrate", "--noinput"], env, setup_log)
        _run_step(["manage.py", "seed_demo"], env, setup_log)
        with live.daphne_log.open("ab") as out:
            live.processes.append(
                subprocess.Popen(  # noqa: S603
                    [
                        *(sys.executable, "-m", "daphne"),
                        *("-b", "127.0.0.1", "-p", str(port)),
                        "participation.asgi:application",
                    ],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        with live.worker_log.open("ab") as out:
            live.processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "run_huey"],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        _wait_until_healthy(live)
        request.config.stash[_SERVER_KEY] = live
        yield live
    finally:
        for process in live.processes:
            _stop(process)
        if request.config.stash.get(_FAILED_KEY, False):
            _report_logs(request, live)
        if postgres is not None:
            postgres.drop()
        if redis_url:
            _forget_redis_keys(redis_url, redis_prefix)
        if not request.config.stash.get(_FAILED_KEY, False):
            shutil.rmtree(tmp, ignore_errors=True)


def _report_logs(request: pytest.FixtureRequest, live: LiveServer) -> None:
    """Print the log tails past pytest's output capture; the files stay in live.tmp."""
    text = (
        f"\n--- e2e server logs (and screenshots of failing pages) in {live.tmp} ---\n"
        f"daphne:\n{_tail(live.daphne_log)}\nworker:\n{_tail(live.worker_log)}\n"
    )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(text, file=sys.stderr)
    else:
        print(text, file=sys.stderr)


# --------------------------------------------------------------------------- the browser


# Module scope, not session: while Playwright's sync API is alive, asyncio believes
# that a loop runs in this thread, which would break every async test that a full
# run (`make test`) reaches after the e2e modules.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium_executable: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, server: LiveServer
) -> Iterator[NewPage]:
    """Opens pages, each in its own browser context (its own cookies: its own person)."""
    contexts: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    failed = request.node.stash.get(_FAILED_KEY, False)
    for number, context in enumerate(contexts):
        if failed:
            for index, page in enumerate(context.pages):
                shot = server.tmp / f"{request.node.name}-{number}-{index}.png"
                try:
                    page.screenshot(path=str(shot), full_page=True)
                    print(f"screenshot at failure: {shot} ({page.url})")
                except Exception as exc:
                    print(f"no screenshot of {page.url}: {exc}")
        context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A page in a fresh browser context, closed after the test."""
    return new_page()
