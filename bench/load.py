"""Load test: gunicorn on 127.0.0.1 with seeded data, hammered by wrk on the signed-in pages.

Runs on the production stack when it is there: a throwaway PostgreSQL database on
127.0.0.1:5432 and Redis on 127.0.0.1:6379 (databases 14 and 15, emptied first), or the
servers DATABASE_URL and REDIS_URL name; otherwise a throwaway SQLite file and the file cache.
Migrates and seeds, creates a user with 20 CVs and some tasks and a signed-in session, then
starts gunicorn with production settings (DEBUG=False) and the production gunicorn.conf.py
(WEB_CONCURRENCY sync workers, default 2 per core + 1, access log to a file), and runs wrk
against the CV list, one CV's editor and the task panel at 20 and 200 connections. Reports
req/s, p50, p99 and errors (non-2xx answers and socket errors). Each level starts and ends
with the yardstick, a bare Django page served by the same gunicorn (bench/yardstick.py: 20
rows from the database through a small template): the editor and the CV list are also given
as a ratio of its req/s (the mean of both yardstick runs), which says what the pages cost on
whatever machine runs the benchmark, however busy it is. On the throwaway PostgreSQL
database and Redis it then loads the editor while Redis pauses for 2 s and every database
connection is cut (a PostgreSQL restart), and for the 3 s after: only the requests in flight
at the cut may fail, none after. Without wrk, a Python
keep-alive load generator stands in (it needs CPU too, so its figures are lower bounds).

Targets: >= 150 req/s and p99 <= 200 ms at 20 connections on 2 cores, no errors at all; the
editor and the CV list at >= 0.5 x the yardstick's req/s with p99 <= 150 ms at 20 connections.

    .venv/bin/python bench/load.py [--duration 10] [--connections 20,200] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
RICH_CV = ROOT / "cvs" / "tests" / "fixtures" / "rich_cv.json"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
N_CVS = 20
N_VERSIONS = 5
TASKS = {"completed": 14, "failed": 3, "cancelled": 1, "running": 1, "queued": 1}
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"
LOCAL_REDIS = "redis://127.0.0.1:6379"
# Redis databases of the load test's own (broker, cache), emptied before each run.
REDIS_BROKER_DB, REDIS_CACHE_DB = 14, 15
WRK_THREADS = 2
WRK_TIMEOUT = "5s"
QUICK_DURATION = 3
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
WARMUP_SECONDS = 2
BLIP_SECONDS = 12
AFTER_BLIPS_SECONDS = 3
BLIP_PAUSE_MS = 2000
SETTLE_TIMEOUT = 60.0
SETTLED_MS = 500.0
# The Python generator's hard cap, whatever the duration: keeps a run bounded in count too.
MAX_PY_REQUESTS = 200_000
TARGET_RPS, TARGET_P99_MS, TARGET_CONNECTIONS = 150.0, 200.0, 20
# The editor and the CV list against the yardstick page, at TARGET_CONNECTIONS.
YARDSTICK_RATIO, PAGE_P99_MS = 0.5, 150.0
YARDSTICK = "yardstick (bare page)"
RATIO_PAGES = ("CV list", "editor")

# wrk counts 3xx as success; a redirect here means the session was refused, so count non-2xx.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    "RESULT %d %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
"""

# Production settings with two changes: static files are collected into the throwaway
# directory (STATIC_ROOT is not read from the environment), so the checkout stays untouched,
# and the URLs are the site's plus the yardstick page (bench/yardstick.py).
SETTINGS_SHIM = """from fitmycv.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
ROOT_URLCONF = "yardstick"
"""


@dataclass(slots=True)
class Run:
    page: str
    url: str
    connections: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    timeouts: int  # the part of socket_errors that is requests unanswered after WRK_TIMEOUT
    tool: str
    loadavg: float
    # "blips": measured while Redis paused and PostgreSQL dropped every connection (see
    # run_blips); "after blips": the seconds right after.
    phase: str = ""
    # req/s over the yardstick's at the same level, for the pages measured against it.
    ratio: float | None = None

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors

    @property
    def starved(self) -> int:
        """Connections that cannot all have had an answer: fewer answers than connections.
        wrk's latencies only cover answered requests, so this flags an overload they hide."""
        return max(0, self.connections - self.requests)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def bench_environment(workdir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT), str(ROOT / "bench")]),
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="False",
        SITE_ROOT=f"http://{HOST}:{port}",
        VAR_DIR=str(workdir / "var"),
        AI_ENGINE="offline",
        LOG_LEVEL="WARNING",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    return env


