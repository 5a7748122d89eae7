//! Temporal queries in a click: what changed between two moments A and B, each changed field
//! blamed on the event that last changed it (a link that selects it); and "when did this field
//! first become that value?", answered by bisection where it can only happen once and by a scan
//! where it may come and go.

use std::rc::Rc;

use eventide_engine::projection::Cell;
use eventide_engine::temporal::{
    diff_between, when, BlameLimits, Comparison, FieldBlame, Method, ModelDiff, RowBlame,
    RowChange, WhenAnswer, WhenError, WhenQuery,
};
use eventide_engine::Position;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format::{fmt_cell, fmt_count};
use crate::state::{use_app, Action};

/// Changes listed per model; the counts say how many more there are.
const SHOWN: usize = 40;

fn input_value(event: &InputEvent) -> Option<String> {
    event
        .target_dyn_into::<HtmlInputElement>()
        .map(|input| input.value())
}

fn select_value(event: &Event) -> Option<String> {
    event
        .target_dyn_into::<HtmlSelectElement>()
        .map(|select| select.value())
}

/// Keeps a text field's state in step with what is typed.
fn typed(handle: &UseStateHandle<String>) -> Callback<InputEvent> {
    let handle = handle.clone();
    Callback::from(move |event: InputEvent| {
        if let Some(value) = input_value(&event) {
            handle.set(value);
        }
    })
}

/// Keeps a select's state in step with what is chosen.
fn chosen(handle: &UseStateHandle<String>) -> Callback<Event> {
    let handle = handle.clone();
    Callback::from(move |event: Event| {
        if let Some(value) = select_value(&event) {
            handle.set(value);
        }
    })
}

#[function_component(TimeView)]
pub fn time_view() -> Html {
    html! {
        <section class="panel time-view" data-testid="time-view">
            <h2 class="panel-title">{"Time machine"}</h2>
            <DiffPanel />
            <WhenPanel />
            <BitemporalPanel />
            <AggregatePanel />
            <BetweenPanel />
        </section>
    }
}

