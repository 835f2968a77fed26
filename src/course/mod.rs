//! Learning tracks: the model every other module reads, and the loader that builds it from
//! `course/` once at start-up. After loading, the rest of Quorum works on valid types only.

pub mod lint;
mod loader;
mod lookup;
mod model;
mod validate;

pub use loader::{load_catalog, load_track, CourseError, CourseErrors};
pub use lookup::TopicMiss;
pub use model::{Catalog, Insight, Level, Question, Reading, Section, Topic, Track};
pub use validate::limits;
