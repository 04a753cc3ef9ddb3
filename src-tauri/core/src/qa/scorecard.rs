//! Scorecards for recording spot checks (录音抽查): weighted items in groups (greeting and
//! 规范用语, listening, accuracy, record, transfer …), critical items that zero the score,
//! versioned (a score keeps the version it used). Pure rules.

use crate::error::{Error, Result};
use crate::validate::{text, NAME_MAX};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Item {
    /// A stable key (lower-case ASCII, digits, `_`): scores and calibration refer to it.
    pub key: String,
    pub group: String,
    pub label: String,
    /// Relative weight, 1–100.
    pub weight: u32,
    /// Failing it (a score of 0) zeroes the whole score.
    #[serde(default)]
    pub critical: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScorecardBody {
    pub name: String,
    pub items: Vec<Item>,
}

impl ScorecardBody {
    pub fn validated(&self) -> Result<ScorecardBody> {
        if self.items.is_empty() || self.items.len() > 50 {
            return Err(Error::Required { field: "items" });
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut items = Vec::with_capacity(self.items.len());
        for i in &self.items {
            let key_ok = !i.key.is_empty()
                && i.key.len() <= 40
                && i.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok || !seen.insert(i.key.clone()) {
                return Err(Error::InvalidValue {
                    field: "key",
                    value: i.key.chars().take(40).collect(),
                });
            }
            if !(1..=100).contains(&i.weight) {
                return Err(Error::InvalidValue {
                    field: "weight",
                    value: i.weight.to_string(),
                });
            }
            items.push(Item {
                key: i.key.clone(),
                group: text("group", &i.group, NAME_MAX)?,
                label: text("label", &i.label, NAME_MAX)?,
                weight: i.weight,
                critical: i.critical,
            });
        }
        Ok(ScorecardBody {
            name: text("name", &self.name, NAME_MAX)?,
            items,
        })
    }
}

/// A scored call: 0–100 points, and the critical items failed (any zeroes the points).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Total {
    pub points: f64,
    pub critical_failed: Vec<String>,
}

/// Scores every item (0–100 each, how fully it was met); the total is the weighted mean,
/// or 0 when a critical item scored 0. Every item must be scored, and nothing else.
pub fn total(card: &ScorecardBody, scores: &BTreeMap<String, u8>) -> Result<Total> {
    if let Some(extra) = scores
        .keys()
        .find(|k| !card.items.iter().any(|i| &i.key == *k))
    {
        return Err(Error::InvalidValue {
            field: "item",
            value: extra.chars().take(40).collect(),
        });
    }
    let mut sum = 0.0;
    let mut weights = 0.0;
    let mut critical_failed = Vec::new();
    for i in &card.items {
        let s = *scores
            .get(&i.key)
            .ok_or(Error::Required { field: "item" })?;
        if s > 100 {
            return Err(Error::InvalidValue {
                field: "item",
                value: s.to_string(),
            });
        }
        if i.critical && s == 0 {
            critical_failed.push(i.key.clone());
        }
        sum += f64::from(i.weight) * f64::from(s);
        weights += f64::from(i.weight);
    }
    let points = if critical_failed.is_empty() {
        (sum / weights * 10.0).round() / 10.0
    } else {
        0.0
    };
    Ok(Total {
        points,
        critical_failed,
    })
}

/// The scorecard a new centre starts with, from the regulations' service standards.
pub fn seeded() -> ScorecardBody {
    let item = |key: &str, group: &str, label: &str, weight, critical| Item {
        key: key.into(),
        group: group.into(),
        label: label.into(),
        weight,
        critical,
    };
    ScorecardBody {
        name: "热线通话质检评分表".into(),
        items: vec![
            item(
                "greeting",
                "开场与规范用语",
                "标准开场白、自报工号",
                10,
                false,
            ),
            item(
                "polite_language",
                "开场与规范用语",
                "使用规范用语，无不文明用语",
                15,
                true,
            ),
            item(
                "listening",
                "倾听与沟通",
                "耐心倾听，不打断，准确复述诉求",
                15,
                false,
            ),
            item(
                "accuracy",
                "答复准确性",
                "政策、业务信息准确，无误导",
                20,
                false,
            ),
            item(
                "record",
                "工单记录",
                "工单要素齐全，记录与通话一致",
                15,
                false,
            ),
            item("transfer", "转办正确性", "转办部门与要求正确", 15, false),
            item(
                "closing",
                "结束语",
                "确认诉求、告知办理时限、礼貌结束",
                10,
                false,
            ),
            item("privacy", "信息安全", "未泄露来电人个人信息", 10, true),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(card: &ScorecardBody, s: u8) -> BTreeMap<String, u8> {
        card.items.iter().map(|i| (i.key.clone(), s)).collect()
    }

    #[test]
    fn the_total_is_the_weighted_mean_and_a_critical_failure_zeroes_it() {
        let card = seeded().validated().expect("seeded card");
        assert_eq!(total(&card, &all(&card, 100)).expect("t").points, 100.0);
        let mut s = all(&card, 100);
        s.insert("accuracy".into(), 50); // weight 20 of 110
        assert_eq!(total(&card, &s).expect("t").points, 90.9);
        s.insert("privacy".into(), 0);
        let t = total(&card, &s).expect("t");
        assert_eq!(
            (t.points, t.critical_failed),
            (0.0, vec!["privacy".to_string()])
        );
        // A non-critical zero only lowers it.
        let mut s = all(&card, 100);
        s.insert("closing".into(), 0);
        assert!(total(&card, &s).expect("t").points > 90.0);
    }

    #[test]
    fn every_item_is_scored_and_nothing_else() {
        let card = seeded();
        let mut s = all(&card, 80);
        s.remove("record");
        assert_eq!(
            total(&card, &s).map_err(|e| e.code()).err(),
            Some("required")
        );
        let mut s = all(&card, 80);
        s.insert("charm".into(), 80);
        assert_eq!(
            total(&card, &s).map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
        let mut s = all(&card, 80);
        s.insert("record".into(), 101);
        assert_eq!(
            total(&card, &s).map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
    }

    #[test]
    fn a_card_has_unique_keys_and_sane_weights() {
        let mut c = seeded();
        c.items[1].key = "greeting".into();
        assert_eq!(
            c.validated().map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
        let mut c = seeded();
        c.items[0].weight = 0;
        assert_eq!(
            c.validated().map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
        let mut c = seeded();
        c.items.clear();
        assert_eq!(c.validated().map_err(|e| e.code()).err(), Some("required"));
    }
}
