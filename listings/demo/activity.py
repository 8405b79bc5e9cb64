"""The demo's lived-in exchange: deals in every state between the demo producer and the demo
creator, an invoice, a paid licence with a deliverable and its certificate, a saved brief,
a near-duplicate submission and an infringement report for the moderator.

Everything is made through the services the pages call, acting as the people concerned, so
the rows, ledger entries and audit trail are those real use would leave. Each scene is
looked up by what identifies it (a deal by producer, listing and production; a report by
reporter and listing; a brief by owner and title; a listing by owner and external id) and
made only when missing: a second run changes nothing, and a scene someone has since moved
on (a request answered in the browser) is left as it is. A scene that cannot be made (the
rights were taken meanwhile) is skipped with its reason and the rest is still made.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from exchange.accounts.models import User
from exchange.errors import ApplicationError
from licensing import services as licensing
from licensing.models import Deal
from listings.inputs import ListingInput
from listings.models import Listing, MediaRole, Report
from listings.services import listing_create, listing_submit, media_attach, report_file
from payments.services import bank_receipt_record, invoice_issue
from search.briefs import saved_brief_create
from search.inputs import SavedBriefInput
from search.models import SavedBrief

from .glb import bamboo_culm_glb

CATALOG = Path(__file__).with_name("catalog.jsonl")
SIGNED_FROM = "manage.py load_demo"


@dataclass(frozen=True)
class Cast:
    creator: User
    producer: User
    moderator: User


@dataclass
class ActivityReport:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _catalog_listing(external_id: str) -> Listing:
    """The demo catalog's listing (the first with this id: later ones are someone's own)."""
    return Listing.objects.filter(external_id=external_id).order_by("pk").first()


def _offer(listing: Listing, position: int):
    return listing.offers.order_by("position")[position]


def _existing_deal(cast: Cast, listing: Listing, production: str) -> Deal | None:
    return Deal.objects.filter(producer=cast.producer, listing=listing,
                               production=production).first()


def _sign(deal: Deal, *signers: User) -> None:
    agreement = deal.agreement
    for signer in signers:
        licensing.agreement_sign(actor=signer, agreement=agreement, sha256=agreement.sha256,
                                 ip_address=None, user_agent=SIGNED_FROM)


# --- the producer's deals with the demo creator ------------------------------------------

REQUESTED = "Media-art exhibition 'Colours of the Temple' at the Asia Culture Center, " \
            "Gwangju: the painted brackets projected across a 12 m dome, spring season."
COUNTERED = "LED-wall virtual production for the KBS period drama 'Inn at the Crossroads' " \
            "(8 episodes): the guesthouse courtyard and town gate as real-time sets."
ACCEPTED = "Virtual production of the feature 'Spring on Geumnam-ro': street scenes of " \
           "May 1980 shot on an LED volume, with a VR companion piece."
INVOICED = "VR temple-stay experience for Meta Quest and a companion mobile game level."
LICENSED = "'Damyang Night Walk', a VR game: the bamboo forest level, built in Unreal Engine."


def _requested(cast: Cast) -> str | None:
    """A request for the exhibition offer, awaiting the creator's answer."""
    listing = _catalog_listing("D-0054")
    if _existing_deal(cast, listing, REQUESTED):
        return None
    licensing.deal_request(
        producer=cast.producer, listing=listing, production=REQUESTED,
        offer=_offer(listing, 2),
        message="Could you also send the bracket textures at 8K for the dome projection?")
    return f"request awaiting the creator ({listing.external_id})"


def _countered(cast: Cast) -> str | None:
    """Custom terms from the producer, a higher fee back from the creator: the producer's
    move."""
    listing = _catalog_listing("D-0094")
    if _existing_deal(cast, listing, COUNTERED):
        return None
    today = timezone.localdate()
    deal = licensing.deal_request(
        producer=cast.producer, listing=listing, production=COUNTERED,
        terms={"media": ["film_tv"], "territories": ["KR"], "start_date": today,
               "end_date": today + dt.timedelta(days=364), "exclusive": False,
               "fee_krw": 3_000_000, "royalty_pct": None})
    licensing.deal_counter(
        actor=cast.creator, deal=deal, changes={"fee_krw": 3_600_000},
        note="The town kit's film licence is 4,900,000 for five years worldwide; for one "
             "year in Korea I can do 3,600,000.")
    return f"countered deal awaiting the producer ({listing.external_id})"


