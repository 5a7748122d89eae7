//! The event catalog: every event type with its meaning, schema versions, an example, who
//! publishes and who consumes it; and "try a change": a proposed next schema judged in every
//! compatibility mode, its changes by Confluent's names, and the consumers it would break.

use eventide_engine::schema::{check, diff, CompatibilityMode, Direction, JsonSchema, Verdict};
use eventide_engine::shop::event_catalog::{
    consumers, description, example, payload, producers, Party,
};
use eventide_engine::shop::events::ShopEventKind;
use eventide_engine::Named;
use serde_json::Value;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::{use_app, Action};

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

#[function_component(CatalogView)]
pub fn catalog_view() -> Html {
    let state = use_app();
    let selected = use_state(|| ShopEventKind::OrderPlaced);
    let session = state.session();
    let store = session.shop().store();
    let list = ShopEventKind::ALL.iter().map(|&kind| {
        let pick = {
            let selected = selected.clone();
            Callback::from(move |_| selected.set(kind))
        };
        let active = *selected == kind;
        html! {
            <li>
                <button type="button" class={classes!("catalog-item", active.then_some("active"))} onclick={pick} data-testid="catalog-item">
                    <span class="event-type">{ kind.name() }</span>
                    <span class="muted">{ fmt_count(store.count_by_kind(kind) as u64) }</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="panel catalog-view" data-testid="catalog-view">
            <h2 class="panel-title">{"Event catalog"}</h2>
            <div class="catalog-layout">
                <ul class="catalog-list" aria-label="Event types">{ for list }</ul>
                <EventTypeDetail kind={*selected} />
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DetailProps {
    kind: ShopEventKind,
}

fn parties(list: &[Party]) -> Html {
    html! {
        <ul class="parties">
            { for list.iter().map(|party| {
                let modes: Vec<&str> = party.modes.iter().map(|m| m.name()).collect();
                html! {
                    <li>
                        <strong>{ party.name }</strong>
                        <span class="muted">{ format!(" · {}{}", party.role, if modes.is_empty() { String::new() } else { format!(" · {}", modes.join(", ")) }) }</span>
                    </li>
                }
            }) }
        </ul>
    }
}

#[function_component(EventTypeDetail)]
fn event_type_detail(props: &DetailProps) -> Html {
    let state = use_app();
    let kind = props.kind;
    let session = state.session();
    let registry = &session.registry;
    let versions: Vec<(String, Value)> = registry
        .versions(kind.name())
        .map(|(version, schema)| (version.to_string(), schema.source().clone()))
        .collect();
    let latest = versions
        .last()
        .map(|(_, schema)| schema.clone())
        .unwrap_or(Value::Null);
    let mode = registry.mode(kind.name());
    let draft = use_state(|| pretty(&latest));
    let verdicts = use_state(|| None::<Result<Vec<(CompatibilityMode, Verdict)>, String>>);
    {
        // A new event type starts from its own latest schema.
        let (draft, verdicts, latest) = (draft.clone(), verdicts.clone(), pretty(&latest));
        use_effect_with(kind, move |_| {
            draft.set(latest);
            verdicts.set(None);
        });
    }
    let on_draft = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
                draft.set(area.value());
            }
        })
    };
    let earlier: Vec<Value> = versions.iter().map(|(_, schema)| schema.clone()).collect();
    let try_it = {
        let (draft, verdicts, earlier) = (draft.clone(), verdicts.clone(), earlier.clone());
        Callback::from(move |_| {
            let outcome = serde_json::from_str::<Value>(&draft)
                .map_err(|error| format!("The proposed schema is not JSON: {error}"))
                .and_then(|proposed| {
                    CompatibilityMode::ALL
                        .iter()
                        .map(|&mode| {
                            check(mode, &earlier, &proposed)
                                .map(|verdict| (mode, verdict))
                                .map_err(|e| e.to_string())
                        })
                        .collect::<Result<Vec<_>, String>>()
                });
            verdicts.set(Some(outcome));
        })
    };
    let register = {
        let (dispatcher, draft) = (state.dispatcher(), draft.clone());
        let name = kind.name();
        Callback::from(move |_| {
            dispatcher.dispatch(match serde_json::from_str::<Value>(&draft) {
                Ok(schema) => Action::RegisterSchema { kind: name, schema },
                Err(error) => Action::InvalidInput(format!(
                    "{name}: the proposed schema is not JSON: {error}"
                )),
            });
        })
    };
    let on_mode = {
        let dispatcher = state.dispatcher();
        let name = kind.name();
        Callback::from(move |event: Event| {
            if let Some(mode) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| select.value().parse::<CompatibilityMode>().ok())
            {
                dispatcher.dispatch(Action::SetSchemaMode { kind: name, mode });
            }
        })
    };
    let consumer_list = consumers(kind);
    let changes_between = |a: &Value, b: &Value| -> Vec<String> {
        match (JsonSchema::parse(a.clone()), JsonSchema::parse(b.clone())) {
            (Ok(a), Ok(b)) => diff(&a, &b).iter().map(|c| c.to_string()).collect(),
            _ => Vec::new(),
        }
    };

    html! {
        <div class="catalog-detail" data-testid="catalog-detail">
            <h3 class="catalog-title"><span class="event-type">{ kind.name() }</span></h3>
            <p>{ description(kind) }</p>
            <div class="catalog-columns">
                <div>
                    <h4 class="subhead">{"Published by"}</h4>
                    { parties(&producers(kind)) }
                </div>
                <div>
                    <h4 class="subhead">{"Consumed by"}</h4>
                    if consumer_list.is_empty() { <p class="muted">{"No one consumes it."}</p> } else { { parties(&consumer_list) } }
                </div>
            </div>
            <h4 class="subhead">{"Example payload"}</h4>
            <pre class="payload">{ pretty(&payload(&example(kind))) }</pre>
            <h4 class="subhead">{ format!("Schema versions ({})", versions.len()) }</h4>
            { for versions.iter().enumerate().map(|(i, (version, schema))| html! {
                <details class="schema-version" open={i + 1 == versions.len()}>
                    <summary>{ version.clone() }
                        if i > 0 {
                            <span class="muted">{ format!(" · {}", changes_between(&versions[i - 1].1, schema).join(", ")) }</span>
                        }
                    </summary>
                    <pre class="payload">{ pretty(schema) }</pre>
                </details>
            }) }
            if versions.len() > 1 {
                <VersionDiff versions={std::rc::Rc::new(versions.clone())} />
            }
            <h4 class="subhead">{"Try a change before making it"}</h4>
            <label class="field">{"Compatibility mode of this event type"}
                <select onchange={on_mode} data-testid="schema-mode">
                    { for CompatibilityMode::ALL.iter().map(|m| html! { <option value={m.name()} selected={*m == mode}>{ m.name() }</option> }) }
                </select>
            </label>
            <textarea class="schema-editor" rows="14" spellcheck="false" value={(*draft).clone()} oninput={on_draft}
                      aria-label={format!("Proposed next schema of {}", kind.name())} data-testid="schema-draft" />
            <div class="button-row">
                <button type="button" class="button" onclick={try_it} data-testid="schema-check">{"Check in every mode"}</button>
                <button type="button" class="button" onclick={register} data-testid="schema-register">{ format!("Register as next version ({})", mode.name()) }</button>
            </div>
            { match &*verdicts {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning" data-testid="schema-problem">{ problem.clone() }</p> },
                Some(Ok(verdicts)) => verdict_view(verdicts, mode, &consumer_list),
            } }
        </div>
    }
}

