//! Guided lessons: a path through every concept of event-driven architecture, each one a short
//! text, a prepared scenario loaded with one click, steps done in the live app (each noticed when
//! it is done), and a question to answer before the result is revealed.
//!
//! Lessons are data (`catalog.rs`); a step's check reads the session, where the lesson started
//! and what the learner did with their own hands (`Progress::did`, noted by the reducer), so a
//! step never ticks by itself: a command's auto-selected event or a slider drag is not the
//! click or the key a step asks for.
//!
//! The question comes first: the steps unlock once it is answered, so the learner predicts
//! before seeing what happens, and the reveal follows the steps.

mod catalog;

pub use catalog::LESSONS;

use eventide_engine::delivery::DeliverySettings;
use eventide_engine::Position;
use eventide_shop::events::ShopEventKind;
use eventide_shop::services::{Failure, Mode};

use crate::state::Session;

/// What a lesson's scenario prepares before the learner starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scenario {
    /// An empty shop.
    Empty,
    /// A shop with a seeded history of this many orders, no services.
    History { orders: u64 },
    /// A seeded history of `orders` finished orders, then `open` orders just placed and not
    /// yet paid: order actions (pay, reserve, ship, cancel) have something to act on, and the
    /// order form's default (the newest order) is one of them.
    HistoryAndOpen { orders: u64, open: u64 },
    /// Services listening, in this mode, with these delivery settings, the storefront open.
    Services {
        mode: Mode,
        checkouts: u64,
        delivery: DeliverySettings,
        idempotent: bool,
        failure: Failure,
    },
}

/// What the learner does, and how the app notices it was done.
pub struct Step {
    pub text: &'static str,
    /// Whether it is done, judged from the session, the lesson's progress and the event the
    /// learner picked themselves (`Did::picked`: never the one a command selects by itself).
    pub done: fn(&Session, &Progress, Option<Position>) -> bool,
}

/// A question answered before the result is revealed.
pub struct Predict {
    pub question: &'static str,
    pub options: &'static [&'static str],
    pub answer: usize,
    pub explanation: &'static str,
}

pub struct Lesson {
    /// Its address: `#lesson=<slug>`.
    pub slug: &'static str,
    pub title: &'static str,
    /// The idea of the seed text it teaches.
    pub concept: &'static str,
    pub text: &'static [&'static str],
    pub scenario: Scenario,
    pub steps: &'static [Step],
    pub predict: Predict,
}

/// Where the learner's lesson started and what they did since: steps are judged against it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The head of the log when the scenario was loaded.
    pub baseline: Position,
    pub answered: Option<usize>,
    pub revealed: bool,
    pub did: Did,
    /// The steps seen done since they unlocked, one bit per step: a step once done stays done
    /// (going back to live does not untick "move the timeline back").
    pub latched: u32,
}

impl Progress {
    /// The steps unlock once the question is answered: predict first, then see.
    pub fn unlocked(&self) -> bool {
        self.answered.is_some()
    }
}

/// What the learner did with their own hands since the lesson began, as the reducer saw it.
/// Links (`FromLink`) and the app's own moves (selecting a command's new event) leave it alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Did {
    /// The event the learner last selected (a click in the log, a trace, a table, ...).
    pub picked: Option<Position>,
    /// They moved the cursor into the past by seeking (the slider, a position, a time).
    pub sought_back: bool,
    /// They stepped back one event (← or the ◀ button).
    pub stepped_back: bool,
}

/// Something the learner did that a step may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gesture {
    Picked(Option<Position>),
    /// A seek that left the cursor behind the head.
    SoughtBack,
    SteppedBack,
}

impl Did {
    pub fn note(&mut self, gesture: Gesture) {
        match gesture {
            Gesture::Picked(position) => self.picked = position,
            Gesture::SoughtBack => self.sought_back = true,
            Gesture::SteppedBack => self.stepped_back = true,
        }
    }
}

impl Lesson {
    /// Whether step `index` is done now or was once since the steps unlocked.
    pub fn step_done(&self, index: usize, session: &Session, progress: &Progress) -> bool {
        let latched = u32::try_from(index)
            .ok()
            .and_then(|bit| progress.latched.checked_shr(bit))
            .is_some_and(|bits| bits & 1 == 1);
        latched
            || self
                .steps
                .get(index)
                .is_some_and(|step| (step.done)(session, progress, progress.did.picked))
    }

