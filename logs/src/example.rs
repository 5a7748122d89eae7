//! The example log that ships with Eventide: a lending library, not a shop, written as
//! structured CloudEvents 1.0 (one per line) the way another system would export them. Books are
//! acquired and lent, renewed, returned (some late, which charges a fine that is later paid),
//! and held for the next reader when they come back. Every flow carries a correlation id
//! (`correlationid`) and every reaction the id of what caused it (`causationid`).
//!
//! Generated from a seed, so the shipped file (`static/examples/library.ndjson`) is checked
//! against this code by a test and can be regenerated with
//! `cargo run -p eventide-logs --example library > static/examples/library.ndjson`.

use eventide_engine::rng::SeededRng;
use eventide_engine::Timestamp;
use serde_json::{json, Value};

/// The shipped log's seed and size.
pub const SEED: u64 = 1_989;
pub const LOANS: u64 = 900;

/// 2024-03-04T09:00:00Z, a Monday morning.
const OPENING: i64 = 1_709_542_800_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
const LOAN_DAYS: i64 = 21;
/// Fines in cents a day late.
const FINE_A_DAY: u64 = 25;

const TITLES: &[(&str, &str)] = &[
    ("The Left Hand of Darkness", "Ursula K. Le Guin"),
    ("Middlemarch", "George Eliot"),
    ("Things Fall Apart", "Chinua Achebe"),
    ("The Master and Margarita", "Mikhail Bulgakov"),
    ("Invisible Cities", "Italo Calvino"),
    ("Beloved", "Toni Morrison"),
    ("The Remains of the Day", "Kazuo Ishiguro"),
    ("Pedro Páramo", "Juan Rulfo"),
    ("The Tale of Genji", "Murasaki Shikibu"),
    ("Kindred", "Octavia E. Butler"),
    ("The Summer Book", "Tove Jansson"),
    ("Season of Migration to the North", "Tayeb Salih"),
    ("Wide Sargasso Sea", "Jean Rhys"),
    ("The Book of Disquiet", "Fernando Pessoa"),
    ("Stoner", "John Williams"),
    ("The Leopard", "Giuseppe Tomasi di Lampedusa"),
    ("Never Let Me Go", "Kazuo Ishiguro"),
    ("The Dispossessed", "Ursula K. Le Guin"),
    ("Half of a Yellow Sun", "Chimamanda Ngozi Adichie"),
    ("The Periodic Table", "Primo Levi"),
    ("Frankenstein", "Mary Shelley"),
    ("A Wizard of Earthsea", "Ursula K. Le Guin"),
    ("Solaris", "Stanisław Lem"),
    ("Cane", "Jean Toomer"),
];

/// Copies of each title on the shelves.
const COPIES: usize = 3;

const MEMBERS: u64 = 40;

/// The example log, oldest first.
pub fn library_log(seed: u64, loans: u64) -> Vec<Value> {
    let mut events = Vec::new();
    write_library_log(seed, loans, &mut |event| events.push(event));
    events
}

/// The example log handed to `each` event by event, oldest first, so a long one (a million
/// events to measure with) is never held whole.
pub fn write_library_log(seed: u64, loans: u64, each: &mut dyn FnMut(Value)) {
    Library::new(seed, each).run(loans);
}

struct Book {
    id: String,
    /// Lent, or set aside for a member whose hold came in: not on the shelf either way.
    taken: bool,
    /// The member it is lent to, while it is.
    borrower: Option<String>,
    /// Members waiting for it, first come first served, with the hold's flow and its event.
    holds: Vec<(String, String, String)>,
}

struct Loan {
    book: usize,
    member: String,
    due: i64,
    correlation: String,
    /// The loan's last event so far: what the next one is caused by.
    last: String,
}

/// What the library will do at a later time.
enum Due {
    Renew(usize),
    Return(usize),
    PayFine {
        member: String,
        cents: u64,
        correlation: String,
        charged: String,
    },
    LendHeld {
        book: usize,
        member: String,
        correlation: String,
        ready: String,
    },
}

struct Library<'a> {
    rng: SeededRng,
    now: i64,
    emitted: &'a mut dyn FnMut(Value),
    books: Vec<Book>,
    loans: Vec<Option<Loan>>,
    /// When each thing is due, with a sequence number so equal times keep their order.
    agenda: Vec<(i64, u64, Due)>,
    scheduled: u64,
}

