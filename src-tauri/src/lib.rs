//! The Tauri shell: opens the store, registers the commands, starts the window.
//! Everything it does is delegated to hotline-core.

pub mod backup;
pub mod connection;
pub mod door;
pub mod live;
pub mod offline;
pub mod print;
pub mod remote;
pub mod scheduler;
pub mod state;

use state::Desk;
use tauri::{Builder, Runtime};

/// The app, generic over the runtime so tests run it on `tauri::test::mock_builder`.
pub fn builder<R: Runtime>(builder: Builder<R>, desk: Desk) -> Builder<R> {
    builder
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let wake = scheduler::Wake::default();
            live::watch(app.handle().clone(), wake.clone());
            scheduler::start(app.handle().clone(), wake);
            backup::start(app.handle().clone());
            Ok(())
        })
        .on_page_load(|view, payload| {
            // `HOTLINE_WINDOW_SIZE=1024x768`: a seat's fixed window size (small screens,
            // kiosks, and the end-to-end tests at 1024×768 without a window manager).
            if payload.event() == tauri::webview::PageLoadEvent::Finished && view.label() == "main"
            {
                if let Some((w, h)) = window_size() {
                    let _ = view.window().set_size(tauri::LogicalSize::new(w, h));
                }
            }
        })
        .manage(desk)
        // Every command comes from the core's registry (`door::handle`).
        .invoke_handler(door::handle)
}

/// The window size asked for by `HOTLINE_WINDOW_SIZE` (`WIDTHxHEIGHT`), if any and sane.
fn window_size() -> Option<(f64, f64)> {
    let v = std::env::var("HOTLINE_WINDOW_SIZE").ok()?;
    let (w, h) = v.split_once('x')?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((320.0..=10_000.0).contains(&w) && (240.0..=10_000.0).contains(&h)).then_some((w, h))
}

pub fn run() {
    software_rendering();
    let desk = Desk::configured(
        hotline_core::paths::default_db_path(),
        connection::default_path(),
    );
    if let Err(e) = builder(tauri::Builder::default(), desk).run(tauri::generate_context!()) {
        eprintln!("hotline-desk: {e}");
        std::process::exit(1);
    }
}

/// WebKitGTK composites pages through GL. Without a GPU (virtual desktops, remote
/// sessions, Xvfb) that is Mesa's software GL inside the web process: about 180 MB more
/// for forms, tables and canvas charts that paint the same without it (`make measure`).
/// `HOTLINE_GPU_COMPOSITING=1` keeps WebKit's default. Runs before any thread starts.
fn software_rendering() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none()
        && std::env::var_os("HOTLINE_GPU_COMPOSITING").is_none()
    {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}
