//! Exploring a user's own log, beside the shop and apart from it: a file's first slice is read,
//! its mapping shown and chosen ([`MappingStep`]), the file read a slice and a chunk of records
//! per task, only the record being cut held ([`Reading`]), then explored
//! ([`Opened`]): its own cursor, the event selected, a query, and the read models every log
//! has. The shop's session is never touched: closing the explorer goes back to it as it was.
//!
//! One reducer of its own ([`Explorer`], actions [`ExploreAction`]); the components under
//! `components/explore/` are views of it.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use eventide_engine::query::MinuteCount;
use eventide_engine::{Position, Timestamp};
use eventide_logs::filter::minute_runs;
use eventide_logs::read::{LogFormat, Record, Stop};
use eventide_logs::{Feed, FieldPath, LogFilter, LogStop, MappedEvent, Mapping, OpenLog, Role};
use yew::prelude::*;

/// How many records the mapping step shows mapped.
pub const PREVIEW: usize = 5;
/// Records read per task while opening a log: about 40 ms of work in wasm (a million-event
/// file's tasks were 160 ms at 20,000), so the page keeps painting its progress and the
/// Cancel button answers.
pub const CHUNK: usize = 8_000;
/// The slices a file is read in: a few thousand records each.
pub const SLICE: u64 = 4 << 20;
/// What the mapping is detected from: the file's first mebibyte (or all of a smaller one).
pub const HEAD: u64 = 1 << 20;

/// Where a log's bytes come from.
#[derive(Clone, Debug)]
pub enum LogSource {
    /// Held whole: the shipped example, fetched (a few hundred kilobytes), or a test's text.
    Bytes(Rc<[u8]>),
    /// A user's file, read a slice at a time, so a file of hundreds of megabytes is never
    /// held whole.
    File(web_sys::File),
}

impl LogSource {
    pub fn size(&self) -> u64 {
        match self {
            LogSource::Bytes(bytes) => bytes.len() as u64,
            LogSource::File(file) => file.size() as u64,
        }
    }
}

/// The explorer's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExploreTab {
    #[default]
    Streams,
    Minutes,
    Catalog,
    Diff,
    WhatIf,
    Scripts,
}

impl ExploreTab {
    pub const ALL: [ExploreTab; 6] = [
        ExploreTab::Streams,
        ExploreTab::Minutes,
        ExploreTab::Catalog,
        ExploreTab::Diff,
        ExploreTab::WhatIf,
        ExploreTab::Scripts,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ExploreTab::Streams => "Streams",
            ExploreTab::Minutes => "Per minute",
            ExploreTab::Catalog => "Catalog",
            ExploreTab::Diff => "Diff",
            ExploreTab::WhatIf => "What if",
            ExploreTab::Scripts => "Scripts",
        }
    }

    pub fn testid(self) -> &'static str {
        match self {
            ExploreTab::Streams => "explore-tab-streams",
            ExploreTab::Minutes => "explore-tab-minutes",
            ExploreTab::Catalog => "explore-tab-catalog",
            ExploreTab::Diff => "explore-tab-diff",
            ExploreTab::WhatIf => "explore-tab-what-if",
            ExploreTab::Scripts => "explore-tab-scripts",
        }
    }
}

/// A file read, its mapping chosen before anything is built.
#[derive(Debug)]
pub struct MappingStep {
    pub name: String,
    pub format: LogFormat,
    source: LogSource,
    pub sample: Vec<Record>,
    pub mapping: Mapping,
    /// The fields the sample's records have, as paths a role can come from.
    pub fields: Vec<String>,
    /// Why the last choice could not be made, if it could not.
    pub problem: Option<String>,
    /// Whether the mapping is the one chosen when this file was last opened.
    pub remembered: bool,
}

impl MappingStep {
    /// The file's size: with its name, what the mapping chosen is remembered by.
    pub fn size(&self) -> u64 {
        self.source.size()
    }

    /// The first events as the mapping reads them (or why one cannot be read).
    pub fn preview(&self) -> Vec<Result<MappedEvent, String>> {
        self.sample
            .iter()
            .take(PREVIEW)
            .map(|record| self.mapping.map(record).map_err(|error| error.to_string()))
            .collect()
    }
}

