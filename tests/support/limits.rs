//! Discord's limits on what a bot may send, checked on the JSON the bot really sent. Every
//! end-to-end test runs each reply through `assert_within_discord_limits`.

use serde_json::Value;

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

fn check(what: &str, value: &Value, max: usize, problems: &mut Vec<String>) {
    let length = chars(value);
    if length > max {
        problems.push(format!("{what} is {length} characters (max {max})"));
    }
}

/// Panics with every broken limit of an interaction callback, message or follow-up body.
pub fn assert_within_discord_limits(body: &Value) {
    let data = body.get("data").filter(|d| d.is_object()).unwrap_or(body);
    let mut problems = Vec::new();
    check("content", &data["content"], 2000, &mut problems);

    let embeds = data["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        problems.push(format!("{} embeds (max 10)", embeds.len()));
    }
    let mut total = 0;
    for embed in &embeds {
        check("embed title", &embed["title"], 256, &mut problems);
        check(
            "embed description",
            &embed["description"],
            4096,
            &mut problems,
        );
        check(
            "embed footer",
            &embed["footer"]["text"],
            2048,
            &mut problems,
        );
        total +=
            chars(&embed["title"]) + chars(&embed["description"]) + chars(&embed["footer"]["text"]);
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            problems.push(format!("{} fields (max 25)", fields.len()));
        }
        for field in &fields {
            check("field name", &field["name"], 256, &mut problems);
            check("field value", &field["value"], 1024, &mut problems);
            total += chars(&field["name"]) + chars(&field["value"]);
        }
    }
    if total > 6000 {
        problems.push(format!("embeds hold {total} characters (max 6000)"));
    }

    let rows = data["components"].as_array().cloned().unwrap_or_default();
    if rows.len() > 5 {
        problems.push(format!("{} action rows (max 5)", rows.len()));
    }
    for row in &rows {
        let items = row["components"].as_array().cloned().unwrap_or_default();
        if items.len() > 5 || items.is_empty() {
            problems.push(format!("a row with {} components (1 to 5)", items.len()));
        }
        for item in &items {
            check("custom_id", &item["custom_id"], 100, &mut problems);
            check("button label", &item["label"], 80, &mut problems);
            check("placeholder", &item["placeholder"], 150, &mut problems);
            let options = item["options"].as_array().cloned().unwrap_or_default();
            if options.len() > 25 {
                problems.push(format!("{} select options (max 25)", options.len()));
            }
            for option in &options {
                check("option label", &option["label"], 100, &mut problems);
                check("option value", &option["value"], 100, &mut problems);
                check(
                    "option description",
                    &option["description"],
                    100,
                    &mut problems,
                );
            }
        }
    }

    let choices = data["choices"].as_array().cloned().unwrap_or_default();
    if choices.len() > 25 {
        problems.push(format!("{} autocomplete choices (max 25)", choices.len()));
    }
    for choice in &choices {
        check("choice name", &choice["name"], 100, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "over Discord's limits: {problems:?}\n{body:#}"
    );
}
