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
}

impl RowIndex for usize {
    fn lite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>> {
        row.get_ref(self)
    }
}

impl RowIndex for &str {
    fn lite<'r>(
        self,
        row: &'r rusqlite::Row<'_>,
    ) -> rusqlite::Result<rusqlite::types::ValueRef<'r>> {
        row.get_ref(self)
    }
}

/// One row of a result.
pub struct Row<'r> {
    lite: &'r rusqlite::Row<'r>,
}

impl Row<'_> {
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        use rusqlite::types::ValueRef as V;
        let v = match idx.lite(self.lite)? {
            V::Null => ValueRef::Null,
            V::Integer(i) => ValueRef::Integer(i),
            V::Real(f) => ValueRef::Real(f),
            V::Text(t) => ValueRef::Text(std::str::from_utf8(t).map_err(|e| Error::Column {
                column: idx.to_string(),
                source: FromSqlError::Other(Box::new(e)),
            })?),
            V::Blob(b) => ValueRef::Blob(b),
        };
        T::from_sql(v).map_err(|source| Error::Column {
            column: idx.to_string(),
            source,
        })
    }
}

/// A connection, or a transaction on one: the store's parts take `&Connection` and do not
/// care which.
pub struct Connection<'c> {
    lite: &'c rusqlite::Connection,
}

impl<'c> Connection<'c> {
    pub fn lite(c: &'c rusqlite::Connection) -> Self {
        Connection { lite: c }
    }

    /// The SQLite connection itself, for the parts that are SQLite's own business.
    pub fn as_sqlite(&self) -> &'c rusqlite::Connection {
        self.lite
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        Ok(params.with(|v| self.lite.execute(sql, lite_params(v)))?)
    }

    /// Inserts a row and gives its id.
    pub fn insert<P: Params>(&self, sql: &str, params: P) -> Result<i64> {
        params.with(|v| self.lite.execute(sql, lite_params(v)))?;
        Ok(self.lite.last_insert_rowid())
    }

    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        Ok(self.lite.execute_batch(sql)?)
    }

    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare(sql)?.query_row(params, f)
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement<'c>> {
        Ok(Statement {
            lite: Stmt::Plain(self.lite.prepare(sql)?),
            conn: self.lite,
        })
    }

    /// A statement kept prepared for the next time the same SQL runs.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'c>> {
        Ok(Statement {
            lite: Stmt::Cached(self.lite.prepare_cached(sql)?),
            conn: self.lite,
        })
    }

    /// A transaction inside whatever this connection is doing (a read made consistent, a
    /// one-off repair at start-up): committed by `commit`, rolled back when dropped.
    pub fn transaction(&self) -> Result<Transaction<'c>> {
        Ok(Transaction {
            lite: self.lite.unchecked_transaction()?,
        })
    }
}

/// A transaction begun by `Connection::transaction`.
pub struct Transaction<'c> {
    lite: rusqlite::Transaction<'c>,
}

impl Transaction<'_> {
    pub fn conn(&self) -> Connection<'_> {
        Connection::lite(&self.lite)
    }

    pub fn commit(self) -> Result<()> {
        Ok(self.lite.commit()?)
    }
}

enum Stmt<'c> {
    Plain(rusqlite::Statement<'c>),
    Cached(rusqlite::CachedStatement<'c>),
}

impl<'c> std::ops::Deref for Stmt<'c> {
    type Target = rusqlite::Statement<'c>;
    fn deref(&self) -> &Self::Target {
        match self {
            Stmt::Plain(s) => s,
            Stmt::Cached(s) => s,
        }
    }
}

impl std::ops::DerefMut for Stmt<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Stmt::Plain(s) => s,
            Stmt::Cached(s) => s,
        }
    }
}

/// A prepared statement.
pub struct Statement<'c> {
    lite: Stmt<'c>,
    conn: &'c rusqlite::Connection,
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        Ok(params.with(|v| self.lite.execute(lite_params(v)))?)
    }

    /// Inserts a row and gives its id.
    pub fn insert<P: Params>(&mut self, params: P) -> Result<i64> {
        params.with(|v| self.lite.execute(lite_params(v)))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Inserts a row unless a conflict leaves it out (`ON CONFLICT DO NOTHING`): its id,
    /// or none.
    pub fn insert_new<P: Params>(&mut self, params: P) -> Result<Option<i64>> {
        let n = params.with(|v| self.lite.execute(lite_params(v)))?;
        Ok((n > 0).then(|| self.conn.last_insert_rowid()))
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
        let rows = params.with(|v| self.lite.query(lite_params(v)))?;
        Ok(Rows { lite: rows })
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
    lite: rusqlite::Rows<'s>,
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        Ok(self.lite.next()?.map(|lite| Row { lite }))
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
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(&r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
