//! The values a statement binds, built once by a store method and bound by either backend.

use std::borrow::Cow;

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments as _, FromRow};

use super::StoreError;

/// A value bound to a statement, typed so that PostgreSQL sees a NULL of the right type.
#[derive(Debug, Clone)]
pub(super) enum Value<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<Cow<'a, str>>),
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

/// Flags are stored as 0 and 1 on both backends.
impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Value::Int(Some(i64::from(value)))
    }
}

impl From<f64> for Value<'_> {
    fn from(value: f64) -> Self {
        Value::Real(Some(value))
    }
}

impl From<Option<f64>> for Value<'_> {
    fn from(value: Option<f64>) -> Self {
        Value::Real(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Value::Text(value.map(Cow::Borrowed))
    }
}

impl From<String> for Value<'_> {
    fn from(value: String) -> Self {
        Value::Text(Some(Cow::Owned(value)))
    }
}

impl From<Option<String>> for Value<'_> {
    fn from(value: Option<String>) -> Self {
        Value::Text(value.map(Cow::Owned))
    }
}

/// The values of a statement, in parameter order: `args![user_key(user), track]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::store::values::Value::from($value)),*]
    };
}
pub(super) use args;

/// A row type both backends can decode (tuples of `i64`, `f64`, `String`, `Option`s of them,
/// or a `#[derive(sqlx::FromRow)]` struct).
pub trait Decode:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Decode for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

fn encode_error(error: sqlx::error::BoxDynError) -> StoreError {
    StoreError::Sql(sqlx::Error::Encode(error))
}

pub(super) fn sqlite_args(values: Vec<Value<'_>>) -> Result<SqliteArguments<'_>, StoreError> {
    let mut args = SqliteArguments::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v),
            Value::Real(v) => args.add(v),
            Value::Text(v) => args.add(v),
        }
        .map_err(encode_error)?;
    }
    Ok(args)
}

pub(super) fn pg_args(values: Vec<Value<'_>>) -> Result<PgArguments, StoreError> {
    let mut args = PgArguments::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v),
            Value::Real(v) => args.add(v),
            Value::Text(v) => args.add(v),
        }
        .map_err(encode_error)?;
    }
    Ok(args)
}
