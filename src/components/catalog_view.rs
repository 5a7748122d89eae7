//! The event catalog: every event type with its meaning, schema versions (each with the upcaster
//! from the one before), an example, who publishes and who consumes it; and "try a change": a
//! proposed next schema and upcaster judged in every compatibility mode, against every recorded
//! event (upcast, then validated) and against every consumer, before it is registered.

use std::rc::Rc;

use eventide_engine::schema::{diff, CompatibilityMode, Direction, JsonSchema, Upcaster};
use eventide_engine::{Named, Position};
use eventide_shop::event_catalog::{description, example, payload, producers, Party};
use eventide_shop::events::ShopEventKind;
use eventide_shop::evolution::{
    built_in_readers, suggest_upcaster, FieldReads, Proposal, Reader, ReaderRole,
};
use serde_json::Value;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::format::fmt_count;
use crate::state::scripts::Deployed;
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
    let export_asyncapi = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let document = {
                let session = state.session();
                let registry = session.evolution().registry();
                eventide_shop::event_catalog::asyncapi_with(|kind| {
                    registry
                        .latest(kind.name())
                        .map(|(_, schema)| schema.source().clone())
                })
            };
            if let Err(problem) = super::files_panel::download(
                "eventide-asyncapi.json",
                "application/json",
                &pretty(&document),
            ) {
                state.dispatch(Action::InvalidInput(problem));
            }
        })
    };
    html! {
        <section class="panel catalog-view" data-testid="catalog-view">
            <div class="panel-head">
                <h2 class="panel-title">{"Event catalog"}</h2>
                <button type="button" class="button" onclick={export_asyncapi} title="Download the catalog as an AsyncAPI 3.0 document (each type's newest schema)" data-testid="asyncapi-export">
                    {"Export AsyncAPI"}
                </button>
            </div>
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

/// Consumers, each with the models it takes part in and the fields it reads.
fn readers(list: &[Reader]) -> Html {
    html! {
        <ul class="parties">
            { for list.iter().map(|reader| {
                let modes: Vec<&str> = reader.modes.iter().map(|m| m.name()).collect();
                let modes = if modes.is_empty() { String::new() } else { format!(" · {}", modes.join(", ")) };
                html! {
                    <li>
                        <strong>{ reader.name.clone() }</strong>
                        <span class="muted">{ format!(" · {}{modes} · {}", reader.role.name(), reads_of(reader)) }</span>
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
    let evolution = session.evolution();
    let registry = evolution.registry();
    let versions: Vec<(String, Value)> = registry
        .versions(kind.name())
        .map(|(version, schema)| (version.to_string(), schema.source().clone()))
        .collect();
    let upcasters: Vec<String> = evolution
        .upcasters(kind)
        .iter()
        .map(ToString::to_string)
        .collect();
    let latest = versions
        .last()
        .map(|(_, schema)| schema.clone())
        .unwrap_or(Value::Null);
    let mode = evolution.mode(kind);
    let next = evolution.latest(kind).0 + 1;
    let draft = use_state(|| pretty(&latest));
    let steps = use_state(|| "[]".to_string());
    let proposal = use_state(|| None::<Rc<Result<Proposal, String>>>);
    {
        // A new event type, or a new version registered, starts from the latest schema.
        let (draft, steps, proposal) = (draft.clone(), steps.clone(), proposal.clone());
        let latest_text = pretty(&latest);
        use_effect_with((kind, versions.len()), move |_| {
            draft.set(latest_text);
            steps.set("[]".to_string());
            proposal.set(None);
        });
    }
    type Checked = Option<Rc<Result<Proposal, String>>>;
    let edit = |handle: UseStateHandle<String>, proposal: UseStateHandle<Checked>| {
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
                handle.set(area.value());
                // A verdict on another text would mislead: it goes until the next check.
                proposal.set(None);
            }
        })
    };
    let parsed = parse_draft(&draft, &steps);
    let check_it = {
        let (state, proposal, parsed) = (state.clone(), proposal.clone(), parsed.clone());
        Callback::from(move |_| {
            let session = state.session();
            // Deployed scripts are judged beside the built-in consumers, by what they read.
            let scripts: Vec<Reader> = session
                .scripts
                .consumers_of(kind.name())
                .map(|script| script.reader(kind.name()))
                .collect();
            let outcome = parsed.clone().and_then(|(schema, upcaster)| {
                session
                    .evolution()
                    .propose_with(kind, &schema, &upcaster, session.shop().store(), &scripts)
                    .map_err(|error| error.to_string())
            });
            proposal.set(Some(Rc::new(outcome)));
        })
    };
    let suggest = {
        let (steps, proposal, draft, latest) = (
            steps.clone(),
            proposal.clone(),
            draft.clone(),
            latest.clone(),
        );
        Callback::from(move |_| {
            if let Ok(proposed) = serde_json::from_str::<Value>(&draft) {
                let suggested = suggest_upcaster(&latest, &proposed);
                steps.set(serde_json::to_string_pretty(&suggested).unwrap_or_default());
                proposal.set(None);
            }
        })
    };
    let register = {
        let (dispatcher, parsed) = (state.dispatcher(), parsed.clone());
        Callback::from(move |_| {
            dispatcher.dispatch(match parsed.clone() {
                Ok((schema, upcaster)) => Action::RegisterSchema {
                    kind,
                    schema,
                    upcaster,
                },
                Err(problem) => Action::InvalidInput(format!("{}: {problem}", kind.name())),
            });
        })
    };
    let on_mode = {
        let (dispatcher, proposal) = (state.dispatcher(), proposal.clone());
        Callback::from(move |event: Event| {
            if let Some(mode) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| select.value().parse::<CompatibilityMode>().ok())
            {
                dispatcher.dispatch(Action::SetSchemaMode { kind, mode });
                proposal.set(None);
            }
        })
    };
    let consumer_list = built_in_readers(kind);
    let scripted: Vec<Deployed> = session.scripts.consumers_of(kind.name()).cloned().collect();
    let changes_between = |a: &Value, b: &Value| -> Vec<String> {
        match (JsonSchema::parse(a.clone()), JsonSchema::parse(b.clone())) {
            (Ok(a), Ok(b)) => diff(&a, &b).iter().map(|c| c.to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let select = {
        let dispatcher = state.dispatcher();
        Callback::from(move |position: Position| {
            dispatcher.dispatch(Action::Select(Some(position)))
        })
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
                    if consumer_list.is_empty() && scripted.is_empty() { <p class="muted">{"No one consumes it."}</p> } else { { readers(&consumer_list) } }
                    if !scripted.is_empty() {
                        <ul class="parties" data-testid="script-consumers">
                            { for scripted.iter().map(|script| html! {
                                <li><strong>{ format!("{} v{}", script.name, script.version) }</strong><span class="muted">{ format!(" · your script · {}", reads_of(&script.reader(kind.name()))) }</span></li>
                            }) }
                        </ul>
                    }
                </div>
            </div>
            <h4 class="subhead">{"Example payload (as the shop's code writes it, v1)"}</h4>
            <pre class="payload">{ pretty(&payload(&example(kind))) }</pre>
            <h4 class="subhead">{ format!("Schema versions ({})", versions.len()) }</h4>
            if versions.len() > 1 {
                <p class="muted">{ format!("Producers write v1; consumers read v{}: older events are upcast on the way, and the log keeps them as written.", versions.len()) }</p>
            }
            { for versions.iter().enumerate().map(|(i, (version, schema))| html! {
                <details class="schema-version" open={i + 1 == versions.len()}>
                    <summary>{ version.clone() }
                        if i > 0 {
                            <span class="muted">{ format!(" · {}", changes_between(&versions[i - 1].1, schema).join(", ")) }</span>
                        }
                    </summary>
                    if i > 0 {
                        <p class="upcaster-line" data-testid="upcaster">{ format!("Upcaster from v{i}: {}", upcasters.get(i - 1).cloned().unwrap_or_default()) }</p>
                    }
                    <pre class="payload">{ pretty(schema) }</pre>
                </details>
            }) }
            if versions.len() > 1 {
                <VersionDiff versions={Rc::new(versions.clone())} />
            }
            <h4 class="subhead">{ format!("Try a change before making it: v{next}") }</h4>
            <label class="field">{"Compatibility mode of this event type"}
                <select onchange={on_mode} data-testid="schema-mode">
                    { for CompatibilityMode::ALL.iter().map(|m| html! { <option value={m.name()} selected={*m == mode}>{ m.name() }</option> }) }
                </select>
            </label>
            <div class="proposal-editors">
                <label class="field">{ format!("Proposed schema v{next}") }
                    <textarea class="schema-editor" rows="14" spellcheck="false" value={(*draft).clone()} oninput={edit(draft.clone(), proposal.clone())}
                              aria-label={format!("Proposed next schema of {}", kind.name())} data-testid="schema-draft" />
                </label>
                <label class="field">{ format!("Upcaster v{} → v{next}: steps as data", next - 1) }
                    <textarea class="schema-editor" rows="14" spellcheck="false" value={(*steps).clone()} oninput={edit(steps.clone(), proposal.clone())}
                              aria-label={format!("Upcaster steps of {}", kind.name())} data-testid="upcaster-draft" />
                    <details class="hint">
                        <summary>{"Step kinds"}</summary>
                        <ul>
                            <li>{ r#"{"rename": {"from": "a", "to": "b"}}"# }</li>
                            <li>{ r#"{"add_default": {"field": "f", "value": "x"}}"# }</li>
                            <li>{ r#"{"remove": {"field": "f"}}"# }</li>
                            <li>{ r#"{"split": {"from": "a", "into": ["b", "c"], "separator": " "}}"# }</li>
                            <li>{ r#"{"merge": {"from": ["b", "c"], "into": "a", "separator": " "}}"# }</li>
                            <li>{ r#"{"map_values": {"field": "f", "mapping": [["old", "new"]]}}"# }</li>
                        </ul>
                    </details>
                </label>
            </div>
            <div class="button-row">
                <button type="button" class="button" onclick={suggest} data-testid="upcaster-suggest">{"Suggest upcaster from the change"}</button>
                <button type="button" class="button primary" onclick={check_it} data-testid="schema-check">{"Check: modes, recorded events, consumers"}</button>
                <button type="button" class="button" onclick={register} data-testid="schema-register">{ format!("Register as v{next} ({})", mode.name()) }</button>
            </div>
            if let Err(problem) = &parsed {
                <p class="muted" data-testid="schema-problem">{ problem.clone() }</p>
            }
            { match proposal.as_deref() {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning" data-testid="schema-problem">{ problem.clone() }</p> },
                Some(Ok(proposal)) => proposal_view(proposal, &select),
            } }
        </div>
    }
}

/// The proposed schema and upcaster from the two editors, or why they are not usable.
fn parse_draft(draft: &str, steps: &str) -> Result<(Value, Upcaster), String> {
    let schema = serde_json::from_str::<Value>(draft)
        .map_err(|error| format!("The proposed schema is not JSON: {error}"))?;
    let upcaster = serde_json::from_str::<Upcaster>(steps)
        .map_err(|error| format!("The upcaster is not a list of steps: {error}"))?;
    Ok((schema, upcaster))
}

/// What a reader reads of the type, in a few words.
fn reads_of(reader: &Reader) -> String {
    match &reader.reads {
        FieldReads::Every => "reads payload fields dynamically: any of them".to_string(),
        FieldReads::Fields(fields) if fields.is_empty() => "reads no payload field".to_string(),
        FieldReads::Fields(fields) => format!("reads {}", fields.join(", ")),
    }
}

fn proposal_view(proposal: &Proposal, select: &Callback<Position>) -> Html {
    let mode = proposal.mode;
    let changes: Vec<String> = proposal
        .verdicts
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
    let incompatible_in = |wanted: CompatibilityMode| {
        proposal
            .verdicts
            .iter()
            .any(|(m, v)| *m == wanted && !v.is_compatible())
    };
    let (breaks_backward, breaks_forward) = (
        incompatible_in(CompatibilityMode::Backward),
        incompatible_in(CompatibilityMode::Forward),
    );
    let mut ordered = proposal.verdicts.clone();
    ordered.sort_by_key(|(m, _)| CompatibilityMode::ALL.iter().position(|x| x == m));
    html! {
        <div class="verdicts" data-testid="schema-verdicts">
            <table class="compare-table">
                <thead><tr><th scope="col">{"Mode"}</th><th scope="col">{"Verdict"}</th></tr></thead>
                <tbody>
                    { for ordered.iter().map(|(m, verdict)| html! {
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
            <h4 class="subhead">{ format!("Recorded events, upcast and validated ({} checked)", fmt_count(proposal.checked as u64)) }</h4>
            if proposal.failing_count == 0 {
                <p class="ok-text" data-testid="failing-events">{ format!("All {} recorded events of this type would be valid as {}.", fmt_count(proposal.checked as u64), proposal.version) }</p>
            } else {
                <div data-testid="failing-events">
                    <p class="warning">{ format!("{} of {} recorded events would fail validation as {}:", fmt_count(proposal.failing_count as u64), fmt_count(proposal.checked as u64), proposal.version) }</p>
                    <ul class="links">
                        { for proposal.failing.iter().map(|failing| {
                            let position = failing.position;
                            let onclick = select.reform(move |_| position);
                            html! {
                                <li><button type="button" class="link" {onclick}>{ format!("#{}", fmt_count(position.0)) }</button>{ format!(" {}", failing.problem) }</li>
                            }
                        }) }
                    </ul>
                </div>
            }
            if let Some(problem) = &proposal.new_event_problem {
                <p class="warning" data-testid="new-event-problem">{ format!("New events: {problem}.") }</p>
            }
            <h4 class="subhead">{"Who breaks"}</h4>
            if proposal.breaks.is_empty() {
                <p data-testid="who-breaks">{ format!("No consumer here breaks: each reads every event as {}, old ones through the upcaster.", proposal.version) }</p>
            } else {
                <ul data-testid="who-breaks">
                    { for proposal.breaks.iter().map(|b| {
                        let script = b.consumer.role == ReaderRole::Script;
                        html! {
                            <li>
                                <strong>{ b.consumer.name.clone() }</strong>
                                { format!(" ({}) could not read it: it {}.", b.consumer.role.name(), b.why) }
                                if script { { " Update the script with the change." } }
                            </li>
                        }
                    }) }
                </ul>
            }
            if !proposal.unaffected.is_empty() {
                <p class="muted">{"Unaffected: they read none of the fields this changes."}</p>
                <ul class="parties" data-testid="unaffected">
                    { for proposal.unaffected.iter().map(|reader| html! {
                        <li><strong>{ reader.name.clone() }</strong><span class="muted">{ format!(" · {} · {}", reader.role.name(), reads_of(reader)) }</span></li>
                    }) }
                </ul>
            }
            if breaks_backward {
                <p class="warning">{ format!("BACKWARD incompatible: a consumer moved to {} without this upcaster could not read the events already recorded.", proposal.version) }</p>
            }
            if breaks_forward {
                <p class="muted">{ format!("FORWARD incompatible: a consumer still on v{} could not read events a producer writes as {}; upgrade consumers before producers.", proposal.version.0 - 1, proposal.version) }</p>
            }
            { match proposal.refusal() {
                None => html! { <p class="ok-text" data-testid="proposal-verdict">{ format!("{} can be registered in {} mode.", proposal.version, mode.name()) }</p> },
                Some(refusal) => html! { <p class="warning" data-testid="proposal-verdict">{ format!("Registration would be refused. {refusal}") }</p> },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct VersionDiffProps {
    versions: Rc<Vec<(String, Value)>>,
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
