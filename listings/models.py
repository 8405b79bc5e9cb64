"""Content IP listings, their media and the standard license offers.

Field names follow the catalog interchange format (shared/catalog/FORMAT.md);
`status` changes only through listings.workflow.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchange.accounts.models import Language
from exchange.regions import REGION_CHOICES


class IpType(models.TextChoices):
    WEBTOON = "webtoon", _("Webtoon")
    CHARACTER = "character", _("Character")
    STORY = "story", _("Story")
    MUSIC = "music", _("Music")
    VIDEO = "video", _("Video")
    ANIMATION = "animation", _("Animation")
    GAME = "game", _("Game")
    ASSET_3D = "3d_asset", _("3D asset")
    ARTWORK = "artwork", _("Artwork")
    PHOTO = "photo", _("Photo")
    HERITAGE = "heritage", _("Heritage archive")
    PERFORMANCE = "performance", _("Performance")


class AssetFormat(models.TextChoices):
    GLB = "glb", "GLB"
    GLTF = "gltf", "glTF"
    FBX = "fbx", "FBX"
    USD = "usd", "USD"
    OBJ = "obj", "OBJ"
    VIDEO_360 = "360_video", _("360° video")
    VOLUMETRIC = "volumetric", _("Volumetric capture")
    SPATIAL_AUDIO = "spatial_audio", _("Spatial audio")
    MOCAP = "mocap", _("Motion capture")
    TEXTURE_SCAN = "texture_scan", _("Texture scan")
    LED_PLATE = "led_plate", _("LED wall plate")
    VIDEO_4K = "4k_video", _("4K video")
    WAV = "wav", "WAV"
    MP3 = "mp3", "MP3"
    PSD = "psd", "PSD"
    PNG = "png", "PNG"
    PDF = "pdf", "PDF"
    EPUB = "epub", "EPUB"


class Medium(models.TextChoices):
    IMMERSIVE = "immersive", _("Immersive (VR/AR/XR, virtual production)")
    FILM_TV = "film_tv", _("Film & TV")
    STREAMING = "streaming", _("Streaming")
    GAME = "game", _("Game")
    PUBLISHING = "publishing", _("Publishing")
    MERCHANDISE = "merchandise", _("Merchandise")
    ADVERTISING = "advertising", _("Advertising")
    EXHIBITION = "exhibition", _("Exhibition")
    PERFORMANCE = "performance", _("Performance")
    EDUCATION = "education", _("Education")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class Listing(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings"
    )
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True,
        help_text=_("Stable id in the creator's own system; unique per owner."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    ip_type = models.CharField(_("IP type"), max_length=16, choices=IpType.choices)
    region = models.CharField(_("region"), max_length=5, choices=REGION_CHOICES)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    asset_formats = models.JSONField(_("asset formats"), default=list, blank=True)
    creator_name = models.CharField(_("rights holder"), max_length=120)
    copyright_registration_number = models.CharField(
        _("copyright registration number"), max_length=40, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT,
        db_index=True,
    )
    moderation_reason = models.TextField(_("moderator's reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("moderate_listing", "Can moderate listings")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "external_id"],
                condition=~Q(external_id=""),
                name="listing_external_id_unique_per_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "ip_type", "region"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ListingStatus.PUBLISHED


class SubmittedListing(Listing):
    """The moderators' review queue in the admin."""

    class Meta:
        proxy = True
        verbose_name = "listing awaiting review"
        verbose_name_plural = "review queue"


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    MODEL_3D = "model_3d", _("3D model")


class MediaRole(models.TextChoices):
    COVER = "cover", _("Cover image")
    GALLERY = "gallery", _("Gallery / preview")
    DELIVERABLE = "deliverable", _("Licensed deliverable")
    EVIDENCE = "evidence", _("Rights evidence")


def media_upload_to(instance: "MediaAsset", filename: str) -> str:
    # The stored name never reuses the uploaded one: it is ours, not the client's.
    return f"listings/{instance.listing_id}/{uuid.uuid4().hex}.{instance.extension}"


def thumbnail_upload_to(instance: "MediaAsset", filename: str) -> str:
    return f"thumbnails/{instance.listing_id}/{uuid.uuid4().hex}.jpg"


class MediaAsset(models.Model):
    """A file attached to a listing. Cover and gallery files are public with the
    listing; deliverables and rights evidence are not."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="media")
    role = models.CharField(_("role"), max_length=16, choices=MediaRole.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=MediaKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(upload_to=media_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    thumbnail = models.ImageField(upload_to=thumbnail_upload_to, max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["listing", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"], condition=Q(role="cover"), name="one_cover_per_listing"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_public(self) -> bool:
        return self.role in (MediaRole.COVER, MediaRole.GALLERY)


class LicenseOffer(models.Model):
    """A standard license the creator offers; a producer may request it as is
    or negotiate other terms (licensing app)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="offers")
    position = models.PositiveSmallIntegerField(default=0)
    media = models.JSONField(_("media"))
    territories = models.JSONField(_("territories"))
    term_months = models.PositiveIntegerField(
        _("term (months)"), validators=[MinValueValidator(1), MaxValueValidator(1200)]
    )
    exclusive = models.BooleanField(_("exclusive"), default=False)
    price_krw = models.PositiveBigIntegerField(_("price (KRW)"))
    royalty_pct = models.DecimalField(
        _("royalty %"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )

    class Meta:
        ordering = ["listing", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_months__gte=1), name="offer_term_at_least_one_month"
            ),
            models.CheckConstraint(
                condition=Q(royalty_pct__isnull=True)
                | (Q(royalty_pct__gte=0) & Q(royalty_pct__lte=50)),
                name="offer_royalty_between_0_and_50",
            ),
            models.CheckConstraint(
                condition=Q(price_krw__gt=0) | Q(royalty_pct__isnull=False),
                name="offer_free_only_with_royalty",
            ),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.media)} / {', '.join(self.territories)} / {self.term_months}m"


class ReportKind(models.TextChoices):
    COPYRIGHT = "copyright", _("Copyright infringement")
    TRADEMARK = "trademark", _("Trademark infringement")
    PERSONAL_RIGHTS = "personal_rights", _("Personal rights (portrait, privacy, defamation)")
    OFFENSIVE = "offensive", _("Offensive or abusive content")
    FRAUD = "fraud", _("Fraud or spam")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    TAKEN_DOWN = "taken_down", _("Taken down")


class Report(models.Model):
    """Someone's report that a listing infringes rights or abuses the exchange. A moderator
    dismisses it or takes the listing down (listings.services.reports); the reporter sees how."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_filed"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    description = models.TextField(_("what is wrong"))
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN,
        db_index=True,
    )
    resolution_reason = models.TextField(_("moderator's reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "reporter"], condition=Q(status="open"),
                name="one_open_report_per_reporter_and_listing",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(resolution_reason=""),
                name="report_resolved_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.listing_id}"
