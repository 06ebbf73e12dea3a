from django.core.management.base import BaseCommand

from core.exceptions import ApplicationError
from orders.models import ReferencePhoto
from recognition.engine import get_engine
from recognition.models import FaceTemplate
from recognition.services import reference_photo_enrol


class Command(BaseCommand):
    help = (
        "Enrol every reference photo that has no template of the current model version (after a model change, "
        "or photos added while enrolment failed). Old versions' templates are deleted with --prune."
    )

    def add_arguments(self, parser):
        parser.add_argument("--prune", action="store_true", help="Delete templates of other model versions.")

    def handle(self, *args, prune, **options):
        version = get_engine().model_version
        current = FaceTemplate.objects.filter(model_version=version).values("reference_photo_id")
        enrolled, failed = 0, 0
        for photo in ReferencePhoto.objects.exclude(pk__in=current).iterator():
            try:
                reference_photo_enrol(photo=photo)
                enrolled += 1
            except ApplicationError as exc:
                failed += 1
                self.stderr.write(f"photo {photo.pk}: {exc.code}: {exc.message}")
        pruned = FaceTemplate.objects.exclude(model_version=version).delete()[0] if prune else 0
        self.stdout.write(
            f"{enrolled} photo(s) enrolled with {version}; {failed} failed; {pruned} old template(s) deleted."
        )
