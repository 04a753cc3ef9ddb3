//! `hotline`: the admin command line, a thin adapter over hotline-core on the same
//! data file as the desktop app.

use clap::{Args, Parser, Subcommand, ValueEnum};
use hotline_core::access::Acting;
use hotline_core::model::{CallbackMethod, Channel, Role, Satisfaction, Severity, Status, Urgency};
use hotline_core::seed::SeedOptions;
use hotline_core::store::{ListQuery, Sort};
use hotline_core::{Action, Error, NewTicket, Result, Store, SystemClock};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "hotline",
    version,
    about = "Hotline Desk admin command line (热线服务台)"
)]
struct Cli {
    /// The data file [default: the desktop app's, or $HOTLINE_DB]
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Print machine-readable JSON (errors too, as {code, message, details})
    #[arg(long, global = true)]
    json: bool,
    /// Act as this user (id or login) with their permissions [default: the first
    /// administrator; the data file's owner is the command line's authority]
    #[arg(long = "as", global = true, value_name = "USER")]
    as_user: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create or upgrade the data file
    Init {
        /// Also load demo data (2 000 tickets over 60 days)
        #[arg(long)]
        demo: bool,
    },
    #[command(subcommand)]
    Ticket(TicketCmd),
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// Export every ticket (personal data masked unless --personal)
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Clear phone numbers and texts: needs the export_personal permission; logged
        #[arg(long)]
        personal: bool,
        /// Write here instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import intake records from a CSV file (columns: caller_name, phone, description, category, ...)
    Import {
        file: PathBuf,
        /// Import nothing if any row is bad
        #[arg(long)]
        strict: bool,
    },
    /// Generate realistic, deterministic demo data
    Seed {
        #[arg(long, default_value_t = 2000)]
        tickets: u64,
        #[arg(long, default_value_t = 60)]
        days: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Calls per ticket answered without a ticket (the benchmark uses 2)
        #[arg(long, default_value_t = 0)]
        extra_calls: u32,
    },
    #[command(subcommand)]
    Department(DeptCmd),
    #[command(subcommand)]
    User(UserCmd),
    #[command(subcommand)]
    Setting(SettingCmd),
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// KPIs and the monthly assessment, the same figures as the reporting window
    Report {
        /// A month, e.g. 2026-10
        #[arg(long)]
        month: String,
        /// Department code
        #[arg(long)]
        department: Option<String>,
        /// Also write the report to FILE.xlsx or FILE.csv
        #[arg(long)]
        export: Option<PathBuf>,
        /// Language of the export: zh-CN, zh-TW or en
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    #[command(subcommand)]
    Calls(CallsCmd),
    /// Create the first administrator (password from $HOTLINE_PASSWORD or standard input)
    Setup {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
    },
    /// Seed a big store once (two years, three calls per ticket), then time the desk's
    /// operations beside minimal raw SQL doing the same work; prints p50/p99 and ratios
    Bench {
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        /// Timed repetitions of each read
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Tickets written by the bulk-import figure
        #[arg(long, default_value_t = 50_000)]
        bulk: usize,
        /// The bench store [default: bench-N.db in the cache directory, kept between runs]
        #[arg(long)]
        store: Option<PathBuf>,
    },
    #[command(subcommand)]
    Audit(AuditCmd),
    #[command(subcommand)]
    Backup(BackupCmd),
    #[command(subcommand)]
    Retention(RetentionCmd),
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check the hash chain: any edited, removed or reordered entry is reported
    Verify,
    /// The newest entries
    List {
        #[arg(long)]
        action: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// The passphrase comes from $HOTLINE_BACKUP_PASSPHRASE, else the one set in the app.
#[derive(Subcommand)]
enum BackupCmd {
    /// Back up now (to the backup_dir setting, and backup_offsite_dir when set)
    Create,
    List,
    /// Decrypt and check a backup (a restore drill, recorded)
    Verify {
        name: String,
    },
    /// Replace the data with a backup (the current data is kept aside)
    Restore {
        name: String,
        /// Confirm: the current data is replaced
        #[arg(long)]
        yes: bool,
    },
    /// Set the passphrase of scheduled backups (from $HOTLINE_BACKUP_PASSPHRASE or standard input)
    Passphrase,
    /// Backup configuration and the last restore drill
    Status,
}

#[derive(Subcommand)]
enum RetentionCmd {
    /// What anonymising would change now (the retention_months setting)
    Preview,
    /// Anonymise closed tickets older than retention_months
    Apply,
}
#[derive(Subcommand)]
enum CallsCmd {
    /// Import call-detail records (re-importing adds nothing)
    Import {
        file: PathBuf,
        /// asterisk (cdr_csv Master.csv), freeswitch (mod_cdr_csv default template) or mapping:NAME
        #[arg(long)]
        format: String,
    },
    /// Save a column mapping for another system's CSV, e.g.
    /// --spec '{"caller":"主叫号码","start":"呼入时间","answer":"接听时间","duration":"通话秒数"}'
    Mapping {
        name: String,
        #[arg(long)]
        spec: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Is DATE a working day (holidays and make-up days included)?
    IsWorkday {
        date: String,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// A deadline: FROM plus working days, business hours or calendar hours
    Add {
        #[arg(long)]
        from: String,
        #[arg(long, group = "span")]
        working_days: Option<i64>,
        #[arg(long, group = "span")]
        business_hours: Option<i64>,
        #[arg(long, group = "span")]
        hours: Option<i64>,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// Business time between two instants
    Elapsed {
        from: String,
        to: String,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// Import days off and make-up working days from an iCalendar (.ics) holiday feed
    Import {
        file: PathBuf,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// Mark a day by hand: rest, work, or clear
    SetDay {
        date: String,
        kind: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "office")]
        calendar: String,
    },
    /// The calendars and the years whose holidays they know
    List,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum TicketCmd {
    /// Log a call as a new ticket
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: String,
        #[arg(long)]
        description: String,
        /// Category code, e.g. consultation, complaint.service_attitude
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "phone")]
        channel: String,
        #[arg(long, default_value = "general")]
        severity: String,
        #[arg(long, default_value = "normal")]
        urgency: String,
        /// When it happened: RFC 3339 or local "YYYY-MM-DD HH:MM"
        #[arg(long)]
        occurred_at: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        address: Option<String>,
    },
    /// Show a ticket with its timeline
    Show { number: String },
    /// List tickets (a queue)
    List {
        /// Filter by status (repeatable)
        #[arg(long)]
        status: Vec<String>,
        /// Department code
        #[arg(long)]
        department: Option<String>,
        /// Ticket number, phone number or words
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// received_desc, received_asc or due_asc
        #[arg(long, default_value = "received_desc")]
        sort: String,
    },
    /// Perform a lifecycle action on a ticket
    Act(ActArgs),
}

#[derive(Args)]
struct ActArgs {
    number: String,
    /// Fail with `conflict` unless the ticket is still at this version
    #[arg(long)]
    expect_version: Option<i64>,
    #[command(subcommand)]
    action: ActCmd,
}

#[derive(Subcommand)]
enum ActCmd {
    /// 直接答复: answer at once and close
    Answer {
        #[arg(long)]
        answer: String,
    },
    /// 转办: transfer slip to a department
    Transfer {
        /// Department code
        #[arg(long)]
        department: String,
        #[arg(long)]
        requirements: String,
        /// Handling deadline
        #[arg(long)]
        due: String,
        /// Acceptance deadline (returns are allowed until then)
        #[arg(long)]
        accept_due: Option<String>,
    },
    /// 退回
    Return {
        #[arg(long)]
        reason: String,
    },
    /// 签收
    Accept {
        #[arg(long)]
        note: Option<String>,
    },
    /// 延期申请
    RequestExtension {
        #[arg(long)]
        due: String,
        #[arg(long)]
        reason: String,
    },
    ApproveExtension {
        #[arg(long)]
        note: Option<String>,
    },
    RefuseExtension {
        #[arg(long)]
        note: String,
    },
    /// 办结回复
    Reply {
        #[arg(long)]
        result: String,
        /// The problem is not resolved
        #[arg(long)]
        unresolved: bool,
    },
    /// 反馈: relay the result and record satisfaction
    Feedback {
        /// very_satisfied, satisfied, basically_satisfied, unsatisfied, very_unsatisfied
        #[arg(long)]
        satisfaction: String,
        #[arg(long)]
        note: Option<String>,
        /// New deadline when unsatisfied (发回重办)
        #[arg(long)]
        redispatch_due: Option<String>,
    },
    /// 回访
    Callback {
        /// phone or questionnaire
        #[arg(long, default_value = "phone")]
        method: String,
        #[arg(long)]
        satisfaction: String,
        #[arg(long)]
        note: Option<String>,
    },
    Reopen {
        #[arg(long)]
        reason: String,
    },
    Comment {
        #[arg(long)]
        note: String,
    },
    /// 挂起: waiting for the caller, the SLA clock stops
    Pause {
        #[arg(long)]
        reason: String,
    },
    /// The clock runs again; the deadline moves by the working time waited
    Resume {
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand)]
enum CustomerCmd {
    /// Every ticket of a caller, by any spelling of the number, newest first
    History { phone: String },
}

#[derive(Subcommand)]
enum DeptCmd {
    List,
    Add {
        code: String,
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    List,
    /// Set a user's login and password (password from $HOTLINE_PASSWORD or standard input)
    Passwd {
        id: i64,
        #[arg(long)]
        login: String,
    },
    Disable {
        id: i64,
    },
    Enable {
        id: i64,
    },
    /// Change a user's role and department
    Role {
        id: i64,
        #[arg(long)]
        role: String,
        #[arg(long)]
        department: String,
    },
    Add {
        name: String,
        /// Department code
        #[arg(long)]
        department: String,
        /// agent, handler, supervisor, manager or admin
        #[arg(long)]
        role: String,
        /// Telephone extension (links call records to the agent)
        #[arg(long)]
        extension: Option<String>,
    },
}

#[derive(Subcommand)]
enum SettingCmd {
    List,
    Get { key: String },
    Set { key: String, value: String },
}

/// A password or passphrase: from the environment variable, else one line of input.
fn secret(var: &str, what: &str) -> Result<String> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("{what}: ");
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn backup(a: &Acting, cmd: BackupCmd, json: bool) -> Result<()> {
    let pass = std::env::var("HOTLINE_BACKUP_PASSPHRASE").ok();
    let mut progress = |p: hotline_core::store::Progress| {
        if !json {
            eprint!("\r{} {} / {} bytes", p.stage, p.done, p.total);
        }
    };
    let done = |json: bool| {
        if !json {
            eprintln!();
        }
    };
    match cmd {
        BackupCmd::Create => {
            let b = a.backup_now(pass.as_deref(), &mut progress)?;
            done(json);
            print(json, serde_json::to_value(&b)?, || {
                format!(
                    "backup {} in {}{}",
                    b.name,
                    b.folder,
                    if b.offsite { " (and offsite)" } else { "" }
                )
            });
        }
        BackupCmd::List => {
            let list = a.backups()?;
            print(json, serde_json::to_value(&list)?, || {
                list.iter()
                    .map(|b| {
                        format!(
                            "{}  {:>12} bytes  {:>8} tickets{}\n",
                            b.name,
                            b.manifest.as_ref().map(|m| m.bytes).unwrap_or(0),
                            b.manifest.as_ref().map(|m| m.tickets).unwrap_or(0),
                            if b.offsite { "  offsite" } else { "" }
                        )
                    })
                    .collect::<String>()
                    + &format!("{} backups", list.len())
            });
        }
        BackupCmd::Verify { name } => {
            let r = a.verify_backup(&name, pass.as_deref(), &mut progress)?;
            done(json);
            print(json, serde_json::to_value(&r)?, || {
                let mut s: String = r
                    .checks
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {:<18} {}\n",
                            if c.ok { "ok  " } else { "FAIL" },
                            c.name,
                            c.detail
                        )
                    })
                    .collect();
                s += if r.ok {
                    "backup verified"
                } else {
                    "backup FAILED verification"
                };
                s
            });
            if !r.ok {
                return Err(Error::BackupCorrupt {
                    reason: "verification failed".into(),
                });
            }
        }
        BackupCmd::Restore { name, yes } => {
            if !yes {
                return Err(Error::Required { field: "yes" });
            }
            let aside = a.restore_backup(&name, pass.as_deref(), &mut progress)?;
            done(json);
            print(json, json!({ "restored": name, "aside": aside }), || {
                format!(
                    "restored {name}; the previous data is kept in {}",
                    aside.display()
                )
            });
        }
        BackupCmd::Passphrase => {
            let p = match pass {
                Some(p) => p,
                None => secret("HOTLINE_BACKUP_PASSPHRASE", "passphrase")?,
            };
            a.set_backup_passphrase(&p)?;
            print(json, json!({ "set": true }), || "passphrase set".into());
        }
        BackupCmd::Status => {
            let st = a.backup_status()?;
            print(json, serde_json::to_value(&st)?, || {
                format!(
                    "configured: {}, passphrase: {}, last backup: {}, last good drill: {}{}",
                    st.configured,
                    st.passphrase_set,
                    st.last_backup.map(|t| t.to_rfc3339()).unwrap_or("-".into()),
                    st.last_good_drill
                        .as_ref()
                        .map(|d| d.at.to_rfc3339())
                        .unwrap_or("-".into()),
                    if st.drill_overdue {
                        "  (no successful drill in 30 days)"
                    } else {
                        ""
                    }
                )
            });
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                let w = e.to_wire();
                eprintln!(
                    "{}",
                    json!({ "code": w.code, "message": w.message, "details": w.details })
                );
            } else {
                eprintln!("error[{}]: {e}", e.code());
            }
            ExitCode::FAILURE
        }
    }
}

fn print(json: bool, value: serde_json::Value, human: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", human());
    }
}

