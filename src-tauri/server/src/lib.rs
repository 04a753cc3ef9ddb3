//! Hotline Desk's centre server: one store for the whole centre, its command registry served
//! over HTTP to many seats, the live event stream, and the centre's one deadline scheduler.
//! On loopback without TLS for now (the config refuses anything else).

pub mod config;
pub mod events;
pub mod http;
pub mod limits;
pub mod scheduler;
pub mod seats;

use hotline_core::{Result, Store, SystemClock};
use std::sync::Arc;

/// Opens the store, binds, and serves until Ctrl+C or SIGTERM; in-flight requests finish.
pub async fn serve(config: config::Config) -> Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    // One server per data file, and no desk or command line beside it: they come through.
    let _lock = hotline_core::files::hold_server_lock(&config.db_path())?;
    let store = Store::open_with_readers(config.db_path(), Arc::new(SystemClock), config.readers)?;
    let store = Arc::new(store);
    let head = events::watch_head(store.clone());
    scheduler::start(store.clone(), head.clone());
    let app = Arc::new(http::App {
        head,
        store,
        limits: limits::Limits::default(),
        seats: seats::Seats::default(),
    });
    let router = http::router(app, config.max_body_bytes, config.request_seconds);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    // The address actually bound (port 0 picks a free one): tests and scripts read it.
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
