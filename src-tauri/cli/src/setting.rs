//! `hotline setting …`: the centre's settings.

use crate::out::print;
use clap::Subcommand;
use hotline_core::access::Acting;
use hotline_core::Result;
use serde_json::json;

#[derive(Subcommand)]
pub enum SettingCmd {
    List,
    Get { key: String },
    Set { key: String, value: String },
}

pub fn run(a: &Acting, cmd: SettingCmd, json: bool) -> Result<()> {
    let store = a.store();
    match cmd {
        SettingCmd::List => {
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
        SettingCmd::Get { key } => {
            let v = store.setting(&key)?;
            print(json, json!({ key.clone(): v }), || v.clone());
        }
        SettingCmd::Set { key, value } => {
            a.set_setting(&key, &value)?;
            print(json, json!({ key.clone(): value }), || {
                format!("{key} = {value}")
            });
        }
    }
    Ok(())
}
