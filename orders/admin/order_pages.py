"""The pages of an order beyond its change form: record a discharge, a variation, or import prohibited
premises from CSV (preview, then import). Each saves through a service or ``workflows.orders``."""

import base64

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.exceptions import ApplicationError
from orders.forms import OrderDischargeForm, OrderVaryForm, PremisesImportForm
from orders.models import Order
from orders.services import orders as order_services
from workflows import orders as order_workflows


class OrderPagesMixin:
    """For ``OrderAdmin``: ``<id>/discharge/``, ``<id>/vary/`` and ``<id>/import-premises/``."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:order_id>/discharge/", view(self.discharge_view), name="orders_order_discharge"),
            path("<int:order_id>/vary/", view(self.vary_view), name="orders_order_vary"),
            path("<int:order_id>/import-premises/", view(self.import_view), name="orders_order_import"),
            *super().get_urls(),
        ]

    def _order(self, request, order_id: int) -> Order:
        order = self.get_queryset(request).filter(pk=order_id).first()
        if order is None or not self.has_change_permission(request, order):
            raise Http404
        return order

    def _page(self, request, order, title, template, **context):
        return TemplateResponse(
            request,
            f"admin/orders/order/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "original": order, "title": title,
             "change_url": reverse("admin:orders_order_change", args=[order.pk]), **context},
        )  # fmt: skip

    def _done(self, request, order, message):
        self.message_user(request, message, level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def discharge_view(self, request, order_id: int):
        order = self._order(request, order_id)
        form = OrderDischargeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                order_services.order_discharge(order=order, actor=request.user, **form.cleaned_data)
                return self._done(request, order, f"Order {order.case_reference} discharged.")
            except ApplicationError as exc:
                form.add_error(None, exc.message)
        return self._page(request, order, f"Discharge {order}", "action_form.html", form=form)

    def vary_view(self, request, order_id: int):
        order = self._order(request, order_id)
        form = OrderVaryForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            try:
                _vary(request, order, form)
                return self._done(request, order, f"Order {order.case_reference} varied.")
            except ApplicationError as exc:
                form.add_error(None, exc.message)
        return self._page(request, order, f"Vary {order}", "action_form.html", form=form)

    def import_view(self, request, order_id: int):
        order = self._order(request, order_id)
        form = PremisesImportForm(request.POST or None, request.FILES or None, order=order)
        report = None
        if request.method == "POST" and form.is_valid():
            content = form.file_bytes()
            if content is None:
                form.add_error("file", "Choose a CSV file.")
            else:
                confirm = "import" in request.POST
                try:
                    report = _import(request, order, form, content, confirm=confirm)
                    if confirm:
                        message = f"{report.store_count} stores imported as prohibited premises."
                        return self._done(request, order, message)
                    initial = {**form.cleaned_data, "content": base64.b64encode(content).decode()}
                    form = PremisesImportForm(initial=initial, order=order)
                except ApplicationError as exc:
                    _import_errors(form, exc)
        return self._page(request, order, f"Import prohibited premises for {order}", "import_premises.html",
                          form=form, report=report)  # fmt: skip


def _vary(request, order: Order, form: OrderVaryForm) -> Order:
    data = form.cleaned_data
    terms = {}
    if data["indefinite"]:
        terms["indefinite"] = True
    elif data["ends_on"]:
        terms.update(ends_on=data["ends_on"], indefinite=False)
    return order_workflows.order_vary(
        order=order,
        actor=request.user,
        varied_on=data["varied_on"],
        reason=data["reason"],
        remove_prohibitions=list(data["remove_prohibitions"]),
        add_prohibitions=form.added_prohibitions(),
        **terms,
    )


def _import(request, order: Order, form: PremisesImportForm, content: bytes, *, confirm: bool):
    return order_workflows.premises_import(
        order=order,
        actor=request.user,
        content=content,
        dry_run=not confirm,
        description=form.cleaned_data["description"],
        prohibition=form.cleaned_data["prohibition"],
    )


def _import_errors(form: PremisesImportForm, exc: ApplicationError) -> None:
    form.add_error(None, exc.message)
    for line, errors in exc.fields.items():
        if line.startswith("line "):
            form.add_error(None, f"{line}: {errors[0]}")
