//! `eventide schema check`: may a new version of an event's JSON Schema replace the earlier ones?
//! Confluent Schema Registry's rules and compatibility modes, over schema files.
//!
//! Prints every change found, one per line (`TYPE_CHANGED #/properties/id (incompatible;
//! backward against v1.json)`), then `compatible` or `incompatible` on the last line, and exits
//! 0 or 1 accordingly. A file that cannot be read, or is not a JSON Schema, is the user's to fix:
//! exit code 2, with a message naming the file.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use eventide_engine::schema::{check_versions, CompatibilityMode, JsonSchema, Verdict};
use eventide_engine::SchemaVersion;
use serde_json::Value;

#[derive(Args)]
pub struct SchemaArgs {
    #[command(subcommand)]
    command: SchemaCommand,
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Checks a proposed schema against earlier versions: prints every change, then
    /// `compatible` (exit code 0) or `incompatible` (exit code 1).
    Check(CheckArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// BACKWARD (the new schema reads old data), FORWARD (old schemas read new data), FULL
    /// (both), each against the latest earlier version or, with _TRANSITIVE, against all of
    /// them; or NONE. In any case.
    #[arg(long, default_value_t = CompatibilityMode::Backward)]
    mode: CompatibilityMode,
    /// The earlier versions of the schema, oldest first.
    #[arg(value_name = "OLD.json", num_args = 1.., required = true)]
    earlier: Vec<PathBuf>,
    /// The proposed schema.
    #[arg(value_name = "NEW.json")]
    proposed: PathBuf,
}

/// What a check found. Being incompatible is an answer, not an error: it is printed like any
/// other, and only the exit code differs.
pub struct Report {
    text: String,
    compatible: bool,
}

impl Report {
    /// Prints the report and gives the exit code: 0 when compatible, 1 when not.
    pub fn print(self) -> ExitCode {
        // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
        let _ = writeln!(std::io::stdout().lock(), "{}", self.text);
        if self.compatible {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

pub fn run(args: &SchemaArgs) -> Result<Report, String> {
    match &args.command {
        SchemaCommand::Check(check) => run_check(check),
    }
}

fn run_check(args: &CheckArgs) -> Result<Report, String> {
    let earlier = args
        .earlier
        .iter()
        .map(|path| load(path))
        .collect::<Result<Vec<_>, _>>()?;
    let proposed = load(&args.proposed)?;
    let numbered: Vec<(SchemaVersion, &JsonSchema)> = earlier
        .iter()
        .zip(1..=u16::MAX)
        .map(|(schema, number)| (SchemaVersion(number), schema))
        .collect();
    if numbered.len() < earlier.len() {
        return Err(format!("at most {} earlier versions", u16::MAX));
    }
    let verdict = check_versions(args.mode, numbered.into_iter(), &proposed);
    Ok(report(&verdict, &args.earlier))
}

/// Reads and loads one schema file; the message names the file and what is wrong with it.
fn load(path: &Path) -> Result<JsonSchema, String> {
    let shown = path.display();
    let text = fs::read_to_string(path).map_err(|error| format!("cannot read {shown}: {error}"))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|error| format!("{shown} is not valid JSON: {error}"))?;
    JsonSchema::parse(value).map_err(|error| format!("{shown} is not a valid JSON Schema: {error}"))
}

fn report(verdict: &Verdict, earlier_paths: &[PathBuf]) -> Report {
    let mut text = String::new();
    for comparison in &verdict.comparisons {
        let against = usize::from(comparison.version.0)
            .checked_sub(1)
            .and_then(|index| earlier_paths.get(index))
            .map_or_else(
                || comparison.version.to_string(),
                |path| path.display().to_string(),
            );
        for change in &comparison.changes {
            let effect = if change.is_backward_compatible() {
                "compatible"
            } else {
                "incompatible"
            };
            let _ = writeln!(
                text,
                "{change} ({effect}; {} against {against})",
                comparison.direction
            );
        }
    }
    let compatible = verdict.is_compatible();
    text.push_str(if compatible {
        "compatible"
    } else {
        "incompatible"
    });
    Report { text, compatible }
}
