"""WSGI entry point: plain HTTP served by process workers (gunicorn), e.g. behind the
proxy that sends WebSockets to daphne (``participation.asgi``). See docs/petitions.md."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")

application = get_wsgi_application()
