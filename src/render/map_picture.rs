//! The skill-map picture (being written).
