"""Benchmark: one hot petition signed over HTTP by concurrent clients.

    python bench/petition_signing.py [--duration 60] [--clients 48] [--servers 2]
                                     [--accounts 40000] [--database-url URL]

PostgreSQL: ``--database-url`` (or ``DATABASE_URL``) names a server and a
*disposable* database that the benchmark drops and creates; without either, a
throw-away PostgreSQL cluster is started in a temporary directory (``initdb``
and ``pg_ctl`` from PATH; as root they run as the ``postgres`` user). Redis:
``REDIS_URL`` if set (rate limits and the tally kick shared across the server
processes), else each process keeps its own counters in memory.

1. Migrate; create a republic-level petition that is open for signatures,
   ``--accounts`` verified accounts and a logged-in session for each (session
   rows written directly, as a login would), and a CSRF secret. One account in
   fifty is an alias of another (the same Gmail mailbox with dots or a
   ``+tag``): its signature must be refused by the unique constraint.
2. Start ``--servers`` daphne processes accepting on one shared listening
   socket (production settings: DEBUG off, behind a proxy that sets
   ``X-Forwarded-Proto`` and ``X-Forwarded-For``), and one huey worker for the tally.
3. ``--clients`` keep-alive HTTP connections (asyncio, in this process) POST the
   sign form for ``--duration`` seconds, each request as the next unused account
   from a random client address; one request in twenty repeats an earlier
   account's signature (a double submission). A request is ok when it gets the
   303 redirect back to the petition.
4. Wait for the tally to drain, then check the count.

Figures (last line, JSON): ``signatures_per_s`` (new signatures written per
second of the run), ``requests_per_s``, ``p50_ms``/``p95_ms``/``p99_ms`` (request
latency as the client saw it), ``errors`` (not a 303, or a broken connection),
``duplicates`` (mailboxes with more than one signature), ``count_exact`` (the
shown count equals the valid signatures, and the region tallies add up to it),
``drain_s`` (seconds from the end of the run until the count was exact),
``uncounted_max``/``uncounted_median`` (signatures waiting for the tally, sampled
every second of the run: how far the shown count lagged).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Never used to log in: the sessions are written directly.
PASSWORD_HASH = "pbkdf2_sha256$1000000$bench$x"  # noqa: S105


def log(message: str) -> None:
    print(message, flush=True)


# --- PostgreSQL ------------------------------------------------------------------


def start_postgres(tmp: Path) -> tuple[str, subprocess.Popen[bytes] | None, Path]:
    """A throw-away cluster on a free port; returns its URL."""
    data = tmp / "pgdata"
    port = free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(  # noqa: S603
        [*as_postgres, "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(  # noqa: S603
        [
            *as_postgres, "pg_ctl", "-D", str(data), "-l", str(tmp / "pg.log"), "-w", "start",
            "-o", f"-p {port} -k {tmp} -c max_connections=200 -c fsync=on "
            "-c synchronous_commit=on -c shared_buffers=256MB",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return f"postgres://postgres@127.0.0.1:{port}/petitions_bench", None, data


def stop_postgres(data: Path) -> None:
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(  # noqa: S603
        [*as_postgres, "pg_ctl", "-D", str(data), "-m", "fast", "stop"],
        check=False,
        stdout=subprocess.DEVNULL,
    )


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Data ----------------------------------------------------------------------------


def fill(accounts: int) -> dict[str, Any]:
    """The petition, the accounts and their sessions; what the clients need."""
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from participation.models import Agency, Region, User
    from participation.petition_models import Petition
    from participation.sessions import SessionStore

    now = timezone.now()
    agency = Agency.objects.create(
        kind=Agency.Kind.MINISTRY,
        slug="ministry-of-transport",
        name_kk="Көлік министрлігі",
        name_ru="Министерство транспорта",
        name_en="Ministry of Transport",
    )
    author = User.objects.create(email="author@bench.kz", password=PASSWORD_HASH)
    petition = Petition.objects.create(
        author=author,
        agency=agency,
        level=Petition.Level.REPUBLIC,
        title="Қала аралық автобустарды жаңарту",
        text="Bench",
        text_html="<p>Bench</p>",
        text_visible=True,
        state=Petition.State.OPEN,
        supporters_needed=0,
        threshold=50000,
        window_days=182,
        opened_at=now,
        closes_at=now + dt.timedelta(days=182),
    )
    regions = list(Region.objects.values_list("pk", flat=True))
    emails = []
    for n in range(accounts):
        if n % 50 == 49:  # an alias of the account before (a Gmail one): the same mailbox
            emails.append(f"si.gner.{n - 1}+again@gmail.com")
        else:
            emails.append(f"signer.{n}@gmail.com" if n % 2 == 0 else f"signer{n}@example.kz")
    sessions: list[tuple[str, int | None]] = []
    signers: list[tuple[int, str]] = []
    batch = 5000
    store = SessionStore()
    for start in range(0, accounts, batch):
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(email=email, password=PASSWORD_HASH, display_name=f"Signer {i}")
                for i, email in enumerate(emails[start : start + batch], start)
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            )
            rows = []
            for user in users:
                key = secrets.token_hex(16)
                data = {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "participation.auth.PasswordBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
                rows.append(
                    Session(
                        session_key=key,
                        session_data=store.encode(data),
                        expire_date=now + dt.timedelta(days=1),
                    )
                )
                sessions.append((key, random.choice(regions) if random.random() < 0.9 else None))
                signers.append((user.pk, user.email))
            Session.objects.bulk_create(rows)
    return {"petition": petition.pk, "sessions": sessions, "signers": signers}


def sign_directly(job: tuple[int, list[tuple[int, str, int | None]], float]) -> dict[str, Any]:
    """One process of ``--database-only``: ``do_sign`` in a loop, no HTTP, until the deadline."""
    import django

    django.setup()
    from participation.models import Region, User
    from participation.petition_actions import do_sign
    from participation.petition_models import Petition

    petition_id, signers, deadline = job
    petition = Petition.objects.get(pk=petition_id)
    regions = {region.pk: region for region in Region.objects.all()}
    done, latencies = 0, []
    for pk, email, region in signers:
        if time.time() >= deadline:
            break
        user = User(pk=pk, email=email, display_name="Signer", profile_state="published")
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        began = time.perf_counter()
        do_sign(petition, user=user, region=regions.get(region or 0), public=True, ip=address)
        latencies.append(time.perf_counter() - began)
        done += 1
    return {"ok": done, "latencies": latencies}


def run_directly(
    load: Load, petition: int, signers: list[tuple[int, str]], processes: int, duration: float
) -> float:
    """``--database-only``: the signing path without HTTP, in ``processes`` processes."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    regions = [region for _key, region in load.sessions]
    rows = [(pk, email, regions[i]) for i, (pk, email) in enumerate(signers)]
    deadline = time.time() + duration
    jobs = [(petition, rows[n::processes], deadline) for n in range(processes)]
    began = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for result in pool.map(sign_directly, jobs):
            load.ok += result["ok"]
            load.latencies += result["latencies"]
    return time.monotonic() - began


