//! The knowledge base's lists: the editors' table with its upkeep views (expiring, expired
//! but still used, never used, often followed by trouble), the sheet export and import,
//! and the figures of the reporting window (knowledge coverage, answers by article).

use super::db::{from_ms, ms, Author, Store};
use super::kb::{article, today};
use crate::error::{Error, Result};
use crate::kb::exchange::Row;
use crate::kb::{article_state, ArticleState, Material, VersionState};
use crate::report::Kpi;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// The editors' upkeep views.
    Upkeep {
        /// Published, valid until within `EXPIRING_DAYS`.
        Expiring = "expiring",
        /// Expired, yet tickets were answered from it after its last valid day.
        ExpiredUsed = "expired_used",
        /// Published and never used to answer a ticket.
        NeverUsed = "never_used",
        /// Tickets answered from it that came back: reopened, re-dispatched, or the caller
        /// called again within `REPEAT_DAYS`.
        Troubled = "troubled",
    }
);

/// How far ahead "expiring soon" looks.
pub const EXPIRING_DAYS: i64 = 30;
/// A call from the same number within this many days of an answer is the answer coming back.
pub const REPEAT_DAYS: i64 = 7;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArticleQuery {
    /// The article's state, or a newer version's waiting in this state.
    pub state: Option<ArticleState>,
    pub material: Option<Material>,
    pub department_id: Option<i64>,
    /// Words of the title, question variants, keywords or answer (latest version).
    pub search: Option<String>,
    pub upkeep: Option<Upkeep>,
}

/// A row of the editors' table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRow {
    pub id: i64,
    pub state: ArticleState,
    /// A newer version than the published one, and where it stands.
    pub pending: Option<VersionState>,
    pub title: String,
    pub material: Material,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub saved_at: DateTime<Utc>,
    pub uses: i64,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Uses after the published version's last valid day.
    pub uses_expired: i64,
    /// Answers from it that came back (see `Upkeep::Troubled`).
    pub troubles: i64,
}

/// An article's share of the direct answers of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleUse {
    pub id: i64,
    pub title: String,
    pub uses: i64,
    pub troubles: i64,
}

/// The knowledge figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KbFigures {
    /// Direct answers given with an article / direct answers.
    pub coverage: Kpi,
    /// The published articles valid at the period's end, and how many of them answered.
    pub published: i64,
    pub used: i64,
    pub by_article: Vec<ArticleUse>,
}

/// A use `u` of ticket `t` that came back; `?9` is `REPEAT_DAYS` in milliseconds.
const TROUBLE: &str = "(t.reopen_count > 0 OR t.redispatch_count > 0 OR EXISTS (
        SELECT 1 FROM tickets n WHERE n.phone = t.phone AND t.phone <> '' AND n.id > t.id
          AND n.received_at < u.used_at + ?9))";