fn run(cli: Cli) -> Result<()> {
    if let Cmd::Bench {
        tickets,
        samples,
        bulk,
        store,
    } = &cli.cmd
    {
        let db = store.clone().unwrap_or_else(|| {
            dirs::cache_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("hotline-bench")
                .join(format!("bench-{tickets}.db"))
        });
        let json = cli.json;
        let r = hotline_core::bench::run(
            &hotline_core::bench::BenchOptions {
                db,
                tickets: *tickets,
                samples: *samples,
                bulk: *bulk,
            },
            |what| {
                if !json {
                    eprintln!("… {what}");
                }
            },
        )?;
        print(json, serde_json::to_value(&r)?, || {
            hotline_core::bench::table(&r)
        });
        return Ok(());
    }
    let path = cli
        .db
        .clone()
        .unwrap_or_else(hotline_core::paths::default_db_path);
    let store = Store::open(&path, Arc::new(SystemClock))?;
    let actor = match cli.as_user.as_deref() {
        Some(who) => match who.parse::<i64>() {
            Ok(id) => store.user(id)?.id,
            Err(_) => store
                .accounts()?
                .into_iter()
                .find(|a| {
                    a.login
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(who))
                })
                .map(|a| a.user.id)
                .ok_or_else(|| Error::NotFound {
                    entity: "user",
                    key: who.chars().take(40).collect(),
                })?,
        },
        None => store.first_admin()?.id,
    };
    let a = store.acting(actor)?;
    let json = cli.json;
    let time = |s: &str| store.parse_time(s);
    match cli.cmd {
        Cmd::Init { demo } => {
            let mut seeded = None;
            if demo {
                seeded = Some(a.load_demo(
                    SeedOptions {
                        tickets: 2000,
                        days: 60,
                        seed: 1,
                        extra_calls: 0,
                    },
                    |_| {},
                )?);
            }
            print(json, json!({ "db": path, "seeded": seeded }), || {
                format!("ready: {}", path.display())
            });
        }
        Cmd::Ticket(TicketCmd::Create {
            name,
            phone,
            description,
            category,
            channel,
            severity,
            urgency,
            occurred_at,
            email,
            address,
        }) => {
            let new = NewTicket {
                caller_name: name,
                phone,
                description,
                category,
                occurred_at: occurred_at.as_deref().map(time).transpose()?,
                channel: channel.parse::<Channel>()?,
                severity: severity.parse::<Severity>()?,
                urgency: urgency.parse::<Urgency>()?,
                email,
                address,
            };
            let t = a.intake(&new, None)?;
            print(json, serde_json::to_value(&t)?, || {
                format!("created {}", t.number)
            });
        }
        Cmd::Ticket(TicketCmd::Show { number }) => {
            let d = a.detail(store.ticket_id_by_number(&number)?)?.0;
            print(json, serde_json::to_value(&d)?, || {
                let t = &d.ticket;
                let mut s = format!(
                    "{}  {}  v{}\n{} {}  {}  {}/{}/{}\n{}\n",
                    t.number,
                    t.status,
                    t.version,
                    t.caller_name,
                    t.phone,
                    d.category.code,
                    t.channel,
                    t.severity,
                    t.urgency,
                    t.description
                );
                if let Some(dep) = &d.department {
                    s += &format!(
                        "department: {}  due: {}\n",
                        dep.name,
                        t.due_at.map(|d| d.to_rfc3339()).unwrap_or_default()
                    );
                }
                for e in &d.events {
                    s += &format!(
                        "  {}  {:<18} {:<10} {}\n",
                        e.at.to_rfc3339(),
                        e.action,
                        e.actor_name,
                        e.note.as_deref().unwrap_or("")
                    );
                }
                s
            });
        }
        Cmd::Ticket(TicketCmd::List {
            status,
            department,
            search,
            limit,
            offset,
            sort,
        }) => {
            let q = ListQuery {
                statuses: status
                    .iter()
                    .map(|s| s.parse::<Status>())
                    .collect::<Result<_>>()?,
                department_id: department
                    .map(|c| store.department_by_code(&c).map(|d| d.id))
                    .transpose()?,
                search,
                limit,
                offset,
                sort: serde_json::from_value::<Sort>(json!(sort)).map_err(|_| {
                    Error::InvalidValue {
                        field: "sort",
                        value: sort.clone(),
                    }
                })?,
                ..Default::default()
            };
            let page = a.list(&q)?;
            print(json, serde_json::to_value(&page)?, || {
                let mut s = String::new();
                for r in &page.rows {
                    s += &format!(
                        "{}  {:<17} {:<13} {:<8} {:<11} {:<28} {}\n",
                        r.number,
                        r.status,
                        r.severity,
                        r.caller_name,
                        r.phone,
                        r.category_code,
                        r.summary
                    );
                }
                s + &format!("{} of {}", page.rows.len(), page.total)
            });
        }
        Cmd::Ticket(TicketCmd::Act(args)) => {
            let id = store.ticket_id_by_number(&args.number)?;
            let version = match args.expect_version {
                Some(v) => v,
                None => store.ticket(id)?.version,
            };
            let action = to_action(&store, args.action, &time)?;
            let t = a.act(id, version, &action)?;
            print(json, serde_json::to_value(&t)?, || {
                format!(
                    "{} {} -> {} (v{})",
                    t.number,
                    action.name(),
                    t.status,
                    t.version
                )
            });
        }
        Cmd::Customer(CustomerCmd::History { phone }) => {
            let rows = a.history(&phone)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{}  {}  {:<17} {}\n",
                            r.number,
                            r.received_at.to_rfc3339(),
                            r.status,
                            r.summary
                        )
                    })
                    .collect::<String>()
                    + &format!("{} tickets", rows.len())
            });
        }
        Cmd::Export {
            format,
            personal,
            out,
        } => {
            let mut sink: Box<dyn Write> = match &out {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let n = a.export_tickets(format == Format::Json, personal, &mut sink)?;
            sink.flush()?;
            if out.is_some() {
                print(json, json!({ "exported": n }), || {
                    format!("exported {n} tickets")
                });
            }
        }
        Cmd::Import { file, strict } => {
            let r = a.import_tickets(std::fs::File::open(&file)?, strict)?;
            let failed = !r.errors.is_empty();
            print(json, serde_json::to_value(&r)?, || {
                let mut s: String = r
                    .errors
                    .iter()
                    .map(|e| format!("line {}: [{}] {}\n", e.line, e.code, e.message))
                    .collect();
                s += &if r.written {
                    format!(
                        "imported {} tickets, {} rows refused",
                        r.imported,
                        r.errors.len()
                    )
                } else {
                    format!(
                        "nothing imported (--strict): {} rows refused",
                        r.errors.len()
                    )
                };
                s
            });
            if failed && strict {
                return Err(Error::ImportRow {
                    line: r.errors[0].line,
                    reason: r.errors[0].message.clone(),
                });
            }
        }
        Cmd::Seed {
            tickets,
            days,
            seed,
            extra_calls,
        } => {
            let started = std::time::Instant::now();
            let r = a.load_demo(
                SeedOptions {
                    tickets,
                    days,
                    seed,
                    extra_calls,
                },
                |n| {
                    if !json {
                        eprint!("\rseeded {n}/{tickets}");
                    }
                },
            )?;
            if !json {
                eprintln!();
            }
            let secs = started.elapsed().as_secs_f64();
            print(json, json!({ "report": r, "seconds": secs }), || {
                format!(
                    "seeded {} tickets, {} events in {secs:.1} s: {:?}",
                    r.tickets, r.events, r.by_status
                )
            });
        }
        Cmd::Department(DeptCmd::List) => {
            let ds = store.departments()?;
            print(json, serde_json::to_value(&ds)?, || {
                ds.iter()
                    .map(|d| format!("{:>4}  {:<14} {}\n", d.id, d.code, d.name))
                    .collect()
            });
        }
        Cmd::Department(DeptCmd::Add { code, name, parent }) => {
            let parent = parent
                .map(|c| store.department_by_code(&c).map(|d| d.id))
                .transpose()?;
            let d = a.create_department(&code, &name, parent)?;
            print(json, serde_json::to_value(&d)?, || {
                format!("department {} created", d.id)
            });
        }
        Cmd::User(UserCmd::List) => {
            let us = store.users()?;
            print(json, serde_json::to_value(&us)?, || {
                us.iter()
                    .map(|u| {
                        format!(
                            "{:>4}  {:<11} dept {:<4} {}\n",
                            u.id, u.role, u.department_id, u.name
                        )
                    })
                    .collect()
            });
        }
        Cmd::User(UserCmd::Add {
            name,
            department,
            role,
            extension,
        }) => {
            let d = store.department_by_code(&department)?;
            let u = a.create_user(&name, d.id, role.parse::<Role>()?, extension.as_deref())?;
            print(json, serde_json::to_value(&u)?, || {
                format!("user {} created", u.id)
            });
        }
        Cmd::User(UserCmd::Passwd { id, login }) => {
            a.set_password(id, &login, &secret("HOTLINE_PASSWORD", "password")?)?;
            print(json, json!({ "user": id, "login": login }), || {
                format!("password set for user {id} ({login})")
            });
        }
        Cmd::User(UserCmd::Disable { id }) | Cmd::User(UserCmd::Enable { id }) => {
            let enable = matches!(cli.cmd, Cmd::User(UserCmd::Enable { .. }));
            let u = a.set_user_active(id, enable)?;
            print(json, serde_json::to_value(&u)?, || {
                format!(
                    "user {} {}",
                    u.id,
                    if u.active { "enabled" } else { "disabled" }
                )
            });
        }
        Cmd::User(UserCmd::Role {
            id,
            role,
            department,
        }) => {
            let d = store.department_by_code(&department)?;
            let u = a.set_user_role(id, role.parse::<Role>()?, d.id)?;
            print(json, serde_json::to_value(&u)?, || {
                format!("user {} is now {} in {}", u.id, u.role, d.name)
            });
        }
        Cmd::Setup { login, name } => {
            let u = store.setup_admin(&login, &name, &secret("HOTLINE_PASSWORD", "password")?)?;
            print(json, serde_json::to_value(&u)?, || {
                format!("administrator {} ({login}) created", u.name)
            });
        }
        Cmd::Audit(AuditCmd::Verify) => {
            let r = a.verify_audit()?;
            print(json, serde_json::to_value(&r)?, || match r.broken_at {
                None => format!("audit log intact: {} entries", r.entries),
                Some(at) => format!(
                    "audit log BROKEN at entry {at} ({})",
                    r.problem.as_deref().unwrap_or("")
                ),
            });
            if !r.ok {
                return Err(Error::BackupCorrupt {
                    reason: format!("audit chain broken at entry {}", r.broken_at.unwrap_or(0)),
                });
            }
        }
        Cmd::Audit(AuditCmd::List { action, limit }) => {
            let rows = a.audit_entries(&hotline_core::store::AuditQuery {
                action,
                limit: Some(limit),
                ..Default::default()
            })?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|e| {
                        format!(
                            "{:>6}  {}  {:<10} {:<20} {} {}\n",
                            e.id,
                            e.at.to_rfc3339(),
                            e.actor_name,
                            e.action,
                            e.target,
                            e.detail
                        )
                    })
                    .collect()
            });
        }
        Cmd::Backup(b) => backup(&a, b, json)?,
        // Handled before the store is opened.
        Cmd::Bench { .. } => {}
        Cmd::Retention(RetentionCmd::Preview) => {
            let p = a.retention_plan()?;
            print(json, serde_json::to_value(&p)?, || {
                format!(
                    "retention {} months: {} tickets, {} calls, {} customers would be anonymised",
                    p.months, p.tickets, p.calls, p.customers
                )
            });
        }
        Cmd::Retention(RetentionCmd::Apply) => {
            let p = a.anonymise()?;
            print(json, serde_json::to_value(&p)?, || {
                format!(
                    "anonymised {} tickets, {} calls, {} customers",
                    p.tickets, p.calls, p.customers
                )
            });
        }
        Cmd::Calendar(c) => calendar(&a, c, json)?,
        Cmd::Report {
            month,
            department,
            export,
            lang,
        } => {
            let department_id = department
                .map(|c| store.department_by_code(&c).map(|d| d.id))
                .transpose()?;
            let doc = a.monthly_report(&month, department_id)?;
            report(&doc, json);
            if let Some(path) = export {
                a.write_report(&doc, &lang, &path)?;
                if !json {
                    println!("exported {}", path.display());
                }
            }
        }
        Cmd::Calls(CallsCmd::Import { file, format }) => {
            let tz = store
                .setting("timezone")?
                .parse()
                .unwrap_or(chrono_tz::Asia::Shanghai);
            let input = std::fs::File::open(&file)?;
            let (calls, bad, source) = match format.strip_prefix("mapping:") {
                Some(name) => {
                    let m = store.cdr_mapping(name)?;
                    let (c, b) = hotline_core::cdr::parse_mapped(input, &m, name, tz)?;
                    (c, b, name.to_string())
                }
                None => {
                    let f: hotline_core::cdr::Format = format.parse()?;
                    let (c, b) = hotline_core::cdr::parse(input, f, tz)?;
                    (c, b, format.clone())
                }
            };
            let r = a.import_calls(&calls, &source, bad)?;
            print(json, serde_json::to_value(&r)?, || {
                let mut s: String = r
                    .bad_rows
                    .iter()
                    .map(|b| format!("line {}: {}\n", b.line, b.reason))
                    .collect();
                s += &format!(
                    "imported {} calls ({} already known), {} linked to tickets, {} to agents, {} rows refused",
                    r.imported,
                    r.duplicates,
                    r.linked_tickets,
                    r.linked_agents,
                    r.bad_rows.len()
                );
                s
            });
        }
        Cmd::Calls(CallsCmd::Mapping { name, spec }) => {
            let m: hotline_core::cdr::Mapping = serde_json::from_str(&spec)?;
            a.save_cdr_mapping(&name, &m)?;
            print(json, json!({ "saved": name }), || {
                format!("mapping {name} saved")
            });
        }
        Cmd::Setting(SettingCmd::List) => {
            let all = store.settings()?;
            print(
                json,
                json!(all
                    .iter()
                    .cloned()
                    .collect::<std::collections::BTreeMap<_, _>>()),
                || all.iter().map(|(k, v)| format!("{k} = {v}\n")).collect(),
            );
        }
        Cmd::Setting(SettingCmd::Get { key }) => {
            let v = store.setting(&key)?;
            print(json, json!({ key.clone(): v }), || v.clone());
        }
        Cmd::Setting(SettingCmd::Set { key, value }) => {
            a.set_setting(&key, &value)?;
            print(json, json!({ key.clone(): value }), || {
                format!("{key} = {value}")
            });
        }
    }
    Ok(())
}

