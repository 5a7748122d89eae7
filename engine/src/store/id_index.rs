//! A set of log offsets hashed by the event id stored at each offset. It answers "is this id
//! stored?" in four bytes an event, where a map from id to offset would take twenty.

use super::sharded::ShardedTable;

#[derive(Clone, Debug, Default)]
pub(super) struct IdIndex {
    table: ShardedTable,
}

impl IdIndex {
    /// `rehash` gives the hash of the id at an existing offset, for when the table grows.
    pub(super) fn insert(&mut self, hash: u64, offset: u32, rehash: impl Fn(u32) -> u64) {
        self.table.insert(hash, offset, rehash);
    }

    pub(super) fn find(&self, hash: u64, matches: impl Fn(u32) -> bool) -> Option<u32> {
        self.table.find(hash, matches)
    }

    pub(super) fn heap_bytes(&self) -> usize {
        // One u32 and one control byte a bucket.
        self.table.capacity() * 5
    }
}
