//! `eventide inspect FILE`: what any event log holds (CloudEvents batch or NDJSON of any
//! domain): its mapping, types, streams, time span, inferred schemas, and where it breaks its
//! own rules. A record that cannot be read or mapped is named by its line and field, exit 2.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use eventide_logs::asyncapi::{asyncapi, CatalogType};
use eventide_logs::inspect::Problems;
use eventide_logs::{map_log, Inspector, Report, Role};
use eventide_script::handler_name;
use serde_json::{json, Value};

use crate::log_file::{LogFile, MappingArgs};

#[derive(Args)]
#[command(after_help = "\
The mapping is detected from the first 1,000 records: CloudEvents attributes (type, subject, \
time, id, source, data, and the correlationid and causationid extensions), or the names \
other tools export (eventType, streamId, created, metadata.$correlationId, ...). Move a role \
to another field with its flag (--stream data.book), or to none with `-` (--stream -).")]
pub struct InspectArgs {
    /// A CloudEvents JSON batch, or NDJSON (one JSON event per line).
    file: PathBuf,
    /// Print the report as JSON instead of text.
    #[arg(long, conflicts_with = "asyncapi")]
    json: bool,
    /// Print the inferred catalog as an AsyncAPI 3.0 document instead (a channel and message
    /// per type, its payload schema inferred, a send operation per producer).
    #[arg(long)]
    asyncapi: bool,
    #[command(flatten)]
    mapping: MappingArgs,
}

pub fn run(args: &InspectArgs) -> Result<String, String> {
    let log = LogFile::open(&args.file, &args.mapping)?;
    let mut inspector = Inspector::new();
    map_log(log.reader()?, &log.mapping, |event| {
        inspector.add(&event);
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|error| format!("{}: {error}", log.path.display()))?;
    let report = inspector.finish();
    if args.asyncapi {
        let title = log.path.file_name().map_or_else(
            || log.path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let document = asyncapi(
            &title,
            &CatalogType::of_report(&report),
            report.correlations > 0,
        );
        return serde_json::to_string_pretty(&document)
            .map_err(|error| format!("the document could not be written: {error}"));
    }
    if args.json {
        let document = json!({
            "file": log.path.display().to_string(),
            "format": log.format.name(),
            "dialect": log.detection.as_ref().map(|detection| detection.dialect),
            "mapping": log.mapping,
            "handlers": report.types.iter()
                .map(|kind| (kind.name.clone(), Value::from(handler_name(&kind.name).into_owned())))
                .collect::<serde_json::Map<_, _>>(),
            "report": report,
        });
        return serde_json::to_string_pretty(&document)
            .map_err(|error| format!("the report could not be written: {error}"));
    }
    Ok(text(&log, &report))
}

fn text(log: &LogFile, report: &Report) -> String {
    let mut out = String::new();
    let dialect = match log.detection.as_ref().map(|detection| detection.dialect) {
        Some(eventide_logs::Dialect::CloudEvents) => ", structured CloudEvents 1.0",
        _ => "",
    };
    let _ = writeln!(
        out,
        "{}: {}{dialect}",
        log.path.display(),
        log.format.name()
    );
    let mapped: Vec<String> = Role::ALL
        .iter()
        .map(|role| match log.mapping.field(*role) {
            Some(field) => format!("{} <- {field}", role.word()),
            None if *role == Role::Data => "data <- (the whole record)".into(),
            None => format!("{} <- (none)", role.word()),
        })
        .collect();
    let _ = writeln!(out, "mapping: {}", mapped.join(", "));
    let span = match (&report.first, &report.last) {
        (Some(first), Some(last)) => format!(" from {first} to {last}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} events{span}; {} streams; {} correlations",
        report.events, report.streams, report.correlations
    );
    if report.untimed > 0 {
        let _ = writeln!(out, "{} events have no time", report.untimed);
    }
    let _ = writeln!(out, "\ntypes ({}):", report.types.len());
    for kind in &report.types {
        let producers = if kind.producers.is_empty() {
            String::new()
        } else {
            let more = if kind.more_producers > 0 {
                format!(" and {} more", kind.more_producers)
            } else {
                String::new()
            };
            format!(", from {}{more}", kind.producers.join(", "))
        };
        let _ = writeln!(out, "  {}: {} events{producers}", kind.name, kind.events);
        let _ = writeln!(out, "    handler: fn {}(event)", handler_name(&kind.name));
        let _ = writeln!(out, "    payload: {}", fields(&kind.schema));
    }
    if !report.busiest_streams.is_empty() {
        let busiest: Vec<String> = report
            .busiest_streams
            .iter()
            .map(|stream| format!("{} ({})", stream.stream, stream.events))
            .collect();
        let _ = writeln!(out, "\nbusiest streams: {}", busiest.join(", "));
    }
    let problems = [
        ("ids written twice", &report.duplicate_ids),
        (
            "times earlier than the event before",
            &report.time_backwards,
        ),
        (
            "causation ids naming no event in the log",
            &report.broken_causation,
        ),
        (
            "causation ids naming a later event",
            &report.causation_ahead,
        ),
    ];
    let found: Vec<&(&str, &Problems)> = problems.iter().filter(|(_, p)| p.count > 0).collect();
    if found.is_empty() {
        let _ = writeln!(out, "\nno problems: ids are unique, time never runs backwards, every causation id names an earlier event");
    }
    for (what, problems) in found {
        let _ = writeln!(out, "\n{} {what}:", problems.count);
        for example in &problems.examples {
            let _ = writeln!(out, "  {}: {}", example.place, example.detail);
        }
        if problems.count > problems.examples.len() as u64 {
            let _ = writeln!(out, "  ...");
        }
    }
    out.trim_end().to_owned()
}

/// A payload schema's top-level fields in a line: `book (string), cents (integer)?`, where `?`
/// marks a field some payloads lack.
fn fields(schema: &Value) -> String {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return match schema.get("type") {
            Some(kind) => format!("not an object ({kind})"),
            None => "anything".into(),
        };
    };
    if properties.is_empty() {
        return "an empty object".into();
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|keys| keys.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    properties
        .iter()
        .map(|(name, property)| {
            let kind = match property.get("type") {
                Some(Value::String(kind)) => kind.clone(),
                Some(Value::Array(kinds)) => kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" or "),
                _ => "any".into(),
            };
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            format!("{name} ({kind}){optional}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
