//! Hotline Desk's centre server: one store for the whole centre, its command registry served
//! over HTTPS to many seats, the live event stream, and the centre's one deadline scheduler.

pub mod config;
pub mod events;
pub mod http;
pub mod limits;
pub mod scheduler;
pub mod seats;
pub mod tls;

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
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = std::net::TcpListener::bind(config.listen)?;
    let addr = listener.local_addr()?;
    // In-flight requests finish (a write the desk was told of is committed); then it stops.
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown().await;
        stopping.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
    });
    if config.plain_http {
        // The address actually bound (port 0 picks a free one): tests and scripts read it.
        println!("listening on http://{addr}");
        axum_server::from_tcp(listener)?
            .handle(handle)
            .serve(service)
            .await?;
    } else {
        let id = tls::identity(&config)?;
        let tls = axum_server::tls_rustls::RustlsConfig::from_pem(id.cert_pem, id.key_pem)
            .await
            .map_err(|e| hotline_core::Error::InvalidValue {
                field: "tls_key",
                value: e.to_string().chars().take(200).collect(),
            })?;
        println!("listening on https://{addr}");
        println!("certificate fingerprint {}", id.fingerprint);
        axum_server::from_tcp_rustls(listener, tls)?
            .handle(handle)
            .serve(service)
            .await?;
    }
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
