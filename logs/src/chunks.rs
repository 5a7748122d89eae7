//! A log read a chunk of records at a time, for a caller that must yield between chunks (a
//! browser tab showing progress, with a Cancel button). NDJSON is read line by line from where
//! the last chunk stopped; a batch (one JSON array) is split into its records once, at the start.

use crate::read::{parse_line, read_log, LogFormat, ReadError, Record, Stop};

/// The records of one file, handed out in chunks.
#[derive(Debug)]
pub struct Chunks {
    source: Source,
    total: usize,
}

#[derive(Debug)]
enum Source {
    Lines {
        bytes: Vec<u8>,
        offset: usize,
        line: u64,
    },
    Batch {
        records: std::vec::IntoIter<Record>,
    },
}

impl Chunks {
    /// Ready to read `bytes`. A batch is checked whole here: a broken element is named now.
    pub fn new(bytes: Vec<u8>) -> Result<Chunks, ReadError> {
        match LogFormat::detect(&bytes) {
            LogFormat::Lines => Ok(Chunks {
                total: bytes.len(),
                source: Source::Lines {
                    bytes,
                    offset: 0,
                    line: 0,
                },
            }),
            LogFormat::Batch => {
                let mut records = Vec::new();
                read_log(bytes.as_slice(), |record| {
                    records.push(record);
                    Ok::<(), ()>(())
                })
                .map_err(|stop| match stop {
                    Stop::Unreadable(error) => error,
                    Stop::Refused(()) => ReadError {
                        place: None,
                        message: "the batch could not be read".into(),
                    },
                })?;
                Ok(Chunks {
                    total: records.len(),
                    source: Source::Batch {
                        records: records.into_iter(),
                    },
                })
            }
        }
    }

    /// Hands up to `most` records to `each`; `Ok(false)` once the file is done.
    pub fn next_chunk<E>(
        &mut self,
        most: usize,
        mut each: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<bool, Stop<E>> {
        match &mut self.source {
            Source::Batch { records } => {
                for record in records.by_ref().take(most) {
                    each(record).map_err(Stop::Refused)?;
                }
                Ok(records.len() > 0)
            }
            Source::Lines {
                bytes,
                offset,
                line,
            } => {
                let mut handed = 0;
                while handed < most && *offset < bytes.len() {
                    let rest = &bytes[*offset..];
                    let end = rest
                        .iter()
                        .position(|&byte| byte == b'\n')
                        .map_or(rest.len(), |newline| newline + 1);
                    *line += 1;
                    let record = parse_line(*line, &rest[..end]).map_err(Stop::Unreadable)?;
                    *offset += end;
                    if let Some(record) = record {
                        handed += 1;
                        each(record).map_err(Stop::Refused)?;
                    }
                }
                Ok(*offset < bytes.len())
            }
        }
    }

    /// How far it has read and of how much: bytes of NDJSON, or records of a batch.
    pub fn progress(&self) -> (usize, usize) {
        match &self.source {
            Source::Lines { offset, .. } => (*offset, self.total),
            Source::Batch { records } => (self.total - records.len(), self.total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Place;

    fn all(text: &str, most: usize) -> Result<Vec<Place>, ReadError> {
        let mut chunks = Chunks::new(text.as_bytes().to_vec())?;
        let mut places = Vec::new();
        loop {
            let more = chunks
                .next_chunk(most, |record| {
                    places.push(record.place);
                    Ok::<(), ()>(())
                })
                .map_err(|stop| match stop {
                    Stop::Unreadable(error) => error,
                    Stop::Refused(()) => unreachable!(),
                })?;
            if !more {
                return Ok(places);
            }
        }
    }

    #[test]
    fn it_should_read_lines_in_chunks_numbered_as_a_file_is() {
        let text = "{\"type\":\"a\"}\n\n{\"type\":\"b\"}\n{\"type\":\"c\"}";
        for most in [1, 2, 10] {
            assert_eq!(
                all(text, most).unwrap(),
                [Place::Line(1), Place::Line(3), Place::Line(4)]
            );
        }
    }

    #[test]
    fn it_should_name_the_broken_line() {
        let error = all("{\"type\":\"a\"}\n{\"type\":\n", 1).unwrap_err();
        assert_eq!(error.place, Some(Place::Line(2)));
    }

    #[test]
    fn it_should_read_a_batch_in_chunks() {
        let text = "[{\"type\":\"a\"},{\"type\":\"b\"},{\"type\":\"c\"}]";
        assert_eq!(
            all(text, 2).unwrap(),
            [Place::Item(1), Place::Item(2), Place::Item(3)]
        );
        let error = Chunks::new(b"[{\"type\":\"a\"}, 3]".to_vec()).unwrap_err();
        assert_eq!(error.place, Some(Place::Item(2)));
    }
}
