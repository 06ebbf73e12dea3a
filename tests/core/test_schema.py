import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_and_docs_are_served_without_a_cdn():
    c = Client()
    schema = c.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/auth/token/" in schema.content
    docs = c.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
