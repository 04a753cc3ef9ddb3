//! The dispatch catalogue (派单目录): which department leads a kind of request and which
//! help, by category, the words callers use and the area (a district or street named in
//! the address). Intake asks it for the lead department and the deadline; the agent may
//! choose otherwise, and the store records both. Pure rules.

use crate::calendar::Span;
use crate::error::{Error, Result};
use crate::validate::{opt_text, NAME_MAX, NOTE_MAX};
use serde::{Deserialize, Serialize};

/// The most keywords a rule lists.
pub const KEYWORDS_MAX: usize = 30;

/// A rule as a dispatcher writes it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewRule {
    /// A category code: the rule covers it and its subcategories.
    pub category: String,
    /// Words of the description, any of which the rule needs (none: every description).
    pub keywords: Vec<String>,
    /// A district or street the address must name (none: everywhere).
    pub area: Option<String>,
    pub lead_department_id: i64,
    /// 协办: the departments that help the lead.
    pub co_department_ids: Vec<i64>,
    /// The handling time for general requests (graver ones follow the SLA policies).
    pub handle: Option<Span>,
    pub note: String,
}

impl NewRule {
    pub fn validated(&self) -> Result<NewRule> {
        let category = self.category.trim().to_string();
        if category.is_empty() {
            return Err(Error::Required { field: "category" });
        }
        let mut keywords: Vec<String> = Vec::new();
        for k in &self.keywords {
            if let Some(k) = opt_text("keywords", Some(k), NAME_MAX)? {
                let k = k.to_lowercase();
                if !keywords.contains(&k) {
                    keywords.push(k);
                }
            }
        }
        if keywords.len() > KEYWORDS_MAX {
            return Err(Error::TooLong {
                field: "keywords",
                len: keywords.len(),
                max: KEYWORDS_MAX,
            });
        }
        let mut co: Vec<i64> = Vec::new();
        for d in &self.co_department_ids {
            if *d == self.lead_department_id {
                return Err(Error::InvalidValue {
                    field: "co_department_ids",
                    value: d.to_string(),
                });
            }
            if !co.contains(d) {
                co.push(*d);
            }
        }
        if let Some(Span::WorkingDays(n) | Span::BusinessHours(n) | Span::CalendarHours(n)) =
            self.handle
        {
            if !(1..=1000).contains(&n) {
                return Err(Error::InvalidValue {
                    field: "handle",
                    value: n.to_string(),
                });
            }
        }
        Ok(NewRule {
            category,
            keywords,
            area: opt_text("dispatch_area", self.area.as_deref(), NAME_MAX)?,
            lead_department_id: self.lead_department_id,
            co_department_ids: co,
            handle: self.handle,
            note: opt_text("note", Some(&self.note), NOTE_MAX)?.unwrap_or_default(),
        })
    }
}

/// A rule as the catalogue keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub category_id: i64,
    pub keywords: Vec<String>,
    pub area: Option<String>,
    pub lead_department_id: i64,
    pub co_department_ids: Vec<i64>,
    pub handle: Option<Span>,
    pub active: bool,
}

/// What a request says that the catalogue looks at.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// The request's category, then its parents.
    pub lineage: &'a [i64],
    pub description: &'a str,
    pub address: &'a str,
}

/// How well a rule fits a request (None: it does not apply). The nearer category, an
/// area named in the address and each keyword found make a rule more specific.
pub fn score(rule: &Rule, case: Case<'_>) -> Option<u32> {
    if !rule.active {
        return None;
    }
    let depth = case.lineage.iter().position(|c| *c == rule.category_id)?;
    let mut s = 8u32.saturating_sub(2 * depth as u32).max(1);
    if let Some(area) = &rule.area {
        if !case.address.contains(area.as_str()) {
            return None;
        }
        s += 6;
    }
    if !rule.keywords.is_empty() {
        let text = case.description.to_lowercase();
        let hits = rule
            .keywords
            .iter()
            .filter(|k| text.contains(k.as_str()))
            .count() as u32;
        if hits == 0 {
            return None;
        }
        s += 2 * hits;
    }
    Some(s)
}

/// The rules that apply, best first (ties: the older rule), one per lead department: the
/// first is the suggestion, the next ones where a return is re-routed to.
pub fn rank<'r>(rules: &'r [Rule], case: Case<'_>) -> Vec<(u32, &'r Rule)> {
    let mut hits: Vec<(u32, &Rule)> = rules
        .iter()
        .filter_map(|r| score(r, case).map(|s| (s, r)))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    let mut seen = Vec::new();
    hits.retain(|(_, r)| {
        let fresh = !seen.contains(&r.lead_department_id);
        seen.push(r.lead_department_id);
        fresh
    });
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, category_id: i64, keywords: &[&str], area: Option<&str>, lead: i64) -> Rule {
        Rule {
            id,
            category_id,
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            area: area.map(String::from),
            lead_department_id: lead,
            co_department_ids: vec![],
            handle: None,
            active: true,
        }
    }

    #[test]
    fn the_most_specific_rule_leads() {
        // Category 8 (help_request) under no parent; 3 under 2.
        let rules = [
            rule(1, 8, &[], None, 10),
            rule(2, 8, &["路灯"], None, 20),
            rule(3, 8, &["路灯"], Some("滨江区"), 30),
            rule(4, 2, &[], None, 40),
            rule(5, 8, &["路灯", "电杆"], None, 20),
        ];
        let case = |d, a| Case {
            lineage: &[8],
            description: d,
            address: a,
        };
        let lead = |c| rank(&rules, c).first().map(|(_, r)| r.lead_department_id);
        assert_eq!(lead(case("家门口路灯不亮", "")), Some(20));
        assert_eq!(lead(case("家门口路灯不亮", "滨江区新华街8号")), Some(30));
        assert_eq!(lead(case("噪声扰民", "滨江区")), Some(10));
        // One entry per lead department: the re-route goes elsewhere.
        let all = rank(&rules, case("路灯电杆歪了", ""));
        assert_eq!(
            all.iter().map(|(_, r)| r.id).collect::<Vec<_>>(),
            vec![5, 1]
        );
        // A subcategory's request finds its parent's rule, less specifically.
        let sub = Case {
            lineage: &[3, 2],
            description: "",
            address: "",
        };
        assert_eq!(rank(&rules, sub)[0].0, 6);
        assert!(rank(&rules, case("", ""))
            .iter()
            .all(|(_, r)| r.keywords.is_empty()));
    }

    #[test]
    fn rules_are_checked() {
        let ok = NewRule {
            category: "help_request".into(),
            keywords: vec!["路灯".into(), " 路灯 ".into(), "".into()],
            lead_department_id: 1,
            co_department_ids: vec![2, 2],
            ..NewRule::default()
        }
        .validated()
        .expect("valid");
        assert_eq!((ok.keywords.len(), ok.co_department_ids.len()), (1, 1));
        let same = NewRule {
            category: "x".into(),
            lead_department_id: 1,
            co_department_ids: vec![1],
            ..NewRule::default()
        };
        assert_eq!(same.validated().map_err(|e| e.code()), Err("invalid_value"));
        assert_eq!(
            NewRule::default().validated().map_err(|e| e.code()),
            Err("required")
        );
        let zero = NewRule {
            category: "x".into(),
            handle: Some(Span::WorkingDays(0)),
            ..NewRule::default()
        };
        assert_eq!(zero.validated().map_err(|e| e.code()), Err("invalid_value"));
    }
}
