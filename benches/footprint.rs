//! The memory of `quorum run` at rest: the release binary started against the fake Discord on
//! 127.0.0.1 (as in the tests), on the shipped course and a fresh SQLite file. Once it has
//! connected and registered its commands and then sat idle for two seconds, its resident set
//! (VmRSS) is read from /proc, and again after it has drawn one skill-map picture, which loads
//! the fonts. Then it is stopped with SIGTERM. Target: at most 16 MB idle. With
//! `FOOTPRINT_SMAPS=1` it also prints where the idle memory is (anonymous, and per mapped file).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::fake_discord::{user_id, Caller, FakeDiscord};

/// The idle target of issue 9, in KiB.
const TARGET_KIB: u64 = 16 * 1024;

fn resident_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .expect("the bot's /proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter that names another benchmark skips this one.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with("--") && a != "footprint")
    {
        return;
    }
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut bot = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("run")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", FakeDiscord::TOKEN)
        .env("DISCORD_PROXY", fake.base_url())
        .env(
            "QUORUM_COURSE_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/course"),
        )
        .env("DATABASE_URL", "sqlite://quorum.db")
        .stdout(Stdio::null())
        .spawn()
        .expect("the bot starts");
    let started = Instant::now();
    fake.wait_for_request("PUT", "/api/v10/applications/").await;
    let connected = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = resident_kib(&bot);
    if std::env::var_os("FOOTPRINT_SMAPS").is_some() {
        let _ = Command::new("sh").arg("-c").arg(format!("cat /proc/{}/smaps_rollup; awk '/^[0-9a-f]/{{name=$6}} /^Rss/{{rss[name]+=$2}} END{{for (n in rss) if (rss[n]>200) print rss[n], n}}' /proc/{}/smaps | sort -rn | head -20", bot.id(), bot.id())).status();
    }

    let ann = Caller::member(user_id(1), "ann");
    let (_, callback) = fake
        .interact(fake.slash_command("map", serde_json::json!([]), &ann))
        .await;
    assert_eq!(callback.body["type"], 4, "the map is answered");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_picture = resident_kib(&bot);

    let _ = Command::new("kill").arg(bot.id().to_string()).status();
    let stopping = Instant::now();
    let status = bot.wait().expect("the bot exits");
    println!("quorum run, connected and registered after {connected:.1?}");
    println!(
        "idle RSS: {:.1} MB (target at most {:.1} MB: {})",
        idle as f64 / 1024.0,
        TARGET_KIB as f64 / 1024.0,
        if idle <= TARGET_KIB { "met" } else { "missed" }
    );
    println!(
        "RSS after one /map picture: {:.1} MB",
        after_picture as f64 / 1024.0
    );
    println!("SIGTERM to exit: {:.1?} ({status})", stopping.elapsed());
}
