"""The ledger (台账): its XLSX template, reading a filled one, checking every row, importing it all or nothing.

columns   the file format: the columns, their Chinese headers, the labels and the spellings accepted
reading   every data row of an XLSX or CSV file, and the rows kept between the preview and the import
lookups   the dates, units and people the cells name
checking  every row's problems by row and column; the import itself, in one transaction
template  the empty ledger to fill in, with a sheet explaining each column
"""

from apps.items.ledger.checking import LedgerCheck, ledger_check, ledger_commit, ledger_import
from apps.items.ledger.columns import GUIDE_SHEET_TITLE, LEDGER_COLUMNS, LEDGER_SHEET_TITLE, ledger_labels
from apps.items.ledger.reading import (
    LEDGER_MAX_ROWS,
    LedgerFileError,
    LedgerProblem,
    LedgerRow,
    ledger_count_rows,
    ledger_read,
    ledger_rows_dump,
    ledger_rows_load,
)
from apps.items.ledger.template import ledger_template

__all__ = [
    "GUIDE_SHEET_TITLE",
    "LEDGER_COLUMNS",
    "LEDGER_MAX_ROWS",
    "LEDGER_SHEET_TITLE",
    "LedgerCheck",
    "LedgerFileError",
    "LedgerProblem",
    "LedgerRow",
    "ledger_check",
    "ledger_commit",
    "ledger_count_rows",
    "ledger_import",
    "ledger_labels",
    "ledger_read",
    "ledger_rows_dump",
    "ledger_rows_load",
    "ledger_template",
]
