//! The store's seam to its database: a connection, its statements and rows, as every part
//! of the store uses them. The store's SQL and its row mappers are written once against
//! this; each database behind it binds the values of `sql_value` its own way. Only the
//! modules that are one database's own business (opening the file, its migrations, its
//! backups, its bulk loading) reach past it.

pub use crate::sql_value::{DbError as Error, FromSql, FromSqlError, ToSql, Value, ValueRef};

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            rusqlite::Error::FromSqlConversionFailure(i, _, source) => Error::Column {
                column: i.to_string(),
                source: FromSqlError::Other(source),
            },
            e => Error::Backend {
                busy: matches!(
                    &e,
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::DatabaseBusy
                            || f.code == rusqlite::ErrorCode::DatabaseLocked
                ),
                message: e.to_string(),
                source: Box::new(e),
            },
        }
    }
}

impl From<rusqlite::Error> for crate::error::Error {
    fn from(e: rusqlite::Error) -> Self {
        crate::error::Error::Db(e.into())
    }
}

/// `query_row`'s "no row" as `None`.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A value bound into SQLite as it is.
struct Lite<'a>(&'a dyn ToSql);

impl rusqlite::ToSql for Lite<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ValueRef as V;
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            match self.0.to_sql() {
                ValueRef::Null => V::Null,
                ValueRef::Integer(i) => V::Integer(i),
                ValueRef::Bool(b) => V::Integer(i64::from(b)),
                ValueRef::Real(f) => V::Real(f),
                ValueRef::Text(s) => V::Text(s.as_bytes()),
                ValueRef::Blob(b) => V::Blob(b),
            },
        ))
    }
}

fn lite_params<'a>(values: &'a [&'a dyn ToSql]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(values.iter().map(|v| Lite(*v)))
}

/// The parameters of a statement: `()`, a tuple, an array, `params![…]`, `params_from_iter`.
pub trait Params {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R;
}

impl Params for () {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        f(&[])
    }
}

impl Params for &[&dyn ToSql] {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        f(self)
    }
}

/// `[]`: no parameters (a type of its own, so that `[]` needs no annotation).
impl Params for [&dyn ToSql; 0] {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        f(&[])
    }
}

macro_rules! array_params {
    ($($n:literal)+) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
                let refs: [&dyn ToSql; $n] = std::array::from_fn(|i| &self[i] as &dyn ToSql);
                f(&refs)
            }
        }
    )+};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

impl<T: ToSql, const N: usize> Params for &[T; N] {
    fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        let refs: [&dyn ToSql; N] = std::array::from_fn(|i| &self[i] as &dyn ToSql);
        f(&refs)
    }
}

macro_rules! tuple_params {
    ($($n:tt $t:ident),+) => {
        impl<$($t: ToSql),+> Params for ($($t,)+) {
            fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
                f(&[$(&self.$n as &dyn ToSql),+])
            }
        }
    };
}
tuple_params!(0 A);
tuple_params!(0 A, 1 B);
tuple_params!(0 A, 1 B, 2 C);
tuple_params!(0 A, 1 B, 2 C, 3 D);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N, 14 O);
tuple_params!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N, 14 O, 15 P);

/// Parameters from a list built at run time.
pub struct ParamsFromIter<I>(I);

pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    ParamsFromIter(iter)
}

impl<I> Params for ParamsFromIter<I>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    fn with<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        let items: Vec<I::Item> = self.0.into_iter().collect();
        let refs: Vec<&dyn ToSql> = items.iter().map(|v| v as &dyn ToSql).collect();
        f(&refs)
    }
}

/// `params![a, b, …]`: parameters of mixed types.
macro_rules! params {
    () => { &[] as &[&dyn $crate::sql_value::ToSql] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::sql_value::ToSql),+] as &[&dyn $crate::sql_value::ToSql] };
}
pub(crate) use params;

/// A column by its position or its name.
pub trait RowIndex: Copy + std::fmt::Display {
    fn lite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>>;
    #[cfg(feature = "postgres")]
    fn pg(self, row: &postgres::Row) -> Result<ValueRef<'_>, postgres::Error>;
}

impl RowIndex for usize {
    fn lite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>> {
        row.get_ref(self)
    }
    #[cfg(feature = "postgres")]
    fn pg(self, row: &postgres::Row) -> Result<ValueRef<'_>, postgres::Error> {
        row.try_get::<_, super::pg::Raw>(self).map(|r| r.0)
    }
}

impl RowIndex for &str {
    fn lite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>> {
        row.get_ref(self)
    }
    #[cfg(feature = "postgres")]
    fn pg(self, row: &postgres::Row) -> Result<ValueRef<'_>, postgres::Error> {
        row.try_get::<_, super::pg::Raw>(self).map(|r| r.0)
    }
}

/// One row of a result.
pub struct Row<'r> {
    inner: RowRef<'r>,
}

