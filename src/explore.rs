//! Exploring a user's own log, beside the shop and apart from it: a file is read, its mapping
//! shown and chosen ([`MappingStep`]), read a chunk per task ([`Reading`]), then explored
//! ([`Opened`]): its own cursor, the event selected, a query, and the read models every log
//! has. The shop's session is never touched: closing the explorer goes back to it as it was.
//!
//! One reducer of its own ([`Explorer`], actions [`ExploreAction`]); the components under
//! `components/explore/` are views of it.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use eventide_engine::{Position, Timestamp};
use eventide_logs::read::{LogFormat, Record, Stop};
use eventide_logs::{Chunks, FieldPath, LogFilter, LogStop, MappedEvent, Mapping, OpenLog, Role};
use yew::prelude::*;

/// How many records the mapping step shows mapped.
pub const PREVIEW: usize = 5;
/// Records read per task while opening a log: a few milliseconds of work, so the page keeps
/// painting its progress and the Cancel button answers.
pub const CHUNK: usize = 20_000;

/// The explorer's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExploreTab {
    #[default]
    Streams,
    Minutes,
    Catalog,
    Diff,
}

impl ExploreTab {
    pub const ALL: [ExploreTab; 4] = [
        ExploreTab::Streams,
        ExploreTab::Minutes,
        ExploreTab::Catalog,
        ExploreTab::Diff,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ExploreTab::Streams => "Streams",
            ExploreTab::Minutes => "Per minute",
            ExploreTab::Catalog => "Catalog",
            ExploreTab::Diff => "Diff",
        }
    }

    pub fn testid(self) -> &'static str {
        match self {
            ExploreTab::Streams => "explore-tab-streams",
            ExploreTab::Minutes => "explore-tab-minutes",
            ExploreTab::Catalog => "explore-tab-catalog",
            ExploreTab::Diff => "explore-tab-diff",
        }
    }
}

/// A file read, its mapping chosen before anything is built.
#[derive(Debug)]
pub struct MappingStep {
    pub name: String,
    pub format: LogFormat,
    bytes: Vec<u8>,
    pub sample: Vec<Record>,
    pub mapping: Mapping,
    /// The fields the sample's records have, as paths a role can come from.
    pub fields: Vec<String>,
    /// Why the last choice could not be made, if it could not.
    pub problem: Option<String>,
}

impl MappingStep {
    /// The first events as the mapping reads them (or why one cannot be read).
    pub fn preview(&self) -> Vec<Result<MappedEvent, String>> {
        self.sample
            .iter()
            .take(PREVIEW)
            .map(|record| self.mapping.map(record).map_err(|error| error.to_string()))
            .collect()
    }
}

/// A log being read into the explorer, a chunk per task.
#[derive(Debug)]
pub struct Reading {
    pub name: String,
    pub mapping: Mapping,
    chunks: Chunks,
    log: OpenLog,
}

impl Reading {
    /// How far, of how much (bytes of NDJSON, records of a batch).
    pub fn progress(&self) -> (usize, usize) {
        self.chunks.progress()
    }

    pub fn events(&self) -> usize {
        self.log.store().len()
    }
}

/// A log open for exploring.
#[derive(Debug)]
pub struct Opened {
    pub name: String,
    pub mapping: Mapping,
    pub log: Rc<OpenLog>,
    pub cursor: Position,
    pub selected: Option<Position>,
    pub tab: ExploreTab,
    pub query: String,
    /// The positions the query selects, when one is applied.
    pub matches: Option<Rc<Vec<Position>>>,
    pub refusal: Option<String>,
    /// The diff's earlier point; the cursor is its later one.
    pub diff_from: Position,
}

impl Opened {
    pub fn head(&self) -> Position {
        self.log.store().head()
    }

    /// How many matches lie at or before the cursor.
    pub fn matches_at_cursor(&self) -> Option<usize> {
        self.matches
            .as_ref()
            .map(|matches| matches.partition_point(|&at| at <= self.cursor))
    }
}

#[derive(Debug, Default)]
pub enum Stage {
    #[default]
    Closed,
    Mapping(MappingStep),
    Reading(Box<Reading>),
    Open(Opened),
    /// Reading failed or was cancelled, and why.
    Refused {
        message: String,
    },
}

