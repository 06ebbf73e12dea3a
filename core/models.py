from django.db import models


class BaseModel(models.Model):
    """Created/updated timestamps for every domain row."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """Written by the `core.heartbeat` task: proves a worker took a task off the broker and ran it."""

    note = models.CharField(max_length=200)
    hostname = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.hostname} {self.note}"
