"""A refused request writes one log line, not a traceback; a server error keeps its traceback."""

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.log import log_response

from accounts.models import User
from core.logs import OneLineForRefusals
from tests.factories import ForceFactory, UserFactory


class _Request:
    path = "/cases/1/"
    method = "GET"


def _record_for(status: int, exc: BaseException, caplog) -> logging.LogRecord:
    response = HttpResponse(status=status)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        log_response("Refused: %s", "/cases/1/", response=response, request=_Request(), exception=exc)
    record = caplog.records[-1]
    OneLineForRefusals().filter(record)
    return record


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except type(exc) as caught:
        return caught


def test_a_refused_request_is_one_line_with_its_reason(caplog):
    record = _record_for(403, _raised(PermissionDenied("Only police officers can see cases.")), caplog)
    text = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert text == "WARNING Refused: /cases/1/ (Only police officers can see cases.)"
    assert "Traceback" not in text


def test_a_server_error_keeps_its_traceback(caplog):
    record = _record_for(500, _raised(RuntimeError("boom")), caplog)
    text = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert "Traceback" in text and "RuntimeError: boom" in text


@pytest.mark.django_db
def test_the_portal_logs_a_403_as_one_line(client):
    """Through the configured console handler: a signed-in shop worker opening the case queue."""
    console = next(h for h in logging.getLogger().handlers if any(isinstance(f, OneLineForRefusals) for f in h.filters))
    user = UserFactory(role=User.Role.SHOP_WORKER, force=ForceFactory())
    client.force_login(user)
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        response = client.get("/cases/")
    finally:
        console.setStream(previous)
    assert response.status_code == 403
    err = stream.getvalue()
    lines = [line for line in err.splitlines() if "/cases/" in line]
    assert lines, err
    assert "Traceback" not in err
