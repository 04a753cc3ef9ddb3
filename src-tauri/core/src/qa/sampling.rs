//! Drawing the month's calls for spot checks: N per agent, random but reproducible (the
//! plan's seed), spread over strata of category × duration, with complaints, very long
//! calls, repeat callers and new staff drawn more often; each call assigned to a reviewer
//! who is never the agent who took it. Pure: the store hands the candidates in.

use crate::error::{Error, Result};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A call that may be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub call_id: i64,
    pub agent_id: i64,
    /// The root category of the call's ticket ("" when it has none).
    pub category: String,
    pub seconds: i64,
    pub complaint: bool,
    pub repeat_caller: bool,
    pub new_staff: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SamplingPlan {
    /// Calls per agent.
    pub per_agent: u32,
    pub seed: u64,
    /// From this length a call counts as very long.
    #[serde(default = "long_call")]
    pub long_call_seconds: i64,
    /// How many times likelier an over-sampled call is drawn.
    #[serde(default = "oversample")]
    pub oversample: u32,
}

fn long_call() -> i64 {
    600
}

fn oversample() -> u32 {
    3
}

impl SamplingPlan {
    pub fn validated(&self) -> Result<&SamplingPlan> {
        if !(1..=100).contains(&self.per_agent) {
            return Err(Error::InvalidValue {
                field: "per_agent",
                value: self.per_agent.to_string(),
            });
        }
        if !(1..=20).contains(&self.oversample) || self.long_call_seconds < 1 {
            return Err(Error::InvalidValue {
                field: "oversample",
                value: self.oversample.to_string(),
            });
        }
        Ok(self)
    }
}

/// One drawn call and who reviews it (`None`: nobody but the agent could).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Drawn {
    pub call_id: i64,
    pub agent_id: i64,
    pub reviewer_id: Option<i64>,
}

fn band(seconds: i64, long: i64) -> u8 {
    match seconds {
        s if s >= long => 2,
        s if s >= 120 => 1,
        _ => 0,
    }
}

