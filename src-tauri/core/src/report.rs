//! Reports: the KPIs of docs/design.md, each with its numerator and denominator (shown beside
//! every figure), and the monthly assessment of agents and departments as weighted
//! scores over those KPIs. The counting is in the store; the rules are here.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The KPIs counted over call records: their drill-downs list calls, not tickets.
pub const CALL_KPIS: &[&str] = &["answer_rate", "answered_within"];

/// One figure: `value = numerator / denominator`, none when nothing was due (shown "—").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    pub key: String,
    pub numerator: i64,
    pub denominator: i64,
    pub value: Option<f64>,
    /// Whether a rise is good news: the reporting window colours changes by it.
    #[serde(default = "rise_is_good")]
    pub higher_is_better: bool,
    /// What a department's figure leaves out: its numerator and denominator are the counts
    /// less these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less: Option<Less>,
}

/// The entries taken out of a department's figure: tickets approved as unreasonable
/// (不合理件) and entries whose appeal was upheld, with how much each part lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Less {
    pub excluded: (i64, i64),
    pub appealed: (i64, i64),
    pub entries: Vec<LessEntry>,
}

/// One ticket taken out of a figure, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessEntry {
    pub ticket_id: i64,
    pub number: String,
    /// `excluded` or `appealed`.
    pub why: String,
    /// The exclusion's reason, or the appeal's number (`id`).
    pub reason: String,
}

fn rise_is_good() -> bool {
    true
}

/// The KPIs where less is better: re-dispatches, handling time, overdue tickets.
pub const LOWER_IS_BETTER: &[&str] = &[
    "repeat_share",
    "redispatch",
    "handling_hours",
    "overdue",
    "complaint_repeat",
];

impl Kpi {
    pub fn new(key: &str, numerator: i64, denominator: i64) -> Kpi {
        let value = (denominator > 0).then(|| numerator as f64 / denominator as f64);
        Kpi {
            key: key.to_string(),
            numerator,
            denominator,
            value,
            higher_is_better: !LOWER_IS_BETTER.contains(&key),
            less: None,
        }
    }

    /// The figure with `less` taken out of its counts (nothing to take: unchanged).
    pub fn less(self, less: Less) -> Kpi {
        if less.entries.is_empty() {
            return self;
        }
        let (n, d) = (
            self.numerator - less.excluded.0 - less.appealed.0,
            self.denominator - less.excluded.1 - less.appealed.1,
        );
        Kpi {
            less: Some(less),
            ..Kpi::new(&self.key, n, d)
        }
    }
}

/// Whether a period is still running at `now`, and how much of it has passed: its
/// figures are not yet comparable with a whole previous period.
pub fn running_share(p: &Period, now: DateTime<Utc>) -> Option<f64> {
    let (whole, gone) = ((p.to - p.from).num_seconds(), (now - p.from).num_seconds());
    (now >= p.from && now < p.to && whole > 0).then(|| gone as f64 / whole as f64)
}

/// Settings of the call KPIs and the satisfaction rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KpiSettings {
    /// "Answered within X rings" (the regulations count rings) ...
    pub answer_rings: i64,
    /// ... converted to seconds at this rate: X seconds = rings × seconds per ring.
    pub seconds_per_ring: i64,
    /// Calls abandoned within this many seconds do not count as offered (0: all count).
    pub short_abandon_seconds: i64,
    /// Whether 基本满意 counts as satisfied.
    pub basic_counts: bool,
    /// When an unsatisfied caller was re-handled and asked again, whether the first
    /// evaluation counts for satisfaction (else the last).
    #[serde(default)]
    pub first_evaluation_counts: bool,
}

impl KpiSettings {
    pub fn answer_seconds(&self) -> i64 {
        self.answer_rings * self.seconds_per_ring
    }
}

impl Default for KpiSettings {
    fn default() -> Self {
        KpiSettings {
            answer_rings: 3,
            seconds_per_ring: 5,
            short_abandon_seconds: 5,
            basic_counts: true,
            first_evaluation_counts: false,
        }
    }
}

