//! A foreign log at scale, measured: the figures `eventide bench-log` prints natively and the
//! browser benchmark prints for the wasm build. The lending library's log, generated to the
//! size asked for, is written as NDJSON and then read as a user's file is: a slice at a time
//! ([`Feed`]), mapped, held in an [`OpenLog`], and filtered by the query bar.
//!
//! The peer, in the same run, is what a plain reader does with the same file: every line
//! parsed into a `serde_json::Value` and kept in a `Vec`, and each query as a hand-written
//! closure over those values. Both must find the same events, or the run fails.
//!
//! Like the rest of the crate it reads no clock: the caller hands in a stopwatch
//! (milliseconds, any origin) and, where it can count them, the live heap bytes.

use serde::Serialize;
use serde_json::Value;

use crate::example::write_library_log;
use crate::feed::Feed;
use crate::filter::LogFilter;
use crate::mapping::Mapping;
use crate::models::OpenLog;
use crate::read::{parse_line, Stop};
use crate::{sample, values, SAMPLE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogBenchConfig {
    pub events: u64,
    pub seed: u64,
    /// Whether to run the `serde_json` peer too (natively; a browser tab has no room for a
    /// million `Value`s beside the log, and its peer is a plain-JavaScript reader).
    pub plain_peer: bool,
}

/// Every figure, in the units its name gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogBenchReport {
    pub events: usize,
    pub types: usize,
    pub streams: usize,
    pub flows: usize,
    /// The NDJSON file's size, per event, and the slices it is read in.
    pub file_bytes_per_event: f64,
    pub slice_bytes: usize,
    pub generate_ms: f64,
    /// Read, map and hold the whole file, a slice at a time as the browser does (once: it is
    /// the longest step, and what a user waits for).
    pub import_ms: f64,
    pub import_events_per_sec: f64,
    /// The log and its models as the store counts them, per event.
    pub bytes_per_event: f64,
    /// Live heap growth while importing, per event, where the caller can measure it.
    pub bytes_per_event_all_in: Option<f64>,
    /// The peer: every line parsed into a `serde_json::Value`, kept in a `Vec`.
    pub plain_import_ms: Option<f64>,
    pub plain_bytes_per_event_all_in: Option<f64>,
    /// `plain_import_ms / import_ms`: how many times faster the import is than the peer's.
    pub import_vs_plain: Option<f64>,
    /// Each of [`QUERIES`] over the whole log: the median of five scans.
    pub filter: Vec<LogFilterFigure>,
}

/// A query, timed in the store and as the peer's closure over parsed values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogFilterFigure {
    pub query: &'static str,
    pub matches: usize,
    pub ms: f64,
    pub plain_ms: Option<f64>,
    /// `plain_ms / ms`: how many times faster the query bar is than the peer's loop.
    pub vs_plain: Option<f64>,
}

/// A query of the bar and the same test written by hand over a CloudEvent's JSON.
pub struct BenchQuery {
    pub text: &'static str,
    pub plain: fn(&Value) -> bool,
}

/// The queries timed: a payload predicate alone, a type with a payload predicate, and
/// envelope fields only (a stream's prefix, a producer, under `not`).
pub const QUERIES: &[BenchQuery] = &[
    BenchQuery {
        text: "data.cents > 150",
        plain: |event| number(event, "cents").is_some_and(|cents| cents > 150.0),
    },
    BenchQuery {
        text: r#"type == "org.example.library.book.returned" and data.late_days > 3"#,
        plain: |event| {
            event["type"] == "org.example.library.book.returned"
                && number(event, "late_days").is_some_and(|days| days > 3.0)
        },
    },
    BenchQuery {
        text: r#"stream contains "member/M-0" and not producer == "/library/desk""#,
        plain: |event| {
            event["subject"]
                .as_str()
                .is_some_and(|subject| subject.contains("member/M-0"))
                && event["source"] != "/library/desk"
        },
    },
];

fn number(event: &Value, field: &str) -> Option<f64> {
    event.get("data")?.get(field)?.as_f64()
}

/// The slices a file is read in, in the browser and here.
pub const SLICE: usize = 4 << 20;

/// Generates the log, imports it and its peer, and times the queries.
pub fn run(
    config: LogBenchConfig,
    clock: &dyn Fn() -> f64,
    heap: Option<&dyn Fn() -> usize>,
) -> Result<LogBenchReport, String> {
    let started = clock();
    let file = ndjson(config);
    let generate_ms = clock() - started;

    let mapping = detect(&file)?;
    let file_bytes = file.len();
    // The peer reads the same file after the import, which takes its bytes and frees them.
    let peer_file = config.plain_peer.then(|| file.clone());
    let file_held = file.capacity();
    let heap_before = heap.map(|heap| heap().saturating_sub(file_held));
    let started = clock();
    let log = import(file, &mapping)?;
    let import_ms = clock() - started;
    let import_all_in = growth(heap, heap_before);

    let (plain, plain_import_ms, plain_all_in) = match peer_file {
        Some(file) => {
            let heap_before = heap.map(|heap| heap());
            let started = clock();
            let plain = plain_import(&file)?;
            let plain_import_ms = clock() - started;
            (
                Some(plain),
                Some(plain_import_ms),
                growth(heap, heap_before),
            )
        }
        None => (None, None, None),
    };

    let events = log.store().len();
    if let Some(plain) = plain.as_ref().filter(|plain| plain.len() != events) {
        return Err(format!(
            "the peer read {} events, the store {events}",
            plain.len()
        ));
    }
    let filter = QUERIES
        .iter()
        .map(|query| time_query(query, &log, plain.as_deref(), clock))
        .collect::<Result<Vec<_>, String>>()?;

    let per_event = |bytes: usize| (bytes as f64 / events.max(1) as f64).round();
    Ok(LogBenchReport {
        events,
        types: log.store().kinds().len(),
        streams: log.store().streams().len(),
        flows: log.store().correlations().len(),
        file_bytes_per_event: per_event(file_bytes),
        slice_bytes: SLICE,
        generate_ms: round(generate_ms),
        import_ms: round(import_ms),
        import_events_per_sec: (events as f64 / (import_ms / 1000.0).max(1e-9)).round(),
        bytes_per_event: per_event(log.heap_bytes()),
        bytes_per_event_all_in: import_all_in.map(per_event),
        plain_import_ms: plain_import_ms.map(round),
        plain_bytes_per_event_all_in: plain_all_in.map(per_event),
        import_vs_plain: plain_import_ms.map(|plain| round(plain / import_ms.max(1e-9))),
        filter,
    })
}

