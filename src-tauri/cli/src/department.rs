//! `hotline department …`: the responsible departments.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::Result;

#[derive(Subcommand)]
pub enum DeptCmd {
    List,
    Add {
        code: String,
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
}

pub fn run(a: &Acting, cmd: DeptCmd, json: bool) -> Result<()> {
    match cmd {
        DeptCmd::List => {
            let ds = a.reference()?.departments;
            print(json, serde_json::to_value(&ds)?, || {
                ds.iter()
                    .map(|d| format!("{:>4}  {:<14} {}\n", d.id, d.code, d.name))
                    .collect()
            });
        }
        DeptCmd::Add { code, name, parent } => {
            let parent = parent
                .map(|c| a.department_by_code(&c).map(|d| d.id))
                .transpose()?;
            let d = a.create_department(&code, &name, parent)?;
            print(json, serde_json::to_value(&d)?, || {
                format!("department {} created", d.id)
            });
        }
    }
    Ok(())
}
