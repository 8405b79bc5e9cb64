"""Deals (requests, counters, acceptance) and the rights ledger.

Periods are inclusive calendar dates: a licence from 2026-01-01 to 2026-12-31
covers both days, so two periods overlap when each starts on or before the
other ends. Statuses change only through licensing.services (see
licensing.workflow for the table of transitions).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from listings.models import LicenseOffer, Listing, Medium


class DealStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COUNTERED = "countered", _("Countered")
    ACCEPTED = "accepted", _("Accepted, awaiting payment")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired unanswered")
    LAPSED = "lapsed", _("Hold lapsed unpaid")
    LICENSED = "licensed", _("Licensed")
    ENDED = "ended", _("Licence ended")
    REVOKED = "revoked", _("Licence revoked")


class Party(models.TextChoices):
    CREATOR = "creator", _("Creator")
    PRODUCER = "producer", _("Producer")


class Deal(models.Model):
    """One negotiation between a producer and a listing's owner, and the licence
    it becomes. The terms columns hold the current proposal; every proposal is
    kept in DealProposal. Terms are frozen once accepted: a new negotiation is a
    new deal."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="deals")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals_as_creator"
    )
    producer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals_as_producer"
    )
    offer = models.ForeignKey(
        LicenseOffer, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    status = models.CharField(
        max_length=16, choices=DealStatus.choices, default=DealStatus.REQUESTED, db_index=True
    )
    # Whose move it is while the deal is open; empty once it is not.
    awaiting = models.CharField(max_length=8, choices=Party.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    media = models.JSONField(_("media"))
    territories = models.JSONField(_("territories"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end (inclusive)"))
    exclusive = models.BooleanField(_("exclusive"), default=False)
    fee_krw = models.PositiveBigIntegerField(_("fee (KRW)"), default=0)
    royalty_pct = models.DecimalField(
        _("royalty %"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    production = models.TextField(_("intended production"))

    reason = models.TextField(blank=True, help_text=_("Why it was rejected, withdrawn or revoked."))
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                      help_text=_("When the open proposal lapses unanswered."))
    hold_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="deal_end_not_before_start"),
            models.CheckConstraint(
                condition=Q(royalty_pct__isnull=True)
                | (Q(royalty_pct__gte=0) & Q(royalty_pct__lte=50)),
                name="deal_royalty_between_0_and_50",
            ),
            models.CheckConstraint(condition=Q(fee_krw__gt=0) | Q(royalty_pct__isnull=False),
                                   name="deal_paid_by_fee_or_royalty"),
            models.CheckConstraint(condition=~Q(creator=F("producer")),
                                   name="deal_parties_differ"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"]),
                   models.Index(fields=["status", "hold_expires_at"])]

    def __str__(self) -> str:
        return f"Deal #{self.pk} on {self.listing_id} ({self.status})"

    def party_of(self, user) -> str | None:
        if user is None or not getattr(user, "pk", None):
            return None
        if user.pk == self.creator_id:
            return Party.CREATOR
        if user.pk == self.producer_id:
            return Party.PRODUCER
        return None


class DealProposal(models.Model):
    """Every set of terms put on the table: the request, then each counter."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="proposals")
    version = models.PositiveIntegerField()
    side = models.CharField(max_length=8, choices=Party.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    terms = models.JSONField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deal", "version"]
        constraints = [models.UniqueConstraint(fields=["deal", "version"],
                                               name="one_proposal_per_deal_version")]

    def __str__(self) -> str:
        return f"Deal #{self.deal_id} v{self.version} by the {self.side}"


class DealTransition(models.Model):
    """One row per change of a deal's status (or of whose move it is)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Empty when the system acted (expiry)."),
    )
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deal", "created_at", "id"]

    def __str__(self) -> str:
        return f"Deal #{self.deal_id} {self.action}: {self.from_status} -> {self.to_status}"


class DealMessage(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deal", "created_at", "id"]

    def __str__(self) -> str:
        return f"Message on deal #{self.deal_id}"


class ClaimKind(models.TextChoices):
    HOLD = "hold", _("Hold (accepted, awaiting payment)")
    GRANT = "grant", _("Grant (paid)")


class RightsClaim(models.Model):
    """The rights ledger: one row per (listing, medium, territory, period,
    exclusive?) that a deal holds or was granted. Only active rows count.

    An exclusive claim conflicts with any active claim on the same listing,
    medium and overlapping territory and period; a non-exclusive one only with
    exclusive ones. WW overlaps every country. services.ledger checks this
    under a lock; on PostgreSQL an exclusion constraint (migration 0002) is the
    backstop.
    """

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="rights_claims")
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(max_length=8, choices=ClaimKind.choices)
    medium = models.CharField(max_length=16, choices=Medium.choices)
    territory = models.CharField(max_length=2)
    start_date = models.DateField()
    end_date = models.DateField()
    exclusive = models.BooleanField()
    active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text=_("Holds only: released when unpaid by then."))
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["listing", "medium", "territory", "start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="claim_end_not_before_start"),
            models.CheckConstraint(
                condition=Q(kind="grant", expires_at__isnull=True)
                | Q(kind="hold", expires_at__isnull=False),
                name="claim_only_holds_expire",
            ),
            models.UniqueConstraint(fields=["deal", "medium", "territory"],
                                    condition=Q(active=True),
                                    name="claim_one_active_row_per_deal_medium_territory"),
        ]
        indexes = [models.Index(fields=["listing", "medium", "active"])]

    def __str__(self) -> str:
        kind = "exclusive " if self.exclusive else ""
        return (f"{kind}{self.kind} {self.medium}/{self.territory} "
                f"{self.start_date}..{self.end_date}")


class Agreement(models.Model):
    """The frozen terms and parties of an accepted deal as canonical JSON (sorted
    keys, no spaces, UTF-8) and its SHA-256: what both parties sign."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="agreement")
    canonical_json = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Agreement #{self.pk} for deal #{self.deal_id}"


class Signature(models.Model):
    """A party's explicit click-through: who, when, from where, and the hash they saw."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=8, choices=Party.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    sha256 = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "party"],
                                               name="one_signature_per_party")]

    def __str__(self) -> str:
        return f"Signature of the {self.party} on agreement #{self.agreement_id}"


class Certificate(models.Model):
    """Proof of a licence for anyone holding the code (printed as a QR code)."""

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"Certificate for deal #{self.deal_id}"
