//! A log read from bytes as they arrive, for a caller that gets a file a slice at a time and
//! must yield between them (a browser tab reading a file of hundreds of megabytes with
//! progress and a Cancel button). Only the record being cut is held: NDJSON is cut at each
//! newline; a batch (one JSON array) at each top-level comma, found by tracking strings and
//! nesting, so neither is ever held whole.

use serde_json::Value;

use crate::read::{object, parse_line, without_position, LogFormat, Place, ReadError, Record, BOM};

/// Bytes taken in and records handed out.
#[derive(Debug, Default)]
pub struct Feed {
    /// Bytes not yet handed out, from `start` on.
    pending: Vec<u8>,
    start: usize,
    /// Where the search for the next record's end goes on from.
    scan: usize,
    layout: Layout,
    /// Records handed so far: lines of NDJSON (blank ones too), or elements of a batch.
    counted: u64,
    fed: u64,
    ended: bool,
    /// The first record that could not be read: asked again, the same answer.
    failed: Option<ReadError>,
}

#[derive(Debug, Default)]
enum Layout {
    /// Not yet known: no byte but blanks (and a byte-order mark) seen.
    #[default]
    Unknown,
    Lines,
    Batch(Cut),
}

/// Where a batch's cutting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Before the `[`.
    Opening,
    /// After the `[`: an element, or `]`.
    First,
    /// After a `,`: an element.
    Next,
    /// In an element begun at `from` (an index in `pending`).
    Inside {
        from: usize,
        depth: u32,
        in_text: bool,
        escaped: bool,
    },
    /// After the closing `]`: only blanks.
    Closed,
}

impl Feed {
    pub fn new() -> Feed {
        Feed::default()
    }

