"""Tailorings per second one worker host sustains against a model that answers in 1 s.

The `llm` workers of one host, started as compose.yaml's `worker-llm` service declares them
(its command, its own environment and its number of replicas), take tasks from Redis and run
the real tailoring (gateway, SDK, accounting) on PostgreSQL against the fake OpenAI-compatible
server. Users with a CV, an offer already read and credits start tailorings through the
product's path (cvs.services.start_tailoring) at a steady rate. Reported: tailorings completed
per second, enqueue-to-start and enqueue-to-done p50/p99, the workers' CPU (all their
processes, and CPU-seconds per tailoring, which does not depend on the machine's load) and
peak RSS (from /proc), and the peak of PostgreSQL connections to the database. Then fairness:
one user queues 1,000 tailorings, another starts one; how long until it starts.

    .venv/bin/python bench/throughput.py [--duration 60] [--rate 12] [--quick] [--json FILE]

The target holds for 60 s (issue #19): --quick measures 20 s, for trying options, and the
table says the run was too short.

Uses the database fitmycv_throughput (dropped and created) and Redis databases 10 and 11.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "fitmycv_throughput"
REDIS = "redis://127.0.0.1:6379"
REDIS_BROKER_DB, REDIS_CACHE_DB = 10, 11
BENCH_CLIENT = "fitmycv-bench"
WARMUP_SECONDS = 8
TARGET_SECONDS = 60  # issue #19: sustained for 60 s
QUICK_SECONDS = 20
DRAIN_SECONDS = 60
FAIRNESS_BACKLOG = 1000
SAMPLE_SECONDS = 0.5
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def production_llm_worker() -> tuple[list[str], dict[str, str], int]:
    """The `llm` worker's command, its own environment and how many of it run on a host, as
    compose.yaml declares them."""
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service, shared = compose["services"]["worker-llm"], compose["x-app"]["environment"]
    own = {k: str(v) for k, v in service["environment"].items() if k not in shared}
    replicas = int(service.get("deploy", {}).get("replicas", 1))
    return list(service["command"]), own, replicas


def replica_command(command: list[str], index: int) -> list[str]:
    """A replica's command: each container has a host name of its own, so on one machine each
    process gets a node name of its own (llm-1@host, llm-2@host) in its place."""
    if "-n" not in command:
        return command
    at = command.index("-n") + 1
    name, _, host = command[at].partition("@")
    return [*command[:at], f"{name}-{index}@{host}", *command[at + 1 :]]


def setup_services() -> dict[str, str]:
    import psycopg
    import redis

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{DATABASE}"')
    for index in (REDIS_BROKER_DB, REDIS_CACHE_DB):
        redis.Redis.from_url(f"{REDIS}/{index}").flushdb()
    return {
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": f"{REDIS}/{REDIS_BROKER_DB}",
        "CACHE_REDIS_URL": f"{REDIS}/{REDIS_CACHE_DB}",
        "DJANGO_SETTINGS_MODULE": "fitmycv.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "AI_ENGINE": "openai",
        "OPENAI_API_KEY": "sk-bench-fake",
        "LOG_LEVEL": "WARNING",
    }


def process_tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                stack.extend(int(child) for child in children)
        except OSError:
            continue
    return pids


def all_processes(roots: list[int]) -> list[int]:
    return [pid for root in roots for pid in process_tree(root)]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total


@dataclass
class Sampler:
    """Samples the workers' RSS (all their processes) and the database's connections."""

    worker_pids: list[int]
    peak_rss: int = 0
    peak_connections: int = 0
    connections: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as db:
            while not self._stop.wait(SAMPLE_SECONDS):
                self.peak_rss = max(self.peak_rss, rss_bytes(all_processes(self.worker_pids)))
                row = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND application_name <> %s",
                    (DATABASE, BENCH_CLIENT),
                ).fetchone()
                count = int(row[0]) if row else 0
                self.connections.append(count)
                self.peak_connections = max(self.peak_connections, count)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def prepare(users: int) -> list[tuple[Any, Any, Any]]:
    """Migrate and create `users` users, each with credits, a CV and an offer already read."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("setup", verbosity=0)
    from accounts.models import User
    from ai.tests.fakes import SAMPLE_CV, SAMPLE_OFFER
    from billing.services.ledger import grant_credits
    from cvdoc.document import normalize_cv
    from cvs import services
    from joboffers.models import JobOffer
    from joboffers.services import add_offer_from_text

    made = []
    for n in range(users):
        user = User.objects.create_user(f"bench-{n}@example.org", secrets.token_urlsafe(16))
        grant_credits(user, 10_000, type="admin_grant", key=f"bench-{n}", reason="benchmark")
        cv = services.create_cv(user, content=normalize_cv(SAMPLE_CV), name=f"CV {n}")
        offer = add_offer_from_text(user, f"Python Backend Engineer {n}\n" + "Build APIs. " * 20)
        JobOffer.objects.filter(pk=offer.pk).update(
            content=SAMPLE_OFFER, extracted_at=django.utils.timezone.now()
        )
        offer.refresh_from_db()
        made.append((user, cv, offer))
    return made


