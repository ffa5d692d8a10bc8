"""`manage.py page_schema`: the JSON Schema of the live pages' data (frontend/page_data.py).

``make protocol-types`` turns it into frontend/types/pages.d.ts (docs/frontend.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontend.page_data import page_schema_text


class Command(BaseCommand):
    help = "Write the JSON Schema of the live pages' data. Standard output unless --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="write to this file instead")

    def handle(self, *args: Any, **options: Any) -> None:
        text = page_schema_text()
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"])
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {path}: {path.parent} is not a directory")
        path.write_text(text, encoding="utf-8")
