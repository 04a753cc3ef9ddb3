//! The commands of the knowledge base: the editors' table, an article with its versions,
//! the suggestion while a description is typed, writing and the review steps, a draft
//! from a ticket, the sheet export and import, and the knowledge figures.

use super::{acting, arguments, need, reply, Command, Ctx, Gate::SignedIn, Run};
use crate::error::Result;
use crate::kb::{NewArticle, Step};
use crate::model::Perm;
use crate::store::{Article, ArticleQuery, ArticleRow, ArticleSuggestion, KbFigures};
use chrono::{DateTime, Utc};
use serde_json::Value;

commands! {
    static COMMANDS;
    /// Articles, most recently saved first, filtered (state, material, department, words,
    /// an upkeep view).
    acting kb_articles(query: Option<ArticleQuery>) [SignedIn] -> Vec<ArticleRow>
        = |c, a| a.articles(&query.unwrap_or_default());
    /// An article with every version, newest first.
    acting kb_article(id: i64) [SignedIn] -> Article = |c, a| a.article(id);
    /// The published articles valid today that best match what the caller said.
    acting kb_suggest(text: String, limit: Option<u32>) [SignedIn] -> Vec<ArticleSuggestion>
        = |c, a| a.suggest_articles(&text, limit.unwrap_or(5));
    /// Writes a new article (`id` none) or a draft of one.
    acting save_kb_article(id: Option<i64>, article: NewArticle) [need(Perm::ProposeKnowledge)]
        -> Article = |c, a| a.save_article(id, &article);
    /// Sends the latest draft for review; approves, rejects (with a note) or retires (with
    /// the reason).
    acting kb_step(id: i64, step: Step, note: Option<String>) [need(Perm::ProposeKnowledge)]
        -> Article = |c, a| a.article_step(id, step, note.as_deref());
    /// A draft article from a ticket that was answered or solved (the caller's data masked).
    acting kb_from_ticket(ticket: i64) [need(Perm::ProposeKnowledge)] -> Article
        = |c, a| a.article_from_ticket(ticket);
    /// Every article as a sheet (`format`: xlsx or csv) among the user's exports: its path.
    acting export_kb(format: String, replace: Option<bool>) [SignedIn] -> String = |c, a| {
        let name = format!("knowledge-{}.{}", c.store.now().format("%Y%m%d"), if format == "csv" { "csv" } else { "xlsx" });
        let bytes = a.export_articles(&name)?;
        Ok(c.host.deliver(&name, &bytes, replace.unwrap_or(false))?.display().to_string())
    };
    /// A sheet of articles (its file name and its bytes in base64) as new drafts, all or
    /// none: their ids.
    acting import_kb(name: String, data: String) [need(Perm::ManageKnowledge)] -> Vec<i64>
        = |c, a| a.import_articles(&name, &crate::attachment::decoded(&data)?);
    /// Knowledge coverage and the answers by article in `[from, to)`.
    acting kb_figures(from: DateTime<Utc>, to: DateTime<Utc>) [need(Perm::ViewReports)]
        -> KbFigures = |c, a| a.kb_figures(from, to);
}
