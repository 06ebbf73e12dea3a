"""Filter sets of the recognition lists: the API's one filtering pattern (a generic ListAPIView with an
explicit ``filterset_class`` over a selector's queryset). Foreign keys filter by id on the already
scoped queryset (``core.filters.ScopedFilterSet``): another force's id answers like a missing one."""

from core.filters import IdFilter, ScopedFilterSet
from recognition.models import EvidenceProcessing, PossibleMatch, ResearchJob


class ProcessingFilterSet(ScopedFilterSet):
    incident = IdFilter(field_name="evidence__incident_id", help_text="Only this incident's files.")

    class Meta:
        model = EvidenceProcessing
        fields = ["status", "result", "evidence", "incident"]


class PossibleMatchFilterSet(ScopedFilterSet):
    class Meta:
        model = PossibleMatch
        fields = ["evidence", "offender"]


class ResearchJobFilterSet(ScopedFilterSet):
    offender = IdFilter(field_name="offender_id", help_text="Only re-searches for this person.")
    order = IdFilter(field_name="order_id", help_text="Only re-searches of this order's footage.")
    incident = IdFilter(field_name="incident_id", help_text="Only re-searches a force admin asked for this incident.")

    class Meta:
        model = ResearchJob
        fields = ["status", "trigger", "offender", "order", "incident"]
