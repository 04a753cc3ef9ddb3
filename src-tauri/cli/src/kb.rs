//! `hotline kb …`: the knowledge base from the command line — write a draft, publish it
//! (review in one step for an editor), search it as the intake does, list it with its
//! upkeep views, and exchange it as CSV or XLSX.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::kb::{NewArticle, Step, VersionState};
use hotline_core::store::{Article, ArticleQuery};
use hotline_core::{Error, Result};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum KbCmd {
    /// Write an article as a draft (with --id: a new draft of that article); --submit sends
    /// it for review
    Add {
        #[arg(long)]
        id: Option<i64>,
        #[arg(long)]
        title: String,
        /// The wording for callers (口径)
        #[arg(long)]
        answer: String,
        /// A way callers ask it (repeatable)
        #[arg(long = "question")]
        questions: Vec<String>,
        #[arg(long = "keyword")]
        keywords: Vec<String>,
        /// A category code, e.g. consultation
        #[arg(long)]
        category: Option<String>,
        /// The responsible department's id
        #[arg(long)]
        department: Option<i64>,
        /// guide, policy, law, faq, notice, other
        #[arg(long)]
        material: Option<String>,
        #[arg(long, default_value = "")]
        source: String,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_from: Option<String>,
        #[arg(long)]
        valid_until: Option<String>,
        #[arg(long)]
        submit: bool,
    },
    /// Publish an article's latest version (sent for review first when still a draft);
    /// --reject sends it back, --retire takes a published article down (both with --note)
    Publish {
        id: i64,
        #[arg(long, conflicts_with = "retire")]
        reject: bool,
        #[arg(long)]
        retire: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// The published articles that best match a caller's words, as the intake offers them
    Search {
        text: String,
        #[arg(long, default_value_t = 5)]
        limit: u32,
    },
    /// Articles, most recently saved first; --upkeep: expiring, expired_used, never_used,
    /// troubled
    List {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        upkeep: Option<String>,
        #[arg(long)]
        search: Option<String>,
    },
    /// One article with every version
    Show { id: i64 },
    /// Import a CSV or XLSX sheet as new drafts (all rows or none)
    Import { file: PathBuf },
    /// Export every article as CSV or XLSX (by the file's extension)
    Export {
        file: PathBuf,
        #[arg(long)]
        replace: bool,
    },
}

fn date(field: &'static str, v: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    v.map(|d| {
        d.parse().map_err(|_| Error::InvalidValue {
            field,
            value: d.chars().take(40).collect(),
        })
    })
    .transpose()
}

fn show(json: bool, a: &Article) -> Result<()> {
    print(json, serde_json::to_value(a)?, || {
        let v = a.published().or(a.latest());
        format!(
            "#{} {} [{}] v{} (latest v{}), used {}×\n{}",
            a.id,
            v.map_or("", |v| v.title.as_str()),
            a.state,
            v.map_or(0, |v| v.version),
            a.latest_version,
            a.uses,
            v.map_or("", |v| v.answer.as_str())
        )
    });
    Ok(())
}

pub fn run(a: &Acting, cmd: KbCmd, json: bool) -> Result<()> {
    match cmd {
        KbCmd::Add {
            id,
            title,
            answer,
            questions,
            keywords,
            category,
            department,
            material,
            source,
            valid_from,
            valid_until,
            submit,
        } => {
            let article = NewArticle {
                title,
                questions,
                answer,
                category,
                department_id: department,
                keywords,
                source,
                material: material.map(|m| m.parse()).transpose()?,
                valid_from: date("valid_from", valid_from)?,
                valid_until: date("valid_until", valid_until)?,
            };
            let mut out = a.save_article(id, &article)?;
            if submit {
                out = a.article_step(out.id, Step::Submit, None)?;
            }
            show(json, &out)?;
        }
        KbCmd::Publish {
            id,
            reject,
            retire,
            note,
        } => {
            let note = note.as_deref();
            let out = if retire {
                a.article_step(id, Step::Retire, note)?
            } else {
                let cur = a.article(id)?;
                if cur.latest().map(|v| v.state) == Some(VersionState::Draft) && !reject {
                    a.article_step(id, Step::Submit, None)?;
                }
                let step = if reject { Step::Reject } else { Step::Approve };
                a.article_step(id, step, note)?
            };
            show(json, &out)?;
        }
        KbCmd::Search { text, limit } => {
            let rows = a.suggest_articles(&text, limit)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|s| format!("#{} v{} {} — {}\n", s.id, s.version, s.title, s.answer))
                    .collect()
            });
        }
        KbCmd::List {
            state,
            upkeep,
            search,
        } => {
            let q = ArticleQuery {
                state: state.map(|s| s.parse()).transpose()?,
                upkeep: upkeep.map(|s| s.parse()).transpose()?,
                search,
                ..ArticleQuery::default()
            };
            let rows = a.articles(&q)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "#{} [{}] {} · {} · used {}×\n",
                            r.id, r.state, r.title, r.material, r.uses
                        )
                    })
                    .collect()
            });
        }
        KbCmd::Show { id } => show(json, &a.article(id)?)?,
        KbCmd::Import { file } => {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let ids = a.import_articles(&name, &std::fs::read(&file)?)?;
            print(json, serde_json::json!({ "imported": ids }), || {
                format!("{} drafts imported\n", ids.len())
            });
        }
        KbCmd::Export { file, replace } => {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let bytes = a.export_articles(&name)?;
            hotline_core::files::write_new(&file, replace, |f| Ok(f.write_all(&bytes)?))?;
            print(json, serde_json::json!({ "path": file }), || {
                format!("{}\n", file.display())
            });
        }
    }
    Ok(())
}
