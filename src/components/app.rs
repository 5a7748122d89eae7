//! The shell: the state provider, the layout, and the app-wide effects (playing the timeline,
//! generating in chunks, keyboard shortcuts).

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::{Interval, Timeout};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

use super::branch_bar::BranchBar;
use super::catalog_view::CatalogView;
use super::choreography_panel::ChoreographyPanel;
use super::command_panel::CommandPanel;
use super::compare_view::CompareView;
use super::event_detail::EventDetail;
use super::event_log::EventLog;
use super::explore::{ExploreLayer, ExplorerContext};
use super::files_panel::FilesPanel;
use super::generate_panel::GeneratePanel;
use super::header::{Header, HelpOverlay};
use super::lessons_panel::LessonsPanel;
use super::notices::{Notices, Problems};
use super::past_banner::PastBanner;
use super::read_models::ReadModels;
use super::services_view::ServicesView;
use super::time_view::TimeView;
use super::timeline::Timeline;
use super::trace_view::TraceView;
use crate::state::{Action, AppContext, AppState, CenterTab};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    // A user's own log, explored over the shop and apart from it (`crate::explore`).
    let explorer = use_reducer(crate::explore::Explorer::default);
    use_explore_reading(&explorer);
    let exploring = explorer.is_open();
    use_player(&state);
    use_sim_clock(&state);
    use_generation(&state);
    super::deployed_scripts::use_policies(&state);
    super::room_services::use_room_services(&state);
    use_shortcuts(&state);
    super::autosave::use_opening_address(&state);
    super::autosave::use_pasted_links(&state);
    super::autosave::use_autosave(&state);
    use_large_text_preference(&state);

    let large_text = state.view.large_text;
    // Beside a lesson on a narrow screen the commands fold into a rail (style.css decides when),
    // giving the centre the width; this is whether the user unfolded them there.
    let commands_open = use_state_eq(|| false);
    let toggle_commands = {
        let commands_open = commands_open.clone();
        Callback::from(move |_: MouseEvent| commands_open.set(!*commands_open))
    };
    html! {
        <ContextProvider<AppContext> context={state}>
        <ContextProvider<ExplorerContext> context={explorer}>
            <div class={classes!("app", large_text.then_some("large-text"), commands_open.then_some("commands-open"))} data-testid="app"
                 inert={exploring}>
                <SkipLink />
                <Header />
                <PastBanner />
                <BranchBar />
                <main class="workspace">
                    <aside class="sidebar" aria-label="Commands">
                        <button class="button commands-fold" onclick={toggle_commands} aria-expanded={commands_open.to_string()}
                                title="Show or hide the commands beside the lesson" data-testid="commands-fold">
                            { if *commands_open { "◂ Fold commands" } else { "Commands ▸" } }
                        </button>
                        <CommandPanel />
                        <ChoreographyPanel />
                        <GeneratePanel />
                        <FilesPanel />
                        <Problems />
                    </aside>
                    <section class="center" aria-label="Read models and services">
                        <super::welcome::Welcome />
                        <CenterTabs />
                    </section>
                    <aside class="inspector" aria-label="Lessons and the selected event">
                        <LessonsPanel />
                        <EventDetail />
                    </aside>
                </main>
                <footer class="bottom">
                    <Timeline />
                    <EventLog />
                </footer>
                <Notices />
                <HelpOverlay />
                <super::confirm_dialog::ConfirmDialog />
            </div>
            // Keys pressed in the explorer are its own, never the shop's shortcuts underneath.
            <div class={classes!("explore-root", large_text.then_some("large-text"))}
                 onkeydown={Callback::from(|event: KeyboardEvent| event.stop_propagation())}>
                <ExploreLayer />
            </div>
        </ContextProvider<ExplorerContext>>
        </ContextProvider<AppContext>>
    }
}

/// Large text as the presenter last left it (a preference of this browser, not of a session).
#[hook]
fn use_large_text_preference(state: &AppContext) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        if crate::saved::large_text() {
            dispatcher.dispatch(Action::SetLargeText(true));
        }
    });
}