/// A reporting period `[from, to)` and filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default)]
    pub agent_id: Option<i64>,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub channel: Option<crate::model::Channel>,
    #[serde(default)]
    pub severity: Option<crate::model::Severity>,
}

impl ReportQuery {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> ReportQuery {
        ReportQuery {
            from,
            to,
            department_id: None,
            agent_id: None,
            category_id: None,
            channel: None,
            severity: None,
        }
    }
}

/// A reporting period: a day, a week (Monday first), a month or a quarter containing
/// `anchor`, or a custom range of days; and the period of the same length before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Quarter,
    Custom,
}

/// What the reporting window asks for: a period and the filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub kind: PeriodKind,
    pub anchor: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// Filters; its `from` and `to` are replaced by the period's.
    pub filters: ReportQuery,
}

pub struct Period {
    pub label: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub previous_label: String,
    pub previous_from: DateTime<Utc>,
    pub previous_to: DateTime<Utc>,
}

/// `[first, last]` days inclusive → the period and the one before it, in `tz`.
pub fn period(
    kind: PeriodKind,
    anchor: NaiveDate,
    until: Option<NaiveDate>,
    tz: Tz,
) -> Option<Period> {
    use chrono::Duration;
    let (first, next) = match kind {
        PeriodKind::Day => (anchor, anchor + Duration::days(1)),
        PeriodKind::Week => {
            let f = anchor - Duration::days(i64::from(anchor.weekday().num_days_from_monday()));
            (f, f + Duration::days(7))
        }
        PeriodKind::Month => {
            let f = anchor.with_day(1)?;
            (f, f.checked_add_months(chrono::Months::new(1))?)
        }
        PeriodKind::Quarter => {
            let f = NaiveDate::from_ymd_opt(anchor.year(), (anchor.month0() / 3) * 3 + 1, 1)?;
            (f, f.checked_add_months(chrono::Months::new(3))?)
        }
        PeriodKind::Custom => {
            let last = until?;
            if last < anchor || (last - anchor).num_days() > 3660 {
                return None;
            }
            (anchor, last + Duration::days(1))
        }
    };
    let (pfirst, pnext) = match kind {
        PeriodKind::Month => (first.checked_sub_months(chrono::Months::new(1))?, first),
        PeriodKind::Quarter => (first.checked_sub_months(chrono::Months::new(3))?, first),
        _ => (first - (next - first), first),
    };
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let label = |a: NaiveDate, b: NaiveDate| {
        let last = b - Duration::days(1);
        if a == last {
            a.to_string()
        } else {
            format!("{a} – {last}")
        }
    };
    Some(Period {
        label: label(first, next),
        from: at(first)?,
        to: at(next)?,
        previous_label: label(pfirst, pnext),
        previous_from: at(pfirst)?,
        previous_to: at(pnext)?,
    })
}

/// The month `2026-10` in the centre's zone, as instants.
pub fn month(spec: &str, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = NaiveDate::parse_from_str(&format!("{spec}-01"), "%Y-%m-%d").ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((at(first)?, at(next)?))
}

/// The month before `spec` (`2026-01` → `2025-12`).
pub fn previous_month(spec: &str) -> Option<String> {
    let d = NaiveDate::parse_from_str(&format!("{spec}-01"), "%Y-%m-%d").ok()?;
    let p = d.pred_opt()?;
    Some(format!("{:04}-{:02}", p.year(), p.month()))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub kpis: Vec<Kpi>,
    /// Business hours from transfer to reply, over the tickets replied in the period.
    pub handling_hours_avg: Option<f64>,
    pub handling_hours_p90: Option<f64>,
    pub overdue_open: i64,
    pub volume_by_day: Vec<(NaiveDate, i64)>,
    /// Received tickets by weekday (Monday 0) and hour, local time.
    pub heat: Vec<[i64; 24]>,
    pub by_category: Vec<(String, i64)>,
    pub satisfaction: Vec<(String, i64)>,
    pub department_on_time: Vec<(String, Kpi)>,
}

