"""A ledger that unpacks to far more than it weighs (a zip bomb) is refused before anything parses it.

An XLSX file is a zip: 300 KB on disk can hold a 300 MB string, which openpyxl would hold in memory several times
over. The reader checks every part's unpacked size and how tightly it is packed first, and says why it refuses.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.items.models import WorkItem
from apps.ledger import reading, xlsx
from apps.ledger.checking import ledger_import
from apps.ledger.columns import LEDGER_COLUMNS, LEDGER_SHEET_TITLE
from apps.ledger.models import ImportJob, JobStatus
from apps.ledger.reading import LedgerFileError
from apps.ledger.services import import_job_check
from tests.ledger.test_ledger import ledger_row, ledger_xlsx

MB = 1024 * 1024
HEADERS = [column.header for column in LEDGER_COLUMNS if column.imported]
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _column_letter(index: int) -> str:
    return chr(ord("A") + index)  # the ledger has fewer than 26 columns


def bomb_xlsx(title_bytes: int) -> bytes:
    """A real ledger XLSX whose one row's title is `title_bytes` long, a shared string deflated to almost nothing.

    Written a megabyte at a time, so building it takes no more memory than the small file it becomes.
    """
    row = ledger_row()
    title_index = HEADERS.index("事项名称")
    strings = [*HEADERS, *(str(row.get(header, "")) for header in HEADERS)]
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        package.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
            f'<sheets><sheet name="{LEDGER_SHEET_TITLE}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        # Row 1 the headers, row 2 the ledger row; its title is the last shared string, the huge one.
        cells = [
            "".join(f'<c r="{_column_letter(i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADERS))),
            "".join(
                f'<c r="{_column_letter(i)}2" t="s"><v>{len(strings) if i == title_index else len(HEADERS) + i}</v></c>'
                for i in range(len(HEADERS))
            ),
        ]
        package.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
            f'<row r="1">{cells[0]}</row><row r="2">{cells[1]}</row></sheetData></worksheet>',
        )
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode())
            shared.write("".join(f"<si><t>{text}</t></si>" for text in strings).encode())
            shared.write(b"<si><t>")
            chunk = b"A" * MB
            for _ in range(title_bytes // MB):
                shared.write(chunk)
            shared.write(b"A" * (title_bytes % MB))
            shared.write(b"</t></si></sst>")
    return output.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The file of the finding: about 300 KB on disk, a 300 MB title inside."""
    content = bomb_xlsx(300 * MB)
    assert len(content) < 400 * 1024
    return content


@pytest.fixture(scope="module")
def small_bomb() -> bytes:
    """Under the size limit once unpacked (20 MB), but packed a thousand times smaller: no real spreadsheet is."""
    return bomb_xlsx(20 * MB)


@pytest.fixture
def no_reader_opens_the_file():
    """No reader (calamine for the values, openpyxl for counting rows) gets to see the file: the refusal comes
    from the zip's directory alone."""
    with (
        mock.patch.object(reading, "load_workbook", side_effect=AssertionError("openpyxl opened the file")),
        mock.patch.object(xlsx, "CalamineWorkbook", side_effect=AssertionError("calamine opened the file")),
    ):
        yield


@pytest.fixture
def importer(unit_admin, owner):
    return unit_admin


def post_ledger(client, user, unit, content: bytes, name: str = "台账.xlsx"):
    client.force_login(user)
    return client.post(reverse("ledger:import"), {"unit": unit.pk, "file": SimpleUploadedFile(name, content)})


def form_errors(response) -> str:
    return " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)


# --- through the page: refused at the upload, nothing kept --------------------------------------------------------


@pytest.mark.usefixtures("no_reader_opens_the_file")
def test_bomb_upload_is_refused_on_the_page_with_a_clear_message_and_nothing_kept(
    client, importer, district, bomb, media_root
):
    # when
    response = post_ledger(client, importer, district, bomb)

    # then: the form says why, in Chinese; no job, no stored file, no item
    assert response.status_code == 200
    message = form_errors(response)
    assert "解压" in message and "100" in message, message
    assert not ImportJob.objects.exists()
    assert not WorkItem.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


@pytest.mark.usefixtures("no_reader_opens_the_file")
def test_bomb_under_the_size_limit_is_refused_for_how_tightly_it_is_packed(
    client, importer, district, small_bomb, media_root
):
    response = post_ledger(client, importer, district, small_bomb)

    message = form_errors(response)
    assert "xl/sharedStrings.xml" in message and "压缩" in message, message
    assert not ImportJob.objects.exists() and not WorkItem.objects.exists()


