//! Text kept compactly for a log of millions of events: [`Texts`] end to end in one string
//! (four bytes an entry beside the text), and [`Names`], texts numbered once each in order of
//! first appearance, found again through a map from a 64-bit hash to the number (the text
//! itself is kept once, in the arena, and decides when two hashes meet).

use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

/// A name's number in its column (a type, a stream, a producer, a correlation id, a payload
/// key or one of a key's values).
pub type NameIndex = u32;

/// The log holds more text than 4 GiB, more than a browser tab can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the log is larger than 4 GiB of text, more than one browser tab can hold")
    }
}

impl std::error::Error for TooLarge {}

/// Texts end to end in one string.
#[derive(Clone, Debug, Default)]
pub(crate) struct Texts {
    text: String,
    ends: Vec<u32>,
}

impl Texts {
    pub(crate) fn push(&mut self, text: &str) -> Result<(), TooLarge> {
        let end = u32::try_from(self.text.len() + text.len()).map_err(|_| TooLarge)?;
        self.text.push_str(text);
        self.ends.push(end);
        Ok(())
    }

    pub(crate) fn get(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1).copied().unwrap_or(0),
        } as usize;
        let end = self.ends.get(index).copied().unwrap_or(0) as usize;
        self.text.get(start..end).unwrap_or("")
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    pub(crate) fn bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }
}

/// Texts numbered densely in order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct Names {
    texts: Texts,
    /// A text's hash to its number; a hash already taken by another text moves on by one.
    index: FxHashMap<u64, NameIndex>,
}

impl Names {
    pub(crate) fn intern(&mut self, name: &str) -> Result<NameIndex, TooLarge> {
        let (key, found) = self.probe(name);
        if let Some(index) = found {
            return Ok(index);
        }
        let index = NameIndex::try_from(self.texts.len()).map_err(|_| TooLarge)?;
        self.texts.push(name)?;
        self.index.insert(key, index);
        Ok(index)
    }

    /// Where `name` is or would go in the index, and its number if it has one.
    fn probe(&self, name: &str) -> (u64, Option<NameIndex>) {
        let mut key = hash(name);
        loop {
            match self.index.get(&key) {
                None => return (key, None),
                Some(&index) if self.name(index) == name => return (key, Some(index)),
                Some(_) => key = key.wrapping_add(1),
            }
        }
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.len() == 0
    }

    pub fn name(&self, index: NameIndex) -> &str {
        self.texts.get(index as usize)
    }

    pub fn find(&self, name: &str) -> Option<NameIndex> {
        self.probe(name).1
    }

    pub fn iter(&self) -> impl Iterator<Item = (NameIndex, &str)> {
        (0..self.len()).map(|index| (index as NameIndex, self.texts.get(index)))
    }

    pub(crate) fn bytes(&self) -> usize {
        // A hash map entry is its key and value, and a control byte, at most 7/8 full.
        self.texts.bytes() + self.index.capacity() * (8 + 4 + 1)
    }
}

pub(crate) fn hash(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_number_each_text_once_in_order() {
        let mut names = Names::default();
        assert_eq!(names.intern("b"), Ok(0));
        assert_eq!(names.intern("a"), Ok(1));
        assert_eq!(names.intern("b"), Ok(0));
        assert_eq!(names.find("a"), Some(1));
        assert_eq!(names.find("c"), None);
        assert_eq!(names.iter().collect::<Vec<_>>(), [(0, "b"), (1, "a")]);
    }

    #[test]
    fn it_should_keep_texts_whose_hashes_meet_apart() {
        let mut names = Names::default();
        names.intern("first").unwrap();
        // As if "second" hashed where "first" already is.
        names.index.insert(hash("second"), 0);
        assert_eq!(names.intern("second"), Ok(1));
        assert_eq!(names.find("second"), Some(1));
        assert_eq!(names.find("first"), Some(0));
        assert_eq!(names.intern("second"), Ok(1));
    }
}
