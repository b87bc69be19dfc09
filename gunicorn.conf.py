"""gunicorn settings read automatically from the working directory (the checkout).

The access log leaves out query strings and referrers: a voter's personal link carries its token as `?t=…`
(app/voting/views_ballot.py), and a token must never reach a log file.

A worker is killed after 45 s without answering: above PostgreSQL's statement timeout (30 s, app/config.py), so
that a slow request answers its own 503 first (docs/deploy.md "What fails when").
"""

timeout = 45

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
