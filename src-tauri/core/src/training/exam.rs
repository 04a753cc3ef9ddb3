//! Exams: a question bank (single choice, multiple choice, true/false), an exam drawn from
//! it, an attempt with a time limit, scored automatically against the pass mark, with
//! retakes up to a limit; the best attempt counts. Pure rules.

use super::Topic;
use crate::error::{Error, Result};
use crate::validate::{text, NAME_MAX, NOTE_MAX};
use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

str_enum!(
    QuestionKind {
        Single = "single",
        Multiple = "multiple",
        TrueFalse = "true_false",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewQuestion {
    pub topic: Topic,
    pub kind: QuestionKind,
    pub text: String,
    /// The choices (true/false: none; the desk shows 对 / 错).
    #[serde(default)]
    pub options: Vec<String>,
    /// The indices of the right choices (true/false: 0 true, 1 false).
    pub answer: Vec<u8>,
}

impl NewQuestion {
    pub fn validated(&self) -> Result<NewQuestion> {
        let options: Vec<String> = match self.kind {
            QuestionKind::TrueFalse => vec![],
            _ => self
                .options
                .iter()
                .map(|o| text("options", o, NAME_MAX))
                .collect::<Result<_>>()?,
        };
        let choices = match self.kind {
            QuestionKind::TrueFalse => 2,
            _ => options.len(),
        };
        let mut answer = self.answer.clone();
        answer.sort_unstable();
        answer.dedup();
        let ok = (2..=8).contains(&choices)
            && answer.iter().all(|a| usize::from(*a) < choices)
            && match self.kind {
                QuestionKind::Multiple => !answer.is_empty(),
                _ => answer.len() == 1,
            };
        if !ok {
            return Err(Error::InvalidValue {
                field: "right_answer",
                value: format!("{:?}", self.answer),
            });
        }
        Ok(NewQuestion {
            text: text("text", &self.text, NOTE_MAX)?,
            options,
            answer,
            ..self.clone()
        })
    }

    /// Whether `given` is right: exactly the right choices, no more, no fewer.
    pub fn is_right(&self, given: &[u8]) -> bool {
        let mut g = given.to_vec();
        g.sort_unstable();
        g.dedup();
        g == self.answer
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewExam {
    pub title: String,
    /// Questions of this topic only (none: any).
    #[serde(default)]
    pub topic: Option<Topic>,
    pub questions: u32,
    pub minutes: u32,
    /// Percent to pass.
    pub pass_mark: u32,
    /// Attempts allowed (the first and the retakes).
    #[serde(default = "one")]
    pub attempts: u32,
    /// Draws the questions reproducibly.
    #[serde(default)]
    pub seed: u64,
}

fn one() -> u32 {
    1
}

impl NewExam {
    pub fn validated(&self) -> Result<NewExam> {
        let bad = |field: &'static str, v: u32| Error::InvalidValue {
            field,
            value: v.to_string(),
        };
        if !(1..=100).contains(&self.questions) {
            return Err(bad("questions", self.questions));
        }
        if !(1..=300).contains(&self.minutes) {
            return Err(bad("minutes", self.minutes));
        }
        if !(1..=100).contains(&self.pass_mark) {
            return Err(bad("pass_mark", self.pass_mark));
        }
        if !(1..=10).contains(&self.attempts) {
            return Err(bad("attempts", self.attempts));
        }
        Ok(NewExam {
            title: text("title", &self.title, NAME_MAX)?,
            ..self.clone()
        })
    }

    /// Draws the exam's questions from the bank's ids (every taker gets the same paper).
    pub fn draw(&self, bank: &[i64]) -> Result<Vec<i64>> {
        let n = self.questions as usize;
        if bank.len() < n {
            return Err(Error::InvalidValue {
                field: "questions",
                value: format!("{n} > {}", bank.len()),
            });
        }
        let mut ids = bank.to_vec();
        ids.sort_unstable();
        ids.shuffle(&mut ChaCha8Rng::seed_from_u64(self.seed));
        ids.truncate(n);
        Ok(ids)
    }
}

/// An attempt's result: the share right, in percent (one decimal), and whether it passed.
pub fn score(papers: &[(NewQuestion, Vec<u8>)], pass_mark: u32) -> (f64, bool) {
    if papers.is_empty() {
        return (0.0, false);
    }
    let right = papers.iter().filter(|(q, a)| q.is_right(a)).count();
    let pct = (right as f64 * 1000.0 / papers.len() as f64).round() / 10.0;
    (pct, pct >= f64::from(pass_mark))
}

/// Answers count until the time limit (and a minute's grace for the network).
pub fn in_time(started: DateTime<Utc>, minutes: u32, now: DateTime<Utc>) -> bool {
    now <= started + Duration::minutes(i64::from(minutes)) + Duration::seconds(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: QuestionKind, options: &[&str], answer: &[u8]) -> NewQuestion {
        NewQuestion {
            topic: Topic::ServiceProcess,
            kind,
            text: "转办时限从何时起算？".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            answer: answer.to_vec(),
        }
    }

    #[test]
    fn questions_have_right_answers_that_fit() {
        assert!(q(QuestionKind::Single, &["受理时", "签收时"], &[0])
            .validated()
            .is_ok());
        assert!(q(QuestionKind::Single, &["a", "b"], &[0, 1])
            .validated()
            .is_err());
        assert!(q(QuestionKind::Single, &["a", "b"], &[2])
            .validated()
            .is_err());
        assert!(q(QuestionKind::Multiple, &["a", "b", "c"], &[0, 2])
            .validated()
            .is_ok());
        assert!(q(QuestionKind::Multiple, &["a", "b"], &[])
            .validated()
            .is_err());
        assert!(q(QuestionKind::TrueFalse, &[], &[1]).validated().is_ok());
        assert!(q(QuestionKind::Single, &["only"], &[0])
            .validated()
            .is_err());
        let m = q(QuestionKind::Multiple, &["a", "b", "c"], &[0, 2])
            .validated()
            .expect("q");
        assert!(m.is_right(&[2, 0]) && !m.is_right(&[0]) && !m.is_right(&[0, 1, 2]));
    }

    #[test]
    fn the_score_is_the_share_right_against_the_pass_mark() {
        let a = q(QuestionKind::Single, &["a", "b"], &[0])
            .validated()
            .expect("a");
        let b = q(QuestionKind::TrueFalse, &[], &[1])
            .validated()
            .expect("b");
        let c = q(QuestionKind::Multiple, &["a", "b", "c"], &[1, 2])
            .validated()
            .expect("c");
        let papers = vec![(a, vec![0]), (b, vec![0]), (c, vec![2, 1])];
        assert_eq!(score(&papers, 60), (66.7, true));
        assert_eq!(score(&papers, 70), (66.7, false));
        assert_eq!(score(&[], 60), (0.0, false));
    }

    #[test]
    fn a_paper_is_drawn_reproducibly_from_enough_questions() {
        let exam = NewExam {
            title: "服务流程考试".into(),
            topic: None,
            questions: 3,
            minutes: 20,
            pass_mark: 60,
            attempts: 2,
            seed: 5,
        };
        let bank: Vec<i64> = (1..=10).collect();
        let a = exam.draw(&bank).expect("drawn");
        assert_eq!(a.len(), 3);
        assert_eq!(
            a,
            exam.draw(&bank.iter().rev().copied().collect::<Vec<_>>())
                .expect("again")
        );
        assert_eq!(
            exam.draw(&bank[..2]).map_err(|e| e.code()).err(),
            Some("invalid_value")
        );
        let t0 = chrono::Utc::now();
        assert!(in_time(t0, 20, t0 + Duration::minutes(20)));
        assert!(!in_time(t0, 20, t0 + Duration::minutes(22)));
    }
}
