"""Benchmark: one live room, N viewers on two server processes, B broadcasts a second.

    python bench/live_fanout.py --sockets 2000 --rate 4 --seconds 30 [--server both]

What it starts (and stops): Redis (only if nothing answers on REDIS_URL or
127.0.0.1:6379; then ``redis-server`` on a free port), a fresh SQLite database
in a temporary directory (migrated; or DATABASE_URL if set: use a disposable
one), two server processes of the chosen kind (``daphne`` and/or ``uvicorn``)
on the same Redis, and two load-generator processes that open the sockets,
half on each server, through the websockets client.

Each broadcast is a real chat message of a host, posted through the action
(``do_post_message``: moderation pipeline, stored event, broadcast after
commit) from this process, at ``--rate`` a second for ``--seconds``. Latency
is measured per delivered frame from the message's ``created_at`` (set before
moderation and the database write) to its arrival in the client: end to end.

Figures per server kind: ``delivered_pct`` (frames received / sockets x
messages posted), ``p50_ms`` and ``p99_ms`` of those latencies,
``rss_mb_per_process`` (the larger of the two servers' resident memory at
the end, MB), ``connect_s`` (time to open every socket) and
``server_cpu_us_per_frame`` (the two servers' CPU time while broadcasting,
per frame delivered: the figure that does not depend on what else runs on
the machine). The last line is
one JSON object: the figures of the faster kind at the top level (by p99),
and every kind's under ``by_server``. The machine's load average at the start
is printed too: the load generator and the servers share the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONNECT_CONCURRENCY = 100
CONNECT_DEADLINE = 180  # seconds for every socket to open


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process for port {port} exited ({process.returncode})")
        if port_open(port):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (from /proc, in seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------- load generator


def client_process(
    urls: list[str], count: int, ready: Any, start: Any, stop: Any, results: Any
) -> None:
    """Open ``count`` sockets round-robin over ``urls``; record every message's latency."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_clients(urls, count, ready, start, stop, results))


async def _clients(
    urls: list[str], count: int, ready: Any, start: Any, stop: Any, results: Any
) -> None:
    from websockets.asyncio.client import connect

    latencies: list[float] = []
    received = 0
    failures = 0
    closed = 0
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    opened = asyncio.Event()
    connected = 0

    async def one(index: int) -> None:
        nonlocal received, failures, closed, connected
        url = urls[index % len(urls)]
        try:
            async with limit:
                ws = await connect(
                    url,
                    origin="http://127.0.0.1",  # type: ignore[arg-type]
                    max_queue=None,
                    ping_interval=None,
                    compression=None,
                    open_timeout=120,
                )
                await asyncio.wait_for(ws.recv(), 120)  # the snapshot
            connected += 1
            if connected == count:
                opened.set()
            async for raw in ws:
                now = time.time()
                if '"event":"message"' not in raw:
                    continue
                frame = json.loads(raw)
                at = datetime.fromisoformat(frame["data"]["at"]).timestamp()
                latencies.append((now - at) * 1000)
                received += 1
            closed += 1
        except Exception:
            failures += 1
            if connected + failures >= count:
                opened.set()

    tasks = [asyncio.ensure_future(one(i)) for i in range(count)]
    # A server that cannot open them all in time is measured with those it did open.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(opened.wait(), CONNECT_DEADLINE)
    ready.put(("ready", connected, failures))
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results.put({"received": received, "latencies": latencies, "failures": failures,
                 "closed": closed})  # fmt: skip


# --------------------------------------------------------------------------- servers


