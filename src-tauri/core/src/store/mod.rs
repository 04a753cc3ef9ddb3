//! The ticket store. This module is the one place that opens its database: it creates
//! and migrates the SQLite file, or migrates a PostgreSQL database (`open_postgres`), and
//! hands out the `Store` (see `db`). The parts below sit on `db`,
//! the ticket and event rows (`rows`) under the ticket writes and the alarms.

mod accountability;
mod accounts;
mod adjustments;
mod alarms;
mod appeals;
mod attachments;
mod audit;
mod backup;
mod bulk;
mod calendar;
mod calls;
mod co_parts;
mod complaint_report;
mod complaints;
mod db;
mod detect;
mod dispatch;
mod drafts;
mod drill;
mod improvements;
mod incident_report;
mod incident_views;
mod incidents;
mod instances;
mod kb;
mod kb_views;
mod kpis;
mod listing;
mod merges;
mod migrate;
mod notices;
mod notifications;
mod onboarding;
mod outbox;
mod pages;
#[cfg(feature = "postgres")]
mod pg;
#[cfg(feature = "postgres")]
mod pg_backup;
#[cfg(feature = "postgres")]
mod pg_migrate;
mod pg_search;
#[cfg(feature = "postgres")]
mod pg_tx;
mod plans;
mod presence;
mod qa;
mod qa_report;
mod queues;
mod reference;
#[cfg(feature = "postgres")]
mod relocate;
mod report;
mod retention;
mod return_review;
mod returns;
mod reviews;
mod roster;
mod rows;
mod settings;
mod sla;
mod sql;
mod sqlite_backup;
mod supervision;
mod templates;
mod tickets;
mod tokens;
mod training;

pub use accountability::{Finding, Findings};
pub use accounts::{Account, NewAccount};
pub use alarms::Fired;
pub use appeals::{Appeal, AppealWindow, Entries, Exclusion};
pub use attachments::Attachment;
pub use audit::{AuditEntry, AuditQuery, AuditReport};
pub use backup::{BackupInfo, BackupStatus, Check, Drill, DrillReport};
pub use bulk::{Bulk, HistoricEvent, HistoricTicket};
pub use calendar::{CalendarView, IcsReport};
pub use calls::CallImport;
pub use complaint_report::{Bar, ComplaintFigures, REPEAT_DAYS};
pub use complaints::{Complaint, HeldComplaint, LegalOpinion};
pub use db::{Author, Presence};
pub use detect::Suggestion;
pub use dispatch::{DispatchFigures, DispatchSuggestion, Named, RuleRow};
pub use improvements::{Cause, Measure, Measures};
pub use incident_report::{IncidentFigures, Timing};
pub use incident_views::{Bulletin, IncidentDetail, IncidentRow, IncidentStep};
pub use incidents::NewBulletin;
pub use instances::{ChangeSignal, Lead};
pub use kb::{Article, ArticleVersion, Suggestion as ArticleSuggestion};
pub use kb_views::{ArticleQuery, ArticleRow, ArticleUse, KbFigures, Upkeep};
pub use listing::{ListQuery, Page, Sort, RANK_WINDOW, SEARCH_MAX};
pub use migrate::{Migration, MIGRATIONS};
pub use notifications::{NotificationRow, Popups};
pub use onboarding::{ItemProgress, Onboarding, OnboardingItem};
pub use outbox::{OutboxEntry, OutboxKind};
pub use pages::PageRow;
pub use qa::{Comment, QaReview, Reviews, Scorecard, TicketCall};
pub use qa_report::QaFigures;
pub use queues::{COUNT_CAP, DUE_SOON};
#[cfg(feature = "postgres")]
pub use relocate::{relocate, Relocation};
pub use retention::{RetentionPlan, SampleChange};
pub use returns::{ReasonRow, ReturnRequest};
pub use reviews::{FollowUp, Review};
pub use roster::{DutyChange, Handover, OnDuty, Roster, ROSTER_DAYS_MAX};
pub use supervision::{Listed, Notice};
pub use templates::{ReplyTemplate, TEMPLATE_FIELDS};
pub use training::{Attempt, Attendee, Exam, PaperQuestion, Question, Session};

use crate::clock::Clock;
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;

/// Read connections of a desk: a report's two periods (`Store::snapshot_split`) and the
/// desk's queues read side by side. (Each has its own page cache, filled only as used.)
pub const DESK_READERS: usize = 3;

