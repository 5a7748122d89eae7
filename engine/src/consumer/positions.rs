//! Which log positions have reached a consumer at least once: a bit each, so a first delivery
//! tells itself apart from a repeat however late the repeat comes.

use crate::ids::Position;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PositionSet {
    bits: Vec<u64>,
}

/// The word and the bit of a position. A position past the address space cannot be in a log
/// held in memory, so it maps to no bit (it is never contained, and inserting it does nothing).
fn bit_of(position: Position) -> Option<(usize, u64)> {
    let index = usize::try_from(position.0).ok()?;
    Some((index / 64, 1u64 << (index % 64)))
}

impl PositionSet {
    /// Adds `position`; true if it was not in the set before.
    pub fn insert(&mut self, position: Position) -> bool {
        let Some((word, mask)) = bit_of(position) else {
            return true;
        };
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        let first = self.bits[word] & mask == 0;
        self.bits[word] |= mask;
        first
    }

    pub fn contains(&self, position: Position) -> bool {
        bit_of(position)
            .and_then(|(word, mask)| Some(self.bits.get(word)? & mask != 0))
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_should_say_first_only_once_per_position() {
        let mut set = PositionSet::default();
        assert!(set.insert(Position(130)));
        assert!(!set.insert(Position(130)));
        assert!(set.insert(Position(1)));
        assert!(set.contains(Position(130)) && set.contains(Position(1)));
        assert!(!set.contains(Position(129)) && !set.contains(Position(131)));
        assert!(!set.contains(Position(10_000)), "beyond the words held");
    }
}
