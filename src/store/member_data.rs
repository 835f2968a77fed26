//! A member's own data: all of it exported, or all of it forgotten.
//!
//! Both walk the schema rather than a fixed list: every table with a `user_id` column holds
//! rows about one member, so a table added by a later migration is covered without anyone
//! remembering to list it here.

use sqlx::{Column, Row, Sqlite, Transaction, TypeInfo, ValueRef};

use sqlx::Connection as _;

use super::{user_key, Store, StoreError};
use crate::ids::UserId;
use crate::study::domain::{Cell, TableRows};

impl Store {
    /// Every row about `user`, table by table (tables without any are left out).
    #[tracing::instrument(skip_all, fields(user = %user))]
    pub async fn member_data(&self, user: UserId) -> Result<Vec<TableRows>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::new();
        for table in member_tables(&mut tx).await? {
            let rows = sqlx::query(&format!(
                "SELECT * FROM \"{table}\" WHERE user_id = ? ORDER BY rowid"
            ))
            .bind(user_key(user))
            .fetch_all(&mut *tx)
            .await?;
            let Some(first) = rows.first() else {
                continue;
            };
            let columns = first
                .columns()
                .iter()
                .map(|c| c.name().to_owned())
                .collect();
            let rows = rows.iter().map(cells).collect::<Result<_, _>>()?;
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
        let mut writer = self.write().await?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut deleted = 0;
        // Children before `learners`, so the count is not hidden by cascades.
        let mut tables = member_tables(&mut tx).await?;
        tables.sort_by_key(|t| t == "learners");
        for table in tables {
            deleted += sqlx::query(&format!("DELETE FROM \"{table}\" WHERE user_id = ?"))
                .bind(user_key(user))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }
}

/// The tables with a `user_id` column, by name.
async fn member_tables(tx: &mut Transaction<'_, Sqlite>) -> Result<Vec<String>, StoreError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT m.name FROM sqlite_master m
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'
           AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'user_id')
         ORDER BY m.name",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(tables)
}

fn cells(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Cell>, StoreError> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Cell::Null);
            }
            let kind = raw.type_info().name().to_owned();
            Ok(match kind.as_str() {
                "INTEGER" => Cell::Integer(row.try_get(i)?),
                "REAL" => Cell::Real(row.try_get(i)?),
                _ => Cell::Text(row.try_get(i)?),
            })
        })
        .collect()
}
