from django.urls import path

from dashboards import views

urlpatterns = [
    path("home/counts.json", views.counts_json, name="dashboards-counts"),
    path("home/figures/<slug:slug>.csv", views.chart_csv, name="dashboards-chart-csv"),
]
