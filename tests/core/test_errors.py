"""Every API error has one shape, including unexpected ones and Django's own exceptions."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from core.exception_handlers import api_exception_handler
from core.exceptions import ApplicationError


def handle(exc):
    request = APIRequestFactory().get("/")
    return api_exception_handler(exc, {"request": request, "view": None})


def test_application_error_keeps_code_fields_and_status():
    r = handle(ApplicationError("Order is not in force.", code="order_not_active", fields={"order": ["ended"]}))
    assert r.status_code == 400
    assert r.data == {"message": "Order is not in force.", "code": "order_not_active", "fields": {"order": ["ended"]}}


def test_django_validation_error_becomes_400_with_fields():
    r = handle(ValidationError({"postcode": ["Enter a UK postcode."]}))
    assert r.status_code == 400
    assert r.data["fields"] == {"postcode": ["Enter a UK postcode."]}
    assert "postcode" in r.data["message"]


def test_unexpected_error_is_500_in_the_same_shape_without_internals(caplog):
    r = handle(ZeroDivisionError("secret internals"))
    assert r.status_code == 500
    assert r.data["code"] == "server_error"
    assert "secret" not in r.data["message"]


@pytest.mark.django_db
def test_unknown_url_under_api_is_json_404(api):
    r = api.get("/api/nothing-here/")
    assert r.status_code == 404