def _accepted(cast: Cast) -> str | None:
    """Accepted by the creator: the agreement waits for both signatures."""
    listing = _catalog_listing("D-0103")
    if _existing_deal(cast, listing, ACCEPTED):
        return None
    deal = licensing.deal_request(producer=cast.producer, listing=listing,
                                  production=ACCEPTED, offer=_offer(listing, 2))
    licensing.deal_accept(actor=cast.creator, deal=deal)
    return f"accepted deal, agreement to sign ({listing.external_id})"


def _invoiced(cast: Cast) -> str | None:
    """Accepted and signed by both: the bank-transfer invoice is open."""
    listing = _catalog_listing("D-0054")
    if _existing_deal(cast, listing, INVOICED):
        return None
    deal = licensing.deal_request(producer=cast.producer, listing=listing,
                                  production=INVOICED, offer=_offer(listing, 0))
    deal = licensing.deal_accept(actor=cast.creator, deal=deal)
    _sign(deal, cast.creator, cast.producer)
    payment = invoice_issue(actor=cast.producer, deal=deal)
    return f"signed deal with open invoice {payment.reference} ({listing.external_id})"


DELIVERABLE_NAME = "bamboo-culm-lod0.glb"
BANK_TRANSACTION_ID = "DEMO-BANK-0001"


def _deliverable(cast: Cast, listing: Listing) -> None:
    if listing.media.filter(role=MediaRole.DELIVERABLE, original_name=DELIVERABLE_NAME).exists():
        return
    upload = SimpleUploadedFile(DELIVERABLE_NAME, bamboo_culm_glb(),
                                content_type="model/gltf-binary")
    media_attach(actor=cast.creator, listing=listing, file=upload, role=MediaRole.DELIVERABLE,
                 title="Bamboo culm, LOD0 (GLB)")


def _licensed(cast: Cast) -> str | None:
    """Paid by bank transfer and confirmed by staff: a licence with a deliverable to
    download and a certificate; the creator's share is in their earnings."""
    listing = _catalog_listing("D-0127")
    if _existing_deal(cast, listing, LICENSED):
        return None
    _deliverable(cast, listing)
    deal = licensing.deal_request(producer=cast.producer, listing=listing,
                                  production=LICENSED, offer=_offer(listing, 0))
    deal = licensing.deal_accept(actor=cast.creator, deal=deal)
    _sign(deal, cast.producer, cast.creator)
    payment = invoice_issue(actor=cast.producer, deal=deal)
    bank_receipt_record(actor=cast.moderator, reference=payment.reference,
                        amount_krw=payment.amount_krw, bank_transaction_id=BANK_TRANSACTION_ID,
                        note="demo: transfer from Namdo XR Studio")
    return f"paid licence with a deliverable and a certificate ({listing.external_id})"


# --- the producer's brief and report --------------------------------------------------------

BRIEF = {
    "title": "LED-wall shoot: Joseon night market",
    "text": "Virtual production of a Joseon-era night market scene for a drama, shot on an "
            "LED wall: period streets and hanok as real-time 3D environments, bamboo forest "
            "background plates, and traditional music for the market.",
    "media": ["film_tv", "immersive"],
    "territory": "KR",
    "budget_krw": 30_000_000,
    "preferred_regions": ["KR-46", "KR-29"],
}


def _brief(cast: Cast) -> str | None:
    if SavedBrief.objects.filter(owner=cast.producer, title=BRIEF["title"]).exists():
        return None
    start = timezone.localdate() + dt.timedelta(days=30)
    data = SavedBriefInput(data={**BRIEF, "start": start.isoformat(),
                                 "end": (start + dt.timedelta(days=364)).isoformat()})
    data.is_valid(raise_exception=True)
    saved_brief_create(owner=cast.producer, data=data.validated_data)
    return "saved production brief"


