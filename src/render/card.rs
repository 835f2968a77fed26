//! A card: the shape of a Discord embed without Discord, so the core renders once and both
//! adapters show the same thing.

use std::fmt::Write;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    pub title: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    /// An RGB colour for the embed's side bar.
    pub color: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

impl Card {
    pub fn new(title: impl Into<String>, color: u32) -> Self {
        Self {
            title: title.into(),
            color,
            ..Self::default()
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn field(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
        inline: bool,
    ) -> Self {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
            inline,
        });
        self
    }

    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer = Some(text.into());
        self
    }

    /// Plain text for the console: title, body, then each field under its name.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "== {} ==", self.title);
        if !self.description.is_empty() {
            let _ = writeln!(out, "{}", self.description);
        }
        for field in &self.fields {
            let _ = writeln!(out, "\n-- {} --\n{}", field.name, field.value);
        }
        if let Some(footer) = &self.footer {
            let _ = writeln!(out, "\n({footer})");
        }
        out
    }
}
