//! The engine's architecture invariants, checked on the resolved dependency graph: the kernel
//! (eventide-engine) reaches nothing of the shop; neither reaches a browser crate; and neither
//! reads a clock or draws randomness of its own (time, ids and seeds are passed in). Also the web
//! app's: its main bundle carries no script engine (scripts run in the script worker).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

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

/// The resolved dependency graph (`cargo metadata`), not manifest text: a crate is a leak
/// however many hops away it sits.
struct Graph {
    names: HashMap<String, String>,
    /// Per package id: (dependency id, whether the parent declares it optional).
    edges: HashMap<String, Vec<(String, bool)>>,
}

impl Graph {
    fn resolve() -> Graph {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--offline",
                "--manifest-path",
            ])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
            .output()
            .expect("cargo metadata runs");
        assert!(output.status.success(), "cargo metadata failed");
        let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
        let mut names = HashMap::new();
        let mut optional: HashMap<String, Vec<String>> = HashMap::new();
        for package in metadata["packages"].as_array().into_iter().flatten() {
            let id = package["id"].as_str().unwrap_or_default().to_owned();
            names.insert(
                id.clone(),
                package["name"].as_str().unwrap_or_default().to_owned(),
            );
            let declared = package["dependencies"].as_array().into_iter().flatten();
            optional.insert(
                id,
                declared
                    .filter(|dep| dep["optional"].as_bool() == Some(true))
                    .filter_map(|dep| dep["name"].as_str().map(str::to_owned))
                    .collect(),
            );
        }
        let mut edges = HashMap::new();
        for node in metadata["resolve"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = node["id"].as_str().unwrap_or_default().to_owned();
            let deps = node["deps"].as_array().into_iter().flatten();
            let runtime = deps.filter(|dep| {
                // Dev-dependencies never reach a user; normal and build ones do.
                dep["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|kind| kind["kind"].is_null() || kind["kind"].as_str() == Some("build"))
            });
            let list = runtime
                .filter_map(|dep| dep["pkg"].as_str().map(str::to_owned))
                .map(|pkg| {
                    let is_optional = optional
                        .get(&id)
                        .is_some_and(|names_| names_.contains(&names[&pkg]));
                    (pkg, is_optional)
                })
                .collect();
            edges.insert(id, list);
        }
        Graph { names, edges }
    }

    /// Every crate `root` reaches at run time. Cargo unifies features across the workspace, so
    /// a third-party crate's optional dependency (uuid's `js` feature, turned on by the web
    /// app) is not the root's doing: it is followed only when the root itself declares it.
    fn reached_from(&self, root: &str) -> HashSet<String> {
        let start = self
            .names
            .iter()
            .find(|(_, name)| name.as_str() == root)
            .map(|(id, _)| id.clone())
            .expect("the root is a workspace package");
        let mut seen = HashSet::new();
        let mut stack = vec![start.clone()];
        while let Some(id) = stack.pop() {
            for (dep, is_optional) in self.edges.get(&id).into_iter().flatten() {
                if *is_optional && id != start {
                    continue;
                }
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen.iter().map(|id| self.names[id].clone()).collect()
    }
}

#[test]
fn the_kernel_depends_on_nothing_of_the_shop() {
    let reached = Graph::resolve().reached_from("eventide-engine");
    assert!(
        !reached.contains("eventide-shop"),
        "the kernel reaches eventide-shop: the domain builds on the kernel, never the reverse"
    );
}

#[test]
fn a_foreign_log_is_read_without_the_shop() {
    let reached = Graph::resolve().reached_from("eventide-logs");
    assert!(
        reached.contains("eventide-engine") && !reached.contains("eventide-shop"),
        "eventide-logs must build on the kernel alone: any log is another domain, not the shop's"
    );
}

#[test]
fn neither_kernel_nor_shop_depends_on_a_browser_crate() {
    let graph = Graph::resolve();
    for root in ["eventide-engine", "eventide-shop", "eventide-logs"] {
        let reached = graph.reached_from(root);
        for browser in BROWSER_CRATES {
            assert!(
                !reached.contains(*browser),
                "{root} reaches {browser}: the engine and the shop must not know the browser"
            );
        }
    }
}

#[test]
fn the_kernel_and_the_shop_read_no_clock_and_no_random_source() {
    let mut offenders = Vec::new();
    for crate_dir in [".", "../shop", "../logs"] {
        visit(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(crate_dir)
                .join("src"),
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
    }
    assert!(
        offenders.is_empty(),
        "clock or randomness in the kernel or the shop:\n{}",
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
