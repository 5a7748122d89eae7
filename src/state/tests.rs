//! The reducer as a whole: an action that changes nothing hands back the very same state (Yew
//! then skips the render), one that changes something a new one; and the knobs the panels show
//! are the engine's, whatever replaced the line.

use std::rc::Rc;

use eventide_engine::delivery::DeliverySettings;
use eventide_engine::schema::CompatibilityMode;
use eventide_engine::{Position, Timestamp};
use eventide_shop::events::{ShopEvent, ShopEventKind};
use eventide_shop::services::Mode;
use yew::Reducible;

use super::{Action, AppState, CenterTab, ImportSource, ScenarioSettings, Session};
use crate::recipe::Step;

const START: Timestamp = Timestamp(1_700_000_000_000);

/// A tab holding a small generated log (no wall clock read, so this runs natively too).
fn tab() -> Rc<AppState> {
    let mut session = Session::starting_at(START);
    session.start_generating(7, 20);
    while session.job().is_some() {
        session.continue_job(u64::MAX).expect("generates");
    }
    Rc::new(AppState::with_session(session))
}

fn reduce(state: &Rc<AppState>, action: Action) -> Rc<AppState> {
    state.clone().reduce(action)
}

/// Each of these once reported a change while changing nothing, so every component rendered
/// again for nothing (and some counted as the user's work, making the tab save).
#[test]
fn it_should_hand_back_the_same_state_for_an_action_that_changes_nothing() {
    let state = tab();
    let delivery = state.session().delivery();
    let idempotent = state.session().idempotent();
    let mode = state.session().sim().mode();
    let schema_mode = state.session().evolution().mode(ShopEventKind::OrderPlaced);
    let same = [
        ("the same speed", Action::SetSpeed(state.timeline.speed)),
        (
            "the same clock speed",
            Action::SetSimSpeed(state.clock.speed),
        ),
        ("the same tab", Action::ChooseTab(state.view.tab)),
        (
            "the delivery every subscription has",
            Action::SetDelivery {
                target: None,
                settings: delivery,
            },
        ),
        ("consumers as they are", Action::SetIdempotent(idempotent)),
        ("chaos off while off", Action::SetChaos(false)),
        ("the model in use", Action::SetMode(mode)),
        ("services off while off", Action::SetReacting(false)),
        (
            "the schema mode in place",
            Action::SetSchemaMode {
                kind: ShopEventKind::OrderPlaced,
                mode: schema_mode,
            },
        ),
        ("no generation to cancel", Action::CancelGenerating),
        ("no generation to continue", Action::ContinueGenerating),
        ("no import to cancel", Action::CancelImport),
        ("no import to continue", Action::ContinueImport),
        ("no branch to close", Action::CloseBranch { keep: false }),
        ("nothing to confirm", Action::Confirm),
        ("nothing to cancel", Action::CancelPending),
        ("no line set aside", Action::ForgetSetAside),
        ("no line to switch to", Action::SwitchLines),
        ("already live", Action::GoLive),
        ("the empty query again", Action::SetQuery(String::new())),
        ("help closed while closed", Action::CloseHelp),
        ("no such notice", Action::Dismiss(99)),
        ("not playing", Action::Tick { events: 10 }),
        (
            "from a link, the same tab",
            Action::FromLink(Box::new(Action::ChooseTab(state.view.tab))),
        ),
    ];
    for (what, action) in same {
        let next = reduce(&state, action);
        assert!(Rc::ptr_eq(&next, &state), "{what}: a new state");
        assert_eq!(next.files.work, 0, "{what}: counted as work");
    }
}

#[test]
fn it_should_hand_back_the_same_state_for_a_query_applied_or_refused_again() {
    let state = reduce(&tab(), Action::SetQuery("type == OrderPlaced".into()));
    assert!(Rc::ptr_eq(
        &reduce(&state, Action::SetQuery("type == OrderPlaced".into())),
        &state
    ));
    let refused = reduce(&state, Action::SetQuery("type ==".into()));
    assert!(!Rc::ptr_eq(&refused, &state), "the refusal shows");
    assert!(Rc::ptr_eq(
        &reduce(&refused, Action::SetQuery("type ==".into())),
        &refused
    ));
}

