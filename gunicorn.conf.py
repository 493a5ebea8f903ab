"""gunicorn's configuration for the dashboard (`gunicorn` run from this folder reads it; or
`gunicorn -c /path/to/gunicorn.conf.py`). Command-line options override what is set here.

Threaded workers: a page mostly waits for GetBill, so threads of one process share its memory
and the GetBill connection pool while they wait. Counts come from the environment.
"""

import math

import environ

from followups import getbill as upstream_config  # the GETBILL_* settings parsers

env = environ.Env()

wsgi_app = "dashboard.wsgi:application"
bind = [env.str("GUNICORN_BIND", default="127.0.0.1:8000")]
worker_class = "gthread"
# Worker processes; a cache shared by all of them (CACHE_URL=redis://...) lets them share one
# GetBill token, the quota figures and the per-user limits.
workers = env.int("WEB_CONCURRENCY", default=2)
threads = env.int("GUNICORN_THREADS", default=8)

# A lookup may take GETBILL_DEADLINE seconds (a debt page follows GetBill's pagination, each
# page within its own deadline): a worker is not killed while it legitimately waits.
_deadline = upstream_config.seconds_parse(
    name="GETBILL_DEADLINE",
    value=env.str("GETBILL_DEADLINE", default=str(upstream_config.DEFAULT_DEADLINE)),
)
timeout = 2 * math.ceil(_deadline) + 10
graceful_timeout = math.ceil(_deadline) + 5
keepalive = 5

# The access log goes to the `gunicorn.access` logger, which the dashboard's LOGGING
# (dashboard/settings.py) gives the same handler as every other line once a worker has loaded
# the app: signed links and tokens redacted, the request ID added, plain or JSON.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# No control socket (gunicornc): nothing uses it, and every instance on a machine would share
# its one default path, so one stopping would remove another's.
control_socket_disable = True
