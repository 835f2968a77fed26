//! Quorum, a Discord study companion. The core (`course`, `store`, `study`, `render`) knows
//! nothing of Discord; `console` and `discord` are thin adapters over it.

pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod course;
pub mod discord;
pub mod ids;
pub mod render;
pub mod shards;
pub mod store;
pub mod study;
