"""Lists in an office's own layout (docs/office-lists.md): a title above the table, an `STT` column,
Vietnamese headers, names and addresses instead of codes, brought in with no hand work in between.

`sheet` reads a CSV or workbook into cell texts and finds the table; `headers` says which column gives
which field; `places` finds a row's commune on its map from names and addresses; `rows` turns cell
texts into the values of the exchange files and says which stored record a row is; `service` puts it
together and writes through the one write path (`linkage.records.importing`), all rows or none.
"""
