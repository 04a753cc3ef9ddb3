//! The permission door for training: trainers and managers keep the plan, the sessions and
//! their attendance, the question bank and the exams; everyone reads the plan and takes
//! exams as themselves (the store lets only the taker hand in an attempt).

use super::Acting;
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Attempt, Exam, Onboarding, OnboardingItem, Question, Session};
use crate::training::exam::{NewExam, NewQuestion};
use crate::training::onboarding::NewItem;
use crate::training::NewSession;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

impl<'s> Acting<'s> {
    pub fn sessions(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Session>> {
        self.store.sessions(from, to)
    }

    pub fn add_session(&self, session: &NewSession) -> Result<Session> {
        self.need(Perm::ManageTraining)?
            .add_session(self.author(), session)
    }

    pub fn mark_attendance(&self, session: i64, user: i64, attended: bool) -> Result<Session> {
        self.need(Perm::ManageTraining)?
            .mark_attendance(session, user, attended)
    }

    /// The bank, with the answers: for those who set exams.
    pub fn questions(&self) -> Result<Vec<Question>> {
        self.need(Perm::ManageTraining)?.questions()
    }

    pub fn add_question(&self, question: &NewQuestion) -> Result<Question> {
        self.need(Perm::ManageTraining)?
            .add_question(self.author(), question)
    }

    pub fn exams(&self) -> Result<Vec<Exam>> {
        self.store.exams()
    }

    pub fn create_exam(&self, exam: &NewExam) -> Result<Exam> {
        self.need(Perm::ManageTraining)?
            .create_exam(self.author(), exam)
    }

    pub fn start_attempt(&self, exam: i64) -> Result<Attempt> {
        self.store.start_attempt(exam, self.author())
    }

    pub fn submit_attempt(&self, id: i64, answers: &BTreeMap<i64, Vec<u8>>) -> Result<Attempt> {
        self.store.submit_attempt(id, self.author(), answers)
    }

    /// The user's own results, or everyone's (`all`) for those who run the training.
    pub fn attempts(&self, all: bool) -> Result<Vec<Attempt>> {
        if all {
            return self.need(Perm::ManageTraining)?.attempts(None);
        }
        self.store.attempts(Some(self.user.id))
    }

    /// The onboarding checklist, for everyone to read.
    pub fn onboarding_items(&self) -> Result<Vec<OnboardingItem>> {
        self.store.onboarding_items(false)
    }

    pub fn add_onboarding_item(&self, item: &NewItem) -> Result<OnboardingItem> {
        self.need(Perm::ManageTraining)?
            .add_onboarding_item(self.author(), item)
    }

    pub fn retire_onboarding_item(&self, id: i64) -> Result<()> {
        self.need(Perm::ManageTraining)?.retire_onboarding_item(id)
    }

    /// Starts a person's onboarding (or names their mentor again).
    pub fn start_onboarding(&self, user: i64, mentor: Option<i64>) -> Result<Onboarding> {
        self.need(Perm::ManageTraining)?
            .start_onboarding(self.author(), user, mentor)
    }

    /// A person's onboarding: one's own, one's mentee's, or anyone's for those who run
    /// the training.
    pub fn onboarding(&self, user: Option<i64>) -> Result<Onboarding> {
        let me = self.user.id;
        let user = user.unwrap_or(me);
        if user == me {
            return self.store.onboarding(me);
        }
        if let Ok(store) = self.need(Perm::ManageTraining) {
            return store.onboarding(user);
        }
        match self.store.onboarding(user) {
            Ok(o) if o.mentor_id == Some(me) => Ok(o),
            // Whether someone else is onboarding is not the caller's to learn.
            _ => self.need(Perm::ManageTraining)?.onboarding(user),
        }
    }

    pub fn onboardings(&self) -> Result<Vec<Onboarding>> {
        self.need(Perm::ManageTraining)?.onboardings()
    }

    pub fn tick_onboarding(&self, user: i64, item: i64, note: &str) -> Result<Onboarding> {
        self.need(Perm::ManageTraining)?
            .tick_onboarding(self.author(), user, item, note)
    }
}