def respond(request: dict[str, Any]) -> dict[str, Any]:
    from ai.tests.fakes import SAMPLE_OFFER, auto_answer, chat_completion

    name = request["response_format"]["json_schema"]["name"]
    if name == "JobOfferOut":
        return chat_completion(json.dumps(SAMPLE_OFFER), model=request["model"])
    return auto_answer(request)


def serve_model(delay: float) -> None:
    """The fake model server, in a process of its own (its CPU is not the worker's). Prints its
    URL, then a line of figures for each line read from stdin."""
    from ai.tests.fakes import FakeOpenAIServer

    with FakeOpenAIServer(auto_delay=delay, responder=respond) as server:
        server.requests = RequestCount()
        print(server.url, flush=True)
        for _line in sys.stdin:
            calls = {"calls": server.requests.count, "max_in_flight": server.max_in_flight}
            print(json.dumps(calls), flush=True)


class RequestCount(list[dict[str, Any]]):
    """Stands for the server's list of requests: counts them without keeping them."""

    count = 0

    def append(self, item: dict[str, Any]) -> None:
        self.count += 1


class ModelServer:
    def __init__(self, delay: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-model", str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout and self.process.stdin
        self.url = self.process.stdout.readline().strip()

    def figures(self) -> dict[str, int]:
        assert self.process.stdout and self.process.stdin
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        figures: dict[str, int] = json.loads(self.process.stdout.readline())
        return figures

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def start_workers(
    commands: list[list[str]], env: dict[str, str], workdir: Path
) -> list[subprocess.Popen[bytes]]:
    workers = []
    for index, command in enumerate(commands, start=1):
        print("worker:", shlex.join(command), flush=True)
        with (workdir / f"worker-{index}.log").open("wb") as output:
            workers.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
                )
            )
    return workers


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_ready(workers: list[subprocess.Popen[bytes]], workdir: Path) -> None:
    """Until every worker answers a ping."""
    from fitmycv.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for index, worker in enumerate(workers, start=1):
            if worker.poll() is not None:
                log = (workdir / f"worker-{index}.log").read_text(errors="replace")
                raise RuntimeError(f"worker {index} exited:\n{log[-3000:]}")
        if len(app.control.ping(timeout=0.5)) >= len(workers):
            return
    raise RuntimeError("workers not ready after 60 s")


