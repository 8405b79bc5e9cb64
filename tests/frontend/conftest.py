"""Page clients: Django's test client in Korean or English, signed in as a persona; and
the deal the deal, money and payment pages are shown with.

`listing` and `other_producer` come from the licensing specifications (tests/licensing/
conftest.py): a published listing of `owner` with one standard offer (3,000,000 KRW),
and a producer who is a stranger to the deal. `deal` is `producer`'s request of that
offer; `accepted_deal`, `signed_deal` and `invoice` are the next steps of the same
deal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from exchange.accounts.models import User
from licensing import services
from licensing.models import Deal
from payments.models import Payment
from payments.services import invoice_issue
from tests.licensing.conftest import (  # noqa: F401  (fixtures used by this folder)
    listing,
    other_producer,
    sign_both,
)


@pytest.fixture
def page_client() -> Callable[..., Client]:
    def build(user: User | None = None, language: str = "ko") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        return client

    return build


@pytest.fixture
def deal(producer, listing) -> Deal:  # noqa: F811  (the imported fixture)
    """A request of `producer` on `listing`'s offer, awaiting the creator."""
    return services.deal_request(producer=producer, listing=listing,
                                 production="A VR exhibition", offer=listing.offers.get())


@pytest.fixture
def accepted_deal(deal, owner) -> Deal:
    return services.deal_accept(actor=owner, deal=deal)


@pytest.fixture
def signed_deal(accepted_deal) -> Deal:
    return sign_both(accepted_deal)


@pytest.fixture
def invoice(signed_deal, producer) -> Payment:
    return invoice_issue(actor=producer, deal=signed_deal)
