//! The crate's one macro: closed sets of values stored and sent as snake_case strings,
//! with the list of all values kept by the compiler.

/// A closed set of values stored and sent as snake_case strings.
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::Error;
            fn from_str(s: &str) -> Result<Self, crate::error::Error> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(crate::error::Error::InvalidValue {
                        field: stringify!($name),
                        value: s.chars().take(40).collect(),
                    }),
                }
            }
        }

        impl crate::sql_value::ToSql for $name {
            fn to_sql(&self) -> crate::sql_value::ValueRef<'_> {
                crate::sql_value::ValueRef::Text(self.as_str())
            }
        }

        impl crate::sql_value::FromSql for $name {
            fn from_sql(v: crate::sql_value::ValueRef<'_>) -> Result<Self, crate::sql_value::FromSqlError> {
                v.as_str()?.parse().map_err(|e: crate::error::Error| crate::sql_value::FromSqlError::Other(Box::new(e)))
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
