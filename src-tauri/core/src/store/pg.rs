//! PostgreSQL behind the store's seam (`sql`): one client connection, its statements kept
//! prepared, the store's SQL said in PostgreSQL's words (`?N` parameters as `$N`, an
//! insert giving its id by `RETURNING id`), and values written and read by the column's
//! declared type, so the store's integers, texts, flags and blobs mean the same on both.
//!
//! The synchronous `postgres` client, because the store is synchronous: its callers (the
//! desk, the command line, the server's blocking pool) wait for each statement anyway.

use crate::sql_value::{DbError as Error, ToSql as StoreSql, ValueRef};
use postgres::types::ToSql as PgToSql;
use postgres::types::{FromSql, IsNull, Type};
use std::cell::RefCell;
use std::collections::HashMap;

type BoxError = Box<dyn std::error::Error + Sync + Send>;
type Result<T, E = Error> = std::result::Result<T, E>;

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        let busy = e.code().is_some_and(|c| {
            *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::LOCK_NOT_AVAILABLE
        });
        let message = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            // With its causes: "error performing TLS handshake: invalid peer certificate…".
            None => {
                let mut m = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    m.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                m
            }
        };
        Error::Backend {
            busy,
            message,
            source: Box::new(e),
        }
    }
}

impl From<postgres::Error> for crate::error::Error {
    fn from(e: postgres::Error) -> Self {
        crate::error::Error::Db(e.into())
    }
}

/// An error naming the statement it came from (the start of it, on one line).
fn at(sql: &str) -> impl FnOnce(postgres::Error) -> Error + '_ {
    move |e| {
        let mut err = Error::from(e);
        if let Error::Backend { message, .. } = &mut err {
            let text: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            message.push_str(&format!(
                " [{}]",
                text.chars().take(160).collect::<String>()
            ));
        }
        err
    }
}

/// The store's SQL in PostgreSQL's words: `?N` → `$N`, a bare `?` numbered in turn, and
/// SQLite's planner hint `+column` (a unary plus that keeps an index out of a plan)
/// dropped — PostgreSQL has no unary plus on text and plans by itself. Quoted texts and
/// names are left as they are.
pub(super) fn dialect(sql: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "WHERE", "AND", "OR", "ON", "NOT", "BY", "SELECT", "WHEN", "THEN", "ELSE", "CASE", "IN",
    ];
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next = 0;
    let mut quote: Option<char> = None;
    // Whether the last token was a value (a `+` after one adds), and the word being read.
    let mut operand = false;
    let mut word = String::new();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
                operand = true;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' || c == '.' {
            word.push(c);
            out.push(c);
            continue;
        }
        if !word.is_empty() {
            operand = !KEYWORDS.contains(&word.to_ascii_uppercase().as_str());
            word.clear();
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
                operand = true;
            }
            '+' if !operand && chars.peek().is_some_and(|n| n.is_alphabetic() || *n == '_') => {}
            // A comment runs to the end of its line (an apostrophe in it opens no text).
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for n in chars.by_ref() {
                    out.push(n);
                    if n == '\n' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => out.push(c),
            c => {
                operand = c == ')';
                out.push(c);
            }
        }
    }
    out
}

/// A statement's SQL, whether `RETURNING id` was added, its parameters' type ids.
type StatementKey = (String, bool, Vec<u32>);

/// Statements kept prepared per connection, at most: the store's fixed SQL is far fewer;
/// past this the cache starts again rather than grow on a server that runs for months.
const PREPARED_MAX: usize = 512;

/// A connection to PostgreSQL with its prepared statements.
pub struct PgConn {
    client: RefCell<postgres::Client>,
    /// Where it connects again after losing its server (a restart, a failover to the
    /// promoted replica).
    url: String,
    /// Prepared statements by the store's SQL, whether `RETURNING id` was added, and the
    /// types its parameters were declared with.
    prepared: RefCell<HashMap<StatementKey, postgres::Statement>>,
}

impl PgConn {
    pub fn connect(url: &str) -> Result<Self> {
        Ok(PgConn {
            client: RefCell::new(open(url)?),
            url: url.to_string(),
            prepared: RefCell::default(),
        })
    }

    /// A new session when the server closed this one (it restarted, or the centre failed
    /// over to its replica): statements are prepared again on the new one. Called before
    /// a transaction begins, never inside one, so nothing half-done is carried over.
    pub(super) fn reconnect_if_closed(&self) -> Result<()> {
        if !self.client.borrow().is_closed() {
            return Ok(());
        }
        let client = open(&self.url)?;
        self.prepared.borrow_mut().clear();
        *self.client.borrow_mut() = client;
        Ok(())
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Whether the session still answers (a lost server closes it).
    pub(super) fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }

