"""Filter sets of the accounts lists: the API's one filtering pattern (a generic ListAPIView with an
explicit ``filterset_class`` over a selector's queryset, ``accounts.access``). Foreign keys filter by id
on the already scoped queryset (``core.filters.ScopedFilterSet``)."""

from accounts.models import Store, User
from core.filters import ScopedFilterSet


class StoreFilterSet(ScopedFilterSet):
    class Meta:
        model = Store
        fields = ["retailer", "beat", "postcode"]


class UserFilterSet(ScopedFilterSet):
    class Meta:
        model = User
        fields = ["role"]