/// Draws the sample. For each agent (in id order, each with its own stream of the seed):
/// first one call from each stratum in turn, largest strata first, then the rest by
/// weight — weighted sampling without replacement (Efraimidis–Spirakis keys).
pub fn sample(cands: &[Candidate], plan: &SamplingPlan, reviewers: &[i64]) -> Vec<Drawn> {
    let mut by_agent: BTreeMap<i64, Vec<&Candidate>> = BTreeMap::new();
    for c in cands {
        by_agent.entry(c.agent_id).or_default().push(c);
    }
    let mut out = Vec::new();
    let mut turn = 0usize;
    for (agent, mut calls) in by_agent {
        calls.sort_by_key(|c| c.call_id);
        let mut rng =
            ChaCha8Rng::seed_from_u64(plan.seed ^ (agent as u64).wrapping_mul(0x9E37_79B9));
        // Each call's key: the larger, the likelier drawn (u^(1/w)).
        let mut keyed: Vec<(f64, &Candidate)> = calls
            .into_iter()
            .map(|c| {
                let special = c.complaint
                    || c.repeat_caller
                    || c.new_staff
                    || c.seconds >= plan.long_call_seconds;
                let w = if special {
                    f64::from(plan.oversample)
                } else {
                    1.0
                };
                let u: f64 = rng.random_range(f64::EPSILON..1.0);
                (u.powf(1.0 / w), c)
            })
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.call_id.cmp(&b.1.call_id)));
        let mut strata: BTreeMap<(String, u8), Vec<&Candidate>> = BTreeMap::new();
        for (_, c) in &keyed {
            strata
                .entry((c.category.clone(), band(c.seconds, plan.long_call_seconds)))
                .or_default()
                .push(c);
        }
        let mut order: Vec<Vec<&Candidate>> = strata.into_values().collect();
        order.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let want = plan.per_agent as usize;
        let mut picked: Vec<i64> = order
            .iter()
            .filter_map(|s| s.first().map(|c| c.call_id))
            .take(want)
            .collect();
        for (_, c) in &keyed {
            if picked.len() >= want {
                break;
            }
            if !picked.contains(&c.call_id) {
                picked.push(c.call_id);
            }
        }
        picked.sort_unstable();
        let eligible: Vec<i64> = reviewers.iter().copied().filter(|r| *r != agent).collect();
        for call_id in picked {
            let reviewer_id = (!eligible.is_empty()).then(|| {
                let r = eligible[turn % eligible.len()];
                turn += 1;
                r
            });
            out.push(Drawn {
                call_id,
                agent_id: agent,
                reviewer_id,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls() -> Vec<Candidate> {
        (1..=300)
            .map(|i| Candidate {
                call_id: i,
                agent_id: 1 + i % 3,
                category: ["consultation", "complaint", "help_request"][(i % 7 % 3) as usize]
                    .into(),
                seconds: (i * 37) % 900,
                complaint: i % 7 % 3 == 1,
                repeat_caller: i % 11 == 0,
                new_staff: i % 3 == 2,
            })
            .collect()
    }

    fn plan(seed: u64) -> SamplingPlan {
        SamplingPlan {
            per_agent: 10,
            seed,
            long_call_seconds: 600,
            oversample: 3,
        }
    }

    #[test]
    fn the_sample_is_reproducible_and_never_gives_a_reviewer_their_own_calls() {
        let c = calls();
        // Agents 1–3 also review.
        let reviewers = [1, 2, 3, 9];
        let a = sample(&c, &plan(7), &reviewers);
        assert_eq!(
            a,
            sample(&c, &plan(7), &reviewers),
            "same seed, same sample"
        );
        assert_ne!(
            a,
            sample(&c, &plan(8), &reviewers),
            "another seed, another sample"
        );
        assert_eq!(a.len(), 30);
        for d in &a {
            assert_ne!(d.reviewer_id, Some(d.agent_id), "{d:?}");
            assert!(d.reviewer_id.is_some());
        }
        // Each agent's calls are their own, no call twice.
        let mut ids: Vec<i64> = a.iter().map(|d| d.call_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 30);
        assert!(a.iter().all(|d| c
            .iter()
            .any(|x| x.call_id == d.call_id && x.agent_id == d.agent_id)));
    }

    #[test]
    fn strata_are_spread_and_special_calls_drawn_more_often() {
        let c = calls();
        let mut special = 0usize;
        let mut drawn = 0usize;
        for seed in 0..40 {
            for d in sample(&c, &plan(seed), &[9]) {
                let x = c.iter().find(|x| x.call_id == d.call_id).expect("call");
                drawn += 1;
                special +=
                    usize::from(x.complaint || x.repeat_caller || x.new_staff || x.seconds >= 600);
            }
            // Every category × band stratum of agent 1 appears in its ten.
            let mine: Vec<_> = sample(&c, &plan(seed), &[9])
                .into_iter()
                .filter(|d| d.agent_id == 1)
                .map(|d| {
                    c.iter()
                        .find(|x| x.call_id == d.call_id)
                        .map(|x| (x.category.clone(), band(x.seconds, 600)))
                })
                .collect();
            let mut strata: Vec<_> = c
                .iter()
                .filter(|x| x.agent_id == 1)
                .map(|x| (x.category.clone(), band(x.seconds, 600)))
                .collect();
            strata.sort();
            strata.dedup();
            for s in strata.iter().take(10) {
                assert!(
                    mine.contains(&Some(s.clone())),
                    "seed {seed}: {s:?} missing"
                );
            }
        }
        let base = c
            .iter()
            .filter(|x| x.complaint || x.repeat_caller || x.new_staff || x.seconds >= 600)
            .count() as f64
            / c.len() as f64;
        assert!(
            special as f64 / drawn as f64 > base,
            "{special}/{drawn} vs {base}"
        );
    }

    #[test]
    fn nobody_but_the_agent_means_unassigned() {
        let c: Vec<Candidate> = calls().into_iter().filter(|x| x.agent_id == 2).collect();
        assert!(sample(&c, &plan(1), &[2])
            .iter()
            .all(|d| d.reviewer_id.is_none()));
        assert!(plan(1).validated().is_ok());
        let bad = SamplingPlan {
            per_agent: 0,
            ..plan(1)
        };
        assert_eq!(
            bad.validated().map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
    }
}
