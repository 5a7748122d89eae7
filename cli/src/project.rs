//! `eventide project`: a user's projection script (Rhai) run natively over a generated shop log,
//! or over any log a user brings (`--log FILE`: a CloudEvents batch or NDJSON of any domain,
//! mapped as `eventide inspect` shows). Prints the read model as JSON; a script's mistake is
//! printed as `FILE:line:column: message` (as compilers do) with exit code 2, like a log's
//! broken line, or any other input the user can fix.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use eventide_logs::{map_log, Envelopes, LogStop};
use eventide_script::{Deadline, EventTypes, Limits, Projection, ScriptError, ScriptHost, State};
use eventide_shop::bench::START;
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::{Shop, ShopStore};
use serde_json::{json, Value};

use crate::log_file::{LogFile, MappingArgs};

#[derive(Args)]
#[command(after_help = "\
The script defines handlers named after event types, `fn OrderPlaced(event) { ... }`, that \
change the state `this` (from `fn init()`, an empty map by default); see the eventide-script \
crate's documentation, and its examples/ for starting points.

Prints one JSON object: {\"script\", \"seed\", \"orders\", \"events\", \"handled\": [event \
types], \"columns\": [names], \"rows\": [{\"key\": ..., \"<column>\": ..., ...}]}. Whatever \
the script prints goes to stderr.

With --log FILE the script folds that log instead (a CloudEvents batch or NDJSON, of any \
domain), mapped as `eventide inspect FILE` shows (the same flags change the mapping). A type \
that is not a handler's name already is handled by its words joined: \
`fn OrgExampleLibraryBookLent(event)` for org.example.library.book.lent; `eventide inspect` \
lists each type's handler.

A script error is printed as FILE:line:column: message, with exit code 2.")]
pub struct ProjectArgs {
    /// The projection script (Rhai).
    #[arg(long, value_name = "FILE")]
    script: PathBuf,
    /// Fold this log (CloudEvents batch or NDJSON) instead of a generated shop log.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    #[command(flatten)]
    mapping: MappingArgs,
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

/// Where the events come from.
enum Events<'a> {
    Shop(&'a ShopStore),
    Log(&'a LogFile),
}

/// Why folding stopped inside the script's thread.
enum Ran {
    Script(ScriptError),
    Log(String),
}

pub fn run(args: &ProjectArgs) -> Result<String, Failure> {
    let shown = args.script.display().to_string();
    let source = fs::read_to_string(&args.script)
        .map_err(|error| Failure::Other(format!("cannot read {shown}: {error}")))?;
    let log =
        match &args.log {
            Some(path) => Some(LogFile::open(path, &args.mapping).map_err(Failure::Other)?),
            None if args.mapping.is_set() => return Err(Failure::Other(
                "the mapping flags (--type, --stream, ...) choose fields of a log: add --log FILE"
                    .into(),
            )),
            None => None,
        };
    let mut shop = Shop::new();
    if log.is_none() {
        let config = GeneratorConfig::new(args.seed, START);
        generate_orders(&mut shop, config, args.orders)
            .map_err(|error| Failure::Other(format!("generating the log failed: {error}")))?;
    }
    let (events, types) = match &log {
        Some(log) => (Events::Log(log), types_of(log).map_err(Failure::Other)?),
        None => (Events::Shop(shop.store()), EventTypes::shop()),
    };
    let limits = Limits {
        max_operations: args.max_operations,
        ..Limits::default()
    };
    let time_limit_ms = args.time_limit_ms as f64;
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
                let result = Projection::compile_for(&host, &source, &types)
                    .map_err(Ran::Script)
                    .and_then(|projection| {
                        let mut state = projection.init(&deadline).map_err(Ran::Script)?;
                        let count = fold(&projection, &mut state, &events, &deadline)?;
                        let table = projection.table(&state, &deadline).map_err(Ran::Script)?;
                        Ok((projection.handles().to_vec(), table, count))
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
    let (handled, table, count) = ran.map_err(|ran| match ran {
        Ran::Script(error) => Failure::Script(located(&shown, &error)),
        Ran::Log(message) => Failure::Other(message),
    })?;

    let mut document = match &log {
        Some(log) => json!({
            "script": shown,
            "log": log.path.display().to_string(),
            "events": count,
            "handled": handled,
        }),
        None => json!({
            "script": shown,
            "seed": args.seed,
            "orders": args.orders,
            "events": count,
            "handled": handled,
        }),
    };
    if let (Some(object), Value::Object(table)) = (document.as_object_mut(), table.to_json()) {
        object.extend(table);
    }
    serde_json::to_string_pretty(&document)
        .map_err(|error| Failure::Other(format!("the read model could not be written: {error}")))
}

/// The log's event types, read in a pass of their own: a script's handlers are checked against
/// them before it runs (a misspelt one is a mistake, with the type it most likely meant), and
/// a line the mapping cannot read is refused before any script runs.
fn types_of(log: &LogFile) -> Result<EventTypes, String> {
    let mut types = BTreeSet::new();
    map_log(log.reader()?, &log.mapping, |event| {
        if !types.contains(&event.event_type) {
            types.insert(event.event_type);
        }
        Ok::<(), Infallible>(())
    })
    .map_err(|error| format!("{}: {error}", log.path.display()))?;
    Ok(EventTypes::of(types.iter().map(String::as_str)))
}

/// Folds every event into `state`, each envelope made as JSON when its turn comes (never the
/// whole log at once); returns how many events there were.
fn fold(
    projection: &Projection,
    state: &mut State,
    events: &Events<'_>,
    deadline: &Deadline,
) -> Result<u64, Ran> {
    match events {
        Events::Shop(store) => {
            for event in store.events().iter() {
                projection
                    .apply(state, &event.to_json(), deadline)
                    .map_err(Ran::Script)?;
            }
            Ok(store.len() as u64)
        }
        Events::Log(log) => {
            let mut envelopes = Envelopes::new();
            let reader = log.reader().map_err(Ran::Log)?;
            map_log(reader, &log.mapping, |event| {
                projection
                    .apply(state, &envelopes.next(event), deadline)
                    .map(|_| ())
            })
            .map_err(|stop| match stop {
                LogStop::Refused(error) => Ran::Script(error),
                LogStop::Unreadable(error) => Ran::Log(format!("{}: {error}", log.path.display())),
                LogStop::Unmapped(error) => Ran::Log(format!("{}: {error}", log.path.display())),
            })
        }
    }
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
