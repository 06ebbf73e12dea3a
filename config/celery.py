"""The Celery app. Settings come from Django's, prefixed CELERY_.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("retrace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# kombu's filesystem transport (the embedded default) reads and writes folders it does not create.
_FILESYSTEM_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def create_broker_folders(sender: Celery, source, **kwargs) -> None:
    """Create the filesystem broker's folders once the app has its settings, before the first message
    is sent or read (settings only name them: importing settings writes nothing)."""
    if not str(source.broker_url or "").startswith("filesystem://"):
        return
    options = source.broker_transport_options or {}
    for key in _FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@celeryd_init.connect
def worker_broker_reads_wait(conf=None, **kwargs) -> None:
    """A worker's broker reads have no timeout (CELERY_BROKER_SOCKET_TIMEOUT bounds the sends of web
    processes only). With kombu's Redis transport, a read that times out while Redis hangs can fail an
    acknowledgement half-way and drop the consumer's pending BRPOP: the worker then waits on nothing and
    never takes a task again. Without the timeout it waits for Redis and carries on when it answers;
    connect timeouts and keepalive still apply."""
    conf = conf or app.conf
    options = dict(conf.broker_transport_options or {})
    if options.pop("socket_timeout", None) is not None:
        conf.broker_transport_options = options
