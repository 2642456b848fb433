"""The 好差评 rates over plain records: an excluded bad review counts in evaluations only; the call-back and
on-time rectification rates judge only what is done or past its deadline by now."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.domain.metrics import Event, Span, compute

CST = timezone(timedelta(hours=8))
SPAN = Span(datetime(2026, 4, 1, tzinfo=CST), datetime(2026, 5, 1, tzinfo=CST), datetime(2026, 4, 20, tzinfo=CST))
AT = datetime(2026, 4, 2, 10, tzinfo=CST)
DUE = datetime(2026, 4, 4, tzinfo=CST)


def test_an_excluded_bad_review_leaves_satisfaction_and_the_rates() -> None:
    events = [
        Event("evaluation", AT, level=5),
        Event("evaluation", AT, level=1, revoked=True),
        Event("callback", AT, revoked=True, due_at=DUE, done_at=None),
    ]
    figures = compute([], events, SPAN)
    assert (figures["evaluations"], figures["bad_reviews"], figures["excluded_reviews"]) == (2, 0, 1)
    assert (figures["satisfaction_rate"], figures["callback_rate"]) == (100.0, 0.0)


def test_timely_rates_judge_what_is_done_or_past_due() -> None:
    events = [
        Event("callback", AT, due_at=DUE, done_at=AT + timedelta(hours=3)),  # on time
        Event("callback", AT, due_at=DUE, done_at=DUE + timedelta(days=1)),  # late
        Event("callback", AT, due_at=DUE, done_at=None),  # past due, never done: late
        Event("callback", AT, due_at=SPAN.now + timedelta(days=1), done_at=None),  # not due yet: not judged
        Event("rectification", AT, due_at=DUE, done_at=DUE),  # the deadline itself is on time
    ]
    figures = compute([], events, SPAN)
    assert figures["callback_rate"] == 33.33
    assert figures["rectification_on_time_rate"] == 100.0
