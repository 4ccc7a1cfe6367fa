"""The item page's buttons say what they do: the step forward is primary, undoing someone's work asks first;
photos show as thumbnails."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import Status, WorkItem
from apps.items.services import item_apply_action, item_post_progress
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.conftest import wait_until_drawn
from tests.e2e.test_item_journey import PASSWORD, PNG
from tests.factories import WorkItemFactory


def test_item_page_return_asks_first_and_shows_photos_as_thumbnails(page_as, tmp_path, settings):
    # given: a completed item of 五华区 with a photo, checked by the city's supervisor
    settings.MEDIA_ROOT = tmp_path
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    official = user_create(
        username="official", password=PASSWORD, full_name="张敏", unit=district, roles=[Role.OFFICIAL]
    )
    admin = user_create(
        username="admin5", password=PASSWORD, full_name="陈管理", unit=district, roles=[Role.UNIT_ADMIN]
    )
    user_create(username="supervisor", password=PASSWORD, full_name="刘督查", unit=city, roles=[Role.SUPERVISOR])
    item = WorkItemFactory(unit=district, by=official)
    for action, by in [("submit", official), ("approve", admin), ("start", official)]:
        item_apply_action(item=item, by=by, action=action)
    item_post_progress(
        item=item, by=official, note="管网已铺设", percent=80, files=[SimpleUploadedFile("现场.png", PNG, "image/png")]
    )
    item_apply_action(item=item, by=official, action="complete")
    page = page_as("supervisor", PASSWORD)
    page.goto(f"/items/{item.pk}/")

    # then: close is the primary step, return looks dangerous; the photo is a loaded thumbnail
    assert "primary" in page.get_attribute("button[value=close]", "class")
    assert "danger" in page.get_attribute("button[value=return]", "class")
    # the thumbnail is lazy: it loads once it comes near the viewport, so bring it there, then see it drawn
    page.locator("img.thumb").first.scroll_into_view_if_needed()
    wait_until_drawn(page.locator("img.thumb").first)

    # when: return is pressed and the question dismissed, then pressed again and confirmed
    page.fill("#id_reason", "佐证材料不全")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button[value=return]")
    page.wait_for_timeout(300)
    dismissed = WorkItem.objects.get(pk=item.pk).status
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=return]")
    page.wait_for_selector("#reason-callout")

    # then: nothing happened until it was confirmed; the reason now stands on top of the page
    assert dismissed == Status.COMPLETED
    assert WorkItem.objects.get(pk=item.pk).status == Status.RETURNED
    assert "佐证材料不全" in page.inner_text("#reason-callout")
