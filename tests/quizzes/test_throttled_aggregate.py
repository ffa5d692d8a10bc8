"""Teachers get at most ~5 aggregate updates a second, always the latest and
always a final one (see docs/quizzes.md, "Throttling")."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from classroom.models import LiveSession, Membership
from quizzes import runtime
from quizzes.actions.live import do_close_question, do_push_question, do_submit_answer
from quizzes.aggregation import CoalescingPublisher
from quizzes.domain import Participant
from quizzes.models import Question
from tests.support.quizzes import Captured, option_ids


class FakeTime:
    """A clock and scheduler the test advances by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, Callable[[], None]]] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, delay: float, fn: Callable[[], None]) -> Callable[[], None]:
        entry = (self.now + delay, fn)
        self.timers.append(entry)
        return lambda: self.timers.remove(entry) if entry in self.timers else None

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            due = sorted((t for t in self.timers if t[0] <= end), key=lambda t: t[0])
            if not due:
                break
            at, fn = due[0]
            self.timers.remove(due[0])
            self.now = at
            fn()
        self.now = end


def test_a_flood_of_changes_publishes_at_most_five_times_a_second():
    t = FakeTime()
    published: list[tuple[int, bool, float]] = []
    pub = CoalescingPublisher(
        lambda key, final: published.append((key, final, t.now)),
        interval=0.2,
        clock=t.clock,
        schedule=t.schedule,
    )
    for _ in range(2000):  # 2000 answers spread over 2 s
        pub.mark(7)
        t.advance(0.001)
    t.advance(1.0)
    times = [at for _, _, at in published]
    assert 10 <= len(times) <= 11
    assert all(b - a >= 0.2 - 1e-9 for a, b in itertools.pairwise(times))


def test_the_first_change_is_published_at_once_and_the_last_is_never_lost():
    t = FakeTime()
    published: list[float] = []
    pub = CoalescingPublisher(
        lambda key, final: published.append(t.now), clock=t.clock, schedule=t.schedule
    )
    pub.mark(1)
    t.advance(0)
    assert published == [0.0]
    pub.mark(1)
    pub.mark(1)
    t.advance(0.05)
    assert published == [0.0]  # coalesced, waiting for the interval
    t.advance(0.2)
    assert published == [0.0, 0.2]


def test_finish_publishes_the_final_state_now_and_ignores_later_marks():
    t = FakeTime()
    published: list[tuple[int, bool]] = []
    pub = CoalescingPublisher(
        lambda key, final: published.append((key, final)), clock=t.clock, schedule=t.schedule
    )
    pub.mark(3)
    t.advance(0)
    pub.mark(3)  # pending
    pub.finish(3)
    t.advance(5)
    pub.mark(3)
    t.advance(5)
    assert published == [(3, False), (3, True)]


def test_it_sends_the_final_aggregate_last_when_a_throttled_update_races_the_close():
    t = FakeTime()
    published: list[tuple[int, bool]] = []
    throttled_started = threading.Event()
    let_throttled_finish = threading.Event()

    def publish(key: int, final: bool) -> None:
        if not final:  # the scheduler thread, caught between its check and the send
            throttled_started.set()
            let_throttled_finish.wait(5)
        published.append((key, final))

    pub = CoalescingPublisher(publish, clock=t.clock, schedule=t.schedule)
    pub.mark(9)
    scheduler = threading.Thread(target=t.advance, args=(0,))
    scheduler.start()
    assert throttled_started.wait(5)
    closing = threading.Thread(target=pub.finish, args=(9,))  # the question closes now
    closing.start()
    closing.join(0.2)
    let_throttled_finish.set()
    scheduler.join(5)
    closing.join(5)
    assert published == [(9, False), (9, True)]


def test_a_throttled_update_due_after_the_close_is_not_sent():
    t = FakeTime()
    published: list[tuple[int, bool]] = []
    pub = CoalescingPublisher(
        lambda key, final: published.append((key, final)), clock=t.clock, schedule=t.schedule
    )
    pub.mark(4)
    [(_, fire)] = t.timers  # taken by the scheduler thread just before the close
    pub.finish(4)
    fire()
    assert published == [(4, True)]


def test_keys_are_throttled_independently():
    t = FakeTime()
    published: list[int] = []
    pub = CoalescingPublisher(
        lambda key, final: published.append(key), clock=t.clock, schedule=t.schedule
    )
    pub.mark(1)
    pub.mark(2)
    t.advance(0)
    assert sorted(published) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_the_teacher_gets_throttled_updates_and_a_final_aggregate_with_every_answer(
    session: LiveSession, single: Question, teacher: User, events: Captured
):
    students = [User.objects.create_user(f"s{i}", password=None) for i in range(40)]
    Membership.objects.bulk_create(
        Membership(course=session.course, user=u, role=Membership.Role.STUDENT) for u in students
    )
    lq = do_push_question(session, single, by=teacher)
    choice = option_ids(single)[0]
    for i, u in enumerate(students):
        do_submit_answer(lq, Participant.for_user(u), {"choice": choice}, f"c{i}")
    do_close_question(lq, by=teacher)
    updates = [e for _, e, audience in events if e["type"] == "quiz_aggregate"]
    assert all(a == "staff" for _, e, a in events if e["type"] == "quiz_aggregate")
    assert updates[-1]["final"] is True
    assert updates[-1]["aggregate"]["answered"] == 40
    assert updates[-1]["aggregate"]["counts"][choice] == 40
    # 40 answers, one per commit, yet far fewer non-final messages.
    assert len(updates) < 40
    assert runtime.publisher.interval == pytest.approx(0.2)
