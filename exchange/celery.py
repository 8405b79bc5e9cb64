import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

app = Celery("exchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks of the installed apps, plus the project package itself (not an app).
app.autodiscover_tasks()
app.autodiscover_tasks(["exchange"])
