"""Ledgers (台账) in and item lists out: import jobs, export jobs and the files they read and write.

columns   the ledger's format: its columns, Chinese headers, labels and the spellings accepted
reading   every data row of an XLSX or CSV file, and the rows kept between the preview and the import
xlsx      an XLSX file as a package: the zip-bomb guard, the sheets' values (calamine), merged ranges and formulas
lookups   the dates, units and people the cells name (names in traditional characters by their simplified form)
checking  every row's problems by row and column; the import itself, in one transaction
template  the empty ledger to fill in, with a sheet explaining each column
exports   item lists as ledger files (XLSX/CSV), streamed
services  the import and export jobs: start, check, commit, run; tasks, views and api call them
api       the import (upload, preview, commit, follow) and the exports in /api/v1/
"""