#[cfg(feature = "bench-internals")]
pub use bulk::{index_from, suspend_search_triggers};
pub(crate) use db::configure;
#[cfg(feature = "bench-internals")]
pub use db::open_raw;
pub use db::Store;

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    /// Refused while a centre server holds the file: then it is used through the server.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Store> {
        crate::files::check_not_served(path.as_ref())?;
        Self::open_with(path, clock, MIGRATIONS, DESK_READERS)
    }

    /// `open` with `readers` read connections (at least one): a centre server serving
    /// many seats reads on several at once. The server takes its lock first
    /// (`files::hold_server_lock`), so this does not check it.
    pub fn open_with_readers(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        readers: usize,
    ) -> Result<Store> {
        Self::open_with(path, clock, MIGRATIONS, readers)
    }

    pub(crate) fn open_with(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        migrations: &[Migration],
        readers: usize,
    ) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let created = !path.exists();
        let mut writer = Connection::open(&path)?;
        // Customer data: readable by the desk's own OS account only (SQLite gives the
        // -wal and -shm files the same mode).
        #[cfg(unix)]
        if created {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        #[cfg(not(unix))]
        let _ = created;
        configure(&writer)?;
        // Migrate (or refuse a newer file) before switching to WAL, which rewrites the header.
        migrate::run(&mut writer, migrations)?;
        if migrations.iter().any(|m| m.name == "calendars") {
            calendar::sync_official(&sql::Connection::lite(&writer))?;
        }
        if migrations.iter().any(|m| m.name == "alarms") {
            alarms::backfill(&sql::Connection::lite(&writer), clock.now())?;
        }
        if migrations.iter().any(|m| m.name == "incidents") {
            let tx = writer.unchecked_transaction()?;
            plans::seed(&sql::Connection::lite(&tx), clock.now())?;
            tx.commit()?;
        }
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::InvalidValue {
                field: "journal_mode",
                value: mode,
            });
        }
        let readers = (0..readers.max(1))
            .map(|_| {
                let reader = Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&reader)?;
                // Reports and searches read tens of thousands of pages of a big store; with
                // the default 2 MB cache most of that time went to copying pages again.
                reader.pragma_update(None, "cache_size", db::READER_CACHE_KIB)?;
                Ok(reader)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Store {
            db: db::Backend::Lite(db::Pool::new(writer, readers)),
            clock,
            path,
            presence: Default::default(),
            counts: Default::default(),
            detected: Default::default(),
        })
    }
}

#[cfg(feature = "postgres")]
impl Store {
    /// Opens a centre's store on PostgreSQL (`postgres://…`) and brings its schema up to
    /// date, with `readers` read connections beside the writer.
    pub fn open_postgres(url: &str, clock: Arc<dyn Clock>, readers: usize) -> Result<Store> {
        let writer = pg::PgConn::connect(url)?;
        pg_migrate::run(&writer, pg_migrate::PG_MIGRATIONS)?;
        writer.transaction(|c| {
            calendar::sync_official(c)?;
            alarms::backfill(c, clock.now())?;
            plans::seed(c, clock.now())
        })?;
        let readers = (0..readers.max(1))
            .map(|_| pg::PgConn::connect(url))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Store {
            db: db::Backend::Pg(Box::new(db::Pool::new(writer, readers))),
            clock,
            path: without_password(url).into(),
            presence: Default::default(),
            counts: Default::default(),
            detected: Default::default(),
        })
    }
}

/// A database URL as it may be shown: without its password.
#[cfg(feature = "postgres")]
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => format!("{scheme}://{}@{host}", user.split(':').next().unwrap_or("")),
        None => url.to_string(),
    }
}

#[cfg(all(test, feature = "postgres"))]
#[path = "pg_store_tests.rs"]
mod pg_store_tests;

