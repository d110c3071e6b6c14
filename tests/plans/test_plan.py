"""The readiness plan through the pages people use: items from an action list, status rules,
owners, overdue items, preparers' limits, exports and the calendar feed, agency isolation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from assessments import selectors
from audit.models import Event
from plans import services
from plans.models import PlanItem, PlanProgress
from plans.selectors import plan_counts
from tests.factories import answer_questions
from tests.pages import section_url, text_of

Status = PlanItem.Status


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def answered(draft, preparer):
    """The draft with every question answered, a mix of No and Partial (so it has actions)."""
    answer_questions(
        draft, preparer, values={"choice": "no", "scale": "1", "number": "3", "text": "x"}
    )
    return draft


@pytest.fixture
def planned(answered, command):
    """The draft's whole action list turned into plan items by command staff."""
    actions = [a.code for a in selectors.assessment_result(answered).actions]
    from assessments import services as assessment_services

    assessment_services.plan_from_actions(
        assessment=answered, user=command, membership=command.membership, codes=actions
    )
    return answered


def item_of(assessment, code: str) -> PlanItem:
    return PlanItem.objects.get(assessment=assessment, question_code=code)


def update(item, user, note="", **changes):
    return services.item_update(
        item=item, user=user, membership=user.membership, changes=changes, note=note
    )


# Creating items from an action list


def test_command_turns_the_action_list_into_items_in_one_step(answered, command, client_for):
    client = client_for(command)
    actions = selectors.assessment_result(answered).actions
    results = text_of(
        client.get(reverse("assessment_results", args=[answered.pk])).content.decode()
    )
    assert f"Create plan items from these {len(actions)} actions" in results
    page = client.get(reverse("assessment_plan_create", args=[answered.pk]))
    assert f"Create plan items from these {len(actions)} actions" in text_of(page.content.decode())

    response = client.post(
        reverse("assessment_plan_create", args=[answered.pk]), {"action": [a.code for a in actions]}
    )

    assert response.status_code == 302 and response["Location"] == reverse("plan")
    items = list(PlanItem.objects.order_by("priority"))
    assert [(i.question_code, i.title, i.priority) for i in items] == [
        (a.code, a.recommendation, rank) for rank, a in enumerate(actions, start=1)
    ]
    assert items[0].critical  # critical first, as the list ranks them
    assert {i.status for i in items} == {Status.OPEN}
    assert Event.objects.filter(kind=Event.Kind.PLAN_ITEM_CREATED).count() == len(actions)


def test_a_second_run_and_open_items_of_an_earlier_assessment_are_not_duplicated(
    planned, command, client_for
):
    count = PlanItem.objects.count()
    codes = list(PlanItem.objects.values_list("question_code", flat=True)[:2])

    response = client_for(command).post(
        reverse("assessment_plan_create", args=[planned.pk]), {"action": codes}, follow=True
    )

    assert PlanItem.objects.count() == count
    assert f"0 plan items created. Already in the plan: {', '.join(codes)}." in text_of(
        response.content.decode()
    )


def test_choosing_nothing_creates_nothing_and_says_so(answered, command, client_for):
    response = client_for(command).post(reverse("assessment_plan_create", args=[answered.pk]), {})

    assert response.status_code == 400
    assert "choose at least one action" in text_of(response.content.decode())
    assert not PlanItem.objects.exists()


def test_items_can_be_added_by_hand(agency, command, preparer, client_for):
    response = client_for(command).post(
        reverse("plan_item_add"),
        {"title": "Brief the county board", "owner": preparer.pk, "target_date": days(30)},
    )

    item = PlanItem.objects.get()
    assert response.status_code == 302
    assert (item.title, item.owner, item.target_date, item.question_code) == (
        "Brief the county board", preparer, days(30), ""
    )  # fmt: skip


# Status, owners and the log


def test_each_status_transition_is_logged_and_done_is_dated(planned, command):
    item = item_of(planned, planned.plan_items.first().question_code)

    update(item, command, "Started the staffing study.", status=Status.IN_PROGRESS)
    done = update(item, command, status=Status.DONE)
    assert done.done_at is not None
    reopened = update(item, command, "Budget fell through.", status=Status.OPEN)
    assert reopened.done_at is None

    log = [(p.status_from, p.status_to, p.note) for p in PlanProgress.objects.filter(item=item)]
    assert log == [
        ("open", "in_progress", "Started the staffing study."),
        ("in_progress", "done", ""),
        ("done", "open", "Budget fell through."),
    ]
    events = Event.objects.filter(kind=Event.Kind.PLAN_ITEM_CHANGED).order_by("pk")
    assert [(e.old["status"], e.new["status"]) for e in events] == [
        ("open", "in_progress"), ("in_progress", "done"), ("done", "open")
    ]  # fmt: skip
    assert events[0].comment == "Started the staffing study."


def test_marking_an_item_done_changes_no_answer(planned, command):
    item = planned.plan_items.first()
    before = list(planned.answers.values_list("question__code", "value", "version"))

    update(item, command, status=Status.DONE)

    assert list(planned.answers.values_list("question__code", "value", "version")) == before