impl<'a> Library<'a> {
    fn new(seed: u64, emitted: &'a mut dyn FnMut(Value)) -> Library<'a> {
        Library {
            rng: SeededRng::new(seed),
            now: OPENING,
            emitted,
            books: Vec::new(),
            loans: Vec::new(),
            agenda: Vec::new(),
            scheduled: 0,
        }
    }

    fn id(&mut self) -> String {
        self.rng.uuid().to_string()
    }

    fn emit(
        &mut self,
        kind: &str,
        (source, subject): (&str, &str),
        correlation: &str,
        causation: Option<&str>,
        data: Value,
    ) -> String {
        let id = self.id();
        let mut event = json!({
            "specversion": "1.0",
            "id": id,
            "source": source,
            "type": format!("org.example.library.{kind}"),
            "subject": subject,
            "time": Timestamp::from_millis(self.now).to_rfc3339(),
            "datacontenttype": "application/json",
            "correlationid": correlation,
            "data": data,
        });
        if let (Some(causation), Some(fields)) = (causation, event.as_object_mut()) {
            fields.insert("causationid".into(), json!(causation));
        }
        (self.emitted)(event);
        id
    }

    fn schedule(&mut self, at: i64, due: Due) {
        self.scheduled += 1;
        self.agenda.push((at.max(self.now), self.scheduled, due));
    }

    fn run(mut self, loans: u64) {
        for (number, (title, author)) in TITLES.iter().enumerate() {
            for copy in 1..=COPIES {
                let book = format!("B-{:03}", number * COPIES + copy);
                let flow = self.id();
                self.emit(
                    "book.acquired",
                    ("/library/catalogue", &format!("book/{book}")),
                    &flow,
                    None,
                    json!({"book": book, "title": title, "author": author, "copy": copy}),
                );
                self.books.push(Book {
                    id: book,
                    taken: false,
                    borrower: None,
                    holds: Vec::new(),
                });
                self.now += 7 * MINUTE;
            }
        }
        for number in 1..=MEMBERS {
            let member = format!("M-{number:02}");
            let flow = self.id();
            let plan = if self.rng.chance(0.2) {
                "student"
            } else {
                "adult"
            };
            self.emit(
                "member.joined",
                ("/library/desk", &format!("member/{member}")),
                &flow,
                None,
                json!({"member": member, "plan": plan}),
            );
            self.now += 11 * MINUTE;
        }
        for _ in 0..loans {
            let next = self.now + self.rng.between(3 * 60, 30 * 60) as i64 * MINUTE;
            self.settle_until(next);
            self.now = self.now.max(next);
            let member = format!("M-{:02}", self.rng.between(1, MEMBERS));
            let index = self.rng.below(self.books.len() as u64) as usize;
            if self.books[index].taken {
                self.hold(index, member);
            } else {
                self.lend(index, member, None);
            }
        }
        // Everything still out comes back and every fine is settled, so every flow ends.
        self.settle_until(i64::MAX);
    }

    fn settle_until(&mut self, until: i64) {
        while let Some(next) = self
            .agenda
            .iter()
            .enumerate()
            .filter(|(_, (at, _, _))| *at <= until)
            .min_by_key(|(_, (at, order, _))| (*at, *order))
            .map(|(index, _)| index)
        {
            let (at, _, due) = self.agenda.swap_remove(next);
            self.now = self.now.max(at);
            self.carry_out(due);
        }
    }

    fn carry_out(&mut self, due: Due) {
        match due {
            Due::Renew(loan) => self.renew(loan),
            Due::Return(loan) => self.give_back(loan),
            Due::PayFine {
                member,
                cents,
                correlation,
                charged,
            } => {
                self.emit(
                    "fine.paid",
                    ("/library/fines", &format!("member/{member}")),
                    &correlation,
                    Some(&charged),
                    json!({"member": member, "cents": cents}),
                );
            }
            Due::LendHeld {
                book,
                member,
                correlation,
                ready,
            } => self.lend(book, member, Some((correlation, ready))),
        }
    }

    fn lend(&mut self, index: usize, member: String, hold: Option<(String, String)>) {
        let book = self.books[index].id.clone();
        let due = self.now + LOAN_DAYS * DAY;
        let (correlation, causation) = match hold {
            Some((correlation, cause)) => (correlation, Some(cause)),
            None => (self.id(), None),
        };
        let last = self.emit(
            "book.lent",
            ("/library/desk", &format!("book/{book}")),
            &correlation,
            causation.as_deref(),
            json!({"book": book, "member": member,
                   "due": Timestamp::from_millis(due).to_rfc3339()}),
        );
        self.books[index].taken = true;
        self.books[index].borrower = Some(member.clone());
        // Most come back in time, some after a renewal, some late.
        let (days, renews) = match self.rng.below(10) {
            0..=5 => (self.rng.between(2, LOAN_DAYS as u64), false),
            6 | 7 => (
                self.rng.between(LOAN_DAYS as u64 + 1, 2 * LOAN_DAYS as u64),
                true,
            ),
            _ => (
                self.rng
                    .between(LOAN_DAYS as u64 + 1, LOAN_DAYS as u64 + 12),
                false,
            ),
        };
        let returns_at = self.now + days as i64 * DAY + self.rng.below(8 * 60) as i64 * MINUTE;
        let loan = self.loans.len();
        self.loans.push(Some(Loan {
            book: index,
            member,
            due,
            correlation,
            last,
        }));
        if renews {
            self.schedule(due - 7 * DAY, Due::Renew(loan));
        }
        self.schedule(returns_at, Due::Return(loan));
    }

    fn hold(&mut self, index: usize, member: String) {
        let lent_to_them = self.books[index].borrower.as_ref() == Some(&member);
        let waiting = self.books[index]
            .holds
            .iter()
            .any(|(waiting, _, _)| *waiting == member);
        if lent_to_them || waiting {
            return;
        }
        let book = self.books[index].id.clone();
        let flow = self.id();
        let placed = self.emit(
            "hold.placed",
            ("/library/desk", &format!("book/{book}")),
            &flow,
            None,
            json!({"book": book, "member": member}),
        );
        self.books[index].holds.push((member, flow, placed));
    }

    fn renew(&mut self, loan: usize) {
        let Some(mut renewed) = self.loans[loan].take() else {
            return;
        };
        renewed.due += LOAN_DAYS * DAY;
        let book = self.books[renewed.book].id.clone();
        renewed.last = self.emit(
            "loan.renewed",
            ("/library/desk", &format!("book/{book}")),
            &renewed.correlation,
            Some(&renewed.last),
            json!({"book": book, "member": renewed.member,
                   "due": Timestamp::from_millis(renewed.due).to_rfc3339()}),
        );
        self.loans[loan] = Some(renewed);
    }

    fn give_back(&mut self, loan: usize) {
        let Some(loan) = self.loans[loan].take() else {
            return;
        };
        let index = loan.book;
        let book = self.books[index].id.clone();
        let subject = format!("book/{book}");
        let late_days = (self.now - loan.due + DAY - 1).div_euclid(DAY).max(0);
        let returned = self.emit(
            "book.returned",
            ("/library/desk", &subject),
            &loan.correlation,
            Some(&loan.last),
            json!({"book": book, "member": loan.member, "late_days": late_days}),
        );
        self.books[index].taken = false;
        self.books[index].borrower = None;
        if late_days > 0 {
            let cents = late_days as u64 * FINE_A_DAY;
            self.now += MINUTE;
            let charged = self.emit(
                "fine.charged",
                ("/library/fines", &format!("member/{}", loan.member)),
                &loan.correlation,
                Some(&returned),
                json!({"member": loan.member, "book": book, "cents": cents}),
            );
            if self.rng.chance(0.8) {
                let at = self.now + self.rng.between(1, 10) as i64 * DAY;
                self.schedule(
                    at,
                    Due::PayFine {
                        member: loan.member.clone(),
                        cents,
                        correlation: loan.correlation.clone(),
                        charged,
                    },
                );
            }
        }
        if !self.books[index].holds.is_empty() {
            let (member, flow, placed) = self.books[index].holds.remove(0);
            self.now += 2 * MINUTE;
            let ready = self.emit(
                "hold.ready",
                ("/library/desk", &subject),
                &flow,
                Some(&placed),
                json!({"book": book, "member": member}),
            );
            self.books[index].taken = true;
            let at = self.now + self.rng.between(30, 3 * 24 * 60) as i64 * MINUTE;
            self.schedule(
                at,
                Due::LendHeld {
                    book: index,
                    member,
                    correlation: flow,
                    ready,
                },
            );
        }
    }
}
