//! `eventide project`: a user's projection script (Rhai) run over a generated shop log, natively.
//! Prints the read model as JSON; a script's mistake is printed as `FILE:line:column: message`
//! (as compilers do) with exit code 2, like any other input the user can fix.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use eventide_script::{Deadline, Limits, Projection, ScriptError, ScriptHost};
use eventide_shop::bench::START;
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::Shop;
use serde_json::json;

#[derive(Args)]
#[command(after_help = "\
The script defines handlers named after event types, `fn OrderPlaced(event) { ... }`, that \
change the state `this` (from `fn init()`, an empty map by default); see the eventide-script \
crate's documentation, and its examples/ for starting points.

Prints one JSON object: {\"script\", \"seed\", \"orders\", \"events\", \"handled\": [event \
types], \"columns\": [names], \"rows\": [{\"key\": ..., \"<column>\": ..., ...}]}. Whatever \
the script prints goes to stderr.

A script error is printed as FILE:line:column: message, with exit code 2.")]
pub struct ProjectArgs {
    /// The projection script (Rhai).
    #[arg(long, value_name = "FILE")]
    script: PathBuf,
    /// The seed of the generated workload.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How many complete order flows to generate.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    orders: u64,
    /// How long the script may run in all, in milliseconds.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    time_limit_ms: u64,
    /// How many operations one handler call may take.
    #[arg(long, default_value_t = Limits::default().max_operations,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_operations: u64,
}

/// Why a run failed: the script's own mistake is shown with its place, as compilers do;
/// anything else is an ordinary error message.
pub enum Failure {
    Script(String),
    Other(String),
}

/// Rhai's evaluation recurses as deep as the script's values are nested; a thread with a large
/// stack (only reserved, not used, unless needed) keeps a pathological script from overflowing.
const STACK_BYTES: usize = 256 << 20;

pub fn run(args: &ProjectArgs) -> Result<String, Failure> {
    let shown = args.script.display().to_string();
    let source = fs::read_to_string(&args.script)
        .map_err(|error| Failure::Other(format!("cannot read {shown}: {error}")))?;
    let config = GeneratorConfig::new(args.seed, START);
    let mut shop = Shop::new();
    generate_orders(&mut shop, config, args.orders)
        .map_err(|error| Failure::Other(format!("generating the log failed: {error}")))?;
    let limits = Limits {
        max_operations: args.max_operations,
        ..Limits::default()
    };
    let time_limit_ms = args.time_limit_ms as f64;
    let store = shop.store();
    let ran = std::thread::scope(|scope| {
        let projecting = std::thread::Builder::new()
            .name("projection".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || {
                // The host is not `Send`: it is made, used and dropped on this thread.
                let host = ScriptHost::new(limits);
                let origin = Instant::now();
                let clock = move || origin.elapsed().as_secs_f64() * 1000.0;
                let deadline = Deadline::after_ms(time_limit_ms, clock);
                // Each envelope is made as JSON when its turn comes, not the whole log at once.
                let events = store.events().iter().map(|event| event.to_json());
                let result = Projection::compile(&host, &source).and_then(|projection| {
                    let table = projection.run(events, &deadline)?;
                    Ok((projection.handles().to_vec(), table))
                });
                for line in host.take_output() {
                    eprintln!("{line}");
                }
                result
            })
            .map_err(|error| {
                Failure::Other(format!("cannot start the script's thread: {error}"))
            })?;
        projecting
            .join()
            .map_err(|_| Failure::Other("the script host failed unexpectedly".into()))
    })?;
    let (handled, table) = ran.map_err(|error| Failure::Script(located(&shown, &error)))?;

    let mut document = json!({
        "script": shown,
        "seed": args.seed,
        "orders": args.orders,
        "events": store.len(),
        "handled": handled,
    });
    if let (Some(object), serde_json::Value::Object(table)) =
        (document.as_object_mut(), table.to_json())
    {
        object.extend(table);
    }
    serde_json::to_string_pretty(&document)
        .map_err(|error| Failure::Other(format!("the read model could not be written: {error}")))
}

/// `FILE:line:column: message`, or `FILE: message` when the error has no place.
fn located(file: &str, error: &ScriptError) -> String {
    let mut message = error.message.clone();
    if let Some(position) = error.event_position {
        let _ = write!(message, " (at event {position})");
    }
    match (error.line, error.column) {
        (Some(line), Some(column)) => format!("{file}:{line}:{column}: {message}"),
        (Some(line), None) => format!("{file}:{line}: {message}"),
        _ => format!("{file}: {message}"),
    }
}
