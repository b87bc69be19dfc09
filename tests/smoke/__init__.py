"""Smoke tests: the production processes (gunicorn, Celery worker and beat) started for real."""
