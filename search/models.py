"""Search's own rows: which listings the index must catch up with, and near-duplicate alerts.

The index itself lives on disk (search.index); these rows are how the database tells it
what changed - explicitly, by search.services.index_mark_dirty, never by signals.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DirtyListing(models.Model):
    """A listing whose searchable text or status changed since the index last saw it.

    A plain id, not a foreign key: a deleted listing must still leave the index.
    """

    listing_id = models.BigIntegerField(unique=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["marked_at", "id"]

    def __str__(self) -> str:
        return f"listing {self.listing_id} (marked {self.marked_at:%Y-%m-%d %H:%M:%S})"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")


class DuplicateAlert(models.Model):
    """A submitted listing whose text is nearly that of another owner's listing."""

    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="duplicate_alerts"
    )
    similar_listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="+"
    )
    similarity = models.FloatField(_("similarity"))
    dense_similarity = models.FloatField(_("meaning (cosine)"))
    lexical_similarity = models.FloatField(_("wording (shingle overlap)"))
    status = models.CharField(
        max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-similarity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "similar_listing"], name="duplicate_alert_once_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} ~ {self.similar_listing_id} ({self.similarity:.2f})"


class SavedBrief(models.Model):
    """A production brief a user keeps, to run again later: its recommendations are never
    stored, they are computed fresh from the catalog every time (search.briefs)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_briefs"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what the production needs"))
    media = models.JSONField(_("media"), default=list, blank=True)
    territory = models.CharField(_("territory"), max_length=2, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    budget_krw = models.PositiveBigIntegerField(_("budget (KRW)"), null=True, blank=True)
    preferred_regions = models.JSONField(_("preferred regions"), default=list, blank=True)
    ip_type = models.CharField(_("IP type"), max_length=16, blank=True)
    exclusive = models.BooleanField(_("exclusive"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True, end__isnull=True)
                | models.Q(start__isnull=False, end__isnull=False, end__gte=models.F("start")),
                name="saved_brief_period_whole_and_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title