/// The explorer's state: the stage is changed in place behind a shared cell (a log of a
/// million events is never copied), and `revision` is what renders compare.
#[derive(Clone, Debug, Default)]
pub struct Explorer {
    stage: Rc<RefCell<Stage>>,
    pub revision: u64,
}

impl PartialEq for Explorer {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

impl Explorer {
    pub fn stage(&self) -> Ref<'_, Stage> {
        self.stage.borrow()
    }

    /// Whether the explorer covers the shop (anything but closed).
    pub fn is_open(&self) -> bool {
        !matches!(*self.stage(), Stage::Closed)
    }
}

pub enum ExploreAction {
    /// A file's bytes: read its first records and detect the mapping.
    Read {
        name: String,
        bytes: Vec<u8>,
    },
    /// Take `role` from another field (`None`: from none).
    SetRole(Role, Option<String>),
    /// Build the log with the mapping chosen.
    Build,
    /// Read the next chunk.
    Continue,
    /// Stop reading (nothing is kept) or close the mapping step.
    Cancel,
    /// Back to the shop.
    Close,
    Seek(Position),
    /// Move the cursor by this many events.
    Step(i64),
    Select(Option<Position>),
    Tab(ExploreTab),
    Query(String),
    DiffFrom(Position),
}

impl Reducible for Explorer {
    type Action = ExploreAction;

    fn reduce(self: Rc<Self>, action: ExploreAction) -> Rc<Self> {
        let taken = std::mem::take(&mut *self.stage.borrow_mut());
        *self.stage.borrow_mut() = step(taken, action);
        Rc::new(Explorer {
            stage: self.stage.clone(),
            revision: self.revision + 1,
        })
    }
}

/// The next stage after `action`. Pure: tested natively.
pub fn step(stage: Stage, action: ExploreAction) -> Stage {
    match (stage, action) {
        // A file read that finishes late must not replace a log being mapped, read or explored.
        (Stage::Closed | Stage::Refused { .. }, ExploreAction::Read { name, bytes }) => {
            read(name, bytes)
        }
        (_, ExploreAction::Close) => Stage::Closed,
        (Stage::Mapping(step), ExploreAction::SetRole(role, field)) => set_role(step, role, field),
        (Stage::Mapping(step), ExploreAction::Build) => build(step),
        (Stage::Mapping(_), ExploreAction::Cancel) => Stage::Closed,
        (Stage::Reading(reading), ExploreAction::Continue) => continue_reading(reading),
        (Stage::Reading(reading), ExploreAction::Cancel) => Stage::Refused {
            message: format!(
                "Opening {} was cancelled after {} events: nothing was kept.",
                reading.name,
                reading.events()
            ),
        },
        (Stage::Refused { .. }, ExploreAction::Cancel) => Stage::Closed,
        (Stage::Open(open), action) => Stage::Open(on_open(open, action)),
        (stage, _) => stage,
    }
}

fn read(name: String, bytes: Vec<u8>) -> Stage {
    let format = LogFormat::detect(&bytes);
    let sample = match eventide_logs::sample(bytes.as_slice(), eventide_logs::SAMPLE) {
        Ok(sample) => sample,
        Err(error) => {
            return Stage::Refused {
                message: format!("{name} is not a log Eventide can read: {error}"),
            }
        }
    };
    let values = eventide_logs::values(&sample);
    let mapping = match Mapping::detect(&values) {
        Ok(detection) => detection.mapping,
        Err(error) => {
            return Stage::Refused {
                message: format!("{name}: {error}"),
            }
        }
    };
    Stage::Mapping(MappingStep {
        name,
        format,
        bytes,
        fields: field_paths(&values),
        sample,
        mapping,
        problem: None,
    })
}

/// Every path to a value in the sample, two levels deep (`data.book`, `metadata.$correlationId`).
fn field_paths(values: &[serde_json::Value]) -> Vec<String> {
    let mut paths = std::collections::BTreeSet::new();
    for value in values {
        let Some(object) = value.as_object() else {
            continue;
        };
        for (key, inner) in object {
            paths.insert(key.clone());
            if let Some(inner) = inner.as_object() {
                for nested in inner.keys() {
                    paths.insert(format!("{key}.{nested}"));
                }
            }
        }
    }
    paths.into_iter().collect()
}

