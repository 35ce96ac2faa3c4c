"""The production workers: model calls in a threads pool of their own, sized by bench/throughput.py.

AI tasks wait on the network, so the `llm` queue runs in threads (tens at once in one process,
sharing a pool of database connections), in as many processes as a host has cores (one Python
process uses one core at most); upkeep and e-mails keep processes of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from django.conf import settings

from core.config import SETTINGS
from jobs import models as job_models

ROOT = Path(__file__).resolve().parents[2]


def compose_services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    return services


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def llm_replicas() -> int:
    """How many `llm` worker processes run on one (2-core) host."""
    return int(compose_services()["worker-llm"].get("deploy", {}).get("replicas", 1))


def test_the_llm_queue_runs_in_a_threads_pool_of_its_own() -> None:
    command = compose_services()["worker-llm"]["command"]
    assert option(command, "--pool") == "threads"
    assert option(command, "--queues") == "llm"
    # A tailoring waits ~3 s on the model: a host keeps 40 model calls or more in flight.
    assert int(option(command, "--concurrency")) * llm_replicas() >= 40


def test_a_2_core_host_runs_one_llm_process_per_core() -> None:
    # One process of 64 threads was bound by the GIL at one core (bench/throughput.py).
    assert llm_replicas() == 2


def test_every_routed_queue_has_a_worker_and_llm_only_one_kind() -> None:
    consumed: dict[str, list[str]] = {}
    for name, service in compose_services().items():
        command = service.get("command") or []
        if "worker" in command:
            for queue in option(command, "--queues").split(","):
                consumed.setdefault(queue, []).append(name)
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} <= set(consumed)
    assert consumed["llm"] == ["worker-llm"]


def test_the_global_cap_lets_a_hosts_llm_workers_use_all_their_threads() -> None:
    concurrency = int(option(compose_services()["worker-llm"]["command"], "--concurrency"))
    assert SETTINGS["tasks_max_running_global"].default >= concurrency * llm_replicas()


def test_the_llm_workers_share_database_pools_within_the_connection_budget() -> None:
    service = compose_services()["worker-llm"]
    pool = int(service["environment"]["DB_POOL_MAX_SIZE"])
    other = int(option(compose_services()["worker"]["command"], "--concurrency"))
    # Connections of one worker host: a pool per llm process, one per upkeep process.
    assert pool * llm_replicas() + other <= 20


def test_the_readme_runs_the_same_llm_worker() -> None:
    command = compose_services()["worker-llm"]["command"]
    readme = (ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "--queues llm" in line)
    for name in ("--pool", "--concurrency"):
        assert f"{name} {option(command, name)}" in line
    assert (
        f"DB_POOL_MAX_SIZE={compose_services()['worker-llm']['environment']['DB_POOL_MAX_SIZE']}"
        in line
    )
    assert f"x {llm_replicas()} per 2-core host" in line


def test_db_pool_max_size_turns_on_a_shared_pool() -> None:
    code = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fitmycv.settings",
        "DATABASE_URL": "postgres://user@127.0.0.1:5432/fitmycv",
        "DB_POOL_MAX_SIZE": "12",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    default = json.loads(out)["default"]
    assert default["OPTIONS"]["pool"]["max_size"] == 12
    assert default["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections


def fake_connection(*, pool: bool, in_atomic_block: bool = False) -> mock.Mock:
    return mock.Mock(
        settings_dict={"OPTIONS": {"pool": {"max_size": 12}} if pool else {}},
        in_atomic_block=in_atomic_block,
    )


def test_a_pooled_connection_goes_back_to_the_pool_between_queries() -> None:
    pooled = fake_connection(pool=True)
    with mock.patch.object(job_models, "connection", pooled):
        job_models.release_pooled_connection()
    pooled.close.assert_called_once_with()


def test_a_connection_is_kept_inside_a_transaction_or_without_a_pool() -> None:
    for conn in (fake_connection(pool=True, in_atomic_block=True), fake_connection(pool=False)):
        with mock.patch.object(job_models, "connection", conn):
            job_models.release_pooled_connection()
        conn.close.assert_not_called()
