"""Gunicorn settings for one app server behind nginx: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

# Read by gunicorn at start and again on every reload (SIGHUP). Values come from the environment
# (systemd's EnvironmentFile=/etc/compete/compete.env) so that one file serves every app server.

import os

wsgi_app = "wsgi:app"
proc_name = "compete"

# The private address nginx connects to. Bind to the app server's private interface (or
# 127.0.0.1 when nginx runs on the same machine), never to the public one: only nginx may set
# the X-Forwarded-* headers that the app trusts.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours CPUAffinity= and container limits
    except AttributeError:
        return os.cpu_count() or 1


# Sync workers: one request at a time per process. Requests are short and spend their time in
# PostgreSQL or in Python (rankings, PDF layout), so threads or an event loop would gain little
# and would share one interpreter lock with the PDF work. Slow clients (tablets on venue Wi-Fi)
# cannot tie a worker up because nginx buffers whole requests and responses.
worker_class = "sync"
# Gunicorn's rule of thumb, 2 × CPUs + 1, keeps the CPUs busy while some workers wait on the
# database. Each worker holds its own database connections: see "Sizing" in deploy/README.md.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpus() + 1))

# A worker silent for longer than `timeout` is killed and its request answered 502 by nginx.
# One value covers every route, so it is set for the slowest request served in the request
# itself: a PDF of a whole event's admission tickets, badges or results table (seconds to tens
# of seconds for large events). Batch certificate prints run as jobs, outside the web workers.
# nginx's proxy_read_timeout is a little longer, so gunicorn's own log says which request ran over.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
# On restart or reload a worker may finish its current request for this long before it is
# killed; systemd's TimeoutStopSec (compete-web.service) is longer still.
graceful_timeout = 60
# nginx opens one connection per request to a sync worker (gunicorn closes each after the
# response), so this only matters for requests sent straight to gunicorn.
keepalive = 2

# Replace each worker after about 1,000 requests, the jitter spreading the restarts so that the
# workers of one server never restart together. It bounds slow memory growth in long-lived
# processes (font and layout caches of WeasyPrint). Background jobs must not run inside web
# workers when this is on (a replaced worker ends its job threads): set COMPETE_REDIS_URL so
# that jobs go to the RQ workers.
max_requests = 1000
max_requests_jitter = 100

# No preload: each worker imports and builds the app itself after the fork. Then no database
# connection or Redis socket opened while building the app is shared by forked processes, and
# `systemctl reload compete-web` (SIGHUP) starts new workers on the new code without dropping
# requests, which is how deploy/README.md upgrades. The cost is a little memory and a slower start.
preload_app = False

# nginx sets X-Forwarded-Proto; gunicorn honours it only from these addresses (FORWARDED_ALLOW_IPS,
# default 127.0.0.1). The app's COMPETE_PROXY_COUNT does the same for the client address and host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout and stderr, which systemd passes to journald (`journalctl -u compete-web`).
# The client's address is the one nginx saw, not nginx's own.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The heartbeat files of the workers: memory, not disk, so a slow disk cannot make a busy worker
# look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# systemd's RuntimeDirectory=compete gives a writable /run/compete; elsewhere gunicorn's default.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")