#[function_component(DiffPanel)]
fn diff_panel() -> Html {
    let state = use_app();
    let (cursor, head) = {
        let session = state.session();
        (session.shop().cursor().0, session.shop().store().head().0)
    };
    let a = use_state(|| cursor.saturating_sub(100).to_string());
    let b = use_state(|| cursor.to_string());
    let result = use_state(|| None::<Result<(u64, u64, Rc<Vec<ModelDiff>>), String>>);
    let to_cursor =
        |handle: UseStateHandle<String>| Callback::from(move |_| handle.set(cursor.to_string()));
    let run = {
        let (a, b, result, state) = (a.clone(), b.clone(), result.clone(), state.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let parse = |text: &str, name: &str| {
                text.trim()
                    .replace(',', "")
                    .parse::<u64>()
                    .ok()
                    .filter(|p| *p <= head)
                    .ok_or_else(|| {
                        format!(
                            "{name}: '{}' is not a position from 0 to {}",
                            text.trim(),
                            fmt_count(head)
                        )
                    })
            };
            let outcome = parse(&a, "A")
                .and_then(|a| parse(&b, "B").map(|b| (a, b)))
                .map(|(a, b)| {
                    let session = state.session();
                    let shop = session.shop();
                    // Field blame for the rows a model's list shows, no more: it costs a walk
                    // back through the row's events.
                    let limits = BlameLimits {
                        rows: SHOWN,
                        ..BlameLimits::default()
                    };
                    let diffs = diff_between(
                        shop.history(),
                        shop.store(),
                        Position(a),
                        Position(b),
                        limits,
                    );
                    (a, b, Rc::new(diffs))
                });
            result.set(Some(outcome));
        })
    };
    let select = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
    };
    html! {
        <div class="time-block">
            <h3 class="subhead">{"What changed between A and B?"}</h3>
            <p class="panel-hint">{"Each field links to the event that last changed it between A and B (\u{2264} where the search stopped early: the change is at or before it)."}</p>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"A (position)"}<input value={(*a).clone()} oninput={typed(&a)} data-testid="diff-a" /></label>
                <button type="button" class="button align-end" onclick={to_cursor(a.clone())}>{"A = cursor"}</button>
                <label class="field">{"B (position)"}<input value={(*b).clone()} oninput={typed(&b)} data-testid="diff-b" /></label>
                <button type="button" class="button align-end" onclick={to_cursor(b.clone())}>{"B = cursor"}</button>
                <button type="submit" class="button primary compare-run align-end" data-testid="diff-run">{"Compare"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok((a, b, diffs))) => html! {
                    <div data-testid="diff-result">
                        <p class="muted">{ format!("From position {} to {}: {} events.", fmt_count(*a), fmt_count(*b), fmt_count(b.abs_diff(*a))) }</p>
                        if a > b {
                            <p class="muted">{"B comes before A: each row links to its last event at B, and no field is blamed."}</p>
                        }
                        { for state.session().scripts.deployed.iter()
                            .filter(|script| script.kind == eventide_shop::scripting::ScriptKind::Projection)
                            .map(|script| html! {
                                <super::deployed_scripts::ScriptDiff script={script.clone()} a={Position(*a)} b={Position(*b)} />
                            }) }
                        { for diffs.iter().map(|model| {
                            let (added, removed, changed) = model.counts();
                            html! {
                                <details class="diff-model" open={added + removed + changed > 0}>
                                    <summary data-testid="diff-model">{ format!("{} · {} added · {} removed · {} changed", model.model, added, removed, changed) }</summary>
                                    <ul class="diff-rows">
                                        { for model.changes.iter().take(SHOWN).map(|change| change_item(model, change, &select)) }
                                    </ul>
                                    if model.changes.len() > SHOWN {
                                        <p class="muted">{ format!("… and {} more", fmt_count((model.changes.len() - SHOWN) as u64)) }</p>
                                    }
                                </details>
                            }
                        }) }
                    </div>
                },
            } }
        </div>
    }
}

/// The link to the event a field's value at B came from: it selects that event.
fn blame_link(blame: FieldBlame, select: &dyn Fn(Position) -> Callback<MouseEvent>) -> Html {
    let (label, title) = match blame {
        FieldBlame::Exact(at) => (
            format!("blame #{}", fmt_count(at.0)),
            "The last event between A and B that changed this field".to_string(),
        ),
        FieldBlame::AtOrBefore(at) => (
            format!("blame \u{2264} #{}", fmt_count(at.0)),
            format!(
                "The search stopped at #{}: this field last changed at or before it",
                fmt_count(at.0)
            ),
        ),
    };
    html! {
        <button type="button" class="link field-blame" title={title} onclick={select(blame.position())} data-testid="field-blame">{ label }</button>
    }
}

/// One added, removed or changed row: each field with what it became, and the event behind it.
fn change_item(
    model: &ModelDiff,
    change: &RowChange,
    select: &dyn Fn(Position) -> Callback<MouseEvent>,
) -> Html {
    let (key, verb, class, fields): (&str, &str, &str, Vec<(&str, String)>) = match change {
        RowChange::Added(row) => (
            &row.key,
            " added",
            "added",
            model
                .columns
                .iter()
                .zip(&row.cells)
                .filter(|(_, cell)| !matches!(cell, Cell::Event(_)))
                .map(|(column, cell)| (*column, fmt_cell(cell)))
                .collect(),
        ),
        RowChange::Removed(row) => (&row.key, " removed", "removed", Vec::new()),
        RowChange::Changed { key, fields } => (
            key,
            "",
            "changed",
            fields
                .iter()
                .map(|f| {
                    (
                        f.column,
                        format!("{} → {}", fmt_cell(&f.before), fmt_cell(&f.after)),
                    )
                })
                .collect(),
        ),
    };
    let blame = model.field_blame.get(key);
    // Without field blame (B before A, or a model with no event column), the row's last event.
    let row_blame = model.blame.get(key).copied().filter(|_| blame.is_none());
    html! {
        <li class={class} data-testid="diff-row">
            <strong>{ key.to_string() }</strong>{ verb }
            if let Some(RowBlame::Removed(at)) = blame {
                {" · "}<button type="button" class="link field-blame" onclick={select(*at)} data-testid="field-blame">{ format!("removed by #{}", fmt_count(at.0)) }</button>
            }
            if let Some(position) = row_blame {
                {" · "}<button type="button" class="link" onclick={select(position)} data-testid="blame">{ format!("blame #{}", fmt_count(position.0)) }</button>
            }
            if !fields.is_empty() {
                <ul class="diff-fields">
                    { for fields.into_iter().map(|(column, text)| html! {
                        <li data-testid="diff-field">
                            { format!("{column}: {text}") }
                            if let Some(field) = blame.and_then(|blame| blame.field(column)) {
                                {" "}{ blame_link(field, select) }
                            }
                        </li>
                    }) }
                </ul>
            }
        </li>
    }
}

