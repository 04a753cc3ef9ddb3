//! When the centre should consider declaring an incident: a surge of inbound calls over
//! the same weekday and hour of the weeks before, or a cluster of tickets about one topic
//! in one area within a short time. Pure rules over counts and texts; the store feeds
//! them (`store::detect`) and keeps the suggestions.

use serde::Serialize;

/// The surge rule (settings): calls in the last `window_minutes` at least
/// `factor_percent` % of the baseline — the mean of the same window on the same weekday
/// of the last `weeks` weeks — and at least `min_calls`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurgeRule {
    pub window_minutes: i64,
    pub factor_percent: i64,
    pub min_calls: i64,
    pub weeks: i64,
}

/// The evidence of a surge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surge {
    pub recent: i64,
    /// The baseline's counts, a week back each, and their mean.
    pub weeks: Vec<i64>,
    pub baseline: f64,
    pub window_minutes: i64,
    pub factor_percent: i64,
}

/// A surge, if the recent count is one (no baseline counts as one call a window, so a
/// centre without history is not alarmed by its first calls).
pub fn surge(rule: SurgeRule, recent: i64, weeks: &[i64]) -> Option<Surge> {
    let baseline = if weeks.is_empty() {
        0.0
    } else {
        weeks.iter().sum::<i64>() as f64 / weeks.len() as f64
    };
    let over = recent as f64 * 100.0 >= baseline.max(1.0) * rule.factor_percent as f64;
    (recent >= rule.min_calls && over).then(|| Surge {
        recent,
        weeks: weeks.to_vec(),
        baseline,
        window_minutes: rule.window_minutes,
        factor_percent: rule.factor_percent,
    })
}

/// The area a text names first: a district, county, town or street (东城区, 平谷县,
/// 马坊镇, 幸福路街道), up to four characters before its suffix, not crossing a city or
/// a road.
pub fn area_of(text: &str) -> Option<String> {
    const SUFFIXES: &[&str] = &["街道", "区", "县", "镇", "乡"];
    const STOPS: &[char] = &['市', '省', '路', '街', '号', '村', '楼'];
    let chars: Vec<char> = text.chars().collect();
    for (i, _) in chars.iter().enumerate() {
        for suffix in SUFFIXES {
            let s: Vec<char> = suffix.chars().collect();
            if chars[i..].starts_with(&s) && i > 0 {
                let mut from = i;
                while from > 0
                    && i - from < 4
                    && is_han(chars[from - 1])
                    && !STOPS.contains(&chars[from - 1])
                {
                    from -= 1;
                }
                if i - from >= 1 {
                    return Some(chars[from..i + s.len()].iter().collect());
                }
            }
        }
    }
    None
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The cluster rule (settings): at least `min_tickets` tickets of one category naming
/// one area within `window_minutes`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterRule {
    pub window_minutes: i64,
    pub min_tickets: usize,
}

/// Tickets about one topic in one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub category: String,
    pub area: String,
    pub tickets: Vec<i64>,
}

/// The clusters among `tickets` (id, category code, address and description), largest
/// first.
pub fn clusters(rule: ClusterRule, tickets: &[(i64, String, String)]) -> Vec<Cluster> {
    let mut groups: std::collections::BTreeMap<(String, String), Vec<i64>> = Default::default();
    for (id, category, text) in tickets {
        if let Some(area) = area_of(text) {
            groups
                .entry((category.clone(), area))
                .or_default()
                .push(*id);
        }
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .filter(|(_, ids)| ids.len() >= rule.min_tickets.max(2))
        .map(|((category, area), tickets)| Cluster {
            category,
            area,
            tickets,
        })
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.tickets.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: SurgeRule = SurgeRule {
        window_minutes: 30,
        factor_percent: 200,
        min_calls: 20,
        weeks: 4,
    };

    #[test]
    fn a_surge_is_twice_the_usual_and_enough_calls() {
        assert!(surge(RULE, 30, &[10, 12, 8, 10]).is_some());
        assert!(
            surge(RULE, 19, &[5, 5, 5, 5]).is_none(),
            "too few to matter"
        );
        assert!(
            surge(RULE, 35, &[20, 18, 22, 20]).is_none(),
            "a busy hour as usual"
        );
        let s = surge(RULE, 25, &[]).expect("no history");
        assert_eq!((s.recent, s.baseline), (25, 0.0));
    }

    #[test]
    fn areas_are_read_from_addresses_and_descriptions() {
        assert_eq!(area_of("东城区幸福路 12 号停水").as_deref(), Some("东城区"));
        assert_eq!(area_of("北京市朝阳区望京街道").as_deref(), Some("朝阳区"));
        assert_eq!(area_of("平谷县马坊镇").as_deref(), Some("平谷县"));
        assert_eq!(
            area_of("幸福路街道办门口").as_deref(),
            None,
            "a road is not an area"
        );
        assert_eq!(area_of("家里停水了"), None);
    }

    #[test]
    fn tickets_of_one_topic_in_one_area_cluster() {
        let t = |id, cat: &str, text: &str| (id, cat.to_string(), text.to_string());
        let tickets = vec![
            t(1, "help_request", "东城区幸福路停水"),
            t(2, "help_request", "东城区和平里没水了"),
            t(3, "help_request", "东城区停水什么时候恢复"),
            t(4, "complaint", "东城区停水没人管"),
            t(5, "help_request", "西城区停水"),
        ];
        let c = clusters(
            ClusterRule {
                window_minutes: 60,
                min_tickets: 3,
            },
            &tickets,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].area.as_str(), c[0].tickets.clone()),
            ("东城区", vec![1, 2, 3])
        );
    }
}
