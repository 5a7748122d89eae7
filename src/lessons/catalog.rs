//! The lessons, in the order a workshop takes them.

use eventide_engine::delivery::DeliverySettings;
use eventide_engine::Named;
use eventide_shop::events::ShopEventKind as K;
use eventide_shop::services::{Failure, Mode, OpsSettings};

use super::{since, Lesson, Predict, Scenario, Step};

const CALM: DeliverySettings = DeliverySettings::CALM;

pub static LESSONS: &[Lesson] = &[
    Lesson {
        slug: "immutable-facts",
        title: "1. Events are immutable facts",
        concept: "Domain events are past-tense, immutable facts",
        text: &[
            "A command asks for something (PlaceOrder); an event records that it happened (OrderPlaced). Events are named in the past tense and never change.",
            "Place an order, then cancel it. Look at the log: the cancellation does not edit the first event, it adds a second fact.",
        ],
        scenario: Scenario::Empty,
        steps: &[
            Step { text: "Place an order (Commands → Place order).", done: |s, p, _| since(s, p, K::OrderPlaced) >= 1 },
            Step { text: "Cancel it (Order → Cancel).", done: |s, p, _| since(s, p, K::OrderCancelled) >= 1 },
            Step { text: "Click the OrderPlaced event in the log and read its envelope below.", done: |s, _, selected| selected.and_then(|p| s.shop().store().get(p)).is_some_and(|e| e.kind() == K::OrderPlaced) },
        ],
        predict: Predict {
            question: "After the cancellation, what does the OrderPlaced event say?",
            options: &["It now says the order is cancelled", "It is deleted", "It is unchanged: a new OrderCancelled event was appended"],
            answer: 2,
            explanation: "The store is append-only: no update, no delete. The order's current state is derived by folding both facts.",
        },
    },
    Lesson {
        slug: "event-sourcing",
        title: "2. Event sourcing and replay",
        concept: "Store every change as an event; derive state by replaying",
        text: &[
            "Nothing but the log is stored. Every read model on screen is a fold of the events up to the cursor.",
            "Move the timeline back: every panel replays to that moment. Then go back to live.",
        ],
        scenario: Scenario::History { orders: 200 },
        steps: &[
            Step { text: "Drag the timeline slider into the past.", done: |_, p, _| p.did.sought_back },
            Step { text: "Step back one event with ← (or the ◀ button).", done: |_, p, _| p.did.stepped_back },
        ],
        predict: Predict {
            question: "Rebuilding every read model from the whole log, a million events: how long natively?",
            options: &["About a minute", "About a second", "Under a tenth of a second"],
            answer: 2,
            explanation: "A fold is a tight loop: about 45 ms for a million events natively, 60 ms in this tab (see the benchmark in the README).",
        },
    },
    Lesson {
        slug: "cqrs",
        title: "3. CQRS: read models shaped for their query",
        concept: "Commands write events; read models are built by consuming them",
        text: &[
            "Orders, Inventory, Revenue, Activity and Sagas are five read models of the same events, each shaped for one question.",
            "Issue a command and watch which read models change: the highlighted row was changed by the event at the cursor.",
        ],
        scenario: Scenario::HistoryAndOpen { orders: 50, open: 1 },
        steps: &[
            Step { text: "Pay the order just placed, O-0051 (Order → Pay: the field's default is the newest order).", done: |s, p, _| since(s, p, K::PaymentProcessed) >= 1 },
            Step { text: "Restock a product (Inventory → Restock).", done: |s, p, _| since(s, p, K::StockReceived) >= 1 },
        ],
        predict: Predict {
            question: "A PaymentProcessed event: which read models change?",
            options: &["Only Orders", "Orders, Revenue and Activity", "All five"],
            answer: 1,
            explanation: "Each read model folds only the events its question needs; the catalog lists each event type's consumers.",
        },
    },
    Lesson {
        slug: "temporal-queries",
        title: "4. Temporal queries",
        concept: "An event log answers questions about the past",
        text: &[
            "Open the Time machine tab. Compare two positions to see what changed, each change blamed on its event; ask when an order first shipped.",
            "Back-date a command (Commands → Occurred at) and look at the world as of a business time.",
        ],
        scenario: Scenario::History { orders: 100 },
        steps: &[
            Step { text: "Back-date a command and issue it.", done: |s, _, _| eventide_engine::temporal::late_events(s.shop().store(), 60_000).next().is_some() },
        ],
        predict: Predict {
            question: "\"When did O-0001 first ship?\" — how is that found among thousands of events?",
            options: &["By reading every event", "By bisection: shipped is terminal, so the answer flips only once", "It cannot be answered"],
            answer: 1,
            explanation: "Where a predicate can only become true once, a binary search over checkpoints finds it in about 20 probes.",
        },
    },
    Lesson {
        slug: "choreography",
        title: "5. Choreography",
        concept: "Services react to events autonomously",
        text: &[
            "The storefront is open and seven services react to each other's events. No service calls another.",
            "Open the Services tab: the graph is derived from what each service declares it consumes and publishes.",
        ],
        scenario: Scenario::Services { mode: Mode::Choreography, checkouts: 10, delivery: CALM, idempotent: true, failure: Failure::None },
        steps: &[
            Step { text: "Let it run until an order ships.", done: |s, p, _| since(s, p, K::ShipmentDispatched) >= 1 },
            Step { text: "Let every checkout finish (the clock pauses when all is quiet).", done: |s, _, _| s.sim().is_quiescent() },
        ],
        predict: Predict {
            question: "Which service knows the whole checkout flow?",
            options: &["The order service", "The payment service", "None: the flow emerges from their reactions"],
            answer: 2,
            explanation: "That is choreography's strength (decoupling) and its cost (the flow is hard to see): tracing puts it back together.",
        },
    },
    Lesson {
        slug: "orchestration",
        title: "6. Orchestration and sagas",
        concept: "A central coordinator commands each step and compensates failures",
        text: &[
            "The CheckoutSaga commands each participant in turn and reacts to their replies. Every decision it takes is an event: its state time-travels.",
            "Open the Sagas read model, then the Compare tab: run both models with the shipping service down.",
        ],
        scenario: Scenario::Services { mode: Mode::Orchestration, checkouts: 10, delivery: CALM, idempotent: true, failure: Failure::None },
        steps: &[
            Step { text: "Let a saga complete.", done: |s, p, _| since(s, p, K::SagaCompleted) >= 1 },
        ],
        predict: Predict {
            question: "With shipping down, what happens to paid orders in each model?",
            options: &["Both refund them", "Choreography leaves them stuck; the saga times out and compensates", "Both leave them stuck"],
            answer: 1,
            explanation: "Nobody owns the flow in choreography; the saga does, so it notices the silence and runs the compensations.",
        },
    },
    Lesson {
        slug: "eventual-consistency",
        title: "7. Eventual consistency",
        concept: "Read models and services lag behind the log",
        text: &[
            "Delivery takes time here (two seconds). The read models show only what their projector has handled: watch the lag note above them.",
        ],
        scenario: Scenario::Services {
            mode: Mode::Choreography,
            checkouts: 10,
            delivery: DeliverySettings { latency_ms: 2_000, jitter_ms: 500, ..CALM },
            idempotent: true,
            failure: Failure::None,
        },
        steps: &[
            Step { text: "Watch an order appear in the log before it appears in the Orders table.", done: |s, p, _| since(s, p, K::OrderPlaced) >= 1 },
        ],
        predict: Predict {
            question: "When the storefront closes and all is quiet, do the read models agree with the log?",
            options: &["Yes, eventually", "Never exactly", "Only if you refresh"],
            answer: 0,
            explanation: "Eventually consistent: once every delivery is handled, the lag is zero.",
        },
    },
    Lesson {
        slug: "tracing",
        title: "8. Correlation and causation",
        concept: "Distributed tracing reconstructs a flow from ids",
        text: &[
            "Every event carries its flow's correlation id and the id of the event that caused it.",
            "Select a ShipmentDispatched event and open the Trace tab: the waterfall has a lane per service; the causation graph shows fan-out.",
        ],
        scenario: Scenario::Services { mode: Mode::Choreography, checkouts: 5, delivery: CALM, idempotent: true, failure: Failure::None },
        steps: &[
            Step { text: "Let an order ship, then click its ShipmentDispatched event in the log.", done: |s, _, picked| picked.and_then(|p| s.shop().store().get(p)).is_some_and(|e| e.kind() == K::ShipmentDispatched) },
        ],
        predict: Predict {
            question: "An event names a causation id that is not in the store. What does Eventide do?",
            options: &["Hides it", "Flags it in the trace and in the event's detail", "Crashes"],
            answer: 1,
            explanation: "A dangling cause is a real finding in production systems (a lost event, a wrong id): it is flagged, not hidden.",
        },
    },
    Lesson {
        slug: "ordering",
        title: "9. Ordering guarantees",
        concept: "Events may arrive out of order",
        text: &[
            "Reordering is at 100%: every event takes a detour of up to ten seconds. With 'Keep each aggregate's events in order', a stream's events still arrive in order; across streams they do not.",
            "Each service card shows its state; a wrong value stands beside the one exactly-once, in-order delivery gives (\"exactly once: ...\"). Personalization is order-sensitive: it reads a customer's views and adds as they come.",
            "Brokers give that order through partitions: an aggregate's events all go to one partition (by a hash of its id) and stay in order there, while aggregates in different partitions interleave freely.",
        ],
        scenario: Scenario::Services {
            mode: Mode::Choreography,
            checkouts: 20,
            delivery: DeliverySettings { latency_ms: 1_000, reorder_rate: 1.0, ..CALM },
            idempotent: true,
            failure: Failure::None,
        },
        steps: &[
            Step { text: "Let the checkouts finish with each aggregate kept in order: every service agrees with its exactly-once value.", done: |s, p, _| since(s, p, K::ShipmentDispatched) >= 3 && (!super::streams_kept_in_order(s) || (s.sim().is_quiescent() && super::services_agree(s))) },
            Step { text: "Switch 'Keep each aggregate's events in order' off (Delivery card).", done: |s, _, _| !super::streams_kept_in_order(s) },
            Step { text: "Open the storefront again and let it run: a service's value parts from its exactly-once value (Services tab).", done: |s, _, _| !super::streams_kept_in_order(s) && !super::services_agree(s) },
            Step { text: "Keep order again, now in 2 partitions (Delivery card: ordering on, Partitions 2), and open the storefront: each card lists its partitions and what waits in each; two aggregates in one partition wait for each other.", done: |s, _, _| super::partitioned(s) && !s.sim().is_quiescent() },
        ],
        predict: Predict {
            question: "With per-aggregate ordering on, can a PaymentProcessed for O-0001 overtake its OrderPlaced?",
            options: &["Yes", "No: both are in the order's stream, which is delivered in order"],
            answer: 1,
            explanation: "Ordering per aggregate (a partition key) is what most brokers give; global order is rarely affordable.",
        },
    },
    Lesson {
        slug: "idempotency",
        title: "10. Idempotent consumers",
        concept: "At-least-once delivery means duplicates",
        text: &[
            "Half of all events are delivered twice and the consumers are naive: they process every copy.",
            "Open the Services tab: the wrong values stand beside the right ones (emails sent twice, revenue charged twice). Switch consumers back to idempotent.",
        ],
        scenario: Scenario::Services {
            mode: Mode::Choreography,
            checkouts: 20,
            delivery: DeliverySettings { duplicate_rate: 0.5, ..CALM },
            idempotent: false,
            failure: Failure::None,
        },
        steps: &[
            Step { text: "Watch a naive service process a duplicate.", done: |s, _, _| s.sim().services().iter().any(|r| r.duplicates_processed > 0) },
            Step { text: "Make the consumers idempotent (Consumers switch).", done: |s, _, _| s.sim().services().iter().all(|r| r.idempotent) },
        ],
        predict: Predict {
            question: "How does an idempotent consumer recognise a duplicate?",
            options: &["By comparing payloads", "By the event id, in a ledger of ids it has processed", "It cannot"],
            answer: 1,
            explanation: "Event ids are unique: a ledger of processed ids turns at-least-once delivery into effectively-once processing.",
        },
    },
    Lesson {
        slug: "schema-evolution",
        title: "11. Schema evolution and the registry",
        concept: "Envelope versions and compatibility rules",
        text: &[
            "Every envelope carries the event type and its schema version. Open the Catalog tab, pick OrderPlaced and try a change: add an optional field, then remove a required one.",
            "The registry judges each change in the event type's compatibility mode, with Confluent's rules; the check also upcasts every recorded event to the proposed version and validates it, and asks every consumer whether it can still read.",
            "The log is never rewritten: producers keep writing v1, and an upcaster, declared as data (rename, add a default, split, merge, map values), turns old events into the new version on their way to read models and services.",
        ],
        scenario: Scenario::History { orders: 40 },
        steps: &[
            Step { text: "Register a compatible second version of any event type.", done: |s, _, _| K::ALL.iter().any(|k| s.evolution().latest(*k).0 > 1) },
            Step { text: "Give a version an upcaster that changes the payload (try \"Suggest upcaster\" after adding a field with a default).", done: |s, _, _| K::ALL.iter().any(|k| s.evolution().upcasters(*k).iter().any(|u| !u.steps.is_empty())) },
            Step { text: "Select an old event of that type in the log: see it as written and as consumers read it.", done: |s, _, selected| selected.and_then(|p| s.shop().store().get(p)).is_some_and(|e| s.evolution().latest(e.kind()) > e.schema_version) },
        ],
        predict: Predict {
            question: "In BACKWARD mode, may a new version add a required field without a default?",
            options: &["Yes", "No: the new schema could not read events written before it"],
            answer: 1,
            explanation: "Backward compatibility means new readers read old data; adding an optional field is the safe change.",
        },
    },
    Lesson {
        slug: "impact-analysis",
        title: "12. The event catalog and impact analysis",
        concept: "Who breaks if this event's schema changes?",
        text: &[
            "The catalog lists each event type's producers and consumers: services in both coordination models, read models and your deployed scripts, each with the payload fields it reads.",
            "Propose an incompatible change to OrderPlaced (take `total` out, add a required `coupon`) and check it: only the consumers that read `total` break, each named with the field; the others are listed as unaffected. The required coupon is the registry's concern (not BACKWARD compatible), not a consumer's. Export the whole catalog as AsyncAPI with `eventide catalog asyncapi`.",
        ],
        scenario: Scenario::Empty,
        steps: &[
            Step { text: "Place an order, then select its OrderPlaced event: its detail lists the read-model rows it changed.", done: |s, _, selected| selected.and_then(|p| s.shop().store().get(p)).is_some_and(|e| e.kind() == K::OrderPlaced) },
        ],
        predict: Predict {
            question: "How many consumers does OrderPlaced have, across both models and the read models?",
            options: &["One", "Three", "More than five"],
            answer: 2,
            explanation: "Inventory, fraud detection, notification, the checkout saga, the Orders and Activity read models: six of them. A change breaks only those that read the field it changes: removing `total` breaks the Orders read model and fraud detection, not inventory.",
        },
    },
    Lesson {
        slug: "nordstrom",
        title: "13. Nordstrom: one checkout, many consumers",
        concept: "Browse, add-to-cart and checkout events fan out to many services",
        text: &[
            "Each customer action emits an event that several services consume: personalization learns from browsing, inventory, fraud detection and notification from checkouts.",
            "Watch the graph as the storefront runs: one CartCheckedOut becomes an OrderPlaced, which inventory, fraud detection and notification each consume on their own; payment and shipping follow. Select a CartCheckedOut and open the Trace tab to see its whole flow, a lane per service that reacted (how many events depends on how the payment went).",
        ],
        scenario: Scenario::Services { mode: Mode::Choreography, checkouts: 15, delivery: CALM, idempotent: true, failure: Failure::None },
        steps: &[
            Step { text: "Let personalization update a recommendation.", done: |s, p, _| since(s, p, K::RecommendationsUpdated) >= 1 },
            Step { text: "Let a checkout reach shipping.", done: |s, p, _| since(s, p, K::ShipmentDispatched) >= 1 },
        ],
        predict: Predict {
            question: "Adding a new service that consumes CartCheckedOut: what must change in the existing services?",
            options: &["Each must call it", "Nothing: it subscribes to the event", "The order service must be redeployed"],
            answer: 1,
            explanation: "That is how Nordstrom cut time-to-market from months to days: new consumers join without touching producers.",
        },
    },
    Lesson {
        slug: "netflix-chaos",
        title: "14. Netflix: ChaosModeEnabled",
        concept: "One event changes many services at once",
        text: &[
            "Enable chaos mode: a single ChaosModeEnabled event makes several services raise their retry budget, log at debug level and alert earlier, at the same time.",
        ],
        scenario: Scenario::Services { mode: Mode::Choreography, checkouts: 3, delivery: CALM, idempotent: true, failure: Failure::None },
        steps: &[
            Step { text: "Enable chaos mode (Consumers → Enable chaos mode).", done: |s, p, _| since(s, p, K::ChaosModeEnabled) >= 1 },
            Step { text: "Watch at least three services brace themselves.", done: |s, _, _| s.sim().services().iter().filter(|r| r.ops == OpsSettings::CHAOS).count() >= 3 },
        ],
        predict: Predict {
            question: "Which service tells the others to change their settings?",
            options: &["The payment service", "None: each reacts to the same event on its own"],
            answer: 1,
            explanation: "The chaos platform only announces; every consumer decides how to react. Adding a service adds a reaction, nobody else changes.",
        },
    },
    Lesson {
        slug: "your-own-read-model",
        title: "15. Write your own read model",
        concept: "Projections are folds you can write, try and redeploy",
        text: &[
            "A read model is a fold: an initial state and a handler per event type. Open the Scripts tab: the example counts orders per customer, in Rhai.",
            "A dry run replays the log up to the cursor through your script in a Web Worker; nothing live changes. Deploy it and it follows the timeline like the built-in models. Edit it and dry run again: you see what the new version would change before it goes live (blue/green).",
        ],
        scenario: Scenario::History { orders: 30 },
        steps: &[
            Step { text: "Open the Scripts tab and dry run the example.", done: |s, _, _| s.scripts.dry_runs >= 1 },
            Step { text: "Deploy it.", done: |s, _, _| !s.scripts.deployed.is_empty() },
            Step { text: "Move the timeline back: your read model follows it.", done: |s, _, _| !s.scripts.deployed.is_empty() && !s.shop().is_live() },
            Step { text: "Edit it (count each customer's total too), dry run and redeploy: a second version.", done: |s, _, _| s.scripts.deployed.iter().any(|d| d.version >= 2) },
        ],
        predict: Predict {
            question: "You fix a bug in a projection. What happens to the events already recorded?",
            options: &["They must be migrated", "Nothing: the new version is rebuilt from the same log"],
            answer: 1,
            explanation: "The log is the source of truth; a read model is disposable. Replaying the log through the new code gives the corrected model, which is why a dry run can show the difference before you deploy.",
        },
    },
];