/// Reads the assessment weights setting: `satisfaction:0.4,callback:0.3`.
pub fn parse_weights(s: &str) -> Option<Vec<(String, f64)>> {
    s.split(',')
        .map(|pair| {
            let (k, w) = pair.split_once(':')?;
            let w: f64 = w.trim().parse().ok()?;
            (w.is_finite() && (0.0..=100.0).contains(&w)).then(|| (k.trim().to_string(), w))
        })
        .collect()
}

pub fn score(kpis: &[Kpi], weights: &[(String, f64)]) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0.0);
    for (key, w) in weights {
        if let Some(v) = kpis.iter().find(|k| k.key == *key).and_then(|k| k.value) {
            sum += w * v;
            total += w;
        }
    }
    (total > 0.0).then(|| (sum / total * 1000.0).round() / 10.0)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessed {
    pub id: i64,
    pub name: String,
    pub kpis: Vec<Kpi>,
    pub score: Option<f64>,
    pub rank: Option<usize>,
    pub previous_score: Option<f64>,
    pub change: Option<f64>,
}

/// Ranks by score (best first; equal scores share a rank; no score, no rank).
pub fn rank(rows: &mut [Assessed]) {
    rows.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.id.cmp(&b.id))
    });
    let mut last: Option<(f64, usize)> = None;
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = r.score.map(|s| match last {
            Some((prev, rank)) if (prev - s).abs() < f64::EPSILON => rank,
            _ => i + 1,
        });
        if let (Some(s), Some(rk)) = (r.score, r.rank) {
            last = Some((s, rk));
        }
        r.change = match (r.score, r.previous_score) {
            (Some(a), Some(b)) => Some(((a - b) * 10.0).round() / 10.0),
            _ => None,
        };
    }
}

/// The 90th percentile (nearest rank) of `values`.
pub fn p90(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let idx = ((values.len() as f64) * 0.9).ceil() as usize;
    values.get(idx.saturating_sub(1)).copied()
}

