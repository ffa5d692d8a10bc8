"""Every state change of courses and live sessions, by topic (see docs/protocol.md).

- ``sessions``: create, start and end a session; open a slide or an agenda item
- ``annotations``: the teacher's drawings
- ``live``: what touches no database row (viewport, pointer, lock, spotlight,
  hands, questions, follow)
- ``guests``: joining by code

``check_*`` functions validate and raise ``classroom.errors.ActionError``;
``do_*`` functions mutate and emit. Database-backed actions are synchronous
and emit with ``send_event_on_commit``, so a broadcast never announces
something that could roll back. Live-only actions are ``async`` and publish
directly, updating the live state store in the same round trip.
"""