#[function_component(WhenPanel)]
fn when_panel() -> Html {
    let state = use_app();
    let model = use_state(|| "Orders".to_string());
    let key = use_state(|| "O-0001".to_string());
    let column = use_state(|| "Status".to_string());
    let comparison = use_state(|| Comparison::Equals);
    let value = use_state(|| "shipped".to_string());
    let answer = use_state(|| None::<Result<WhenAnswer, String>>);
    let (models, columns): (Vec<&'static str>, Vec<&'static str>) = {
        let session = state.session();
        let set = session.shop().history().live();
        let models = set.iter().map(|m| m.name()).collect();
        let columns = set
            .by_name(&model)
            .map(|m| m.columns().to_vec())
            .unwrap_or_default();
        (models, columns)
    };
    let on_comparison = {
        let comparison = comparison.clone();
        Callback::from(move |event: Event| {
            comparison.set(if select_value(&event).as_deref() == Some("at-least") {
                Comparison::AtLeast
            } else {
                Comparison::Equals
            });
        })
    };
    let run = {
        let (state, answer) = (state.clone(), answer.clone());
        let (model, key, column) = ((*model).clone(), key.trim().to_string(), (*column).clone());
        let (comparison, value) = (*comparison, (*value).clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let shop = session.shop();
            // The question is read once, here: a value that could never match is refused.
            let asked = WhenQuery::new(
                shop.history().live(),
                &model,
                &key,
                &column,
                comparison,
                &value,
            )
            .map(|query| when(shop.history(), shop.store(), &query))
            .map_err(|problem| {
                let field = match problem {
                    WhenError::UnknownModel(_) => "Read model",
                    WhenError::UnknownColumn { .. } => "Field",
                    WhenError::NotANumber(_) => "Value",
                };
                format!("{field}: {problem}")
            });
            answer.set(Some(asked));
        })
    };
    let seek = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Seek(position)))
    };
    html! {
        <div class="time-block">
            <h3 class="subhead">{"When did it first happen?"}</h3>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"Read model"}
                    <select onchange={chosen(&model)} data-testid="when-model">
                        { for models.iter().map(|m| html! { <option value={*m} selected={*m == model.as_str()}>{ *m }</option> }) }
                    </select>
                </label>
                <label class="field">{"Row"}<input value={(*key).clone()} oninput={typed(&key)} data-testid="when-key" /></label>
                <label class="field">{"Field"}
                    <select onchange={chosen(&column)} data-testid="when-column">
                        { for columns.iter().map(|c| html! { <option value={*c} selected={*c == column.as_str()}>{ *c }</option> }) }
                    </select>
                </label>
                <label class="field">{"is"}
                    <select onchange={on_comparison} data-testid="when-comparison">
                        <option value="equals" selected={*comparison == Comparison::Equals}>{"equal to"}</option>
                        <option value="at-least" selected={*comparison == Comparison::AtLeast}>{"at least"}</option>
                    </select>
                </label>
                <label class="field">{"Value"}<input value={(*value).clone()} oninput={typed(&value)} data-testid="when-value" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="when-run">{"Ask"}</button>
            </form>
            { match &*answer {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning" data-testid="when-problem">{ problem.clone() }</p> },
                Some(Ok(answer)) => {
                    let how = match answer.method {
                        Method::Bisection { probes } => format!("found by bisection in {probes} probes: once true, it stays true"),
                        Method::Scan { events } => format!("found by a scan of {} events: it may come and go, so bisection could miss its first time", fmt_count(events)),
                    };
                    html! {
                        <p data-testid="when-answer">
                            { match answer.position {
                                Some(position) => html! { <>
                                    { format!("First at position {} · {how}. ", fmt_count(position.0)) }
                                    <button type="button" class="button" onclick={seek(position)} data-testid="when-seek">{"Go there"}</button>
                                </> },
                                None => html! { { format!("Never, up to the head · {how}.") } },
                            } }
                        </p>
                    }
                }
            } }
        </div>
    }
}

