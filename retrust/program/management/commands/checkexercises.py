"""`retrust checkexercises [DIR]`: validate exercise files before they ship.

Exits non-zero naming the first file and field at fault; prints a one-line summary otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retrust.program import content


class Command(BaseCommand):
    help = "Check the exercise library (or the Markdown files in DIR) and summarise it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default=str(content.EXERCISE_DIR))

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        try:
            library = content.load_library(directory.glob("*.md"))
        except content.ExerciseFileError as exc:
            raise CommandError(str(exc)) from exc
        by_stage: dict[int, int] = {}
        for exercise in library.values():
            by_stage[exercise.stage] = by_stage.get(exercise.stage, 0) + 1
        stages = ", ".join(f"stage {s}: {n}" for s, n in sorted(by_stage.items()))
        self.stdout.write(f"{len(library)} exercises, all valid ({stages}).")
