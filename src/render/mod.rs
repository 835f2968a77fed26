//! Turning reply values into what people see: cards (an embed-shaped, Discord-free model that
//! the console prints as text and the Discord adapter sends as an embed), progress bars and
//! the skill-map picture.

mod bar;
mod card;
pub mod map_picture;
mod quiz;
mod replies;
pub mod time;

pub use bar::progress_bar;
pub use card::{Card, Field};
pub use quiz::*;
pub use replies::*;