/// One line per read model: its rows, and for revenue the total.
fn summary(
    models: &eventide_engine::projection::ReadModelSet<eventide_shop::ShopEvent>,
) -> Vec<(String, String)> {
    models
        .iter()
        .map(|model| {
            let extra = models
                .get::<eventide_shop::read_models::RevenuePerCustomer>()
                .filter(|_| model.name() == "Revenue")
                .map(|revenue| format!(" · {}", revenue.total()))
                .unwrap_or_default();
            (
                model.name().to_string(),
                format!("{} rows{extra}", fmt_count(model.row_count() as u64)),
            )
        })
        .collect()
}

/// Bitemporal time: the world as of a business time, as known now and as known at the cursor,
/// beside the ordinary recording-time view. A late, back-dated event moves only the first.
#[function_component(BitemporalPanel)]
fn bitemporal_panel() -> Html {
    let state = use_app();
    let business = use_state(String::new);
    let result = use_state(|| None::<Result<Vec<(String, String, String, String)>, String>>);
    let on_business = typed(&business);
    let run = {
        let (state, business, result) = (state.clone(), business.clone(), result.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let shop = session.shop();
            let store = shop.store();
            let cursor = shop.cursor();
            let Some(at) = eventide_engine::Timestamp::parse(&business) else {
                result.set(Some(Err(format!(
                    "Business time: '{}' is not a date and time",
                    business.trim()
                ))));
                return;
            };
            let now = summary(&eventide_engine::temporal::as_of_business_time(
                shop.history(),
                store,
                at,
                store.head(),
            ));
            let then = summary(&eventide_engine::temporal::as_of_business_time(
                shop.history(),
                store,
                at,
                cursor,
            ));
            let recorded = summary(&shop.history().state_at(store, store.position_at(at)));
            let rows = now
                .into_iter()
                .zip(then)
                .zip(recorded)
                .map(|(((name, a), (_, b)), (_, c))| (name, a, b, c))
                .collect();
            result.set(Some(Ok(rows)));
        })
    };
    let (late, cursor) = {
        let session = state.session();
        let store = session.shop().store();
        (
            eventide_engine::temporal::late_events(store, 60_000).count(),
            session.shop().cursor(),
        )
    };
    html! {
        <div class="time-block" data-testid="bitemporal">
            <h3 class="subhead">{"As of business time"}</h3>
            <p class="panel-hint">{ format!(
                "Events carry when they happened (occurred at) beside when they were recorded. {} event(s) were recorded more than a minute late; back-date a command in the Commands panel to make one.",
                fmt_count(late as u64)) }</p>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"Business time (UTC)"}<input value={(*business).clone()} oninput={on_business} placeholder="2026-11-26 09:45" data-testid="business-time" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="business-run">{"Show"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok(rows)) => html! {
                    <table class="compare-table" data-testid="bitemporal-table">
                        <thead><tr>
                            <th></th>
                            <th scope="col">{"Happened by then, as known now"}</th>
                            <th scope="col">{ format!("…as known at the cursor (#{})", fmt_count(cursor.0)) }</th>
                            <th scope="col">{"Recorded by then"}</th>
                        </tr></thead>
                        <tbody>
                            { for rows.iter().map(|(name, a, b, c)| html! {
                                <tr><th scope="row">{ name.clone() }</th><td>{ a.clone() }</td><td>{ b.clone() }</td><td>{ c.clone() }</td></tr>
                            }) }
                        </tbody>
                    </table>
                },
            } }
        </div>
    }
}