    /// The steps done now, or once since they unlocked, as `Progress::latched` bits.
    pub fn latch(&self, session: &Session, progress: &Progress) -> u32 {
        if !progress.unlocked() {
            return progress.latched;
        }
        (0..self.steps.len().min(32))
            .filter(|&index| self.step_done(index, session, progress))
            .fold(0, |bits, index| bits | (1 << index))
    }

    /// How many steps are done.
    pub fn steps_done(&self, session: &Session, progress: &Progress) -> usize {
        (0..self.steps.len())
            .filter(|&index| self.step_done(index, session, progress))
            .count()
    }

    /// Finished: every step done and the answer revealed.
    pub fn finished(&self, session: &Session, progress: &Progress) -> bool {
        progress.revealed && self.steps_done(session, progress) == self.steps.len()
    }

    /// The lesson after this one in the catalog, if any.
    pub fn next(&self) -> Option<&'static Lesson> {
        let at = LESSONS.iter().position(|lesson| lesson.slug == self.slug)?;
        LESSONS.get(at + 1)
    }
}

pub fn find(slug: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|lesson| lesson.slug == slug)
}

/// The lesson an address names, `#lesson=<slug>`, and the position `&at=<n>` it points to.
pub fn from_hash(hash: &str) -> Option<(&'static Lesson, Option<Position>)> {
    let rest = hash.strip_prefix("#lesson=")?;
    let (slug, at) = match rest.split_once("&at=") {
        Some((slug, at)) => (slug, at.parse().ok().map(Position)),
        None => (rest, None),
    };
    Some((find(slug)?, at))
}

/// The address of a lesson at a position: what "Share" hands out.
pub fn address(slug: &str, at: Option<Position>) -> String {
    match at {
        Some(at) => format!("#lesson={slug}&at={}", at.0),
        None => format!("#lesson={slug}"),
    }
}

/// How many events of `kind` were recorded since the lesson began.
pub fn since(session: &Session, progress: &Progress, kind: ShopEventKind) -> usize {
    session
        .shop()
        .store()
        .read_by_kind(kind)
        .rev()
        .take_while(|event| event.position > progress.baseline)
        .count()
}

/// Whether every service's state equals its exactly-once, in-order value (where the two are
/// fair to compare: nothing waits in the twin for a gap).
pub fn services_agree(session: &Session) -> bool {
    session.sim().services().iter().all(|runtime| {
        let view = runtime.view();
        !view.settled || view.state == view.expected
    })
}

/// Whether every service's subscription keeps order in two partitions or more.
pub fn partitioned(session: &Session) -> bool {
    let sim = session.sim();
    sim.services().iter().all(|runtime| {
        sim.bus()
            .settings(runtime.subscription)
            .is_some_and(|settings| settings.per_aggregate_ordering && settings.partitions >= 2)
    })
}