/// A log being read into the explorer, a slice of the file and a chunk of records per task.
#[derive(Debug)]
pub struct Reading {
    /// Which read this is, so a slice that arrives after a cancel is not taken for the next.
    pub id: u64,
    pub name: String,
    pub mapping: Mapping,
    pub source: LogSource,
    size: u64,
    /// Where the next slice begins.
    offset: u64,
    /// Waiting for the slice at `offset` (of a file, read by the page).
    awaiting: bool,
    feed: Feed,
    log: OpenLog,
}

impl Reading {
    /// Bytes read, of the file's.
    pub fn progress(&self) -> (u64, u64) {
        (self.offset, self.size)
    }

    /// The slice of the file the page should read next, if the reading waits for one.
    pub fn wanted_slice(&self) -> Option<(u64, u64)> {
        self.awaiting
            .then(|| (self.offset, (self.offset + SLICE).min(self.size)))
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
    /// The positions the query selects, when one is applied, and their runs per minute.
    pub matches: Option<Rc<Vec<Position>>>,
    pub match_minutes: Rc<[MinuteCount]>,
    pub refusal: Option<String>,
    /// The diff's earlier point; the cursor is its later one.
    pub diff_from: Position,
    /// The events "what if" folds the read models without, if any.
    pub skipped: Option<Skipped>,
    /// Why the last jump (to a time) could not be made.
    pub jump_problem: Option<String>,
}

/// Past events left out of a second fold of the read models, beside the real one; the log
/// itself is never touched.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// Ascending.
    pub positions: Rc<Vec<Position>>,
    /// What they are: one event, or a query's matches.
    pub what: SkipChoice,
}

/// What "what if" leaves out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipChoice {
    Event(Position),
    /// The query's matches, as applied when chosen.
    Matches(String),
}

impl Opened {
    pub fn head(&self) -> Position {
        self.log.store().head()
    }

    /// The match `step` goes to from the cursor, if there is one.
    pub fn match_from_cursor(&self, step: MatchStep) -> Option<Position> {
        let matches = self.matches.as_deref()?;
        let before = matches.partition_point(|&at| at < self.cursor);
        let index = match step {
            MatchStep::First => 0,
            MatchStep::Previous => before.checked_sub(1)?,
            MatchStep::Next => matches.partition_point(|&at| at <= self.cursor),
            MatchStep::Last => matches.len().checked_sub(1)?,
        };
        matches.get(index).copied()
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
    /// A log's first bytes ([`HEAD`] of them, or all): read its first records and detect the
    /// mapping.
    Read {
        name: String,
        source: LogSource,
        head: Vec<u8>,
        /// The mapping chosen when this file was last opened, if the browser kept one.
        remembered: Option<Box<Mapping>>,
    },
    /// Take `role` from another field (`None`: from none).
    SetRole(Role, Option<String>),
    /// Build the log with the mapping chosen.
    Build,
    /// Read the next chunk.
    Continue,
    /// The slice of a file asked for ([`Reading::wanted_slice`]), or why it could not be read.
    Slice {
        id: u64,
        at: u64,
        bytes: Result<Vec<u8>, String>,
    },
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
    /// To a match of the query, from the cursor.
    Match(MatchStep),
    /// The cursor to this event, and the event selected (back or on).
    Visit(Position),
    /// The cursor to the last position by a time, written as the user wrote it.
    SeekTime(String),
    /// Fold the read models again without these events (`None`: only the real line).
    Skip(Option<SkipChoice>),
}

/// Where a match is, from the cursor: "when did this first happen?" is the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchStep {
    First,
    Previous,
    Next,
    Last,
}

impl ExploreAction {
    /// A log held whole, read as a file is.
    pub fn read_bytes(name: String, bytes: Rc<[u8]>) -> ExploreAction {
        let head = bytes[..bytes.len().min(HEAD as usize)].to_vec();
        ExploreAction::Read {
            name,
            source: LogSource::Bytes(bytes),
            head,
            remembered: None,
        }
    }
}

impl Reducible for Explorer {
    type Action = ExploreAction;

