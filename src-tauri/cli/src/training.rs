//! `hotline training …`: the training plan and its sessions, attendance, the question bank,
//! exams and their results from the command line.

use crate::out::print;
use base64::Engine;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::attachment::Owner;
use hotline_core::store::{Attempt, Onboarding, Session};
use hotline_core::training::exam::{NewExam, NewQuestion};
use hotline_core::training::onboarding::NewItem;
use hotline_core::training::NewSession;
use hotline_core::{Error, Result};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum TrainingCmd {
    /// The year's training plan: its sessions with attendance
    Plan {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Plan a session; topic: products, service_process, communication, problem_solving,
    /// information_security, other; method: internal, external, online
    Session {
        #[arg(long)]
        title: String,
        #[arg(long)]
        topic: String,
        #[arg(long, default_value = "internal")]
        method: String,
        /// RFC 3339 or local "YYYY-MM-DD HH:MM"
        #[arg(long)]
        at: String,
        #[arg(long)]
        hours: f64,
        #[arg(long, default_value = "")]
        place: String,
        /// Who should attend (user ids)
        #[arg(long = "attendee")]
        audience: Vec<i64>,
    },
    /// Mark a person present (or --absent) at a session
    Attend {
        session: i64,
        user: i64,
        #[arg(long)]
        absent: bool,
    },
    /// Add a question to the bank; kind: single, multiple, true_false; --answer takes the
    /// index of each right --option (true/false: 0 true, 1 false)
    Question {
        #[arg(long)]
        topic: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        text: String,
        #[arg(long = "option")]
        options: Vec<String>,
        #[arg(long = "answer", required = true)]
        answer: Vec<u8>,
    },
    /// Set an exam drawn from the bank
    Exam {
        #[arg(long)]
        title: String,
        #[arg(long)]
        topic: Option<String>,
        #[arg(long)]
        questions: u32,
        #[arg(long, default_value_t = 30)]
        minutes: u32,
        #[arg(long, default_value_t = 60)]
        pass_mark: u32,
        #[arg(long, default_value_t = 2)]
        attempts: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Exams, and the results: mine, or everyone's (--all)
    Results {
        #[arg(long)]
        all: bool,
    },
    /// A session's materials; --add keeps a file with it, --remove takes one away
    Materials {
        session: i64,
        #[arg(long)]
        add: Option<PathBuf>,
        #[arg(long)]
        remove: Option<i64>,
    },
    /// Onboarding: mine, a person's (USER), or everyone's (--all); --start begins USER's
    /// (with --mentor), --tick ITEM marks a task of USER's done
    Onboarding {
        user: Option<i64>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        start: bool,
        #[arg(long)]
        mentor: Option<i64>,
        #[arg(long)]
        tick: Option<i64>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The onboarding checklist; --add TITLE with --kind task|session|exam (--topic,
    /// --exam) and --days; --retire ITEM
    Checklist {
        #[arg(long)]
        add: Option<String>,
        #[arg(long, default_value = "task")]
        kind: String,
        #[arg(long)]
        topic: Option<String>,
        #[arg(long)]
        exam: Option<i64>,
        #[arg(long, default_value_t = 7)]
        days: u32,
        #[arg(long)]
        retire: Option<i64>,
    },
    /// Write a kept file to --out (an existing file only with --replace)
    Material {
        id: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        replace: bool,
    },
}

fn session_line(s: &Session) -> String {
    let came = s
        .attendees
        .iter()
        .filter(|a| a.attended == Some(true))
        .count();
    format!(
        "#{} {} {} {} ({}h) {}/{} attended\n",
        s.id,
        s.starts_at.to_rfc3339(),
        s.topic.as_str(),
        s.title,
        s.hours,
        came,
        s.attendees.len()
    )
}

fn onboarding_text(o: &Onboarding) -> String {
    let mut out = format!(
        "{} since {}: {}/{} done, {} overdue\n",
        o.user_name,
        o.started_at.to_rfc3339(),
        o.done,
        o.total,
        o.overdue
    );
    for p in &o.items {
        let state = match (&p.done, p.overdue) {
            (Some(_), _) => "done",
            (None, true) => "OVERDUE",
            (None, false) => "open",
        };
        let title = p.item.key.as_deref().unwrap_or(&p.item.title);
        out += &format!(
            "  #{} {title} {state} (due {})\n",
            p.item.id,
            p.due.to_rfc3339()
        );
    }
    out
}

fn attempt_line(a: &Attempt) -> String {
    format!(
        "#{} {} {} {}{}\n",
        a.id,
        a.exam_title,
        a.user_name,
        a.score.map_or("—".into(), |s| format!("{s:.1}")),
        match a.passed {
            Some(true) => " passed",
            Some(false) => " failed",
            None => "",
        }
    )
}

pub fn run(a: &Acting, cmd: TrainingCmd, json: bool) -> Result<()> {
    match cmd {
        TrainingCmd::Plan { year } => {
            let year = year.unwrap_or_else(|| {
                use chrono::Datelike;
                chrono::Utc::now().year()
            });
            let bad = || Error::InvalidValue {
                field: "year",
                value: year.to_string(),
            };
            let from = a
                .parse_time(&format!("{year}-01-01 00:00"))
                .map_err(|_| bad())?;
            let to = a
                .parse_time(&format!("{}-01-01 00:00", year + 1))
                .map_err(|_| bad())?;
            let rows = a.sessions(from, to)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(session_line).collect()
            });
        }
        TrainingCmd::Session {
            title,
            topic,
            method,
            at,
            hours,
            place,
            audience,
        } => {
            let s = NewSession {
                title,
                topic: topic.parse()?,
                method: method.parse()?,
                starts_at: a.parse_time(&at)?,
                hours,
                place,
                audience,
            };
            let s = a.add_session(&s)?;
            print(json, serde_json::to_value(&s)?, || session_line(&s));
        }
        TrainingCmd::Attend {
            session,
            user,
            absent,
        } => {
            let s = a.mark_attendance(session, user, !absent)?;
            print(json, serde_json::to_value(&s)?, || session_line(&s));
        }
        TrainingCmd::Question {
            topic,
            kind,
            text,
            options,
            answer,
        } => {
            let q = NewQuestion {
                topic: topic.parse()?,
                kind: kind.parse()?,
                text,
                options,
                answer,
            };
            let q = a.add_question(&q)?;
            print(json, serde_json::to_value(&q)?, || {
                format!("question #{}\n", q.id)
            });
        }
        TrainingCmd::Exam {
            title,
            topic,
            questions,
            minutes,
            pass_mark,
            attempts,
            seed,
        } => {
            let e = NewExam {
                title,
                topic: topic.map(|t| t.parse()).transpose()?,
                questions,
                minutes,
                pass_mark,
                attempts,
                seed,
            };
            let e = a.create_exam(&e)?;
            print(json, serde_json::to_value(&e)?, || {
                format!("exam #{} {} ({} questions)\n", e.id, e.title, e.questions)
            });
        }
        TrainingCmd::Materials {
            session,
            add,
            remove,
        } => {
            let owner = Owner::TrainingSession;
            if let Some(path) = add {
                let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                    Error::InvalidPath {
                        path: path.display().to_string(),
                    }
                })?;
                let data = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&path)?);
                a.add_attachment(owner, session, name, &data)?;
            }
            if let Some(id) = remove {
                a.remove_attachment(owner, id)?;
            }
            let rows = a.attachments(owner, session)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|f| format!("#{} {} {} bytes {}\n", f.id, f.name, f.size, f.created_by))
                    .collect()
            });
        }
        TrainingCmd::Material { id, out, replace } => {
            let (file, bytes) = a.attachment_file(id)?;
            hotline_core::files::write_new(&out, replace, |f| Ok(f.write_all(&bytes)?))?;
            print(json, serde_json::to_value(&file)?, || {
                format!("{} → {}\n", file.name, out.display())
            });
        }
        TrainingCmd::Onboarding {
            user,
            all,
            start,
            mentor,
            tick,
            note,
        } => {
            let needs_user = || Error::Required { field: "user" };
            let rows = if all {
                a.onboardings()?
            } else if start {
                vec![a.start_onboarding(user.ok_or_else(needs_user)?, mentor)?]
            } else if let Some(item) = tick {
                vec![a.tick_onboarding(user.ok_or_else(needs_user)?, item, &note)?]
            } else {
                vec![a.onboarding(user)?]
            };
            let value = if all {
                serde_json::to_value(&rows)?
            } else {
                serde_json::to_value(&rows[0])?
            };
            print(json, value, || rows.iter().map(onboarding_text).collect());
        }
        TrainingCmd::Checklist {
            add,
            kind,
            topic,
            exam,
            days,
            retire,
        } => {
            if let Some(title) = add {
                a.add_onboarding_item(&NewItem {
                    title,
                    kind: kind.parse()?,
                    topic: topic.map(|t| t.parse()).transpose()?,
                    exam_id: exam,
                    days,
                })?;
            }
            if let Some(id) = retire {
                a.retire_onboarding_item(id)?;
            }
            let rows = a.onboarding_items()?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|i| {
                        let title = i.key.as_deref().unwrap_or(&i.title);
                        format!("#{} {} {} {}d\n", i.id, i.kind.as_str(), title, i.days)
                    })
                    .collect()
            });
        }
        TrainingCmd::Results { all } => {
            let rows = a.attempts(all)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(attempt_line).collect()
            });
        }
    }
    Ok(())
}
