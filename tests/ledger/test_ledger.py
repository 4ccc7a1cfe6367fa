"""Ledger (台账) import: the template, the preview naming every problem, all-or-nothing, re-import, scoping."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.accounts.models import Role
from apps.items import bulk
from apps.items.models import Action, ItemKind, ItemTransition, OwnerType, Status, WorkItem
from apps.items.services import item_update
from apps.ledger.columns import GUIDE_SHEET_TITLE, LEDGER_COLUMNS, LEDGER_SHEET_TITLE
from apps.ledger.models import ImportJob, JobStatus
from apps.ledger.services import import_job_commit
from apps.ledger.tasks import ledger_commit_task
from tests.factories import UserFactory, WorkItemFactory

IMPORT_HEADERS = [column.header for column in LEDGER_COLUMNS if column.imported]


def ledger_row(**cells: Any) -> dict[str, Any]:
    """A right row of a livelihood plan of 五华区, with `cells` (Chinese header → value) changed."""
    row = {
        "责任主体类型": "参与单位领导班子",
        "事项名称": "老旧小区改造",
        "具体内容": "改造供水管网",
        "类别": "住房",
        "服务对象": "小区居民",
        "责任人": "张敏",
        "工作要求": "年底前完工",
        "开始日期": "2030-01-01",
        "完成时限": "2030-06-30",
        "是否重点": "否",
        "来源": "群众诉求",
    }
    row.update(cells)
    return row


def ledger_xlsx(rows: Sequence[dict[str, Any]], headers: Sequence[str] = IMPORT_HEADERS, name: str = "台账.xlsx"):
    """An XLSX ledger as an office would fill it in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET_TITLE
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def upload(client, user, unit, file) -> ImportJob:
    client.force_login(user)
    response = client.post(reverse("ledger:import"), {"unit": unit.pk, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("ledger:import_job", args=[job.pk])
    return job


def commit(client, job: ImportJob) -> ImportJob:
    response = client.post(reverse("ledger:import_commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def item_snapshot(item: WorkItem) -> tuple:
    """Everything a ledger carries about an item."""
    return (
        item.number,
        item.kind,
        item.owner_type,
        item.unit_id,
        item.owner_person_id,
        item.title,
        item.content,
        item.category_id,
        item.beneficiaries,
        item.responsible_unit_id,
        item.responsible_person_id,
        item.requirements,
        item.start_date,
        item.deadline,
        item.is_key,
        item.key_level,
        item.source,
    )


@pytest.fixture
def importer(unit_admin, owner):
    """The unit administrator of 五华区, with the owner (张敏) as a colleague the ledger names."""
    return unit_admin


def test_ledger_template_has_the_chinese_columns_and_a_sheet_explaining_them(client, owner):
    client.force_login(owner)

    response = client.get(reverse("ledger:template"))

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [LEDGER_SHEET_TITLE, GUIDE_SHEET_TITLE]
    headers = [cell.value for cell in workbook[LEDGER_SHEET_TITLE][1]]
    assert headers == IMPORT_HEADERS
    assert headers[:6] == ["编号", "清单类型", "责任主体类型", "所属单位", "清单所属人", "事项名称"]
    guide = {row[0]: row for row in workbook[GUIDE_SHEET_TITLE].iter_rows(min_row=2, values_only=True) if row[0]}
    assert {column.header for column in LEDGER_COLUMNS} <= set(guide)
    assert guide["完成时限"][1] == "是"  # required
    assert "参与单位领导班子" in guide["责任主体类型"][3]  # the allowed values
    assert "住房" in guide["类别"][3]


def test_ledger_import_one_bad_row_among_1000_writes_nothing_and_names_row_and_column(client, importer, district):
    # given: 1,000 right rows but one, whose deadline is no date
    rows = [ledger_row(事项名称=f"民生实事第{n}项") for n in range(1000)]
    rows[499]["完成时限"] = "2030-13-45"
    items_before, transitions_before = WorkItem.objects.count(), ItemTransition.objects.count()

    # when: it is uploaded, and someone insists on importing it
    job = upload(client, importer, district, ledger_xlsx(rows))
    job = commit(client, job)

    # then: the preview names row 501 (the header is row 1) and the column 完成时限, and nothing was written
    assert job.status == JobStatus.INVALID
    assert job.problem_count == 1
    assert [(p["row"], p["column"]) for p in job.problems] == [(501, "完成时限")]
    page = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert "501" in page and "完成时限" in page and "2030-13-45" in page
    assert WorkItem.objects.count() == items_before
    assert ItemTransition.objects.count() == transitions_before


def test_ledger_import_right_file_creates_drafts_with_numbers_transitions_and_history(
    client, importer, district, township, owner
):
    rows = [
        ledger_row(),
        ledger_row(
            事项名称="走访慰问困难党员",
            清单类型="为民办事清单",
            责任主体类型="党员个人",
            清单所属人="owner",
            是否重点="是",
            重点级别="县级重点事项",
            责任单位="HS",
            责任人="",
        ),
        ledger_row(事项名称="街道便民服务点", 所属单位="华山街道", 责任人=""),
    ]

    job = upload(client, importer, district, ledger_xlsx(rows))
    assert job.status == JobStatus.VALID
    assert job.summary == {"new": 3, "updated": 0, "unchanged": 0}
    assert not WorkItem.objects.exists()  # the preview writes nothing
    preview = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert reverse("ledger:import_commit", args=[job.pk]) in preview and 'id="summary-new">3<' in preview
    job = commit(client, job)
    done = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert f"{reverse('items:list')}?unit={district.pk}" in done

    assert job.status == JobStatus.DONE
    year = datetime.date.today().year
    items = {item.title: item for item in WorkItem.objects.all()}
    plan = items["老旧小区改造"]
    assert plan.number == f"WH-{year}-0001"
    assert (plan.status, plan.kind, plan.unit, plan.responsible_unit) == (
        Status.DRAFT,
        ItemKind.LIVELIHOOD_PLAN,
        district,
        district,
    )
    assert plan.responsible_person == owner
    assert plan.start_date == datetime.date(2030, 1, 1) and plan.deadline == datetime.date(2030, 6, 30)
    assert plan.source == "citizen_request" and plan.category.name == "住房" and plan.created_by == importer
    service = items["走访慰问困难党员"]
    assert (service.kind, service.owner_type, service.owner_person) == (
        ItemKind.SERVICE_LIST,
        OwnerType.PARTY_MEMBER,
        owner,
    )
    assert service.is_key and service.key_level == "county" and service.responsible_unit == township
    assert items["街道便民服务点"].unit == township
    assert items["街道便民服务点"].number == f"HS-{year}-0001"
    for item in items.values():
        assert list(item.transitions.values_list("action", "to_status", "by")) == [
            (Action.CREATE, Status.DRAFT, importer.pk)
        ]
        assert item.history.count() == 1 and item.history.get().history_user == importer


def test_ledger_import_numbers_follow_those_already_taken(client, importer, district, make_item):
    existing = make_item(Status.DRAFT)

    job = commit(client, upload(client, importer, district, ledger_xlsx([ledger_row()])))

    assert job.status == JobStatus.DONE
    new = WorkItem.objects.exclude(pk=existing.pk).get()
    assert (new.year, new.sequence) == (existing.year, existing.sequence + 1)


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"所属单位": "不存在的单位"}, "所属单位", "不存在的单位"),
        ({"所属单位": "PL"}, "所属单位", "PL"),  # the sibling district: outside the uploader's subtree
        ({"责任单位": "盘龙区"}, "责任单位", "盘龙区"),
        ({"责任人": "查无此人"}, "责任人", "查无此人"),
        ({"完成时限": "明年"}, "完成时限", "明年"),
        ({"完成时限": ""}, "完成时限", ""),
        ({"事项名称": ""}, "事项名称", ""),
        ({"开始日期": "2030-07-01"}, "完成时限", "2030-07-01"),
        ({"类别": "天文"}, "类别", "天文"),
        ({"责任主体类型": "村委会"}, "责任主体类型", "村委会"),
        ({"清单类型": "为民办事清单"}, "清单类型", ""),
        ({"责任主体类型": "党员个人"}, "清单所属人", ""),
        ({"是否重点": "是"}, "重点级别", ""),
        ({"是否重点": "也许"}, "是否重点", ""),
        ({"重点级别": "国家级"}, "重点级别", "国家级"),
        ({"事项名称": "长" * 201}, "事项名称", "201"),
        ({"编号": "2021-001"}, "编号", "2021-001"),
    ],
)
def test_ledger_preview_names_each_problem_by_row_and_column(
    client, importer, district, sibling_district, cells, column, says
):
    rows = [ledger_row(事项名称="第一行"), ledger_row(**cells)]

    job = upload(client, importer, district, ledger_xlsx(rows))

    assert job.status == JobStatus.INVALID
    assert (3, column) in [(p["row"], p["column"]) for p in job.problems], job.problems
    assert all(p["row"] == 3 for p in job.problems)
    assert says in next(p["message"] for p in job.problems if p["column"] == column)
    assert not WorkItem.objects.exists()


