//! The selected event (the cursor's, when none is): its envelope, its payload, its cause and
//! effects one click away, and its flow (the events of its correlation, indented by causation).

use eventide_engine::Position;
use eventide_logs::LogStore;
use yew::prelude::*;

use super::use_explorer;
use crate::explore::{ExploreAction, SkipChoice, Stage};
use crate::format::{clip, fmt_count, fmt_time};

/// How many events of a flow are listed.
const FLOW_SHOWN: usize = 40;

#[function_component(Detail)]
pub fn detail() -> Html {
    let explorer = use_explorer();
    let stage = explorer.stage();
    let Stage::Open(open) = &*stage else {
        return html! {};
    };
    let store = open.log.store();
    let Some(event) = open
        .selected
        .or((open.cursor > Position::ORIGIN).then_some(open.cursor))
        .and_then(|at| store.event(at))
    else {
        return html! { <section class="panel"><p class="empty">{"Before the first event. Move the cursor or pick an event."}</p></section> };
    };
    let select = |at: Position| {
        let explorer = explorer.clone();
        Callback::from(move |_: MouseEvent| explorer.dispatch(ExploreAction::Select(Some(at))))
    };
    let query = |text: String| {
        let explorer = explorer.clone();
        Callback::from(move |_: MouseEvent| explorer.dispatch(ExploreAction::Query(text.clone())))
    };
    let link = |at: Position| {
        let kind = store
            .event(at)
            .map(|event| event.kind())
            .unwrap_or_default();
        html! {
            <button type="button" class="link" onclick={select(at)} data-testid="explore-goto">{ format!("#{} {}", fmt_count(at.0), clip(kind, 40)) }</button>
        }
    };
    let cause = match (event.causation(), event.cause()) {
        (None, _) => html! { {"—"} },
        (Some(_), Some(at)) => link(at),
        (Some(id), None) => {
            html! { <span class="problem-text" data-testid="explore-dangling">{ format!("{} (no earlier event has this id)", clip(id, 24)) }</span> }
        }
    };
    let effects = store.effects_of(event.position());
    let stream = event.stream().map(|stream| {
        let text = format!("stream == {}", quoted(stream));
        html! {
            <>
                { format!("{stream} @ {} ", event.version()) }
                <button type="button" class="link" onclick={query(text)} data-testid="explore-its-stream">{"its stream"}</button>
            </>
        }
    });
    let flow = event.correlation_index().map(|flow| {
        let text = format!("correlation == {}", quoted(event.correlation().unwrap_or_default()));
        let rows = flow_rows(store, store.flow_events(flow));
        html! {
            <>
                <h3 class="subhead">
                    { format!("Its flow: {} events ", fmt_count(store.flow_events(flow).len() as u64)) }
                    <button type="button" class="link" onclick={query(text)} data-testid="explore-its-flow">{"filter the log to it"}</button>
                </h3>
                <ol class="explore-flow" data-testid="explore-flow">
                    { for rows.into_iter().map(|(at, depth)| {
                        let current = at == event.position();
                        let future = at > open.cursor;
                        html! {
                            <li class={classes!(current.then_some("current"), future.then_some("future"))} style={format!("padding-left: {}rem", depth.min(12))}>
                                { link(at) }
                            </li>
                        }
                    }) }
                </ol>
            </>
        }
    });
    let data = serde_json::to_string_pretty(&event.data()).unwrap_or_default();
    let what_if = {
        let explorer = explorer.clone();
        let at = event.position();
        Callback::from(move |_: MouseEvent| {
            explorer.dispatch(ExploreAction::Skip(Some(SkipChoice::Event(at))))
        })
    };
    html! {
        <section class="panel explore-event" aria-labelledby="explore-event-title" data-testid="explore-detail">
            <h2 id="explore-event-title" class="panel-title">{ event.kind() }</h2>
            <dl class="envelope">
                <dt>{"Position"}</dt><dd>{ format!("{} ({} of the file)", fmt_count(event.position().0), event.place()) }</dd>
                <dt>{"Time"}</dt><dd>{ event.time().map_or_else(|| "—".into(), fmt_time) }</dd>
                <dt>{"Stream"}</dt><dd>{ stream.unwrap_or_else(|| html! { {"—"} }) }</dd>
                <dt>{"Id"}</dt><dd class="mono">{ event.id().unwrap_or("—") }</dd>
                <dt>{"Producer"}</dt><dd>{ event.producer().unwrap_or("—") }</dd>
                <dt>{"Correlation"}</dt><dd class="mono">{ event.correlation().unwrap_or("—") }</dd>
                <dt>{"Caused by"}</dt><dd>{ cause }</dd>
                <dt>{"Caused"}</dt>
                <dd data-testid="explore-effects">
                    if effects.is_empty() { {"—"} }
                    { for effects.iter().map(|&at| html! { <div>{ link(at) }</div> }) }
                </dd>
            </dl>
            <pre class="payload" data-testid="explore-data">{ data }</pre>
            <button type="button" class="button compact" onclick={what_if} data-testid="explore-what-if-event"
                    title="Fold every stream again without this event, beside the real line">{"What if it had not happened?"}</button>
            { flow.unwrap_or_default() }
        </section>
    }
}

/// A flow's events (the first [`FLOW_SHOWN`]) with their depth in its causation tree.
fn flow_rows(store: &LogStore, events: &[u32]) -> Vec<(Position, usize)> {
    let mut depths: Vec<(Position, usize)> = Vec::new();
    for &at in events.iter().take(FLOW_SHOWN) {
        let at = Position(u64::from(at));
        let depth = store
            .event(at)
            .and_then(|event| event.cause())
            .and_then(|cause| depths.iter().find(|(seen, _)| *seen == cause))
            .map_or(0, |(_, depth)| depth + 1);
        depths.push((at, depth));
    }
    depths
}

/// `text` as a quoted literal of the query language: `\\` and `"` escaped, so any name a log
/// holds reads back as itself.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use eventide_engine::query::{Check, Comparison, Literal, Query, Test};

    #[test]
    fn a_quoted_name_parses_back_as_itself() {
        for name in [r"C:\logs\a", r#"say "hi""#, r"ends\"] {
            let query =
                eventide_engine::query::parse(&format!("stream == {}", super::quoted(name)));
            let Ok(Some(Query::Test(Test {
                check: Check::Compare(Comparison::Eq, Literal::Text(text)),
                ..
            }))) = query
            else {
                panic!("{name} did not parse back: {query:?}");
            };
            assert_eq!(text, name);
        }
    }
}