/// The first Tab stop: puts the focus on the timeline's slider, where ← and → step it, without
/// tabbing through every command first. A button, not a `#fragment` link: the address belongs
/// to lessons and shared links.
#[function_component(SkipLink)]
fn skip_link() -> Html {
    let onclick = Callback::from(|_| {
        let slider = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| {
                document
                    .query_selector("[data-testid=timeline-slider]")
                    .ok()
                    .flatten()
            })
            .and_then(|element| element.dyn_into::<HtmlElement>().ok());
        if let Some(slider) = slider {
            let _ = slider.focus();
        }
    });
    html! {
        <button type="button" class="skip-link" {onclick} data-testid="skip-to-timeline">
            {"Skip to the timeline"}
        </button>
    }
}

/// While playing, moves the cursor forward at the chosen speed.
#[hook]
fn use_player(state: &AppContext) {
    let dispatcher = state.dispatcher();
    use_effect_with(
        (state.timeline.playing, state.timeline.speed),
        move |&(playing, speed)| {
            let interval = playing.then(|| {
                let period_ms = (1000 / speed.max(1)).max(100);
                let events = (speed * period_ms / 1000).max(1);
                Interval::new(period_ms as u32, move || {
                    dispatcher.dispatch(Action::Tick { events })
                })
            });
            move || drop(interval)
        },
    );
}

/// While the simulation runs, its virtual clock ticks every 100 ms of real time.
#[hook]
fn use_sim_clock(state: &AppContext) {
    let dispatcher = state.dispatcher();
    use_effect_with(state.clock.running, move |&running| {
        let interval =
            running.then(|| Interval::new(100, move || dispatcher.dispatch(Action::SimTick)));
        move || drop(interval)
    });
}

/// The centre: the read models, or the services and their graph. The tab open is app state,
/// so a shared link carries it.
#[function_component(CenterTabs)]
fn center_tabs() -> Html {
    let state = crate::state::use_app();
    let open = state.view.tab;
    let buttons = CenterTab::ALL.iter().map(|&tab| {
        let dispatcher = state.dispatcher();
        let onclick = Callback::from(move |_| dispatcher.dispatch(Action::ChooseTab(tab)));
        let active = tab == open;
        html! {
            <button type="button" role="tab" aria-selected={active.to_string()} class={classes!("center-tab", active.then_some("active"))} {onclick} data-testid={tab.testid()}>{ tab.label() }</button>
        }
    });
    html! {
        <>
            <div class="center-tabs" role="tablist">{ for buttons }</div>
            { match open {
                CenterTab::ReadModels => html! { <ReadModels /> },
                CenterTab::Services => html! { <section class="panel"><ServicesView /></section> },
                CenterTab::Trace => html! { <TraceView /> },
                CenterTab::Compare => html! { <CompareView /> },
                CenterTab::Catalog => html! { <CatalogView /> },
                CenterTab::Time => html! { <TimeView /> },
                // The script worker's module is fetched the first time this tab asks it for work.
                CenterTab::Scripts => html! { <super::scripts_panel::ScriptsPanel /> },
            } }
        </>
    }
}

/// Reads a log into the explorer one chunk of records per task, and a file one slice at a time
/// when the reading asks for the next, so its progress paints and Cancel answers.
#[hook]
fn use_explore_reading(explorer: &ExplorerContext) {
    use crate::explore::{ExploreAction, LogSource, Stage};
    let next = match &*explorer.stage() {
        Stage::Reading(reading) => Some(match (&reading.source, reading.wanted_slice()) {
            (LogSource::File(file), Some(slice)) => Some((reading.id, file.clone(), slice)),
            _ => None,
        }),
        _ => None,
    };
    let dispatcher = explorer.dispatcher();
    // The slice last asked for: any other action while it is read must not ask again.
    let asked = use_mut_ref(|| None::<(u64, u64)>);
    use_effect_with(explorer.revision, move |_| {
        let timeout = match next {
            Some(Some((id, _, (from, _)))) if *asked.borrow() == Some((id, from)) => None,
            Some(Some((id, file, (from, to)))) => {
                *asked.borrow_mut() = Some((id, from));
                wasm_bindgen_futures::spawn_local(async move {
                    let bytes = super::explore::read_slice(&file, from, to).await;
                    dispatcher.dispatch(ExploreAction::Slice {
                        id,
                        at: from,
                        bytes,
                    });
                });
                None
            }
            Some(None) => Some(Timeout::new(0, move || {
                dispatcher.dispatch(ExploreAction::Continue)
            })),
            None => None,
        };
        move || drop(timeout)
    });
}