fn report(doc: &serde_json::Value, json: bool) {
    let month = doc["period"].as_str().unwrap_or("");
    print(json, doc.clone(), || {
        let pct = |v: &serde_json::Value| {
            v.as_f64()
                .map_or("—".to_string(), |v| format!("{:.1}%", v * 100.0))
        };
        let mut s = format!("{month}\n");
        for k in doc["report"]["kpis"].as_array().into_iter().flatten() {
            s += &format!(
                "  {:<20} {:>7}  = {} / {}\n",
                k["key"].as_str().unwrap_or(""),
                pct(&k["value"]),
                k["numerator"],
                k["denominator"]
            );
        }
        let r = &doc["report"];
        s += &format!(
            "  handling hours avg {}, p90 {}; overdue open {}\n",
            r["handling_hours_avg"], r["handling_hours_p90"], r["overdue_open"]
        );
        for d in doc["assessment"]["departments"]
            .as_array()
            .into_iter()
            .flatten()
        {
            s += &format!(
                "  #{:<3} {:<12} {}\n",
                d["rank"],
                d["name"].as_str().unwrap_or(""),
                d["score"]
            );
        }
        s
    });
}

fn date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::InvalidValue {
        field: "date",
        value: s.chars().take(40).collect(),
    })
}

fn calendar(a: &Acting, cmd: CalendarCmd, json: bool) -> Result<()> {
    let store = a.store();
    use hotline_core::calendar::{DayKind, Span};
    let flag = |incomplete: bool| {
        if incomplete {
            "  (calendar_incomplete: no holiday data for a year involved)"
        } else {
            ""
        }
    };
    match cmd {
        CalendarCmd::IsWorkday { date: d, calendar } => {
            let day = date(&d)?;
            let r = store.calendar(&calendar)?.is_working_day(day);
            print(
                json,
                json!({ "date": day, "working": r.value, "calendar_incomplete": r.calendar_incomplete }),
                || {
                    format!(
                        "{day}: {}{}",
                        if r.value { "working day" } else { "day off" },
                        flag(r.calendar_incomplete)
                    )
                },
            );
        }
        CalendarCmd::Add {
            from,
            working_days,
            business_hours,
            hours,
            calendar,
        } => {
            let from = store.parse_time(&from)?;
            let span = match (working_days, business_hours, hours) {
                (Some(n), None, None) => Span::WorkingDays(n),
                (None, Some(h), None) => Span::BusinessHours(h),
                (None, None, Some(h)) => Span::CalendarHours(h),
                _ => {
                    return Err(Error::Required {
                        field: "working_days | business_hours | hours",
                    })
                }
            };
            let cal = store.calendar(&calendar)?;
            let r = cal.add(from, span)?;
            let local = r.value.with_timezone(&cal.tz);
            print(
                json,
                json!({ "from": from, "to": r.value, "to_local": local.to_rfc3339(), "calendar_incomplete": r.calendar_incomplete }),
                || {
                    format!(
                        "{}{}",
                        local.format("%Y-%m-%d %H:%M %a"),
                        flag(r.calendar_incomplete)
                    )
                },
            );
        }
        CalendarCmd::Elapsed { from, to, calendar } => {
            let (from, to) = (store.parse_time(&from)?, store.parse_time(&to)?);
            let r = store.calendar(&calendar)?.elapsed(from, to, &[]);
            let secs = r.value.num_seconds();
            print(
                json,
                json!({ "seconds": secs, "hours": secs as f64 / 3600.0, "calendar_incomplete": r.calendar_incomplete }),
                || {
                    format!(
                        "{}h {:02}m of business time{}",
                        secs / 3600,
                        (secs % 3600) / 60,
                        flag(r.calendar_incomplete)
                    )
                },
            );
        }
        CalendarCmd::Import { file, calendar } => {
            let text = std::fs::read_to_string(&file)?;
            let r = a.import_ics(&calendar, &text)?;
            print(json, serde_json::to_value(&r)?, || {
                format!(
                    "{} added, {} changed, {} unchanged, {} events skipped; years covered: {:?}",
                    r.added,
                    r.changed,
                    r.unchanged,
                    r.skipped.len(),
                    r.years
                )
            });
        }
        CalendarCmd::SetDay {
            date: d,
            kind,
            note,
            calendar,
        } => {
            let day = date(&d)?;
            let k = match kind.as_str() {
                "rest" => Some(DayKind::Rest),
                "work" => Some(DayKind::Work),
                "clear" => None,
                _ => {
                    return Err(Error::InvalidValue {
                        field: "kind",
                        value: kind,
                    })
                }
            };
            a.set_calendar_day(&calendar, day, k, &note)?;
            print(json, json!({ "date": day, "kind": k }), || {
                format!("{day}: {kind}")
            });
        }
        CalendarCmd::List => {
            let mut out = Vec::new();
            for name in store.calendar_names()? {
                let c = store.calendar(&name)?;
                out.push(json!({ "name": name, "always": c.always, "timezone": c.tz.name(), "years": c.years, "days": c.days.len() }));
            }
            print(json, json!(out), || {
                out.iter().map(|c| format!("{}\n", c)).collect()
            });
        }
    }
    Ok(())
}

