"""The lists' "contains" searches (a word anywhere in a person's names, a store's or retailer's name) are
served by trigram indexes on PostgreSQL (orders 0008, accounts 0005). An index is used only where its
expression is the one Django writes for ``icontains`` (``UPPER(column::text) LIKE UPPER('%word%')``); these
tests read the plans of the queries the searches really make, with whole-table reads priced out as a large
table would price them, so a change in either the SQL or the index shows here."""

import pytest
from django.db import connection, transaction

from accounts.models import Retailer, Store
from cases.models import Case
from cases.selectors import queue_search
from orders.models import Offender
from orders.selectors import offenders_search
from tests.conftest import require

pytestmark = pytest.mark.django_db


def plan_of(queryset) -> str:
    """The plan with every way to read a whole table priced out (sequential scans, and whole-index scans
    with a filter): a "contains" condition is then met through its trigram index or not at all cheaply."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def postgresql():
    require(connection.vendor == "postgresql", "trigram indexes are PostgreSQL's (pg_trgm)")


def test_the_offender_search_reads_the_name_indexes(postgresql):
    plan = plan_of(offenders_search(Offender.objects.all(), q="ward"))
    for index in ("offender_given_names_trgm", "offender_family_name_trgm", "offender_aliases_trgm"):
        assert index in plan, plan


def test_the_case_search_finds_people_and_stores_by_their_indexes(postgresql):
    plan = plan_of(queue_search(Case.objects.all(), "ward"))
    for index in ("offender_family_name_trgm", "offender_aliases_trgm", "store_name_trgm"):
        assert index in plan, plan


def test_store_and_retailer_names_are_searched_by_their_indexes(postgresql):
    assert "store_name_trgm" in plan_of(Store.objects.filter(name__icontains="ward"))
    assert "retailer_name_trgm" in plan_of(Retailer.objects.filter(name__icontains="ward"))


def test_the_indexes_find_what_a_scan_finds(world):
    """Whatever the plan, the search's rows are the same: a word in the middle of a name, in any case."""
    kept = Offender.objects.create(force=world.a.force, given_names="Ann", family_name="Edwards")
    Offender.objects.create(force=world.a.force, given_names="Bob", family_name="Smith", aliases="Ted WARDLE\nT")
    Offender.objects.create(force=world.a.force, given_names="Cy", family_name="Jones")
    found = set(offenders_search(Offender.objects.all(), q="ward").values_list("family_name", flat=True))
    assert found == {"Edwards", "Smith"}
    assert kept.pk in set(offenders_search(Offender.objects.all(), q="EDW ann").values_list("pk", flat=True))
