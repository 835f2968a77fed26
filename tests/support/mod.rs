//! Shared helpers for the integration tests.
//!
//! Every file in `tests/` is its own crate and pulls this module in with `mod support;`, so a
//! helper that one test file does not use would otherwise warn as dead code there.
#![allow(dead_code, unused_imports)]

pub mod bot;
pub mod core;
pub mod cut_proxy;
pub mod db;
pub mod fake_discord;
pub mod limits;
pub mod replies;

pub use fake_discord::{Caller, FakeDiscord, FakeResponse, InteractionHandle, Recorded};

/// Copies a folder tree (a course fixture made of several tracks, for example).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Turns on `tracing` output for a test when `RUST_LOG` is set (for example
/// `RUST_LOG=serenity=debug cargo test --test fake_discord_smoke -- --nocapture`).
///
/// Safe to call from every test: only the first call installs a subscriber.
pub fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}
