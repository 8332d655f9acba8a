"""The WSGI application waitress serves (`heritage-map serve`)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo.workspace.settings")
application = get_wsgi_application()
