"""Every quiz state change, by topic (see docs/quizzes.md).

- ``live``: push a question, take answers (group commit), close, dismiss
- ``reveal``: reveal, results, the leaderboard, the question a (re)connecting
  client sees
- ``resume``: restart resilience (resume open questions, close at deadlines)
- ``assignments``: self-paced assignments

``check_*`` functions validate and raise ``QuizError``; ``do_*`` functions
mutate inside a transaction and emit events (``quizzes.events.emit``) that
leave only after the commit. The websocket handlers (quizzes/ws.py) call
these with typed input and a ``QuizError`` becomes the consumer's error
frame; HTTP views turn it into ``{"error": ...}`` with ``QuizError.status``.
Who may do what is quizzes/permissions.py.
"""
