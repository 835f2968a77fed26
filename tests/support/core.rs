//! The Discord-free core on the sample course, a fresh database (a real SQLite file, or PostgreSQL in the `on_postgres` twins) and a
//! manual clock: what the core-level test files start from.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use quorum::clock::ManualClock;
use quorum::course::load_catalog;
use quorum::store::Store;
use quorum::study::Study;

pub struct SampleStudy {
    pub study: Study,
    pub store: Store,
    pub clock: ManualClock,
    /// Holds the database until the test ends.
    pub database: super::db::TestDatabase,
}

/// The core on the sample track, on Monday 2026-11-02 at 09:00 UTC.
pub async fn sample_study() -> SampleStudy {
    let database = super::db::fresh_database().await;
    let store = Store::open(&database.url)
        .await
        .expect("the database opens");
    let course = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample");
    let catalog = Arc::new(load_catalog(&course).expect("the sample is valid"));
    let clock = ManualClock::starting_at(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
    SampleStudy {
        study: Study::new(catalog, store.clone(), Arc::new(clock.clone())),
        store,
        clock,
        database,
    }
}