    /// Takes in the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8]) {
        // Let go of what was handed out once it is most of the buffer.
        if self.start > 0 && self.start >= self.pending.len() / 2 {
            self.pending.drain(..self.start);
            self.scan -= self.start;
            if let Layout::Batch(Cut::Inside { from, .. }) = &mut self.layout {
                *from -= self.start;
            }
            self.start = 0;
        }
        self.pending.extend_from_slice(bytes);
        self.fed += bytes.len() as u64;
    }

    /// No more bytes will come: the last line needs no newline, and a batch must be closed.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// How many bytes were taken in.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    /// Whether the file has ended and every record was handed out (a batch closed, and nothing
    /// refused).
    pub fn is_done(&self) -> bool {
        self.ended
            && self.failed.is_none()
            && self.start >= self.pending.len()
            && !matches!(self.layout, Layout::Batch(cut) if cut != Cut::Closed)
    }

    /// Hands up to `most` whole records to `each`; `Ok(false)` once no whole record is left in
    /// what was taken in (push more, or the file is done).
    pub fn records<E>(
        &mut self,
        most: usize,
        mut each: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<bool, crate::read::Stop<E>> {
        use crate::read::Stop;
        for _ in 0..most {
            match self.next_record().map_err(Stop::Unreadable)? {
                Some(record) => each(record).map_err(Stop::Refused)?,
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    /// The next whole record, if one has arrived.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let next = self.cut_next();
        if let Err(error) = &next {
            self.failed = Some(error.clone());
        }
        next
    }

    fn cut_next(&mut self) -> Result<Option<Record>, ReadError> {
        loop {
            match self.layout {
                Layout::Unknown => {
                    if !self.detect() {
                        return Ok(None);
                    }
                }
                Layout::Lines => match self.next_line()? {
                    Some(Some(record)) => return Ok(Some(record)),
                    // A blank line: on to the next.
                    Some(None) => {}
                    None => return Ok(None),
                },
                Layout::Batch(_) => return self.next_element(),
            }
        }
    }

    /// Decides the layout from the first byte that is not blank; `false` while none has come.
    fn detect(&mut self) -> bool {
        let rest = &self.pending[self.start..];
        // A mark cut between two pushes is not yet a mark.
        if !self.ended && rest.len() < BOM.len() && BOM.starts_with(rest) {
            return false;
        }
        let head = rest.strip_prefix(BOM).unwrap_or(rest);
        if !self.ended && head.iter().all(u8::is_ascii_whitespace) {
            return false;
        }
        self.layout = match LogFormat::detect(rest) {
            LogFormat::Lines => Layout::Lines,
            LogFormat::Batch => {
                // The mark goes: serde_json does not read it.
                if rest.starts_with(BOM) {
                    self.start += BOM.len();
                    self.scan = self.start;
                }
                Layout::Batch(Cut::Opening)
            }
        };
        true
    }

    /// The next line as its record (`Some(None)` when blank), or `None` until it has ended.
    fn next_line(&mut self) -> Result<Option<Option<Record>>, ReadError> {
        let end = match self.pending[self.scan..]
            .iter()
            .position(|&byte| byte == b'\n')
        {
            Some(newline) => self.scan + newline + 1,
            None if self.ended && self.start < self.pending.len() => self.pending.len(),
            None => {
                self.scan = self.pending.len();
                return Ok(None);
            }
        };
        self.counted += 1;
        let record = parse_line(self.counted, &self.pending[self.start..end])?;
        self.start = end;
        self.scan = end;
        Ok(Some(record))
    }

    fn next_element(&mut self) -> Result<Option<Record>, ReadError> {
        let Layout::Batch(mut cut) = self.layout else {
            return Ok(None);
        };
        let mut at = self.scan;
        let found = loop {
            let Some(&byte) = self.pending.get(at) else {
                break None;
            };
            let blank = byte.is_ascii_whitespace();
            match &mut cut {
                Cut::Opening if blank => {}
                Cut::Opening if byte == b'[' => cut = Cut::First,
                Cut::Opening => return Err(self.refuse(None, "the batch is not a JSON array")),
                Cut::First | Cut::Next if blank => {}
                Cut::First if byte == b']' => cut = Cut::Closed,
                Cut::Next if byte == b']' => {
                    return Err(self.refuse(
                        Some(Place::Item(self.counted + 1)),
                        "the batch has a comma before its closing ]",
                    ))
                }
                Cut::First | Cut::Next => {
                    cut = Cut::Inside {
                        from: at,
                        depth: 0,
                        in_text: false,
                        escaped: false,
                    };
                    // This byte is the element's first: read it as one.
                    continue;
                }
                Cut::Inside {
                    from,
                    depth,
                    in_text,
                    escaped,
                } => {
                    if *in_text {
                        match byte {
                            _ if *escaped => *escaped = false,
                            b'\\' => *escaped = true,
                            b'"' => *in_text = false,
                            _ => {}
                        }
                    } else {
                        match byte {
                            b'"' => *in_text = true,
                            b'{' | b'[' => *depth += 1,
                            b'}' | b']' if *depth > 0 => *depth -= 1,
                            b',' | b']' if *depth == 0 => {
                                let element = (*from, at);
                                cut = if byte == b',' { Cut::Next } else { Cut::Closed };
                                break Some(element);
                            }
                            _ => {}
                        }
                    }
                }
                Cut::Closed if blank => {}
                Cut::Closed => {
                    return Err(self.refuse(None, "the batch has text after its closing ]"))
                }
            }
            at += 1;
        };
        self.layout = Layout::Batch(cut);
        let Some((from, to)) = found else {
            self.scan = at;
            if let Cut::Inside { from, .. } = cut {
                // What is cut so far stays; what came before it can go.
                self.start = from;
            } else {
                self.start = at;
            }
            if self.ended && cut != Cut::Closed {
                // Cut short inside an element: that element is where it breaks.
                let place = match cut {
                    // A whole value and no `,` or `]` after it: the next one is missing.
                    Cut::Inside { from, .. } => match first_value(&self.pending[from..]) {
                        // Not an event: that is what a whole read says first.
                        Some(value) if !value.is_object() => {
                            return object(Place::Item(self.counted + 1), value).map(Some)
                        }
                        Some(_) => Place::Item(self.counted + 2),
                        None => Place::Item(self.counted + 1),
                    },
                    _ => Place::Item(self.counted + 1),
                };
                let place = Some(place);
                return Err(self.refuse(
                    place,
                    "the batch ends before its closing ] (the file may be cut short)",
                ));
            }
            return Ok(None);
        };
        self.counted += 1;
        let place = Place::Item(self.counted);
        let value: Value = match serde_json::from_slice(&self.pending[from..to]) {
            Ok(value) => value,
            Err(error) => {
                // A whole value with more after it: a `,` is missing before the next.
                let place = match first_value(&self.pending[from..to]) {
                    Some(value) if !value.is_object() => return object(place, value).map(Some),
                    Some(_) => Place::Item(self.counted + 1),
                    None => place,
                };
                return Err(ReadError {
                    place: Some(place),
                    message: format!("not a JSON object: {}", without_position(&error)),
                });
            }
        };
        self.start = at + 1;
        self.scan = at + 1;
        object(place, value).map(Some)
    }

    fn refuse(&self, place: Option<Place>, message: &str) -> ReadError {
        ReadError {
            place,
            message: message.into(),
        }
    }
}

/// The first JSON value in `bytes`, if it is whole.
fn first_value(bytes: &[u8]) -> Option<Value> {
    serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .next()?
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_log;

    /// Every record of `text`, fed `slice` bytes at a time.
    fn fed(text: &[u8], slice: usize) -> Result<Vec<Record>, ReadError> {
        let mut feed = Feed::new();
        let mut records = Vec::new();
        for part in text.chunks(slice.max(1)) {
            feed.push(part);
            while let Some(record) = feed.next_record()? {
                records.push(record);
            }
        }
        feed.end();
        while let Some(record) = feed.next_record()? {
            records.push(record);
        }
        assert!(feed.is_done());
        Ok(records)
    }

    fn whole(text: &[u8]) -> Result<Vec<Record>, ReadError> {
        let mut records = Vec::new();
        read_log(text, |record| {
            records.push(record);
            Ok::<(), ()>(())
        })
        .map_err(|stop| match stop {
            crate::read::Stop::Unreadable(error) => error,
            crate::read::Stop::Refused(()) => unreachable!(),
        })?;
        Ok(records)
    }

    #[test]
    fn it_should_cut_lines_wherever_the_slices_fall() {
        let text = "\u{feff}{\"type\":\"a\"}\n\n{\"type\":\"b, \\\"c\\\"\"}\r\n{\"type\":\"c\"}";
        for slice in [1, 2, 3, 7, 100] {
            assert_eq!(
                fed(text.as_bytes(), slice),
                whole(text.as_bytes()),
                "{slice}"
            );
        }
        let places: Vec<Place> = fed(text.as_bytes(), 5)
            .unwrap()
            .iter()
            .map(|record| record.place)
            .collect();
        assert_eq!(places, [Place::Line(1), Place::Line(3), Place::Line(4)]);
    }

    #[test]
    fn it_should_cut_a_batch_at_its_top_level_commas_only() {
        let text = "\u{feff} [ {\"type\":\"a\",\"data\":{\"list\":[1,{\"x\":\"],\"}]}},\n {\"type\":\"b\\\\\"} ] \n";
        for slice in [1, 2, 5, 64] {
            assert_eq!(
                fed(text.as_bytes(), slice),
                whole(text.as_bytes()),
                "{slice}"
            );
        }
        assert_eq!(fed(b"[]", 1).unwrap(), []);
        assert_eq!(fed(b"  \n", 1).unwrap(), []);
    }

    #[test]
    fn it_should_name_what_breaks_a_batch() {
        let error = |text: &str| fed(text.as_bytes(), 3).unwrap_err();
        assert_eq!(error("[{\"type\":\"a\"}, 3]").place, Some(Place::Item(2)));
        assert_eq!(
            error("[{\"type\":\"a\"}, {\"type\":]").place,
            Some(Place::Item(2))
        );
        assert!(error("[{\"type\":\"a\"},]").message.contains("comma"));
        assert!(error("[{\"type\":\"a\"}").message.contains("closing ]"));
        assert!(error("[{\"type\":\"a\"}] x").message.contains("after"));
    }

    #[test]
    fn it_should_say_the_same_when_asked_again_after_a_broken_record() {
        let mut feed = Feed::new();
        feed.push(b"{\"type\":\"a\"}\n{\"type\":\n{\"type\":\"c\"}\n");
        feed.end();
        assert!(feed.next_record().unwrap().is_some());
        let first = feed.next_record().unwrap_err();
        assert_eq!(first.place, Some(Place::Line(2)));
        assert_eq!(feed.next_record().unwrap_err(), first);
        assert!(!feed.is_done());
        // A batch cut short is not done, even before its end is read.
        let mut batch = Feed::new();
        batch.push(b"[{\"type\":\"a\"},");
        while batch.next_record().unwrap().is_some() {}
        batch.end();
        assert!(!batch.is_done());
    }

    #[test]
    fn it_should_place_a_broken_batch_where_a_whole_read_does() {
        for text in ["[{},]", "[{},", "[{}", "[{} {}]", "["] {
            let fed = fed(text.as_bytes(), 1).unwrap_err().place;
            assert_eq!(fed, whole(text.as_bytes()).unwrap_err().place, "{text}");
        }
    }

    #[test]
    fn it_should_name_the_broken_line() {
        let error = fed(b"{\"type\":\"a\"}\n{\"type\":\n{\"type\":\"c\"}\n", 4).unwrap_err();
        assert_eq!(error.place, Some(Place::Line(2)));
    }

    #[test]
    fn it_should_hold_only_the_record_being_cut() {
        let line = "{\"type\":\"a\",\"data\":{\"n\":1}}\n";
        let mut feed = Feed::new();
        for _ in 0..1_000 {
            feed.push(line.as_bytes());
            while feed.next_record().unwrap().is_some() {}
        }
        assert!(
            feed.pending.capacity() < line.len() * 8,
            "{}",
            feed.pending.capacity()
        );
        assert_eq!(feed.fed(), (line.len() * 1_000) as u64);
    }
}
