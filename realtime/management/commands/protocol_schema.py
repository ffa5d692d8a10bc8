"""`manage.py protocol_schema`: the JSON Schema of every websocket frame.

See realtime/schema.py for what the document holds and docs/frontend.md for
how ``make protocol-types`` turns it into the browser client's types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from realtime.schema import schema_text


class Command(BaseCommand):
    help = (
        "Write the JSON Schema of every registered websocket command and event "
        "(docs/frontend.md). Standard output unless --output is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="write to this file instead")

    def handle(self, *args: Any, **options: Any) -> None:
        text = schema_text()
        output = options["output"]
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {path}: {path.parent} is not a directory")
        path.write_text(text, encoding="utf-8")
