//! `hotline-bench [--tickets N] [--samples N] [--bulk N] [--store PATH|postgres://…] [--only GROUP] [--json]`.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "hotline-bench",
    about = "Times the desk's operations beside raw SQL"
)]
struct Args {
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// Timed repetitions of each read
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Tickets written by the bulk-import figure
    #[arg(long, default_value_t = 50_000)]
    bulk: usize,
    /// The bench store [default: bench-N.db in the cache directory, kept between runs],
    /// or a PostgreSQL database (`postgres://…`) the seeded file is moved into once
    #[arg(long)]
    store: Option<String>,
    /// Knowledge articles beside the tickets
    #[arg(long, default_value_t = 20_000)]
    articles: usize,
    /// Only this group of figures (repeatable): queues, detail, search, intake,
    /// reports, scheduler, writes
    #[arg(long)]
    only: Vec<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

fn main() {
    let a = Args::parse();
    let postgres = a
        .store
        .clone()
        .filter(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"));
    let db = match (&a.store, &postgres) {
        (Some(path), None) => PathBuf::from(path),
        _ => dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("hotline-bench")
            .join(format!("bench-{}.db", a.tickets)),
    };
    let opts = hotline_bench::BenchOptions {
        db,
        postgres,
        tickets: a.tickets,
        samples: a.samples,
        bulk: a.bulk,
        articles: a.articles,
        only: a.only.clone(),
    };
    let json = a.json;
    match hotline_bench::run(&opts, |what| {
        if !json {
            eprintln!("… {what}");
        }
    }) {
        Ok(r) if json => match serde_json::to_string_pretty(&r) {
            Ok(s) => println!("{s}"),
            Err(e) => fail(&e.to_string()),
        },
        Ok(r) => print!("{}", hotline_bench::table(&r)),
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) {
    eprintln!("hotline-bench: {message}");
    std::process::exit(1);
}
