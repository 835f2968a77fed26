//! A member's own data: all of it exported, or all of it forgotten.
//!
//! Both walk the schema rather than a fixed list: every table with a `user_id` column holds
//! rows about one member, so a table added by a later migration is covered without anyone
//! remembering to list it here.

use sqlx::{Column, Row, TypeInfo, ValueRef};

use super::backend::{args, Sql, Tx};
use super::{user_key, Store, StoreError};
use crate::ids::UserId;
use crate::study::domain::{Cell, TableRows};

/// The tables with a `user_id` column, by name, from each database's own catalogue.
const MEMBER_TABLES: Sql = Sql {
    sqlite: "SELECT m.name FROM sqlite_master m
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'
       AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'user_id')
     ORDER BY m.name",
    postgres: "SELECT c.table_name::TEXT FROM information_schema.columns c
     JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       AND c.column_name = 'user_id' AND c.table_name <> '_sqlx_migrations'
     ORDER BY 1",
};

impl Store {
    /// Every row about `user`, table by table (tables without any are left out).
    #[tracing::instrument(skip_all, fields(user = %user))]
    pub async fn member_data(&self, user: UserId) -> Result<Vec<TableRows>, StoreError> {
        let mut tx = self.begin_read().await?;
        let mut out = Vec::new();
        for table in member_tables(&mut tx).await? {
            // In the order the rows were written: SQLite's rowid, PostgreSQL's physical order.
            let (columns, rows) = match &mut tx {
                Tx::Sqlite(tx) => {
                    let select =
                        format!("SELECT * FROM \"{table}\" WHERE user_id = $1 ORDER BY rowid");
                    let rows = sqlx::query(&select)
                        .bind(user_key(user))
                        .fetch_all(&mut **tx)
                        .await?;
                    (
                        column_names(rows.first()),
                        rows.iter()
                            .map(|row| cells(row, SQLITE_TYPES))
                            .collect::<Result<Vec<_>, _>>()?,
                    )
                }
                Tx::Postgres(tx) => {
                    let select =
                        format!("SELECT * FROM \"{table}\" WHERE user_id = $1 ORDER BY ctid");
                    let rows = sqlx::query(&select)
                        .bind(user_key(user))
                        .fetch_all(&mut **tx)
                        .await?;
                    (
                        column_names(rows.first()),
                        rows.iter()
                            .map(|row| cells(row, POSTGRES_TYPES))
                            .collect::<Result<Vec<_>, _>>()?,
                    )
                }
            };
            if rows.is_empty() {
                continue;
            }
            out.push(TableRows {
                table,
                columns,
                rows,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Deletes every row about `user` in every table, in one transaction. Returns how many rows
    /// went.
    #[tracing::instrument(skip_all, fields(user = %user))]
    pub async fn forget_member(&self, user: UserId) -> Result<u64, StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        let mut deleted = 0;
        // Children before `learners`, so the count is not hidden by cascades.
        let mut tables = member_tables(&mut tx).await?;
        tables.sort_by_key(|t| t == "learners");
        for table in tables {
            let delete = format!("DELETE FROM \"{table}\" WHERE user_id = $1");
            // A table name from the catalogue: the statement is built at run time on purpose.
            let statement = Sql {
                sqlite: &delete,
                postgres: &delete,
            };
            deleted += tx.execute(&statement, args![user_key(user)]).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }
}

async fn member_tables(tx: &mut Tx<'_>) -> Result<Vec<String>, StoreError> {
    let tables: Vec<(String,)> = tx.fetch_all(&MEMBER_TABLES, Vec::new()).await?;
    Ok(tables.into_iter().map(|(name,)| name).collect())
}

fn column_names<R: Row>(row: Option<&R>) -> Vec<String> {
    row.map(|row| row.columns().iter().map(|c| c.name().to_owned()).collect())
        .unwrap_or_default()
}

/// SQLite's names for the integer and real columns a row may hold.
const SQLITE_TYPES: (&str, &str) = ("INTEGER", "REAL");
/// PostgreSQL's (every integer is a BIGINT, every real a DOUBLE PRECISION).
const POSTGRES_TYPES: (&str, &str) = ("INT8", "FLOAT8");

/// A row's cells, each read as the type its column names (`types`: the database's names for
/// an integer and a real); anything else as text.
fn cells<R>(row: &R, (integer, real): (&str, &str)) -> Result<Vec<Cell>, StoreError>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Cell::Null);
            }
            let kind = raw.type_info().name().to_owned();
            Ok(if kind == integer {
                Cell::Integer(row.try_get(i)?)
            } else if kind == real {
                Cell::Real(row.try_get(i)?)
            } else {
                Cell::Text(row.try_get(i)?)
            })
        })
        .collect()
}
