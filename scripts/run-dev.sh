#!/usr/bin/env bash
# `make run`: the development server and a Celery worker side by side. Ctrl-C or SIGTERM stops
# both once: each is sent one SIGTERM and awaited; a second Ctrl-C kills what still runs. When
# either stops by itself, the other is stopped too.
#
# HOST, PORT and BIN (the virtualenv's bin) come from the Makefile; RUN_WORKER and RUN_SERVER
# replace the two commands (split on spaces), which the tests use.
set -u
# Each child gets its own process group, so Ctrl-C in the terminal reaches only this script and
# every child hears about it exactly once, from us.
set -m

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
worker_cmd=${RUN_WORKER:-"$BIN/celery -A fitmycv worker --beat --schedule var/celerybeat-schedule --pool threads --concurrency 4 --queues default,llm,mail --loglevel INFO"}
server_cmd=${RUN_SERVER:-"$BIN/python manage.py runserver $HOST:$PORT"}

stopping=
stop() {
    if [ -n "$stopping" ]; then
        echo "run-dev: killing what is still running" >&2
        kill -KILL "$worker" "$server" 2>/dev/null
        return
    fi
    stopping=1
    kill -TERM "$worker" "$server" 2>/dev/null
}
trap stop INT TERM

$worker_cmd &
worker=$!
$server_cmd &
server=$!
set +m  # the groups are made; no "[1] Terminated" job notices on the way out

wait -n
status=$?
if [ -z "$stopping" ]; then
    stop
else
    status=0  # stopped on request
fi
# `wait` returns early (above 128) when a second signal arrives; keep waiting for both.
until wait; do :; done
exit "$status"
