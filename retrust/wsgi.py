"""The WSGI application, as gunicorn (``retrust serve --production``) loads it.

Importing every view here, rather than on each worker's first request, lets gunicorn's
``--preload`` do it once in the master: a worker that is replaced (it died, or served its
``--max-requests``) answers at once instead of after seconds of imports.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every app's views and API routes now