enum RowRef<'r> {
    Lite(&'r rusqlite::Row<'r>),
    #[cfg(feature = "postgres")]
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let column = |source| Error::Column {
            column: idx.to_string(),
            source,
        };
        let v = match self.inner {
            RowRef::Lite(row) => {
                use rusqlite::types::ValueRef as V;
                match idx.lite(row)? {
                    V::Null => ValueRef::Null,
                    V::Integer(i) => ValueRef::Integer(i),
                    V::Real(f) => ValueRef::Real(f),
                    V::Text(t) => ValueRef::Text(
                        std::str::from_utf8(t)
                            .map_err(|e| column(FromSqlError::Other(Box::new(e))))?,
                    ),
                    V::Blob(b) => ValueRef::Blob(b),
                }
            }
            #[cfg(feature = "postgres")]
            RowRef::Pg(row) => idx
                .pg(row)
                .map_err(|e| column(FromSqlError::Other(Box::new(e))))?,
        };
        T::from_sql(v).map_err(column)
    }
}

#[derive(Clone, Copy)]
enum Conn<'c> {
    Lite(&'c rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Pg(&'c super::pg::PgConn),
}

/// A connection, or a transaction on one: the store's parts take `&Connection` and do not
/// care which, nor which database it is.
pub struct Connection<'c> {
    inner: Conn<'c>,
    /// The centre's settings as this connection first read them (`db::get_setting`): one
    /// statement for all, not one round trip per key in each write. Only `set_setting`
    /// writes them, in a transaction of its own, and forgets them after.
    pub(super) settings: std::cell::RefCell<Option<std::collections::HashMap<String, String>>>,
}

impl<'c> Connection<'c> {
    fn new(inner: Conn<'c>) -> Self {
        Connection {
            inner,
            settings: Default::default(),
        }
    }

    pub fn lite(c: &'c rusqlite::Connection) -> Self {
        Connection::new(Conn::Lite(c))
    }

    #[cfg(feature = "postgres")]
    pub(super) fn pg(c: &'c super::pg::PgConn) -> Self {
        Connection::new(Conn::Pg(c))
    }

    /// The SQLite connection itself, for the parts that are SQLite's own business (none
    /// on another database).
    pub fn as_sqlite(&self) -> Option<&'c rusqlite::Connection> {
        match self.inner {
            Conn::Lite(c) => Some(c),
            #[cfg(feature = "postgres")]
            Conn::Pg(_) => None,
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        match self.inner {
            Conn::Lite(c) => Ok(params.with(|v| c.execute(sql, lite_params(v)))?),
            #[cfg(feature = "postgres")]
            Conn::Pg(c) => params.with(|v| c.execute(sql, true, v)),
        }
    }

    /// Inserts a row and gives its id.
    pub fn insert<P: Params>(&self, sql: &str, params: P) -> Result<i64> {
        self.fixed(sql)?.insert(params)
    }

    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self.inner {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            #[cfg(feature = "postgres")]
            Conn::Pg(c) => c.batch(sql),
        }
    }

    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.fixed(sql)?.query_row(params, f)
    }

    /// The statement of `execute`, `insert` and `query_row`: the store's fixed SQL. On
    /// PostgreSQL it is kept prepared (a one-off statement costs a round trip to prepare
    /// before the one that runs it: the users, departments and categories a detail names);
    /// SQLite prepares in microseconds and keeps its small cache for `prepare_cached`.
    fn fixed(&self, sql: &str) -> Result<Statement<'c>> {
        match self.inner {
            Conn::Lite(_) => self.prepare(sql),
            #[cfg(feature = "postgres")]
            Conn::Pg(_) => self.prepare_cached(sql),
        }
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement<'c>> {
        self.statement(sql, false)
    }

    /// A statement kept prepared for the next time the same SQL runs.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'c>> {
        self.statement(sql, true)
    }

    fn statement(&self, sql: &str, cached: bool) -> Result<Statement<'c>> {
        Ok(Statement {
            inner: match self.inner {
                Conn::Lite(c) => Stmt::Lite {
                    st: if cached {
                        LiteStmt::Cached(c.prepare_cached(sql)?)
                    } else {
                        LiteStmt::Plain(c.prepare(sql)?)
                    },
                    conn: c,
                },
                #[cfg(feature = "postgres")]
                Conn::Pg(c) => Stmt::Pg {
                    conn: c,
                    sql: sql.to_string(),
                    cached,
                },
            },
        })
    }

    /// A transaction inside whatever this connection is doing, or one of its own (a read
    /// made consistent, a one-off repair at start-up, a step allowed to fail): a savepoint
    /// on every database, released by `commit`, rolled back when dropped.
    pub fn transaction(&self) -> Result<Transaction<'c>> {
        let name = format!(
            "hd_{}",
            SAVEPOINTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        self.execute_batch(&format!("SAVEPOINT {name}"))?;
        Ok(Transaction {
            conn: self.inner,
            name,
            done: false,
        })
    }
}