def test_ledger_preview_names_a_number_given_twice_in_the_file(client, importer, district, make_item):
    item = make_item(Status.DRAFT)
    row = ledger_row(
        编号=item.number, 事项名称=item.title, 完成时限=item.deadline.isoformat(), 开始日期="", 类别="其他"
    )
    row.update(服务对象="", 具体内容="", 工作要求="", 责任人="", 来源="自主谋划")

    job = upload(client, importer, district, ledger_xlsx([row, dict(row)]))

    assert job.status == JobStatus.INVALID
    assert [(p["row"], p["column"]) for p in job.problems] == [(3, "编号")]
    assert "2" in job.problems[0]["message"]


def test_ledger_person_named_ambiguously_must_be_given_by_user_name(client, importer, district, owner):
    UserFactory(username="zhangmin2", full_name="张敏", unit=district, roles=[Role.OFFICIAL])

    ambiguous = upload(client, importer, district, ledger_xlsx([ledger_row(责任人="张敏")]))
    by_username = upload(client, importer, district, ledger_xlsx([ledger_row(责任人="张敏（zhangmin2）")]))

    assert ambiguous.status == JobStatus.INVALID
    assert "zhangmin2" in ambiguous.problems[0]["message"] and "owner" in ambiguous.problems[0]["message"]
    assert by_username.status == JobStatus.VALID


