//! `/export`'s file: everything Quorum holds about a member, as JSON.

use crate::ids::UserId;
use crate::study::domain::{Cell, TableRows};

/// `{"user_id": "...", "exported_at": "...", "tables": {"name": [{column: value}]}}`; ids as
/// strings, since snowflakes do not fit a JavaScript number.
pub fn export_json(
    user: UserId,
    now: chrono::DateTime<chrono::Utc>,
    tables: &[TableRows],
) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut out = Map::new();
    for table in tables {
        let rows: Vec<Value> = table
            .rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = table
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, cell)| {
                        let value = match cell {
                            Cell::Null => Value::Null,
                            Cell::Integer(n) if column.ends_with("_id") => json!(n.to_string()),
                            Cell::Integer(n) => json!(n),
                            Cell::Real(x) => json!(x),
                            Cell::Text(s) => json!(s),
                        };
                        (column.clone(), value)
                    })
                    .collect();
                Value::Object(object)
            })
            .collect();
        out.insert(table.table.clone(), Value::Array(rows));
    }
    json!({
        "user_id": user.0.to_string(),
        "exported_at": now.to_rfc3339(),
        "tables": out,
    })
}
