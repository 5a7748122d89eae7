//! A user's own log file, as `inspect` and `project --log` open it: the mapping detected from
//! its first records, with any role the user moved to another field (`--stream data.book`) or
//! to none (`--stream -`).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use clap::Args;
use eventide_logs::{sample, values, Detection, FieldPath, LogFormat, Mapping, Role, SAMPLE};

/// Which field gives each part of the envelope, when the detected one is not right. A field
/// is a dotted path (`metadata.$correlationId`); `-` means no field.
#[derive(Args, Default)]
pub struct MappingArgs {
    /// The field that gives the event type.
    #[arg(long = "type", value_name = "FIELD")]
    event_type: Option<String>,
    /// The field that gives the stream (aggregate) id, or `-`.
    #[arg(long, value_name = "FIELD")]
    stream: Option<String>,
    /// The field that gives the time (RFC 3339, or epoch seconds or milliseconds), or `-`.
    #[arg(long, value_name = "FIELD")]
    time: Option<String>,
    /// The field that gives the event id, or `-` (events are then known by their line).
    #[arg(long, value_name = "FIELD")]
    id: Option<String>,
    /// The field that gives the correlation id, or `-`.
    #[arg(long, value_name = "FIELD")]
    correlation: Option<String>,
    /// The field that gives the causation id (the id of the event that caused this one), or `-`.
    #[arg(long, value_name = "FIELD")]
    causation: Option<String>,
    /// The field that gives the producer, or `-`.
    #[arg(long, value_name = "FIELD")]
    producer: Option<String>,
    /// The field that holds the payload, or `-` for the whole record.
    #[arg(long, value_name = "FIELD")]
    data: Option<String>,
}

impl MappingArgs {
    /// Whether any role was given a field on the command line.
    pub fn is_set(&self) -> bool {
        self.overrides().iter().any(|(_, field)| field.is_some())
    }

    fn overrides(&self) -> [(Role, Option<&String>); 8] {
        [
            (Role::EventType, self.event_type.as_ref()),
            (Role::Stream, self.stream.as_ref()),
            (Role::Time, self.time.as_ref()),
            (Role::Id, self.id.as_ref()),
            (Role::Correlation, self.correlation.as_ref()),
            (Role::Causation, self.causation.as_ref()),
            (Role::Producer, self.producer.as_ref()),
            (Role::Data, self.data.as_ref()),
        ]
    }
}

/// A log file ready to be read through its mapping.
pub struct LogFile {
    pub path: PathBuf,
    pub format: LogFormat,
    pub detection: Option<Detection>,
    pub mapping: Mapping,
}

impl LogFile {
    /// Reads the first records, detects the mapping and applies the user's changes. Every
    /// refusal is a message naming the file (and the line, or the flag).
    pub fn open(path: &Path, args: &MappingArgs) -> Result<LogFile, String> {
        let shown = path.display();
        let mut head = [0u8; 64];
        let read = std::io::Read::read(&mut open(path)?, &mut head)
            .map_err(|error| format!("cannot read {shown}: {error}"))?;
        let format = LogFormat::detect(&head[..read]);
        let records = sample(BufReader::new(open(path)?), SAMPLE)
            .map_err(|error| format!("{shown}: {error}"))?;
        if records.is_empty() {
            return Err(format!("{shown}: the file holds no event"));
        }
        let detected = Mapping::detect(&values(&records));
        let (detection, mapping) = match (detected, &args.event_type) {
            (Ok(detection), _) => {
                let mapping = detection.mapping.clone();
                (Some(detection), mapping)
            }
            // Nothing was found, but the user says where the type is: start from that alone.
            (Err(_), Some(field)) => (None, Mapping::only_type(parse(field, "--type")?)),
            (Err(error), None) => return Err(format!("{shown}: {error} (with --type FIELD)")),
        };
        let mut mapping = mapping;
        for (role, field) in args.overrides() {
            let Some(field) = field else { continue };
            let field = if field == "-" {
                None
            } else {
                Some(parse(field, &flag(role))?)
            };
            mapping = mapping
                .with(role, field)
                .map_err(|error| format!("{}: {error}", flag(role)))?;
        }
        Ok(LogFile {
            path: path.to_owned(),
            format,
            detection,
            mapping,
        })
    }

    /// The file from its start, for the pass that reads every record.
    pub fn reader(&self) -> Result<BufReader<File>, String> {
        open(&self.path).map(|file| BufReader::with_capacity(1 << 20, file))
    }
}

fn open(path: &Path) -> Result<File, String> {
    File::open(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
}

fn parse(field: &str, flag: &str) -> Result<FieldPath, String> {
    FieldPath::parse(field).map_err(|error| format!("{flag}: {error}"))
}

/// The command-line flag that sets a role.
pub fn flag(role: Role) -> String {
    match role {
        Role::EventType => "--type".into(),
        other => format!("--{}", other.word()),
    }
}
