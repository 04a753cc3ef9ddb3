//! Hotline Desk's centre server: one store for the whole centre, its command registry served
//! over HTTPS to many seats, the live event stream, and the centre's one deadline scheduler.

pub mod config;
pub mod events;
pub mod http;
pub mod limits;
pub mod memory;
pub mod scheduler;
pub mod seats;
pub mod tls;

use hotline_core::{Result, Store, SystemClock};
use std::sync::Arc;

/// Opens the store, binds, and serves until Ctrl+C or SIGTERM; in-flight requests finish.
pub async fn serve(config: config::Config) -> Result<()> {
    let running = start(config).await?;
    tracing::info!(url = %running.url, fingerprint = running.fingerprint.as_deref().unwrap_or(""), "listening");
    // The address actually bound (port 0 picks a free one): tests and scripts read it.
    println!("listening on {}", running.url);
    if let Some(f) = &running.fingerprint {
        println!("certificate fingerprint {f}");
    }
    let stopping = running.handle.clone();
    tokio::spawn(async move {
        shutdown().await;
        tracing::info!("stopping: requests in flight finish");
        // In-flight requests finish (a write a desk was told of is committed); then it stops.
        stopping.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
    });
    running.done().await
}

/// A server serving on the current runtime (`serve`, and the desk's tests in-process).
pub struct Running {
    /// `https://127.0.0.1:PORT` (or `http://` with `plain_http`).
    pub url: String,
    /// Of the certificate it presents.
    pub fingerprint: Option<String>,
    pub handle: axum_server::Handle<std::net::SocketAddr>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl Running {
    /// Until it has stopped.
    pub async fn done(self) -> Result<()> {
        self.task
            .await
            .map_err(|e| hotline_core::Error::Internal(e.to_string()))?
    }
}

/// Opens the store, binds and starts serving; returns once it listens.
pub async fn start(config: config::Config) -> Result<Running> {
    std::fs::create_dir_all(&config.data_dir)?;
    let (store, lock) = {
        let config = config.clone();
        // The store's clients block (the PostgreSQL one runs its own runtime inside).
        tokio::task::spawn_blocking(move || open(&config))
            .await
            .map_err(|e| hotline_core::Error::Internal(e.to_string()))??
    };
    let data_label = format!(
        "{} ({})",
        store.path().display(),
        hotline_core::paths::hostname().unwrap_or_default()
    );
    let store = Arc::new(store);
    let feed = events::watch_head(store.clone());
    let lead = Arc::new(std::sync::Mutex::new(store.lead()));
    scheduler::start(store.clone(), feed.head.clone(), lead.clone());
    scheduler::backups(store.clone(), lead);
    memory::give_back_periodically();
    let app = Arc::new(http::App {
        feed,
        store,
        limits: limits::Limits::default(),
        seats: seats::Seats::default(),
        data_label,
    });
    let router = http::router(app, config.max_body_bytes, config.request_seconds);
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = std::net::TcpListener::bind(config.listen)?;
    let addr = listener.local_addr()?;
    let handle = axum_server::Handle::new();
    let (url, fingerprint, task) = if config.plain_http {
        let server = axum_server::from_tcp(listener)?.handle(handle.clone());
        let task = tokio::spawn(async move {
            let _lock = lock;
            Ok(server.serve(service).await?)
        });
        (format!("http://{addr}"), None, task)
    } else {
        let id = tls::identity(&config)?;
        let tls = axum_server::tls_rustls::RustlsConfig::from_pem(id.cert_pem, id.key_pem)
            .await
            .map_err(|e| hotline_core::Error::InvalidValue {
                field: "tls_key",
                value: e.to_string().chars().take(200).collect(),
            })?;
        let server = axum_server::from_tcp_rustls(listener, tls)?.handle(handle.clone());
        let task = tokio::spawn(async move {
            let _lock = lock;
            Ok(server.serve(service).await?)
        });
        (format!("https://{addr}"), Some(id.fingerprint), task)
    };
    Ok(Running {
        url,
        fingerprint,
        handle,
        task,
    })
}

/// The centre's store and, on an SQLite file, the lock that keeps it this server's.
fn open(config: &config::Config) -> Result<(Store, Option<std::fs::File>)> {
    match &config.store {
        // Several instances may serve one centre on PostgreSQL: no file lock.
        Some(url) => Ok((
            Store::open_postgres(url, Arc::new(SystemClock), config.readers)?,
            None,
        )),
        None => {
            // One server per data file, and no desk or command line beside it: they come
            // through.
            let lock = hotline_core::files::hold_server_lock(&config.db_path())?;
            let store =
                Store::open_with_readers(config.db_path(), Arc::new(SystemClock), config.readers)?;
            Ok((store, Some(lock)))
        }
    }
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
