//! Reading a log one record at a time, whatever its size: a JSON array (a CloudEvents batch,
//! `application/cloudevents-batch+json`) or one JSON object per line (NDJSON, as `kcat -J`,
//! `nats stream get` or a KurrentDB export writes them). Nothing is held but the record at hand.

use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value;

/// How the records are laid out in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON array of event objects.
    Batch,
    /// One JSON object per line; blank lines are skipped.
    Lines,
}

impl LogFormat {
    /// A file whose first character (after blanks and a byte-order mark) opens an array is a
    /// batch; anything else is read line by line.
    pub fn detect(head: &[u8]) -> LogFormat {
        let head = head.strip_prefix(BOM).unwrap_or(head);
        match head.iter().find(|byte| !byte.is_ascii_whitespace()) {
            Some(b'[') => LogFormat::Batch,
            _ => LogFormat::Lines,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Batch => "JSON array (CloudEvents batch)",
            LogFormat::Lines => "NDJSON (one event per line)",
        }
    }
}

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where a record is in its file, as a user finds it in an editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// A line of an NDJSON file, from 1.
    Line(u64),
    /// An element of a batch, from 1.
    Item(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(line) => write!(f, "line {line}"),
            Place::Item(item) => write!(f, "event {item} of the batch"),
        }
    }
}

/// One event object as it was written, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub place: Place,
    pub value: Value,
}

/// The file itself could not be read as a log: malformed JSON, a record that is not an object,
/// or an I/O error. `place` is where it happened, when that is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub place: Option<Place>,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Some(place) => write!(f, "{place}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// Why reading stopped before the end: the file, or the caller's `each` (which refused a record
/// or was asked to cancel).
#[derive(Debug, PartialEq)]
pub enum Stop<E> {
    Unreadable(ReadError),
    Refused(E),
}

/// Reads every record in order, handing each to `each`; returns how many there were. Stops at
/// the first record the file cannot give or `each` refuses.
pub fn read_log<R: BufRead, E>(
    mut reader: R,
    mut each: impl FnMut(Record) -> Result<(), E>,
) -> Result<u64, Stop<E>> {
    let head = reader.fill_buf().map_err(|error| io(None, &error))?;
    match LogFormat::detect(head) {
        LogFormat::Lines => read_lines(reader, each),
        LogFormat::Batch => read_batch(reader, &mut each),
    }
}

fn io<E>(place: Option<Place>, error: &std::io::Error) -> Stop<E> {
    Stop::Unreadable(ReadError {
        place,
        message: format!("the file could not be read: {error}"),
    })
}

fn read_lines<R: BufRead, E>(
    mut reader: R,
    mut each: impl FnMut(Record) -> Result<(), E>,
) -> Result<u64, Stop<E>> {
    let mut line = Vec::new();
    let mut number = 0;
    let mut records = 0;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|error| io(Some(Place::Line(number + 1)), &error))?;
        if read == 0 {
            return Ok(records);
        }
        number += 1;
        if let Some(record) = parse_line(number, &line).map_err(Stop::Unreadable)? {
            records += 1;
            each(record).map_err(Stop::Refused)?;
        }
    }
}

