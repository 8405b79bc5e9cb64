"""Payments of deals and the money ledger.

Money is an integer number of the currency's minor unit; KRW has none, so one
unit is one won (Stripe treats KRW as zero-decimal as well). A Payment is one
attempt to pay one deal, by bank transfer against an invoice or through
Stripe; its reference is what the producer writes on the transfer. Every
movement of money is a LedgerEntry; payments.selectors.deal_balance checks
that a deal's entries balance. Statuses change only through payments.services
(payments.workflow holds the table of transitions).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models import Deal

CURRENCY = "KRW"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer against an invoice")
    STRIPE = "stripe", _("Card through Stripe")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PARTIALLY_RECEIVED = "partially_received", _("Partly received")
    PROCESSING = "processing", _("Processing")
    SUCCEEDED = "succeeded", _("Paid")
    REFUSED = "refused", _("Refused: the deal could no longer be licensed")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class ChargeType(models.TextChoices):
    """How a card payment was charged at Stripe (payments.services.card)."""

    PLATFORM = "platform", _("Charged to the platform; the creator's share is transferred after")
    DESTINATION = "destination", _("Destination charge: the creator's share is transferred "
                                   "with the charge, the platform fee kept as an application fee")


# A deal has at most one payment in these statuses, so it is never paid twice at once.
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PARTIALLY_RECEIVED,
                 PaymentStatus.PROCESSING)
# A bank-transfer invoice in these statuses still waits for money.
OPEN_INVOICE_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PARTIALLY_RECEIVED)
# Payments holding money that can be given back: a paid one, and one refused
# because the deal could no longer be licensed (the money is due back).
REFUNDABLE_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUSED)


class Payment(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING, db_index=True)
    amount_krw = models.PositiveBigIntegerField(_("amount due (KRW)"))
    received_krw = models.PositiveBigIntegerField(_("received so far (KRW)"), default=0)
    reference = models.CharField(_("payment reference"), max_length=20, unique=True)
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="payments")
    # Stripe: the PaymentIntent paying this row (its idempotency key is our row id),
    # and the charge it made (the source of the transfer of the creator's share).
    provider_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_charge_id = models.CharField(max_length=255, blank=True)
    # Decided before the intent is created and never changed, so a retried request
    # sends the same parameters under the same idempotency key. Bank payments and
    # card payments of creators who cannot receive money yet are `platform`.
    charge_type = models.CharField(max_length=16, choices=ChargeType.choices,
                                   default=ChargeType.PLATFORM)
    reason = models.TextField(blank=True, help_text=_("Why it was refused, failed or canceled."))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deal"], condition=Q(status__in=OPEN_STATUSES),
                                    name="payment_one_open_per_deal"),
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(received_krw__lte=models.F("amount_krw")),
                                   name="payment_received_at_most_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} for deal #{self.deal_id} ({self.status})"

    @property
    def outstanding_krw(self) -> int:
        return self.amount_krw - self.received_krw


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Card charge")
    BANK_RECEIPT = "bank_receipt", _("Bank transfer received")
    PLATFORM_FEE = "platform_fee", _("Platform fee")
    CREATOR_SHARE = "creator_share", _("Creator's share")
    REFUND = "refund", _("Refund to the payer")
    TRANSFER = "transfer", _("Payout to the creator")


class LedgerEntry(models.Model):
    """One movement of money on a deal; rows are only ever added.

    Signs: money in (charge, bank_receipt) is positive and a refund negative;
    the split of what came in (platform_fee, creator_share) is positive, and a
    refund reverses its part of the split with negative rows. A transfer
    (payout of the creator's share) is positive and its reversal (a refund of
    money already paid out) negative. So per deal, once its
    payments are settled: charges + receipts + refunds = platform fee +
    creator share.
    """

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="ledger_entries")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount_krw = models.BigIntegerField()
    # The outside record this entry mirrors: a bank transaction, a Stripe charge,
    # refund, transfer or transfer reversal id. One entry of a kind per outside record.
    # The transfer Stripe makes with a destination charge is named by that charge
    # (one transfer per charge), so it is recorded with the charge, exactly once.
    external_id = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("Empty when the system wrote it."))
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["deal", "created_at", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], condition=~Q(external_id=""),
                                    name="ledger_one_entry_per_external_record"),
            models.CheckConstraint(condition=~Q(amount_krw=0), name="ledger_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_krw:+,} KRW on deal #{self.deal_id}"


class WebhookStatus(models.TextChoices):
    RECEIVED = "received", _("Stored, not yet applied")
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Not a type we act on")
    FAILED = "failed", _("Failed to apply")


class WebhookEvent(models.Model):
    """A provider's event, stored under its own id before it is applied, so a
    repeated delivery is recognised and a crash after storing is recovered."""

    provider = models.CharField(max_length=16, default="stripe")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=WebhookStatus.choices,
                              default=WebhookStatus.RECEIVED, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"],
                                               name="webhook_event_once_per_provider")]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id} ({self.status})"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Sent to be refunded")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class Refund(models.Model):
    """Money given back to the payer of one payment, in full or in part.

    A card refund is our row first (its id is the idempotency key of the Stripe
    refund), then Stripe's answer; a bank refund records a transfer staff already
    made back to the payer. Only a succeeded refund writes ledger entries, and
    only then may it end the licence. `keep_licence` is staff's explicit choice
    for a partial refund of a licensed deal (with the reason on record); a full
    refund always ends the licence."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="refunds")
    amount_krw = models.PositiveBigIntegerField(_("amount refunded (KRW)"))
    status = models.CharField(max_length=16, choices=RefundStatus.choices,
                              default=RefundStatus.PENDING, db_index=True)
    reason = models.TextField(_("reason"))
    keep_licence = models.BooleanField(default=False)
    # The creator's part of what this refund reversed (written when it succeeds); what
    # of it was already transferred is taken back by a transfer reversal.
    creator_part_krw = models.PositiveBigIntegerField(default=0)
    transfer_reversal_id = models.CharField(max_length=255, blank=True)
    # Stripe's refund id, or the bank transaction of the transfer back to the payer.
    provider_id = models.CharField(max_length=255, blank=True)
    failure = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text=_("Empty when the system refunded a race."))
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"refund #{self.pk} of {self.amount_krw:,} KRW on {self.payment_id} ({self.status})"


