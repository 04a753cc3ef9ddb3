//! The permission door for reports, their drill-downs and exports, and the data that
//! comes in from files (call records, intake imports): each checks its permission, and
//! every export is logged before its file appears.

use super::Acting;
use crate::error::Result;
use crate::mask::Mask;
use crate::model::{Perm, TicketRow};
use crate::permissions::department_scope;
use crate::store::Store;
use serde_json::json;

impl<'s> Acting<'s> {
    /// Report drill-downs list tickets: masked like every other list.
    pub fn kpi_tickets(
        &self,
        q: &crate::report::ReportQuery,
        key: &str,
        denominator: bool,
    ) -> Result<Vec<TicketRow>> {
        Ok(self
            .need(Perm::ViewReports)?
            .kpi_tickets(q, key, denominator)?
            .masked())
    }

    pub fn kpi_calls(
        &self,
        q: &crate::report::ReportQuery,
        key: &str,
        denominator: bool,
    ) -> Result<Vec<crate::cdr::CallRow>> {
        Ok(self
            .need(Perm::ViewReports)?
            .kpi_calls(q, key, denominator)?
            .masked())
    }

    /// Writes a report file into `dir` (an existing one only with `replace`); logged like
    /// every export, before the file appears.
    /// A period's report as a file (XLSX or CSV) for the user's own machine: its name and
    /// bytes. The front door delivers it (the desk into Downloads, a server to the client)
    /// and then calls `exported`.
    pub fn report_file(
        &self,
        req: &crate::report::ReportRequest,
        csv: bool,
    ) -> Result<(String, Vec<u8>)> {
        let s = self.need(Perm::ExportReports)?;
        let doc = s.period_report(req)?;
        let bytes = crate::report_file::report_bytes(
            &doc,
            &s.user_setting(self.user.id, "ui_language")?,
            csv,
        )?;
        Ok((crate::report_file::file_name(&doc, csv), bytes))
    }

    /// Logs a delivered report file (where it went) and names it for the user.
    pub fn exported(&self, path: &std::path::Path) -> Result<String> {
        self.need(Perm::ExportReports)?;
        self.export_logged(path, "report")
    }

    /// The report printed as a PDF by `save`, given its name (by its period).
    pub fn save_report_pdf(
        &self,
        req: &crate::report::ReportRequest,
        save: impl FnOnce(&str) -> Result<std::path::PathBuf>,
    ) -> Result<std::path::PathBuf> {
        let doc = self.need(Perm::ViewReports)?.period_report(req)?;
        save(&crate::report_file::file_name(&doc, false).replace(".xlsx", ".pdf"))
    }

    /// The store for a bulk export of tickets, refused before any file is touched.
    fn export_store(&self, personal: bool) -> Result<&'s Store> {
        let s = self.need(if personal {
            Perm::ExportPersonal
        } else {
            Perm::ViewTickets
        })?;
        if department_scope(&self.user).is_some() {
            // Bulk exports are whole-centre documents.
            self.need(Perm::ExportPersonal)?;
        }
        Ok(s)
    }

    fn export_into(
        &self,
        s: &Store,
        json_format: bool,
        personal: bool,
        out: impl std::io::Write,
        target: &str,
    ) -> Result<u64> {
        let n = if json_format {
            crate::exchange::export_json(s, out, !personal)?
        } else {
            crate::exchange::export_csv(s, out, !personal)?
        };
        self.log(
            "export",
            target,
            json!({ "kind": "tickets", "personal": personal, "rows": n }),
        )?;
        Ok(n)
    }

    /// Every ticket as CSV or JSON; personal data in clear only with its permission.
    pub fn export_tickets(
        &self,
        json_format: bool,
        personal: bool,
        out: impl std::io::Write,
    ) -> Result<u64> {
        let s = self.export_store(personal)?;
        let target = if json_format {
            "tickets.json"
        } else {
            "tickets.csv"
        };
        self.export_into(s, json_format, personal, out, target)
    }

    /// `export_tickets` into a file: refused or failed, no file appears and an existing
    /// one is untouched; an existing file is replaced only with `replace`.
    pub fn export_tickets_file(
        &self,
        json_format: bool,
        personal: bool,
        path: &std::path::Path,
        replace: bool,
    ) -> Result<u64> {
        let s = self.export_store(personal)?;
        crate::files::write_new(path, replace, |f| {
            let mut out = std::io::BufWriter::new(f);
            let n = self.export_into(
                s,
                json_format,
                personal,
                &mut out,
                &path.display().to_string(),
            )?;
            std::io::Write::flush(&mut out)?;
            Ok(n)
        })
    }

    /// The reporting window opens only for those who may read reports.
    pub fn open_reports(&self) -> Result<()> {
        self.need(Perm::ViewReports).map(|_| ())
    }

    pub fn period_report(&self, req: &crate::report::ReportRequest) -> Result<serde_json::Value> {
        self.need(Perm::ViewReports)?.period_report(req)
    }

    pub fn monthly_report(
        &self,
        month: &str,
        department_id: Option<i64>,
    ) -> Result<serde_json::Value> {
        self.need(Perm::ViewReports)?
            .monthly_report(month, department_id)
    }

    /// Writes a computed report document to `path` (the CLI's `--export`), logged before
    /// the file appears; an existing file is replaced only with `replace`.
    pub fn write_report(
        &self,
        doc: &serde_json::Value,
        lang: &str,
        path: &std::path::Path,
        replace: bool,
    ) -> Result<()> {
        self.need(Perm::ExportReports)?;
        let bytes = crate::report_file::report_bytes(doc, lang, crate::report_file::is_csv(path))?;
        crate::files::write_new(path, replace, |f| {
            std::io::Write::write_all(f, &bytes)?;
            self.log(
                "export",
                &path.display().to_string(),
                json!({ "kind": "report", "personal": false }),
            )
        })
    }

    pub fn save_cdr_mapping(&self, name: &str, mapping: &crate::cdr::Mapping) -> Result<()> {
        self.need(Perm::ImportCalls)?
            .save_cdr_mapping(name, mapping)?;
        self.log("cdr_mapping_saved", name, json!({}))
    }

    pub fn cdr_mapping(&self, name: &str) -> Result<crate::cdr::Mapping> {
        self.need(Perm::ImportCalls)?.cdr_mapping(name)
    }

    pub fn import_calls(
        &self,
        calls: &[crate::cdr::Call],
        source: &str,
        bad_rows: Vec<crate::cdr::BadRow>,
    ) -> Result<crate::store::CallImport> {
        let r = self
            .need(Perm::ImportCalls)?
            .import_calls(calls, source, bad_rows)?;
        self.log("calls_imported", "", json!({ "imported": r.imported }))?;
        Ok(r)
    }

    pub fn import_tickets(
        &self,
        input: impl std::io::Read,
        strict: bool,
    ) -> Result<crate::exchange::ImportReport> {
        let s = self.need(Perm::ImportTickets)?;
        let r = crate::exchange::import_csv(s, self.user.id, input, strict)?;
        self.log(
            "tickets_imported",
            "",
            json!({ "imported": r.imported, "errors": r.errors.len() }),
        )?;
        Ok(r)
    }
}