def test_ledger_reimport_of_the_same_file_creates_no_duplicates(client, importer, district, owner):
    # given: a ledger imported once, and the unit's ledger as exported afterwards (it carries the numbers)
    rows = [ledger_row(事项名称=f"民生实事第{n}项") for n in range(5)]
    commit(client, upload(client, importer, district, ledger_xlsx(rows)))
    exported = client.get(reverse("ledger:export", args=["xlsx"])).getvalue()
    snapshot = sorted(item_snapshot(item) for item in WorkItem.objects.all())

    # when: the exported ledger is imported again, twice
    for _ in range(2):
        job = commit(client, upload(client, importer, district, SimpleUploadedFile("台账.xlsx", exported)))

        # then: every row is recognised by its number and nothing is created or changed
        assert job.status == JobStatus.DONE
        assert job.summary == {"new": 0, "updated": 0, "unchanged": 5}
    assert sorted(item_snapshot(item) for item in WorkItem.objects.all()) == snapshot
    assert ItemTransition.objects.count() == 5


def test_ledger_reimport_of_a_file_without_numbers_warns_of_likely_duplicates(client, importer, district):
    file = ledger_xlsx([ledger_row()]).read()
    commit(client, upload(client, importer, district, SimpleUploadedFile("台账.xlsx", file)))

    again = upload(client, importer, district, SimpleUploadedFile("台账.xlsx", file))

    assert again.status == JobStatus.VALID  # a warning does not stop the import: titles may repeat
    warning = next(p for p in again.problems if p["warning"])
    assert warning["row"] == 2 and warning["column"] == "事项名称"
    assert WorkItem.objects.get().number in warning["message"]