/// Savepoints are named apart, so nested ones never meet.
static SAVEPOINTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A transaction begun by `Connection::transaction`.
pub struct Transaction<'c> {
    conn: Conn<'c>,
    name: String,
    done: bool,
}

impl Transaction<'_> {
    pub fn conn(&self) -> Connection<'_> {
        Connection::new(self.conn)
    }

    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn().execute_batch(&format!("RELEASE {}", self.name))
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Undone as far as it went; nothing to report to anyone if the database is gone.
            let _ = self
                .conn()
                .execute_batch(&format!("ROLLBACK TO {n}; RELEASE {n}", n = self.name));
        }
    }
}

enum LiteStmt<'c> {
    Plain(rusqlite::Statement<'c>),
    Cached(rusqlite::CachedStatement<'c>),
}

impl<'c> std::ops::Deref for LiteStmt<'c> {
    type Target = rusqlite::Statement<'c>;
    fn deref(&self) -> &Self::Target {
        match self {
            LiteStmt::Plain(s) => s,
            LiteStmt::Cached(s) => s,
        }
    }
}

impl std::ops::DerefMut for LiteStmt<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            LiteStmt::Plain(s) => s,
            LiteStmt::Cached(s) => s,
        }
    }
}

/// A prepared statement.
pub struct Statement<'c> {
    inner: Stmt<'c>,
}

enum Stmt<'c> {
    Lite {
        st: LiteStmt<'c>,
        conn: &'c rusqlite::Connection,
    },
    #[cfg(feature = "postgres")]
    Pg {
        conn: &'c super::pg::PgConn,
        sql: String,
        /// Kept prepared on the connection (`prepare_cached`), or closed after use.
        cached: bool,
    },
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        match &mut self.inner {
            Stmt::Lite { st, .. } => Ok(params.with(|v| st.execute(lite_params(v)))?),
            #[cfg(feature = "postgres")]
            Stmt::Pg { conn, sql, cached } => params.with(|v| conn.execute(sql, *cached, v)),
        }
    }

    /// Inserts a row and gives its id.
    pub fn insert<P: Params>(&mut self, params: P) -> Result<i64> {
        self.insert_new(params)?.ok_or(Error::NoRows)
    }

    /// Inserts a row unless a conflict leaves it out (`ON CONFLICT DO NOTHING`): its id,
    /// or none.
    pub fn insert_new<P: Params>(&mut self, params: P) -> Result<Option<i64>> {
        match &mut self.inner {
            Stmt::Lite { st, conn } => {
                let n = params.with(|v| st.execute(lite_params(v)))?;
                Ok((n > 0).then(|| conn.last_insert_rowid()))
            }
            #[cfg(feature = "postgres")]
            Stmt::Pg { conn, sql, cached } => params.with(|v| conn.insert(sql, *cached, v)),
        }
    }

    pub fn query_row<T, P: Params>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(Error::NoRows),
        }
    }

    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        Ok(Rows {
            inner: match &mut self.inner {
                Stmt::Lite { st, .. } => {
                    RowsInner::Lite(params.with(|v| st.query(lite_params(v)))?)
                }
                #[cfg(feature = "postgres")]
                Stmt::Pg { conn, sql, cached } => RowsInner::Pg {
                    rows: params.with(|v| conn.query(sql, *cached, v))?.into_iter(),
                    current: None,
                },
            },
        })
    }

    pub fn query_map<T, P: Params, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        params: P,
        f: F,
    ) -> Result<MappedRows<'_, F>> {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }
}

/// The rows of a query, read one by one.
pub struct Rows<'s> {
    inner: RowsInner<'s>,
}

enum RowsInner<'s> {
    Lite(rusqlite::Rows<'s>),
    /// PostgreSQL's client hands over a result whole.
    #[cfg(feature = "postgres")]
    Pg {
        rows: std::vec::IntoIter<postgres::Row>,
        current: Option<postgres::Row>,
    },
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.inner {
            RowsInner::Lite(rows) => Ok(rows.next()?.map(|r| Row {
                inner: RowRef::Lite(r),
            })),
            #[cfg(feature = "postgres")]
            RowsInner::Pg { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(|r| Row {
                    inner: RowRef::Pg(r),
                }))
            }
        }
    }
}

/// The rows of a query, each mapped as it is read.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F: FnMut(&Row<'_>) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match &mut self.rows.inner {
            RowsInner::Lite(rows) => match rows.next() {
                Ok(Some(r)) => Some((self.f)(&Row {
                    inner: RowRef::Lite(r),
                })),
                Ok(None) => None,
                Err(e) => Some(Err(e.into())),
            },
            #[cfg(feature = "postgres")]
            RowsInner::Pg { rows, .. } => rows.next().map(|r| {
                (self.f)(&Row {
                    inner: RowRef::Pg(&r),
                })
            }),
        }
    }
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;
