//! `hotline dispatch rule …`: the dispatch catalogue from the command line — add, list,
//! retire rules, and ask what it suggests for a request.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::calendar::Span;
use hotline_core::dispatch::NewRule;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum DispatchCmd {
    /// The catalogue's rules
    #[command(subcommand)]
    Rule(RuleCmd),
    /// The centre's return reasons (退单理由)
    #[command(subcommand)]
    Reason(ReasonCmd),
}

#[derive(Subcommand)]
pub enum ReasonCmd {
    /// The list, those taken off it too
    List,
    /// Add a reason or change one (--off: take it off the list)
    Set {
        /// lowercase letters, digits and _
        code: String,
        /// Its name (none for a built-in reason, named in every language)
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long)]
        off: bool,
    },
}

#[derive(Subcommand)]
pub enum RuleCmd {
    /// Add a rule: category × keywords × area → lead department, co-handlers, handling time
    Add {
        /// A category code (covers its subcategories too)
        #[arg(long)]
        category: String,
        /// A word of the description (repeatable; any of them)
        #[arg(long = "keyword")]
        keywords: Vec<String>,
        /// A district or street the address must name
        #[arg(long)]
        area: Option<String>,
        /// The lead department's id
        #[arg(long)]
        lead: i64,
        /// A co-handling department's id (repeatable)
        #[arg(long = "co")]
        co: Vec<i64>,
        /// Handling time in working days for general requests
        #[arg(long)]
        days: Option<i64>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The rules (--all: retired ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Take a rule out of the catalogue
    Retire { id: i64 },
    /// What the catalogue suggests for a request
    Suggest {
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "general")]
        severity: String,
        /// A department id not to suggest (one that returned the ticket)
        #[arg(long)]
        exclude: Option<i64>,
    },
}

fn reason_line(r: &hotline_core::store::ReasonRow) -> String {
    format!(
        "{} {}{}\n",
        r.code,
        r.name,
        if r.active { "" } else { " (off)" }
    )
}

pub fn run(a: &Acting, cmd: DispatchCmd, json: bool) -> Result<()> {
    let cmd = match cmd {
        DispatchCmd::Rule(cmd) => cmd,
        DispatchCmd::Reason(ReasonCmd::List) => {
            let rows = a.reference()?.return_reasons;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter().map(reason_line).collect()
            });
            return Ok(());
        }
        DispatchCmd::Reason(ReasonCmd::Set { code, name, off }) => {
            let r = a.save_return_reason(&code.parse()?, &name, !off)?;
            print(json, serde_json::to_value(&r)?, || reason_line(&r));
            return Ok(());
        }
    };
    match cmd {
        RuleCmd::Add {
            category,
            keywords,
            area,
            lead,
            co,
            days,
            note,
        } => {
            let r = a.add_dispatch_rule(&NewRule {
                category,
                keywords,
                area,
                lead_department_id: lead,
                co_department_ids: co,
                handle: days.map(Span::WorkingDays),
                note,
            })?;
            print(json, serde_json::to_value(&r)?, || {
                format!(
                    "rule #{} {} → {}\n",
                    r.rule.id, r.category, r.lead_department
                )
            });
        }
        RuleCmd::List { all } => {
            let rows = a.dispatch_rules(all)?;
            print(json, serde_json::to_value(&rows)?, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "#{} {} [{}] {} → {}{}{}\n",
                            r.rule.id,
                            r.category,
                            r.rule.keywords.join(","),
                            r.rule.area.as_deref().unwrap_or("*"),
                            r.lead_department,
                            if r.co_departments.is_empty() {
                                String::new()
                            } else {
                                format!(" + {}", r.co_departments.join(","))
                            },
                            if r.rule.active { "" } else { " (retired)" }
                        )
                    })
                    .collect()
            });
        }
        RuleCmd::Retire { id } => {
            let r = a.retire_dispatch_rule(id)?;
            print(json, serde_json::to_value(&r)?, || {
                format!("rule #{} retired\n", r.rule.id)
            });
        }
        RuleCmd::Suggest {
            category,
            description,
            address,
            severity,
            exclude,
        } => {
            let s = a.suggest_dispatch(
                &category,
                &description,
                &address,
                severity.parse()?,
                exclude,
            )?;
            print(json, serde_json::to_value(&s)?, || match &s {
                Some(s) => format!(
                    "lead {} (rule #{}){}; due {}\n",
                    s.lead.name,
                    s.rule_id,
                    s.co.iter()
                        .map(|d| format!(" + {}", d.name))
                        .collect::<String>(),
                    s.due_at
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_else(|| "—".into())
                ),
                None => "no rule applies\n".into(),
            });
        }
    }
    Ok(())
}
