"""Agreements, signatures and certificates: the frozen terms both parties sign,
and the proof of a licence that anyone can check."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.accounts.models import User
from exchange.audit.services import audit_record
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound

from ..models import Agreement, Certificate, Deal, DealStatus, Party, Signature
from ..terms import Terms

AGREEMENT_FORMAT_VERSION = 1
# Statuses in which the agreement can still be signed: accepted and awaiting
# payment, or lapsed but payable if the rights are still free.
SIGNABLE = (DealStatus.ACCEPTED, DealStatus.LAPSED)
# 24 random bytes: 192 bits, as base64url 32 characters; not guessable, short enough for a QR.
CERTIFICATE_CODE_BYTES = 24


def canonical_json(document: dict) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def agreement_document(deal: Deal) -> dict:
    """Terms and parties as they stand at acceptance."""
    listing, producer = deal.listing, deal.producer
    return {
        "type": "content-ip-licence-agreement",
        "format_version": AGREEMENT_FORMAT_VERSION,
        "deal": deal.pk,
        "accepted_at": deal.accepted_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "listing": {
            "id": listing.pk,
            "title": listing.title,
            "rights_holder": listing.creator_name,
            "copyright_registration_number": listing.copyright_registration_number,
        },
        "licensor": {"user_id": deal.creator_id, "display_name": deal.creator.display_name},
        "licensee": {
            "user_id": producer.pk,
            "display_name": producer.display_name,
            "organisation": producer.organisation.name if producer.organisation_id else None,
        },
        "terms": Terms.of(deal).as_dict(),
        "production": deal.production,
    }


def agreement_create(*, deal: Deal) -> Agreement:
    """Inside deal_accept's transaction: freeze the accepted terms."""
    text = canonical_json(agreement_document(deal))
    agreement = Agreement.objects.create(
        deal=deal, canonical_json=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        created_at=deal.accepted_at,
    )
    audit_record(actor=None, action="agreement.create", target=agreement,
                 data={"deal_id": deal.pk, "sha256": agreement.sha256})
    return agreement


def agreement_sign(*, actor: User, agreement: Agreement, sha256: str,
                   ip_address: str | None, user_agent: str) -> Signature:
    """A party signs the agreement whose hash it saw; a different (stale) hash, a
    second signature or someone else's agreement is refused and nothing is written."""
    deal = agreement.deal
    party = deal.party_of(actor)
    if party is None:
        if actor.is_staff:
            raise Forbidden(_("Only the parties sign their agreement."))
        raise NotFound(_("No agreement here."))
    sha256 = (sha256 or "").strip().lower()
    if len(sha256) != 64:
        raise InvalidInput.for_field(
            "sha256", _("send the 64-character SHA-256 of the agreement you read"))
    if sha256 != agreement.sha256:
        raise Conflict(
            _("The agreement you read is not the current one; reload and read it again."),
            code="stale_agreement", fields={"sha256": [_("does not match the agreement")]})
    if deal.status not in SIGNABLE:
        raise Conflict(_("An agreement of a deal that is %(status)s cannot be signed.")
                       % {"status": deal.get_status_display().lower()},
                       code="invalid_transition")
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                agreement=agreement, party=party, signer=actor, sha256=sha256,
                ip_address=ip_address or None, user_agent=(user_agent or "")[:500],
            )
            audit_record(actor=actor, action="agreement.sign", target=agreement,
                         data={"party": party, "sha256": sha256, "ip_address": ip_address,
                               "user_agent": (user_agent or "")[:500]})
    except IntegrityError:
        raise Conflict(_("You have already signed this agreement."),
                       code="already_signed") from None
    return signature


def require_fully_signed(deal: Deal) -> None:
    agreement = Agreement.objects.filter(deal=deal).first()
    signed = set(agreement.signatures.values_list("party", flat=True)) if agreement else set()
    missing = [p for p in (Party.CREATOR, Party.PRODUCER) if p not in signed]
    if missing:
        names = {Party.CREATOR: _("the creator"), Party.PRODUCER: _("the producer")}
        raise Conflict(_("The agreement still needs the signature of %(parties)s.")
                       % {"parties": _(" and ").join(str(names[p]) for p in missing)},
                       code="unsigned")


def certificate_issue(*, deal: Deal, now: dt.datetime | None = None) -> Certificate:
    """Inside the payment's transaction: the licence's certificate (one per deal)."""
    certificate, _ = Certificate.objects.get_or_create(
        deal=deal,
        defaults={"code": secrets.token_urlsafe(CERTIFICATE_CODE_BYTES),
                  "issued_at": now or timezone.now()},
    )
    return certificate
