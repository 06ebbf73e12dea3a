import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recognition import calibration
from recognition.engine import EngineError
from recognition.evaluation import evaluate
from recognition.models import RecognitionEvaluation
from recognition.weights import WeightsMissing


class Command(BaseCommand):
    help = (
        "Evaluate the face model on labelled pairs (CSV file_x,file_y,decision) and print JSON: pairs, accuracy, "
        "true/false match rates at the threshold, the best threshold and the ROC AUC. The pair distances are "
        "saved so force admins see these figures at their own threshold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pairs", required=True, help="CSV of labelled pairs.")
        parser.add_argument("--images", required=True, help="Folder of the images (file names only are used).")
        parser.add_argument("--threshold", type=float, default=None, help="Default: RECOGNITION_DEFAULT_THRESHOLD.")
        parser.add_argument("--no-save", action="store_true", help="Do not keep the pair distances.")
        parser.add_argument(
            "--write-calibration",
            action="store_true",
            help="Also write the distances to recognition/calibration_data/ (shipped with the code).",
        )

    def handle(self, *args, pairs, images, threshold, no_save, write_calibration, **options):
        pairs_path, images_dir = Path(pairs), Path(images)
        if not pairs_path.is_file():
            raise CommandError(f"No pairs file at {pairs_path}.")
        if not images_dir.is_dir():
            raise CommandError(f"No images folder at {images_dir}.")
        threshold = settings.RECOGNITION_DEFAULT_THRESHOLD if threshold is None else threshold
        try:
            figures, distances, labels = evaluate(pairs_path, images_dir, threshold=threshold)
        except (WeightsMissing, EngineError, FileNotFoundError, ValueError, KeyError) as exc:
            raise CommandError(f"Evaluation failed: {exc}") from exc
        if write_calibration:
            calibration.write(
                pairs_file=figures.pairs_file,
                distances=distances,
                labels=labels,
                unusable=figures.unusable_pairs,
                model_name=figures.model_name,
                model_version=figures.model_version,
            )
        self.stdout.write(json.dumps(figures.as_dict(), indent=2))
        if not no_save:
            self._save(RecognitionEvaluation, figures, distances, labels)

    def _save(self, model, figures, distances, labels) -> None:
        from django.db import DatabaseError

        try:
            model.objects.create(
                pairs_file=figures.pairs_file,
                model_name=figures.model_name,
                model_version=figures.model_version,
                distances=distances,
                labels=labels,
                unusable_pairs=figures.unusable_pairs,
            )
        except DatabaseError as exc:
            message = f"Could not save the evaluation ({exc}): run `manage.py migrate`, or pass --no-save."
            raise CommandError(message) from exc