def test_ledger_reimport_changes_open_items_through_item_update_and_refuses_closed_ones(
    client, importer, district, make_item
):
    open_item = make_item(Status.IN_PROGRESS)
    closed_item = make_item(Status.CLOSED)
    client.force_login(importer)
    exported = load_workbook(io.BytesIO(client.get(reverse("ledger:export", args=["xlsx"])).getvalue()))
    sheet = exported[LEDGER_SHEET_TITLE]
    title_column = [cell.value for cell in sheet[1]].index("事项名称") + 1
    rows = {sheet.cell(row=row, column=1).value: row for row in range(2, sheet.max_row + 1)}
    sheet.cell(row=rows[open_item.number], column=title_column, value="老旧小区改造（扩大范围）")

    def as_upload(workbook: Workbook) -> SimpleUploadedFile:
        output = io.BytesIO()
        workbook.save(output)
        return SimpleUploadedFile("台账.xlsx", output.getvalue())

    job = commit(client, upload(client, importer, district, as_upload(exported)))

    assert job.status == JobStatus.DONE and job.summary == {"new": 0, "updated": 1, "unchanged": 1}
    open_item.refresh_from_db()
    assert open_item.title == "老旧小区改造（扩大范围）" and open_item.status == Status.IN_PROGRESS
    assert open_item.history.first().history_user == importer

    # when: the closed item is changed in the file
    sheet.cell(row=rows[closed_item.number], column=title_column, value="改过的标题")
    job = upload(client, importer, district, as_upload(exported))

    assert job.status == JobStatus.INVALID
    assert [(p["row"], p["column"]) for p in job.problems] == [(rows[closed_item.number], "编号")]
    closed_item.refresh_from_db()
    assert closed_item.title != "改过的标题"