# --- Load ----------------------------------------------------------------------------


class Load:
    def __init__(self, *, port: int, petition: int, sessions: list[tuple[str, int | None]]) -> None:
        self.port = port
        self.path = f"/kk/petitions/{petition}/sign/"
        self.sessions = sessions
        self.next = 0
        self.csrf = secrets.token_hex(16)  # 32 characters: an unmasked secret is accepted
        self.latencies: list[float] = []
        self.ok = 0
        self.repeats = 0
        self.errors = 0
        self.error_kinds: dict[str, int] = {}
        self.stop_at = 0.0

    def request(self) -> tuple[bytes, bool] | None:
        repeat = self.next > 100 and random.random() < 0.05
        if repeat:
            key, region = self.sessions[random.randrange(self.next)]
        else:
            if self.next >= len(self.sessions):
                return None
            key, region = self.sessions[self.next]
            self.next += 1
        body = f"csrfmiddlewaretoken={self.csrf}&public=on"
        if region is not None:
            body += f"&region={region}"
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        head = (
            f"POST {self.path} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.port}\r\n"
            f"Origin: https://127.0.0.1:{self.port}\r\n"
            "X-Forwarded-Proto: https\r\n"
            f"X-Forwarded-For: {address}\r\n"
            f"Cookie: sessionid={key}; csrftoken={self.csrf}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return (head + body).encode(), repeat

    async def client(self) -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while time.monotonic() < self.stop_at:
            made = self.request()
            if made is None:
                return
            payload, repeat = made
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                assert reader is not None
                began = time.perf_counter()
                writer.write(payload)
                status, close = await read_response(reader)
                elapsed = time.perf_counter() - began
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self._error(type(exc).__name__)
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            if status == 303:
                self.latencies.append(elapsed)
                if repeat:
                    self.repeats += 1
                else:
                    self.ok += 1
            else:
                self._error(str(status))
            if close and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    def _error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    async def run(self, clients: int, duration: float) -> float:
        self.stop_at = time.monotonic() + duration
        began = time.monotonic()
        await asyncio.gather(*(self.client() for _ in range(clients)))
        return time.monotonic() - began


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    close = False
    for line in lines[1:]:
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


# --- Servers ---------------------------------------------------------------------------


def start_servers(
    kind: str, count: int, threads: int, env: dict[str, str], tmp: Path
) -> tuple[int, list[subprocess.Popen[bytes]]]:
    """The web servers (gunicorn workers, or daphne processes sharing one listening
    socket) and one huey worker for the tally; waits until they answer."""
    processes = []
    if kind == "gunicorn":
        port = free_port()
        out = (tmp / "gunicorn.log").open("ab")
        processes.append(
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "participation.wsgi:application",
                 "-b", f"127.0.0.1:{port}", "-w", str(count),
                 *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else ["-k", "sync"]),
                 "--keep-alive", "30", "--backlog", "2048",
                 "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
    else:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        port = int(listener.getsockname()[1])
        fd = listener.fileno()
        os.set_inheritable(fd, True)
        for n in range(count):
            out = (tmp / f"daphne-{n}.log").open("ab")
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "daphne", "--fd", str(fd), "-v", "0",
                     "participation.asgi:application"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=(fd,),
                )
            )  # fmt: skip
        listener.close()  # the children hold it
    out = (tmp / "worker.log").open("ab")
    processes.append(
        subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(
                    b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
                )
                if probe.recv(64).startswith(b"HTTP/1."):
                    break
        except OSError:
            time.sleep(0.5)
    return port, processes


def cpu_seconds(root_pids: list[int]) -> float:
    """User + system CPU of these processes and all their descendants, now (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    wanted = set(root_pids)
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in wanted} - wanted
        grew = bool(more)
        wanted |= more
    return sum(times.get(pid, 0.0) for pid in wanted)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- Checks ----------------------------------------------------------------------------


class LagProbe:
    """Samples, every second of the run, how many signatures wait to be counted (the
    tally's queue), from a thread with its own database connection."""

    def __init__(self) -> None:
        import threading

        self.samples: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from django.db import connection

        from participation.petition_models import Signature

        try:
            while not self.stop.wait(1.0):
                self.samples.append(Signature.objects.filter(tallied=False).count())
        finally:
            connection.close()

    def __enter__(self) -> LagProbe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def check(petition_id: int, timeout: float) -> dict[str, Any]:
    """Wait for the tally to drain; then the count, duplicates and region sums."""
    from collections import Counter

    from django.db import close_old_connections

    from participation.petition_actions import normalise_identity
    from participation.petition_models import Petition, PetitionTally, Signature

    began = time.monotonic()
    while True:
        close_old_connections()
        pending = Signature.objects.filter(petition_id=petition_id, tallied=False).count()
        if not pending or time.monotonic() - began > timeout:
            break
        time.sleep(0.2)
    drain = time.monotonic() - began
    petition = Petition.objects.get(pk=petition_id)
    valid = Signature.objects.filter(petition_id=petition_id, state="valid").count()
    rows = Signature.objects.filter(petition_id=petition_id)
    mailboxes = Counter(
        normalise_identity(email) for email in rows.values_list("user__email", flat=True)
    )
    regions = sum(
        PetitionTally.objects.filter(petition_id=petition_id).values_list("count", flat=True)
    )
    return {
        "signatures": rows.count(),
        "valid": valid,
        "excess": rows.filter(state="excess").count(),
        "shown_count": petition.signature_count,
        "pending_after_drain": pending,
        "duplicates": sum(n - 1 for n in mailboxes.values() if n > 1),
        "count_exact": pending == 0 and petition.signature_count == valid == regions,
        "drain_s": round(drain, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--server", choices=["gunicorn", "daphne"], default="gunicorn")
    parser.add_argument("--servers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per gunicorn worker (1: sync workers, one connection per request)",
    )
    parser.add_argument("--accounts", type=int, default=40000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--database-only",
        type=int,
        default=0,
        metavar="PROCESSES",
        help="no HTTP: PROCESSES processes call do_sign directly (what the database sustains)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="petition-bench-"))
    pgdata: Path | None = None
    url = args.database_url
    if not url:
        log("Starting a throw-away PostgreSQL …")
        url, _none, pgdata = start_postgres(tmp)
    recreate_database(url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "participation.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "DATABASE_URL": url,
        "VAR_DIR": str(tmp),
        "HUEY_SQLITE_PATH": str(tmp / "huey.sqlite3"),
        "HUEY_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_PREFIX"] = f"petition-bench-{os.getpid()}"
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command

    processes: list[subprocess.Popen[bytes]] = []
    try:
        call_command("migrate", verbosity=0)
        began = time.monotonic()
        data = fill(args.accounts)
        log(f"{args.accounts} accounts with sessions in {time.monotonic() - began:.1f} s")
        port, processes = start_servers(args.server, args.servers, args.threads, env, tmp)
        log(f"{args.server}: {args.servers} processes on port {port}, one huey worker; "
            f"{args.clients} clients for {args.duration:.0f} s …")  # fmt: skip
        load = Load(port=port, petition=data["petition"], sessions=data["sessions"])
        servers = [process.pid for process in processes[:-1]]
        worker = [processes[-1].pid]
        before = (
            cpu_seconds(servers),
            cpu_seconds(worker),
            time.process_time(),
            os.getloadavg()[0],
        )
        with LagProbe() as probe:
            if args.database_only:
                elapsed = run_directly(
                    load, data["petition"], data["signers"], args.database_only, args.duration
                )
            else:
                elapsed = asyncio.run(load.run(args.clients, args.duration))
        after = (
            cpu_seconds(servers),
            cpu_seconds(worker),
            time.process_time(),
            os.getloadavg()[0],
        )
        checked = check(data["petition"], timeout=60)
    finally:
        stop(processes)
        if pgdata is not None:
            stop_postgres(pgdata)
    handled = max(1, load.ok + load.repeats + load.errors)
    latencies = sorted(load.latencies) or [0.0]
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    result = {
        "signatures_per_s": round(checked["signatures"] / elapsed, 1),
        "requests_per_s": round((load.ok + load.repeats + load.errors) / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
        "errors": load.errors,
        "error_kinds": load.error_kinds,
        "double_submissions": load.repeats,
        "duration_s": round(elapsed, 1),
        "mode": "database-only" if args.database_only else "http",
        "server": args.server,
        "servers": args.servers,
        "clients": args.clients,
        "redis": bool(os.environ.get("REDIS_URL")),
        # CPU per request handled, from /proc: the web servers, the tally worker and this
        # load generator. (PostgreSQL's backends exit with their connections, taking
        # their counters with them, so the database's share is not reported.)
        "server_cpu_ms_per_request": round((after[0] - before[0]) * 1000 / handled, 2),
        "tally_cpu_ms_per_signature": round(
            (after[1] - before[1]) * 1000 / max(1, checked["signatures"]), 3
        ),
        "client_cpu_ms_per_request": round((after[2] - before[2]) * 1000 / handled, 2),
        # The tally's queue sampled each second of the run: how far the count lagged.
        "uncounted_max": max(probe.samples, default=0),
        "uncounted_median": int(statistics.median(probe.samples)) if probe.samples else 0,
        "load_average_1m": [round(before[3], 1), round(after[3], 1)],
        **checked,
    }
    log(f"{checked['signatures']} new signatures in {elapsed:.1f} s: {result['signatures_per_s']}/s, "
        f"p95 {result['p95_ms']} ms, errors {load.errors}, duplicates {checked['duplicates']}, "
        f"count exact: {checked['count_exact']} (drained in {checked['drain_s']} s)")  # fmt: skip
    if load.errors:
        log(f"Server logs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