    /// The statement prepared with its parameters declared as the values bound to them
    /// (a number as BIGINT, a flag as BOOLEAN, …), so that PostgreSQL need not guess a
    /// type from `?6 - 300000` or `?1 IS NULL`; a null leaves its parameter to PostgreSQL.
    /// Only `cached` statements are kept (SQL built at run time is closed after use).
    fn statement(
        &self,
        sql: &str,
        returning: bool,
        cached: bool,
        values: &[&dyn StoreSql],
    ) -> Result<postgres::Statement> {
        let types: Vec<Type> = values.iter().map(|v| declared(v.to_sql())).collect();
        let key = (
            sql.to_string(),
            returning,
            types.iter().map(Type::oid).collect(),
        );
        if let Some(st) = self.prepared.borrow().get(&key) {
            return Ok(st.clone());
        }
        let mut text = dialect(sql);
        if returning {
            text.push_str(" RETURNING id");
        }
        let st = self
            .client
            .borrow_mut()
            .prepare_typed(&text, &types)
            .map_err(at(sql))?;
        if cached {
            let mut prepared = self.prepared.borrow_mut();
            if prepared.len() >= PREPARED_MAX {
                prepared.clear();
            }
            prepared.insert(key, st.clone());
        }
        Ok(st)
    }

    pub(super) fn execute(
        &self,
        sql: &str,
        cached: bool,
        values: &[&dyn StoreSql],
    ) -> Result<usize> {
        let st = self.statement(sql, false, cached, values)?;
        let n =
            with_values(values, |p| self.client.borrow_mut().execute(&st, p)).map_err(at(sql))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn insert(
        &self,
        sql: &str,
        cached: bool,
        values: &[&dyn StoreSql],
    ) -> Result<Option<i64>> {
        let st = self.statement(sql, true, cached, values)?;
        let row =
            with_values(values, |p| self.client.borrow_mut().query_opt(&st, p)).map_err(at(sql))?;
        row.map(|r| Ok(r.try_get::<_, i64>(0)?)).transpose()
    }

    pub(super) fn query(
        &self,
        sql: &str,
        cached: bool,
        values: &[&dyn StoreSql],
    ) -> Result<Vec<postgres::Row>> {
        let st = self.statement(sql, false, cached, values)?;
        with_values(values, |p| self.client.borrow_mut().query(&st, p)).map_err(at(sql))
    }

    /// Copies `rows` into `table`'s `columns` by one binary COPY, each value written as
    /// its column's declared type (a flag stored as 0/1 as a BOOLEAN…); the rows copied.
    pub(super) fn copy_in(
        &self,
        table: &str,
        columns: &[String],
        rows: &mut dyn Iterator<Item = crate::error::Result<Vec<crate::sql_value::Value>>>,
    ) -> crate::error::Result<u64> {
        let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let list = quoted.join(", ");
        let mut client = self.client.borrow_mut();
        let types: Vec<Type> = client
            .prepare(&format!("SELECT {list} FROM \"{table}\" LIMIT 0"))?
            .columns()
            .iter()
            .map(|c| c.type_().clone())
            .collect();
        let sink = client.copy_in(&format!(
            "COPY \"{table}\" ({list}) FROM STDIN (FORMAT binary)"
        ))?;
        let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
        for row in rows {
            let row = row?;
            let bound: Vec<Param> = row.iter().map(|v| Param(v.to_sql())).collect();
            let refs: Vec<&(dyn PgToSql + Sync)> =
                bound.iter().map(|p| p as &(dyn PgToSql + Sync)).collect();
            writer.write(&refs).map_err(at(table))?;
        }
        Ok(writer.finish().map_err(at(table))?)
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.client.borrow_mut().batch_execute(sql).map_err(at(sql))
    }
}

/// A new session of `url`'s database: over TLS when the URL names the CA that signed
/// the database's certificate (`sslrootcert=/etc/hotline/db-ca.pem`), the certificate and
/// the host name then always verified (libpq's `verify-full`), and `sslmode=require`
/// implied; in plain text otherwise.
pub(super) fn open(url: &str) -> Result<postgres::Client> {
    let (url, ca) = split_root_cert(url);
    let mut client =
        match ca {
            Some(ca) => {
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(&ca)?);
                postgres::Client::connect(&url, tls)?
            }
            None if url.contains("sslmode=require") => return Err(config_error(
                "sslmode=require needs sslrootcert=CA.pem: the database's certificate is verified",
            )),
            None => postgres::Client::connect(&url, postgres::NoTls)?,
        };
    // The store's statements run in milliseconds to a second; PostgreSQL's JIT, which the
    // planner turns on past a cost any report over a month of a million tickets passes,
    // spent 1–2.5 s compiling each of them (EXPLAIN ANALYZE). A SET rather than a startup
    // option, which PgBouncer refuses.
    client.batch_execute("SET jit = off")?;
    Ok(client)
}