fn set_role(mut step: MappingStep, role: Role, field: Option<String>) -> Stage {
    let field = match field.as_deref().map(FieldPath::parse).transpose() {
        Ok(field) => field,
        Err(error) => {
            step.problem = Some(error.to_string());
            return Stage::Mapping(step);
        }
    };
    match step.mapping.clone().with(role, field) {
        Ok(mapping) => {
            step.mapping = mapping;
            step.problem = None;
        }
        Err(error) => step.problem = Some(error.to_string()),
    }
    Stage::Mapping(step)
}

fn build(step: MappingStep) -> Stage {
    match Chunks::new(step.bytes) {
        Ok(chunks) => Stage::Reading(Box::new(Reading {
            name: step.name,
            mapping: step.mapping,
            chunks,
            log: OpenLog::new(),
        })),
        Err(error) => Stage::Refused {
            message: format!("{} was not opened: {error}", step.name),
        },
    }
}

fn continue_reading(mut reading: Box<Reading>) -> Stage {
    let Reading {
        mapping,
        chunks,
        log,
        ..
    } = &mut *reading;
    let read = chunks.next_chunk(CHUNK, |record| {
        let event = mapping.map(&record).map_err(LogStop::Unmapped)?;
        log.push(&event)
            .map(|_| ())
            .map_err(|error| LogStop::Refused(error.to_string()))
    });
    match read {
        Ok(true) => Stage::Reading(reading),
        Ok(false) if reading.log.store().is_empty() => Stage::Refused {
            message: format!("{} holds no events.", reading.name),
        },
        Ok(false) => {
            let head = reading.log.store().head();
            reading.log.settle();
            Stage::Open(Opened {
                name: reading.name,
                mapping: reading.mapping,
                log: Rc::new(reading.log),
                cursor: head,
                selected: None,
                tab: ExploreTab::default(),
                query: String::new(),
                matches: None,
                refusal: None,
                diff_from: Position::ORIGIN,
            })
        }
        Err(stop) => {
            let why = match stop {
                Stop::Unreadable(error) => error.to_string(),
                Stop::Refused(LogStop::Unmapped(error)) => error.to_string(),
                Stop::Refused(LogStop::Unreadable(error)) => error.to_string(),
                Stop::Refused(LogStop::Refused(error)) => error,
            };
            Stage::Refused {
                message: format!("{} was not opened (nothing was kept): {why}", reading.name),
            }
        }
    }
}

fn on_open(mut open: Opened, action: ExploreAction) -> Opened {
    let head = open.head();
    match action {
        ExploreAction::Seek(at) => open.cursor = at.min(head),
        ExploreAction::Step(by) => {
            let at = (open.cursor.0 as i64).saturating_add(by).max(0) as u64;
            open.cursor = Position(at).min(head);
        }
        ExploreAction::Select(at) => {
            open.selected = at;
            // Selecting an event in the future of the cursor moves the cursor to it.
            if let Some(at) = at {
                open.cursor = open.cursor.max(at).min(head);
            }
        }
        ExploreAction::Tab(tab) => open.tab = tab,
        ExploreAction::Query(text) => match LogFilter::parse(&text, open.log.store()) {
            Ok(filter) => {
                open.matches = filter.map(|filter| Rc::new(filter.scan(open.log.store())));
                open.query = text;
                open.refusal = None;
            }
            Err(error) => open.refusal = Some(error.to_string()),
        },
        ExploreAction::DiffFrom(at) => open.diff_from = at.min(head),
        _ => {}
    }
    open
}

