//! The commands of training: the plan's sessions and attendance, the question bank, exams
//! and their attempts.

use super::{acting, arguments, need, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::error::Result;
use crate::model::Perm;
use crate::store::{Attempt, Exam, Onboarding, OnboardingItem, Question, Session};
use crate::training::exam::{NewExam, NewQuestion};
use crate::training::onboarding::NewItem;
use crate::training::NewSession;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

commands! {
    static COMMANDS;
    /// Training sessions starting in `[from, to)`, with their attendance.
    acting training_sessions(from: DateTime<Utc>, to: DateTime<Utc>) [SignedIn] -> Vec<Session>
        = |c, a| a.sessions(from, to);
    /// Plans a session: title, topic, method, start, hours, place, who should attend.
    acting add_training_session(session: NewSession) [need(Perm::ManageTraining)] -> Session
        = |c, a| a.add_session(&session);
    /// Marks whether a person attended a session.
    acting mark_attendance(session: i64, user: i64, attended: bool) [need(Perm::ManageTraining)]
        -> Session = |c, a| a.mark_attendance(session, user, attended);
    /// The question bank, with the answers.
    acting exam_questions() [need(Perm::ManageTraining)] -> Vec<Question> = |c, a| a.questions();
    acting add_exam_question(question: NewQuestion) [need(Perm::ManageTraining)] -> Question
        = |c, a| a.add_question(&question);
    /// Exams (without their answers).
    acting exams() [SignedIn] -> Vec<Exam> = |c, a| a.exams();
    /// Sets an exam: its paper drawn from the bank once.
    acting create_exam(exam: NewExam) [need(Perm::ManageTraining)] -> Exam = |c, a| a.create_exam(&exam);
    /// Starts (or resumes) the user's attempt: the paper, without answers, and its deadline.
    acting start_attempt(exam: i64) [SignedIn] -> Attempt = |c, a| a.start_attempt(exam);
    /// Hands in the user's attempt: question id → the choices; scored at once.
    acting submit_attempt(id: i64, answers: BTreeMap<i64, Vec<u8>>) [SignedIn] -> Attempt
        = |c, a| a.submit_attempt(id, &answers);
    /// The user's results, or everyone's (`all`, for trainers and managers).
    acting exam_attempts(all: Option<bool>) [SignedIn] -> Vec<Attempt>
        = |c, a| a.attempts(all.unwrap_or(false));
    /// The onboarding checklist of new agents.
    acting onboarding_items() [SignedIn] -> Vec<OnboardingItem> = |c, a| a.onboarding_items();
    /// Adds an item to the checklist: a task, a session of a topic, or an exam to pass.
    acting add_onboarding_item(item: NewItem) [need(Perm::ManageTraining)] -> OnboardingItem
        = |c, a| a.add_onboarding_item(&item);
    acting retire_onboarding_item(id: i64) [need(Perm::ManageTraining)] -> ()
        = |c, a| a.retire_onboarding_item(id);
    /// Starts a person's onboarding today (again: names the mentor, keeps the start).
    acting start_onboarding(user: i64, mentor: Option<i64>) [need(Perm::ManageTraining)]
        -> Onboarding = |c, a| a.start_onboarding(user, mentor);
    /// A person's progress: one's own by default; a mentee's; anyone's for trainers.
    acting onboarding(user: Option<i64>) [SignedIn] -> Onboarding = |c, a| a.onboarding(user);
    /// Everyone onboarding, with their progress.
    acting onboardings() [need(Perm::ManageTraining)] -> Vec<Onboarding> = |c, a| a.onboardings();
    /// Ticks a task of a person's checklist.
    acting tick_onboarding(user: i64, item: i64, note: Option<String>) [need(Perm::ManageTraining)]
        -> Onboarding = |c, a| a.tick_onboarding(user, item, note.as_deref().unwrap_or(""));
}