#[test]
fn it_should_make_a_new_state_for_each_real_change() {
    let state = tab();
    let changes = [
        Action::SetSpeed(100),
        Action::ChooseTab(CenterTab::Trace),
        Action::SetIdempotent(false),
        Action::SetChaos(true),
        Action::SetMode(Mode::Orchestration),
        Action::Seek(Position(3)),
        Action::Select(Some(Position(2))),
        Action::ToggleHelp,
        Action::Notify("hello".into()),
        Action::SetSchemaMode {
            kind: ShopEventKind::OrderPlaced,
            mode: CompatibilityMode::None,
        },
    ];
    let mut revision = state.revision;
    let mut state = state;
    for action in changes {
        let next = reduce(&state, action);
        assert!(next.revision > revision);
        revision = next.revision;
        state = next;
    }
}

#[test]
fn the_knobs_follow_the_engine_not_a_copy_beside_it() {
    let state = tab();
    assert!(!state.session().chaos());
    let delivery = DeliverySettings {
        latency_ms: 700,
        ..DeliverySettings::default()
    };
    let state = reduce(
        &state,
        Action::SetDelivery {
            target: None,
            settings: delivery,
        },
    );
    let state = reduce(&state, Action::SetIdempotent(false));
    let state = reduce(&state, Action::SetChaos(true));
    assert_eq!(state.session().delivery().latency_ms, 700);
    assert!(!state.session().idempotent());
    assert!(state.session().chaos());
    // A branch is a line of its own, with the knobs its simulation has.
    let state = reduce(&state, Action::Fork(Position(5)));
    assert!(state.session().branch().is_some());
    assert_eq!(
        state.session().delivery(),
        DeliverySettings::default().clamped()
    );
    assert!(
        !state.session().chaos(),
        "forked before chaos was turned on"
    );
    // Back on the main line, its knobs again.
    let state = reduce(&state, Action::CloseBranch { keep: false });
    assert_eq!(state.session().delivery().latency_ms, 700);
    assert!(state.session().chaos());
}

/// A scenario file whose log turned chaos on and whose services had other knobs: opened in a
/// fresh tab, the panels read them (the chaos switch once stayed off after an import).
#[test]
fn an_imported_scenario_brings_its_knobs_and_its_chaos() {
    let mut sharer = Session::starting_at(START);
    for step in [
        Step::Reacting { on: true },
        Step::Inject {
            event: ShopEvent::ChaosModeEnabled {
                reason: "game day".into(),
            },
        },
        Step::Delivery {
            subscription: None,
            settings: DeliverySettings {
                latency_ms: 900,
                ..DeliverySettings::default()
            },
        },
        Step::Idempotent {
            service: None,
            idempotent: false,
        },
    ] {
        sharer.run_services(step).expect("runs");
    }
    let shared = AppState::with_session(sharer);
    let file = shared.session().export_scenario(shared.scenario_settings());
    let settings = ScenarioSettings::read(
        eventide_shop::interchange::read(file.as_bytes())
            .expect("reads")
            .settings,
    );
    assert_eq!(settings.idempotent, Some(false));
    assert_eq!(settings.delivery.map(|d| d.latency_ms), Some(900));

    let opened = reduce(
        &Rc::new(AppState::with_session(Session::starting_at(START))),
        Action::Import {
            name: "shared.json".into(),
            bytes: Rc::new(file.into_bytes()),
            source: ImportSource::File,
        },
    );
    let session = opened.session();
    assert!(!session.shop().store().is_empty(), "the events are in");
    assert!(session.chaos(), "the log says chaos is on");
    assert_eq!(session.delivery().latency_ms, 900);
    assert!(!session.idempotent());
}