#[cfg(all(test, feature = "postgres"))]
#[path = "pg_race_tests.rs"]
mod pg_race_tests;

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use crate::clock::FakeClock;
    use chrono::{DateTime, Utc};

    pub fn t0() -> DateTime<Utc> {
        crate::lifecycle::tests::t0()
    }

    /// A department (路灯管理所) with one handler: (department id, handler id).
    pub fn lighting(s: &Store) -> (i64, i64) {
        let dept = s
            .create_department(None, "lighting", "路灯管理所", None)
            .expect("dept")
            .id;
        let handler = s
            .create_user(None, "王工", dept, crate::model::Role::Handler)
            .expect("handler")
            .id;
        (dept, handler)
    }

    /// A store with a department (路灯管理所) and its handler: (…, department id, handler).
    pub fn setup() -> (
        tempfile::TempDir,
        Store,
        Arc<FakeClock>,
        i64,
        crate::model::User,
    ) {
        let (d, s, c) = store();
        let (dept, handler) = lighting(&s);
        let handler = s.user(handler).expect("handler");
        (d, s, c, dept, handler)
    }

    /// A fresh store: an SQLite file, or with `HOTLINE_TEST_PG` set (a cluster's URL
    /// without a database, as `hotline-pgcluster` runs the tests) a database of its own
    /// on that cluster, so the same tests speak for both.
    pub fn store() -> (tempfile::TempDir, Store, Arc<FakeClock>) {
        #[cfg(feature = "postgres")]
        if let Ok(cluster) = std::env::var("HOTLINE_TEST_PG") {
            let dir = tempfile::tempdir().expect("tempdir");
            let clock = Arc::new(FakeClock::new(t0()));
            let s = Store::open_postgres(&pg_database(&cluster), clock.clone(), 2).expect("open");
            return (dir, s, clock);
        }
        sqlite_store()
    }

    /// The ids a search lists, in its order.
    pub fn found(s: &Store, q: ListQuery) -> Vec<i64> {
        s.list(&q)
            .expect("search")
            .rows
            .iter()
            .map(|r| r.id)
            .collect()
    }

    /// The same store opened again (its file, or its PostgreSQL database): what was
    /// committed is there.
    pub fn reopen(s: Store, clock: Arc<dyn crate::clock::Clock>) -> Store {
        let path = s.path().to_path_buf();
        #[cfg(feature = "postgres")]
        if s.is_postgres() {
            drop(s);
            return Store::open_postgres(&path.to_string_lossy(), clock, 2).expect("reopen");
        }
        drop(s);
        Store::open(&path, clock).expect("reopen")
    }

    /// A store on an SQLite file whatever `HOTLINE_TEST_PG` says: for the tests of the
    /// file's own business (its pragmas, its query plans, its file backups).
    pub fn sqlite_store() -> (tempfile::TempDir, Store, Arc<FakeClock>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(FakeClock::new(t0()));
        let s = Store::open(dir.path().join("hotline.db"), clock.clone()).expect("open");
        (dir, s, clock)
    }

    /// A new database on the test cluster, copied from one migrated once per test process.
    #[cfg(feature = "postgres")]
    fn pg_database(cluster: &str) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let admin = || {
            postgres::Client::connect(&format!("{cluster}/postgres"), postgres::NoTls)
                .expect("cluster")
        };
        let template = TEMPLATE.get_or_init(|| {
            let name = format!("hd_template_{}", std::process::id());
            admin()
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"))
                .expect("template");
            let url = format!("{cluster}/{name}");
            drop(Store::open_postgres(&url, Arc::new(FakeClock::new(t0())), 1).expect("migrate the template"));
            name
        });
        let name = format!(
            "hd_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin()
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .expect("database");
        format!("{cluster}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;

    #[test]
    fn opens_with_the_durable_pragmas() {
        let (_d, s, _c) = sqlite_store();
        s.read(|c| {
            let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
            let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
            Ok(())
        })
        .expect("pragmas");
    }

    /// A long read (a report) does not hold up another (a queue page): with one reader
    /// the second read would wait for the first and this test would time out.
    #[test]
    fn reads_run_side_by_side() {
        use crate::Store;
        use std::sync::mpsc::channel;
        use std::sync::Arc;
        use std::time::Duration;
        let (_d, s, _c) = store();
        let s = Arc::new(s);
        let (holding, held) = channel();
        let (release, released) = channel::<()>();
        let long = {
            let s = s.clone();
            std::thread::spawn(move || {
                s.read(|c| {
                    let n: i64 = c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?;
                    holding.send(()).ok();
                    released.recv().ok();
                    Ok(n)
                })
            })
        };
        held.recv_timeout(Duration::from_secs(10))
            .expect("the long read started");
        let (done, finished) = channel();
        let short = {
            let s = s.clone();
            std::thread::spawn(move || {
                let n = s.read(|c| {
                    Ok(c.query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))?)
                });
                done.send(n.is_ok()).ok();
            })
        };
        let ok = finished.recv_timeout(Duration::from_secs(10));
        release.send(()).ok();
        assert_eq!(
            ok,
            Ok(true),
            "the second read finished while the first held its reader"
        );
        short.join().expect("short");
        assert_eq!(long.join().expect("long").expect("count"), 0);
        // The file's own pool: on PostgreSQL `path` is the database's URL, not a file.
        if !s.is_postgres() {
            let one = Store::open_with_readers(s.path(), Arc::new(crate::clock::SystemClock), 1)
                .expect("one reader");
            assert_eq!(one.sqlite().expect("SQLite").readers.len(), 1);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, s, _c) = sqlite_store();
        let mode = std::fs::metadata(s.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn settings_are_validated() {
        let (_d, s, _c) = store();
        assert_eq!(s.setting("timezone").ok().as_deref(), Some("Asia/Shanghai"));
        assert_eq!(
            s.set_setting(None, "timezone", "Mars/Base")
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert_eq!(
            s.set_setting(None, "idle_lock_seconds", "5")
                .map_err(|e| e.code()),
            Err("invalid_value")
        );
        assert_eq!(
            s.set_setting(None, "nope", "1").map_err(|e| e.code()),
            Err("invalid_value")
        );
        s.set_setting(None, "callback_days", "5").expect("valid");
        assert_eq!(s.setting("callback_days").ok().as_deref(), Some("5"));
    }
}
