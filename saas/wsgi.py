"""The WSGI entry point for gunicorn: `gunicorn saas.wsgi:app`."""

from saas.app import create_app

app = create_app()
