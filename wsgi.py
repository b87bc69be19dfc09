"""Entry points of the production processes.

gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi:app
celery -A wsgi:celery worker --loglevel=INFO
celery -A wsgi:celery beat --loglevel=INFO
"""

from app import create_app

app = create_app()
celery = app.extensions["celery"]
