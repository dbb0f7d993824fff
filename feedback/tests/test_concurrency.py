"""Submissions of one survey link at the same moment: exactly one answer (the conditional
UPDATE of ``answered_at`` and the one-to-one ``Response.invitation``), on real threads with
their own database connections — PostgreSQL's row locks in the suite's PostgreSQL run.

The SQLite test database lives in shared-cache memory, whose table locks do not wait (a file
database in WAL mode waits its busy timeout): there a thread that meets one retries the whole
submission (``core.idempotency.when_unlocked``), which is what a waiting writer does."""

import threading

import pytest
from django.db import connections

from core.idempotency import when_unlocked
from feedback import services
from feedback.models import Answer, Invitation, Response
from tests.factories import CustomerFactory, UserFactory

from .helpers import answers, invite

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_link_record_exactly_one_answer():
    invitation, raw = invite(CustomerFactory(), actor=UserFactory(role="agent"))
    barrier, outcomes = threading.Barrier(THREADS), [None] * THREADS

    def submit(i):
        try:
            barrier.wait(timeout=10)
            try:
                when_unlocked(lambda: services.survey_answer(token=raw, answers=answers(quality=i)))
                outcomes[i] = "answered"
            except services.AlreadyAnswered:
                outcomes[i] = "refused"
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["answered"] + ["refused"] * (THREADS - 1), outcomes
    response = Response.objects.get()
    assert response.invitation_id == invitation.pk
    assert Answer.objects.filter(response=response).count() == 6
    assert Invitation.objects.get().answered_at == response.answered_at
