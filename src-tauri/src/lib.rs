//! The Tauri shell: opens the store, registers the commands, starts the window.
//! Everything it does is delegated to hotline-core.

pub mod backup;
pub mod door;
pub mod live;
pub mod print;
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
        .manage(desk)
        // Every command comes from the core's registry (`door::handle`).
        .invoke_handler(door::handle)
}

pub fn run() {
    software_rendering();
    let desk = Desk::open(hotline_core::paths::default_db_path());
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
