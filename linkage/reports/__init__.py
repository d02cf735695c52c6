"""The report an office files: the figures of one unit on a date and a map as a Word document in the
layout of Decree 30/2020/NĐ-CP (`document`), what it says (`content`: the very rows `linkage coverage`
counts, the units below, the trend, the gaps and the records to settle) and its chart (`chart`).

It sits above `linkage.accounts`: the issuing office is the signed-in account's (`offices`)."""
