//! Turning reply values into what people see: cards (an embed-shaped, Discord-free model that
//! the console prints as text and the Discord adapter sends as an embed), progress bars and
//! the skill-map picture.

pub mod activity_picture;
mod bar;
mod card;
pub mod commands;
mod community;
mod export;
pub mod map_picture;
mod plan;
mod quiz;
mod reminders;
mod replies;
pub mod time;

pub use bar::progress_bar;
pub use card::{Card, Field};
pub use community::*;
pub use export::export_json;
pub use plan::plan_card;
pub use quiz::*;
pub use reminders::*;
pub use replies::*;
