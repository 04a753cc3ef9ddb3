//! `hotline user …` and `hotline setup`: staff, accounts and the first administrator.

use crate::out::{print, secret};
use clap::{Args, Subcommand};
use hotline_core::access::Acting;
use hotline_core::model::Role;
use hotline_core::Result;
use serde_json::json;

#[derive(Subcommand)]
pub enum UserCmd {
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
        /// agent, handler, supervisor, manager, admin, qa, legal, hr or trainer
        #[arg(long)]
        role: String,
        /// Telephone extension (links call records to the agent)
        #[arg(long)]
        extension: Option<String>,
    },
}

pub fn run(a: &Acting, cmd: UserCmd, json: bool) -> Result<()> {
    match cmd {
        UserCmd::List => {
            let us = a.reference()?.users;
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
        UserCmd::Add {
            name,
            department,
            role,
            extension,
        } => {
            let d = a.department_by_code(&department)?;
            let u = a.create_user(&name, d.id, role.parse::<Role>()?, extension.as_deref())?;
            print(json, serde_json::to_value(&u)?, || {
                format!("user {} created", u.id)
            });
        }
        UserCmd::Passwd { id, login } => {
            a.set_password(id, &login, &secret("HOTLINE_PASSWORD", "password")?)?;
            print(json, json!({ "user": id, "login": login }), || {
                format!("password set for user {id} ({login})")
            });
        }
        UserCmd::Disable { id } | UserCmd::Enable { id } => {
            let enable = matches!(cmd, UserCmd::Enable { .. });
            let u = a.set_user_active(id, enable)?;
            print(json, serde_json::to_value(&u)?, || {
                format!(
                    "user {} {}",
                    u.id,
                    if u.active { "enabled" } else { "disabled" }
                )
            });
        }
        UserCmd::Role {
            id,
            role,
            department,
        } => {
            let d = a.department_by_code(&department)?;
            let u = a.set_user_role(id, role.parse::<Role>()?, d.id)?;
            print(json, serde_json::to_value(&u)?, || {
                format!("user {} is now {} in {}", u.id, u.role, d.name)
            });
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct SetupArgs {
    #[arg(long)]
    pub login: String,
    #[arg(long)]
    pub name: String,
}

pub fn setup(a: &Acting, args: SetupArgs, json: bool) -> Result<()> {
    let SetupArgs { login, name } = args;
    let u = a.setup_admin(&login, &name, &secret("HOTLINE_PASSWORD", "password")?)?;
    print(json, serde_json::to_value(&u)?, || {
        format!("administrator {} ({login}) created", u.name)
    });
    Ok(())
}
