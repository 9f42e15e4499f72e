"""Reading and writing user files: spreadsheet cells (and, after issue 20 package P1, the
strict YAML loader and the one-line messages). Depends only on carescale.errors and config."""
