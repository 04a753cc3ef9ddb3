//! The permission door for training: trainers and managers keep the plan, the sessions and
//! their attendance, the question bank and the exams; everyone reads the plan and takes
//! exams as themselves (the store lets only the taker hand in an attempt).

use super::Acting;
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Attempt, Exam, Question, Session};
use crate::training::exam::{NewExam, NewQuestion};
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
}
