"""The Celery app. Settings come from Django's, prefixed CELERY_.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import logging
import os
from pathlib import Path

import kombu.transport
from celery import Celery
from celery.signals import celeryd_after_setup, celeryd_init
from kombu.transport import filesystem
from kombu.utils.scheduling import FairCycle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
logger = logging.getLogger(__name__)


# Queues in order on the filesystem broker ---------------------------------------------------------


class _InOrder(FairCycle):
    """Each poll tries the queues from the first one: the first that holds a message wins (kombu's
    FairCycle goes on from where the last poll stopped, so the queues take turns)."""

    def get(self, callback, **kwargs):
        self.pos = 0
        return super().get(callback, **kwargs)


class _FilesystemChannel(filesystem.Channel):
    def _reset_cycle(self) -> None:
        self._cycle = _InOrder(self._get_and_deliver, self._active_queues, filesystem.Empty)


class FilesystemTransport(filesystem.Transport):
    """kombu's filesystem transport (the embedded default), except that a worker takes its queues strictly
    in its ``--queues`` order, as the Redis transport does with ``queue_order_strategy="priority"``: urgent
    evidence (``recognition_urgent``) is taken before the ``recognition`` backlog."""

    Channel = _FilesystemChannel


# "filesystem://" URLs name this transport (kombu resolves a URL's scheme through TRANSPORT_ALIASES),
# in every process that loads the app, before any connection is made.
kombu.transport.TRANSPORT_ALIASES["filesystem"] = f"{__name__}:FilesystemTransport"

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


@celeryd_after_setup.connect
def urgent_queue_first(sender=None, instance=None, **kwargs) -> None:
    """A worker started with ``--queues ...,recognition,...`` but without ``recognition_urgent`` (an older
    unit file or command line) takes the urgent queue too, just before ``recognition``: urgent evidence
    is never left in a queue that nobody reads."""
    from django.conf import settings

    urgent, ordinary = settings.RECOGNITION_URGENT_QUEUE, settings.RECOGNITION_QUEUE
    queues = (instance.app if instance is not None else app).amqp.queues
    names = list(queues.consume_from)
    if ordinary not in names or urgent in names:
        return
    names.insert(names.index(ordinary), urgent)
    queues.select(names)
    logger.info("retrace: this worker takes %s before %s (queues: %s)", urgent, ordinary, ",".join(names))


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
