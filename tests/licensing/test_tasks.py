"""Beat tasks and e-mail: they take ids, do their one thing, and a second run
changes nothing.

Personas: `owner` (creator), `producer` (licensee).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from exchange.errors import Conflict
from licensing import services, tasks
from licensing.models import Deal, DealStatus, DealTransition, RightsClaim

pytestmark = pytest.mark.django_db


def in_the_past(deal: Deal, field: str) -> None:
    Deal.objects.filter(pk=deal.pk).update(**{field: timezone.now() - dt.timedelta(minutes=1)})


def test_a_request_expires_after_the_configured_days(settings, make_deal):
    settings.LICENSING_PROPOSAL_EXPIRY_DAYS = 3
    before = timezone.now()

    deal = make_deal()

    assert before + dt.timedelta(days=3) <= deal.expires_at <= timezone.now() + dt.timedelta(3)


def test_the_sweep_expires_unanswered_proposals_once(make_deal, owner, producer,
                                                     other_producer,
                                                     django_capture_on_commit_callbacks):
    stale = make_deal()
    fresh = make_deal(by=other_producer, territories=["JP"])
    in_the_past(stale, "expires_at")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_stale_deals.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_stale_deals.delay().get() == 0
        assert tasks.expire_deal.delay(stale.pk).get() == "expired"

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.awaiting, stale.expires_at) == (DealStatus.EXPIRED, "", None)
    assert fresh.status == DealStatus.REQUESTED
    assert list(stale.transitions.values_list("action", flat=True)) == ["request", "expire"]
    # the system acted, so both parties hear of it, once
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, producer.email])


def test_answering_an_expired_proposal_is_refused_and_it_expires(make_deal, owner):
    deal = make_deal()
    in_the_past(deal, "expires_at")

    with pytest.raises(Conflict) as refused:
        services.deal_accept(actor=owner, deal=deal)

    assert refused.value.code == "expired"
    deal.refresh_from_db()
    assert deal.status == DealStatus.EXPIRED
    assert RightsClaim.objects.count() == 0


def test_the_sweep_releases_unpaid_holds_once(accepted_deal, django_capture_on_commit_callbacks):
    in_the_past(accepted_deal, "hold_expires_at")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_expired_holds.delay().get() == 1
    assert tasks.release_expired_holds.delay().get() == 0
    assert tasks.lapse_deal_hold.delay(accepted_deal.pk).get() == "lapsed"

    accepted_deal.refresh_from_db()
    assert accepted_deal.status == DealStatus.LAPSED
    assert list(RightsClaim.objects.filter(deal=accepted_deal)
                .values_list("active", flat=True)) == [False]
    assert accepted_deal.transitions.filter(action="lapse").count() == 1


def test_a_live_hold_is_not_released(accepted_deal):
    assert tasks.lapse_deal_hold.delay(accepted_deal.pk).get() == "accepted"
    assert tasks.release_expired_holds.delay().get() == 0
    assert RightsClaim.objects.get(deal=accepted_deal).active is True


def test_a_notification_is_sent_once_however_often_the_task_runs(make_deal, owner):
    deal = make_deal()  # on_commit is not run here: the task has not run yet
    transition = DealTransition.objects.get(deal=deal)

    assert tasks.send_deal_notification.delay(transition.pk).get() == 1
    assert tasks.send_deal_notification.delay(transition.pk).get() == 0
    assert tasks.send_deal_notification.delay(10**9).get() == 0
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_beat_runs_both_sweeps(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"licensing.tasks.expire_stale_deals",
            "licensing.tasks.release_expired_holds"} <= scheduled
