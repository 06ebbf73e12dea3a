from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"

    def ready(self) -> None:
        # Register the task names that recognition.queue sends by (web, worker and eager tests alike).
        from recognition import tasks  # noqa: F401
