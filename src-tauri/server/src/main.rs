//! `hotline-server --config server.toml`

use std::process::ExitCode;

fn main() -> ExitCode {
    // Store work runs on blocking threads; more of them than the store has connections
    // only queue on its locks while each holds a malloc arena of its own.
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()
    {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("error[io]: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    // One JSON object per line on stderr; stdout keeps the listening address and the
    // certificate's fingerprint for people and scripts.
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["--config", path] => path.to_string(),
        ["migrate-store", "--from", from, "--to", to] => return migrate_store(from, to).await,
        _ => {
            eprintln!("usage: hotline-server --config server.toml\n       hotline-server migrate-store --from sqlite:PATH --to postgres://USER@HOST/DATABASE");
            return ExitCode::from(2);
        }
    };
    let run = async {
        let c = hotline_server::config::Config::load(std::path::Path::new(&config))?;
        hotline_server::serve(c).await
    };
    match run.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "hotline-server stopped");
            eprintln!("error[{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// Moves a centre's SQLite file into a new PostgreSQL database, verified (see
/// `hotline_core::store::relocate`); prints what arrived.
async fn migrate_store(from: &str, to: &str) -> ExitCode {
    let Some(path) = from.strip_prefix("sqlite:") else {
        eprintln!("error[invalid_value]: --from takes sqlite:PATH");
        return ExitCode::from(2);
    };
    let (path, to) = (std::path::PathBuf::from(path), to.to_string());
    let moved = tokio::task::spawn_blocking(move || {
        hotline_core::store::relocate(&path, &to, std::sync::Arc::new(hotline_core::SystemClock))
    })
    .await;
    match moved {
        Ok(Ok(r)) => {
            let rows: i64 = r.tables.iter().map(|(_, n)| n).sum();
            for (table, n) in &r.tables {
                println!("{table}\t{n}");
            }
            println!(
                "moved {rows} rows of {} tables, counts verified; audit chain intact: {} entries, head {}",
                r.tables.len(),
                r.audit.entries,
                r.audit.head
            );
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error[{}]: {e}", e.code());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error[internal]: {e}");
            ExitCode::FAILURE
        }
    }
}
