"""Spreadsheet imports: a CSV or XLSX file of signals, read row by row into submissions.

``reader`` turns the bytes into a header and rows (nothing is evaluated: an XLSX formula
is its text), ``columns`` maps Dutch or API column names to fields, ``cells`` turns Dutch
labels, dates and lists into what ``SignalSubmission`` takes, ``rows`` validates each row
with the contract and says in Dutch why a row is refused, and ``service`` sends the valid
rows through the same redaction and publishing as ``POST /v1/signals``.
"""
