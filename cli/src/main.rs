//! `eventide`: the engine on the command line, without a browser.
//!
//! Each subcommand lives in its own module; `main` only parses arguments and maps errors to
//! exit codes (2 for anything the user can fix).

mod alloc;
mod bench;
mod bench_log;
mod catalog;
mod export;
mod import;
mod inspect;
mod log_file;
mod project;
mod schema;
mod simulate;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

#[derive(Parser)]
#[command(
    name = "eventide",
    version,
    about = "Eventide's event-sourcing engine on the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the seeded shop workload and prints its figures as one line of JSON.
    Bench(bench::BenchArgs),
    /// Generates a foreign log (a lending library's, NDJSON), imports and filters it, and
    /// prints the figures beside a plain JSON reader's as one line of JSON.
    BenchLog(bench_log::BenchLogArgs),
    /// The event catalog: `asyncapi` prints it as an AsyncAPI 3.0 document.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Prints a generated shop log as a CloudEvents batch or a scenario (JSON).
    Export(export::ExportArgs),
    /// Checks a CloudEvents batch or scenario file and prints what it holds (exit 2 if refused).
    Import(import::ImportArgs),
    /// Summarises any event log (CloudEvents batch or NDJSON): types, streams, time span,
    /// inferred schemas, broken causation (exit 2 on a line it cannot read).
    Inspect(inspect::InspectArgs),
    /// Runs a projection script (Rhai) over a generated shop log, or any log (`--log FILE`),
    /// and prints its read model as JSON (exit 2 on a script error or a bad line).
    Project(project::ProjectArgs),
    /// Runs the choreographed shop to quiescence and prints read models and services as JSON.
    Simulate(simulate::SimulateArgs),
    /// Checks JSON Schemas for compatibility by Confluent Schema Registry's rules.
    Schema(schema::SchemaArgs),
}

fn main() -> ExitCode {
    // clap exits with code 2 on bad arguments, with a message naming the argument.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => bench::run(&args),
        Command::BenchLog(args) => bench_log::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Catalog(command) => catalog::run(&command),
        Command::Export(args) => export::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        // A script's mistake is shown as `FILE:line:column: message`, as compilers show theirs.
        Command::Project(args) => match project::run(&args) {
            Ok(output) => Ok(output),
            Err(project::Failure::Script(located)) => {
                eprintln!("{located}");
                return ExitCode::from(2);
            }
            Err(project::Failure::Other(message)) => Err(message),
        },
        // An incompatible schema is an answer, not a mistake: printed, with exit code 1.
        Command::Schema(args) => match schema::run(&args) {
            Ok(report) => return report.print(),
            Err(message) => Err(message),
        },
    };
    match result {
        Ok(output) => {
            // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
