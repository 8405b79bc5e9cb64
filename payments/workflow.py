"""The payment state machine as a table: from which statuses each action moves a
payment, and to which.

pending --receive part--> partially_received --receive rest--> succeeded
pending/partially_received --receive all--> succeeded
pending/partially_received --refuse (rights taken meanwhile)--> refused
pending --submit (Stripe)--> processing --succeed | fail--> succeeded | failed
pending/partially_received/processing --cancel--> canceled
"""

from .models import PaymentStatus as S

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "receive_part": ((S.PENDING, S.PARTIALLY_RECEIVED), S.PARTIALLY_RECEIVED),
    "succeed": ((S.PENDING, S.PARTIALLY_RECEIVED, S.PROCESSING), S.SUCCEEDED),
    "refuse": ((S.PENDING, S.PARTIALLY_RECEIVED, S.PROCESSING), S.REFUSED),
    "submit": ((S.PENDING,), S.PROCESSING),
    "fail": ((S.PENDING, S.PROCESSING), S.FAILED),
    "cancel": ((S.PENDING, S.PARTIALLY_RECEIVED, S.PROCESSING), S.CANCELED),
}
