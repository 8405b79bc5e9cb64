"""Who may do what to a listing over the API, endpoint by endpoint.

Each refused request is answered 403 (the listing is visible but not yours, or
you are not signed in) or 404 (the listing is not visible to you), and leaves
the listing, its offers, media and audit trail exactly as they were.
"""

import pytest

from exchange.audit.models import AuditEntry
from listings.models import Listing, ListingStatus
from tests.factories import catalog_row, listing_snapshot, make_listing

pytestmark = pytest.mark.django_db

S = ListingStatus
NOT_AUTHENTICATED = (403, "not_authenticated")
NOT_OWNER = (403, "permission_denied")
NOT_FOUND = (404, "not_found")


def url(listing, suffix=""):
    return f"/api/v1/listings/{listing.pk}/{suffix}"


# (endpoint name, listing status, method, path suffix, body)
ENDPOINTS = {
    "retrieve": ("get", "", None),
    "put": ("put", "", "full"),
    "patch": ("patch", "", {"title": "Renamed by someone"}),
    "submit": ("post", "submit/", None),
    "withdraw": ("post", "withdraw/", None),
    "archive": ("post", "archive/", None),
    "history": ("get", "history/", None),
}

REFUSED = [
    # retrieve: a draft is the owner's and the moderators' only
    ("retrieve", S.DRAFT, "other_creator", NOT_FOUND),
    ("retrieve", S.DRAFT, "producer", NOT_FOUND),
    ("retrieve", S.DRAFT, "anonymous", NOT_FOUND),
    ("retrieve", S.SUSPENDED, "producer", NOT_FOUND),
    ("retrieve", S.SUSPENDED, "anonymous", NOT_FOUND),
    ("retrieve", S.ARCHIVED, "other_creator", NOT_FOUND),
    ("retrieve", S.SUBMITTED, "producer", NOT_FOUND),
    ("retrieve", S.REJECTED, "anonymous", NOT_FOUND),
    # edits: the owner's only, even for moderators
    ("put", S.PUBLISHED, "other_creator", NOT_OWNER),
    ("put", S.PUBLISHED, "producer", NOT_OWNER),
    ("put", S.PUBLISHED, "moderator", NOT_OWNER),
    ("put", S.PUBLISHED, "anonymous", NOT_AUTHENTICATED),
    ("put", S.DRAFT, "other_creator", NOT_FOUND),
    ("patch", S.PUBLISHED, "other_creator", NOT_OWNER),
    ("patch", S.PUBLISHED, "producer", NOT_OWNER),
    ("patch", S.PUBLISHED, "moderator", NOT_OWNER),
    ("patch", S.PUBLISHED, "anonymous", NOT_AUTHENTICATED),
    ("patch", S.DRAFT, "other_creator", NOT_FOUND),
    ("patch", S.DRAFT, "producer", NOT_FOUND),
    ("patch", S.DRAFT, "moderator", NOT_OWNER),
    ("patch", S.DRAFT, "anonymous", NOT_AUTHENTICATED),
    # the owner's workflow actions
    ("submit", S.DRAFT, "other_creator", NOT_FOUND),
    ("submit", S.DRAFT, "producer", NOT_FOUND),
    ("submit", S.DRAFT, "moderator", NOT_OWNER),
    ("submit", S.DRAFT, "anonymous", NOT_AUTHENTICATED),
    ("withdraw", S.SUBMITTED, "other_creator", NOT_FOUND),
    ("withdraw", S.SUBMITTED, "producer", NOT_FOUND),
    ("withdraw", S.SUBMITTED, "moderator", NOT_OWNER),
    ("withdraw", S.SUBMITTED, "anonymous", NOT_AUTHENTICATED),
    ("archive", S.PUBLISHED, "other_creator", NOT_OWNER),
    ("archive", S.PUBLISHED, "producer", NOT_OWNER),
    ("archive", S.PUBLISHED, "moderator", NOT_OWNER),
    ("archive", S.PUBLISHED, "anonymous", NOT_AUTHENTICATED),
    ("archive", S.DRAFT, "other_creator", NOT_FOUND),
    # history: the owner's and the moderators'
    ("history", S.PUBLISHED, "other_creator", NOT_FOUND),
    ("history", S.PUBLISHED, "producer", NOT_FOUND),
    ("history", S.PUBLISHED, "anonymous", NOT_AUTHENTICATED),
    ("history", S.DRAFT, "producer", NOT_FOUND),
]


