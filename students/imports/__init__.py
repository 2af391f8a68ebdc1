"""Importing pupils (from Magister, Somtoday, ParnasSys) and partner staff lists, in two steps.

1. `reader.read_table(upload)` turns a CSV or XLSX into rows of header → cell, with line numbers.
2. `preview.preview_students(...)` / `contact_preview.preview_contacts(...)` map the columns (`mapping`) and judge
   each row without writing: create, update (with the changed fields), unchanged, or errors in Dutch.

Applying a preview (one transaction, nothing when it has errors) goes through the lifecycle services.
"""
