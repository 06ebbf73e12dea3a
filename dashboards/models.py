"""The force admin's figures as the worker last built them (``dashboards.kept``): the charts of a large force
read millions of incidents, so the home page shows the kept copy instead of counting them on every visit."""

from django.db import models


class ForceFigures(models.Model):
    """One force's charts (``dashboards.figures.force_charts``), as data: what the page draws, tabulates and
    offers as CSV. ``day`` is the UK day they were built for (the weeks and months end on it)."""

    force = models.OneToOneField("accounts.Force", on_delete=models.CASCADE, primary_key=True, related_name="+")
    built_at = models.DateTimeField()
    day = models.DateField()
    build_seconds = models.FloatField(help_text="How long the build took (the reads it saves every visitor).")
    charts = models.JSONField()

    class Meta:
        verbose_name_plural = "force figures"

    def __str__(self) -> str:
        return f"figures of force {self.force_id} at {self.built_at:%Y-%m-%d %H:%M}"
