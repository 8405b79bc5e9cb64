"""The signed-in user's profile and joining a producer company."""

import pytest

from exchange.accounts.models import Organisation, User
from exchange.accounts.validators import business_number_is_valid
from exchange.audit.models import AuditEntry

ME = "/api/v1/auth/me/"
ORGANISATION = "/api/v1/auth/me/organisation/"

pytestmark = pytest.mark.django_db

# The check digit of a Korean business registration number, computed here
# independently: weights 1,3,7,1,3,7,1,3,5 over the first nine digits, plus the
# tens of (ninth digit × 5); the tenth digit brings the total to a multiple of 10.
WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def with_check_digit(nine_digits: str) -> str:
    d = [int(c) for c in nine_digits]
    total = sum(x * w for x, w in zip(d, WEIGHTS, strict=True)) + d[8] * 5 // 10
    digits = nine_digits + str((10 - total % 10) % 10)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


VALID_NUMBERS = [
    "220-81-62517",
    with_check_digit("124815123"),  # 124-81-51236
    with_check_digit("105870161"),  # 105-87-01611
    with_check_digit("211880005"),  # 211-88-00059
]


def test_the_sample_numbers_are_valid_by_the_validator_too():
    assert VALID_NUMBERS == ["220-81-62517", "124-81-51236", "105-87-01611", "211-88-00059"]
    assert all(business_number_is_valid(number) for number in VALID_NUMBERS)
    assert not business_number_is_valid("220-81-62518")


def test_me_shows_the_signed_in_user(client_for, producer):
    response = client_for(producer).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": producer.pk,
        "email": "producer@example.com",
        "display_name": "Producer",
        "preferred_language": "ko",
        "is_creator": False,
        "is_producer": True,
        "is_moderator": False,
        "organisation": None,
    }


def test_me_says_a_moderator_is_one(client_for, moderator):
    assert client_for(moderator).get(ME).json()["is_moderator"] is True


def test_me_is_refused_to_anonymous(anonymous_client):
    response = anonymous_client.get(ME)

    # 403 rather than 401: session authentication comes first and sends no challenge
    assert (response.status_code, response.json()["code"]) == (403, "not_authenticated")


def test_me_patch_updates_the_profile(client_for, producer):
    response = client_for(producer).patch(
        ME,
        {"display_name": "  Hana Studio  ", "preferred_language": "en", "is_creator": True},
        format="json",
    )

    assert response.status_code == 200
    producer.refresh_from_db()
    assert (producer.display_name, producer.preferred_language) == ("Hana Studio", "en")
    assert (producer.is_creator, producer.is_producer) == (True, True)


def test_me_patch_cannot_make_anyone_staff_or_change_the_email(client_for, producer):
    # when a user sends staff, superuser, email and active flags with a harmless change
    response = client_for(producer).patch(
        ME,
        {
            "display_name": "Hana",
            "is_staff": True,
            "is_superuser": True,
            "email": "boss@example.com",
            "is_active": False,
            "is_moderator": True,
        },
        format="json",
    )

    # then only the harmless change is applied
    assert response.status_code == 200
    producer.refresh_from_db()
    assert producer.display_name == "Hana"
    assert (producer.is_staff, producer.is_superuser, producer.is_active) == (False, False, True)
    assert producer.email == "producer@example.com"
    assert response.json()["is_moderator"] is False
    assert response.json()["email"] == "producer@example.com"


def test_me_patch_cannot_drop_every_role(client_for, producer):
    response = client_for(producer).patch(ME, {"is_producer": False}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"roles": ["keep at least one of creator or producer"]}
    producer.refresh_from_db()
    assert (producer.is_creator, producer.is_producer) == (False, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"display_name": "   "}, "display_name"),
    ],
)
def test_me_patch_with_bad_input_names_the_field(client_for, producer, body, field):
    response = client_for(producer).patch(ME, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    producer.refresh_from_db()
    assert (producer.display_name, producer.preferred_language) == ("Producer", "ko")


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_joining_with_a_valid_number_creates_the_company(client_for, producer, number):
    response = client_for(producer).post(
        ORGANISATION, {"name": " Light Field Studio ", "business_number": number}, format="json"
    )

    assert response.status_code == 200
    organisation = Organisation.objects.get()
    assert organisation.business_number == number.replace("-", "")
    assert organisation.name == "Light Field Studio"
    assert response.json() == {
        "id": organisation.pk,
        "name": "Light Field Studio",
        "business_number": number.replace("-", ""),
    }
    producer.refresh_from_db()
    assert producer.organisation_id == organisation.pk
    entry = AuditEntry.objects.get(action="organisation.join")
    assert (entry.actor_id, entry.data) == (producer.pk, {"created": True})


def test_a_second_member_joins_the_existing_company(client_for, producer, other_creator):
    client_for(producer).post(
        ORGANISATION,
        {"name": "Light Field Studio", "business_number": "220-81-62517"},
        format="json",
    )

    # when another user gives the same number without dashes and another name
    response = client_for(other_creator).post(
        ORGANISATION, {"name": "LFS", "business_number": "2208162517"}, format="json"
    )

    # then they join the same company, whose name stays as it was
    assert response.status_code == 200
    organisation = Organisation.objects.get()
    assert organisation.name == "Light Field Studio"
    assert set(organisation.members.values_list("pk", flat=True)) == {producer.pk, other_creator.pk}


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("220-81-62518", "check digit does not match; check the number"),
        ("124-81-51230", "check digit does not match; check the number"),
        ("220-81-6251", "must be 10 digits (e.g. 123-45-67890)"),
        ("220-81-625170", "must be 10 digits (e.g. 123-45-67890)"),
        ("22O-81-62517", "must be 10 digits (e.g. 123-45-67890)"),
    ],
    ids=["check-digit", "check-digit-2", "nine-digits", "eleven-digits", "letter"],
)
def test_joining_with_an_invalid_number_is_refused(client_for, producer, number, reason):
    response = client_for(producer).post(
        ORGANISATION, {"name": "Light Field Studio", "business_number": number}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": f"business_number: {reason}",
        "fields": {"business_number": [reason]},
    }
    assert Organisation.objects.count() == 0
    producer.refresh_from_db()
    assert producer.organisation_id is None
    assert not AuditEntry.objects.filter(action="organisation.join").exists()


def test_joining_needs_a_name(client_for, producer):
    response = client_for(producer).post(
        ORGANISATION, {"name": "", "business_number": "220-81-62517"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["name"]
    assert Organisation.objects.count() == 0


def test_anonymous_cannot_join_a_company(anonymous_client):
    response = anonymous_client.post(
        ORGANISATION, {"name": "X", "business_number": "220-81-62517"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "not_authenticated")
    assert Organisation.objects.count() == 0
    assert User.objects.count() == 0
