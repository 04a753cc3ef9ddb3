//! The UI's translation tables, embedded, for what the backend itself writes for people:
//! desktop notifications, report exports. One table per language, shared with the UI.

use std::collections::HashMap;
use std::sync::OnceLock;

pub const LANGS: [&str; 3] = ["zh-CN", "zh-TW", "en"];

fn tables() -> &'static HashMap<&'static str, HashMap<String, String>> {
    static TABLES: OnceLock<HashMap<&'static str, HashMap<String, String>>> = OnceLock::new();
    TABLES.get_or_init(|| {
        [
            ("zh-CN", include_str!("../../../ui/i18n/zh-CN.json")),
            ("zh-TW", include_str!("../../../ui/i18n/zh-TW.json")),
            ("en", include_str!("../../../ui/i18n/en.json")),
        ]
        .into_iter()
        .map(|(l, text)| (l, serde_json::from_str(text).unwrap_or_default()))
        .collect()
    })
}

/// Translates `key` into `lang` (Simplified Chinese when unknown), filling `{name}`s. A
/// count of one (`n` or `days`) picks the singular `key#one` where English needs it;
/// Chinese has no plural forms.
pub fn tr(lang: &str, key: &str, params: &[(&str, String)]) -> String {
    let t = tables();
    let table = t.get(lang).or_else(|| t.get("zh-CN"));
    let one = lang == "en"
        && params
            .iter()
            .any(|(k, v)| matches!(*k, "n" | "days") && v.trim() == "1");
    let singular = one
        .then(|| table.and_then(|t| t.get(&format!("{key}#one"))))
        .flatten();
    let mut s = singular
        .or_else(|| table.and_then(|t| t.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_string());
    for (k, v) in params {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_counts_of_one_are_singular() {
        let n = |v: &str| [("n", v.to_string())];
        assert_eq!(tr("en", "unit.working_days", &n("1")), "1 working day");
        assert_eq!(tr("en", "unit.working_days", &n("3")), "3 working days");
        assert_eq!(tr("zh-CN", "unit.working_days", &n("1")), "1 个工作日");
    }

    #[test]
    fn tables_load_and_fill_parameters() {
        assert_eq!(tr("en", "app.title", &[]), "Hotline Desk");
        assert_eq!(tr("xx", "app.title", &[]), "热线服务台");
        assert_eq!(
            tr(
                "zh-TW",
                "notify.title.handle",
                &[("number", "20261124-0001".into())]
            ),
            "辦理期限提醒 20261124-0001"
        );
    }
}