/// The library's log, cut at `events`, as an NDJSON file.
pub fn ndjson(config: LogBenchConfig) -> Vec<u8> {
    // About 3.5 events a loan: enough loans, and the rest cut off.
    let loans = config.events / 3 + 10;
    let mut file = Vec::new();
    let mut written = 0;
    write_library_log(config.seed, loans, &mut |event| {
        if written < config.events {
            // A `Value` always serialises.
            let _ = serde_json::to_writer(&mut file, &event);
            file.push(b'\n');
            written += 1;
        }
    });
    file
}

fn detect(file: &[u8]) -> Result<Mapping, String> {
    let records = sample(file, SAMPLE).map_err(|error| error.to_string())?;
    Mapping::detect(&values(&records))
        .map(|detection| detection.mapping)
        .map_err(|error| error.to_string())
}

/// The browser's path: the file a [`SLICE`] at a time into a [`Feed`], each whole record
/// mapped and pushed.
fn import(file: Vec<u8>, mapping: &Mapping) -> Result<OpenLog, String> {
    let mut feed = Feed::new();
    let mut log = OpenLog::new();
    let mut slices = file.chunks(SLICE);
    loop {
        let last = match slices.next() {
            Some(slice) => {
                feed.push(slice);
                false
            }
            None => {
                feed.end();
                true
            }
        };
        feed.records(usize::MAX, |record| {
            let event = mapping.map(&record).map_err(|error| error.to_string())?;
            log.push(&event).map_err(|error| error.to_string())?;
            Ok::<(), String>(())
        })
        .map_err(|stop| match stop {
            Stop::Unreadable(error) => error.to_string(),
            Stop::Refused(message) => message,
        })?;
        if feed.is_done() {
            log.settle();
            return Ok(log);
        }
        if last {
            return Err("the file ended with a record left unread".into());
        }
    }
}

fn plain_import(file: &[u8]) -> Result<Vec<Value>, String> {
    let mut events = Vec::new();
    for (number, line) in file.split(|&byte| byte == b'\n').enumerate() {
        if let Some(record) =
            parse_line(number as u64 + 1, line).map_err(|error| error.to_string())?
        {
            events.push(record.value);
        }
    }
    Ok(events)
}

fn time_query(
    query: &BenchQuery,
    log: &OpenLog,
    plain: Option<&[Value]>,
    clock: &dyn Fn() -> f64,
) -> Result<LogFilterFigure, String> {
    let filter = LogFilter::parse(query.text, log.store())
        .map_err(|error| format!("{}: {error}", query.text))?
        .ok_or_else(|| format!("{} is not a query", query.text))?;
    let mut matches = 0;
    let ms = median_of_five(clock, || matches = filter.scan(log.store()).len());
    let plain_ms = match plain {
        Some(plain) => {
            let mut plain_matches = 0;
            let plain_ms = median_of_five(clock, || {
                plain_matches = plain.iter().filter(|event| (query.plain)(event)).count();
            });
            if matches != plain_matches {
                return Err(format!(
                    "{}: the query bar found {matches} events, the peer {plain_matches}",
                    query.text
                ));
            }
            Some(plain_ms)
        }
        None => None,
    };
    Ok(LogFilterFigure {
        query: query.text,
        matches,
        ms: round(ms),
        plain_ms: plain_ms.map(round),
        vs_plain: plain_ms.map(|plain| round(plain / ms.max(1e-9))),
    })
}

fn median_of_five(clock: &dyn Fn() -> f64, mut run: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = clock();
            run();
            clock() - started
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn growth(heap: Option<&dyn Fn() -> usize>, before: Option<usize>) -> Option<usize> {
    heap.zip(before)
        .map(|(heap, before)| heap().saturating_sub(before))
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_cut_the_log_at_the_size_asked_for() {
        let file = ndjson(LogBenchConfig {
            events: 500,
            seed: 7,
            plain_peer: false,
        });
        assert_eq!(file.iter().filter(|&&byte| byte == b'\n').count(), 500);
    }

    #[test]
    fn it_should_find_the_same_events_in_the_store_and_the_peer() {
        let clock = || 0.0;
        let report = run(
            LogBenchConfig {
                events: 20_000,
                seed: 7,
                plain_peer: true,
            },
            &clock,
            None,
        )
        .unwrap();
        assert_eq!(report.events, 20_000);
        assert_eq!(report.filter.len(), QUERIES.len());
        // Each query picks some events and leaves others: a query that matched all or none
        // would time nothing worth reading.
        for figure in &report.filter {
            assert!(
                figure.matches > 0 && figure.matches < report.events,
                "{}: {}",
                figure.query,
                figure.matches
            );
        }
    }
}