def test_wont_do_needs_a_reason(planned, command, client_for):
    item = planned.plan_items.first()
    with pytest.raises(ValidationError, match="Say why the item will not be done"):
        update(item, command, status=Status.WONT_DO)

    response = client_for(command).post(
        reverse("plan_item", args=[item.pk]),
        {"title": item.title, "status": "wont_do", "note": "Decided at the staff meeting."},
    )
    assert response.status_code == 400
    assert "Say why the item will not be done." in text_of(response.content.decode())
    assert "Decided at the staff meeting." in response.content.decode()  # nothing typed is lost

    update(item, command, status=Status.WONT_DO, wont_do_reason="The model is no longer sought.")
    item.refresh_from_db()
    assert (item.status, item.wont_do_reason) == ("wont_do", "The model is no longer sought.")


def test_the_owner_must_be_an_active_member_of_the_agency(planned, command, outsider, preparer):
    item = planned.plan_items.first()
    with pytest.raises(ValidationError, match="Choose a member of this agency"):
        update(item, command, owner=outsider)
    preparer.is_active = False
    preparer.save()
    with pytest.raises(ValidationError, match="deactivated"):
        update(item, command, owner=preparer)


def test_a_deactivated_owner_shows_as_such(planned, command, preparer, client_for):
    item = planned.plan_items.first()
    update(item, command, owner=preparer)
    preparer.is_active = False
    preparer.save()

    text = text_of(client_for(command).get(reverse("plan")).content.decode())

    assert "Preparer Tester (deactivated)" in text


# Preparers


