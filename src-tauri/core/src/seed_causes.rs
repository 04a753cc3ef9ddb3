//! Root causes for the demo data's finished complaints, so the reporting window's Pareto
//! has something to show: most come from process and people, fewer from product and
//! systems, few from policy or outside — the usual long tail. Chosen from the ticket's id,
//! so the same seed gives the same analysis.

use crate::complaint::cause::{AnalysisMethod, CauseCategory, NewCause};
use crate::error::Result;
use crate::model::User;
use crate::store::Store;

/// (cause, weight in percent, the whys, the conclusion).
const CAUSES: &[(CauseCategory, u64, &[&str], &str)] = &[
    (
        CauseCategory::Process,
        40,
        &[
            "为何答复超期",
            "为何转办后无人签收",
            "派单规则未覆盖该类诉求",
        ],
        "派单规则缺项，转办后无人签收",
    ),
    (
        CauseCategory::People,
        25,
        &["为何来电人不满", "为何话务员解释不清", "新人未完成业务培训"],
        "话务员业务不熟，解释不到位",
    ),
    (
        CauseCategory::Product,
        15,
        &["为何反复报修", "为何维修后仍故障", "备件质量不达标"],
        "产品质量问题反复出现",
    ),
    (
        CauseCategory::System,
        10,
        &["为何查询不到进度", "为何系统未同步", "接口故障未告警"],
        "系统接口故障，进度未同步",
    ),
    (
        CauseCategory::Policy,
        6,
        &["为何无法办理", "为何政策不允许"],
        "现行政策未覆盖该情形",
    ),
    (
        CauseCategory::External,
        4,
        &["为何延误", "第三方施工延期"],
        "第三方原因导致延误",
    ),
];

/// Analyses seven in ten finished complaints, by the weights above.
pub fn seed_causes(store: &Store, by: &User) -> Result<usize> {
    store.seed_causes(by, |id| {
        // A fixed scramble of the id: the same ticket always gets the same cause.
        let h = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        if h % 10 >= 7 {
            return None;
        }
        let mut roll = (h / 10) % 100;
        let (category, _, steps, summary) = CAUSES
            .iter()
            .find(|c| {
                let hit = roll < c.1;
                roll = roll.saturating_sub(c.1);
                hit
            })
            .unwrap_or(&CAUSES[0]);
        Some(NewCause {
            category: *category,
            method: AnalysisMethod::FiveWhys,
            steps: steps.iter().map(|s| s.to_string()).collect(),
            summary: summary.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_weights_make_a_hundred() {
        assert_eq!(super::CAUSES.iter().map(|c| c.1).sum::<u64>(), 100);
    }
}