def local_postgres() -> str | None:
    """A throwaway database on the local PostgreSQL server, or None when there is none."""
    try:
        import psycopg

        name = f"fitmycv_load_{secrets.token_hex(4)}"
        with psycopg.connect(
            f"{LOCAL_POSTGRES}/postgres", autocommit=True, connect_timeout=2
        ) as db:
            db.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - no server (or no rights): SQLite stands in
        return None
    return f"{LOCAL_POSTGRES}/{name}"


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def local_redis() -> dict[str, str]:
    """REDIS_URL and CACHE_REDIS_URL on the local Redis server (emptied), or {} without one."""
    try:
        import redis

        for db in (REDIS_BROKER_DB, REDIS_CACHE_DB):
            redis.Redis.from_url(f"{LOCAL_REDIS}/{db}", socket_timeout=2).flushdb()
    except Exception:  # noqa: BLE001 - no server: the file cache and broker stand in
        return {}
    return {
        "REDIS_URL": f"{LOCAL_REDIS}/{REDIS_BROKER_DB}",
        "CACHE_REDIS_URL": f"{LOCAL_REDIS}/{REDIS_CACHE_DB}",
    }


def prepare_data(env: dict[str, str]) -> tuple[str, dict[str, str], int]:
    """Migrate, seed and create the bench user in this process, against the server's database.

    Returns the session cookie header, the pages to load and the user's id (for clean-up)."""
    os.environ.update(env)
    sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections

    from accounts.models import User
    from cvs import services
    from jobs.models import BackgroundTask

    call_command("setup", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    email = f"load-{secrets.token_hex(4)}@example.org"
    user = User.objects.create_user(email, secrets.token_urlsafe(16))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    content = json.loads(RICH_CV.read_text())
    cvs = [services.create_cv(user, content=content, name=f"CV {n}") for n in range(N_CVS)]
    for n in range(N_VERSIONS):
        services.save_version(cvs[0], changelog=f"Version {n}", change_type="optimization")
    for status, count in TASKS.items():
        for n in range(count):
            BackgroundTask.objects.create(
                user=user, type="test", title=f"Task {n}", status=status, cv=cvs[n % N_CVS]
            )
    # The session a sign-in would create, written straight into the session table.
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    with connections["default"].cursor() as cursor:
        # Fresh tables have no planner statistics; a live database has them. Without this,
        # autovacuum analyses the tables during the first run.
        cursor.execute("ANALYZE")
    connections.close_all()  # SQLite: release the file before the server takes it
    from yardstick import URL as yardstick_url

    pages = {
        YARDSTICK: yardstick_url,
        f"CV list ({N_CVS} CVs)": "/cvs/",
        f"editor ({N_VERSIONS} versions)": f"/cvs/{cvs[0].pk}/",
        f"task panel ({sum(TASKS.values())} tasks)": "/cvs/tasks/panel/",
    }
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", pages, user.pk


def remove_user(user_id: int, cookie: str) -> None:
    """On a shared database (DATABASE_URL), leave nothing behind."""
    from django.contrib.sessions.models import Session
    from django.db import connections

    from accounts.models import User

    User.objects.filter(pk=user_id).delete()  # cascades to the CVs, versions and tasks
    Session.objects.filter(session_key=cookie.partition("=")[2]).delete()
    connections.close_all()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        str(BIN / "gunicorn"), "fitmycv.wsgi:application", "--config", str(GUNICORN_CONF),
        "--bind", f"{HOST}:{port}", "--chdir", str(ROOT), "--error-logfile", str(log),
        "--access-logfile", str(log.with_name("access.log")), "--log-level", "warning",
    ]  # fmt: skip
    # A session of its own, so the whole group (master and workers) can be stopped at once.
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        wait_until_up(server, port, log)
        yield server
    finally:
        stop(server)