def test_a_preparer_records_progress_on_their_own_items_only(
    planned, command, preparer, client_for
):
    mine, other = planned.plan_items.all()[:2]
    update(mine, command, owner=preparer)
    client = client_for(preparer)

    response = client.post(
        reverse("plan_item", args=[mine.pk]),
        {"status": "in_progress", "note": "Drafted the memo."},
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "in_progress"
    assert mine.progress.get().note == "Drafted the memo."
    assert client.post(reverse("plan_item", args=[other.pk]), {"status": "done"}).status_code == 403
    with pytest.raises(PermissionDenied, match="Only command staff can change"):
        update(mine, preparer, target_date=days(3))
    assert client.get(reverse("plan_item_add")).status_code == 403
    assert client.get(reverse("assessment_plan_create", args=[planned.pk])).status_code == 403


# Overdue, counts, My actions


def test_overdue_means_unfinished_with_a_target_date_before_today(agency, command):
    def item(target, status=Status.OPEN, **extra):
        return PlanItem.objects.create(
            agency=agency, title=f"Item due {target}", target_date=target, status=status,
            created_by=command, **extra,
        )  # fmt: skip

    late = item(days(-1))
    item(days(0))
    item(days(-5), Status.DONE, done_at=timezone.now())
    item(days(-5), Status.WONT_DO, wont_do_reason="Not needed.")
    in_progress_late = item(days(-2), Status.IN_PROGRESS)
    item(None)

    assert {i.pk for i in PlanItem.objects.all() if i.overdue} == {late.pk, in_progress_late.pk}
    counts = plan_counts(agency)
    assert (counts.open, counts.overdue, counts.done_this_quarter, counts.total) == (4, 2, 1, 6)


def test_my_actions_on_the_dashboard_put_overdue_first(agency, command, preparer, client_for):
    for title, target in [("Later", days(10)), ("Late", days(-3)), ("Undated", None)]:
        services.item_create(
            agency=agency, user=command, membership=command.membership, title=title,
            owner=preparer, target_date=target,
        )  # fmt: skip

    text = text_of(client_for(preparer).get(reverse("dashboard")).content.decode())

    mine = text[text.index("My actions") :]
    assert mine.index("Late") < mine.index("Later") < mine.index("Undated")
    assert "Overdue" in mine
    command_text = text_of(client_for(command).get(reverse("dashboard")).content.decode())
    assert "3 open or in progress · 1 overdue · 0 done this quarter" in command_text


# The plan page


def test_the_plan_page_filters_and_sorts(planned, command, preparer, client_for):
    items = list(planned.plan_items.order_by("priority"))
    update(items[0], command, owner=preparer, target_date=days(20))
    update(items[1], command, owner=preparer, target_date=days(-1))
    client = client_for(command)

    def titles(**query) -> list[str]:
        response = client.get(reverse("plan"), query)
        return [i.title for i in response.context["items"]]

    assert titles(owner=preparer.pk) == [items[0].title, items[1].title]
    assert titles(owner=preparer.pk, sort="target_date") == [items[1].title, items[0].title]
    assert titles(overdue="on") == [items[1].title]
    assert titles(status="in_progress") == []
    step = items[2].section_code
    assert set(titles(step=step)) == {i.title for i in items if i.section_code == step}
    assert set(titles(dimension="community")) == {i.title for i in items if i.weight_community}


def test_the_checklist_shows_the_open_item_beside_its_question(
    planned, command, preparer, client_for
):
    item = planned.plan_items.first()
    update(item, command, owner=preparer, target_date=days(14))

    page = client_for(preparer).get(section_url(planned, item.section_code))

    assert f"In the plan: {item.title[:87]}" in text_of(page.content.decode())


# Exports and the calendar feed


def test_the_plan_csv_is_formula_safe_and_has_a_byte_order_mark(agency, command, client_for):
    services.item_create(
        agency=agency, user=command, membership=command.membership, title="=HYPERLINK(evil)"
    )

    response = client_for(command).get(reverse("plan_csv"))

    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffPriority,Title")
    assert "'=HYPERLINK(evil)" in body
    assert Event.objects.filter(kind=Event.Kind.PLAN_CSV_DOWNLOADED).count() == 1


def test_the_calendar_feed_lists_the_members_target_dates_and_renewing_stops_the_old_address(
    agency, command, preparer, client_for, client
):
    services.item_create(
        agency=agency, user=command, membership=command.membership, title="Sign the MOA",
        owner=preparer, target_date=days(7),
    )  # fmt: skip
    services.item_create(
        agency=agency, user=command, membership=command.membership, title="Not mine"
    )
    page = client_for(preparer).get(reverse("plan_calendar"))
    old = page.context["url"]

    feed = client.get(old)

    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert [(str(e["summary"]), e["dtstart"].dt) for e in events] == [
        ("Readiness plan: Sign the MOA", days(7))
    ]
    client_for(preparer).post(reverse("plan_calendar"))
    assert client.get(old).status_code == 404
    new = client_for(preparer).get(reverse("plan_calendar")).context["url"]
    assert new != old and client.get(new).status_code == 200
    assert Event.objects.filter(kind=Event.Kind.CALENDAR_FEED_RENEWED).count() == 1


def test_a_deactivated_members_feed_stops(agency, preparer, client_for, client):
    url = client_for(preparer).get(reverse("plan_calendar")).context["url"]
    preparer.is_active = False
    preparer.save()

    assert client.get(url).status_code == 404
    assert client.get(reverse("plan_calendar_feed", args=["not-a-token"])).status_code == 404


# Another agency


def test_another_agency_sees_none_of_the_plan(planned, outsider, client_for):
    item = planned.plan_items.first()
    client = client_for(outsider)

    assert client.get(reverse("plan_item", args=[item.pk])).status_code == 404
    assert client.post(reverse("plan_item", args=[item.pk]), {"status": "done"}).status_code == 404
    assert client.get(reverse("plan")).context["items"] == []
    assert item.title not in client.get(reverse("plan_csv")).content.decode()
    assert client.get(reverse("assessment_plan_create", args=[planned.pk])).status_code == 404


# Speed


@pytest.mark.slow
@pytest.mark.parametrize("size", [10, 500])
def test_the_plan_page_queries_do_not_grow_with_its_items(
    agency, command, preparer, client_for, django_assert_max_num_queries, size
):
    items = PlanItem.objects.bulk_create(
        PlanItem(agency=agency, title=f"Item {n}", owner=preparer, priority=n, created_by=command,
                 target_date=days(n % 30 - 10))
        for n in range(size)
    )  # fmt: skip
    PlanProgress.objects.bulk_create(
        PlanProgress(item=item, author=preparer, note="Progress") for item in items
    )
    client = client_for(command)

    with django_assert_max_num_queries(13):
        response = client.get(reverse("plan"))
    with django_assert_max_num_queries(13):
        client.get(reverse("dashboard"))

    assert response.context["page"].paginator.count == size
    assert len(response.context["items"]) == min(size, 50)


def test_an_item_links_to_the_next_assessments_answer(planned, command, preparer, client_for):
    item = planned.plan_items.order_by("priority").first()
    update(item, command, status=Status.DONE)
    page = text_of(client_for(command).get(reverse("plan_item", args=[item.pk])).content.decode())
    assert "Next assessment" not in page  # none yet

    from assessments import services as assessment_services

    later = assessment_services.assessment_start(
        agency=planned.agency, user=command, membership=command.membership,
        title="2028 review", models=["JEM", "WSO"], carry_from=planned,
    )  # fmt: skip
    page = text_of(client_for(command).get(reverse("plan_item", args=[item.pk])).content.decode())

    answer = later.answers.get(question__code=item.question_code).display_value
    assert f"Next assessment {item.question_code} in 2028 review (rev. 1) : {answer}" in page


def test_overdue_follows_the_installations_time_zone(agency, command, settings, monkeypatch):
    """Late on 1 December in Honolulu it is already 2 December in UTC: an item due on
    1 December is due today there, not overdue."""
    settings.TIME_ZONE = "Pacific/Honolulu"
    item = PlanItem.objects.create(
        agency=agency, title="Request the agreement", created_by=command,
        target_date=datetime.date(2026, 12, 1),
    )  # fmt: skip
    utc_morning = datetime.datetime(2026, 12, 2, 5, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: utc_morning)

    assert timezone.localdate() == datetime.date(2026, 12, 1)
    assert not item.overdue
    assert plan_counts(agency).overdue == 0
    monkeypatch.setattr(timezone, "now", lambda: utc_morning + datetime.timedelta(hours=20))
    assert item.overdue and plan_counts(agency).overdue == 1
