"""Page clients: Django's test client in Korean or English, signed in as a persona."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from exchange.accounts.models import User


@pytest.fixture
def page_client() -> Callable[..., Client]:
    def build(user: User | None = None, language: str = "ko") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        return client

    return build