/// "What was the state of aggregate X as of a position, a time or a version?"
#[function_component(AggregatePanel)]
fn aggregate_panel() -> Html {
    use eventide_shop::as_of::{aggregate_as_of, parse_aggregate, AsOf};
    let state = use_app();
    let aggregate = use_state(|| "O-0001".to_string());
    let kind = use_state(|| "position".to_string());
    let at = use_state(String::new);
    let result = use_state(|| None::<Result<String, String>>);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |event: Event| {
            if let Some(v) = select_value(&event) {
                kind.set(v);
            }
        })
    };
    let run = {
        let (state, aggregate, kind, at, result) = (
            state.clone(),
            aggregate.clone(),
            kind.clone(),
            at.clone(),
            result.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let store = session.shop().store();
            let outcome = (|| {
                let stream = parse_aggregate(&aggregate).ok_or_else(|| {
                    format!(
                        "Aggregate: '{}' is not an order (O-…), cart (C-…) or product (SKU-…)",
                        aggregate.trim()
                    )
                })?;
                let value = at.trim().replace(',', "");
                let as_of = match kind.as_str() {
                    "time" => AsOf::Time(
                        eventide_engine::Timestamp::parse(&value)
                            .ok_or_else(|| format!("Time: '{value}' is not a date and time"))?,
                    ),
                    "version" => AsOf::Version(eventide_engine::StreamVersion(
                        value
                            .parse()
                            .map_err(|_| format!("Version: '{value}' is not a number"))?,
                    )),
                    _ if value.is_empty() => AsOf::Position(session.shop().cursor()),
                    _ => AsOf::Position(Position(
                        value
                            .parse()
                            .map_err(|_| format!("Position: '{value}' is not a number"))?,
                    )),
                };
                Ok(match aggregate_as_of(store, stream, as_of) {
                    Some((version, json)) => format!(
                        "{stream} at version {version}:\n{}",
                        serde_json::to_string_pretty(&json).unwrap_or_default()
                    ),
                    None => format!("{stream} did not exist yet at that point."),
                })
            })();
            result.set(Some(outcome));
        })
    };
    html! {
        <div class="time-block" data-testid="aggregate-as-of">
            <h3 class="subhead">{"An aggregate as of…"}</h3>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"Aggregate"}<input value={(*aggregate).clone()} oninput={typed(&aggregate)} data-testid="as-of-aggregate" /></label>
                <label class="field">{"as of"}
                    <select onchange={on_kind} data-testid="as-of-kind">
                        <option value="position" selected={*kind == "position"}>{"position"}</option>
                        <option value="time" selected={*kind == "time"}>{"time (UTC)"}</option>
                        <option value="version" selected={*kind == "version"}>{"its version"}</option>
                    </select>
                </label>
                <label class="field">{"Value"}<input value={(*at).clone()} oninput={typed(&at)} placeholder="the cursor" data-testid="as-of-value" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="as-of-run">{"Show"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok(text)) => html! { <pre class="payload" data-testid="as-of-result">{ text.clone() }</pre> },
            } }
        </div>
    }
}

