//! The engine's architecture invariants, checked: it depends on no browser crate, and it reads no
//! clock and draws no randomness of its own (time, ids and seeds are passed in). Also the web
//! app's: its main bundle carries no script engine (scripts run in the script worker).

use std::fs;
use std::path::Path;

const BROWSER_CRATES: &[&str] = &["yew", "web-sys", "js-sys", "gloo", "wasm-bindgen"];
const CLOCKS_AND_DICE: &[&str] = &[
    "SystemTime",
    "Instant::now",
    "Utc::now",
    "Local::now",
    "new_v4",
    "thread_rng",
    "from_entropy",
    "getrandom",
    "OsRng",
];

#[test]
fn the_engine_depends_on_no_browser_crate() {
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("the engine's Cargo.toml");
    for line in manifest.lines() {
        let name = line.split('=').next().unwrap_or("").trim();
        assert!(
            !BROWSER_CRATES.contains(&name),
            "engine/Cargo.toml depends on {name}: the engine must not know the browser"
        );
    }
}

#[test]
fn the_engine_reads_no_clock_and_no_random_source() {
    let mut offenders = Vec::new();
    visit(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut |path, text| {
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for needle in CLOCKS_AND_DICE {
                    if code.contains(needle) {
                        offenders.push(format!(
                            "{}:{}: {}",
                            path.display(),
                            number + 1,
                            line.trim()
                        ));
                    }
                }
            }
        },
    );
    assert!(
        offenders.is_empty(),
        "clock or randomness in the engine:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_web_app_carries_no_script_engine() {
    // The root package's manifest: only its `[dependencies]` go into the main bundle (the
    // script worker may be a dev-dependency, for browser tests).
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
        .expect("the workspace's Cargo.toml");
    let mut section = "";
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let name = line.split('=').next().unwrap_or("").trim();
        assert!(
            !(section == "[dependencies]"
                && ["rhai", "eventide-script", "eventide-script-worker"].contains(&name)),
            "the web app depends on {name}: scripts run in the script worker, a module of its own"
        );
    }
}

fn visit(dir: &Path, check: &mut dyn FnMut(&Path, &str)) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("a source directory")
        .flatten()
        .collect();
    entries.sort_by_key(|entry| entry.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            visit(&path, check);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = fs::read_to_string(&path).expect("a readable source file");
            check(&path, &text);
        }
    }
}
