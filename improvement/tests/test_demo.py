"""The demo's improvement showcase: written through the services, every screen has something."""

import pytest
from django.utils import timezone

from demo.generator import generate
from improvement.models import CorrectiveAction, ImprovementAction, Promise, TrainingNeed, VocTheme

NOW = timezone.now().replace(minute=0, second=0, microsecond=0)


@pytest.mark.django_db
def test_the_demo_fills_the_improvement_screens(django_capture_on_commit_callbacks):
    generate(seed=7, orders=60, now=NOW, batch=120, each=lambda: django_capture_on_commit_callbacks(execute=True))

    kinds = set(CorrectiveAction.objects.values_list("kind", flat=True))
    assert {"training", "doc_fix", "free"} <= kinds
    assert TrainingNeed.objects.filter(ad_hoc_appraisal=True).count() == 2
    assert sorted(Promise.objects.values_list("status", "required_role")) == sorted(
        [("pending", "supervisor"), ("pending", "manager"), ("communicated", "manager"), ("refused", "supervisor")]
    )
    assert set(ImprovementAction.objects.values_list("status", flat=True)) == {"plan", "do", "check", "act", "closed"}
    assert ImprovementAction.objects.filter(status="check", effect_checked_at__isnull=False).exists()
    assert VocTheme.objects.exists()
    assert all(a.created_at <= NOW for a in CorrectiveAction.objects.all())
