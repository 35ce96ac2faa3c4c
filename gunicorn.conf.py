"""gunicorn settings for production; gunicorn reads this file from its working directory.

Sync workers, one request at a time each: the app is CPU-bound (template rendering, PDF
layout) and everything slow (AI calls, fetching offers) runs in Celery, so processes use both
cores without threads fighting over the GIL. On two cores this gave the best tail latency of
the configurations bench/load.py measured (gthread 2x4 and 3x2, sync 2 to 5). Sync workers
need a buffering reverse proxy in front (nginx, Caddy, the platform's router) so that a slow
client never holds a worker: see the deployment section of the README.

Environment: PORT (8000), WEB_CONCURRENCY (workers, default 2 per core + 1),
GUNICORN_TIMEOUT (seconds, 30).
"""

from __future__ import annotations

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a library can never grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