impl Store {
    /// The editors' table, most recently saved first.
    pub fn articles(&self, q: &ArticleQuery) -> Result<Vec<ArticleRow>> {
        let now = self.now();
        let search = q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| crate::validate::text("search", s, super::listing::SEARCH_MAX))
            .transpose()?
            .map(|s| format!("%{}%", super::listing::like_escape(&s)));
        self.read(|c| {
            let today = today(c, now)?;
            let trouble = TROUBLE.replace("?9", "?4");
            let sql = format!(
                "SELECT a.id, l.state, p.valid_from, p.valid_until, a.retired_at, coalesce(p.title, l.title),
                        l.material, l.department_id, d.name, l.saved_at, a.published_version, a.latest_version,
                        (SELECT count(*) FROM kb_uses u WHERE u.article_id = a.id),
                        (SELECT max(used_at) FROM kb_uses u WHERE u.article_id = a.id),
                        (SELECT count(*) FROM kb_uses u JOIN tickets t ON t.id = u.ticket_id
                            WHERE u.article_id = a.id AND {trouble})
                 FROM kb_articles a
                 JOIN kb_versions l ON l.article_id = a.id AND l.version = a.latest_version
                 LEFT JOIN kb_versions p ON p.article_id = a.id AND p.version = a.published_version
                 LEFT JOIN departments d ON d.id = l.department_id
                 WHERE (CAST(?1 AS TEXT) IS NULL OR l.material = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR l.department_id = ?2)
                   AND (CAST(?3 AS TEXT) IS NULL OR l.title LIKE ?3 ESCAPE '\\' OR l.questions LIKE ?3 ESCAPE '\\'
                        OR l.keywords LIKE ?3 ESCAPE '\\' OR l.answer LIKE ?3 ESCAPE '\\')
                 ORDER BY l.saved_at DESC, a.id DESC"
            );
            let mut st = c.prepare_cached(&sql)?;
            let rows = st.query_map(
                super::sql::params![
                    q.material,
                    q.department_id,
                    search,
                    Duration::days(REPEAT_DAYS).num_milliseconds()
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, VersionState>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Material>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, i64>(9)?,
                        r.get::<_, Option<i64>>(10)?,
                        r.get::<_, i64>(11)?,
                        r.get::<_, i64>(12)?,
                        r.get::<_, Option<i64>>(13)?,
                        r.get::<_, i64>(14)?,
                    ))
                },
            )?;
            let tz = super::db::timezone(c)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, latest, from, until, retired, title, material, dept, dept_name, saved, published, latest_v, uses, last, troubles) = row?;
                let from: Option<NaiveDate> = from.and_then(|d| d.parse().ok());
                let until: Option<NaiveDate> = until.and_then(|d| d.parse().ok());
                let state = article_state(
                    latest,
                    published.map(|_| (from, until)),
                    retired.is_some(),
                    today,
                );
                let pending = (published.is_some_and(|p| p != latest_v)
                    && matches!(latest, VersionState::Draft | VersionState::InReview))
                .then_some(latest);
                let uses_expired = match until {
                    Some(u) if u < today => expired_uses(c, id, u, tz)?,
                    _ => 0,
                };
                let keep = q.state.is_none_or(|s| s == state || pending.is_some_and(|p| p.as_str() == s.as_str()))
                    && match q.upkeep {
                        None => true,
                        Some(Upkeep::Expiring) => {
                            state == ArticleState::Published
                                && until.is_some_and(|u| u <= today + Duration::days(EXPIRING_DAYS))
                        }
                        Some(Upkeep::ExpiredUsed) => uses_expired > 0,
                        Some(Upkeep::NeverUsed) => state == ArticleState::Published && uses == 0,
                        Some(Upkeep::Troubled) => troubles > 0,
                    };
                if keep {
                    out.push(ArticleRow {
                        id,
                        state,
                        pending,
                        title,
                        material,
                        department_id: dept,
                        department_name: dept_name,
                        valid_until: until,
                        saved_at: from_ms(saved),
                        uses,
                        last_used_at: last.map(from_ms),
                        uses_expired,
                        troubles,
                    });
                }
            }
            if q.upkeep == Some(Upkeep::Troubled) {
                out.sort_by(|a, b| b.troubles.cmp(&a.troubles).then(a.id.cmp(&b.id)));
            }
            Ok(out)
        })
    }

    /// Every article's latest version as sheet rows (the published one where it is newer
    /// in state: what agents are given), for export.
    pub fn article_rows(&self) -> Result<Vec<Row>> {
        let now = self.now();
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare("SELECT id FROM kb_articles ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<super::sql::Result<_>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let a = article(c, id, now)?;
                let Some(v) = a.latest() else { continue };
                let department = match v.department_id {
                    Some(d) => Some(super::reference::get_department(c, d)?.code),
                    None => None,
                };
                out.push(Row {
                    id: Some(a.id),
                    article: crate::kb::NewArticle {
                        title: v.title.clone(),
                        questions: v.questions.clone(),
                        answer: v.answer.clone(),
                        category: v.category.clone(),
                        department_id: v.department_id,
                        keywords: v.keywords.clone(),
                        source: v.source.clone(),
                        material: Some(v.material),
                        valid_from: v.valid_from,
                        valid_until: v.valid_until,
                    },
                    department,
                    state: a.state.as_str().to_string(),
                    version: Some(v.version),
                });
            }
            Ok(out)
        })
    }

    /// Imports sheet rows as new drafts, all or none: a department code or category that
    /// does not exist refuses the whole sheet with its line.
    pub fn import_articles(&self, by: Author<'_>, rows: &[(u64, Row)]) -> Result<Vec<i64>> {
        let now = self.now();
        self.write(|tx| {
            let mut ids = Vec::with_capacity(rows.len());
            for (line, r) in rows {
                let mut a = r.article.clone();
                let at = |e: Error| Error::ImportRow {
                    line: *line,
                    reason: e.to_string(),
                };
                if let Some(code) = &r.department {
                    let id: Option<i64> = super::sql::OptionalExtension::optional(tx.query_row(
                        "SELECT id FROM departments WHERE code = ?1",
                        [code],
                        |x| x.get(0),
                    ))?;
                    a.department_id = Some(id.ok_or_else(|| {
                        at(Error::NotFound {
                            entity: "department",
                            key: code.clone(),
                        })
                    })?);
                }
                let id = super::kb::insert_article(tx, &a, by.user.id, now).map_err(at)?;
                ids.push(id);
            }
            super::audit::append(
                tx,
                now,
                Some(by.user),
                "articles_imported",
                "kb",
                &serde_json::json!({ "count": ids.len(), "first": ids.first(), "last": ids.last() }),
            )?;
            Ok(ids)
        })
    }

    /// Articles published at once, in one transaction: the demo data's and the
    /// benchmark's (no review, so audited as seeded).
    pub fn publish_articles(
        &self,
        by: Author<'_>,
        articles: &[crate::kb::NewArticle],
    ) -> Result<Vec<i64>> {
        let valid = articles
            .iter()
            .map(crate::kb::NewArticle::validated)
            .collect::<Result<Vec<_>>>()?;
        let now = self.now();
        self.write_big(|tx| {
            let mut ids = Vec::with_capacity(valid.len());
            for a in &valid {
                let id = super::kb::insert_article(tx, a, by.user.id, now)?;
                tx.prepare_cached(
                    "UPDATE kb_versions SET state = 'published', reviewed_by = ?1, reviewed_at = ?2 WHERE article_id = ?3",
                )?
                .execute((by.user.id, ms(now), id))?;
                tx.prepare_cached("UPDATE kb_articles SET published_version = 1 WHERE id = ?1")?
                    .execute([id])?;
                super::kb::index(tx, id, Some(1))?;
                ids.push(id);
            }
            super::audit::append(
                tx,
                now,
                Some(by.user),
                "articles_seeded",
                "kb",
                &serde_json::json!({ "count": ids.len() }),
            )?;
            Ok(ids)
        })
    }

    /// Knowledge coverage and the answers by article in `[from, to)`.
    pub fn kb_figures(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<KbFigures> {
        self.snapshot(|c| figures(c, from, to))
    }
}

