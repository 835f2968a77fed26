//! The README's command table is made from the command table that Discord's registration and
//! both `/help`s use: this test fails when they drift apart, and prints the table to paste.

use quorum::render::commands::markdown_table;

#[test]
fn the_readmes_command_table_is_the_command_table() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("| command | what it does |")
        .expect("the README has a command table");
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |n| start + n + 1);
    let expected = markdown_table();
    assert!(
        readme[start..end] == expected,
        "README.md's command table differs from src/render/commands.rs; paste this:\n\n{expected}"
    );
}
