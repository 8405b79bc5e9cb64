"""GET /healthz: is each runtime part usable? 200 when all are, 503 otherwise."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from search.selectors import index_health


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as error:  # report, never raise: this is the health page
        return {"ok": False, "vendor": connection.vendor, "error": str(error)}


def _broker() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "eager"}
    from exchange.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "broker"}
    except Exception as error:
        return {"ok": False, "mode": "broker", "error": str(error)}


def _search_index() -> dict:
    return index_health()


@require_GET
def healthz(request):
    parts = {"database": _database(), "broker": _broker(), "search_index": _search_index()}
    healthy = all(part["ok"] for part in parts.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **parts},
                        status=200 if healthy else 503)