/// A share as a percentage with one decimal, as the desk shows it (`toFixed(1)`): the
/// nearest tenth of the exact value, an exact tie (94.25) going up — Rust's formatting
/// would take the even tenth, and the workbook and the CLI would then differ from the desk.
pub fn percent_text(share: Option<f64>) -> String {
    let Some(v) = share else {
        return "—".into();
    };
    let x = v * 100.0;
    // The exact decimal expansion: a tie is "…d5" with nothing after it.
    let exact = format!("{x:.40}");
    let tail = exact.split_once('.').map_or("", |(_, t)| t);
    let tie = tail.as_bytes().get(1) == Some(&b'5') && tail[2..].bytes().all(|b| b == b'0');
    if tie && x > 0.0 {
        format!("{:.1}%", x + 0.05)
    } else {
        format!("{x:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent_weights() -> Vec<(String, f64)> {
        parse_weights("direct_answer:0.3,satisfaction:0.4,callback:0.3").expect("weights")
    }

    #[test]
    fn empty_periods_give_no_value_never_nan() {
        let k = Kpi::new("answer_rate", 0, 0);
        assert_eq!(k.value, None);
        assert_eq!(Kpi::new("answer_rate", 3, 4).value, Some(0.75));
        assert_eq!(score(&[k], &agent_weights()), None);
        assert_eq!(p90(&mut []), None);
    }

    #[test]
    fn weighted_scores_skip_what_was_not_due_and_rank_with_ties() {
        let kpis = [
            Kpi::new("direct_answer", 1, 2),
            Kpi::new("satisfaction", 9, 10),
            Kpi::new("callback", 0, 0),
        ];
        // (0.3 * 0.5 + 0.4 * 0.9) / 0.7 = 0.7286 -> 72.9 points.
        assert_eq!(score(&kpis, &agent_weights()), Some(72.9));
        assert_eq!(parse_weights("a:1, b:0.5").map(|w| w.len()), Some(2));
        assert!(
            parse_weights("a").is_none()
                && parse_weights("a:x").is_none()
                && parse_weights("a:-1").is_none()
        );
        assert_eq!(parse_weights("a:1, b:0.5").map(|w| w.len()), Some(2));
        assert!(
            parse_weights("a").is_none()
                && parse_weights("a:x").is_none()
                && parse_weights("a:-1").is_none()
        );
        let row = |id, s: Option<f64>, p| Assessed {
            id,
            name: String::new(),
            kpis: vec![],
            score: s,
            rank: None,
            previous_score: p,
            change: None,
        };
        let mut rows = vec![
            row(1, Some(80.0), Some(75.0)),
            row(2, None, None),
            row(3, Some(90.0), None),
            row(4, Some(80.0), None),
        ];
        rank(&mut rows);
        let ranks: Vec<_> = rows.iter().map(|r| (r.id, r.rank)).collect();
        assert_eq!(ranks, [(3, Some(1)), (1, Some(2)), (4, Some(2)), (2, None)]);
        assert_eq!(rows[1].change, Some(5.0));
    }

    #[test]
    fn each_kpi_knows_its_good_direction_and_a_running_period_says_so() {
        assert!(Kpi::new("satisfaction", 9, 10).higher_is_better);
        assert!(!Kpi::new("redispatch", 1, 10).higher_is_better);
        assert!(!Kpi::new("overdue", 1, 1).higher_is_better);
        let tz = chrono_tz::Asia::Shanghai;
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let month = period(PeriodKind::Month, day, None, tz).expect("month");
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("t")
                .with_timezone(&Utc)
        };
        let share = running_share(&month, at("2026-12-16T12:00:00+08:00")).expect("running");
        assert!((share - 15.5 / 31.0).abs() < 1e-9, "{share}");
        assert_eq!(running_share(&month, at("2027-01-01T00:00:00+08:00")), None);
        assert_eq!(running_share(&month, at("2026-11-30T23:59:00+08:00")), None);
    }

    #[test]
    fn periods_and_the_ones_before() {
        let tz = chrono_tz::Asia::Shanghai;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let w = period(PeriodKind::Week, d("2026-11-26"), None, tz).expect("week");
        assert_eq!(
            (w.label.as_str(), w.previous_label.as_str()),
            ("2026-11-23 – 2026-11-29", "2026-11-16 – 2026-11-22")
        );
        let q = period(PeriodKind::Quarter, d("2026-11-26"), None, tz).expect("quarter");
        assert_eq!(
            (q.label.as_str(), q.previous_label.as_str()),
            ("2026-10-01 – 2026-12-31", "2026-07-01 – 2026-09-30")
        );
        let m = period(PeriodKind::Month, d("2026-03-31"), None, tz).expect("month");
        assert_eq!(m.previous_label, "2026-02-01 – 2026-02-28");
        let c = period(
            PeriodKind::Custom,
            d("2026-11-01"),
            Some(d("2026-11-10")),
            tz,
        )
        .expect("custom");
        assert_eq!(c.previous_label, "2026-10-22 – 2026-10-31");
        assert!(period(
            PeriodKind::Custom,
            d("2026-11-10"),
            Some(d("2026-11-01")),
            tz
        )
        .is_none());
        assert_eq!(
            period(PeriodKind::Day, d("2026-11-24"), None, tz)
                .expect("day")
                .label,
            "2026-11-24"
        );
    }

    #[test]
    fn months_in_the_centres_zone() {
        let (from, to) = month("2026-12", chrono_tz::Asia::Shanghai).expect("month");
        assert_eq!(from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(previous_month("2026-01").as_deref(), Some("2025-12"));
        assert!(month("2026-13", chrono_tz::Asia::Shanghai).is_none());
        assert_eq!(
            p90(&mut [5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0]),
            Some(9.0)
        );
    }

    #[test]
    fn a_percentage_reads_as_the_desk_shows_it_an_exact_tie_going_up() {
        for (share, shown) in [
            (Some(377.0 / 400.0), "94.3%"),
            (Some(0.0035), "0.4%"),
            (Some(0.35), "35.0%"),
            (Some(1.0 / 3.0), "33.3%"),
            (Some(2.0 / 3.0), "66.7%"),
            (Some(0.00125), "0.1%"),
            (Some(1.0), "100.0%"),
            (Some(0.0), "0.0%"),
            (None, "—"),
        ] {
            assert_eq!(percent_text(share), shown, "{share:?}");
        }
    }
}