def start_servers(
    kind: str, env: dict[str, str], tmp: Path
) -> list[tuple[int, subprocess.Popen[bytes]]]:
    servers = []
    for _ in range(2):
        port = free_port()
        if kind == "daphne":
            command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                       "participation.asgi:application"]  # fmt: skip
        else:
            command = [sys.executable, "-m", "uvicorn", "participation.asgi:application",
                       "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets",
                       "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                       "--log-level", "warning", "--ws-max-size", "65536",
                       "--ws-per-message-deflate", "false"]  # fmt: skip
        log = open(tmp / f"{kind}-{port}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        servers.append((port, process))
    for port, process in servers:
        wait_for(port, process)
    return servers


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def run_kind(
    kind: str, args: argparse.Namespace, env: dict[str, str], tmp: Path, room: Any
) -> dict[str, Any]:
    from reception import live_actions

    session, posters = room
    servers = start_servers(kind, env, tmp)
    urls = [f"ws://127.0.0.1:{port}/ws/live/{session.pk}/" for port, _ in servers]
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    start_event, stop_event = ctx.Event(), ctx.Event()
    shares = [args.sockets // args.clients + (1 if i < args.sockets % args.clients else 0)
              for i in range(args.clients)]  # fmt: skip
    clients = [
        ctx.Process(
            target=client_process, args=(urls, share, ready, start_event, stop_event, results)
        )
        for share in shares
        if share
    ]
    began = time.monotonic()
    for client in clients:
        client.start()
    connected = failures = 0
    for _ in clients:
        _tag, ok, bad = ready.get(timeout=600)
        connected += ok
        failures += bad
    connect_s = time.monotonic() - began
    print(f"[{kind}] {connected} sockets open ({failures} failed) in {connect_s:.1f} s", flush=True)
    time.sleep(1)

    cpu_before = sum(cpu_seconds(process.pid) for _, process in servers)
    posted = 0
    interval = 1 / args.rate
    first = time.monotonic()
    late = 0.0
    while True:
        due = first + posted * interval
        now = time.monotonic()
        if due - first >= args.seconds:
            break
        if due > now:
            time.sleep(due - now)
        else:
            late = max(late, now - due)
        poster = posters[posted % len(posters)]
        live_actions.do_post_message(
            session, author=poster, text=f"{kind} broadcast {posted} at {time.time():.3f}"
        )
        posted += 1
    time.sleep(args.drain)
    cpu_used = sum(cpu_seconds(process.pid) for _, process in servers) - cpu_before
    rss = [rss_mb(process.pid) for _, process in servers]
    stop_event.set()
    received = 0
    closed = 0
    latencies: list[float] = []
    for _ in clients:
        result = results.get(timeout=120)
        received += result["received"]
        closed += result["closed"]
        failures += result["failures"]
        latencies += result["latencies"]
    for client in clients:
        client.join(timeout=30)
    stop([process for _, process in servers])
    expected = posted * args.sockets  # sockets that never opened count as undelivered
    figures = {
        "delivered_pct": round(100 * received / expected, 3) if expected else 0.0,
        "p50_ms": _round(percentile(latencies, 0.50)),
        "p99_ms": _round(percentile(latencies, 0.99)),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "rss_mb_per_process": round(max(rss), 1),
        "rss_mb": [round(value, 1) for value in rss],
        "connect_s": round(connect_s, 1),
        # Load-independent: the servers' CPU time per frame delivered (both processes).
        "server_cpu_us_per_frame": round(1e6 * cpu_used / received, 1) if received else None,
        "messages_posted": posted,
        "frames_received": received,
        "socket_failures": failures,
        "sockets_closed_by_server": closed,
        "poster_late_max_ms": round(late * 1000, 1),
    }
    print(f"[{kind}] " + ", ".join(f"{key}={value}" for key, value in figures.items()), flush=True)
    return figures


def ensure_redis(tmp: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    url = os.environ.get("REDIS_URL", "")
    if url:
        return url, None
    if port_open(6379):
        return "redis://127.0.0.1:6379/0", None
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("no Redis is running and redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port, process)
    return f"redis://127.0.0.1:{port}/0", process


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=4.0, help="broadcasts per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--server", choices=["daphne", "uvicorn", "both"], default="both")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for stragglers")
    args = parser.parse_args()

    load = os.getloadavg()
    print(
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    tmp = Path(tempfile.mkdtemp(prefix="live-fanout-"))
    redis_url, redis_process = ensure_redis(tmp)
    prefix = f"bench-live-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "participation.settings",
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SQLITE_PATH": str(tmp / "db.sqlite3"),
        "MODERATION_POSTS_PER_MINUTE": "1000000",
        "MODERATION_POSTS_PER_MINUTE_PER_IP": "1000000",
        "MODERATION_TRUSTED_AFTER_POSTS": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TESTING", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        import django

        django.setup()
        room = make_room(args)
        kinds = ["daphne", "uvicorn"] if args.server == "both" else [args.server]
        by_server = {kind: run_kind(kind, args, env, tmp, room) for kind in kinds}
    finally:
        if redis_process is not None:
            stop([redis_process])
        shutil.rmtree(tmp, ignore_errors=True)
    fastest = min(
        by_server,
        key=lambda kind: (-by_server[kind]["delivered_pct"], by_server[kind]["p99_ms"] or 1e9),
    )
    top = {
        key: by_server[fastest][key]
        for key in ("delivered_pct", "p50_ms", "p99_ms", "rss_mb_per_process")
    }
    print(json.dumps({"server": fastest, **top, "sockets": args.sockets, "rate": args.rate,
                      "seconds": args.seconds, "load_avg_start": round(load[0], 2),
                      "by_server": by_server}))  # fmt: skip


def make_room(args: argparse.Namespace) -> Any:
    """A live, post-moderated room without slow mode, and enough hosts to post
    within the pipeline's hourly per-person limit."""
    from django.utils import timezone

    from participation.models import Agency, Official, User
    from reception.models import LiveSession

    agency = Agency.objects.create(
        kind=Agency.Kind.CITY_AKIMAT, slug="bench", name_kk="Бенч", name_ru="Бенч", name_en="Bench"
    )
    needed = int(args.rate * args.seconds * 2 / 150) + 2
    posters = [
        User.objects.create_user(f"host{i}@bench.kz", None, display_name=f"Host {i}")
        for i in range(needed)
    ]
    official = Official.objects.create(
        user=posters[0],
        agency=agency,
        slug="bench-host",
        name_kk="Хост",
        name_ru="Хост",
        name_en="Host",
        position_kk="Әкім",
        position_ru="Аким",
        position_en="Akim",
    )
    session = LiveSession.objects.create(
        official=official, agency=agency, title="Bench", language="kk",
        starts_at=timezone.now() - timedelta(minutes=1), mode=LiveSession.Mode.POSTMODERATED,
        state=LiveSession.State.LIVE, slow_mode_seconds=0, created_by=posters[0],
    )  # fmt: skip
    session.cohosts.set(posters[1:])
    from allauth.mfa.models import Authenticator

    for poster in posters:  # hosts act with a second factor
        Authenticator.objects.create(
            user=poster, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    session = LiveSession.objects.select_related("official", "agency").get(pk=session.pk)
    return session, posters


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