/// The time shown for a position (`None` for the origin or an untimed event).
pub fn time_at(log: &OpenLog, at: Position) -> Option<Timestamp> {
    log.store().event(at).and_then(|event| event.time())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUDEVENTS: &str = r#"[
        {"specversion":"1.0","id":"a1","source":"/billing","type":"com.acme.invoice.issued","subject":"invoice/7","time":"2025-01-02T10:00:00Z","data":{"total":120,"state":"open"}},
        {"specversion":"1.0","id":"a2","source":"/billing","type":"com.acme.invoice.paid","subject":"invoice/7","time":"2025-01-02T10:05:00Z","data":{"state":"paid"}},
        {"specversion":"1.0","id":"a3","source":"/mail","type":"com.acme.mail.sent","time":"2025-01-02T10:06:00Z","data":{"to":"x@acme.test"}}
    ]"#;

    fn open_all(stage: Stage) -> Stage {
        let mut stage = step(stage, ExploreAction::Build);
        while matches!(stage, Stage::Reading(_)) {
            stage = step(stage, ExploreAction::Continue);
        }
        stage
    }

    fn read_text(text: &str) -> Stage {
        step(
            Stage::Closed,
            ExploreAction::Read {
                name: "acme.json".into(),
                bytes: text.as_bytes().to_vec(),
            },
        )
    }

    #[test]
    fn it_should_detect_a_mapping_and_preview_before_building_anything() {
        let Stage::Mapping(mapping) = read_text(CLOUDEVENTS) else {
            panic!("expected the mapping step");
        };
        assert_eq!(mapping.mapping.stream, FieldPath::parse("subject").ok());
        let preview = mapping.preview();
        assert_eq!(preview.len(), 3);
        assert_eq!(
            preview[0].as_ref().map(|event| event.event_type.as_str()),
            Ok("com.acme.invoice.issued")
        );
        assert!(mapping.fields.contains(&"data.total".to_string()));
    }

    #[test]
    fn it_should_open_the_log_with_the_chosen_mapping() {
        let stage = step(
            read_text(CLOUDEVENTS),
            ExploreAction::SetRole(Role::Stream, Some("source".into())),
        );
        let Stage::Open(open) = open_all(stage) else {
            panic!("expected an open log");
        };
        let store = open.log.store();
        assert_eq!(store.len(), 3);
        assert_eq!(store.streams().len(), 2, "by source: /billing and /mail");
        assert_eq!(open.cursor, Position(3));
        let open = on_open(open, ExploreAction::Query("data.state == paid".into()));
        assert_eq!(open.matches.as_deref(), Some(&vec![Position(2)]));
        let open = on_open(open, ExploreAction::Query("type == nope".into()));
        assert!(open.refusal.is_some(), "a refused query says why");
        assert_eq!(
            open.matches.as_deref(),
            Some(&vec![Position(2)]),
            "and the one before stays"
        );
    }

    #[test]
    fn it_should_not_let_a_late_file_replace_an_open_log() {
        let Stage::Open(open) = open_all(read_text(CLOUDEVENTS)) else {
            panic!("expected an open log");
        };
        let late = ExploreAction::Read {
            name: "late.json".into(),
            bytes: CLOUDEVENTS.as_bytes().to_vec(),
        };
        let Stage::Open(still) = step(Stage::Open(open), late) else {
            panic!("a late read replaced the open log");
        };
        assert_eq!(still.name, "acme.json");
    }

    #[test]
    fn it_should_name_a_bad_line_and_keep_nothing() {
        let text = "{\"type\":\"a\",\"id\":\"1\"}\n{\"type\":\"b\",\"id\":\"2\"}\n{\"id\":\"3\"}\n";
        let Stage::Refused { message } = open_all(read_text(text)) else {
            panic!("expected a refusal");
        };
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("nothing was kept"), "{message}");
    }

    #[test]
    fn it_should_refuse_a_file_that_is_no_log() {
        assert!(matches!(read_text("[1, 2]"), Stage::Refused { .. }));
        assert!(matches!(read_text("{\"x\": 1}"), Stage::Refused { .. }));
    }

    #[test]
    fn it_should_keep_the_cursor_within_the_log() {
        let Stage::Open(open) = open_all(read_text(CLOUDEVENTS)) else {
            panic!("expected an open log");
        };
        let open = on_open(open, ExploreAction::Step(-10));
        assert_eq!(open.cursor, Position::ORIGIN);
        let open = on_open(open, ExploreAction::Seek(Position(99)));
        assert_eq!(open.cursor, Position(3));
        let open = on_open(open, ExploreAction::Seek(Position(1)));
        let open = on_open(open, ExploreAction::Select(Some(Position(2))));
        assert_eq!(
            open.cursor,
            Position(2),
            "selecting a later event goes to it"
        );
    }
}