def wait_until_up(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError):
            status, _ = get(port, "/healthz", "")
            if status:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT:.0f} s:\n{tail(log)}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(STOP_TIMEOUT)


def tail(log: Path, lines: int = 30) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def get(port: int, url: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check_pages(port: int, cookie: str, pages: dict[str, str]) -> None:
    """Every page answers 200 to the session (a 302 would mean we are measuring the login
    redirect), and a few requests per page warm both workers' templates."""
    for label, url in pages.items():
        for _ in range(8):
            status, body = get(port, url, cookie)
            if status != 200:
                raise RuntimeError(f"{label} {url} answered {status}: {body[:300]!r}")


def settle(port: int, cookie: str, url: str) -> None:
    """Wait for the requests a finished run left queued (from connections wrk has closed) to
    drain, so that they are not billed to the next run."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(OSError):
            get(port, url, cookie)
            if (time.perf_counter() - started) * 1000 < SETTLED_MS:
                return
        time.sleep(0.5)


Figures = tuple[int, float, float, float, float, int, int, int]


def run_wrk(
    port: int, url: str, cookie: str, connections: int, duration: int, script: Path
) -> Figures:
    command = [
        "wrk", f"-t{min(WRK_THREADS, connections)}", f"-c{connections}", f"-d{duration}s",
        f"--timeout={WRK_TIMEOUT}", "-s", str(script), "-H", f"Cookie: {cookie}",
        f"http://{HOST}:{port}{url}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"^RESULT ([\d ]+)$", done.stdout, re.MULTILINE)
    if done.returncode or not match:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    requests, micros, non2xx, *errors, p50, p99, top, _mean = map(int, match.group(1).split())
    timeouts = errors[-1]
    return requests, micros / 1e6, p50 / 1000, p99 / 1000, top / 1000, non2xx, sum(errors), timeouts


def run_blips(port: int, url: str, cookie: str, script: Path, env: dict[str, str]) -> Figures:
    """wrk on `url` at 20 connections while the infrastructure blips: Redis paused for
    BLIP_PAUSE_MS (every client waits), then every connection to the database terminated (as
    a PostgreSQL restart does to the workers' persistent connections)."""
    import psycopg
    import redis

    outcome: dict[str, Figures] = {}
    load = threading.Thread(
        target=lambda: outcome.update(
            figures=run_wrk(port, url, cookie, TARGET_CONNECTIONS, BLIP_SECONDS, script)
        )
    )
    load.start()
    time.sleep(BLIP_SECONDS / 4)
    cache_url = env.get("CACHE_REDIS_URL") or env["REDIS_URL"]
    redis.Redis.from_url(cache_url).execute_command("CLIENT", "PAUSE", BLIP_PAUSE_MS, "ALL")
    time.sleep(BLIP_SECONDS / 4 + BLIP_PAUSE_MS / 1000)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    load.join()
    return outcome["figures"]


def run_python(port: int, url: str, cookie: str, connections: int, duration: int) -> Figures:
    """Keep-alive connections in threads, each sending its next request on the last answer."""
    latencies: list[float] = []
    counts = {"non2xx": 0, "socket": 0, "timeouts": 0}
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=float(WRK_TIMEOUT[:-1]))
        mine: list[float] = []
        non2xx = errors = timeouts = 0
        while time.monotonic() < deadline and len(latencies) + len(mine) < MAX_PY_REQUESTS:
            begin = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                timeouts += isinstance(exc, TimeoutError)
                conn.close()
                continue
            mine.append((time.perf_counter() - begin) * 1000)
            non2xx += not 200 <= response.status < 300
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["non2xx"] += non2xx
            counts["socket"] += errors
            counts["timeouts"] += timeouts

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    return len(latencies), elapsed, pct(0.5), pct(0.99), ordered[-1], *counts.values()


def measured(
    label: str, url: str, connections: int, figures: Figures, tool: str, phase: str = ""
) -> Run:
    """One run's figures as a Run, printed as a line of the table."""
    requests, seconds, p50, p99, top, non2xx, errors, timeouts = figures
    run = Run(
        label, url, connections, requests, seconds, requests / seconds, p50, p99, top, non2xx,
        errors, timeouts, tool, os.getloadavg()[0], phase,
    )  # fmt: skip
    print(
        f"{label:24} {connections:5d} {run.rps:8.1f} {p50:8.1f} {p99:8.1f} "
        f"{top:8.1f} {non2xx:8d} {errors:8d} {run.starved:8d}",
        flush=True,
    )
    return run


def against_yardstick(level: list[Run]) -> list[Run]:
    """The runs of one level with the yardstick's two runs as one (their mean req/s) and the
    ratio of the editor and the CV list to it, printed."""
    sticks = [run for run in level if run.page == YARDSTICK]
    stick = sticks[0]
    stick.requests = sum(run.requests for run in sticks)
    stick.seconds = sum(run.seconds for run in sticks)
    stick.rps = stick.requests / stick.seconds
    stick.p99_ms = max(run.p99_ms for run in sticks)
    stick.max_ms = max(run.max_ms for run in sticks)
    stick.non2xx = sum(run.non2xx for run in sticks)
    stick.socket_errors = sum(run.socket_errors for run in sticks)
    stick.timeouts = sum(run.timeouts for run in sticks)
    rest = [run for run in level if run.page != YARDSTICK]
    print(f"{YARDSTICK}: {stick.rps:.1f} req/s over both runs")
    for run in rest:
        if run.page.startswith(RATIO_PAGES):
            run.ratio = run.rps / stick.rps if stick.rps else 0.0
            print(f"  {run.page}: {run.ratio:.2f} x the yardstick's req/s, p99 {run.p99_ms:.0f} ms")
    return [stick, *rest]


def meets_ratio_target(run: Run) -> bool | None:
    """The editor's and the CV list's target against the yardstick; None for other runs."""
    if run.ratio is None or run.connections != TARGET_CONNECTIONS or run.phase:
        return None
    return run.ratio >= YARDSTICK_RATIO and run.p99_ms <= PAGE_P99_MS and not run.errors


def meets_target(run: Run, workers: int = 0) -> bool:
    if run.page == YARDSTICK:
        return not (run.errors or run.starved)
    if run.phase == "blips":
        # Cutting the database fails the requests in flight at that instant, one per worker
        # at most; every other request must be served.
        return run.errors <= workers and not run.starved
    if run.errors or run.starved:
        return False
    if run.connections != TARGET_CONNECTIONS or run.phase:
        return True
    return run.rps >= TARGET_RPS and run.p99_ms <= TARGET_P99_MS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and level")
    parser.add_argument("--connections", default="20,200", help="comma-separated levels")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DURATION} s per run")
    parser.add_argument("--python", action="store_true", help="use the Python load generator")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--pool", action="store_true", help="PostgreSQL connections from Django's pool (DB_POOL)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    # A terminating parent (make, bench/run.py on timeout) must still get gunicorn stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    duration = QUICK_DURATION if args.quick else args.duration
    levels = [int(n) for n in args.connections.split(",")]
    tool = "wrk" if shutil.which("wrk") and not args.python else "python"

    workdir = Path(tempfile.mkdtemp(prefix="fitmycv-load-"))
    shared_db = "DATABASE_URL" in os.environ
    throwaway_db = None if shared_db else local_postgres()
    services = {} if "REDIS_URL" in os.environ else local_redis()
    if throwaway_db:
        services["DATABASE_URL"] = throwaway_db
    os.environ.update(services)
    user_id, cookie = None, ""
    runs: list[Run] = []
    try:
        (workdir / "bench_settings.py").write_text(
            SETTINGS_SHIM.format(static_root=str(workdir / "static"))
        )
        (workdir / "report.lua").write_text(WRK_SCRIPT)
        port = free_port()
        env = bench_environment(workdir, port)
        if args.pool:
            env["DB_POOL"] = "True"
        cookie, pages, user_id = prepare_data(env)
        if shared_db:
            database = "PostgreSQL (DATABASE_URL)"
        else:
            database = "PostgreSQL (throwaway)" if throwaway_db else "SQLite (throwaway file)"
        cache = "Redis" if env.get("REDIS_URL") else "file cache"
        workers = int(env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
        print(f"gunicorn ({GUNICORN_CONF.name}, {workers} sync workers) on {HOST}:{port}")
        print(f"{database}{' (pooled connections)' if args.pool else ''}, {cache}")
        print(f"load generator: {tool}, {duration} s per run, CPUs: {os.cpu_count()}")
        with gunicorn(env, port, workdir / "gunicorn.log") as server:
            check_pages(port, cookie, pages)
            print(f"\n{'page':24} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'max ms':>8} {'non-2xx':>8} {'sock err':>8} {'starved':>8}")  # fmt: skip
            warmed: dict[str, bool] = {}
            for connections in levels:
                level: list[Run] = []
                # The yardstick opens and closes the level: the machine's load drifts.
                for label, url in [*pages.items(), (YARDSTICK, pages[YARDSTICK])]:
                    settle(port, cookie, url)
                    if tool == "wrk" and not warmed.get(url):
                        # Not measured: every worker compiles its templates and fills its
                        # connections, the shared cache gets the page's fragments.
                        run_wrk(
                            port, url, cookie, connections, WARMUP_SECONDS, workdir / "report.lua"
                        )
                        settle(port, cookie, url)
                        warmed[url] = True
                    if tool == "wrk":
                        figures = run_wrk(
                            port, url, cookie, connections, duration, workdir / "report.lua"
                        )
                    else:
                        figures = run_python(port, url, cookie, connections, duration)
                    level.append(measured(label, url, connections, figures, tool))
                    if server.poll() is not None:
                        log = tail(workdir / "gunicorn.log")
                        raise RuntimeError(f"gunicorn died under load:\n{log}")
                runs += against_yardstick(level)
            on_services = env["DATABASE_URL"].startswith("postgres") and env.get("REDIS_URL")
            if tool == "wrk" and on_services and not shared_db:
                url = next(v for k, v in pages.items() if k.startswith("editor"))
                settle(port, cookie, url)
                blipped = run_blips(port, url, cookie, workdir / "report.lua", env)
                after = run_wrk(
                    port, url, cookie, TARGET_CONNECTIONS, AFTER_BLIPS_SECONDS,
                    workdir / "report.lua",
                )  # fmt: skip
                for label, phase, figures in (
                    ("editor, Redis paused 2 s + PostgreSQL cut", "blips", blipped),
                    ("editor, the 3 s right after", "after blips", after),
                ):
                    runs.append(measured(label, url, TARGET_CONNECTIONS, figures, tool, phase))
            problems = tail(workdir / "gunicorn.log", 10)
        if problems:
            print(f"\ngunicorn log (last lines):\n{problems}")
        target = f">= {TARGET_RPS:.0f} req/s and p99 <= {TARGET_P99_MS:.0f} ms at 20 connections"
        met = all(meets_target(run, workers) for run in runs)
        print(f"\nTarget ({target}, no errors): {'met' if met else 'missed'}", end="")
        print("" if TARGET_CONNECTIONS in levels else " (20 connections not measured)")
        ratios = [meets_ratio_target(run) for run in runs]
        target = (
            f">= {YARDSTICK_RATIO} x the yardstick's req/s and p99 <= {PAGE_P99_MS:.0f} ms "
            f"at {TARGET_CONNECTIONS} connections"
        )
        met = all(ratio is not False for ratio in ratios) and any(ratios)
        print(f"Target of the editor and the CV list ({target}): {'met' if met else 'missed'}")
        if args.json:
            rows = [
                dict(
                    asdict(run),
                    errors=run.errors,
                    starved=run.starved,
                    met=meets_target(run, workers),
                    ratio_met=meets_ratio_target(run),
                )
                for run in runs
            ]
            args.json.write_text(
                json.dumps(
                    {"tool": tool, "duration_s": duration, "timeout": WRK_TIMEOUT, "runs": rows},
                    indent=1,
                )
            )
    finally:
        if shared_db and user_id is not None:
            remove_user(user_id, cookie)
        if throwaway_db:
            drop_postgres(throwaway_db)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