/// Runs a generation or an import one chunk per task, so the page stays responsive and shows progress.
#[hook]
fn use_generation(state: &AppContext) {
    let dispatcher = state.dispatcher();
    let (generating, importing) = {
        let session = state.session();
        (session.job().is_some(), session.import_job().is_some())
    };
    use_effect_with(
        (state.revision, generating, importing),
        move |&(_, generating, importing)| {
            let timeout = (generating || importing).then(|| {
                let action = if importing {
                    Action::ContinueImport
                } else {
                    Action::ContinueGenerating
                };
                Timeout::new(0, move || dispatcher.dispatch(action))
            });
            move || drop(timeout)
        },
    );
}

/// Left and right step, space plays, Home goes to the start and End back to live, `?` shows
/// the shortcuts and Esc closes them.
///
/// The listener is not passive: a passive one cannot `prevent_default`, so Space and End would
/// also scroll the page (and Chromium logs "Unable to preventDefault inside passive event
/// listener invocation" for every key).
#[hook]
fn use_shortcuts(state: &AppContext) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&window, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if event.ctrl_key() || event.meta_key() || event.alt_key() {
                    return;
                }
                let key = event.key();
                // Esc closes what is open, wherever the focus is, and never opens anything.
                // Nothing to prevent: Esc has no default action in a page.
                if key == "Escape" {
                    dispatcher.dispatch(Action::CloseHelp);
                    return;
                }
                if claimed_by_target(event, &key) {
                    return;
                }
                // `/` puts the focus in the log's query bar, as in many search boxes.
                if key == "/" {
                    if let Some(input) = web_sys::window()
                        .and_then(|window| window.document())
                        .and_then(|document| {
                            document.query_selector("[data-testid='query-input']").ok()
                        })
                        .flatten()
                        .and_then(|element| element.dyn_into::<HtmlElement>().ok())
                    {
                        event.prevent_default();
                        let _ = input.focus();
                    }
                    return;
                }
                let action = match key.as_str() {
                    "ArrowLeft" => Action::StepBack,
                    "ArrowRight" => Action::StepForward,
                    " " => Action::TogglePlay,
                    "Home" => Action::Seek(eventide_engine::Position::ORIGIN),
                    "End" => Action::GoLive,
                    "?" => Action::ToggleHelp,
                    _ => return,
                };
                event.prevent_default();
                dispatcher.dispatch(action);
            })
        });
        move || drop(listener)
    });
}

/// Keys typed into a field belong to the field, not to the timeline; on a button, Space and
/// Enter press it, and the other shortcuts still work (so End on a button does not scroll).
/// On a slider (the timeline's), ← and → are the timeline's step back and forward: the same
/// one event the slider would move, but a step, as the lessons ask for.
fn claimed_by_target(event: &KeyboardEvent, key: &str) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<HtmlElement>().ok())
        .is_some_and(|element| match element.tag_name().as_str() {
            "INPUT" if element.get_attribute("type").as_deref() == Some("range") => {
                !matches!(key, "ArrowLeft" | "ArrowRight")
            }
            "INPUT" | "SELECT" | "TEXTAREA" => true,
            "BUTTON" => matches!(key, " " | "Enter"),
            _ => element.is_content_editable(),
        })
}
