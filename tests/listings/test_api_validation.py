"""Bad input to create and update: a 400 naming the field and the reason, and
nothing written (no listing, no offer, no audit row; an existing listing unchanged)."""

import pytest

from exchange.audit.models import AuditEntry
from listings.models import LicenseOffer, Listing, ListingStatus
from tests.factories import catalog_row, listing_snapshot, make_listing, offer

pytestmark = pytest.mark.django_db

CASES = [
    # (id, catalog-row overrides, {field: [reason]})
    ("ip_type", {"ip_type": "novel"}, {"ip_type": ['"novel" is not a valid choice.']}),
    ("language", {"language": "fr"}, {"language": ['"fr" is not a valid choice.']}),
    (
        "asset_format",
        {"asset_formats": ["png", "mp4"]},
        {"asset_formats.1": ['"mp4" is not a valid choice.']},
    ),
    (
        "region",
        {"region": "KR-99"},
        {"region": ["unknown region code 'KR-99'; use an ISO 3166-2:KR code such as KR-29"]},
    ),
    (
        "region-not-korean",
        {"region": "JP-13"},
        {"region": ["unknown region code 'JP-13'; use an ISO 3166-2:KR code such as KR-29"]},
    ),
    (
        "title-too-long",
        {"title": "T" * 201},
        {"title": ["Ensure this field has no more than 200 characters."]},
    ),
    ("title-missing", {"title": ""}, {"title": ["This field may not be blank."]}),
    (
        "offer-medium",
        {"license_offers": [offer(media=["radio"])]},
        {"license_offers.0.media.0": ['"radio" is not a valid choice.']},
    ),
    (
        "negative-price",
        {"license_offers": [offer(price_krw=-1)]},
        {"license_offers.0.price_krw": ["Ensure this value is greater than or equal to 0."]},
    ),
    (
        "free-without-royalty",
        {"license_offers": [offer(price_krw=0)]},
        {"license_offers.0.price_krw": ["a price of 0 is allowed only with a royalty_pct"]},
    ),
    (
        "royalty-above-50",
        {"license_offers": [offer(royalty_pct="50.01")]},
        {"license_offers.0.royalty_pct": ["Ensure this value is less than or equal to 50."]},
    ),
    (
        "royalty-negative",
        {"license_offers": [offer(royalty_pct=-1)]},
        {"license_offers.0.royalty_pct": ["Ensure this value is greater than or equal to 0."]},
    ),
    (
        "term-zero",
        {"license_offers": [offer(term_months=0)]},
        {"license_offers.0.term_months": ["Ensure this value is greater than or equal to 1."]},
    ),
    (
        "no-territory",
        {"license_offers": [offer(territory=[])]},
        {"license_offers.0.territory": ["Ensure this field has at least 1 elements."]},
    ),
    (
        "unknown-territory",
        {"license_offers": [offer(territory=["KR", "XX"])]},
        {
            "license_offers.0.territory": [
                "unknown territory 'XX'; use an ISO 3166-1 alpha-2 code or WW"
            ]
        },
    ),
    (
        "no-media",
        {"license_offers": [offer(media=[])]},
        {"license_offers.0.media": ["Ensure this field has at least 1 elements."]},
    ),
    (
        "six-offers",
        {"license_offers": [offer() for _ in range(6)]},
        {"license_offers": ["Ensure this field has no more than 5 elements."]},
    ),
    (
        "unknown-offer-field",
        {"license_offers": [offer(currency="USD")]},
        {"license_offers.0.currency": ["this field is not accepted here"]},
    ),
    (
        "second-offer-bad",
        {"license_offers": [offer(), offer(term_months=0)]},
        {"license_offers.1.term_months": ["Ensure this value is greater than or equal to 1."]},
    ),
]


@pytest.mark.parametrize(("overrides", "fields"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_create_with_bad_input_writes_nothing(client_for, owner, overrides, fields):
    response = client_for(owner).post("/api/v1/listings/", catalog_row(**overrides), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == fields
    field, reasons = next(iter(fields.items()))
    assert response.json()["message"] == f"{field}: {reasons[0]}"
    assert Listing.objects.count() == 0
    assert LicenseOffer.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("overrides", "fields"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_update_with_bad_input_changes_nothing(client_for, owner, overrides, fields):
    listing = make_listing(owner=owner, status=ListingStatus.DRAFT)
    before = listing_snapshot(listing)

    response = client_for(owner).patch(f"/api/v1/listings/{listing.pk}/", overrides, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize(
    ("given", "stored"),
    [("KR-42", "KR-51"), ("KR-45", "KR-52"), ("kr-46", "KR-46"), (" KR-29 ", "KR-29")],
)
def test_old_and_loosely_written_region_codes_are_stored_as_the_current_code(
    client_for, owner, given, stored
):
    response = client_for(owner).post("/api/v1/listings/", catalog_row(region=given), format="json")

    assert response.status_code == 201
    assert response.json()["region"] == stored
    assert Listing.objects.get().region == stored


def test_free_with_a_royalty_and_lower_case_territories_are_accepted(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/listings/",
        catalog_row(
            license_offers=[
                offer(
                    price_krw=0,
                    royalty_pct="12.5",
                    territory=["ww", "kr", "KR"],
                    media=["game", "game"],
                )
            ]
        ),
        format="json",
    )

    assert response.status_code == 201
    stored = LicenseOffer.objects.get()
    assert (stored.price_krw, str(stored.royalty_pct), stored.territories, stored.media) == (
        0,
        "12.50",
        ["WW", "KR"],
        ["game"],
    )


def test_five_offers_are_accepted(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/listings/",
        catalog_row(license_offers=[offer(term_months=m) for m in (1, 6, 12, 24, 1200)]),
        format="json",
    )

    assert response.status_code == 201
    assert list(
        LicenseOffer.objects.order_by("position").values_list("term_months", flat=True)
    ) == [1, 6, 12, 24, 1200]


def test_a_duplicate_external_id_is_a_conflict(client_for, owner):
    make_listing(owner=owner, external_id="WEB-1")

    response = client_for(owner).post(
        "/api/v1/listings/", catalog_row(external_id="WEB-1"), format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "duplicate_external_id",
        "message": "You already have a listing with this external_id.",
        "fields": {"external_id": ["already used by another of your listings"]},
    }
    assert Listing.objects.count() == 1


def test_another_creator_may_reuse_an_external_id(client_for, owner, other_creator):
    make_listing(owner=owner, external_id="WEB-1")

    response = client_for(other_creator).post(
        "/api/v1/listings/", catalog_row(external_id="WEB-1"), format="json"
    )

    assert response.status_code == 201


def test_renaming_to_an_external_id_in_use_is_a_conflict(client_for, owner):
    make_listing(owner=owner, external_id="WEB-1")
    listing = make_listing(owner=owner, external_id="WEB-2")
    before = listing_snapshot(listing)

    response = client_for(owner).patch(
        f"/api/v1/listings/{listing.pk}/", {"external_id": "WEB-1"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "duplicate_external_id")
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize("body", [[], "a string", None], ids=["list", "string", "null"])
def test_a_body_that_is_not_an_object_is_refused(client_for, owner, body):
    response = client_for(owner).post("/api/v1/listings/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Listing.objects.count() == 0


def test_malformed_json_is_a_400_in_the_error_shape(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/listings/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["fields"] == {}
    assert Listing.objects.count() == 0
