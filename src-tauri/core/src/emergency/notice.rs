//! A bulletin as plain text for other channels (SMS, the IVR greeting, a web notice), with
//! the fields a published warning states: kind, level, start, affected area, validity,
//! advice, measures and the issuing unit.

use super::Incident;
use crate::i18n::tr;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What the text is made of.
pub struct Notice<'a> {
    pub incident: &'a Incident,
    pub wording: &'a str,
    pub advice: &'a str,
    pub measures: &'a str,
    pub valid_until: Option<DateTime<Utc>>,
    pub version: i64,
    /// The issuing unit (the centre's name).
    pub issuer: &'a str,
}

/// The notice in `lang`, times in `tz`: one field a line, the wording first.
pub fn text(n: &Notice<'_>, lang: &str, tz: Tz) -> String {
    let t = |key: &str| tr(lang, key, &[]);
    let at = |d: DateTime<Utc>| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let i = n.incident;
    let mut lines = vec![
        format!("【{}】{}", n.issuer, i.title),
        n.wording.to_string(),
        format!(
            "{}: {}",
            t("incident.kind_label"),
            t(&format!("incident.kind.{}", i.kind))
        ),
        format!(
            "{}: {}",
            t("field.level"),
            t(&format!("incident.level.{}", i.level))
        ),
        format!("{}: {}", t("field.started_at"), at(i.started_at)),
    ];
    if !i.area.is_empty() {
        lines.push(format!("{}: {}", t("field.area"), i.area));
    }
    lines.push(format!(
        "{}: {}",
        t("field.valid_until"),
        n.valid_until
            .map(at)
            .unwrap_or_else(|| t("incident.until_further_notice"))
    ));
    if !n.advice.is_empty() {
        lines.push(format!("{}: {}", t("field.advice"), n.advice));
    }
    if !n.measures.is_empty() {
        lines.push(format!("{}: {}", t("field.measures"), n.measures));
    }
    let version = tr(
        lang,
        "incident.version",
        &[("version", n.version.to_string())],
    );
    lines.push(format!(
        "{}: {} ({} {version})",
        t("incident.issuer"),
        n.issuer,
        i.number
    ));
    lines.join("\n")
}
