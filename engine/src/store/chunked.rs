//! The log's storage: an append-only sequence kept in chunks of a fixed size, and `LogSlice`,
//! a borrowed run of it.
//!
//! A `Vec` of every event doubles as it grows: at each doubling the old and the new buffer are
//! both alive, and wasm memory, once grown, never shrinks, so a million-event log cost a tab
//! half as much again as it held. Chunks never move: growing allocates one chunk more, and a
//! log of any length fits where its events fit.

use std::fmt;
use std::ops::{Index, Range};

/// Events a chunk holds once the log has outgrown its first one.
const CHUNK: usize = 1 << 14;

/// An append-only sequence in chunks of `CHUNK` elements (the first one grows as a `Vec` does,
/// so a small log costs what it holds).
#[derive(Clone, Debug)]
pub(super) struct ChunkedLog<T> {
    /// Every chunk but the last holds exactly `CHUNK` elements.
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedLog<T> {
    fn default() -> Self {
        ChunkedLog {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> ChunkedLog<T> {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => {
                if last.len() == last.capacity() {
                    // Doubling as a Vec would, but never past a chunk: a clone's last chunk
                    // has no room to spare, and pushing to it would otherwise double it.
                    let grown = (last.len() * 2).clamp(4, CHUNK);
                    last.reserve_exact(grown - last.len());
                }
                last.push(value);
            }
            _ => {
                // The first chunk starts small; later ones are allocated whole, once.
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() { 0 } else { CHUNK });
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub(super) fn get(&self, index: usize) -> Option<&T> {
        self.chunks.get(index / CHUNK)?.get(index % CHUNK)
    }

    pub(super) fn last(&self) -> Option<&T> {
        self.chunks.last()?.last()
    }

    /// The elements in `range` (clamped to the log).
    pub(super) fn slice(&self, range: Range<usize>) -> LogSlice<'_, T> {
        let end = range.end.min(self.len);
        let start = range.start.min(end);
        LogSlice {
            source: Source::Chunks(&self.chunks),
            start,
            end,
        }
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
            + self
                .chunks
                .iter()
                .map(|chunk| chunk.capacity() * std::mem::size_of::<T>())
                .sum::<usize>()
    }
}

/// A run of consecutive elements of a log, or of a plain slice: what `&[T]` was when the log was
/// one vector. Indexing, `len`, `first`, `last` and iteration (both ways, exact size) work as on
/// a slice.
pub struct LogSlice<'a, T> {
    source: Source<'a, T>,
    start: usize,
    end: usize,
}

/// What a run is a part of.
enum Source<'a, T> {
    /// A log's chunks: `CHUNK` elements each, the last maybe fewer.
    Chunks(&'a [Vec<T>]),
    /// One slice of any length.
    Flat(&'a [T]),
}

impl<T> Clone for Source<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Source<'_, T> {}

impl<T> Clone for LogSlice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for LogSlice<'_, T> {}

impl<'a, T> LogSlice<'a, T> {
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn get(&self, index: usize) -> Option<&'a T> {
        if index >= self.len() {
            return None;
        }
        let at = self.start + index;
        match self.source {
            Source::Chunks(chunks) => chunks.get(at / CHUNK)?.get(at % CHUNK),
            Source::Flat(slice) => slice.get(at),
        }
    }

    pub fn first(&self) -> Option<&'a T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&'a T> {
        self.len().checked_sub(1).and_then(|last| self.get(last))
    }

    /// The elements in `range` of this run (clamped to it).
    pub fn slice(&self, range: Range<usize>) -> LogSlice<'a, T> {
        let end = self.start.saturating_add(range.end).min(self.end);
        let start = self.start.saturating_add(range.start).min(end);
        LogSlice {
            source: self.source,
            start,
            end,
        }
    }

    /// The run from index `from` on.
    pub fn starting_at(&self, from: usize) -> LogSlice<'a, T> {
        self.slice(from..self.len())
    }

