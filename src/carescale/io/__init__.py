"""Reading and writing user files: the strict YAML reader (:mod:`.yaml`), one-line messages and
models read from files (:mod:`.messages`), file names in messages (:mod:`.paths`) and spreadsheet
cells (:mod:`.spreadsheet`). Depends only on carescale.errors (and config)."""
