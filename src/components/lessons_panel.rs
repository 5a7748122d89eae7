//! The lessons, as a side panel over the live app: the learner acts in the same system the
//! lesson describes. Each lesson has its own address (`#lesson=<slug>`).

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
    if !state.lessons_open {
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
        .lesson
        .and_then(|(slug, progress)| find(slug).map(|lesson| (lesson, progress)));
    let list = html! {
        <ol class="lesson-list">
            { for LESSONS.iter().map(|lesson| html! {
                <li>
                    <button type="button" class="link" onclick={start(lesson.slug)} data-testid="lesson-start">{ lesson.title }</button>
                    <span class="muted">{ format!(" · {}", lesson.concept) }</span>
                </li>
            }) }
        </ol>
    };
    let body = match current {
        Some((lesson, progress)) if !*browsing => {
            let session = state.session();
            let steps_done = lesson
                .steps
                .iter()
                .filter(|step| (step.done)(&session, &progress, state.selected))
                .count();
            let answer = |choice: usize| {
                let dispatcher = state.dispatcher();
                Callback::from(move |_| dispatcher.dispatch(Action::AnswerLesson(choice)))
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
            html! {
                <div class="lesson" data-testid="lesson">
                    <h3 class="lesson-title">{ lesson.title }</h3>
                    <p class="lesson-concept">{ lesson.concept }</p>
                    { for lesson.text.iter().map(|paragraph| html! { <p>{ *paragraph }</p> }) }
                    <h4 class="subhead">{ format!("Steps ({steps_done} of {} done)", lesson.steps.len()) }</h4>
                    <ol class="lesson-steps">
                        { for lesson.steps.iter().map(|step| {
                            let done = (step.done)(&session, &progress, state.selected);
                            html! {
                                <li class={classes!(done.then_some("done"))} data-testid="lesson-step">
                                    <span class="step-mark" aria-label={if done { "done" } else { "to do" }}>{ if done { "✓" } else { "○" } }</span>
                                    { step.text }
                                </li>
                            }
                        }) }
                    </ol>
                    <h4 class="subhead">{"Predict what happens"}</h4>
                    <p>{ lesson.predict.question }</p>
                    <div class="predict" role="radiogroup">
                        { for lesson.predict.options.iter().enumerate().map(|(i, option)| html! {
                            <label class="switch">
                                <input type="radio" name="predict" checked={progress.answered == Some(i)} disabled={progress.revealed}
                                       onchange={answer(i)} data-testid="lesson-option" />
                                <span>{ *option }</span>
                            </label>
                        }) }
                    </div>
                    if progress.revealed {
                        <p class={classes!("reveal", (progress.answered == Some(lesson.predict.answer)).then_some("right"))} data-testid="lesson-reveal">
                            <strong>{ if progress.answered == Some(lesson.predict.answer) { "Right. " } else { "Not quite. " } }</strong>
                            { lesson.predict.explanation }
                        </p>
                    } else {
                        <button type="button" class="button" disabled={progress.answered.is_none()} onclick={reveal} data-testid="lesson-reveal-button">
                            {"Reveal"}
                        </button>
                    }
                    <div class="button-row lesson-actions">
                        <button type="button" class="button" onclick={start(lesson.slug)} data-testid="lesson-reset">{"Reset lesson"}</button>
                        <button type="button" class="button" onclick={show_list}>{"All lessons"}</button>
                        <button type="button" class="button" onclick={share} data-testid="lesson-share">{"Share this point"}</button>
                    </div>
                </div>
            }
        }
        _ => list,
    };
    html! {
        <section class="panel lessons" aria-labelledby="lessons-title" data-testid="lessons-panel">
            <div class="panel-head">
                <h2 id="lessons-title" class="panel-title">{"Lessons"}</h2>
                <button type="button" class="button" onclick={close} aria-label="Close the lessons">{"Close"}</button>
            </div>
            { body }
        </section>
    }
}