fn to_action(
    store: &Store,
    a: ActCmd,
    time: &dyn Fn(&str) -> Result<chrono::DateTime<chrono::Utc>>,
) -> Result<Action> {
    Ok(match a {
        ActCmd::Answer { answer } => Action::Answer { answer },
        ActCmd::Transfer {
            department,
            requirements,
            due,
            accept_due,
        } => Action::Transfer {
            department_id: store.department_by_code(&department)?.id,
            requirements,
            due_at: time(&due)?,
            accept_due_at: accept_due.as_deref().map(time).transpose()?,
        },
        ActCmd::Return { reason } => Action::Return { reason },
        ActCmd::Accept { note } => Action::Accept { note },
        ActCmd::RequestExtension { due, reason } => Action::RequestExtension {
            due_at: time(&due)?,
            reason,
        },
        ActCmd::ApproveExtension { note } => Action::ApproveExtension { note },
        ActCmd::RefuseExtension { note } => Action::RefuseExtension { note },
        ActCmd::Reply { result, unresolved } => Action::Reply {
            result,
            resolved: !unresolved,
        },
        ActCmd::Feedback {
            satisfaction,
            note,
            redispatch_due,
        } => Action::Feedback {
            satisfaction: satisfaction.parse::<Satisfaction>()?,
            note,
            redispatch_due_at: redispatch_due.as_deref().map(time).transpose()?,
        },
        ActCmd::Callback {
            method,
            satisfaction,
            note,
        } => Action::Callback {
            method: method.parse::<CallbackMethod>()?,
            satisfaction: satisfaction.parse::<Satisfaction>()?,
            note,
        },
        ActCmd::Reopen { reason } => Action::Reopen { reason },
        ActCmd::Comment { note } => Action::Comment { note },
        ActCmd::Pause { reason } => Action::Pause { reason },
        ActCmd::Resume { note } => Action::Resume { note },
    })
}
