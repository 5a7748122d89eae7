//! Copy-on-write containers for read-model state. Cloning one is cheap (it shares every chunk),
//! and a write copies only the chunk it touches, so time-travel checkpoints of large read models
//! cost memory in proportion to what changed between them, not to their size.

// `Rc`, not `Arc`: read models live on one thread, and `Arc::make_mut`'s atomic check on every
// write was a fifth of a native replay.
use std::rc::Rc;

const CHUNK: usize = 256;

/// A growable vector stored as shared chunks of `CHUNK` elements.
#[derive(Clone, Debug)]
pub struct ChunkedVec<T: Clone> {
    chunks: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T: Clone> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> ChunkedVec<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        self.chunks[index / CHUNK].get(index % CHUNK)
    }

    /// A mutable reference, copying the chunk first if a clone still shares it.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        if index >= self.len {
            return None;
        }
        Rc::make_mut(&mut self.chunks[index / CHUNK]).get_mut(index % CHUNK)
    }

    pub fn last_mut(&mut self) -> Option<&mut T> {
        let last = self.len.checked_sub(1)?;
        self.get_mut(last)
    }

    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            Rc::make_mut(chunk).push(value);
        }
        self.len += 1;
    }

    /// Appends every value of `values`, copying each chunk it writes to at most once.
    pub fn extend_from_slice(&mut self, values: &[T]) {
        let mut rest = values;
        while !rest.is_empty() {
            if self.len.is_multiple_of(CHUNK) {
                self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
            }
            let room = CHUNK - self.len % CHUNK;
            let (now, later) = rest.split_at(room.min(rest.len()));
            if let Some(chunk) = self.chunks.last_mut() {
                Rc::make_mut(chunk).extend_from_slice(now);
            }
            self.len += now.len();
            rest = later;
        }
    }

    /// Grows the vector with `fill` until `index` is in range, then returns that element.
    pub fn get_or_extend(&mut self, index: usize, fill: impl Fn() -> T) -> &mut T {
        while self.len <= index {
            self.push(fill());
        }
        // In range now, so the lookup cannot miss.
        let chunk = Rc::make_mut(&mut self.chunks[index / CHUNK]);
        &mut chunk[index % CHUNK]
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }

    /// Heap bytes not shared with `other` (an earlier clone): what keeping both costs extra.
    pub fn unshared_bytes(&self, other: &ChunkedVec<T>) -> usize {
        let pointers = self.chunks.capacity() * std::mem::size_of::<Rc<Vec<T>>>();
        let owned = self
            .chunks
            .iter()
            .enumerate()
            .filter(|(i, chunk)| other.chunks.get(*i).is_none_or(|o| !Rc::ptr_eq(chunk, o)))
            .map(|(_, chunk)| chunk.capacity() * std::mem::size_of::<T>())
            .sum::<usize>();
        pointers + owned
    }

    pub fn heap_bytes(&self) -> usize {
        self.unshared_bytes(&ChunkedVec::default())
    }
}

impl<T: Clone + PartialEq> PartialEq for ChunkedVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self
                .chunks
                .iter()
                .zip(&other.chunks)
                .all(|(a, b)| Rc::ptr_eq(a, b) || a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_is_not_changed_by_writes_to_the_original() {
        let mut numbers = ChunkedVec::default();
        for n in 0..1000 {
            numbers.push(n);
        }
        let before = numbers.clone();
        *numbers.get_mut(999).unwrap() = -1;
        numbers.push(1000);
        assert_eq!(before.get(999), Some(&999));
        assert_eq!(before.len(), 1000);
        assert_eq!(numbers.get(999), Some(&-1));
        // Only the last chunk was copied.
        let extra = numbers.unshared_bytes(&before);
        assert!(extra < 2 * CHUNK * 4 + 64, "{extra}");
    }

    #[test]
    fn extending_from_a_slice_fills_chunks_in_order_and_spares_a_clone() {
        let mut numbers: ChunkedVec<u32> = ChunkedVec::default();
        numbers.extend_from_slice(&(0..200).collect::<Vec<_>>());
        let before = numbers.clone();
        numbers.extend_from_slice(&(200..700).collect::<Vec<_>>());
        numbers.extend_from_slice(&[]);
        assert_eq!(numbers.len(), 700);
        assert!(numbers.iter().copied().eq(0..700));
        assert_eq!(numbers.chunks.len(), 3);
        assert!(
            before.iter().copied().eq(0..200),
            "the clone kept its values"
        );
    }

    #[test]
    fn get_or_extend_fills_the_gap() {
        let mut counts: ChunkedVec<u32> = ChunkedVec::default();
        *counts.get_or_extend(600, || 0) += 1;
        assert_eq!(counts.len(), 601);
        assert_eq!(counts.get(600), Some(&1));
        assert_eq!(counts.iter().sum::<u32>(), 1);
    }
}
