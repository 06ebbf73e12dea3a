"""The force admin's order desk in the portal (``/desk/``): offenders with their photos, orders with their
prohibitions, and the step-by-step recording of an order. Every write goes through ``orders.services`` or,
where recognition must follow (a photo enrolled, old footage searched again), ``workflows.orders``, exactly
as the API and the admin do.

``shared_views``: access, pagination, finding a row of the force; ``offender_views``: people and photos;
``order_views``: the orders list and page with service, variation and discharge; ``wizard_views``: record an
order step by step."""
