"""The hand-offs between apps that run against the flow of data, in one place.

Imports follow the data, consumer to producer: ``cases -> recognition -> {incidents, orders} ->
accounts -> core``. Where the work flows the other way (evidence stored -> matching queued; matching
finished -> cases raised; reference photo stored -> face enrolled; an order recorded late -> old
footage searched again; lost work re-sent), the hand-off is a function here. Only entry points (APIs,
views, admin, management commands and Celery tasks) import this package; no app's services, selectors
or models do, which an import test checks.

- ``workflows.evidence``: upload -> processing record queued (in the upload's transaction) -> task
  sent on commit -> matching -> matches and cases written together; the safety-net sweep.
- ``workflows.orders``: reference photo stored -> enrolled (or refused); order recorded, corrected,
  served or varied -> re-search of old footage; photo removed -> its templates forgotten.
"""