fn verdict_view(
    verdicts: &[(CompatibilityMode, Verdict)],
    mode: CompatibilityMode,
    consumers: &[Party],
) -> Html {
    let changes: Vec<String> = verdicts
        .iter()
        .find(|(m, _)| *m == CompatibilityMode::Full)
        .map(|(_, verdict)| {
            verdict
                .comparisons
                .iter()
                .filter(|c| c.direction == Direction::Backward)
                .flat_map(|c| {
                    c.changes.iter().map(|change| {
                        format!(
                            "{change} ({})",
                            if change.is_backward_compatible() {
                                "compatible"
                            } else {
                                "incompatible"
                            }
                        )
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let breaks_backward = verdicts
        .iter()
        .any(|(m, v)| *m == CompatibilityMode::Backward && !v.is_compatible());
    let breaks_forward = verdicts
        .iter()
        .any(|(m, v)| *m == CompatibilityMode::Forward && !v.is_compatible());
    html! {
        <div class="verdicts" data-testid="schema-verdicts">
            <table class="compare-table">
                <thead><tr><th scope="col">{"Mode"}</th><th scope="col">{"Verdict"}</th></tr></thead>
                <tbody>
                    { for verdicts.iter().map(|(m, verdict)| html! {
                        <tr class={classes!((*m == mode).then_some("current-mode"))}>
                            <th scope="row">{ m.name() }</th>
                            <td class={if verdict.is_compatible() { "ok" } else { "bad" }}>
                                { if verdict.is_compatible() { "compatible" } else { "incompatible" } }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h4 class="subhead">{ format!("Changes ({})", changes.len()) }</h4>
            if changes.is_empty() {
                <p class="muted">{"No change against the latest version."}</p>
            } else {
                <ul data-testid="schema-changes">{ for changes.iter().map(|c| html! { <li class="mono">{ c.clone() }</li> }) }</ul>
            }
            <h4 class="subhead">{"Who breaks"}</h4>
            if !breaks_backward && !breaks_forward {
                <p class="muted" data-testid="who-breaks">{"No one: every consumer reads old and new events alike."}</p>
            } else {
                <ul data-testid="who-breaks">
                    { for consumers.iter().map(|party| html! {
                        <li>
                            <strong>{ party.name }</strong>
                            { match (breaks_backward, breaks_forward) {
                                (true, true) => " cannot read old events with the new schema, and its old code cannot read new events.",
                                (true, false) => " cannot read the events already recorded once it moves to the new schema.",
                                _ => " cannot read new events until it is upgraded (old code, new data).",
                            } }
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct VersionDiffProps {
    versions: std::rc::Rc<Vec<(String, Value)>>,
}

/// The changes between any two registered versions, by Confluent's names.
#[function_component(VersionDiff)]
fn version_diff(props: &VersionDiffProps) -> Html {
    let last = props.versions.len().saturating_sub(1);
    let from = use_state(|| 0usize);
    let to = use_state(|| last);
    let pick = |handle: UseStateHandle<usize>| {
        Callback::from(move |event: Event| {
            if let Some(index) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| select.value().parse::<usize>().ok())
            {
                handle.set(index);
            }
        })
    };
    let versions = &props.versions;
    let (a, b) = ((*from).min(last), (*to).min(last));
    let changes: Vec<String> = match (
        JsonSchema::parse(versions[a].1.clone()),
        JsonSchema::parse(versions[b].1.clone()),
    ) {
        (Ok(x), Ok(y)) => diff(&x, &y)
            .iter()
            .map(|change| {
                format!(
                    "{change} ({})",
                    if change.is_backward_compatible() {
                        "compatible"
                    } else {
                        "incompatible"
                    }
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let options = |selected: usize| {
        versions
            .iter()
            .enumerate()
            .map(|(i, (name, _))| html! { <option value={i.to_string()} selected={i == selected}>{ name.clone() }</option> })
            .collect::<Html>()
    };
    html! {
        <div class="version-diff" data-testid="version-diff">
            <div class="time-form">
                <label class="field">{"From"}<select onchange={pick(from.clone())} data-testid="version-from">{ options(a) }</select></label>
                <label class="field">{"To"}<select onchange={pick(to.clone())} data-testid="version-to">{ options(b) }</select></label>
            </div>
            if changes.is_empty() {
                <p class="muted">{"No change between these versions."}</p>
            } else {
                <ul>{ for changes.iter().map(|c| html! { <li class="mono">{ c.clone() }</li> }) }</ul>
            }
        </div>
    }
}