@pytest.mark.usefixtures("no_reader_opens_the_file")
def test_bomb_limit_follows_the_setting(client, importer, district, small_bomb, settings):
    settings.LEDGER_MAX_COMPRESSION_RATIO = 10_000
    settings.LEDGER_MAX_UNCOMPRESSED_BYTES = 10 * MB

    response = post_ledger(client, importer, district, small_bomb)

    assert "10" in form_errors(response) and "解压" in form_errors(response)
    assert not ImportJob.objects.exists()


# --- the worker and scripts read the file again: refused there too ----------------------------------------------


@pytest.mark.usefixtures("no_reader_opens_the_file")
def test_bomb_already_stored_is_refused_by_the_check_in_the_worker(importer, district, bomb, media_root):
    # given: a job whose file is a bomb (kept before the limits, or stored by a script)
    job = ImportJob.objects.create(
        unit=district, requested_by=importer, original_name="台账.xlsx", file=ContentFile(bomb, name="台账.xlsx")
    )

    # when
    import_job_check(job_id=job.pk)

    # then: the preview names the problem, as any file problem; nothing was imported
    job.refresh_from_db()
    assert job.status == JobStatus.INVALID
    assert job.problem_count == 1 and "解压" in job.problems[0]["message"]
    assert not WorkItem.objects.exists()


@pytest.mark.usefixtures("no_reader_opens_the_file")
def test_bomb_is_refused_by_the_import_service_scripts_use(importer, district, bomb, small_bomb):
    for content, says in ((bomb, "解压"), (small_bomb, "压缩")):
        with pytest.raises(LedgerFileError) as refused:
            ledger_import(source=io.BytesIO(content), name="台账.xlsx", unit=district, by=importer)
        assert says in str(refused.value)
    assert not WorkItem.objects.exists()


# --- what is not a bomb ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_reader_opens_the_file")
def test_file_that_is_no_zip_at_all_gets_a_clear_message(client, importer, district):
    # An .xlsx that is not a zip is kept and checked as before; the preview says what it is not.
    client.force_login(importer)
    client.post(
        reverse("ledger:import"),
        {"unit": district.pk, "file": SimpleUploadedFile("台账.xlsx", b"<html>not a spreadsheet</html>")},
    )

    job = ImportJob.objects.get()
    assert job.status == JobStatus.INVALID
    assert "XLSX" in job.problems[0]["message"] and "另存为" in job.problems[0]["message"]
    assert not WorkItem.objects.exists()


def test_real_ledger_passes_the_size_checks_and_imports(client, importer, district):
    rows = [ledger_row(事项名称=f"民生实事第{n}项") for n in range(20)]

    post_ledger(client, importer, district, ledger_xlsx(rows).read())

    job = ImportJob.objects.get()
    assert job.status == JobStatus.VALID, job.problems
    assert job.row_count == 20


# --- a directory that lies about a part's size -------------------------------------------------------------------


def lying_bomb() -> bytes:
    """A real ledger whose sheet unpacks to 60 MB (a title of 60 million letters) while the zip's directory says
    2,000 bytes, with the checksum of those first 2,000 bytes: the guard, reading the directory, sees a small file."""
    sheet_part = "xl/worksheets/sheet1.xml"
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(ledger_xlsx([ledger_row()]).read())) as source,
        zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = source.read(part)
            if part.filename == sheet_part:
                data = data.replace("老旧小区改造".encode(), b"A" * (60 * MB), 1)
            target.writestr(part.filename, data)
    content = bytearray(output.getvalue())
    declared = 2000
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as package:
        info = package.getinfo(sheet_part)
        with package.open(info) as stream:
            crc = zlib.crc32(stream.read(declared))
    # The local header (checksum at +14, size at +22) and the central directory's entry (at +16 and +24).
    struct.pack_into("<I", content, info.header_offset + 14, crc)
    struct.pack_into("<I", content, info.header_offset + 22, declared)
    central = content.rindex(b"PK\x01\x02", 0, content.rindex(sheet_part.encode()))
    struct.pack_into("<I", content, central + 16, crc)
    struct.pack_into("<I", content, central + 24, declared)
    return bytes(content)


def test_bomb_whose_directory_lies_is_read_no_further_than_the_directory_says(importer, district):
    content = lying_bomb()
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        listed = sum(part.file_size for part in package.infolist())
    assert listed < 1 * MB  # the guard sees a small, honest-looking file
    seen = []
    real_open = xlsx.CalamineWorkbook.from_path

    def spy(path):
        with zipfile.ZipFile(path) as package:
            seen.append(sum(part.file_size for part in package.infolist()))
        return real_open(path)

    with (
        mock.patch.object(xlsx.CalamineWorkbook, "from_path", side_effect=spy),
        pytest.raises(LedgerFileError) as refused,
    ):
        ledger_import(source=io.BytesIO(content), name="台账.xlsx", unit=district, by=importer)

    assert len(seen) == 1 and seen[0] <= listed  # calamine read at most what the directory listed
    assert "Excel" in str(refused.value)
    assert not WorkItem.objects.exists()
