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

# Garbage collection (issue 19, fifth pass): once the app is loaded in a worker, everything alive then
# (modules, templates, the ORM's mappings: most of the heap) is moved out of the collector's sight
# (gc.freeze), so the full collections a request's allocations trigger no longer walk it; and the
# first generation is collected after GC_GEN0 allocations (default 5,000; Python's is 700), so a page
# pays for fewer, not larger, collections. Memory stays bounded: cycles are still collected.
# GC_GEN0=700 restores Python's threshold; GC_FREEZE=0 skips the freeze.
import gc  # noqa: E402 - kept with the hook it serves

GC_GEN0 = int(os.environ.get("GC_GEN0", "5000"))


def post_worker_init(worker):  # noqa: ARG001 - gunicorn's hook signature
    if os.environ.get("GC_FREEZE", "1").strip().lower() not in {"0", "false", "no", "off"}:
        gc.collect()
        gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0, gen1, gen2)
