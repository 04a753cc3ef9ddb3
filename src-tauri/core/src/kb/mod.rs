//! The knowledge base (知识库): articles whose wording agents give callers (口径), each
//! version kept. A version is written as a draft, sent for review, and published by an
//! editor; the published one is what agents are offered until a newer version is
//! published or the article retired. Validity dates make a published article expire
//! without anyone touching it. Pure rules; the store keeps the versions.

pub mod exchange;

use crate::error::{Error, Result};
use crate::validate::{opt_text, text, DESCRIPTION_MAX, NAME_MAX, NOTE_MAX};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

str_enum!(
    /// What kind of material an article is (资料类型).
    Material {
        /// 办事指南
        Guide = "guide",
        /// 政策解读
        Policy = "policy",
        /// 法律法规
        Law = "law",
        /// 热点问答
        Faq = "faq",
        /// 通知公告
        Notice = "notice",
        Other = "other",
    }
);

str_enum!(
    /// Where a version stands. Only one version of an article is published at a time; the
    /// one before it is superseded.
    VersionState {
        Draft = "draft",
        InReview = "in_review",
        Published = "published",
        Superseded = "superseded",
        Retired = "retired",
    }
);

str_enum!(
    /// An article as agents meet it: its published version's state and validity, or its
    /// only version's state when none was ever published.
    ArticleState {
        Draft = "draft",
        InReview = "in_review",
        Published = "published",
        /// Published, but its validity ended: no longer offered.
        Expired = "expired",
        Retired = "retired",
    }
);

str_enum!(
    /// What is done to an article.
    Step {
        Save = "save",
        Submit = "submit",
        Approve = "approve",
        Reject = "reject",
        Retire = "retire",
    }
);

pub const TITLE_MAX: usize = 200;
pub const QUESTIONS_MAX: usize = 20;
pub const KEYWORDS_MAX: usize = 20;
pub const ANSWER_MAX: usize = DESCRIPTION_MAX;

/// An article as an author writes it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewArticle {
    pub title: String,
    /// How callers ask it (问法), one per entry.
    pub questions: Vec<String>,
    /// The wording for callers (口径).
    pub answer: String,
    /// A category code (the ticket's tree), or none.
    pub category: Option<String>,
    /// The department responsible for the content.
    pub department_id: Option<i64>,
    pub keywords: Vec<String>,
    /// The source or policy basis (政策依据).
    pub source: String,
    pub material: Option<Material>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

fn list(field: &'static str, items: &[String], each: usize, most: usize) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if let Some(v) = opt_text(field, Some(item), each)? {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    if out.len() > most {
        return Err(Error::TooLong {
            field,
            len: out.len(),
            max: most,
        });
    }
    Ok(out)
}

impl NewArticle {
    /// The article with every rule applied: trimmed, blanks and repeats dropped from the
    /// lists, validity in order.
    pub fn validated(&self) -> Result<NewArticle> {
        let title = text("title", &self.title, TITLE_MAX)?;
        let answer = text("answer", &self.answer, ANSWER_MAX)?;
        let questions = list("variants", &self.questions, TITLE_MAX, QUESTIONS_MAX)?;
        let keywords = list("keywords", &self.keywords, NAME_MAX, KEYWORDS_MAX)?;
        let source = opt_text("source", Some(&self.source), NOTE_MAX)?.unwrap_or_default();
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until) {
            if until < from {
                return Err(Error::InvalidValue {
                    field: "valid_until",
                    value: until.to_string(),
                });
            }
        }
        Ok(NewArticle {
            title,
            questions,
            answer,
            category: self
                .category
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            department_id: self.department_id,
            keywords,
            source,
            material: Some(self.material.unwrap_or(Material::Other)),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        })
    }
}

/// The article's state as agents meet it.
pub fn article_state(
    latest: VersionState,
    published: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    retired: bool,
    today: NaiveDate,
) -> ArticleState {
    if retired {
        return ArticleState::Retired;
    }
    match published {
        Some((_, Some(until))) if until < today => ArticleState::Expired,
        Some(_) => ArticleState::Published,
        None => match latest {
            VersionState::InReview => ArticleState::InReview,
            _ => ArticleState::Draft,
        },
    }
}

/// What a step does to the latest version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The latest version (a draft) is rewritten in place.
    Rewrite,
    /// A new version is started as a draft; the published one stays offered meanwhile.
    NewVersion,
    /// The latest version moves to this state.
    Move(VersionState),
}

