"""The REST API: Django REST Framework and its OpenAPI schema (drf-spectacular)."""

from config.env import env

# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasRole"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.filters.ScopedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exception_handlers.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Retrace API",
    "DESCRIPTION": (
        "Retailer incident reporting and CBO-breach cases for UK policing.\n\n"
        "Authenticate with `Authorization: Token <key>` (from `POST /api/auth/token/`) or a session.\n\n"
        'Every error has one shape: `{"message": str, "code": str, "fields": {field: [str]}}`; '
        "`fields` is empty unless the error concerns particular fields. Lists are paginated "
        "(`?page=N`, `?page_size=N` up to 200)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
        "core.schema.add_error_codes",
    ],
    # Distinct OpenAPI enum names for choice sets whose field names repeat across apps
    # (several models have a "status" or a "kind").
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "IncidentCategoryEnum": "incidents.models.Incident.Category",
        "IncidentPriorityEnum": "incidents.models.Incident.Priority",
        "EvidenceKindEnum": "incidents.models.Evidence.Kind",
        "OrderKindEnum": "orders.models.Order.Kind",
        "ProhibitionKindEnum": "orders.models.Prohibition.Kind",
        "OrderEventKindEnum": "orders.models.OrderEvent.Kind",
        "OffenderEventKindEnum": "orders.models.OffenderEvent.Kind",
        "CaseStatusEnum": "cases.models.Case.Status",
        "CaseDecisionStageEnum": "cases.models.CaseDecision.Stage",
        "CaseDecisionOutcomeEnum": "cases.models.CaseDecision.Outcome",
        "CaseAccessKindEnum": "cases.models.CaseAccess.Kind",
    },
}

# Lists count their rows up to this many and then say "more than" (core.pagination.BoundedPaginator):
# counting a force's millions of incidents for a pager costs more than the page itself.
LIST_COUNT_LIMIT = env.int("LIST_COUNT_LIMIT", default=10_000)