def test_ledger_round_trip_export_then_import_into_the_emptied_unit_gives_the_same_items(
    client, importer, district, township, owner, colleague
):
    # given: items of every shape in 五华区, exported as the unit's ledger (XLSX and CSV)
    WorkItemFactory(
        unit=district, by=owner, title="=1+1 算式开头的标题", content="多行\n内容", beneficiaries="全体居民"
    )
    WorkItemFactory(unit=district, by=owner, service_list=True, requirements="每月走访")
    WorkItemFactory(
        unit=district,
        by=importer,
        responsible_unit=township,
        start_date=datetime.date(2030, 1, 1),
        deadline=datetime.date(2030, 6, 30),
        is_key=True,
        key_level="city",
        source="survey",
    )
    WorkItemFactory(unit=township, by=importer, owner_type=OwnerType.GRASSROOTS_ORGANISATION)
    item_update(item=WorkItem.objects.get(title="=1+1 算式开头的标题"), by=owner, responsible_person=colleague)
    client.force_login(importer)
    files = {
        file_format: client.get(reverse("ledger:export", args=[file_format])).getvalue()
        for file_format in ("xlsx", "csv")
    }
    before = sorted(item_snapshot(item) for item in WorkItem.objects.all())
    assert len(before) == 4

    for file_format, content in files.items():
        # when: the unit is emptied and its ledger imported again
        WorkItem.objects.all().delete()
        job = commit(client, upload(client, importer, district, SimpleUploadedFile(f"台账.{file_format}", content)))

        # then: the same items, down to their numbers, as new drafts
        assert job.status == JobStatus.DONE, job.problems
        assert sorted(item_snapshot(item) for item in WorkItem.objects.all()) == before
        assert set(WorkItem.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_ledger_import_scoping_never_reads_or_writes_outside_the_subtree(
    client, importer, district, sibling_district, outsider, owner
):
    # given: an item of the sibling district 盘龙区
    foreign = WorkItemFactory(unit=sibling_district, by=outsider)
    foreign_state = item_snapshot(foreign)

    # when: 五华区's administrator names it by its number, or asks to import for 盘龙区
    job = upload(client, importer, district, ledger_xlsx([ledger_row(编号=foreign.number)]))
    refused = client.post(reverse("ledger:import"), {"unit": sibling_district.pk, "file": ledger_xlsx([ledger_row()])})

    # then: the number is refused without saying whose it is, the unit is not offered, nothing changes
    assert job.status == JobStatus.INVALID
    assert job.problems[0]["column"] == "编号" and foreign.title not in job.problems[0]["message"]
    assert refused.status_code == 200 and ImportJob.objects.count() == 1
    foreign.refresh_from_db()
    assert item_snapshot(foreign) == foreign_state
    assert WorkItem.objects.count() == 1

    # and: the outsider cannot see the job; an official without the role cannot import at all
    client.force_login(outsider)
    assert client.get(reverse("ledger:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("ledger:import_job_status", args=[job.pk])).status_code == 404
    assert client.post(reverse("ledger:import_commit", args=[job.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("ledger:import")).status_code == 403


def test_ledger_commit_failing_midway_leaves_nothing_behind(client, importer, district, monkeypatch):
    job = upload(client, importer, district, ledger_xlsx([ledger_row(事项名称=f"第{n}项") for n in range(20)]))

    def fail_after_the_rows_were_written(items):
        assert WorkItem.objects.count() == 20  # inside the transaction
        raise RuntimeError("the counters could not be updated")

    monkeypatch.setattr(bulk, "counters_add_items", fail_after_the_rows_were_written)
    with pytest.raises(RuntimeError):
        commit(client, job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error and "RuntimeError" not in job.error
    assert not WorkItem.objects.exists() and not ItemTransition.objects.exists()


def test_ledger_large_file_is_checked_and_imported_by_the_worker_with_progress(
    client, importer, district, settings, django_capture_on_commit_callbacks
):
    settings.LEDGER_INLINE_MAX_ROWS = 10
    rows = [ledger_row(事项名称=f"民生实事第{n}项") for n in range(30)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = upload(client, importer, district, ledger_xlsx(rows))
    assert len(callbacks) == 1  # the check went to the worker
    job.refresh_from_db()
    assert job.status == JobStatus.VALID and job.progress == 100
    status = client.get(reverse("ledger:import_job_status", args=[job.pk])).json()
    assert status == {
        "status": "valid",
        "label": str(JobStatus.VALID.label),
        "progress": 100,
        "finished": True,
        "error": "",
    }

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = commit(client, job)
    # the import went to the worker (its items then give the dashboards' cache a new generation)
    assert [callback.__qualname__ for callback in callbacks].count("enqueue.<locals>.send") == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and WorkItem.objects.count() == 30


def test_ledger_commit_task_run_twice_imports_once(client, importer, district):
    job = upload(client, importer, district, ledger_xlsx([ledger_row(), ledger_row(事项名称="第二项")]))

    ledger_commit_task.apply(args=[job.pk])
    ledger_commit_task.apply(args=[job.pk])
    import_job_commit(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2  # one check, one import
    assert WorkItem.objects.count() == 2


def test_ledger_import_reads_a_gbk_csv_as_excel_saves_it(client, importer, district):
    text = ",".join(IMPORT_HEADERS) + "\n" + ",".join(ledger_row().get(header, "") for header in IMPORT_HEADERS)
    file = SimpleUploadedFile("台账.csv", text.encode("gb18030"))

    job = commit(client, upload(client, importer, district, file))

    assert job.status == JobStatus.DONE
    assert WorkItem.objects.get().title == "老旧小区改造"


def test_ledger_import_refuses_a_file_that_is_no_ledger(client, importer, district):
    not_xlsx = upload(client, importer, district, SimpleUploadedFile("台账.xlsx", b"not a spreadsheet"))
    no_headers = upload(client, importer, district, ledger_xlsx([{"x": 1}], headers=["甲", "乙"]))
    lacks_a_column = upload(
        client, importer, district, ledger_xlsx([ledger_row()], headers=[h for h in IMPORT_HEADERS if h != "完成时限"])
    )

    assert not_xlsx.status == no_headers.status == lacks_a_column.status == JobStatus.INVALID
    assert lacks_a_column.problems[0]["column"] == "完成时限" and lacks_a_column.problems[0]["row"] == 1
    assert not WorkItem.objects.exists()


def test_ledger_import_keeps_the_dashboard_counters_right(client, importer, district, township, make_item):
    from apps.items.counters.writes import counters_rebuild

    make_item(Status.IN_PROGRESS)
    rows = [ledger_row(事项名称=f"第{n}项", 所属单位="华山街道", 责任人="") for n in range(3)]
    rows += [
        ledger_row(事项名称=f"第{n}项", 清单类型="为民办事清单", 责任主体类型="党员个人", 清单所属人="张敏")
        for n in range(3)
    ]

    job = commit(client, upload(client, importer, district, ledger_xlsx(rows)))

    assert job.status == JobStatus.DONE
    assert counters_rebuild(write=False) == []  # what the counters hold is what counting the items gives


def test_ledger_service_refuses_a_unit_outside_the_uploaders_subtree(importer, sibling_district):
    from apps.core.exceptions import ServicePermissionError
    from apps.ledger.checking import ledger_import

    with pytest.raises(ServicePermissionError):
        ledger_import(source=ledger_xlsx([ledger_row()]), name="台账.xlsx", unit=sibling_district, by=importer)
    assert not WorkItem.objects.exists()