@pytest.mark.parametrize(
    ("endpoint", "status", "persona", "expected"),
    REFUSED,
    ids=[f"{e}-{s}-{p}" for e, s, p, _ in REFUSED],
)
def test_refused_requests_change_nothing(client_as, owner, endpoint, status, persona, expected):
    # given the owner's listing in this state
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)
    audit_rows = AuditEntry.objects.count()
    method, suffix, body = ENDPOINTS[endpoint]
    if body == "full":
        body = catalog_row(title="Taken over")

    # when another persona tries the endpoint
    response = getattr(client_as(persona), method)(url(listing, suffix), body, format="json")

    # then it is refused with the right status and code, and nothing changed
    assert (response.status_code, response.json()["code"]) == expected
    assert set(response.json()) == {"code", "message", "fields"}
    assert listing_snapshot(listing) == before
    assert AuditEntry.objects.count() == audit_rows


@pytest.mark.parametrize(
    "persona", ["owner", "other_creator", "producer", "moderator", "anonymous"]
)
def test_everyone_can_read_a_published_listing(client_as, owner, persona):
    listing = make_listing(owner=owner, status=S.PUBLISHED, title="Lantern Market")

    response = client_as(persona).get(url(listing))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["status"]) == (
        listing.pk,
        "Lantern Market",
        "published",
    )
    private = {"moderation_reason", "copyright_registration_number", "submitted_at"}
    if persona in ("owner", "moderator"):
        assert private <= set(body)
        assert body["copyright_registration_number"] == "C-2024-012345"
    else:
        assert private.isdisjoint(body)


@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_a_draft_is_readable_by_its_owner_and_moderators(client_as, owner, persona):
    listing = make_listing(owner=owner, status=S.DRAFT)

    response = client_as(persona).get(url(listing))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (listing.pk, "draft")


def test_an_unknown_or_malformed_id_is_not_found(client_as):
    assert client_as("owner").get("/api/v1/listings/999999/").status_code == 404
    assert client_as("owner").get("/api/v1/listings/abc/").status_code == 404


# --- create ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("producer", NOT_OWNER), ("moderator", NOT_OWNER), ("anonymous", NOT_AUTHENTICATED)],
)
def test_only_creators_can_create_listings(client_as, persona, expected):
    response = client_as(persona).post("/api/v1/listings/", catalog_row(), format="json")

    assert (response.status_code, response.json()["code"]) == expected
    assert Listing.objects.count() == 0
    assert AuditEntry.objects.filter(action="listing.create").count() == 0


@pytest.mark.parametrize("persona", ["owner", "other_creator"])
def test_a_creator_creates_a_draft_of_their_own(client_as, people, persona):
    row = catalog_row(region="KR-42", title="Seoraksan Spirits")

    response = client_as(persona).post("/api/v1/listings/", row, format="json")

    assert response.status_code == 201
    listing = Listing.objects.get()
    assert response.json()["id"] == listing.pk
    assert listing.owner == people[persona]
    assert (listing.status, listing.title, listing.region) == (
        "draft",
        "Seoraksan Spirits",
        "KR-51",
    )
    assert listing.creator_name == "Studio Lantern"
    assert (listing.published_at, listing.submitted_at, listing.moderation_reason) == (
        None,
        None,
        "",
    )
    assert list(
        listing.offers.values(
            "media", "territories", "term_months", "exclusive", "price_krw", "royalty_pct"
        )
    ) == [
        {
            "media": ["immersive", "exhibition"],
            "territories": ["KR"],
            "term_months": 12,
            "exclusive": False,
            "price_krw": 3_000_000,
            "royalty_pct": None,
        }
    ]
    entry = AuditEntry.objects.get(action="listing.create")
    assert (entry.actor, entry.target_id, entry.from_state, entry.to_state) == (
        people[persona],
        str(listing.pk),
        "",
        "draft",
    )


