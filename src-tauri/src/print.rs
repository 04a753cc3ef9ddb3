//! Printing to PDF through the webview itself: WebKitGTK lays out the page with its print
//! style (the slip, or the report) and GTK's "Print to File" printer writes the PDF, with
//! no dialog. Other platforms print through the webview's own dialog instead.

use hotline_core::{Error, Result};
use std::path::Path;
use tauri::{Runtime, WebviewWindow};

/// How long a print may take before the desk gives up waiting (a stuck print job).
#[cfg(target_os = "linux")]
const PRINT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Prints `window`'s document to `path` as an A4 PDF and waits until the file is written.
pub fn to_pdf<R: Runtime>(window: &WebviewWindow<R>, path: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        let (tx, rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let target = path.to_path_buf();
        window
            .with_webview(move |view| gtk_print(&view.inner(), &target, tx))
            .map_err(|e| Error::Internal(e.to_string()))?;
        match rx.recv_timeout(PRINT_TIMEOUT) {
            Ok(r) => r.map_err(Error::Internal),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                Err(Error::Internal("printing did not finish".into()))
            }
            // The webview never ran the job (no real window, as under the mock runtime).
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                Err(Error::NotConfigured("printing"))
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (window, path);
        Err(Error::NotConfigured("printing"))
    }
}

#[cfg(target_os = "linux")]
fn gtk_print(
    view: &webkit2gtk::WebView,
    path: &Path,
    done: std::sync::mpsc::Sender<Result<(), String>>,
) {
    use webkit2gtk::PrintOperationExt;
    let uri = match gtk::glib::filename_to_uri(path, None) {
        Ok(u) => u,
        Err(e) => {
            let _ = done.send(Err(e.to_string()));
            return;
        }
    };
    let settings = gtk::PrintSettings::new();
    // GTK names its file printer in the user's language: ask its own translation.
    settings.set_printer(&gtk::glib::dgettext(Some("gtk30"), "Print to File"));
    settings.set(gtk::PRINT_SETTINGS_OUTPUT_FILE_FORMAT, Some("pdf"));
    settings.set(gtk::PRINT_SETTINGS_OUTPUT_URI, Some(&uri));
    let page = gtk::PageSetup::new();
    page.set_paper_size(&gtk::PaperSize::new(Some(gtk::PAPER_NAME_A4.as_str())));
    let op = webkit2gtk::PrintOperation::new(view);
    op.set_print_settings(&settings);
    op.set_page_setup(&page);
    let failed = done.clone();
    op.connect_failed(move |_, err| {
        let _ = failed.send(Err(err.to_string()));
    });
    // The job outlives this function: the handler holds the operation until it is done.
    let keep = std::rc::Rc::new(std::cell::RefCell::new(Some(op.clone())));
    op.connect_finished(move |_| {
        keep.borrow_mut().take();
        let _ = done.send(Ok(()));
    });
    op.print();
}