/// Line `number` of an NDJSON file as its record; `None` for a blank line.
pub fn parse_line(number: u64, line: &[u8]) -> Result<Option<Record>, ReadError> {
    let text = if number == 1 {
        line.strip_prefix(BOM).unwrap_or(line)
    } else {
        line
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let place = Place::Line(number);
    let value: Value = serde_json::from_slice(text).map_err(|error| ReadError {
        place: Some(place),
        message: format!("not a JSON object: {}", without_position(&error)),
    })?;
    object(place, value).map(Some)
}

pub(crate) fn object(place: Place, value: Value) -> Result<Record, ReadError> {
    if value.is_object() {
        Ok(Record { place, value })
    } else {
        Err(ReadError {
            place: Some(place),
            message: format!("an event must be a JSON object, not {}", kind_of(&value)),
        })
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its " at line 1 column 7" (a line of NDJSON is line 1 to it).
pub(crate) fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// A batch is deserialised as a sequence whose elements go to `each` as they are parsed, so a
/// batch of any size is never held whole.
fn read_batch<R: BufRead, E>(
    reader: R,
    each: &mut impl FnMut(Record) -> Result<(), E>,
) -> Result<u64, Stop<E>> {
    let mut reader = reader;
    // serde_json does not skip a byte-order mark.
    if reader
        .fill_buf()
        .map_err(|error| io(None, &error))?
        .starts_with(BOM)
    {
        reader.consume(BOM.len());
    }
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let mut batch = Batch {
        each,
        refused: None,
        unreadable: None,
    };
    let counted = (&mut batch).deserialize(&mut deserializer);
    let counted = counted.and_then(|count| deserializer.end().map(|()| count));
    match (counted, batch.refused, batch.unreadable) {
        (_, Some(refused), _) => Err(Stop::Refused(refused)),
        (_, None, Some(unreadable)) => Err(Stop::Unreadable(unreadable)),
        (Ok(count), None, None) => Ok(count),
        (Err(error), None, None) => Err(Stop::Unreadable(ReadError {
            place: None,
            message: format!("the batch is not a JSON array of events: {error}"),
        })),
    }
}

struct Batch<'a, F, E> {
    each: &'a mut F,
    refused: Option<E>,
    unreadable: Option<ReadError>,
}

impl<'de, F, E> DeserializeSeed<'de> for &mut Batch<'_, F, E>
where
    F: FnMut(Record) -> Result<(), E>,
{
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F, E> Visitor<'de> for &mut Batch<'_, F, E>
where
    F: FnMut(Record) -> Result<(), E>,
{
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of event objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut count = 0;
        loop {
            let place = Place::Item(count + 1);
            let value = match seq.next_element::<Value>() {
                Ok(Some(value)) => value,
                Ok(None) => return Ok(count),
                Err(error) => {
                    self.unreadable = Some(ReadError {
                        place: Some(place),
                        message: format!("not a JSON object: {error}"),
                    });
                    return Err(serde::de::Error::custom("stopped"));
                }
            };
            let record = match object(place, value) {
                Ok(record) => record,
                Err(error) => {
                    self.unreadable = Some(error);
                    return Err(serde::de::Error::custom("stopped"));
                }
            };
            count += 1;
            if let Err(refused) = (self.each)(record) {
                self.refused = Some(refused);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_all(text: &str) -> Result<Vec<Record>, Stop<()>> {
        let mut records = Vec::new();
        read_log(text.as_bytes(), |record| {
            records.push(record);
            Ok::<(), ()>(())
        })?;
        Ok(records)
    }

    #[test]
    fn lines_are_numbered_as_an_editor_numbers_them_and_blank_ones_skipped() {
        let records = read_all("{\"a\":1}\r\n\n  \n{\"a\":2}\n{\"a\":3}").expect("read");
        let places: Vec<Place> = records.iter().map(|record| record.place).collect();
        assert_eq!(places, [Place::Line(1), Place::Line(4), Place::Line(5)]);
        assert_eq!(records[2].value, json!({"a": 3}));
    }

    #[test]
    fn a_batch_is_read_element_by_element() {
        let records = read_all("\u{feff} [ {\"a\":1},\n {\"a\":2} ]\n").expect("read");
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].place, Place::Item(2));
        assert_eq!(read_all("[]").expect("read"), []);
    }

    #[test]
    fn a_broken_line_is_named_by_its_number() {
        let error = read_all("{\"a\":1}\n{\"a\":\n").expect_err("refused");
        let Stop::Unreadable(error) = error else {
            panic!("not a read error: {error:?}")
        };
        assert_eq!(error.place, Some(Place::Line(2)));
        assert!(
            error.to_string().starts_with("line 2: not a JSON object"),
            "{error}"
        );
        assert!(!error.message.contains("at line 1"), "{error}");
    }

    #[test]
    fn a_record_that_is_not_an_object_is_refused_in_either_format() {
        let Err(Stop::Unreadable(error)) = read_all("{}\n[1, 2]\n") else {
            panic!("an array line must be refused")
        };
        assert_eq!(
            error.to_string(),
            "line 2: an event must be a JSON object, not an array"
        );
        let Err(Stop::Unreadable(error)) = read_all("[{}, 7]") else {
            panic!("a number in a batch must be refused")
        };
        assert_eq!(
            error.to_string(),
            "event 2 of the batch: an event must be a JSON object, not a number"
        );
    }

    #[test]
    fn a_batch_cut_short_or_followed_by_more_is_refused() {
        assert!(matches!(read_all("[{\"a\":1},"), Err(Stop::Unreadable(_))));
        assert!(matches!(read_all("[{}] {}"), Err(Stop::Unreadable(_))));
    }

    #[test]
    fn the_caller_can_refuse_a_record_and_reading_stops_there() {
        let mut seen = 0;
        let stopped = read_log("[{}, {}, {}]".as_bytes(), |record| {
            seen += 1;
            if record.place == Place::Item(2) {
                Err("enough")
            } else {
                Ok(())
            }
        });
        assert_eq!(stopped, Err(Stop::Refused("enough")));
        assert_eq!(seen, 2);
    }

    #[test]
    fn the_format_is_told_by_the_first_character() {
        assert_eq!(LogFormat::detect(b"\xEF\xBB\xBF \n[{}]"), LogFormat::Batch);
        assert_eq!(LogFormat::detect(b"{}\n{}"), LogFormat::Lines);
        assert_eq!(LogFormat::detect(b""), LogFormat::Lines);
    }
}
