"""The sign-ins page a page at a time: every user of the force and every sign-in logged can be reached (nothing
cut at a fixed count), users found by name, the log filtered by account and dates, each list with its own pager
that keeps the other's place and the filters."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import AccountEvent, User
from accounts.views import SIGN_IN_LOG_PAGE_SIZE, SIGN_IN_PEOPLE_PAGE_SIZE
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(world):
    """520 shop workers in force A (past the page's old cut at 500) and 60 sign-ins logged (past 50)."""
    force = world.a.force
    User.objects.bulk_create(
        User(username=f"worker{n:04d}", first_name="Sam", last_name=f"Number{n:04d}", role=User.Role.SHOP_WORKER,
             force=force)
        for n in range(520)
    )  # fmt: skip
    users = {u.username: u for u in User.objects.filter(username__startswith="worker")}
    AccountEvent.objects.bulk_create(
        AccountEvent(kind=AccountEvent.Kind.SIGN_IN_FAILED, user=users[f"worker{n:04d}"], username=f"worker{n:04d}")
        for n in range(60)
    )
    # One a day for the last 60 days, oldest first (worker0000 60 days ago, worker0059 yesterday).
    now = timezone.now()
    for n in range(60):
        AccountEvent.objects.filter(username=f"worker{n:04d}").update(created_at=now - datetime.timedelta(days=60 - n))
    return users


def page_of(client, **query) -> str:
    return client.get("/sign-ins/", query).content.decode()


def log_rows(html: str) -> list[str]:
    log = html[html.index('id="sign-in-log"') :]
    return re.findall(r"<td>(worker\d{4})</td>", log)


def test_every_user_past_the_old_limit_is_reachable(world, crowd):
    admin = signed_in(world.a.admin)
    first = page_of(admin)
    total = User.objects.filter(force=world.a.force).count()
    pages = -(-total // SIGN_IN_PEOPLE_PAGE_SIZE)
    assert total > 500 and f"of {total} users · page 1 of {pages}" in first
    assert f'href="?people_page={pages}">Last</a>' in first
    last = page_of(admin, people_page=pages)
    assert "worker0519" in last and "worker0519" not in first  # the last of them, once cut at 500
    seen = set()
    for number in range(1, pages + 1):
        seen |= set(re.findall(r"<td>(worker\d{4})", page_of(admin, people_page=number)))
    assert seen == {f"worker{n:04d}" for n in range(520)}


def test_every_sign_in_past_the_old_limit_is_reachable(world, crowd):
    admin = signed_in(world.a.admin)
    first = page_of(admin)
    assert log_rows(first)[:2] == ["worker0059", "worker0058"]  # newest first
    assert len(log_rows(first)) == SIGN_IN_LOG_PAGE_SIZE and "worker0000" not in log_rows(first)
    assert "of 60 entries · page 1 of 2" in first and 'href="?log_page=2" rel="next"' in first
    second = page_of(admin, log_page=2)
    assert log_rows(second) == [f"worker{n:04d}" for n in range(9, -1, -1)]  # the oldest ten, once cut at 50


def test_finding_users_and_filtering_the_log(world, crowd):
    admin = signed_in(world.a.admin)
    found = page_of(admin, q="number0517")
    assert re.findall(r"<td>(worker\d{4})", found[: found.index('id="sign-in-log"')]) == ["worker0517"]
    assert "of 1 user · page 1 of 1" in found

    today = timezone.localdate()
    since, until = today - datetime.timedelta(days=5), today - datetime.timedelta(days=3)
    dated = page_of(admin, since=since.isoformat(), until=until.isoformat())
    assert log_rows(dated) == ["worker0057", "worker0056", "worker0055"]
    assert log_rows(page_of(admin, account="worker0012")) == ["worker0012"]
    assert "Nothing logged that matches these filters." in page_of(admin, account="nobody-at-all")

    # Each pager keeps the filters and the other list's page.
    html = page_of(admin, account="worker00", people_page=2)
    assert "of 60 entries" in html
    assert 'href="?account=worker00&amp;people_page=2&amp;log_page=2" rel="next"' in html
    assert 'href="?account=worker00&amp;people_page=3" rel="next"' in html

    # A wrong range is named and left out; the other filters still apply.
    wrong = page_of(admin, account="worker0012", since=until.isoformat(), until=since.isoformat())
    assert "is before the &#x27;from&#x27; date" in wrong and log_rows(wrong) == ["worker0012"]


def test_another_forces_users_and_sign_ins_are_not_listed(world, crowd):
    html = page_of(signed_in(world.b.admin))
    assert "worker0" not in html