/// The rule of the versions: drafts are rewritten until sent for review; a version in
/// review is only approved or rejected (back to a draft); a new version of a published
/// (or retired) article starts as a draft while the published one is still offered.
pub fn step(latest: VersionState, retired: bool, s: Step) -> Result<Outcome> {
    use VersionState as V;
    let ok = match (s, latest) {
        (Step::Save, V::Draft) => Outcome::Rewrite,
        (Step::Save, V::Published | V::Superseded | V::Retired) => Outcome::NewVersion,
        (Step::Submit, V::Draft) => Outcome::Move(V::InReview),
        (Step::Approve, V::InReview) => Outcome::Move(V::Published),
        (Step::Reject, V::InReview) => Outcome::Move(V::Draft),
        (Step::Retire, _) if !retired => Outcome::Move(V::Retired),
        _ => {
            return Err(Error::ArticleStep {
                step: s.as_str().to_string(),
                state: if retired { "retired" } else { latest.as_str() }.to_string(),
            })
        }
    };
    Ok(ok)
}

/// Which version and wording a ticket was answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleRef {
    pub id: i64,
    pub version: i64,
}

/// The longest text a suggestion is looked up by (a long description: its start).
pub const SUGGEST_TEXT_MAX: usize = 400;

/// A review's note.
pub fn review_note(note: Option<&str>) -> Result<Option<String>> {
    opt_text("note", note, NOTE_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn articles_are_cleaned_and_checked() {
        let a = NewArticle {
            title: "  居住证办理  ".into(),
            questions: vec!["怎么办居住证".into(), " ".into(), "怎么办居住证".into()],
            answer: "携带身份证到派出所办理。".into(),
            keywords: vec!["居住证".into()],
            ..NewArticle::default()
        }
        .validated()
        .expect("valid");
        assert_eq!(a.title, "居住证办理");
        assert_eq!(a.questions, vec!["怎么办居住证".to_string()]);
        assert_eq!(a.material, Some(Material::Other));
        let no_answer = NewArticle {
            title: "x".into(),
            ..NewArticle::default()
        };
        assert_eq!(no_answer.validated().map_err(|e| e.code()), Err("required"));
        let backwards = NewArticle {
            title: "x".into(),
            answer: "y".into(),
            valid_from: Some(d("2026-12-01")),
            valid_until: Some(d("2026-11-01")),
            ..NewArticle::default()
        };
        assert_eq!(
            backwards.validated().map_err(|e| e.code()),
            Err("invalid_value")
        );
        let many = NewArticle {
            title: "x".into(),
            answer: "y".into(),
            questions: (0..=QUESTIONS_MAX).map(|i| format!("问{i}")).collect(),
            ..NewArticle::default()
        };
        assert_eq!(many.validated().map_err(|e| e.code()), Err("too_long"));
    }

    #[test]
    fn versions_move_only_forward_through_review() {
        use VersionState as V;
        assert_eq!(
            step(V::Draft, false, Step::Save).ok(),
            Some(Outcome::Rewrite)
        );
        assert_eq!(
            step(V::Published, false, Step::Save).ok(),
            Some(Outcome::NewVersion)
        );
        assert_eq!(
            step(V::Draft, false, Step::Submit).ok(),
            Some(Outcome::Move(V::InReview))
        );
        assert_eq!(
            step(V::InReview, false, Step::Approve).ok(),
            Some(Outcome::Move(V::Published))
        );
        assert_eq!(
            step(V::InReview, false, Step::Reject).ok(),
            Some(Outcome::Move(V::Draft))
        );
        for (latest, s) in [
            (V::InReview, Step::Save),
            (V::Draft, Step::Approve),
            (V::Published, Step::Submit),
            (V::Published, Step::Reject),
        ] {
            let e = step(latest, false, s).expect_err("refused");
            assert_eq!(e.code(), "article_step");
        }
        assert!(step(V::Published, true, Step::Retire).is_err());
        assert_eq!(
            step(V::Retired, true, Step::Save).ok(),
            Some(Outcome::NewVersion)
        );
    }

    #[test]
    fn an_article_expires_by_its_dates() {
        let today = d("2026-12-02");
        let state = |p, r| article_state(VersionState::Draft, p, r, today);
        assert_eq!(state(None, false), ArticleState::Draft);
        assert_eq!(
            article_state(VersionState::InReview, None, false, today),
            ArticleState::InReview
        );
        assert_eq!(
            state(Some((None, Some(d("2026-12-02")))), false),
            ArticleState::Published
        );
        assert_eq!(
            state(Some((None, Some(d("2026-12-01")))), false),
            ArticleState::Expired
        );
        assert_eq!(state(Some((None, None)), true), ArticleState::Retired);
    }
}
