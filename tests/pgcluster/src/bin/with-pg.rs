//! `with-pg COMMAND [ARGS…]`: runs a command with a private PostgreSQL cluster started for
//! it — its URL (without a database) in `HOTLINE_TEST_PG` — and stopped when the command
//! ends, whatever its outcome; exits with the command's status.

use std::process::{exit, Command};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: with-pg COMMAND [ARGS…]");
        exit(2);
    };
    let cluster = match hotline_pgcluster::Cluster::start() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("with-pg: {e}");
            exit(2);
        }
    };
    let url = format!(
        "postgres://{}@127.0.0.1:{}",
        hotline_pgcluster::USER,
        cluster.port()
    );
    let status = Command::new(&program)
        .args(args)
        .env("HOTLINE_TEST_PG", &url)
        .status();
    drop(cluster);
    match status {
        Ok(s) => exit(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("with-pg: {program}: {e}");
            exit(2);
        }
    }
}
