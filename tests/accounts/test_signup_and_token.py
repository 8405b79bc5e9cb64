"""Signing up, getting a token, and the sign-in throttle."""

import pytest
from rest_framework.authtoken.models import Token

from exchange.accounts.models import User
from exchange.audit.models import AuditEntry
from exchange.throttles import AuthRateThrottle
from tests.factories import PASSWORD, make_creator

SIGNUP = "/api/v1/auth/signup/"
TOKEN = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


def signup_body(**overrides):
    return {
        "email": "Mina.Kim@Example.com",
        "password": PASSWORD,
        "display_name": "Mina Kim",
        "preferred_language": "en",
        "is_creator": True,
        "is_producer": False,
        **overrides,
    }


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({"is_creator": True, "is_producer": False}, (True, False)),
        ({"is_creator": False, "is_producer": True}, (False, True)),
        ({"is_creator": True, "is_producer": True}, (True, True)),
    ],
    ids=["creator", "producer", "both"],
)
def test_signup_with_a_role_creates_the_user_and_returns_a_token(anonymous_client, roles, expected):
    # when someone signs up with at least one role
    response = anonymous_client.post(SIGNUP, signup_body(**roles), format="json")

    # then the account exists with exactly those roles, a lower-cased email and a token
    assert response.status_code == 201
    user = User.objects.get()
    assert (user.is_creator, user.is_producer) == expected
    assert user.email == "mina.kim@example.com"
    assert user.display_name == "Mina Kim"
    assert user.preferred_language == "en"
    assert user.is_staff is False
    assert user.check_password(PASSWORD)
    assert response.json()["token"] == Token.objects.get(user=user).key
    assert response.json()["user"] == {
        "id": user.pk,
        "email": "mina.kim@example.com",
        "display_name": "Mina Kim",
        "preferred_language": "en",
        "is_creator": expected[0],
        "is_producer": expected[1],
        "is_moderator": False,
        "organisation": None,
    }
    assert list(AuditEntry.objects.values_list("action", "actor_id")) == [("user.signup", user.pk)]


def test_signup_without_any_role_is_refused(anonymous_client):
    response = anonymous_client.post(
        SIGNUP, signup_body(is_creator=False, is_producer=False), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "roles: choose creator, producer or both",
        "fields": {"roles": ["choose creator, producer or both"]},
    }
    assert User.objects.count() == 0


@pytest.mark.parametrize("password", ["short", "password123", "12345678901234"])
def test_signup_with_a_weak_password_is_refused(anonymous_client, password):
    response = anonymous_client.post(SIGNUP, signup_body(password=password), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["password"]
    assert body["fields"]["password"]
    assert User.objects.count() == 0


def test_signup_with_an_email_already_registered_is_a_conflict(anonymous_client):
    # given an account for the same address, spelled in another case
    existing = make_creator(email="mina.kim@example.com")

    response = anonymous_client.post(SIGNUP, signup_body(), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "email_taken",
        "message": "An account with this email already exists.",
        "fields": {"email": ["already registered"]},
    }
    assert list(User.objects.values_list("pk", flat=True)) == [existing.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_signup_with_bad_input_names_the_field(anonymous_client, overrides, field):
    response = anonymous_client.post(SIGNUP, signup_body(**overrides), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert User.objects.count() == 0


def test_signup_ignores_an_attempt_to_become_staff(anonymous_client):
    response = anonymous_client.post(
        SIGNUP, signup_body(is_staff=True, is_superuser=True), format="json"
    )

    assert response.status_code == 201
    user = User.objects.get()
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_the_right_password_gets_the_users_token(anonymous_client):
    user = make_creator(email="mina@example.com")

    response = anonymous_client.post(
        TOKEN, {"email": "MINA@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key
    assert response.json()["user"]["id"] == user.pk


def test_the_token_authenticates_later_requests(anonymous_client):
    user = make_creator(email="mina@example.com")
    token = anonymous_client.post(
        TOKEN, {"email": "mina@example.com", "password": PASSWORD}, format="json"
    ).json()["token"]

    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = anonymous_client.get("/api/v1/auth/me/")

    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_a_wrong_password_gets_no_token(anonymous_client):
    make_creator(email="mina@example.com")

    response = anonymous_client.post(
        TOKEN, {"email": "mina@example.com", "password": "wrong-passphrase-99"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Email or password is wrong, or the account is suspended.",
        "fields": {},
    }
    assert Token.objects.count() == 0


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(anonymous_client):
    response = anonymous_client.post(
        TOKEN, {"email": "nobody@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_a_suspended_user_gets_no_token_even_with_the_right_password(anonymous_client):
    make_creator(email="mina@example.com", is_active=False)

    response = anonymous_client.post(
        TOKEN, {"email": "mina@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert Token.objects.count() == 0


def test_a_suspended_users_old_token_no_longer_works(anonymous_client):
    user = make_creator(email="mina@example.com")
    token = Token.objects.create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = anonymous_client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")

    # 403 rather than 401: session authentication comes first and sends no challenge
    assert response.status_code == 403
    assert response.json() == {
        "code": "authentication_failed",
        "message": "User inactive or deleted.",
        "fields": {},
    }


@pytest.fixture
def auth_rate_of_two(settings, monkeypatch):
    """Two sign-in attempts a minute. DRF copies the rates into the throttle class
    when it is imported, so the class's copy is changed along with the setting."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(AuthRateThrottle, "THROTTLE_RATES", rates)


def test_too_many_token_attempts_are_throttled_with_the_error_shape(
    anonymous_client, auth_rate_of_two
):
    make_creator(email="mina@example.com")
    wrong = {"email": "mina@example.com", "password": "guess-number-one"}

    first = anonymous_client.post(TOKEN, wrong, format="json")
    second = anonymous_client.post(TOKEN, wrong, format="json")
    # even the right password is refused once the limit is reached
    third = anonymous_client.post(
        TOKEN, {**wrong, "password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert [first.status_code, second.status_code, third.status_code] == [400, 400, 429]
    body = third.json()
    assert body["code"] == "throttled"
    assert body["fields"] == {}
    retry_after = int(third["Retry-After"])
    assert 0 < retry_after <= 60
    assert body["message"] == (
        f"Request was throttled. Expected available in {retry_after} seconds."
    )
    assert Token.objects.count() == 0


def test_too_many_signups_are_throttled_and_create_nothing(anonymous_client, auth_rate_of_two):
    for n in range(2):
        response = anonymous_client.post(
            SIGNUP, signup_body(email=f"person{n}@example.com"), format="json"
        )
        assert response.status_code == 201

    response = anonymous_client.post(SIGNUP, signup_body(email="third@example.com"), format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert not User.objects.filter(email="third@example.com").exists()