/// Whether every subscription keeps each aggregate's events in order.
pub fn streams_kept_in_order(session: &Session) -> bool {
    let sim = session.sim();
    sim.services().iter().all(|runtime| {
        sim.bus()
            .settings(runtime.subscription)
            .is_none_or(|settings| settings.per_aggregate_ordering)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_a_lesson_and_a_position() {
        let (lesson, at) = from_hash("#lesson=cqrs&at=42").expect("a lesson");
        assert_eq!((lesson.slug, at), ("cqrs", Some(Position(42))));
        assert_eq!(
            from_hash(&address("tracing", None)).map(|(l, at)| (l.slug, at)),
            Some(("tracing", None))
        );
        assert!(from_hash("#lesson=nope").is_none());
        assert!(from_hash("#bench").is_none());
    }

    #[test]
    fn the_next_lesson_follows_in_catalog_order_and_the_last_has_none() {
        assert_eq!(LESSONS[0].next().map(|l| l.slug), Some(LESSONS[1].slug));
        assert!(LESSONS[LESSONS.len() - 1].next().is_none());
    }

    #[test]
    fn a_gesture_is_noted_and_a_later_pick_replaces_an_earlier_one() {
        let mut did = Did::default();
        did.note(Gesture::Picked(Some(Position(3))));
        did.note(Gesture::SteppedBack);
        did.note(Gesture::Picked(Some(Position(5))));
        assert_eq!(
            did,
            Did {
                picked: Some(Position(5)),
                sought_back: false,
                stepped_back: true
            }
        );
    }

    #[test]
    fn every_lesson_has_a_distinct_address_and_a_valid_answer() {
        for (i, lesson) in LESSONS.iter().enumerate() {
            assert!(
                LESSONS[..i].iter().all(|other| other.slug != lesson.slug),
                "{} twice",
                lesson.slug
            );
            assert!(
                lesson.predict.answer < lesson.predict.options.len(),
                "{}",
                lesson.slug
            );
            assert!(!lesson.steps.is_empty(), "{}", lesson.slug);
        }
    }

    /// The counts a text claims: "a dozen events", "7 events", "seven events".
    fn claimed_counts(text: &str) -> Vec<usize> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let named = [
            ("dozen", 12),
            ("two", 2),
            ("three", 3),
            ("four", 4),
            ("five", 5),
            ("six", 6),
            ("seven", 7),
            ("eight", 8),
            ("nine", 9),
            ("ten", 10),
        ];
        words
            .windows(2)
            .filter(|pair| pair[1].trim_matches(|c: char| !c.is_alphanumeric()) == "events")
            .filter_map(|pair| {
                let word = pair[0].to_ascii_lowercase();
                word.parse().ok().or_else(|| {
                    named
                        .iter()
                        .find(|(name, _)| *name == word)
                        .map(|(_, n)| *n)
                })
            })
            .collect()
    }

    #[test]
    fn the_nordstrom_lesson_claims_only_what_its_scenario_shows() {
        use eventide_engine::trace::Trace;
        use eventide_engine::Timestamp;
        use eventide_shop::events::ShopEventKind as K;
        use eventide_shop::simulation::{Simulation, SimulationConfig};

        let lesson = find("nordstrom").expect("the lesson");
        let Scenario::Services {
            mode,
            checkouts,
            delivery,
            idempotent,
            failure,
        } = lesson.scenario
        else {
            panic!("the lesson runs the services");
        };
        let mut config =
            SimulationConfig::new(crate::state::DEFAULT_SEED, 0, Timestamp(1_795_683_600_000));
        config.mode = mode;
        config.delivery = delivery;
        config.idempotent = idempotent;
        config.failure = failure;
        let mut sim = Simulation::idle(config);
        sim.set_reacting(true);
        sim.open_storefront(checkouts)
            .expect("the storefront opens");
        for _ in 0..100_000 {
            if sim.is_quiescent() && sim.checkouts_remaining() == 0 {
                break;
            }
            sim.step().expect("a step");
        }
        // What the trace of one checkout shows after its CartCheckedOut: every flow that reached
        // shipping, counted.
        let store = sim.shop().store();
        let mut shown: Vec<usize> = store
            .read_by_kind(K::CartCheckedOut)
            .map(|checkout| {
                let trace = Trace::of(store, checkout.correlation_id, store.head());
                let after: Vec<_> = trace
                    .spans
                    .iter()
                    .filter(|span| span.event.position > checkout.position)
                    .collect();
                let shipped = after
                    .iter()
                    .any(|span| span.event.kind() == K::ShipmentDispatched);
                (shipped, after.len())
            })
            .filter(|(shipped, _)| *shipped)
            .map(|(_, events)| events)
            .collect();
        shown.dedup();
        assert!(!shown.is_empty(), "a checkout reached shipping");
        for paragraph in lesson.text {
            for claimed in claimed_counts(paragraph) {
                assert!(
                    shown.contains(&claimed),
                    "the text claims {claimed} events; a checkout's trace shows {shown:?}: {paragraph}"
                );
            }
        }
    }

    #[test]
    fn counts_are_read_from_words_and_digits() {
        assert_eq!(claimed_counts("into a dozen events across"), [12]);
        assert_eq!(claimed_counts("7 events, then seven events."), [7, 7]);
        assert!(claimed_counts("events of the flow").is_empty());
    }
}