def main() -> None:  # noqa: PLR0915 - one linear scenario
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=TARGET_SECONDS, help="measured seconds")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SECONDS} s measured")
    parser.add_argument("--rate", type=float, default=12.0, help="tailorings started per second")
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--delay", type=float, default=1.0, help="model latency in seconds")
    parser.add_argument("--worker", default="", help="worker command instead of production's")
    parser.add_argument(
        "--replicas", type=int, default=None, help="worker processes instead of production's"
    )
    parser.add_argument("--db-pool", default=None, help="DB_POOL_MAX_SIZE instead of production's")
    parser.add_argument("--enqueuers", type=int, default=6, help="threads starting tailorings")
    parser.add_argument("--serve-model", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.serve_model is not None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitmycv.settings")
        import django

        django.setup()
        serve_model(args.serve_model)
        return
    duration = QUICK_SECONDS if args.quick else args.duration

    env = {**os.environ, **setup_services()}
    os.environ.update(env)
    # This process stands for the web app: its connections are not counted as the worker's.
    os.environ["DATABASE_URL"] += f"?application_name={BENCH_CLIENT}"
    made = prepare(args.users)
    from django.db import connection, connections
    from django.db.models import Count, Q

    from cvs import services
    from jobs.models import BackgroundTask, TaskStatus

    command, worker_own_env, replicas = production_llm_worker()
    if args.worker:
        command = shlex.split(args.worker)
    if args.replicas is not None:
        replicas = args.replicas
    if args.db_pool is not None:
        worker_own_env["DB_POOL_MAX_SIZE"] = args.db_pool
    if command[0] == "celery":
        command[0] = str(Path(sys.executable).parent / "celery")
    command += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
    commands = [replica_command(command, n) for n in range(1, replicas + 1)]
    workdir = Path(tempfile.mkdtemp(prefix="fitmycv-throughput-"))
    figures: dict[str, Any] = {
        "worker": shlex.join(command),
        "worker_env": worker_own_env,
        "replicas": replicas,
        "delay_s": args.delay,
    }
    server = ModelServer(args.delay)
    with contextlib.ExitStack() as stack:
        stack.callback(server.stop)
        worker_env = {**env, **worker_own_env, "OPENAI_BASE_URL": server.url}
        workers = start_workers(commands, worker_env, workdir)
        pids = [worker.pid for worker in workers]
        try:
            wait_ready(workers, workdir)
            sampler = Sampler(pids)
            sampler.start()
            # Throughput: a steady stream of tailorings, round robin over the users.
            load_before = os.getloadavg()[0]
            total = WARMUP_SECONDS + duration
            started = time.monotonic()
            cpu_at: dict[str, float] = {}
            schedule: queue.Queue[int | None] = queue.Queue()

            def enqueue() -> None:
                while (n := schedule.get()) is not None:
                    user, cv, offer = made[n % len(made)]
                    services.start_tailoring(user, base_cv=cv, offers=[offer])
                connection.close()

            enqueuers = [threading.Thread(target=enqueue) for _ in range(args.enqueuers)]
            for thread in enqueuers:
                thread.start()
            n = 0
            while (elapsed := time.monotonic() - started) < total:
                if "warm" not in cpu_at and elapsed >= WARMUP_SECONDS:
                    cpu_at["warm"] = cpu_seconds(all_processes(pids))
                    cpu_at["warm_t"] = time.monotonic()
                    calls_at_warm = server.figures()["calls"]
                due = started + n / args.rate
                if time.monotonic() < due:
                    time.sleep(due - time.monotonic())
                    continue
                schedule.put(n)
                n += 1
            for _ in enqueuers:
                schedule.put(None)
            for thread in enqueuers:
                thread.join()
            cpu_at["end"] = cpu_seconds(all_processes(pids))
            cpu_at["end_t"] = time.monotonic()
            model = server.figures()
            calls = model["calls"] - calls_at_warm
            load_during = os.getloadavg()[0]
            # Drain: the tasks still running or queued finish.
            deadline = time.monotonic() + DRAIN_SECONDS
            while BackgroundTask.objects.active().exists() and time.monotonic() < deadline:
                time.sleep(0.5)
            sampler.stop()
            rows = list(
                BackgroundTask.objects.order_by("created_at").values_list(
                    "created_at", "started_at", "finished_at", "status"
                )
            )
            first = rows[0][0]
            window = (WARMUP_SECONDS, WARMUP_SECONDS + duration)

            def since(when: Any) -> float:
                return (when - first).total_seconds()

            in_window = [r for r in rows if window[0] <= since(r[0]) < window[1]]
            done_in_window = [
                r for r in rows if r[2] and r[3] == TaskStatus.COMPLETED
                and window[0] <= since(r[2]) < window[1]
            ]  # fmt: skip
            to_start = [(r[1] - r[0]).total_seconds() for r in in_window if r[1]]
            to_done = [
                (r[2] - r[0]).total_seconds()
                for r in in_window
                if r[2] and r[3] == TaskStatus.COMPLETED
            ]
            statuses = dict(
                BackgroundTask.objects.values_list("status").annotate(n=Count("pk")).order_by()
            )
            cpu_spent = cpu_at["end"] - cpu_at["warm"]
            cpu = cpu_spent / (cpu_at["end_t"] - cpu_at["warm_t"])
            figures["throughput"] = {
                "duration_s": duration,
                "rate": args.rate,
                "users": args.users,
                "started": n,
                "tasks_per_s": len(done_in_window) / duration,
                "model_calls_per_s": calls / duration,
                "max_calls_in_flight": model["max_in_flight"],
                "start_p50_s": statistics.median(to_start) if to_start else float("nan"),
                "start_p99_s": pct(to_start, 0.99),
                "done_p50_s": statistics.median(to_done) if to_done else float("nan"),
                "done_p99_s": pct(to_done, 0.99),
                "statuses": statuses,
                "cpu_pct": 100 * cpu,
                # The workers' CPU over the measured window per tailoring done in it.
                "cpu_s_per_tailoring": cpu_spent / max(1, len(done_in_window)),
                "workers": replicas,
                "peak_rss_mb": sampler.peak_rss / 2**20,
                "peak_db_connections": sampler.peak_connections,
                "loadavg_before": load_before,
                "loadavg": load_during,
            }
            print(json.dumps(figures["throughput"], indent=1), flush=True)

            # Fairness: one user queues FAIRNESS_BACKLOG tailorings, then another starts one.
            hog, hog_cv, hog_offer = made[0]
            other, other_cv, other_offer = made[1]
            queued = time.monotonic()
            services.start_tailoring(hog, base_cv=hog_cv, offers=[hog_offer] * FAIRNESS_BACKLOG)
            queue_s = time.monotonic() - queued
            time.sleep(1.0)  # the hog's first tasks are running
            (task,) = services.start_tailoring(other, base_cv=other_cv, offers=[other_offer])
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                row = BackgroundTask.objects.filter(pk=task.pk).values("created_at", "started_at")
                started_at = row[0]["started_at"]
                if started_at:
                    break
                time.sleep(0.05)
            waiting = BackgroundTask.objects.filter(Q(status=TaskStatus.QUEUED), user=hog).count()
            figures["fairness"] = {
                "backlog": FAIRNESS_BACKLOG,
                "backlog_enqueue_s": queue_s,
                "hog_still_queued": waiting,
                "start_delay_s": (
                    (started_at - row[0]["created_at"]).total_seconds()
                    if started_at
                    else float("inf")
                ),
                "loadavg": os.getloadavg()[0],
            }
            print(json.dumps(figures["fairness"], indent=1), flush=True)
        finally:
            stop_workers(workers)
            connections.close_all()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))


if __name__ == "__main__":
    main()
