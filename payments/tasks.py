"""Celery tasks of the payments app: they take ids, call one service and may run
twice."""

from celery import shared_task

from .models import WebhookEvent, WebhookStatus
from .services.webhooks import webhook_apply

SWEEP_BATCH = 500


@shared_task(soft_time_limit=60, time_limit=90)
def apply_webhook_event(webhook_event_id: int) -> str:
    return webhook_apply(webhook_event_id=webhook_event_id).status


@shared_task(soft_time_limit=120, time_limit=180)
def reconcile_payments() -> int:
    """Beat: events stored but never applied (the process died in between) are
    applied now. Payments stuck in processing are checked against Stripe in the
    next slice."""
    ids = list(WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED)
               .order_by("received_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH])
    for webhook_event_id in ids:
        apply_webhook_event.delay(webhook_event_id)
    return len(ids)
