//! Calibration (校准): several reviewers score the same call; the spread per item shows
//! where their judgement differs. Pure.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSpread {
    pub key: String,
    pub scores: Vec<u8>,
    pub min: u8,
    pub max: u8,
    /// Population standard deviation of the item's scores.
    pub stddev: f64,
}

/// The spread of each item over the reviewers' scores (reviewers who have not scored yet
/// are left out), widest first.
pub fn spread(scored: &[&BTreeMap<String, u8>]) -> Vec<ItemSpread> {
    let mut by_item: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for s in scored {
        for (k, v) in s.iter() {
            by_item.entry(k.as_str()).or_default().push(*v);
        }
    }
    let mut out: Vec<ItemSpread> = by_item
        .into_iter()
        .map(|(key, scores)| {
            let n = scores.len() as f64;
            let mean = scores.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
            let var = scores
                .iter()
                .map(|v| (f64::from(*v) - mean).powi(2))
                .sum::<f64>()
                / n;
            ItemSpread {
                key: key.to_string(),
                min: *scores.iter().min().unwrap_or(&0),
                max: *scores.iter().max().unwrap_or(&0),
                stddev: (var.sqrt() * 10.0).round() / 10.0,
                scores,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.max - b.min)
            .cmp(&(a.max - a.min))
            .then(a.key.cmp(&b.key))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_disagreement_comes_first() {
        let a: BTreeMap<String, u8> = [("greeting".into(), 100), ("accuracy".into(), 40)].into();
        let b: BTreeMap<String, u8> = [("greeting".into(), 100), ("accuracy".into(), 100)].into();
        let s = spread(&[&a, &b]);
        assert_eq!(s[0].key, "accuracy");
        assert_eq!((s[0].min, s[0].max, s[0].stddev), (40, 100, 30.0));
        assert_eq!((s[1].key.as_str(), s[1].stddev), ("greeting", 0.0));
        assert!(spread(&[]).is_empty());
    }
}