class ServiceAgreement(models.TextChoices):
    FULL = "full", _("Full: the account may take payments itself")
    RECIPIENT = "recipient", _("Recipient: receives transfers from the platform only")


class ConnectedAccount(models.Model):
    """A creator's Stripe Connect account, created once (its idempotency key is our
    row id) and kept current by `account.updated` webhooks."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="stripe_account")
    stripe_account_id = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2)
    service_agreement = models.CharField(max_length=16, choices=ServiceAgreement.choices)
    details_submitted = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    transfers_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stripe_account_id"],
                                    condition=~Q(stripe_account_id=""),
                                    name="connected_account_once_per_stripe_id"),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_account_id or '(not created)'} of user #{self.user_id}"

    @property
    def ready(self) -> bool:
        """Transfers to it can be made and paid out."""
        return bool(self.stripe_account_id) and self.payouts_enabled and self.transfers_active


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Sent to Stripe")
    SUCCEEDED = "succeeded", _("Transferred")
    FAILED = "failed", _("Failed")


class Transfer(models.Model):
    """The creator's share of one card payment, moved to their connected account
    (see payments.services.connect). For a platform charge we ask Stripe for it
    after the charge (its id is the idempotency key there); for a destination
    charge Stripe made it with the charge and the row records it, succeeded, with
    the net amount the creator keeps (Stripe's transfer is the whole charge, and
    the application fee is taken back from it). One live transfer per payment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transfers")
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="transfers")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.PROTECT,
                                related_name="transfers")
    amount_krw = models.PositiveBigIntegerField()
    status = models.CharField(max_length=16, choices=TransferStatus.choices,
                              default=TransferStatus.PENDING, db_index=True)
    provider_id = models.CharField(max_length=255, blank=True)
    # What a refund took back from this transfer so far (transfer reversals).
    reversed_krw = models.PositiveBigIntegerField(default=0)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status__in=("pending", "succeeded")),
                name="transfer_one_live_per_payment"),
            models.CheckConstraint(condition=Q(amount_krw__gt=0),
                                   name="transfer_amount_positive"),
            models.CheckConstraint(condition=Q(reversed_krw__lte=models.F("amount_krw")),
                                   name="transfer_reversed_at_most_amount"),
        ]

    def __str__(self) -> str:
        return f"transfer #{self.pk} of {self.amount_krw:,} KRW to {self.account_id}"
