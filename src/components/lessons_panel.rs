//! The lessons, as a side panel over the live app: the learner acts in the same system the
//! lesson describes. Each lesson has its own address (`#lesson=<slug>`).
//!
//! A lesson reads top to bottom in the order it is done: the text, the question (answered
//! first), the steps (unlocked by the answer), the reveal, then the next lesson. The panel
//! scrolls within its own height and starts at the top of each lesson it opens.

use yew::prelude::*;

use crate::lessons::{find, LESSONS};
use crate::state::{use_app, Action};

fn set_address(slug: &str) {
    crate::address::write(&crate::lessons::address(slug, None));
}

#[function_component(LessonsPanel)]
pub fn lessons_panel() -> Html {
    let state = use_app();
    let browsing = use_state(|| false);
    let panel = use_node_ref();
    // A new lesson (or a reset) starts at its top, not at the last lesson's scroll position.
    let opened = state
        .lessons
        .current
        .map(|(slug, progress)| (slug, progress.baseline));
    {
        let panel = panel.clone();
        use_effect_with((opened, *browsing), move |_| {
            if let Some(element) = panel.cast::<web_sys::Element>() {
                element.set_scroll_top(0);
            }
        });
    }
    if !state.lessons.open {
        return html! {};
    }
    let start = |slug: &'static str| {
        let (dispatcher, browsing) = (state.dispatcher(), browsing.clone());
        Callback::from(move |_| {
            set_address(slug);
            browsing.set(false);
            dispatcher.dispatch(Action::LoadLesson(slug));
        })
    };
    let close = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::ToggleLessons))
    };
    let current = state
        .lessons
        .current
        .and_then(|(slug, progress)| find(slug).map(|lesson| (lesson, progress)));
    let list = html! {
        <ol class="lesson-list">
            { for LESSONS.iter().map(|lesson| html! {
                <li>
                    <button type="button" class="link" onclick={start(lesson.slug)} data-testid="lesson-start" data-slug={lesson.slug}>{ lesson.title }</button>
                    <span class="muted">{ format!(" · {}", lesson.concept) }</span>
                </li>
            }) }
        </ol>
    };
    let body = match current {
        Some((lesson, progress)) if !*browsing => {
            let session = state.session();
            let steps_done = lesson.steps_done(&session, &progress);
            let unlocked = progress.unlocked();
            let finished = lesson.finished(&session, &progress);
            // A services scenario waits, paused, for the learner to start its clock.
            let paused = matches!(lesson.scenario, crate::lessons::Scenario::Services { .. })
                && !state.clock.running
                && !session.sim().is_quiescent();
            let run = {
                let dispatcher = state.dispatcher();
                Callback::from(move |_| dispatcher.dispatch(Action::SetRunning(true)))
            };
            let answer = |choice: usize| {
                let dispatcher = state.dispatcher();
                // The answer locks the radios; focus leaves them so ← and → step the timeline
                // again instead of landing on a disabled radio (or changing the answer).
                Callback::from(move |event: Event| {
                    dispatcher.dispatch(Action::AnswerLesson(choice));
                    if let Some(radio) = event.target_dyn_into::<web_sys::HtmlElement>() {
                        let _ = radio.blur();
                    }
                })
            };
            let reveal = {
                let dispatcher = state.dispatcher();
                Callback::from(move |_| dispatcher.dispatch(Action::RevealLesson))
            };
            let share = {
                let dispatcher = state.dispatcher();
                let link = crate::lessons::address(lesson.slug, Some(session.shop().cursor()));
                Callback::from(move |_| {
                    let href = web_sys::window()
                        .and_then(|w| w.location().href().ok())
                        .unwrap_or_default();
                    let base = href.split('#').next().unwrap_or_default().to_string();
                    let full = format!("{base}{link}");
                    crate::address::write(&link);
                    dispatcher.dispatch(Action::Notify(format!(
                        "Link to this lesson at this point: {full}"
                    )));
                })
            };
            let show_list = {
                let browsing = browsing.clone();
                Callback::from(move |_| browsing.set(true))
            };
            let next = lesson.next().map(|next| (next, start(next.slug)));
            let right = progress.answered == Some(lesson.predict.answer);
            html! {
                <div class="lesson" data-testid="lesson" data-slug={lesson.slug}>
                    <h3 class="lesson-title">{ lesson.title }</h3>
                    <p class="lesson-concept">{ lesson.concept }</p>
                    { for lesson.text.iter().map(|paragraph| html! { <p>{ *paragraph }</p> }) }
                    <h4 class="subhead">{"1. Predict first"}</h4>
                    <p data-testid="lesson-question">{ lesson.predict.question }</p>
                    <div class="predict" role="radiogroup" aria-label="Your prediction">
                        { for lesson.predict.options.iter().enumerate().map(|(i, option)| html! {
                            <label class="switch">
                                <input type="radio" name="predict" checked={progress.answered == Some(i)} disabled={progress.answered.is_some()}
                                       onchange={answer(i)} data-testid="lesson-option" />
                                <span>{ *option }</span>
                            </label>
                        }) }
                    </div>
                    <h4 class="subhead" data-testid="lesson-steps-head">{ format!("2. Steps ({steps_done} of {} done)", lesson.steps.len()) }</h4>
                    if unlocked && paused {
                        <p class="lesson-run">
                            {"The virtual clock is paused. "}
                            <button type="button" class="button primary" onclick={run} data-testid="lesson-run">{"Run the simulation"}</button>
                        </p>
                    }
                    if unlocked {
                        <ol class="lesson-steps">
                            { for lesson.steps.iter().enumerate().map(|(index, step)| {
                                let done = lesson.step_done(index, &session, &progress);
                                html! {
                                    <li class={classes!(done.then_some("done"))} data-testid="lesson-step">
                                        <span class="step-mark" aria-label={if done { "done" } else { "to do" }}>{ if done { "✓" } else { "○" } }</span>
                                        { step.text }
                                    </li>
                                }
                            }) }
                        </ol>
                    } else {
                        <p class="muted" data-testid="lesson-steps-locked">{ format!("Answer the question first: then the {} steps appear.", lesson.steps.len()) }</p>
                    }
                    <h4 class="subhead">{"3. Reveal"}</h4>
                    if progress.revealed {
                        <p class={classes!("reveal", right.then_some("right"))} data-testid="lesson-reveal">
                            <strong>{ if right { "Right. " } else { "Not quite. " } }</strong>
                            { lesson.predict.explanation }
                        </p>
                    } else {
                        <button type="button" class="button" disabled={!unlocked || steps_done < lesson.steps.len()} onclick={reveal} data-testid="lesson-reveal-button">
                            { if steps_done == lesson.steps.len() { "Reveal the answer" } else { "Reveal the answer (after the steps)" } }
                        </button>
                    }
                    if finished {
                        <p class="lesson-finished" data-testid="lesson-finished">{ "Lesson complete." }</p>
                    }
                    <div class="button-row lesson-actions">
                        if let Some((next, go)) = next {
                            <button type="button" class={classes!("button", finished.then_some("primary"))} onclick={go} data-testid="lesson-next" title={next.title}>{"Next lesson"}</button>
                        }
                        <button type="button" class="button" onclick={start(lesson.slug)} data-testid="lesson-reset">{"Reset lesson"}</button>
                        <button type="button" class="button" onclick={show_list} data-testid="lesson-all">{"All lessons"}</button>
                        <button type="button" class="button" onclick={share} data-testid="lesson-share">{"Share this point"}</button>
                    </div>
                </div>
            }
        }
        _ => list,
    };
    html! {
        <section class="panel lessons" aria-labelledby="lessons-title" data-testid="lessons-panel" ref={panel}>
            <div class="panel-head">
                <h2 id="lessons-title" class="panel-title">{"Lessons"}</h2>
                <button type="button" class="button" onclick={close} aria-label="Close the lessons">{"Close"}</button>
            </div>
            { body }
        </section>
    }
}