@pytest.mark.parametrize(
    "field", ["status", "owner", "moderation_reason", "published_at", "submitted_at", "id"]
)
def test_create_refuses_workflow_and_ownership_fields(client_as, other_creator, field):
    value = {
        "status": "published",
        "owner": other_creator.pk,
        "moderation_reason": "approved",
        "published_at": "2024-01-01T00:00:00Z",
        "submitted_at": "2024-01-01T00:00:00Z",
        "id": 4242,
    }[field]

    response = client_as("owner").post(
        "/api/v1/listings/", catalog_row(**{field: value}), format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {field: ["this field is not accepted here"]}
    assert Listing.objects.count() == 0
    assert AuditEntry.objects.filter(action="listing.create").count() == 0


# --- update ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["status", "owner", "moderation_reason", "published_at"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_refuses_workflow_and_ownership_fields(
    client_as, owner, other_creator, field, method
):
    listing = make_listing(owner=owner, status=S.DRAFT)
    before = listing_snapshot(listing)
    value = {
        "status": "published",
        "owner": other_creator.pk,
        "moderation_reason": "approved",
        "published_at": "2024-01-01T00:00:00Z",
    }[field]
    body = catalog_row(**{field: value}) if method == "put" else {"title": "X", field: value}

    response = getattr(client_as("owner"), method)(url(listing), body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: ["this field is not accepted here"]}
    assert listing_snapshot(listing) == before


def test_owner_patches_a_draft(client_as, owner):
    listing = make_listing(owner=owner, status=S.DRAFT, title="Old title")

    response = client_as("owner").patch(
        url(listing), {"title": "New title", "region": "KR-45"}, format="json"
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.region, listing.status) == ("New title", "KR-52", "draft")
    assert response.json()["title"] == "New title"
    assert listing.offers.count() == 1  # offers not given: kept as they were
    entry = AuditEntry.objects.get(action="listing.edit")
    assert (entry.actor, entry.from_state, entry.to_state, entry.data) == (
        owner,
        "draft",
        "draft",
        {"fields": ["region", "title"]},
    )


def test_owner_puts_a_whole_listing_replacing_the_offers(client_as, owner):
    listing = make_listing(owner=owner, status=S.DRAFT)
    row = catalog_row(
        title="Replaced",
        license_offers=[
            {
                "media": ["game"],
                "territory": ["WW"],
                "term_months": 24,
                "exclusive": True,
                "price_krw": 9_000_000,
                "royalty_pct": "5.50",
            },
            {
                "media": ["publishing"],
                "territory": ["kr", "JP"],
                "term_months": 6,
                "price_krw": 0,
                "royalty_pct": 10,
            },
        ],
    )

    response = client_as("owner").put(url(listing), row, format="json")

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.title == "Replaced"
    offers = list(
        listing.offers.values_list(
            "position", "media", "territories", "term_months", "exclusive", "price_krw"
        )
    )
    assert offers == [
        (0, ["game"], ["WW"], 24, True, 9_000_000),
        (1, ["publishing"], ["KR", "JP"], 6, False, 0),
    ]
    assert [str(r) for r in listing.offers.values_list("royalty_pct", flat=True)] == [
        "5.50",
        "10.00",
    ]
    assert [o["price_krw"] for o in response.json()["license_offers"]] == [9_000_000, 0]


