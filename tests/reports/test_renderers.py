"""Every file of a report renders whatever the items say, markup-like characters included."""

from __future__ import annotations

import csv
import datetime
import io

from pypdf import PdfReader

from apps.items.models import Action
from apps.items.services import item_apply_action
from apps.org.models import UnitLevel
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from apps.reports.services import report_request
from tests.factories import UnitFactory, WorkItemFactory
from tests.reports.conftest import WEEK_START, travel_to

# ReportLab reads Paragraph text as markup: unescaped, the tags vanish, "&D" turns into "&D;", and a lone "<"
# stops the whole PDF (and with it the report).
TITLE = "供水管网<b>一期</b> & R&D配套"
REASON = "材料不全 x<y"
UNIT_NAME = "高新区<br/>园区"


def test_report_pdf_shows_titles_reasons_and_unit_names_with_markup_characters(
    owner, leader, supervisor, city, district, staff, django_capture_on_commit_callbacks
):
    # given: an item whose title, return reason and sibling unit hold "<", ">" and "&"
    UnitFactory(name=UNIT_NAME, code="GX", level=UnitLevel.COUNTY, parent=city)
    with travel_to(datetime.date(2021, 6, 1)):
        item = WorkItemFactory(unit=district, by=owner, title=TITLE, deadline=datetime.date(2021, 6, 30))
    with travel_to(datetime.date(2021, 6, 8)):
        for action in (Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE, Action.RETURN):
            by = {Action.APPROVE: leader, Action.RETURN: supervisor}.get(action, owner)
            item = item_apply_action(item=item, by=by, action=action, reason=REASON)

    # when
    with travel_to(datetime.date(2021, 6, 14)), django_capture_on_commit_callbacks(execute=True):
        report = report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)
    report = Report.objects.get(pk=report.pk)

    # then: the report is complete and its PDF reads back with the text as written
    assert report.status == ReportStatus.COMPLETE, report.error
    with report.pdf_file.open("rb") as stored:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)
    for written in (TITLE, REASON, UNIT_NAME):
        assert written in text
    with report.csv_file.open("rb") as stored:
        rows = list(csv.reader(io.StringIO(stored.read().decode("utf-8-sig"))))
    assert any(TITLE in row and REASON in row for row in rows)
