"""gunicorn for the portal: `gunicorn -c deploy/gunicorn.conf.py` (systemd: deploy/deeds-web.service; `make serve`).

Every value can be set from the environment (deploy/deeds.env.example); docs/deploying.md says when to change them.
"""

import multiprocessing
import os

wsgi_app = "deeds_portal.wsgi:application"

# The TLS proxy (deploy/nginx-deeds.conf) sends requests here: the loopback when it runs on this machine, this
# machine's private address when it runs on another (then FORWARDED_ALLOW_IPS names the proxy's address).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers behind a buffering proxy: the proxy takes slow clients, a worker serves one request at a time.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
# A worker busy longer than this is killed and started again. Pages answer in well under a second; the longest
# requests are a ledger checked in the request (up to LEDGER_INLINE_MAX_ROWS rows) and an export written in the
# request (up to EXPORT_INLINE_MAX_ROWS items); bigger ones go to the Celery worker. Keep nginx's
# proxy_read_timeout above it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # a restart lets requests finish
keepalive = 5  # seconds an idle connection from the proxy stays open (nginx's upstream keepalive)
# A worker is replaced after this many requests (with some jitter, so not all at once): memory stays flat.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Who may say a request came over HTTPS (X-Forwarded-Proto) and from whom (X-Forwarded-For): the proxy only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to standard output and error, which systemd's journal keeps. The access log names the client as the
# proxy saw it (X-Forwarded-For) beside the peer, which is the proxy itself.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s via %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# gunicorn's control socket (gunicornc) is off unless a path is given: two gunicorns on one machine (a second
# portal, `make serve` beside a service) would otherwise share $HOME/.gunicorn/gunicorn.ctl.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