REPORTED = "D-0088"  # Korean Mythic Creatures 3D Pack
REPORT = ("The nine-tailed fox and haetae models copy the creature designs of Dragon Gate "
          "Interactive's 'Bestiary of the Eastern Realms' (listed here as well): same "
          "silhouettes, armour plates and colour schemes. We licensed the bestiary for our "
          "game and were offered this pack by a subcontractor.")


def _report(cast: Cast) -> str | None:
    listing = _catalog_listing(REPORTED)
    if Report.objects.filter(reporter=cast.producer, listing=listing).exists():
        return None
    report_file(reporter=cast.producer, listing=listing, kind="copyright", description=REPORT)
    return f"open infringement report ({listing.external_id})"


# --- a near-duplicate submission for the moderator ------------------------------------------

DUPLICATE_OF = "D-0105"  # Juknokwon Bamboo Grove — LED Volume Plates, by Bamboo Frame Films
DUPLICATE_BY = "D-0112"  # a listing of the catalog creator who submits the copy
DUPLICATE_ID = "DEMO-DUP-0105"
DUPLICATE = {
    "title": "Damyang Bamboo Forest — LED Volume Plates",
    # The original's text with a few words changed: what a copied listing looks like.
    "description": (
        "Towering green corridors of moso and henon bamboo filmed inside Damyang's "
        "Juknokwon grove and nearby private forests for virtual production. Plates were "
        "captured at 12K with a multi-camera array and slow motion-control dollies, so they "
        "hold up on large LED walls with natural parallax: morning mist, dappled noon light, "
        "wind storms and light snow on the leaves. 60 plates, each delivered as a seamless "
        "loop with LUTs and lighting reference for cinematographers. Ideal for martial-arts "
        "dramas, period romances and commercials that need the quiet of a bamboo forest "
        "without the location permit."),
}


def _duplicate(cast: Cast) -> str | None:
    """Another catalog creator submits a near copy of Bamboo Frame Films' listing; the
    submission's duplicate check raises the alert once the transaction commits."""
    original = _catalog_listing(DUPLICATE_OF)
    submitter = _catalog_listing(DUPLICATE_BY).owner
    if Listing.objects.filter(owner=submitter, external_id=DUPLICATE_ID).exists():
        return None
    row = json.loads(_catalog_line(DUPLICATE_OF))
    row.update(DUPLICATE, external_id=DUPLICATE_ID, creator=submitter.display_name)
    row["license_offers"] = row["license_offers"][:2]
    data = ListingInput(data=row)
    data.is_valid(raise_exception=True)
    listing = listing_create(owner=submitter, data=data.validated_data)
    listing_submit(actor=submitter, listing=listing)
    return f"near-duplicate of {original.external_id} submitted by {submitter.display_name}"


def _catalog_line(external_id: str) -> str:
    with CATALOG.open(encoding="utf-8") as lines:
        return next(line for line in lines if f'"external_id": "{external_id}"' in line)


SCENES: tuple[tuple[str, Callable[[Cast], str | None]], ...] = (
    ("request", _requested),
    ("counter", _countered),
    ("accept", _accepted),
    ("invoice", _invoiced),
    ("licence", _licensed),
    ("brief", _brief),
    ("report", _report),
    ("duplicate", _duplicate),
)


def activity_seed(*, creator: User, producer: User, moderator: User) -> ActivityReport:
    """Make the scenes that are missing; call after the catalog is loaded and indexed."""
    cast = Cast(creator=creator, producer=producer, moderator=moderator)
    report = ActivityReport()
    for name, scene in SCENES:
        try:
            with transaction.atomic():
                done = scene(cast)
        except ApplicationError as error:
            report.skipped.append(f"{name}: {error.message}")
            continue
        if done:
            report.added.append(done)
    return report
