//! The permission door for the knowledge base: everyone reads it and is offered its
//! published wording; staff write drafts and send them for review — a department only
//! articles of its own department —; editors approve, reject, retire and import.

use super::Acting;
use crate::error::{Error, Result};
use crate::kb::exchange::{read, write, Sheet};
use crate::kb::{NewArticle, Step};
use crate::model::{Perm, Role};
use crate::store::{Article, ArticleQuery, ArticleRow, ArticleSuggestion, KbFigures, Store};
use chrono::{DateTime, Utc};

impl<'s> Acting<'s> {
    /// The store, for one who may write article `id` (or a new one for `department`).
    fn writer(&self, id: Option<i64>, department: Option<i64>) -> Result<&'s Store> {
        let s = self.need(Perm::ProposeKnowledge)?;
        if self.user.role == Role::Handler {
            let mine = Some(self.user.department_id);
            let current = id.map(|id| s.article(id)).transpose()?;
            if department.is_some_and(|d| Some(d) != mine)
                || current.is_some_and(|a| a.department_id() != mine)
            {
                return Err(Error::Forbidden {
                    action: Perm::ManageKnowledge.as_str().into(),
                    actor: self.user.name.clone(),
                    role: self.user.role.as_str().into(),
                    permission: true,
                });
            }
        }
        Ok(s)
    }

    pub fn articles(&self, q: &ArticleQuery) -> Result<Vec<ArticleRow>> {
        self.store.articles(q)
    }

    pub fn article(&self, id: i64) -> Result<Article> {
        self.store.article(id)
    }

    pub fn suggest_articles(&self, text: &str, limit: u32) -> Result<Vec<ArticleSuggestion>> {
        self.store.suggest_articles(text, limit)
    }

    /// Saves a draft; a department's own articles only, and its new ones are its own.
    pub fn save_article(&self, id: Option<i64>, article: &NewArticle) -> Result<Article> {
        let mut a = article.clone();
        if self.user.role == Role::Handler && a.department_id.is_none() {
            a.department_id = Some(self.user.department_id);
        }
        self.writer(id, a.department_id)?
            .save_article(self.author(), id, &a)
    }

    /// A review step: sending for review is the writer's; the rest the editors'.
    pub fn article_step(&self, id: i64, step: Step, note: Option<&str>) -> Result<Article> {
        let s = match step {
            Step::Save | Step::Submit => self.writer(Some(id), None)?,
            Step::Approve | Step::Reject | Step::Retire => self.need(Perm::ManageKnowledge)?,
        };
        s.article_step(self.author(), id, step, note)
    }

    /// A draft from a ticket this user sees.
    pub fn article_from_ticket(&self, ticket: i64) -> Result<Article> {
        let s = self.writer(None, None)?;
        self.need(Perm::ViewTickets)?;
        self.ticket_in_scope(&s.ticket(ticket)?)?;
        s.article_from_ticket(self.author(), ticket)
    }

    /// Every article as a sheet (`name` says CSV or XLSX).
    pub fn export_articles(&self, name: &str) -> Result<Vec<u8>> {
        let sheet = Sheet::of(name)?;
        write(&self.store.article_rows()?, sheet)
    }

    /// A sheet of articles as new drafts, all or none: their ids.
    pub fn import_articles(&self, name: &str, bytes: &[u8]) -> Result<Vec<i64>> {
        let s = self.need(Perm::ManageKnowledge)?;
        let rows = read(bytes, Sheet::of(name)?)?;
        s.import_articles(self.author(), &rows)
    }

    pub fn kb_figures(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<KbFigures> {
        self.need(Perm::ViewReports)?.kb_figures(from, to)
    }
}
