//! Values as they cross into and out of the database, whichever database holds the
//! store: the store's seam (`store::sql`) binds and reads these, and the domain's types
//! say how they are written (a code enum as its code) without knowing the database.

use std::fmt;

/// A value owned: parameters built at run time (filters, imports).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Bool(bool),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

macro_rules! value_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                Value::$v(x.into())
            }
        }
    )*};
}
value_from!(i64 => Integer, i32 => Integer, u32 => Integer, f64 => Real, String => Text, &str => Text, Vec<u8> => Blob);

impl From<bool> for Value {
    fn from(x: bool) -> Value {
        Value::Bool(x)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Value {
        x.map_or(Value::Null, Into::into)
    }
}

/// A value borrowed from a parameter or a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    /// A flag as a parameter (SQLite stores 1 or 0; PostgreSQL has BOOLEAN columns).
    Bool(bool),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "integer",
            ValueRef::Bool(_) => "boolean",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }

    pub fn as_str(&self) -> Result<&str, FromSqlError> {
        match self {
            ValueRef::Text(s) => Ok(s),
            v => Err(FromSqlError::InvalidType(v.kind())),
        }
    }

    pub fn as_i64(&self) -> Result<i64, FromSqlError> {
        match self {
            ValueRef::Integer(i) => Ok(*i),
            ValueRef::Bool(b) => Ok(i64::from(*b)),
            v => Err(FromSqlError::InvalidType(v.kind())),
        }
    }

    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_owned()),
        }
    }
}

/// Why a column could not be read as the type asked for.
#[derive(Debug)]
pub enum FromSqlError {
    /// The column holds another kind of value (named).
    InvalidType(&'static str),
    OutOfRange(i64),
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Display for FromSqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FromSqlError::InvalidType(k) => write!(f, "unexpected {k} value"),
            FromSqlError::OutOfRange(i) => write!(f, "value {i} out of range"),
            FromSqlError::Other(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FromSqlError {}

/// A database error, whichever database: the store's functions return it and the
/// crate's error wraps it (`busy` becomes the retryable `busy` code on the wire).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("query returned no rows")]
    NoRows,
    #[error("column {column}: {source}")]
    Column {
        column: String,
        source: FromSqlError,
    },
    #[error("{message}")]
    Backend {
        /// Another writer holds the database: the same request may succeed again.
        busy: bool,
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A parameter: how a value is written.
pub trait ToSql {
    fn to_sql(&self) -> ValueRef<'_>;
}

/// How a column is read.
pub trait FromSql: Sized {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError>;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> ValueRef<'_> {
        (**self).to_sql()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> ValueRef<'_> {
        self.as_ref().map_or(ValueRef::Null, ToSql::to_sql)
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> ValueRef<'_> {
        (**self).to_sql()
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ToSql for str {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToSql for String {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToSql for bool {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Bool(*self)
    }
}

impl ToSql for f64 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> ValueRef<'_> {
                // Counts and ids of this application stay far below i64::MAX.
                ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
        impl FromSql for $t {
            fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
                let i = v.as_i64()?;
                <$t>::try_from(i).map_err(|_| FromSqlError::OutOfRange(i))
            }
        }
    )*};
}
integers!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::from_sql(v).map(Some),
        }
    }
}

impl FromSql for String {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        v.as_str().map(str::to_owned)
    }
}

impl FromSql for Vec<u8> {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            v => Err(FromSqlError::InvalidType(v.kind())),
        }
    }
}

impl FromSql for bool {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        v.as_i64().map(|i| i != 0)
    }
}

impl FromSql for f64 {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match v {
            ValueRef::Real(f) => Ok(f),
            // An aggregate of integers (a sum, a ratio's parts) comes back as an integer.
            ValueRef::Integer(i) => Ok(i as f64),
            v => Err(FromSqlError::InvalidType(v.kind())),
        }
    }
}

impl FromSql for Value {
    fn from_sql(v: ValueRef<'_>) -> Result<Self, FromSqlError> {
        Ok(v.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_refuse_the_wrong_kind() {
        assert_eq!(i64::from_sql(7i64.to_sql()).unwrap(), 7);
        assert_eq!(
            u8::from_sql(ValueRef::Integer(300))
                .unwrap_err()
                .to_string(),
            "value 300 out of range"
        );
        assert_eq!(String::from_sql("路灯".to_sql()).unwrap(), "路灯");
        assert!(String::from_sql(ValueRef::Integer(1)).is_err());
        assert_eq!(Option::<i64>::from_sql(None::<i64>.to_sql()).unwrap(), None);
        assert!(bool::from_sql(true.to_sql()).unwrap());
        assert_eq!(f64::from_sql(ValueRef::Integer(3)).unwrap(), 3.0);
        assert_eq!(
            Value::from_sql(ValueRef::Blob(b"x")).unwrap(),
            Value::Blob(b"x".to_vec())
        );
    }
}
