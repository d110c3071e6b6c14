"""How the plan page, the compare page and the dashboard scale, against the account page.

Run from the repository root (or anywhere): `.venv/bin/python bench/plan.py`

An agency on the newest shipped questionnaire gets a plan of SMALL and then LARGE items (each
with an owner, a target date and a progress line), and an approved assessment followed by a
fully answered draft, so the compare page has every answer to compare. Each page is fetched with
`django.test.Client`, signed in with force_login; the floor is the account page, a signed-in
page with no agency data, measured in the same run (this machine is shared and noisy, so the
figures are ratios). Queries are counted at both sizes: they must not grow with the plan.
"""

from __future__ import annotations

import _setup

SMALL, LARGE = 10, 500


def main() -> None:
    _setup.configure()

    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from assessments import services
    from plans.models import PlanItem, PlanProgress
    from tests.factories import answer_questions

    questionnaire = _setup.load_shipped_questionnaire()
    agency, user, membership, earlier = _setup.create_assessment(
        questionnaire=questionnaire, title="2026 review"
    )
    answer_questions(
        earlier, user, values={"choice": "partial", "scale": "2", "number": "3", "text": "x"}
    )
    services.assessment_submit(assessment=earlier, user=user)
    services.assessment_approve(
        assessment=earlier, user=user, membership=membership, attested=True, flags_confirmed=True
    )
    later = services.assessment_start(
        agency=agency, user=user, membership=membership, title="2027 review",
        models=["JEM", "WSO"], phase="operating", carry_from=earlier,
    )  # fmt: skip
    answer_questions(later, user)
    client = _setup.signed_in_client(user)
    pages = {
        "account (floor)": reverse("account"),
        "plan page": reverse("plan"),
        "compare page": reverse("assessment_compare", args=[later.pk]),
        "dashboard": reverse("dashboard"),
    }
    print(f"database: {_setup.database_description()}; {_setup.TIMER_NOTE}")
    print(
        f"compare: {later.answers.count()} answers against {earlier.answers.count()}; "
        f"questionnaire v{questionnaire.version}"
    )
    made = 0
    for size in (SMALL, LARGE):
        items = PlanItem.objects.bulk_create(
            PlanItem(
                agency=agency, title=f"Plan item {n}", owner=user, priority=n, created_by=user,
                target_date=timezone.localdate() + datetime.timedelta(days=n % 60 - 20),
            )
            for n in range(made, size)
        )  # fmt: skip
        PlanProgress.objects.bulk_create(
            PlanProgress(item=item, author=user, note="Progress noted.") for item in items
        )
        made = size
        queries = {}
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200, name
            queries[name] = len(captured)
        times = _setup.time_interleaved(
            {name: ((lambda url=url: client.get(url)), 5) for name, url in pages.items()},
            repeat=7,
        )
        floor = _setup.median_ms(times["account (floor)"])
        print(f"plan of {size} items:")
        for name in pages:
            median = _setup.median_ms(times[name])
            print(
                f"  {name:<16} {median:8.2f} ms median ({_setup.spread_ms(times[name])}); "
                f"{median / floor:5.1f}x the floor; {queries[name]} queries"
            )


if __name__ == "__main__":
    main()
