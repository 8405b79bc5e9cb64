"""Stripe Connect for creators: onboarding, account status, and transfers of
their share.

A card payment reaches the creator in one of two ways, chosen when it starts
(payments.services.card, the rule in payments.connect_countries) and kept on the
payment (Payment.charge_type):

- A destination charge, when the creator's account can receive money then: the
  platform fee is a real application fee (application_fee_amount) and Stripe
  transfers the charge to the creator's account as part of the charge, taking
  the fee back from it. Nothing is transferred by us: the succeeded payment's
  webhook records the transfer (a Transfer row, succeeded, and its TRANSFER
  entry for the creator's net share; payments.services.webhooks), and a refund
  takes back its part of the transfer and of the fee in the same Stripe call
  (reverse_transfer, refund_application_fee; payments.services.refunds).
- Separate charges and transfers otherwise (no account, not ready yet, or an
  account Stripe does not allow destination charges to): the payment is charged
  to the platform, the ledger splits it into the platform fee and the creator's
  share, and the share is transferred to the creator's connected account once it
  can receive it (payouts enabled), tied to the charge with
  `source_transaction`. The platform fee is what the platform keeps. This lets a
  producer pay before the creator has finished onboarding, and a refund takes
  back the creator's part of an already made transfer with a transfer reversal.

With separate charges and transfers, a refund may come while the creator's
transfer is still pending at Stripe (sent, no answer yet: it is retried with the
same key, so its amount is fixed). The refund goes ahead and reverses its part
of the split in the ledger at once; no reversal is asked for yet, as there is no
transfer to reverse. When the transfer then succeeds it pays out the share as it
was before the refund, so every refund that succeeded while it was pending gets
its transfer reversal then (keyed by the refund, as always): the creator ends
with exactly their share, and the ledger's transfers net to it. If the transfer
fails instead, nothing went out, and the share now owed (less the refund) is
transferred by the next attempt.

Every Stripe call runs outside a database transaction; those that create
something carry an idempotency key from our own row (ConnectedAccount, Transfer,
Refund).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Forbidden, InvalidInput

from ..connect_countries import service_agreement_for
from ..gateways import stripe as gateway
from ..models import (
    ChargeType,
    ConnectedAccount,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    Transfer,
    TransferStatus,
)
from . import ledger
from .card import provider_error, require_stripe

logger = logging.getLogger(__name__)


def _clean_url(field: str, url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise InvalidInput.for_field(field, _("must be an absolute http(s) URL"))
    return url


def _account_for(*, actor: User, country: str | None) -> ConnectedAccount:
    existing = ConnectedAccount.objects.filter(user=actor).first()
    wanted = (country or "").strip().upper() or None
    if existing is not None:
        if wanted and wanted != existing.country and existing.stripe_account_id:
            raise InvalidInput.for_field(
                "country", _("your Stripe account is set up for %(country)s and cannot "
                             "change country") % {"country": existing.country})
        if wanted and wanted != existing.country:
            agreement = service_agreement_for(wanted)
            if agreement is None:
                raise InvalidInput.for_field("country", _("Stripe cannot pay creators there"))
            ConnectedAccount.objects.filter(pk=existing.pk).update(
                country=wanted, service_agreement=agreement, updated_at=timezone.now())
            existing.refresh_from_db()
        return existing
    wanted = wanted or settings.STRIPE_CONNECT_DEFAULT_COUNTRY
    agreement = service_agreement_for(wanted)
    if agreement is None:
        raise InvalidInput.for_field("country", _("Stripe cannot pay creators there"))
    try:
        with transaction.atomic():
            account = ConnectedAccount.objects.create(user=actor, country=wanted,
                                                      service_agreement=agreement)
            audit_record(actor=actor, action="connect.account_start", target=account,
                         data={"country": wanted, "service_agreement": agreement})
            return account
    except IntegrityError:  # the same creator, twice at once
        return ConnectedAccount.objects.get(user=actor)


def _status_of(account: dict) -> dict:
    capabilities = account.get("capabilities") or {}
    return {"details_submitted": bool(account.get("details_submitted")),
            "payouts_enabled": bool(account.get("payouts_enabled")),
            "transfers_active": capabilities.get("transfers") == "active"}


def connect_onboarding_link(*, actor: User, return_url: str, refresh_url: str,
                            country: str | None = None) -> str:
    """The signed-in creator's Stripe onboarding link. Their connected account is
    created the first time (Express; `recipient` agreement for countries such as
    Korea, see payments.connect_countries) and reused after; the link itself is
    single-use and short-lived, so each visit gets a new one. `country` defaults
    to STRIPE_CONNECT_DEFAULT_COUNTRY."""
    require_stripe()
    if not actor.is_creator:
        raise Forbidden(_("Only creators receive payouts; add the creator role."))
    return_url = _clean_url("return_url", return_url)
    refresh_url = _clean_url("refresh_url", refresh_url)
    account = _account_for(actor=actor, country=country)
    if not account.stripe_account_id:
        try:
            created = gateway.connected_account_create(
                account_id=account.pk, user_id=actor.pk, email=actor.email,
                country=account.country, service_agreement=account.service_agreement)
        except gateway.GatewayError as error:
            raise provider_error(error) from error
        with transaction.atomic():
            ConnectedAccount.objects.filter(pk=account.pk, stripe_account_id="").update(
                stripe_account_id=created["id"], updated_at=timezone.now(), **_status_of(created))
            account.refresh_from_db()
            audit_record(actor=actor, action="connect.account_create", target=account,
                         data={"stripe_account_id": account.stripe_account_id,
                               "country": account.country,
                               "service_agreement": account.service_agreement})
    try:
        link = gateway.account_link_create(stripe_account_id=account.stripe_account_id,
                                           refresh_url=refresh_url, return_url=return_url)
    except gateway.GatewayError as error:
        raise provider_error(error) from error
    return link["url"]


def connect_account_refresh(*, account: dict) -> ConnectedAccount | None:
    """`account.updated`: keep the creator's account status current; when it becomes
    able to receive money, their owed shares are transferred (after commit). An
    account that is not ours is None."""
    row = ConnectedAccount.objects.select_for_update().filter(
        stripe_account_id=account.get("id") or "-").first()
    if row is None:
        return None
    status = _status_of(account)
    before = {name: getattr(row, name) for name in status}
    if status == before:
        return row
    was_ready = row.ready
    ConnectedAccount.objects.filter(pk=row.pk).update(updated_at=timezone.now(), **status)
    row.refresh_from_db()
    audit_record(actor=None, action="connect.account_update", target=row,
                 data={"before": before, "after": status})
    if row.ready and not was_ready:
        from ..tasks import transfer_owed_shares

        user_id = row.user_id
        transaction.on_commit(lambda: transfer_owed_shares.delay(user_id))
    return row


# --- transfers of the creator's share -----------------------------------------------


def _owed_on(payment: Payment) -> int:
    totals = LedgerEntry.objects.filter(payment=payment).aggregate(
        share=Sum("amount_krw", filter=Q(kind=EntryKind.CREATOR_SHARE)),
        out=Sum("amount_krw", filter=Q(kind=EntryKind.TRANSFER)))
    return (totals["share"] or 0) - (totals["out"] or 0)


def payments_owed_to(*, user_id: int) -> list[int]:
    """Card payments of the creator's deals whose share has not been transferred
    (a destination charge's went with the charge)."""
    return list(Payment.objects.filter(
        deal__creator_id=user_id, method=PaymentMethod.STRIPE, status=PaymentStatus.SUCCEEDED,
        charge_type=ChargeType.PLATFORM,
    ).exclude(transfers__status__in=(TransferStatus.PENDING, TransferStatus.SUCCEEDED))
        .order_by("id").values_list("pk", flat=True))


def creator_share_transfer(*, payment_id: int) -> Transfer | None:
    """Transfer the creator's share of a paid card payment to their connected account.
    None when there is nothing to do yet (no ready account, nothing owed, a refund
    under way) or it was done; so the task may run any number of times."""
    with transaction.atomic():
        payment = (Payment.objects.select_for_update().select_related("deal")
                   .filter(pk=payment_id).first())
        if (payment is None or payment.method != PaymentMethod.STRIPE
                or payment.status != PaymentStatus.SUCCEEDED or not payment.provider_charge_id):
            return None
        if payment.charge_type == ChargeType.DESTINATION:
            return payment.transfers.filter(status=TransferStatus.SUCCEEDED).first()
        live = payment.transfers.filter(
            status__in=(TransferStatus.PENDING, TransferStatus.SUCCEEDED)).first()
        if live is not None:
            if live.status == TransferStatus.SUCCEEDED:
                return live
            transfer = live
        else:
            account = ConnectedAccount.objects.filter(user_id=payment.deal.creator_id).first()
            owed = _owed_on(payment)
            refunding = Refund.objects.filter(payment=payment,
                                              status=RefundStatus.PENDING).exists()
            if account is None or not account.ready or owed <= 0 or refunding:
                return None
            transfer = Transfer.objects.create(payment=payment, deal_id=payment.deal_id,
                                               account=account, amount_krw=owed)
            audit_record(actor=None, action="transfer.request", target=transfer,
                         to_state=transfer.status,
                         data={"payment_id": payment.pk, "amount_krw": owed,
                               "destination": account.stripe_account_id})
    return transfer_submit(transfer_id=transfer.pk)


def transfer_submit(*, transfer_id: int) -> Transfer:
    """Ask Stripe for a pending transfer (again: same key, same transfer) and record
    its answer. A transient failure leaves it pending for the reconcile task. Once it
    succeeded, refunds that succeeded while it was pending get their reversal (see
    the module's docstring)."""
    transfer = Transfer.objects.select_related("payment", "account").get(pk=transfer_id)
    if transfer.status != TransferStatus.PENDING:
        return transfer
    try:
        made = gateway.transfer_create(
            transfer_id=transfer.pk, amount_krw=transfer.amount_krw,
            destination=transfer.account.stripe_account_id,
            source_transaction=transfer.payment.provider_charge_id, deal_id=transfer.deal_id)
    except gateway.GatewayError as error:
        if error.transient:
            logger.warning("Transfer %s not sent to Stripe yet: %s", transfer.pk, error)
            return transfer
        with transaction.atomic():
            Transfer.objects.filter(pk=transfer.pk, status=TransferStatus.PENDING).update(
                status=TransferStatus.FAILED, failure=str(error), completed_at=timezone.now())
            transfer.refresh_from_db()
            audit_record(actor=None, action="transfer.fail", target=transfer,
                         from_state=TransferStatus.PENDING, to_state=transfer.status,
                         reason=str(error))
        return transfer
    now = timezone.now()
    with transaction.atomic():
        if Transfer.objects.filter(pk=transfer.pk, status=TransferStatus.PENDING).update(
                status=TransferStatus.SUCCEEDED, provider_id=made["id"], completed_at=now) != 1:
            return Transfer.objects.get(pk=transfer.pk)
        ledger.entry_add(payment=transfer.payment, kind=EntryKind.TRANSFER,
                         amount_krw=transfer.amount_krw, now=now, external_id=made["id"],
                         note=f"to {transfer.account.stripe_account_id}")
        transfer.refresh_from_db()
        audit_record(actor=None, action="transfer.succeed", target=transfer,
                     from_state=TransferStatus.PENDING, to_state=transfer.status,
                     data={"transfer": made["id"], "amount_krw": transfer.amount_krw})
        _reverse_refunds_made_meanwhile(transfer)
    return transfer


def _reverse_refunds_made_meanwhile(transfer: Transfer) -> None:
    """Inside the transaction that recorded the transfer: the refunds whose creator's
    part it paid out anyway (they succeeded after it was created) are taken back
    after commit."""
    from ..tasks import reverse_transfer_for_refund

    refund_ids = list(Refund.objects.filter(
        payment_id=transfer.payment_id, status=RefundStatus.SUCCEEDED,
        creator_part_krw__gt=0, transfer_reversal_id="",
        completed_at__gte=transfer.created_at).order_by("id").values_list("pk", flat=True))
    for refund_id in refund_ids:
        transaction.on_commit(lambda refund_id=refund_id: reverse_transfer_for_refund.delay(
            refund_id))


def transfer_reverse_for_refund(*, refund_id: int) -> Refund:
    """A refund of money whose creator's part was already transferred takes that part
    back from the creator's account (a transfer reversal, keyed by the refund). A
    destination charge's refund did that itself (reverse_transfer)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.payment.charge_type == ChargeType.DESTINATION:
        return refund
    transfer = Transfer.objects.filter(payment_id=refund.payment_id,
                                       status=TransferStatus.SUCCEEDED).first()
    if (refund.status != RefundStatus.SUCCEEDED or refund.transfer_reversal_id
            or transfer is None or not refund.creator_part_krw):
        return refund
    amount = min(refund.creator_part_krw, transfer.amount_krw - transfer.reversed_krw)
    if amount <= 0:
        return refund
    reversal = gateway.transfer_reversal_create(refund_id=refund.pk,
                                                transfer=transfer.provider_id,
                                                amount_krw=amount)
    now = timezone.now()
    with transaction.atomic():
        if Refund.objects.filter(pk=refund.pk, transfer_reversal_id="").update(
                transfer_reversal_id=reversal["id"]) != 1:
            return Refund.objects.get(pk=refund.pk)
        _reversal_record(transfer=transfer, refund=refund, amount_krw=amount,
                         reversal_id=reversal["id"], now=now,
                         note=f"reversed for refund #{refund.pk}")
        refund.refresh_from_db()
    return refund


def _reversal_record(*, transfer: Transfer, refund: Refund, amount_krw: int, reversal_id: str,
                     now, note: str, **audit_data) -> None:
    """Inside the caller's transaction: `amount_krw` of the transfer came back for the
    refund; the transfer's reversed total, its negative TRANSFER entry and the audit
    row move together."""
    Transfer.objects.filter(pk=transfer.pk).update(reversed_krw=F("reversed_krw") + amount_krw)
    ledger.entry_add(payment=transfer.payment, kind=EntryKind.TRANSFER, amount_krw=-amount_krw,
                     now=now, external_id=reversal_id, note=note)
    audit_record(actor=None, action="transfer.reverse", target=transfer,
                 data={"refund_id": refund.pk, "reversal": reversal_id,
                       "amount_krw": amount_krw, **audit_data})


# --- the transfer Stripe makes with a destination charge ----------------------------


def destination_transfer_record(*, payment: Payment, account: ConnectedAccount,
                                share_krw: int, transfer_id: str,
                                now) -> Transfer:
    """Inside the transaction that records a destination charge as succeeded: the
    transfer Stripe made with it, as the creator's net share (Stripe transfers the
    whole charge and takes the application fee back from it). Its TRANSFER entry is
    keyed by the charge, which has exactly one transfer; `transfer_id` is Stripe's
    id of it when known (else destination_transfer_identify fills it in)."""
    transfer = Transfer.objects.create(
        payment=payment, deal_id=payment.deal_id, account=account, amount_krw=share_krw,
        status=TransferStatus.SUCCEEDED, provider_id=transfer_id, created_at=now,
        completed_at=now)
    ledger.entry_add(payment=payment, kind=EntryKind.TRANSFER, amount_krw=share_krw, now=now,
                     external_id=payment.provider_charge_id,
                     note=f"with destination charge {payment.provider_charge_id} "
                          f"to {account.stripe_account_id}")
    audit_record(actor=None, action="transfer.succeed", target=transfer,
                 to_state=transfer.status,
                 data={"payment_id": payment.pk, "amount_krw": share_krw,
                       "destination": account.stripe_account_id,
                       "charge": payment.provider_charge_id, "transfer": transfer_id,
                       "destination_charge": True})
    return transfer


def destination_transfer_identify(*, payment_id: int) -> Transfer | None:
    """The Stripe id of the transfer made with a destination charge, read from the
    charge (its `transfer`) when the event did not carry it. Only a row still
    without one changes, so the task may run any number of times; a failure to ask
    leaves it for the reconcile sweep. The ledger does not depend on it."""
    transfer = (Transfer.objects.select_related("payment")
                .filter(payment_id=payment_id, status=TransferStatus.SUCCEEDED).first())
    if (transfer is None or transfer.provider_id
            or transfer.payment.charge_type != ChargeType.DESTINATION
            or not transfer.payment.provider_charge_id):
        return transfer
    try:
        charge = gateway.charge_retrieve(transfer.payment.provider_charge_id)
    except gateway.GatewayError as error:
        logger.warning("Could not read charge %s at Stripe: %s",
                       transfer.payment.provider_charge_id, error)
        return transfer
    made = gateway.id_of(charge.get("transfer"))
    if not made:
        return transfer
    with transaction.atomic():
        if Transfer.objects.filter(pk=transfer.pk, provider_id="").update(
                provider_id=made) == 1:
            transfer.refresh_from_db()
            audit_record(actor=None, action="transfer.identify", target=transfer,
                         data={"charge": transfer.payment.provider_charge_id,
                               "transfer": made})
    return transfer


def destination_transfer_reverse(*, refund: Refund, creator_part_krw: int, reversal_id: str,
                                 now) -> int:
    """Inside the transaction of a succeeded refund of a destination charge: Stripe
    took back, in the refund itself, its part of the transfer and of the
    application fee (reverse_transfer, refund_application_fee), so the creator's
    part of the refund is recorded as reversed; `reversal_id` is Stripe's transfer
    reversal (the refund's `transfer_reversal`), when it said. Returns the amount."""
    transfer = Transfer.objects.select_for_update().filter(
        payment_id=refund.payment_id, status=TransferStatus.SUCCEEDED).first()
    if transfer is None:
        return 0
    amount = min(creator_part_krw, transfer.amount_krw - transfer.reversed_krw)
    if amount <= 0:
        return 0
    _reversal_record(transfer=transfer, refund=refund, amount_krw=amount,
                     reversal_id=reversal_id, now=now,
                     note=f"reversed with refund #{refund.pk}", destination_charge=True)
    return amount