    fn reduce(self: Rc<Self>, action: ExploreAction) -> Rc<Self> {
        let taken = std::mem::take(&mut *self.stage.borrow_mut());
        *self.stage.borrow_mut() = step(taken, action, self.revision);
        Rc::new(Explorer {
            stage: self.stage.clone(),
            revision: self.revision + 1,
        })
    }
}

/// The next stage after `action`; `revision` numbers a read begun now. Pure: tested natively.
pub fn step(stage: Stage, action: ExploreAction, revision: u64) -> Stage {
    match (stage, action) {
        // A file read that finishes late must not replace a log being mapped, read or explored.
        (
            Stage::Closed | Stage::Refused { .. },
            ExploreAction::Read {
                name,
                source,
                head,
                remembered,
            },
        ) => read(name, source, head, remembered),
        (_, ExploreAction::Close) => Stage::Closed,
        (Stage::Mapping(step), ExploreAction::SetRole(role, field)) => set_role(step, role, field),
        (Stage::Mapping(step), ExploreAction::Build) => build(step, revision),
        (Stage::Mapping(_), ExploreAction::Cancel) => Stage::Closed,
        (Stage::Reading(reading), ExploreAction::Continue) => continue_reading(reading),
        (Stage::Reading(reading), ExploreAction::Slice { id, at, bytes }) => {
            take_slice(reading, id, at, bytes)
        }
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

fn read(name: String, source: LogSource, head: Vec<u8>, remembered: Option<Box<Mapping>>) -> Stage {
    let format = LogFormat::detect(&head);
    let whole = head.len() as u64 >= source.size();
    let mut feed = Feed::new();
    feed.push(&head);
    if whole {
        feed.end();
    }
    let mut sample = Vec::new();
    let read = feed.records(eventide_logs::SAMPLE, |record| {
        sample.push(record);
        Ok::<(), ()>(())
    });
    if let Err(Stop::Unreadable(error)) = read {
        return Stage::Refused {
            message: format!("{name} is not a log Eventide can read: {error}"),
        };
    }
    if sample.is_empty() && !whole {
        return Stage::Refused {
            message: format!(
                "{name} is not a log Eventide can read: its first {} hold no whole event.",
                crate::format::fmt_bytes(HEAD)
            ),
        };
    }
    let values = eventide_logs::values(&sample);
    // The user's earlier choice, if it still reads the file's first events.
    let remembered = remembered.map(|mapping| *mapping).filter(|mapping| {
        sample
            .iter()
            .take(PREVIEW)
            .all(|record| mapping.map(record).is_ok())
    });
    let mapping = match remembered.clone().map_or_else(
        || Mapping::detect(&values).map(|detection| detection.mapping),
        Ok,
    ) {
        Ok(mapping) => mapping,
        Err(error) => {
            return Stage::Refused {
                message: format!("{name}: {error}"),
            }
        }
    };
    Stage::Mapping(MappingStep {
        name,
        format,
        source,
        fields: field_paths(&values),
        sample,
        mapping,
        problem: None,
        remembered: remembered.is_some(),
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

fn build(step: MappingStep, id: u64) -> Stage {
    let size = step.source.size();
    let reading = Reading {
        id,
        name: step.name,
        mapping: step.mapping,
        source: step.source,
        size,
        offset: 0,
        awaiting: false,
        feed: Feed::new(),
        log: OpenLog::new(),
    };
    Stage::Reading(Box::new(reading))
}

/// A slice of the file arrived: taken in if it is the one the reading waits for.
fn take_slice(
    mut reading: Box<Reading>,
    id: u64,
    at: u64,
    bytes: Result<Vec<u8>, String>,
) -> Stage {
    if id != reading.id || at != reading.offset || !reading.awaiting {
        return Stage::Reading(reading);
    }
    match bytes {
        Ok(bytes) if !bytes.is_empty() || at >= reading.size => {
            reading.awaiting = false;
            feed_slice(&mut reading, &bytes);
            Stage::Reading(reading)
        }
        Ok(_) => Stage::Refused {
            message: format!(
                "{} could not be read past {} (the file changed?): nothing was kept.",
                reading.name,
                crate::format::fmt_bytes(at)
            ),
        },
        Err(problem) => Stage::Refused {
            message: format!(
                "{} could not be read: {problem}. Nothing was kept.",
                reading.name
            ),
        },
    }
}

fn feed_slice(reading: &mut Reading, bytes: &[u8]) {
    reading.feed.push(bytes);
    reading.offset += bytes.len() as u64;
    if reading.offset >= reading.size {
        reading.feed.end();
    }
}

fn continue_reading(mut reading: Box<Reading>) -> Stage {
    if reading.awaiting {
        return Stage::Reading(reading);
    }
    let Reading {
        mapping, feed, log, ..
    } = &mut *reading;
    let read = feed.records(CHUNK, |record| {
        let event = mapping.map(&record).map_err(LogStop::Unmapped)?;
        log.push(&event)
            .map(|_| ())
            .map_err(|error| LogStop::Refused(error.to_string()))
    });
    match read {
        Ok(true) => Stage::Reading(reading),
        // Every whole record read: the next slice, unless the file is done.
        Ok(false) if !reading.feed.is_done() => {
            match &reading.source {
                LogSource::Bytes(bytes) => {
                    let from = reading.offset as usize;
                    let to = (reading.offset + SLICE).min(reading.size) as usize;
                    let slice = bytes.clone();
                    feed_slice(&mut reading, &slice[from..to]);
                }
                LogSource::File(_) => reading.awaiting = true,
            }
            Stage::Reading(reading)
        }
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
                match_minutes: Rc::from([]),
                refusal: None,
                diff_from: Position::ORIGIN,
                skipped: None,
                jump_problem: None,
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
                open.match_minutes = match &open.matches {
                    Some(matches) => minute_runs(open.log.store(), matches).into(),
                    None => Rc::from([]),
                };
                open.query = text;
                open.refusal = None;
            }
            Err(error) => open.refusal = Some(error.to_string()),
        },
        ExploreAction::DiffFrom(at) => open.diff_from = at.min(head),
        ExploreAction::Visit(at) => {
            open.cursor = at.min(head);
            open.selected = open.log.store().event(at).map(|_| at);
        }
        ExploreAction::SeekTime(text) => match Timestamp::parse(&text) {
            Some(time) => {
                open.cursor = open.log.store().position_at(time);
                open.jump_problem = None;
            }
            None => {
                open.jump_problem = Some(format!(
                    "\u{201c}{}\u{201d} is not a date and time (YYYY-MM-DD HH:MM:SS, UTC).",
                    crate::format::clip(text.trim(), 40)
                ))
            }
        },
        ExploreAction::Skip(choice) => {
            open.skipped = choice.and_then(|what| {
                let positions = match &what {
                    SkipChoice::Event(at) => {
                        open.log.store().event(*at)?;
                        Rc::new(vec![*at])
                    }
                    SkipChoice::Matches(_) => open.matches.clone()?,
                };
                Some(Skipped { positions, what })
            });
            open.tab = ExploreTab::WhatIf;
        }
        ExploreAction::Match(step) => {
            if let Some(at) = open.match_from_cursor(step) {
                open.cursor = at;
                open.selected = Some(at);
            }
        }
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
        let mut stage = step(stage, ExploreAction::Build, 1);
        while matches!(stage, Stage::Reading(_)) {
            stage = step(stage, ExploreAction::Continue, 2);
        }
        stage
    }

    fn read_text(text: &str) -> Stage {
        step(
            Stage::Closed,
            ExploreAction::read_bytes("acme.json".into(), text.as_bytes().into()),
            0,
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
            0,
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
        let late = ExploreAction::read_bytes("late.json".into(), CLOUDEVENTS.as_bytes().into());
        let Stage::Open(still) = step(Stage::Open(open), late, 3) else {
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

    fn library(events: u64) -> Vec<u8> {
        eventide_logs::bench::ndjson(eventide_logs::bench::LogBenchConfig {
            events,
            seed: 3,
            plain_peer: false,
        })
    }

    #[test]
    fn it_should_read_a_log_larger_than_a_slice_across_slices() {
        let file = library(15_000);
        assert!(file.len() as u64 > SLICE, "more than one slice");
        let Stage::Mapping(mapping) = step(
            Stage::Closed,
            ExploreAction::read_bytes("big.ndjson".into(), file.into()),
            0,
        ) else {
            panic!("expected the mapping step");
        };
        assert_eq!(
            mapping.sample.len(),
            eventide_logs::SAMPLE,
            "sampled from the head"
        );
        let Stage::Open(open) = open_all(Stage::Mapping(mapping)) else {
            panic!("expected an open log");
        };
        assert_eq!(open.log.store().len(), 15_000);
    }

    /// A reading that waits for the page to read its next slice, as a file's does.
    fn awaiting(text: &str) -> Box<Reading> {
        let Stage::Reading(mut reading) = step(read_text(text), ExploreAction::Build, 7) else {
            panic!("expected a reading");
        };
        reading.awaiting = true;
        reading
    }

    #[test]
    fn it_should_take_only_the_slice_it_waits_for() {
        let text = "{\"type\":\"a\"}\n{\"type\":\"b\"}\n";
        let slice = |id, at, bytes: &str| ExploreAction::Slice {
            id,
            at,
            bytes: Ok(bytes.as_bytes().to_vec()),
        };
        // From an earlier read (cancelled), or for another place: left alone.
        let Stage::Reading(reading) = step(Stage::Reading(awaiting(text)), slice(6, 0, text), 8)
        else {
            panic!("still reading");
        };
        assert_eq!(reading.progress().0, 0);
        let Stage::Reading(reading) = step(Stage::Reading(reading), slice(7, 5, text), 8) else {
            panic!("still reading");
        };
        assert_eq!(reading.progress().0, 0);
        // The one it waits for.
        let Stage::Reading(reading) = step(Stage::Reading(reading), slice(7, 0, text), 8) else {
            panic!("still reading");
        };
        assert_eq!(reading.progress(), (text.len() as u64, text.len() as u64));
        let Stage::Open(open) = step(Stage::Reading(reading), ExploreAction::Continue, 9) else {
            panic!("expected an open log");
        };
        assert_eq!(open.log.store().len(), 2);
    }

    #[test]
    fn it_should_keep_nothing_when_a_slice_cannot_be_read() {
        let text = "{\"type\":\"a\"}\n";
        let failed = ExploreAction::Slice {
            id: 7,
            at: 0,
            bytes: Err("NotReadableError".into()),
        };
        let Stage::Refused { message } = step(Stage::Reading(awaiting(text)), failed, 8) else {
            panic!("expected a refusal");
        };
        assert!(message.contains("NotReadableError"), "{message}");
        assert!(message.contains("Nothing was kept"), "{message}");
    }

    #[test]
    fn it_should_refuse_a_head_with_no_whole_event() {
        // A file bigger than its head whose first record does not end within it.
        let mut file = b"{\"type\":\"a\",\"data\":\"".to_vec();
        file.resize(HEAD as usize + 10, b'x');
        let head = file[..HEAD as usize].to_vec();
        let stage = step(
            Stage::Closed,
            ExploreAction::Read {
                name: "huge.ndjson".into(),
                source: LogSource::Bytes(file.into()),
                head,
                remembered: None,
            },
            0,
        );
        let Stage::Refused { message } = stage else {
            panic!("expected a refusal");
        };
        assert!(message.contains("no whole event"), "{message}");
    }

    #[test]
    fn it_should_step_through_the_matches_from_the_cursor() {
        let Stage::Open(open) = open_all(read_text(CLOUDEVENTS)) else {
            panic!("expected an open log");
        };
        let open = on_open(
            open,
            ExploreAction::Query(r#"producer == "/billing""#.into()),
        );
        assert_eq!(open.match_minutes.len(), 2, "10:00 and 10:05");
        let open = on_open(open, ExploreAction::Match(MatchStep::First));
        assert_eq!(
            (open.cursor, open.selected),
            (Position(1), Some(Position(1)))
        );
        let open = on_open(open, ExploreAction::Match(MatchStep::Previous));
        assert_eq!(open.cursor, Position(1), "nothing before the first");
        let open = on_open(open, ExploreAction::Match(MatchStep::Next));
        assert_eq!(open.cursor, Position(2));
        let open = on_open(open, ExploreAction::Seek(Position(3)));
        let open = on_open(open, ExploreAction::Match(MatchStep::Previous));
        assert_eq!(open.cursor, Position(2));
        let open = on_open(open, ExploreAction::Match(MatchStep::Next));
        assert_eq!(open.cursor, Position(2), "nothing after the last");
        let open = on_open(open, ExploreAction::Seek(Position::ORIGIN));
        let open = on_open(open, ExploreAction::Match(MatchStep::Last));
        assert_eq!(open.cursor, Position(2));
    }

    #[test]
    fn it_should_go_back_to_a_version_and_to_a_time() {
        let Stage::Open(open) = open_all(read_text(CLOUDEVENTS)) else {
            panic!("expected an open log");
        };
        let open = on_open(open, ExploreAction::Visit(Position(1)));
        assert_eq!(
            (open.cursor, open.selected),
            (Position(1), Some(Position(1)))
        );
        let open = on_open(open, ExploreAction::SeekTime("2025-01-02 10:05:30".into()));
        assert_eq!(open.cursor, Position(2));
        assert_eq!(open.jump_problem, None);
        let open = on_open(open, ExploreAction::SeekTime("next tuesday".into()));
        assert_eq!(open.cursor, Position(2), "a bad time changes nothing");
        assert!(open
            .jump_problem
            .as_deref()
            .is_some_and(|why| why.contains("next tuesday")));
    }

    #[test]
    fn it_should_skip_one_event_or_the_matches_without_touching_the_log() {
        let Stage::Open(open) = open_all(read_text(CLOUDEVENTS)) else {
            panic!("expected an open log");
        };
        let open = on_open(
            open,
            ExploreAction::Skip(Some(SkipChoice::Event(Position(2)))),
        );
        assert_eq!(open.tab, ExploreTab::WhatIf);
        assert_eq!(
            open.skipped.as_ref().map(|skip| skip.positions.to_vec()),
            Some(vec![Position(2)])
        );
        let open = on_open(
            open,
            ExploreAction::Skip(Some(SkipChoice::Event(Position(99)))),
        );
        assert_eq!(open.skipped, None, "no such event: nothing skipped");
        let open = on_open(
            open,
            ExploreAction::Skip(Some(SkipChoice::Matches("x".into()))),
        );
        assert_eq!(open.skipped, None, "no query applied: nothing to skip");
        let open = on_open(
            open,
            ExploreAction::Query(r#"producer == "/billing""#.into()),
        );
        let query = open.query.clone();
        let open = on_open(open, ExploreAction::Skip(Some(SkipChoice::Matches(query))));
        assert_eq!(
            open.skipped.as_ref().map(|skip| skip.positions.len()),
            Some(2)
        );
        assert_eq!(open.log.store().len(), 3, "the log is whole");
        let open = on_open(open, ExploreAction::Skip(None));
        assert_eq!(open.skipped, None);
    }

    #[test]
    fn it_should_start_from_the_mapping_chosen_last_time_if_it_still_reads() {
        let Stage::Mapping(detected) = read_text(CLOUDEVENTS) else {
            panic!("expected the mapping step");
        };
        assert!(!detected.remembered);
        let chosen = detected
            .mapping
            .clone()
            .with(Role::Stream, FieldPath::parse("source").ok())
            .unwrap();
        let again = |remembered: Mapping| {
            step(
                Stage::Closed,
                ExploreAction::Read {
                    name: "acme.json".into(),
                    source: LogSource::Bytes(CLOUDEVENTS.as_bytes().into()),
                    head: CLOUDEVENTS.as_bytes().to_vec(),
                    remembered: Some(Box::new(remembered)),
                },
                0,
            )
        };
        let Stage::Mapping(step_again) = again(chosen.clone()) else {
            panic!("expected the mapping step");
        };
        assert!(step_again.remembered);
        assert_eq!(step_again.mapping, chosen);
        // A choice that no longer reads the file (its type field is gone) is not used.
        let stale = Mapping::only_type(FieldPath::parse("kind").unwrap());
        let Stage::Mapping(detected_again) = again(stale) else {
            panic!("expected the mapping step");
        };
        assert!(!detected_again.remembered);
        assert_eq!(detected_again.mapping, detected.mapping);
    }
}
