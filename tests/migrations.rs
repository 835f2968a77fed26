//! Migrations are append-only once they are on main: a database that applied one must never
//! meet a different text under the same number. `tests/migration_checksums.txt` holds the
//! SHA-384 (the checksum sqlx itself records) of every migration that landed; this test fails
//! when one of them changes or goes, and when a new migration is not listed yet.

use std::collections::BTreeMap;

const LANDED: &str = include_str!("migration_checksums.txt");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn landed_migrations_never_change() {
    let embedded: BTreeMap<i64, (String, String)> = sqlx::migrate!("./migrations")
        .iter()
        .map(|m| (m.version, (m.description.to_string(), hex(&m.checksum))))
        .collect();
    let mut listed = 0;
    for line in LANDED
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut fields = line.split_whitespace();
        let (Some(version), Some(checksum)) = (fields.next(), fields.next()) else {
            panic!("a line of migration_checksums.txt is not `VERSION CHECKSUM`: {line}");
        };
        let version: i64 = version.parse().expect("a migration number");
        let (description, actual) = embedded
            .get(&version)
            .unwrap_or_else(|| panic!("migration {version} landed on main and is gone"));
        assert_eq!(
            actual, checksum,
            "migration {version} ({description}) changed after it landed: add a new one instead"
        );
        listed += 1;
    }
    assert_eq!(
        listed,
        embedded.len(),
        "a new migration is not in tests/migration_checksums.txt yet: add `VERSION CHECKSUM`"
    );
}