/// The URL without its `sslrootcert` parameter (the client does not know it) and with
/// `sslmode=require` when there was one, and that parameter's path.
fn split_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut ca = None;
    let mut kept: Vec<&str> = vec![];
    for p in query.split('&') {
        match p.strip_prefix("sslrootcert=") {
            Some(path) => ca = Some(path.to_string()),
            None => kept.push(p),
        }
    }
    if ca.is_some() {
        kept.retain(|p| !p.starts_with("sslmode="));
        kept.push("sslmode=require");
    }
    (format!("{base}?{}", kept.join("&")), ca)
}

fn config_error(message: &str) -> Error {
    Error::Backend {
        busy: false,
        message: message.to_string(),
        source: message.into(),
    }
}

/// TLS trusting only the certificates in the PEM file `ca`.
fn tls_config(ca: &str) -> Result<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject;
    let bad = |e: &dyn std::fmt::Display| config_error(&format!("sslrootcert {ca}: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(ca).map_err(|e| bad(&e))? {
        roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"no certificate in it"));
    }
    // The provider named, not the process default: the server builds rustls with more
    // than one, and then no default is chosen.
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

fn with_values<R>(values: &[&dyn StoreSql], f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> R) -> R {
    let bound: Vec<Param> = values.iter().map(|v| Param(v.to_sql())).collect();
    let refs: Vec<&(dyn PgToSql + Sync)> =
        bound.iter().map(|p| p as &(dyn PgToSql + Sync)).collect();
    f(&refs)
}

/// The type a parameter is declared with, from the value bound to it.
fn declared(v: ValueRef<'_>) -> Type {
    match v {
        ValueRef::Null => Type::UNKNOWN,
        ValueRef::Integer(_) => Type::INT8,
        ValueRef::Bool(_) => Type::BOOL,
        ValueRef::Real(_) => Type::FLOAT8,
        ValueRef::Text(_) => Type::TEXT,
        ValueRef::Blob(_) => Type::BYTEA,
    }
}

/// A parameter written as the type PostgreSQL expects at its place.
#[derive(Debug)]
struct Param<'a>(ValueRef<'a>);

