"""Data exchange: blank templates, upload with a validation preview, commit all-or-nothing, export."""

import streamlit as st

from linkage.errors import UserFacingError
from linkage.exchange import ImportRefused
from linkage.exchange.export import template_csv, template_workbook
from linkage.exchange.spec import ENTITIES
from linkage.i18n import sentence
from linkage.records.exporting import export_bytes
from linkage.records.importing import import_tables
from linkage.records.permissions import may_import, may_import_office_lists
from ui import engine, guard, lang, show_error, tr
from ui.office_list import office_list_section
from ui.uploads import checked_uploads, uploaded_tables

who = guard("exchange")
st.title(tr("app.exchange.title"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem_table(problems: list, count: int | None = None) -> None:  # type: ignore[type-arg]
    st.error(tr("app.exchange.problems", count=len(problems) if count is None else count))
    st.dataframe(
        [
            {
                tr("app.exchange.file"): p.file,
                tr("app.exchange.row"): p.row or "",
                tr("app.exchange.column"): p.column or "",
                tr("app.exchange.message"): sentence(p.message(lang())),
            }
            for p in problems
        ],
        hide_index=True,
    )


st.subheader(tr("app.exchange.templates"))
with st.container(horizontal=True):
    for entity in ENTITIES:
        name = f"{entity.name}.csv"
        st.download_button(name, template_csv(entity), name, "text/csv", key=f"template_{entity.name}")
st.download_button(
    tr("app.exchange.template_xlsx"), template_workbook(), "linkage-tracker-template.xlsx", XLSX, key="template_xlsx"
)
st.caption(tr("app.exchange.columns_help", example=", ".join(ENTITIES[2].column_names)))

if may_import(who):
    st.subheader(tr("app.exchange.import"))
    uploads = st.file_uploader(
        tr("app.exchange.upload"), type=["csv", "xlsx"], accept_multiple_files=True, key="uploads"
    )
    if uploads:
        with st.spinner(tr("app.exchange.checking")):  # once per content: a rerun reuses the preview
            preview = checked_uploads(st.session_state, engine(), who, [(u.name, u.getvalue()) for u in uploads])
        if preview.problem_count:
            problem_table(preview.problems, preview.problem_count)
        else:
            st.success(tr("app.exchange.valid", rows=preview.rows, files=preview.files))
            if st.button(tr("app.exchange.commit"), type="primary", key="commit"):
                bar = st.progress(0.0, text=tr("app.exchange.writing"))
                tables, _ = uploaded_tables([(u.name, u.getvalue()) for u in uploads])
                try:
                    report = import_tables(
                        engine(),
                        tables,
                        who,
                        progress=lambda share: bar.progress(share, text=tr("app.exchange.writing")),
                    )
                except ImportRefused as refused:
                    bar.empty()
                    problem_table(refused.problems)
                except UserFacingError as error:
                    bar.empty()
                    show_error(error)
                else:
                    bar.progress(1.0, text=tr("app.exchange.done"))
                    counts = report.counts.values()
                    st.success(
                        tr(
                            "cli.import_done",
                            rows=report.rows,
                            inserted=sum(c.inserted for c in counts),
                            updated=sum(c.updated for c in counts),
                            unchanged=sum(c.unchanged for c in counts),
                        )
                    )

if may_import_office_lists(who):
    office_list_section(who)

st.subheader(tr("app.exchange.export"))
fmt = st.radio(tr("app.exchange.format"), ["xlsx", "csv"], horizontal=True, key="export_format")
if st.button(tr("app.exchange.prepare"), key="prepare_export"):
    with st.spinner(tr("app.exchange.preparing")):
        name, data = export_bytes(engine(), who, fmt)
    st.download_button(
        tr("app.exchange.download", name=name), data, name, XLSX if fmt == "xlsx" else "application/zip", key="export"
    )
