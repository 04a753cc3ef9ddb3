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
    match cmd {
        SettingCmd::List => {
            let all = a.settings()?;
            print(json, json!(all), || {
                all.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
            });
        }
        SettingCmd::Get { key } => {
            hotline_core::settings::find(&key)?;
            let v = a.settings()?.remove(&key).unwrap_or_default();
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
