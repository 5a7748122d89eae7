//! A hash map split into `SHARDS` tables by a hash's bits. A table that outgrows itself moves
//! all its entries at once: one table of every event id took 400 ms to grow at 7.4M events
//! (each entry's id read back from the log to rehash it), stalling the frame that appended.
//! A shard moves a sixty-fourth of them; and since keys spread evenly, shards would all fill at
//! once, so each grows early at its own load (`grows_early`): the growths spread out over the
//! appends instead of landing in one frame.

use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

pub(super) const SHARDS: usize = 64;

/// The shard a hash falls in: the top bits of the hash mixed once more. Not the hash's own
/// bits: a shard's table uses those (its low bits to probe, its top seven as tags, bits 25 to
/// 31 on wasm32, where FxHash is 32 bits wide), and a shard where some of them never vary
/// would compare many more tags.
pub(super) fn shard_of(hash: u64) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARDS.trailing_zeros())) as usize
}

/// Whether shard `shard`, holding `len` entries with room for `capacity`, should grow now:
/// shard 0 at half full, the last nearly full (where hashbrown would grow it anyway).
fn grows_early(shard: usize, len: usize, capacity: usize) -> bool {
    len * 2 * SHARDS >= capacity * (SHARDS + shard)
}

#[derive(Clone, Debug)]
pub(super) struct ShardedMap<K, V> {
    shards: Vec<FxHashMap<K, V>>,
    len: usize,
}

impl<K, V> Default for ShardedMap<K, V> {
    fn default() -> Self {
        ShardedMap {
            shards: (0..SHARDS).map(|_| FxHashMap::default()).collect(),
            len: 0,
        }
    }
}

impl<K: Hash + Eq, V> ShardedMap<K, V> {
    fn shard(&self, key: &K) -> usize {
        shard_of(FxBuildHasher.hash_one(key))
    }

    pub(super) fn get(&self, key: &K) -> Option<&V> {
        self.shards[self.shard(key)].get(key)
    }

    /// The value under `key`, inserted as `V::default()` if absent.
    pub(super) fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let shard = self.shard(&key);
        let map = &mut self.shards[shard];
        if grows_early(shard, map.len(), map.capacity()) {
            map.reserve(map.capacity().max(1));
        }
        let entry = map.entry(key);
        if matches!(entry, Entry::Vacant(_)) {
            self.len += 1;
        }
        entry.or_default()
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.shards.iter().flat_map(|shard| shard.values())
    }

    /// Slots allocated over every shard.
    pub(super) fn capacity(&self) -> usize {
        self.shards.iter().map(|shard| shard.capacity()).sum()
    }
}

/// A set of `u32`s hashed by something each stands for (an event id at a log offset), in
/// shards as `ShardedMap` is.
#[derive(Clone, Debug)]
pub(super) struct ShardedTable {
    shards: Vec<HashTable<u32>>,
}

impl Default for ShardedTable {
    fn default() -> Self {
        ShardedTable {
            shards: (0..SHARDS).map(|_| HashTable::new()).collect(),
        }
    }
}

impl ShardedTable {
    /// `rehash` gives the hash of an existing entry, for when its shard grows.
    pub(super) fn insert(&mut self, hash: u64, value: u32, rehash: impl Fn(u32) -> u64) {
        let shard = shard_of(hash);
        let table = &mut self.shards[shard];
        if grows_early(shard, table.len(), table.capacity()) {
            table.reserve(table.capacity().max(1), |&existing| rehash(existing));
        }
        table.insert_unique(hash, value, |&existing| rehash(existing));
    }

    pub(super) fn find(&self, hash: u64, matches: impl Fn(u32) -> bool) -> Option<u32> {
        self.shards[shard_of(hash)]
            .find(hash, |&value| matches(value))
            .copied()
    }

    pub(super) fn capacity(&self) -> usize {
        self.shards.iter().map(HashTable::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_in_its_shard_and_counted_once() {
        let mut map: ShardedMap<u64, Vec<u32>> = ShardedMap::default();
        for n in 0..10_000u64 {
            map.get_or_default(n % 1_000).push(n as u32);
        }
        assert_eq!(map.len(), 1_000);
        assert_eq!(map.get(&7).map(Vec::len), Some(10));
        assert_eq!(map.get(&1_000), None);
        assert_eq!(map.values().map(Vec::len).sum::<usize>(), 10_000);
        let used = map.shards.iter().filter(|shard| !shard.is_empty()).count();
        assert!(used > SHARDS / 2, "keys spread over the shards: {used}");
    }

    #[test]
    fn shards_grow_at_their_own_loads_so_not_all_at_once() {
        let mut map: ShardedMap<u64, ()> = ShardedMap::default();
        let mut growths = Vec::new();
        let mut capacities: Vec<usize> = map.shards.iter().map(|shard| shard.capacity()).collect();
        for n in 0..200_000u64 {
            map.get_or_default(n);
            for (shard, capacity) in map.shards.iter().zip(capacities.iter_mut()) {
                if shard.capacity() != *capacity {
                    *capacity = shard.capacity();
                    growths.push(n);
                }
            }
        }
        // Evenly spread keys fill every shard at about the same count: without early
        // growth, the 64 shards of a round all grow within a few thousand inserts. (Small
        // shards grow often and cheaply: only the later rounds count.)
        growths.retain(|&n| n > 50_000);
        let bunched = growths
            .iter()
            .map(|&n| growths.iter().filter(|&&m| m >= n && m < n + 2_000).count())
            .max();
        assert!(
            bunched.is_some_and(|most| most <= 12),
            "{bunched:?} growths within 2,000 inserts"
        );
    }

    #[test]
    fn a_table_finds_what_was_inserted_under_its_hash() {
        let mut table = ShardedTable::default();
        let hash = |value: u32| FxBuildHasher.hash_one(value);
        for value in 0..5_000 {
            table.insert(hash(value), value, hash);
        }
        assert!((0..5_000).all(|value| table.find(hash(value), |v| v == value) == Some(value)));
        assert_eq!(table.find(hash(5_000), |v| v == 5_000), None);
    }
}
