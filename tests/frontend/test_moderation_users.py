"""Finding a user from the moderation pages: by email or display name, any case, each match
linking to the user's moderation page; the newest accounts when nothing is asked; refused to
everyone but moderators."""

from __future__ import annotations

import pytest

from exchange.accounts.models import User
from exchange.accounts.selectors import USER_SEARCH_LIMIT
from tests import factories

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def studio(db) -> User:
    return factories.make_creator(email="hello@mudeung-studio.kr", display_name="Studio Mudeung")


def test_the_moderation_pages_link_the_user_search(page_client, moderator):
    html = _html(page_client(moderator, "en").get("/moderation/"))

    assert 'href="/moderation/users/"' in html


def test_a_moderator_finds_a_user_by_part_of_the_email(page_client, moderator, studio, owner):
    response = page_client(moderator, "en").get("/moderation/users/", {"q": "MUDEUNG-studio"})

    html = _html(response)
    assert response.status_code == 200
    assert f'href="/moderation/users/{studio.pk}/"' in html
    assert "hello@mudeung-studio.kr" in html
    assert f'href="/moderation/users/{owner.pk}/"' not in html
    assert 'value="MUDEUNG-studio"' in html  # the query stays in the box


def test_a_moderator_finds_a_user_by_display_name_in_korean(page_client, moderator, studio):
    korean = factories.make_creator(email="c-7f3a@example.com", display_name="느린마을 스튜디오")

    html = _html(page_client(moderator, "ko").get("/moderation/users/", {"q": "느린마을"}))

    assert f'href="/moderation/users/{korean.pk}/"' in html
    assert f'href="/moderation/users/{studio.pk}/"' not in html
    assert "사용자" in html  # the page speaks Korean


def test_a_search_without_matches_says_so(page_client, moderator, studio):
    html = _html(page_client(moderator, "en").get("/moderation/users/", {"q": "nobody-here"}))

    assert "No account has this in its email or display name." in html
    assert f"/moderation/users/{studio.pk}/" not in html


def test_without_a_query_the_newest_accounts_are_listed(page_client, moderator, owner, studio):
    html = _html(page_client(moderator, "en").get("/moderation/users/"))

    assert "Newest accounts" in html
    assert html.index(f'href="/moderation/users/{studio.pk}/"') \
        < html.index(f'href="/moderation/users/{owner.pk}/"')  # newest first


def test_suspended_accounts_are_marked(page_client, moderator, studio):
    User.objects.filter(pk=studio.pk).update(is_active=False)

    html = _html(page_client(moderator, "en").get("/moderation/users/", {"q": "mudeung"}))

    row = html[html.index(f'href="/moderation/users/{studio.pk}/"'):]
    assert row.index("Suspended") < row.index("</tr>")


def test_many_matches_are_cut_at_the_limit_and_say_so(page_client, moderator):
    for n in range(USER_SEARCH_LIMIT + 1):
        factories.make_creator(email=f"bulk-{n}@example.com", display_name=f"Bulk {n}")

    html = _html(page_client(moderator, "en").get("/moderation/users/", {"q": "bulk-"}))

    assert html.count('href="/moderation/users/') - html.count(
        'href="/moderation/users/"') == USER_SEARCH_LIMIT
    assert f"Showing the first {USER_SEARCH_LIMIT} accounts" in html


@pytest.mark.parametrize("persona", ["owner", "producer", "other_creator"])
def test_the_user_search_is_refused_to_others(page_client, people, persona, studio):
    response = page_client(people[persona], "en").get("/moderation/users/", {"q": "mudeung"})

    assert response.status_code == 403
    assert "hello@mudeung-studio.kr" not in _html(response)


def test_the_user_search_sends_the_anonymous_to_sign_in(page_client, studio):
    response = page_client().get("/moderation/users/", {"q": "mudeung"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
