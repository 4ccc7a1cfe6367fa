"""Ledgers as offices keep them: full-width digits, serial dates, a title above the headers, merged cells,
formulas never calculated, and files that cannot be read at all: each read right or refused in plain words."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.accounts.models import User
from apps.items.models import WorkItem
from apps.ledger.checking import ledger_import
from apps.ledger.columns import LEDGER_SHEET_TITLE
from apps.ledger.models import JobStatus
from apps.ledger.reading import LedgerFileError, ledger_read
from apps.ledger.template import ledger_template
from apps.org.models import UnitLevel
from tests.factories import UnitFactory, UserFactory
from tests.ledger.test_ledger import IMPORT_HEADERS, commit, ledger_row, upload

PYTHON_ERROR_NAMES = re.compile(r"BadZipFile|KeyError|UnicodeDecodeError|Error\b|Exception")


@pytest.fixture
def importer(unit_admin: User, owner: User) -> User:
    """The unit administrator of 五华区, with the owner (张敏) as the colleague the rows name."""
    return unit_admin


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def office_workbook(rows: Sequence[Sequence[Any]], *, above: Sequence[Sequence[Any]] = ()) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(list(line))
    sheet.append(list(IMPORT_HEADERS))
    for row in rows:
        sheet.append(list(row))
    return workbook


def cells_of(**changes: Any) -> list[Any]:
    row = ledger_row(**changes)
    return [row.get(header, "") for header in IMPORT_HEADERS]


def read(data: bytes, name: str = "台账.xlsx"):
    return ledger_read(io.BytesIO(data), name)


def test_ledger_read_full_width_dates_and_codes_as_ordinary_ones():
    workbook = office_workbook(
        [
            cells_of(
                开始日期="２０２１－０６－０１",
                完成时限="２０２１年６月３０日",
                是否重点="否",
                事项名称="　老旧小区改造　",
                责任单位="五华区（开发区）",
            ),
            cells_of(完成时限="２０２１/０６/３０", 所属单位="ＷＨ", 编号="ＷＨ－２０２１－０００１"),
        ]
    )

    rows, problems = read(workbook_bytes(workbook))

    assert problems == []
    assert rows[0].cells["start_date"] == "2021-06-01"
    assert rows[0].cells["deadline"] == "2021年6月30日"
    assert rows[0].cells["title"] == "老旧小区改造"
    assert rows[0].cells["responsible_unit"] == "五华区（开发区）"  # names keep their brackets as registered
    assert rows[1].cells["unit"] == "WH" and rows[1].cells["number"] == "WH-2021-0001"
    assert rows[1].cells["deadline"] == "2021/06/30"


def test_ledger_import_full_width_dates_creates_the_item(importer, district):
    workbook = office_workbook([cells_of(开始日期="２０２１－０６－０１", 完成时限="２０２１年６月３０日")])

    check = ledger_import(source=io.BytesIO(workbook_bytes(workbook)), name="台账.xlsx", unit=district, by=importer)

    assert check.errors == []
    item = WorkItem.objects.get()
    assert (item.start_date, item.deadline) == (datetime.date(2021, 6, 1), datetime.date(2021, 6, 30))


def test_ledger_read_serial_dates_in_number_cells_and_csv_text():
    workbook = office_workbook([cells_of(开始日期=44348, 完成时限=44377.0)])
    csv_text = ",".join(IMPORT_HEADERS) + "\n" + ",".join(str(v) for v in cells_of(开始日期="44348", 完成时限="44377"))

    xlsx_rows, _problems = read(workbook_bytes(workbook))
    csv_rows, _problems = read(csv_text.encode(), "台账.csv")

    for rows in (xlsx_rows, csv_rows):
        assert rows[0].cells["start_date"] == datetime.date(2021, 6, 1)
        assert rows[0].cells["deadline"] == datetime.date(2021, 6, 30)


def test_ledger_read_year_in_a_date_column_is_no_serial_date():
    workbook = office_workbook([cells_of(完成时限=2030), cells_of(完成时限=20300630)])

    rows, _problems = read(workbook_bytes(workbook))

    assert [row.cells["deadline"] for row in rows] == ["2030", "20300630"]


def test_ledger_read_serial_dates_in_the_1904_date_system():
    workbook = office_workbook([cells_of(完成时限=44377 - 1462)])
    workbook.epoch = datetime.datetime(1904, 1, 1)

    rows, _problems = read(workbook_bytes(workbook))

    assert rows[0].cells["deadline"] == datetime.date(2021, 6, 30)


def test_ledger_read_finds_the_headers_below_a_title_and_keeps_real_row_numbers():
    workbook = office_workbook(
        [cells_of(), cells_of(完成时限="")], above=[["五华区2021年民生实事计划台账"], [], ["填报单位：五华区"]]
    )
    workbook.active.merge_cells("A1:F1")

    rows, problems = read(workbook_bytes(workbook))

    assert [row.line for row in rows] == [5, 6]
    assert problems == []


def test_ledger_read_missing_column_is_named_at_the_real_header_row():
    headers = [header for header in IMPORT_HEADERS if header != "完成时限"]
    workbook = Workbook()
    workbook.active.append(["五华区2021年民生实事计划台账"])
    workbook.active.append([])
    workbook.active.append(headers)

    _rows, problems = read(workbook_bytes(workbook))

    assert [(problem.row, problem.column) for problem in problems] == [(3, "完成时限")]


def test_ledger_read_merged_cells_apply_to_every_row_they_cover():
    workbook = office_workbook([cells_of(事项名称=f"事项{n}") for n in range(4)])
    sheet = workbook.active
    category = IMPORT_HEADERS.index("类别") + 1
    deadline = IMPORT_HEADERS.index("完成时限") + 1
    for line in (3, 4):
        sheet.cell(line, category).value = None
        sheet.cell(line, deadline).value = None
    sheet.merge_cells(start_row=2, start_column=category, end_row=4, end_column=category)
    sheet.merge_cells(start_row=2, start_column=deadline, end_row=4, end_column=deadline)

    rows, problems = read(workbook_bytes(workbook))

    assert problems == []
    assert [row.cells["category"] for row in rows] == ["住房"] * 4
    assert [row.cells["deadline"] for row in rows] == ["2030-06-30"] * 4


def test_ledger_import_formula_without_saved_value_says_to_save_it_in_excel(importer, district):
    workbook = office_workbook([cells_of()])
    deadline = IMPORT_HEADERS.index("完成时限") + 1
    workbook.active.cell(2, deadline).value = "=DATE(2030,6,30)"  # openpyxl saves no value for it

    check = ledger_import(source=io.BytesIO(workbook_bytes(workbook)), name="台账.xlsx", unit=district, by=importer)

    assert [(problem.row, problem.column) for problem in check.errors] == [(2, "完成时限")]
    assert "公式" in check.errors[0].message
    assert not WorkItem.objects.exists()


def test_ledger_import_truncated_xlsx_is_refused_without_python_names(client, importer, district):
    data = workbook_bytes(office_workbook([cells_of()]))

    job = upload(client, importer, district, SimpleUploadedFile("台账.xlsx", data[: len(data) // 2]))

    assert job.status == JobStatus.INVALID
    assert not PYTHON_ERROR_NAMES.search(job.problems[0]["message"])


def test_ledger_read_xlsx_with_a_damaged_sheet_is_refused_in_plain_words():
    data = workbook_bytes(office_workbook([cells_of()]))
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(damaged, "w") as target:
        for part in source.infolist():
            content = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(part, content)

    with pytest.raises(LedgerFileError) as refused:
        read(damaged.getvalue())

    assert not PYTHON_ERROR_NAMES.search(str(refused.value))
    assert "Excel" in str(refused.value)


def test_ledger_read_xlsx_without_rows_is_refused_as_no_ledger():
    with pytest.raises(LedgerFileError) as refused:
        read(workbook_bytes(Workbook()))

    assert "模板" in str(refused.value)


def test_ledger_read_gbk_csv_with_full_width_dates():
    text = ",".join(IMPORT_HEADERS) + "\n" + ",".join(str(v) for v in cells_of(完成时限="２０３０年６月３０日"))

    rows, _problems = read(text.encode("gbk"), "台账.csv")

    assert rows[0].cells["deadline"] == "2030年6月30日" and rows[0].cells["title"] == "老旧小区改造"


def test_ledger_read_csv_in_no_known_encoding_is_refused_in_plain_words():
    with pytest.raises(LedgerFileError) as refused:
        read(b"\xff\xfe\x00\x81\x30\xff" * 10, "台账.csv")

    assert not PYTHON_ERROR_NAMES.search(str(refused.value))


def test_ledger_read_formula_saved_as_empty_text_is_an_empty_cell():
    workbook = office_workbook([cells_of()])
    content = IMPORT_HEADERS.index("具体内容") + 1
    workbook.active.cell(2, content).value = '=IF(1=1,"","x")'
    with_value = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(workbook))) as source, zipfile.ZipFile(with_value, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                # As Excel saves a formula whose result is empty text.
                data = re.sub(
                    rb'<c r="([A-Z]+2)"><f>(.*?)</f><v ?/></c>', rb'<c r="\1" t="str"><f>\2</f><v></v></c>', data
                )
            target.writestr(part, data)

    rows, problems = read(with_value.getvalue())

    assert problems == [] and rows[0].cells["content"] == "" and rows[0].unsaved == frozenset()


def test_ledger_read_merged_cells_across_columns_apply_but_merged_headers_give_rows_nothing():
    workbook = office_workbook([cells_of(), cells_of()])
    sheet = workbook.active
    status = IMPORT_HEADERS.index("来源") + 2  # a column after the ledger's own, which imports ignore
    sheet.cell(1, status).value = "备注"
    sheet.cell(2, status).value = "调研走访"
    source = IMPORT_HEADERS.index("来源") + 1
    sheet.cell(2, source).value = None
    sheet.cell(3, source).value = None
    sheet.merge_cells(start_row=2, start_column=source, end_row=3, end_column=status)
    sheet.cell(2, source).value = "上级交办"
    sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)  # a header over two rows

    rows, _problems = read(workbook_bytes(workbook))

    assert [row.cells["source"] for row in rows] == ["上级交办", "上级交办"]
    assert rows[0].cells["number"] == ""


@pytest.mark.django_db
def test_ledger_read_the_filled_template_skips_its_guide_sheet():
    workbook = load_workbook(io.BytesIO(ledger_template()))
    workbook[LEDGER_SHEET_TITLE].append(cells_of())

    rows, problems = read(workbook_bytes(workbook))

    assert problems == [] and [(row.sheet, row.line) for row in rows] == [("", 2)]


# --- names written in traditional characters ---------------------------------------------------------------


@pytest.fixture
def township_member(township) -> User:
    return UserFactory(username="chen", full_name="陈丽华", unit=township)


def test_ledger_import_traditional_unit_and_person_names_match_by_their_simplified_form(
    client, importer, district, township, township_member
):
    workbook = office_workbook([cells_of(所属单位="五華區", 责任单位="華山街道", 责任人="陳麗華")])

    job = upload(client, importer, district, SimpleUploadedFile("台账.xlsx", workbook_bytes(workbook)))

    assert job.status == JobStatus.VALID
    notes = job.preview[0]["notes"]
    assert notes == [
        "“五華區”按简体“五华区”匹配。",
        "“華山街道”按简体“华山街道”匹配。",
        "“陳麗華”按简体“陈丽华”匹配。",
    ]
    page = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert "“五華區”按简体“五华区”匹配。" in page and "“陳麗華”按简体“陈丽华”匹配。" in page
    job = commit(client, job)
    item = WorkItem.objects.get()
    assert (item.unit, item.responsible_unit, item.responsible_person) == (district, township, township_member)


def test_ledger_import_a_name_registered_in_traditional_characters_matches_as_written(
    client, importer, district, township
):
    traditional = UnitFactory(name="華山街道", code="HS2", level=UnitLevel.TOWNSHIP, parent=district)
    workbook = office_workbook([cells_of(责任单位="華山街道", 责任人="")])

    job = commit(client, upload(client, importer, district, SimpleUploadedFile("台账.xlsx", workbook_bytes(workbook))))

    assert job.status == JobStatus.DONE and job.preview[0]["notes"] == []
    assert WorkItem.objects.get().responsible_unit == traditional


def test_ledger_import_unknown_traditional_name_is_refused_with_the_name_as_written(client, importer, district):
    workbook = office_workbook([cells_of(责任单位="五華縣", 责任人="")])

    job = upload(client, importer, district, SimpleUploadedFile("台账.xlsx", workbook_bytes(workbook)))

    assert job.status == JobStatus.INVALID
    assert [(p["row"], p["column"]) for p in job.problems] == [(2, "责任单位")]
    assert "“五華縣”" in job.problems[0]["message"]


# --- read as calamine reads them -----------------------------------------------------------------------------


def test_ledger_read_a_table_starting_below_empty_rows_and_right_of_an_empty_column_keeps_real_places():
    workbook = Workbook()
    sheet = workbook.active
    for column, header in enumerate(IMPORT_HEADERS, start=2):
        sheet.cell(3, column).value = header
    for column, value in enumerate(cells_of(事项名称="背街小巷整治"), start=2):
        sheet.cell(4, column).value = value or None

    rows, problems = read(workbook_bytes(workbook))

    assert problems == []
    assert [(row.line, row.cells["title"], row.cells["category"]) for row in rows] == [(4, "背街小巷整治", "住房")]


def test_ledger_read_cells_formatted_as_dates_in_both_date_systems():
    for epoch in (datetime.datetime(1899, 12, 30), datetime.datetime(1904, 1, 1)):
        workbook = office_workbook(
            [cells_of(开始日期=datetime.date(2030, 1, 1), 完成时限=datetime.datetime(2030, 6, 30))]
        )
        workbook.epoch = epoch

        rows, _problems = read(workbook_bytes(workbook))

        assert rows[0].cells["start_date"] == datetime.date(2030, 1, 1)
        assert rows[0].cells["deadline"] == datetime.date(2030, 6, 30)


def test_ledger_import_a_time_in_a_date_column_is_refused_as_no_date(importer, district):
    workbook = office_workbook([cells_of(完成时限=datetime.time(9, 30))])

    check = ledger_import(source=io.BytesIO(workbook_bytes(workbook)), name="台账.xlsx", unit=district, by=importer)

    assert [(problem.row, problem.column) for problem in check.errors] == [(2, "完成时限")]
    assert "09:30" in check.errors[0].message


def test_ledger_read_a_word_file_named_xlsx_is_refused_without_python_names():
    document = io.BytesIO()
    with zipfile.ZipFile(document, "w") as package:
        package.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr("word/document.xml", "<document/>")

    with pytest.raises(LedgerFileError) as refused:
        read(document.getvalue())

    assert "Excel" in str(refused.value) and not PYTHON_ERROR_NAMES.search(str(refused.value))
