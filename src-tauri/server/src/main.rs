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
    let mut args = std::env::args().skip(1);
    let config = match (args.next().as_deref(), args.next()) {
        (Some("--config"), Some(path)) => path,
        _ => {
            eprintln!("usage: hotline-server --config server.toml");
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