def test_put_without_required_fields_is_refused(client_as, owner):
    listing = make_listing(owner=owner, status=S.DRAFT)
    before = listing_snapshot(listing)

    response = client_as("owner").put(url(listing), {"title": "Only a title"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {
        "description",
        "language",
        "ip_type",
        "region",
        "creator",
    }
    assert listing_snapshot(listing) == before


# --- the owner's workflow actions --------------------------------------------------------


def test_owner_submits_withdraws_and_archives(client_as, owner):
    listing = make_listing(owner=owner, status=S.DRAFT)
    client = client_as("owner")

    submitted = client.post(url(listing, "submit/"))
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    listing.refresh_from_db()
    assert listing.submitted_at is not None

    withdrawn = client.post(url(listing, "withdraw/"))
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "draft")

    archived = client.post(url(listing, "archive/"))
    assert (archived.status_code, archived.json()["status"]) == (200, "archived")

    assert list(
        AuditEntry.objects.filter(target_id=str(listing.pk))
        .order_by("id")
        .values_list("action", "from_state", "to_state", "actor")
    ) == [
        ("listing.create", "", "draft", owner.pk),
        ("listing.submit", "draft", "submitted", owner.pk),
        ("listing.withdraw", "submitted", "draft", owner.pk),
        ("listing.archive", "draft", "archived", owner.pk),
    ]


@pytest.mark.parametrize("persona", ["owner", "moderator"])
def test_history_lists_every_change_newest_first(client_as, owner, moderator, persona):
    listing = make_listing(owner=owner, status=S.DRAFT)
    client_as("owner").post(url(listing, "submit/"))
    client_as("moderator").post(
        f"/api/v1/moderation/listings/{listing.pk}/reject/",
        {"reason": "Evidence missing"},
        format="json",
    )

    response = client_as(persona).get(url(listing, "history/"))

    assert response.status_code == 200
    rows = [{k: v for k, v in row.items() if k != "at"} for row in response.json()]
    assert rows == [
        {
            "action": "listing.reject",
            "by": "Moderator",
            "from_state": "submitted",
            "to_state": "rejected",
            "reason": "Evidence missing",
        },
        {
            "action": "listing.submit",
            "by": "Owner",
            "from_state": "draft",
            "to_state": "submitted",
            "reason": "",
        },
        {
            "action": "listing.create",
            "by": "Owner",
            "from_state": "",
            "to_state": "draft",
            "reason": "",
        },
    ]


# --- mine --------------------------------------------------------------------------------


def test_mine_lists_only_the_callers_listings_in_every_state(client_as, owner, other_creator):
    draft = make_listing(owner=owner, status=S.DRAFT)
    rejected = make_listing(owner=owner, status=S.REJECTED)
    published = make_listing(owner=owner, status=S.PUBLISHED)
    make_listing(owner=other_creator, status=S.PUBLISHED)

    response = client_as("owner").get("/api/v1/listings/mine/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {row["id"]: row["status"] for row in body["results"]} == {
        draft.pk: "draft",
        rejected.pk: "rejected",
        published.pk: "published",
    }
    by_id = {row["id"]: row for row in body["results"]}
    assert by_id[rejected.pk]["moderation_reason"] == "Rights evidence does not match the creator."


@pytest.mark.parametrize("persona", ["producer", "moderator"])
def test_mine_is_empty_for_someone_without_listings(client_as, owner, persona):
    make_listing(owner=owner, status=S.PUBLISHED)

    response = client_as(persona).get("/api/v1/listings/mine/")

    assert (response.status_code, response.json()["count"], response.json()["results"]) == (
        200,
        0,
        [],
    )


def test_mine_needs_a_signed_in_user(client_as):
    response = client_as("anonymous").get("/api/v1/listings/mine/")

    assert (response.status_code, response.json()["code"]) == NOT_AUTHENTICATED


# --- the moderation endpoints ------------------------------------------------------------

MODERATION_ACTIONS = [
    ("approve", S.SUBMITTED),
    ("reject", S.SUBMITTED),
    ("request-changes", S.SUBMITTED),
    ("suspend", S.PUBLISHED),
    ("reinstate", S.SUSPENDED),
]


@pytest.mark.parametrize("persona", ["owner", "other_creator", "producer", "anonymous"])
def test_the_review_queue_is_for_moderators_only(client_as, owner, persona):
    make_listing(owner=owner, status=S.SUBMITTED)

    response = client_as(persona).get("/api/v1/moderation/listings/")

    expected = NOT_AUTHENTICATED if persona == "anonymous" else NOT_OWNER
    assert (response.status_code, response.json()["code"]) == expected


def test_staff_outside_the_moderators_group_cannot_use_the_queue(client_for, staff, owner):
    listing = make_listing(owner=owner, status=S.SUBMITTED)
    before = listing_snapshot(listing)

    queue = client_for(staff).get("/api/v1/moderation/listings/")
    approve = client_for(staff).post(f"/api/v1/moderation/listings/{listing.pk}/approve/")

    assert (queue.status_code, approve.status_code) == (403, 403)
    assert listing_snapshot(listing) == before


def test_the_review_queue_lists_submitted_listings_longest_waiting_first(
    client_as, owner, other_creator
):
    first = make_listing(owner=owner, status=S.SUBMITTED)
    second = make_listing(owner=other_creator, status=S.SUBMITTED)
    make_listing(owner=owner, status=S.DRAFT)
    make_listing(owner=owner, status=S.PUBLISHED)

    response = client_as("moderator").get("/api/v1/moderation/listings/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [first.pk, second.pk]
    assert {row["status"] for row in response.json()["results"]} == {"submitted"}


@pytest.mark.parametrize(("action", "status"), MODERATION_ACTIONS)
@pytest.mark.parametrize("persona", ["owner", "other_creator", "producer", "anonymous"])
def test_only_moderators_decide(client_as, owner, persona, action, status):
    listing = make_listing(owner=owner, status=status)
    before = listing_snapshot(listing)

    response = client_as(persona).post(
        f"/api/v1/moderation/listings/{listing.pk}/{action}/",
        {"reason": "Because"},
        format="json",
    )

    expected = NOT_AUTHENTICATED if persona == "anonymous" else NOT_OWNER
    assert (response.status_code, response.json()["code"]) == expected
    assert listing_snapshot(listing) == before


@pytest.mark.parametrize(
    ("action", "status", "target"),
    [
        ("approve", S.SUBMITTED, "published"),
        ("reject", S.SUBMITTED, "rejected"),
        ("request-changes", S.SUBMITTED, "changes_requested"),
        ("suspend", S.PUBLISHED, "suspended"),
        ("reinstate", S.SUSPENDED, "published"),
    ],
)
def test_a_moderator_decides_with_a_reason_on_record(
    client_as, owner, moderator, action, status, target
):
    listing = make_listing(owner=owner, status=status)

    response = client_as("moderator").post(
        f"/api/v1/moderation/listings/{listing.pk}/{action}/",
        {"reason": " Checked twice "},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["moderation_reason"]) == (
        target,
        "Checked twice",
    )
    listing.refresh_from_db()
    assert (listing.status, listing.moderation_reason) == (target, "Checked twice")
    entry = AuditEntry.objects.filter(target_id=str(listing.pk)).latest("id")
    assert (entry.action, entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        f"listing.{action.replace('-', '_')}",
        moderator,
        status,
        target,
        "Checked twice",
    )


def test_writes_are_throttled_per_user_and_reads_are_not(client_as, owner, monkeypatch):
    from exchange.throttles import WriteRateThrottle

    # given a write rate of two a minute (DRF keeps its own copy of the rates)
    monkeypatch.setattr(
        WriteRateThrottle,
        "THROTTLE_RATES",
        {**WriteRateThrottle.THROTTLE_RATES, "write": "2/min"},
    )
    client = client_as("owner")

    codes = [
        client.post("/api/v1/listings/", catalog_row(), format="json").status_code for _ in range(3)
    ]
    reads = [client.get("/api/v1/listings/mine/").status_code for _ in range(3)]
    other = client_as("other_creator").post("/api/v1/listings/", catalog_row(), format="json")

    assert codes == [201, 201, 429]
    assert reads == [200, 200, 200]
    assert other.status_code == 201
    assert Listing.objects.filter(owner=owner).count() == 2
