"""E-mail about deal transitions: to the parties other than the one who acted
(both when the system did), in Korean and English."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from ..models import DealTransition

# action -> (Korean, English) sentence about what happened.
ACTION_TEXT = {
    "request": ("새 라이선스 요청이 도착했습니다.", "A new licence request arrived."),
    "counter": ("조건이 수정 제안되었습니다. 응답해 주세요.", "Changed terms were proposed; "
                "it is your move."),
    "accept": ("조건이 수락되었습니다. 결제 전까지 권리가 보류됩니다.",
               "The terms were accepted; the rights are held until payment."),
    "reject": ("요청이 거절되었습니다.", "The request was rejected."),
    "withdraw": ("요청이 철회되었습니다.", "The request was withdrawn."),
    "expire": ("응답 기한이 지나 거래가 만료되었습니다.", "The proposal expired unanswered."),
    "lapse": ("결제 기한이 지나 권리 보류가 해제되었습니다.", "The hold lapsed: payment did not "
              "complete in time."),
    "pay": ("결제가 확인되어 라이선스가 발효되었습니다.",
            "Payment confirmed: the licence is active."),
    "end": ("라이선스 기간이 종료되었습니다.", "The licence period ended."),
    "revoke": ("라이선스가 취소되었습니다.", "The licence was revoked."),
}


def deal_notification_send(*, transition_id: int) -> int:
    """Send the e-mail of one transition once; returns how many were sent (0 when the
    transition is gone or was already notified, so a repeated task does nothing)."""
    transition = (DealTransition.objects.select_related("deal__listing", "deal__creator",
                                                        "deal__producer", "actor")
                  .filter(pk=transition_id).first())
    if transition is None or transition.notified_at is not None:
        return 0
    deal = transition.deal
    recipients = [user for user in (deal.creator, deal.producer)
                  if user.pk != transition.actor_id and user.is_active]
    ko, en = ACTION_TEXT.get(transition.action, (transition.action, transition.action))
    subject = f"[Content IP Exchange] #{deal.pk} {deal.listing.title}: {en}"
    reason = f"\n\n사유 / Reason: {transition.reason}" if transition.reason else ""
    body = (f"{ko}\n{en}{reason}\n\n"
            f"거래 / Deal #{deal.pk} — {deal.listing.title}\n"
            f"상태 / Status: {deal.status}\n")
    for user in recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    DealTransition.objects.filter(pk=transition.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return len(recipients)