fn is_text(ty: &Type) -> bool {
    [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(ty)
}

impl PgToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        let wrong = || -> BoxError { format!("a {:?} value for a {ty} parameter", self.0).into() };
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Bool(b) => match *ty {
                Type::BOOL => PgToSql::to_sql(&b, ty, out),
                _ => Param(ValueRef::Integer(i64::from(b))).to_sql(ty, out),
            },
            ValueRef::Integer(i) => match *ty {
                Type::INT8 => PgToSql::to_sql(&i, ty, out),
                Type::INT4 => PgToSql::to_sql(&i32::try_from(i)?, ty, out),
                Type::INT2 => PgToSql::to_sql(&i16::try_from(i)?, ty, out),
                Type::BOOL => PgToSql::to_sql(&(i != 0), ty, out),
                Type::FLOAT8 => PgToSql::to_sql(&(i as f64), ty, out),
                Type::FLOAT4 => PgToSql::to_sql(&(i as f32), ty, out),
                ref t if is_text(t) => PgToSql::to_sql(&i.to_string(), &Type::TEXT, out),
                _ => Err(wrong()),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT8 => PgToSql::to_sql(&f, ty, out),
                Type::FLOAT4 => PgToSql::to_sql(&(f as f32), ty, out),
                _ => Err(wrong()),
            },
            ValueRef::Text(s) => match *ty {
                ref t if is_text(t) => PgToSql::to_sql(&s, &Type::TEXT, out),
                Type::JSON => PgToSql::to_sql(&s, &Type::TEXT, out),
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(wrong()),
            },
            ValueRef::Blob(b) => match *ty {
                Type::BYTEA => PgToSql::to_sql(&b, ty, out),
                _ => Err(wrong()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A column read as the store's values, whatever its declared type.
pub(super) struct Raw<'a>(pub ValueRef<'a>);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(Raw(match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => ValueRef::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => ValueRef::Integer(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => ValueRef::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(raw),
            Type::JSONB => ValueRef::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?),
            ref t if is_text(t) || *t == Type::JSON => ValueRef::Text(std::str::from_utf8(raw)?),
            _ => return Err(format!("a column of type {ty}").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Raw(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A NUMERIC (what `sum` and `avg` of integers give): an integer when it has no fraction
/// and fits, else a real. Binary form: digit count, weight, sign, scale, base-10000 digits.
fn numeric(raw: &[u8]) -> std::result::Result<ValueRef<'static>, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        let b = raw
            .get(2 * i..2 * i + 2)
            .ok_or("a numeric value cut short")?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    };
    let (count, weight, sign, scale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(ValueRef::Real(f64::NAN));
    }
    let digits: Vec<i16> = (0..count.max(0) as usize)
        .map(|i| word(4 + i))
        .collect::<std::result::Result<_, _>>()?;
    let negative = sign == 0x4000;
    if scale == 0 {
        let mut v: i128 = 0;
        for (i, d) in digits.iter().enumerate() {
            let power = i32::from(weight) - i as i32;
            if power < 0 {
                break;
            }
            v += i128::from(*d) * 10_000i128.pow(power as u32);
        }
        let v = if negative { -v } else { v };
        if let Ok(i) = i64::try_from(v) {
            return Ok(ValueRef::Integer(i));
        }
    }
    let mut v = 0f64;
    for (i, d) in digits.iter().enumerate() {
        v += f64::from(*d) * 10_000f64.powi(i32::from(weight) - i as i32);
    }
    Ok(ValueRef::Real(if negative { -v } else { v }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_certificate_in_the_url_means_tls_required() {
        assert_eq!(
            split_root_cert(
                "postgres://h/c?sslrootcert=/etc/ca.pem&sslmode=prefer&application_name=x"
            ),
            (
                "postgres://h/c?application_name=x&sslmode=require".to_string(),
                Some("/etc/ca.pem".to_string())
            )
        );
        assert_eq!(
            split_root_cert("postgres://h/c?target_session_attrs=read-write"),
            (
                "postgres://h/c?target_session_attrs=read-write".to_string(),
                None
            )
        );
        let refused = open("postgres://127.0.0.1:1/c?sslmode=require").err();
        assert!(refused.is_some_and(|e| e.to_string().contains("sslrootcert")));
    }

    #[test]
    fn parameters_are_numbered_outside_quotes() {
        assert_eq!(
            dialect("SELECT ?1, ?2 WHERE a = ?1"),
            "SELECT $1, $2 WHERE a = $1"
        );
        assert_eq!(dialect("VALUES (?, ?)"), "VALUES ($1, $2)");
        assert_eq!(
            dialect("SELECT '?1', \"a?\" , ?3"),
            "SELECT '?1', \"a?\" , $3"
        );
        assert_eq!(dialect("SELECT 'it''s ?' || ?1"), "SELECT 'it''s ?' || $1");
    }

    #[test]
    fn sqlites_planner_hints_are_dropped_and_sums_kept() {
        assert_eq!(
            dialect("SELECT 1 FROM t WHERE +t.status = ?1 AND +due_at < ?2 OR (+x)"),
            "SELECT 1 FROM t WHERE t.status = $1 AND due_at < $2 OR (x)"
        );
        assert_eq!(
            dialect("SELECT a +b, ?1 + 6, (n) +m, count(*) + 1"),
            "SELECT a +b, $1 + 6, (n) +m, count(*) + 1"
        );
    }

    #[test]
    fn numerics_read_as_integers_or_reals() {
        // 123456789 = [1, 2345, 6789] base 10000, weight 2.
        let bytes = |w: &[i16]| w.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>();
        assert_eq!(
            numeric(&bytes(&[3, 2, 0, 0, 1, 2345, 6789])).unwrap(),
            ValueRef::Integer(123_456_789)
        );
        assert_eq!(
            numeric(&bytes(&[1, 0, 0x4000, 0, 42])).unwrap(),
            ValueRef::Integer(-42)
        );
        assert_eq!(
            numeric(&bytes(&[0, 0, 0, 0])).unwrap(),
            ValueRef::Integer(0)
        );
        // 2.5 = [2, 5000], weight 0, scale 1.
        assert_eq!(
            numeric(&bytes(&[2, 0, 0, 1, 2, 5000])).unwrap(),
            ValueRef::Real(2.5)
        );
    }
}
