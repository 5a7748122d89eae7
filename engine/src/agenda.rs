//! What is due when on a virtual clock: the scheduler behind the bus's deliveries, a
//! simulation's customers and its services' timers. Items come out earliest first, and items
//! due at the same time in the order they were booked, so a run repeats exactly whatever the
//! items are (they are never compared).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::ids::Timestamp;

/// A queue of items by the virtual time they are due.
#[derive(Clone, Debug)]
pub struct Agenda<T> {
    heap: BinaryHeap<Reverse<Booking<T>>>,
    /// Bookings made so far: the order among items due at the same time.
    booked: u64,
}

/// An item taken off the agenda, with the time it was due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due<T> {
    pub at: Timestamp,
    pub item: T,
}

#[derive(Clone, Debug)]
struct Booking<T> {
    at: Timestamp,
    sequence: u64,
    item: T,
}

impl<T> Booking<T> {
    fn key(&self) -> (Timestamp, u64) {
        (self.at, self.sequence)
    }
}

// Ordered by time, then by booking: the item itself never decides (it need not be `Ord`).
impl<T> PartialEq for Booking<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<T> Eq for Booking<T> {}

impl<T> PartialOrd for Booking<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Booking<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Agenda {
            heap: BinaryHeap::new(),
            booked: 0,
        }
    }
}

impl<T> Agenda<T> {
    pub fn new() -> Self {
        Agenda::default()
    }

    /// Books `item` for `at`: after everything already booked for the same time.
    pub fn book(&mut self, at: Timestamp, item: T) {
        self.booked += 1;
        self.heap.push(Reverse(Booking {
            at,
            sequence: self.booked,
            item,
        }));
    }

    /// When the earliest item is due.
    pub fn next_at(&self) -> Option<Timestamp> {
        self.heap.peek().map(|Reverse(booking)| booking.at)
    }

    /// Takes the earliest item, however late it is due.
    pub fn pop(&mut self) -> Option<Due<T>> {
        self.heap.pop().map(|Reverse(booking)| Due {
            at: booking.at,
            item: booking.item,
        })
    }

    /// Takes the earliest item if it is due at or before `now`.
    pub fn pop_due(&mut self, now: Timestamp) -> Option<Due<T>> {
        if self.next_at()? > now {
            return None;
        }
        self.pop()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Every item booked, in no particular order.
    pub fn items(&self) -> impl Iterator<Item = &T> {
        self.heap.iter().map(|Reverse(booking)| &booking.item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(agenda: &mut Agenda<&'static str>) -> Vec<(i64, &'static str)> {
        std::iter::from_fn(|| agenda.pop().map(|due| (due.at.0, due.item))).collect()
    }

    #[test]
    fn it_should_hand_out_the_earliest_first_and_equal_times_in_booking_order() {
        let mut agenda = Agenda::new();
        agenda.book(Timestamp(20), "late");
        agenda.book(Timestamp(10), "b");
        agenda.book(Timestamp(10), "a");
        agenda.book(Timestamp(5), "first");
        assert_eq!(agenda.next_at(), Some(Timestamp(5)));
        assert_eq!(agenda.len(), 4);
        assert_eq!(
            drain(&mut agenda),
            [(5, "first"), (10, "b"), (10, "a"), (20, "late")],
            "equal times keep their booking order, not the items' own order"
        );
        assert!(agenda.is_empty());
    }

    #[test]
    fn it_should_hand_out_only_what_is_due() {
        let mut agenda = Agenda::new();
        agenda.book(Timestamp(10), "ten");
        assert_eq!(agenda.pop_due(Timestamp(9)), None);
        assert_eq!(
            agenda.pop_due(Timestamp(10)),
            Some(Due {
                at: Timestamp(10),
                item: "ten"
            })
        );
        assert_eq!(agenda.pop_due(Timestamp(99)), None, "nothing left");
    }
}
