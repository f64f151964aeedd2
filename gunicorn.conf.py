"""gunicorn settings for ``make serve`` (``gunicorn --config gunicorn.conf.py wsgi:app``).

Environment: ``WEB_CONCURRENCY`` worker processes (default 2), ``BIND`` address (default
127.0.0.1:5000: put a TLS-terminating reverse proxy in front), ``PROXY_FIX=1`` when that proxy
sets X-Forwarded-Proto. ``APP_ENV=production`` refuses to start without a 32+ character
``SECRET_KEY``.

Request logs: the app itself writes one JSON line per request (``inspect_app.ops.logging``,
with request id, user id and duration) to gunicorn's error log, so gunicorn's own access log
is off unless ``GUNICORN_ACCESS_LOG`` names a file (or ``-``); its format is key=value with
every value quoted, and carries the same request id.
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # PDF reports with many photos take seconds
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then; jitter so they do not all restart together
max_requests_jitter = 200
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = ('ts="%(t)s" remote="%(h)s" method="%(m)s" path="%(U)s" status="%(s)s" bytes="%(B)s" '
                     'duration_us="%(D)s" request_id="%({x-request-id}o)s"')
# Only believe X-Forwarded-Proto when the operator says a proxy sets it (the app's PROXY_FIX).
if os.environ.get("PROXY_FIX", "").strip().lower() not in {"1", "true", "yes", "on"}:
    secure_scheme_headers = {}
