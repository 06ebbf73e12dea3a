"""Security headers: a Content-Security-Policy with no inline script or style,
``Cache-Control: no-store`` on everything that carries personal data, HSTS and the HTTPS redirect in
production, and the API's schema and docs behind sign-in there."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from core.headers import NoStoreMiddleware
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import REPO, client_for, signed_in

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


@pytest.fixture
def case(world):
    from cases.services import case_justify, case_raise_for_match

    a = world.a
    offender, order, _ = offender_barred_from(a.store)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    for user in (a.officer, a.admin):
        case_justify(case=case, user=user, justification="Triage of my beat's retail cases")
    return case


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# Content-Security-Policy ------------------------------------------------------------------------------


def test_portal_pages_carry_a_policy_without_inline_script_or_style(world, case):
    pages = {
        "/login/": Client(),
        "/incidents/": signed_in(world.a.worker),
        f"/incidents/{case.incident_id}/": signed_in(world.a.officer),
        f"/cases/{case.pk}/": signed_in(world.a.officer),
        "/admin/": signed_in(world.a.admin),
        "/api/cases/": client_for(world.a.officer),
    }
    for path, client in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response[CSP])
        assert policy["default-src"] == ["'self'"], path
        for name in ("script-src", "style-src"):
            assert policy[name] == ["'self'"], (path, name)  # no 'unsafe-inline', no hashes, no nonces
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: link"),
]


def template_files() -> list[Path]:
    roots = [REPO / "templates", *REPO.glob("*/templates")]
    return sorted(p for root in roots for p in root.rglob("*.html") if ".venv" not in p.parts)


def test_no_template_holds_inline_script_or_style():
    found = []
    for path in template_files():
        text = path.read_text()
        text = re.sub(r'<script[^>]*type="application/json"[^>]*>.*?</script>', "", text, flags=re.S)
        for pattern, what in INLINE:
            found += [f"{path.relative_to(REPO)}: {what}" for _ in pattern.finditer(text)]
    assert len(template_files()) > 20
    assert found == []


def test_rendered_pages_hold_no_inline_script_or_style(world, case):
    """What the templates render, admin included (its widgets and the app's own admin HTML)."""
    from tests.orders.factories import ReferencePhotoFactory

    offender = case.offender
    ReferencePhotoFactory(offender=offender)
    pages = {
        signed_in(world.a.worker): ["/incidents/", "/incidents/new/", f"/incidents/{case.incident_id}/"],
        signed_in(world.a.officer): ["/cases/", f"/cases/{case.pk}/", "/recognition/"],
        signed_in(world.a.admin): [
            "/cases/access-log/",
            "/recognition/threshold/",
            "/admin/",
            "/admin/cases/case/",
            f"/admin/cases/case/{case.pk}/change/",
            "/admin/accounts/store/",
            "/admin/orders/order/",
        ],
        Client(): ["/login/", "/api/docs/"],
    }
    found = []
    for client, paths in pages.items():
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = re.sub(
                r'<script[^>]*type="application/json"[^>]*>.*?</script>', "", response.content.decode(), flags=re.S
            )
            found += [f"{path}: {what}" for pattern, what in INLINE if pattern.search(html)]
    assert found == []


def test_swagger_ui_runs_under_the_same_policy(world):
    docs = Client().get("/api/docs/")
    assert docs[CSP] == signed_in(world.a.worker).get("/incidents/")[CSP]
    assert directives(docs[CSP])["img-src"] == ["'self'", "data:"]
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


# Cache-Control ----------------------------------------------------------------------------------------


def no_store(response) -> bool:
    return "no-store" in [p.strip() for p in response.get("Cache-Control", "").split(",")]


def test_api_answers_and_personal_pages_are_not_stored(world, case):
    from tests.orders.factories import ReferencePhotoFactory

    photo = ReferencePhotoFactory(offender=case.offender)
    officer, admin = signed_in(world.a.officer), signed_in(world.a.admin)
    evidence_id = case.best_match.evidence_id
    responses = {
        "api queue": client_for(world.a.officer).get("/api/cases/"),
        "api case": client_for(world.a.officer).get(f"/api/cases/{case.pk}/"),
        "api incident": client_for(world.a.worker).get(f"/api/incidents/{case.incident_id}/"),
        "api refusal": client_for(world.a.worker).get("/api/cases/"),
        "api not found": client_for(world.a.officer).get("/api/cases/999999/"),
        "api anonymous": Client().get("/api/cases/"),
        "case page": officer.get(f"/cases/{case.pk}/"),
        "case image": officer.get(f"/cases/{case.pk}/image/cctv/"),
        "case exhibit": officer.get(f"/cases/{case.pk}/evidence/{evidence_id}/"),
        "case queue": officer.get("/cases/"),
        "incident page": signed_in(world.a.worker).get(f"/incidents/{case.incident_id}/"),
        "incident list": signed_in(world.a.worker).get("/incidents/"),
        "offender admin": admin.get(f"/admin/orders/offender/{case.offender_id}/change/"),
        "custody photo": client_for(world.a.admin).get(f"/api/offenders/{case.offender_id}/photos/{photo.pk}/image/"),
        "healthz": Client().get("/healthz"),
    }
    assert {name: r.status_code for name, r in responses.items() if r.status_code >= 500} == {}
    assert [name for name, r in responses.items() if not no_store(r)] == []
    assert "private" in responses["case page"]["Cache-Control"]


def _respond(cache_control: str | None, path: str):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse("x")
        if cache_control is not None:
            response["Cache-Control"] = cache_control
        return response

    return NoStoreMiddleware(view)(RequestFactory().get(path))


def test_a_view_that_allowed_caching_is_overruled_but_static_files_keep_theirs():
    assert _respond("max-age=3600, public", "/cases/1/")["Cache-Control"] == "no-store, private"
    assert _respond("private, no-store", "/api/x/")["Cache-Control"] == "private, no-store"  # left as it was
    assert _respond(None, "/api/x/")["Cache-Control"] == "no-store, private"
    assert _respond("max-age=60, public", "/static/css/retrace.css")["Cache-Control"] == "max-age=60, public"


# API schema and docs ------------------------------------------------------------------------------------


def test_schema_and_docs_are_open_on_the_embedded_default_and_in_tests():
    assert Client().get("/api/schema/").status_code == 200
    assert Client().get("/api/docs/").status_code == 200


def test_schema_and_docs_need_sign_in_where_docs_are_not_public(world, settings):
    settings.API_DOCS_PUBLIC = False
    anonymous = Client()
    schema = anonymous.get("/api/schema/")
    assert schema.status_code == 401 and b"/api/auth/token/" not in schema.content
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/login/?next=/api/docs/"
    assert anonymous.get("/api/docs/?script=").status_code == 302
    assert client_for(world.a.worker).get("/api/schema/").status_code == 200  # an API token or session
    signed = signed_in(world.a.officer)
    assert signed.get("/api/schema/").status_code == 200
    assert signed.get("/api/docs/").status_code == 200 and signed.get("/api/docs/?script=").status_code == 200


# Production: HSTS, HTTPS redirect, docs behind sign-in ----------------------------------------------------


def production_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "API_DOCS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL="postgres://retrace:x@127.0.0.1:5432/retrace",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="retrace.example",
    )
    env.update(extra)
    return env


