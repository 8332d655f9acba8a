"""The monitors' workspace: a Django application served by `heritage-map serve`.

Analysts who do not use a terminal record observations, review each other's,
import form exports, look at imagery gaps and change proposals, publish the
maps and audit the log, in the browser. The log file stays the record: every
record the workspace writes goes through `geo.workspace.records`, the one door
to it. Accounts, sessions, CSRF, password hashing and security headers are
Django's; failed logins are throttled by django-axes.
"""
