//! A private PostgreSQL cluster for one test binary: `initdb` in a temporary folder (UTF-8,
//! `C.UTF-8` collation and character classes, trust on loopback only), started on a free
//! port of 127.0.0.1 with its socket in that folder, stopped and removed when dropped.
//! PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user.
//! Nothing of it outlives the test process's normal end.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The superuser the clusters are made with.
pub const USER: &str = "hotline";

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The newest PostgreSQL's binaries (Debian keeps them per version), or those on PATH.
fn binaries() -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let found = Command::new("pg_config").arg("--bindir").output();
    match found {
        Ok(o) if o.status.success() => Ok(PathBuf::from(String::from_utf8(o.stdout)?.trim())),
        _ => Err("PostgreSQL is not installed (apt-get install postgresql): no initdb in /usr/lib/postgresql/*/bin".into()),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Cluster {
    /// Makes and starts a cluster (about a second).
    pub fn start() -> Result<Cluster> {
        Self::init()?.started()
    }

    /// A cluster that takes connections over TCP only with TLS, presenting `cert_pem`
    /// (its key `key_pem`): a client that does not speak TLS is refused.
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Result<Cluster> {
        let c = Self::init()?;
        let data = c.data();
        let key = data.join("server.key");
        std::fs::write(data.join("server.crt"), cert_pem)?;
        std::fs::write(&key, key_pem)?;
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl replication all 127.0.0.1/32 trust\n",
        )?;
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))?;
        std::io::Write::write_all(
            &mut conf,
            b"\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
        )?;
        // PostgreSQL reads a key only its own user can read.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))?;
        if c.as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(data.join("server.crt"))
                .arg(&key)
                .arg(data.join("pg_hba.conf")))?;
        }
        c.started()
    }

    /// A new cluster's data folder, not yet started.
    fn init() -> Result<Cluster> {
        let bin = binaries()?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("hotline-pg-").tempdir()?;
        if as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()))?;
        }
        let c = Cluster {
            dir,
            bin,
            port: 0,
            as_postgres,
        };
        let data = c.data();
        c.run_pg(
            "initdb",
            &[
                "-D",
                path(&data)?,
                "--locale=C.UTF-8",
                "--encoding=UTF8",
                "-A",
                "trust",
                "-U",
                USER,
                "--no-sync",
            ],
        )?;
        Ok(c)
    }

    /// Started on a free port: each try takes a port free a moment ago, which another
    /// process may take meanwhile.
    fn started(mut self) -> Result<Cluster> {
        let mut last = None;
        for _ in 0..5 {
            self.port = free_port()?;
            match self.serve() {
                Ok(()) => return Ok(self),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| "the cluster did not start".into()))
    }

    /// A streaming replica of `primary` in a cluster of its own (`pg_basebackup -R`): it
    /// follows the primary until `promote`. `primary.sql("ALTER SYSTEM SET
    /// synchronous_standby_names = '*'")` then makes every commit wait for it.
    pub fn replica_of(primary: &Cluster) -> Result<Cluster> {
        let dir = tempfile::Builder::new().prefix("hotline-pg-").tempdir()?;
        if primary.as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()))?;
        }
        let c = Cluster {
            dir,
            bin: primary.bin.clone(),
            port: 0,
            as_postgres: primary.as_postgres,
        };
        let data = c.data();
        c.run_pg(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                USER,
                "-D",
                path(&data)?,
                "-R",
                "-X",
                "stream",
                "--no-sync",
                // At once, not after a spread checkpoint (minutes on an idle cluster).
                "--checkpoint=fast",
            ],
        )?;
        c.started()
    }

    /// Makes a replica the primary (a failover), once it accepts writes.
    pub fn promote(&self) -> Result<()> {
        self.run_pg("pg_ctl", &["-D", path(&self.data())?, "-w", "promote"])
    }

    /// Runs SQL as the superuser on the database `postgres` (settings, checks), outside a
    /// transaction so `ALTER SYSTEM` may run; reloads the configuration after.
    pub fn sql(&self, sql: &str) -> Result<()> {
        self.psql(&[sql, "SELECT pg_reload_conf()"])
    }

    /// Runs each of `commands` by psql as the superuser on the database `postgres`.
    fn psql(&self, commands: &[&str]) -> Result<()> {
        let port = self.port.to_string();
        let mut args = vec![
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            USER,
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
        ];
        for c in commands {
            args.extend(["-c", c]);
        }
        run(Command::new(self.bin.join("psql")).args(args))
    }

    /// Starts the server of the cluster's data on its port, and waits until it answers.
    fn serve(&self) -> Result<()> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            path(self.dir.path())?
        );
        let log = self.dir.path().join("log");
        self.run_pg(
            "pg_ctl",
            &[
                "-D",
                path(&self.data())?,
                "-o",
                &opts,
                "-l",
                path(&log)?,
                "-w",
                "start",
            ],
        )
    }

    /// Stops the server as a crash would and starts it again on the same port: every
    /// session the clients had is gone.
    pub fn crash_and_restart(&self) -> Result<()> {
        self.kill()?;
        self.serve()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run_pg(&self, program: &str, args: &[&str]) -> Result<()> {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(self.dir.path());
        run(&mut cmd)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for `database` (created first with `create_database`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a database with the given character classes (`C.UTF-8` for the store;
    /// `C` to see the store refuse one).
    pub fn create_database(&self, name: &str, ctype: &str) -> Result<String> {
        let sql = format!(
            "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE '{ctype}'"
        );
        self.psql(&[&sql])?;
        Ok(self.url(name))
    }

    /// Stops the server at once, as a crash would (a primary killed in a failover test).
    pub fn kill(&self) -> Result<()> {
        self.run_pg(
            "pg_ctl",
            &["-D", path(&self.data())?, "-m", "immediate", "stop"],
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

fn path(p: &Path) -> Result<&str> {
    p.to_str()
        .ok_or_else(|| "a temporary path that is not UTF-8".into())
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.stdin(Stdio::null()).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_takes_a_database_and_stops() {
        let c = Cluster::start().expect("cluster");
        let url = c.create_database("probe", "C.UTF-8").expect("database");
        assert!(url.ends_with("/probe"));
        let port = c.port();
        drop(c);
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "stopped"
        );
    }
}
