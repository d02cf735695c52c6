"""Who may do what with a record, and the one write path: permissions (`permissions`), the change
log and verification (`history`), one record at a time for forms (`forms`), imports and exports of
exchange files (`importing`, `exporting`), the records a split commune leaves to settle (`unplaced`,
`settling`) and `linkage init` (`catalog`)."""