    /// The contiguous pieces of the run, in order (none when it is empty).
    fn parts(&self) -> Parts<'a, T> {
        match self.source {
            Source::Flat(slice) => Parts {
                front: Some(&slice[self.start..self.end]).filter(|part| !part.is_empty()),
                middle: &[],
                back: None,
            },
            Source::Chunks(_) if self.is_empty() => Parts {
                front: None,
                middle: &[],
                back: None,
            },
            Source::Chunks(chunks) => {
                let (first, last) = (self.start / CHUNK, (self.end - 1) / CHUNK);
                let from = self.start % CHUNK;
                let to = (self.end - 1) % CHUNK + 1;
                if first == last {
                    return Parts {
                        front: Some(&chunks[first][from..to]),
                        middle: &[],
                        back: None,
                    };
                }
                Parts {
                    front: Some(&chunks[first][from..]),
                    middle: &chunks[first + 1..last],
                    back: Some(&chunks[last][..to]),
                }
            }
        }
    }

    pub fn iter(&self) -> Iter<'a, T> {
        let parts = self.parts();
        Iter {
            front: parts.front.unwrap_or(&[]).iter(),
            middle: parts.middle,
            back: parts.back.unwrap_or(&[]).iter(),
        }
    }

    /// The index of the first element for which `pred` is false, given that it holds for a
    /// prefix of the run and fails for the rest (as `slice::partition_point`).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.get(middle) {
                Some(value) if pred(value) => low = middle + 1,
                _ => high = middle,
            }
        }
        low
    }

    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.iter().cloned().collect()
    }
}

impl<'a, T> From<&'a [T]> for LogSlice<'a, T> {
    /// A plain slice as a run: one piece.
    fn from(slice: &'a [T]) -> Self {
        LogSlice {
            source: Source::Flat(slice),
            start: 0,
            end: slice.len(),
        }
    }
}

impl<'a, T> From<&'a Vec<T>> for LogSlice<'a, T> {
    fn from(vec: &'a Vec<T>) -> Self {
        LogSlice::from(vec.as_slice())
    }
}

/// The contiguous pieces of a `LogSlice`: a first and a last part of a chunk, and whole chunks
/// between.
struct Parts<'a, T> {
    front: Option<&'a [T]>,
    middle: &'a [Vec<T>],
    back: Option<&'a [T]>,
}

impl<'a, T> Iterator for Parts<'a, T> {
    type Item = &'a [T];

    fn next(&mut self) -> Option<&'a [T]> {
        if let Some(front) = self.front.take() {
            return Some(front);
        }
        if let Some((chunk, rest)) = self.middle.split_first() {
            self.middle = rest;
            return Some(chunk);
        }
        self.back.take()
    }
}

impl<'a, T> DoubleEndedIterator for Parts<'a, T> {
    fn next_back(&mut self) -> Option<&'a [T]> {
        if let Some(back) = self.back.take() {
            return Some(back);
        }
        if let Some((chunk, rest)) = self.middle.split_last() {
            self.middle = rest;
            return Some(chunk);
        }
        self.front.take()
    }
}

impl<'a, T> Index<usize> for LogSlice<'a, T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        match self.get(index) {
            Some(value) => value,
            None => panic!("index {index} out of a log slice of {}", self.len()),
        }
    }
}

impl<'a, T> IntoIterator for LogSlice<'a, T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &LogSlice<'a, T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: PartialEq> PartialEq for LogSlice<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: PartialEq> PartialEq<&[T]> for LogSlice<'_, T> {
    fn eq(&self, other: &&[T]) -> bool {
        *self == LogSlice::from(*other)
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for LogSlice<'_, T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self == LogSlice::from(other)
    }
}

impl<T: fmt::Debug> fmt::Debug for LogSlice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The elements of a `LogSlice`, in order; both ends, exact size. Whole chunks wait in
/// `middle` until one end reaches them, so a step is a slice iterator's step.
pub struct Iter<'a, T> {
    front: std::slice::Iter<'a, T>,
    /// Whole chunks of `CHUNK` elements each.
    middle: &'a [Vec<T>],
    back: std::slice::Iter<'a, T>,
}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            front: self.front.clone(),
            middle: self.middle,
            back: self.back.clone(),
        }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        loop {
            if let Some(value) = self.front.next() {
                return Some(value);
            }
            match self.middle.split_first() {
                Some((chunk, rest)) => {
                    self.front = chunk.iter();
                    self.middle = rest;
                }
                None => return self.back.next(),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.front.len() + self.middle.len() * CHUNK + self.back.len();
        (len, Some(len))
    }
}