/// The knowledge figures of `[from, to)` (also a part of the monthly report).
pub(super) fn figures(
    c: &super::sql::Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<KbFigures> {
    let range = (ms(from), ms(to));
    let direct: i64 = c.query_row(
        &format!(
            "SELECT count(DISTINCT e.ticket_id) FROM events e JOIN tickets t ON t.id = e.ticket_id
                 WHERE e.action = 'answer' AND e.at >= ?1 AND e.at < ?2 AND {}",
            super::db::NOT_DRILL
        ),
        range,
        |r| r.get(0),
    )?;
    let from_article: i64 = c.query_row(
        &format!(
            "SELECT count(*) FROM kb_uses u JOIN tickets t ON t.id = u.ticket_id
                 WHERE u.used_at >= ?1 AND u.used_at < ?2 AND {}",
            super::db::NOT_DRILL
        ),
        range,
        |r| r.get(0),
    )?;
    let by_article: Vec<ArticleUse> = c
        .prepare(&format!(
            "SELECT a.id, coalesce(p.title, l.title), count(*),
                        sum(CASE WHEN {} THEN 1 ELSE 0 END)
                 FROM kb_uses u JOIN tickets t ON t.id = u.ticket_id
                 JOIN kb_articles a ON a.id = u.article_id
                 JOIN kb_versions l ON l.article_id = a.id AND l.version = a.latest_version
                 LEFT JOIN kb_versions p ON p.article_id = a.id AND p.version = a.published_version
                 WHERE u.used_at >= ?1 AND u.used_at < ?2 AND {}
                 GROUP BY a.id, p.title, l.title ORDER BY count(*) DESC, a.id LIMIT 50",
            TROUBLE.replace("?9", "?3"),
            super::db::NOT_DRILL
        ))?
        .query_map(
            (
                range.0,
                range.1,
                Duration::days(REPEAT_DAYS).num_milliseconds(),
            ),
            |r| {
                Ok(ArticleUse {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    uses: r.get(2)?,
                    troubles: r.get(3)?,
                })
            },
        )?
        .collect::<super::sql::Result<_>>()?;
    let end = today(c, to - Duration::milliseconds(1))?.to_string();
    let (published, used): (i64, i64) = c.query_row(
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM kb_uses u WHERE u.article_id = a.id AND u.used_at >= ?2 AND u.used_at < ?3))
             FROM kb_articles a JOIN kb_versions p ON p.article_id = a.id AND p.version = a.published_version
             WHERE a.retired_at IS NULL AND (p.valid_until IS NULL OR p.valid_until >= ?1)",
            (end, range.0, range.1),
            |r| Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0))),
        )?;
    Ok(KbFigures {
        coverage: Kpi::new("knowledge_coverage", from_article, direct),
        published,
        used,
        by_article,
    })
}

/// Uses of an article after its last valid day (`until`, a local date).
fn expired_uses(
    c: &super::sql::Connection,
    id: i64,
    until: NaiveDate,
    tz: chrono_tz::Tz,
) -> Result<i64> {
    let after = until
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.and_local_timezone(tz).earliest())
        .map(|t| ms(t.with_timezone(&Utc)))
        .unwrap_or(i64::MAX);
    Ok(c.query_row(
        "SELECT count(*) FROM kb_uses WHERE article_id = ?1 AND used_at >= ?2",
        (id, after),
        |r| r.get(0),
    )?)
}