def production_settings(**extra: str) -> dict:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_PROXY_SSL_HEADER",
        "API_DOCS_PUBLIC",
        "MIDDLEWARE",
    ]
    code = "import django, json; django.setup(); from django.conf import settings as s; "
    code += f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=production_env(**extra), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_redirects_to_https_sends_hsts_and_keeps_docs_for_signed_in_users():
    values = production_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["API_DOCS_PUBLIC"] is False
    middleware = values["MIDDLEWARE"]
    assert middleware[:3] == [
        "django.middleware.security.SecurityMiddleware",
        "csp.middleware.CSPMiddleware",
        "core.headers.NoStoreMiddleware",
    ]
    assert production_settings(DJANGO_SECURE_HSTS_SECONDS="0")["SECURE_HSTS_SECONDS"] == 0


def test_check_deploy_no_longer_warns_about_hsts_or_the_https_redirect():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = out.stdout + out.stderr
    assert "System check identified" in report or "no issues" in report, report[-2000:]
    assert "security.W004" not in report and "security.W008" not in report, report[-2000:]


@pytest.mark.parametrize("secure", [False, True])
def test_production_values_redirect_plain_http_and_send_hsts_over_https(world, settings, secure):
    values = production_settings()
    settings.SECURE_SSL_REDIRECT = values["SECURE_SSL_REDIRECT"]
    settings.SECURE_HSTS_SECONDS = values["SECURE_HSTS_SECONDS"]
    settings.SECURE_REDIRECT_EXEMPT = values["SECURE_REDIRECT_EXEMPT"]
    settings.SECURE_PROXY_SSL_HEADER = tuple(values["SECURE_PROXY_SSL_HEADER"])
    client = signed_in(world.a.worker)
    proxy = {"HTTP_X_FORWARDED_PROTO": "https"} if secure else {}
    response = client.get("/incidents/", **proxy)
    if secure:
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == f"max-age={values['SECURE_HSTS_SECONDS']}"
        assert no_store(response) and CSP in response
    else:
        assert response.status_code == 301 and response["Location"] == "https://testserver/incidents/"
        assert "Strict-Transport-Security" not in response
    health = Client().get("/healthz", **proxy)  # the container's own probe asks over plain HTTP
    assert health.status_code == 200


def test_the_proxy_config_terminates_tls_and_sets_the_forwarded_proto_django_trusts():
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    assert re.search(r"listen\s+443\s+ssl", conf) and re.search(r"return\s+301\s+https://\$host\$request_uri", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", conf)  # overwrites a client's value
    assert re.search(r"client_max_body_size\s+\d+[mMgG];", conf)
    assert "Strict-Transport-Security" not in conf  # Django sends it (SECURE_HSTS_SECONDS): not twice


def test_orders_admin_pages_hold_no_inline_style(world):
    from tests.orders.conftest import SQUARE
    from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory, ReferencePhotoFactory

    offender = OffenderFactory(force=world.a.force)
    ReferencePhotoFactory(offender=offender)
    order = OrderFactory(offender=offender)
    ProhibitionFactory(order=order, kind="zone", polygon=SQUARE)
    admin = signed_in(world.a.admin)
    found = []
    for path in (f"/admin/orders/offender/{offender.pk}/change/", f"/admin/orders/order/{order.pk}/change/"):
        response = admin.get(path)
        assert response.status_code == 200
        found += [f"{path}: {what}" for pattern, what in INLINE if pattern.search(response.content.decode())]
    assert found == []
