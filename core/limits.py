"""How long background work may take: every limit derived from the model call's, in one place.

A model call makes at most MODEL_ATTEMPTS requests of at most MODEL_REQUEST_TIMEOUT seconds,
with at most RETRY_WAIT_CAP seconds between two, and never outlives MODEL_CALL_BUDGET (the
adapter cuts a repair request or a wait short at that deadline). A paid task makes at most
TASK_SEQUENTIAL_CALLS calls one after another (reading the offer, then a tailoring's three
rounds; the calls of a round run in parallel), so it ends within its soft time limit. The
sweeper fails a running task that is past its hard limit, and a task whose worker died (no
heartbeat for HEARTBEAT_STALE) at its next run: within DEAD_TASK_REFUNDED_WITHIN.

fitmycv/tests/test_limits.py checks that the numbers hold together and that the code uses them.
"""

from __future__ import annotations

from datetime import timedelta

MODEL_REQUEST_TIMEOUT = 40  # seconds; OPENAI_TIMEOUT_SECONDS may lower it, never raise it
MODEL_ATTEMPTS = 3  # requests per call when the provider fails transiently (429, 5xx, timeout)
RETRY_WAIT_CAP = 10  # seconds between two attempts at most, whatever Retry-After asks
MODEL_CALL_BUDGET = MODEL_ATTEMPTS * MODEL_REQUEST_TIMEOUT + (MODEL_ATTEMPTS - 1) * RETRY_WAIT_CAP

TASK_SEQUENTIAL_CALLS = 4  # reading the offer + classification, sections, summary
TASK_OVERHEAD = 60  # seconds of database, PDF and CV work around the calls
TASK_SOFT_TIME_LIMIT = TASK_SEQUENTIAL_CALLS * MODEL_CALL_BUDGET + TASK_OVERHEAD
TASK_HARD_TIME_LIMIT = TASK_SOFT_TIME_LIMIT + 60  # time for the handler to record its failure

# A running task proves its worker alive at least this often (progress reports and the cancel
# polls of model calls beat); one silent for HEARTBEAT_STALE has lost its worker.
HEARTBEAT_EVERY = timedelta(seconds=30)
HEARTBEAT_STALE = timedelta(minutes=3)
SWEEP_INTERVAL = timedelta(minutes=1)
# No live task runs longer than its hard limit: past it (and a sweep), it is failed.
RUNNING_DEADLINE = timedelta(seconds=TASK_HARD_TIME_LIMIT) + SWEEP_INTERVAL
DEAD_TASK_REFUNDED_WITHIN = HEARTBEAT_STALE + SWEEP_INTERVAL
