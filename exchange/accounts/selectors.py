"""Reads of accounts, for the people allowed to make them."""

from django.db.models import Count, Q, QuerySet

from .models import User

# A moderator looks for one person; a page of this many matches is plenty to spot them.
USER_SEARCH_LIMIT = 50
QUERY_MAX_CHARS = 120


def users_find(*, user, query: str) -> QuerySet[User]:
    """Accounts whose email or display name contains `query` (any case), for moderators;
    with an empty query, the newest accounts. Anyone else finds no one."""
    if not (user and user.is_authenticated and user.is_moderator):
        return User.objects.none()
    query = (query or "").strip()[:QUERY_MAX_CHARS]
    people = User.objects.select_related("organisation").annotate(
        listing_count=Count("listings"))
    if query:
        people = people.filter(Q(email__icontains=query) | Q(display_name__icontains=query))
        people = people.order_by("display_name", "email")
    else:
        people = people.order_by("-date_joined", "-pk")
    return people[:USER_SEARCH_LIMIT]
