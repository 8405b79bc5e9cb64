"""The health page and the API's own description."""

import json
import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_part_as_json(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "database", "broker", "search_index"}
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "sqlite"} or (
        body["database"] == {"ok": True, "vendor": "postgresql"}
    )
    assert body["broker"]["ok"] is True
    assert body["search_index"]["ok"] is True


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_is_503_when_a_part_is_down(client, monkeypatch):
    from exchange import health

    monkeypatch.setattr(
        health, "_broker", lambda: {"ok": False, "mode": "broker", "error": "connection refused"}
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == {
        "ok": False,
        "mode": "broker",
        "error": "connection refused",
    }


def test_the_schema_is_openapi_3_in_yaml(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert str(document["openapi"]).startswith("3.")
    assert document["info"]["title"] == "Content IP Exchange API"
    for path in (
        "/api/v1/listings/",
        "/api/v1/listings/{id}/submit/",
        "/api/v1/moderation/listings/{id}/request-changes/",
        "/api/v1/media/{id}/download/",
        "/api/v1/auth/token/",
    ):
        assert path in document["paths"]


def test_the_schema_is_openapi_3_in_json_too(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_the_docs_page_uses_no_external_host(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert len(assets) >= 3  # the Swagger UI script, its preset and its stylesheet
    assert [url for url in assets if not url.startswith("/static/")] == []
    assert re.findall(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html) == []
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
        assert cdn not in html