impl<'a, T> DoubleEndedIterator for Iter<'a, T> {
    fn next_back(&mut self) -> Option<&'a T> {
        loop {
            if let Some(value) = self.back.next_back() {
                return Some(value);
            }
            match self.middle.split_last() {
                Some((chunk, rest)) => {
                    self.back = chunk.iter();
                    self.middle = rest;
                }
                None => return self.front.next_back(),
            }
        }
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> std::iter::FusedIterator for Iter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(n: usize) -> ChunkedLog<usize> {
        let mut log = ChunkedLog::default();
        for value in 0..n {
            log.push(value);
        }
        log
    }

    #[test]
    fn every_run_reads_as_the_same_range_of_a_vector_would() {
        let n = 3 * CHUNK + 17;
        let log = log_of(n);
        let plain: Vec<usize> = (0..n).collect();
        let edges = [
            0,
            1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK,
            3 * CHUNK,
            n - 1,
            n,
        ];
        for &start in &edges {
            for &end in edges.iter().filter(|&&end| end >= start) {
                let run = log.slice(start..end);
                let expected = &plain[start..end];
                assert_eq!(run.len(), expected.len());
                assert!(run.iter().eq(expected.iter()), "{start}..{end}");
                assert!(
                    run.iter().rev().eq(expected.iter().rev()),
                    "{start}..{end} reversed"
                );
                assert_eq!(run.iter().len(), expected.len());
                assert_eq!(run.parts().flatten().count(), expected.len());
                assert!(run.parts().all(|part| !part.is_empty()));
                assert_eq!(run.first(), expected.first());
                assert_eq!(run.last(), expected.last());
                assert_eq!(run, LogSlice::from(expected));
                let inner = run.slice(1..run.len().saturating_sub(1));
                assert!(inner.iter().eq(expected
                    .get(1..expected.len().saturating_sub(1))
                    .unwrap_or(&[])
                    .iter()));
                if let Some(middle) = expected.get(expected.len() / 2) {
                    assert_eq!(run.partition_point(|v| v < middle), expected.len() / 2);
                }
            }
        }
    }

    #[test]
    fn an_iterator_meets_itself_in_the_middle_from_both_ends() {
        let log = log_of(2 * CHUNK + 5);
        let mut iter = log.slice(3..2 * CHUNK + 2).iter();
        let (mut front, mut back) = (Vec::new(), Vec::new());
        while let Some(value) = iter.next() {
            front.push(*value);
            if let Some(value) = iter.next_back() {
                back.push(*value);
            }
        }
        back.reverse();
        front.extend(back);
        assert!(front.into_iter().eq(3..2 * CHUNK + 2));
    }

    #[test]
    fn a_run_within_a_run_is_clamped_to_it_however_far_its_bounds_reach() {
        let log = log_of(10);
        let run = log.slice(2..8);
        assert!(run.slice(1..usize::MAX).iter().eq([3, 4, 5, 6, 7].iter()));
        assert!(run.starting_at(usize::MAX).is_empty());
        assert!(run.slice(usize::MAX - 1..usize::MAX).is_empty());
    }

    #[test]
    fn a_cloned_log_grows_its_last_chunk_no_further_than_a_chunk() {
        let log = log_of(CHUNK - 10);
        let mut clone = log.clone();
        for value in 0..20 {
            clone.push(value);
        }
        assert!(clone.chunks.iter().all(|chunk| chunk.capacity() <= CHUNK));
        assert_eq!(clone.len(), CHUNK + 10);
        assert_eq!(clone.chunks[0].len(), CHUNK);
    }

    #[test]
    fn later_chunks_are_allocated_whole_and_the_first_grows_as_needed() {
        let small = log_of(10);
        assert!(small.heap_bytes() < 64 * std::mem::size_of::<usize>() + 64);
        let log = log_of(2 * CHUNK + 1);
        assert_eq!(log.chunks.len(), 3);
        assert_eq!(log.chunks[1].capacity(), CHUNK);
        assert_eq!(log.get(2 * CHUNK), Some(&(2 * CHUNK)));
        assert_eq!(log.last(), Some(&(2 * CHUNK)));
        assert_eq!(log.get(2 * CHUNK + 1), None);
    }
}
