"""Spreadsheet import and export of units and employees.

- ``columns``: the file format: sheets, columns and the words they accept, in Chinese and English;
- ``formats``: reading xlsx and CSV (UTF-8 with or without BOM, GBK/GB18030), writing both;
- ``validate``: checking parsed rows against the tenant's data, giving errors and a plan;
- ``apply``: writing a plan with bulk statements, audit rows included;
- ``batches``: the check and commit of one uploaded ImportBatch, shared by views and the worker;
- ``exports``: the tenant's units and employees as rows of the same columns.
"""
