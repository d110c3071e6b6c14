"""WSGI entry point, used by gunicorn: `gunicorn readiness.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings.base")

application = get_wsgi_application()