/// "Which events happened between two times?", filtered by type, aggregate and flow.
#[function_component(BetweenPanel)]
fn between_panel() -> Html {
    use eventide_engine::Named;
    use eventide_shop::events::ShopEventKind;
    const LIMIT: usize = 200;
    let state = use_app();
    let from = use_state(String::new);
    let to = use_state(String::new);
    let kind = use_state(|| "any".to_string());
    let aggregate = use_state(String::new);
    let flow = use_state(String::new);
    let result = use_state(|| None::<Result<(usize, Vec<(Position, String)>), String>>);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |event: Event| {
            if let Some(v) = select_value(&event) {
                kind.set(v);
            }
        })
    };
    let run = {
        let (state, from, to, kind, aggregate, flow, result) = (
            state.clone(),
            from.clone(),
            to.clone(),
            kind.clone(),
            aggregate.clone(),
            flow.clone(),
            result.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let session = state.session();
            let store = session.shop().store();
            let outcome = (|| {
                let parse = |text: &str, name: &str| {
                    eventide_engine::Timestamp::parse(text)
                        .ok_or_else(|| format!("{name}: '{}' is not a date and time", text.trim()))
                };
                let (from, to) = (parse(&from, "From")?, parse(&to, "To")?);
                let first = store.position_at(from.plus_millis(-1)).0 as usize;
                let last = store.position_at(to).0 as usize;
                let wanted = ShopEventKind::from_name(&kind);
                let aggregate = aggregate.trim().to_ascii_uppercase();
                let flow = flow.trim().to_ascii_lowercase();
                let matches: Vec<(Position, String)> = store.events()[first.min(last)..last]
                    .iter()
                    .filter(|e| wanted.is_none_or(|k| e.kind() == k))
                    .filter(|e| {
                        aggregate.is_empty()
                            || e.stream.to_string().eq_ignore_ascii_case(&aggregate)
                    })
                    .filter(|e| flow.is_empty() || e.correlation_id.to_string().starts_with(&flow))
                    .map(|e| {
                        (
                            e.position,
                            format!(
                                "{} · {} {}",
                                crate::format::fmt_clock(e.recorded_at),
                                e.kind().name(),
                                e.stream
                            ),
                        )
                    })
                    .collect();
                let total = matches.len();
                Ok((total, matches.into_iter().take(LIMIT).collect()))
            })();
            result.set(Some(outcome));
        })
    };
    let select = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
    };
    html! {
        <div class="time-block" data-testid="between">
            <h3 class="subhead">{"Events between two times"}</h3>
            <form class="time-form" onsubmit={run}>
                <label class="field">{"From (UTC)"}<input value={(*from).clone()} oninput={typed(&from)} placeholder="2026-11-26 09:00" data-testid="between-from" /></label>
                <label class="field">{"To (UTC)"}<input value={(*to).clone()} oninput={typed(&to)} placeholder="2026-11-26 10:00" data-testid="between-to" /></label>
                <label class="field">{"Type"}
                    <select onchange={on_kind} data-testid="between-type">
                        <option value="any" selected={*kind == "any"}>{"any"}</option>
                        { for ShopEventKind::ALL.iter().map(|k| html! { <option value={k.name()} selected={*kind == k.name()}>{ k.name() }</option> }) }
                    </select>
                </label>
                <label class="field">{"Aggregate"}<input value={(*aggregate).clone()} oninput={typed(&aggregate)} placeholder="any" data-testid="between-aggregate" /></label>
                <label class="field">{"Correlation"}<input value={(*flow).clone()} oninput={typed(&flow)} placeholder="any" /></label>
                <button type="submit" class="button primary compare-run align-end" data-testid="between-run">{"Find"}</button>
            </form>
            { match &*result {
                None => html! {},
                Some(Err(problem)) => html! { <p class="warning">{ problem.clone() }</p> },
                Some(Ok((total, rows))) => html! {
                    <>
                        <p class="muted" data-testid="between-count">{ format!("{} events{}", fmt_count(*total as u64), if *total > rows.len() { format!(", the first {} shown", rows.len()) } else { String::new() }) }</p>
                        <ul class="links">
                            { for rows.iter().map(|(position, line)| html! {
                                <li><button type="button" class="link" onclick={select(*position)}>{ format!("#{}", fmt_count(position.0)) }</button>{ format!(" {line}") }</li>
                            }) }
                        </ul>
                    </>
                },
            } }
        </div>
    }
}
