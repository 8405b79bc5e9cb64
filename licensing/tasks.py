"""Celery tasks of the licensing app: they take ids, call one service and may run
twice. The beat sweeps find what is due and hand each id to its own task."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from .models import Deal, DealStatus
from .services import deal_end, deal_expire, deal_lapse
from .services.notifications import deal_notification_send
from .workflow import OPEN

SWEEP_BATCH = 500


@shared_task(autoretry_for=(SMTPException, ConnectionError, TimeoutError), retry_backoff=True,
             retry_backoff_max=600, max_retries=6, soft_time_limit=60, time_limit=90)
def send_deal_notification(transition_id: int) -> int:
    return deal_notification_send(transition_id=transition_id)


@shared_task(soft_time_limit=60, time_limit=90)
def expire_deal(deal_id: int) -> str | None:
    deal = deal_expire(deal_id=deal_id)
    return deal.status if deal else None


@shared_task(soft_time_limit=60, time_limit=90)
def lapse_deal_hold(deal_id: int) -> str | None:
    deal = deal_lapse(deal_id=deal_id)
    return deal.status if deal else None


@shared_task(soft_time_limit=120, time_limit=180)
def expire_stale_deals() -> int:
    """Beat: open proposals past their expiry."""
    ids = list(Deal.objects.filter(status__in=OPEN, expires_at__lte=timezone.now())
               .order_by("expires_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    for deal_id in ids:
        expire_deal.delay(deal_id)
    return len(ids)


@shared_task(soft_time_limit=120, time_limit=180)
def release_expired_holds() -> int:
    """Beat: accepted deals whose hold expired unpaid."""
    ids = list(Deal.objects.filter(status=DealStatus.ACCEPTED, hold_expires_at__lte=timezone.now())
               .order_by("hold_expires_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    for deal_id in ids:
        lapse_deal_hold.delay(deal_id)
    return len(ids)


@shared_task(soft_time_limit=60, time_limit=90)
def end_licence(deal_id: int) -> str | None:
    deal = deal_end(deal_id=deal_id)
    return deal.status if deal else None


@shared_task(soft_time_limit=120, time_limit=180)
def end_expired_licences() -> int:
    """Beat: licences whose last day has passed."""
    ids = list(Deal.objects.filter(status=DealStatus.LICENSED, end_date__lt=timezone.localdate())
               .order_by("end_date").values_list("pk", flat=True)[:SWEEP_BATCH])
    for deal_id in ids:
        end_licence.delay(deal_id)
    return len(ids)
