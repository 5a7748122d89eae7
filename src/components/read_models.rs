//! The query side: every read model as of the cursor. Tabs pick the table; the strip above
//! shows each model's headline, so all of them can be watched following the timeline at once.

use std::rc::Rc;

use eventide_engine::projection::{Cell, ReadModel, ReadModelSet};
use eventide_shop::aggregates::OrderStatus;
use eventide_shop::read_models::{
    ActivityPerMinute, InventoryLevels, OrderSummaries, RevenuePerCustomer,
};
use eventide_shop::ShopEvent;
use yew::prelude::*;

use super::VirtualList;
use crate::format::{fmt_cell, fmt_count};
use crate::state::{use_app, Action};

const ROW_HEIGHT: u32 = 32;

/// The read models as their projector has them, when it trails the log (shared by the rows).
#[derive(Clone)]
struct Lagging(Rc<ReadModelSet<ShopEvent>>);

impl PartialEq for Lagging {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[function_component(ReadModels)]
pub fn read_models() -> Html {
    let state = use_app();
    // `None`: the first model.
    let active = use_state(|| None::<ModelTab>);
    // Live, with services reacting, the query side shows only what its projector has handled:
    // eventual consistency, visible. In the past, every model is exact at the cursor.
    let lagging = {
        let state = state.clone();
        use_memo(state.revision, move |_| {
            let session = state.session();
            let sim = session.sim();
            let lag = sim.projection_lag();
            (sim.is_reacting() && sim.shop().is_live() && lag.behind > 0).then(|| {
                let models = sim
                    .shop()
                    .history()
                    .state_at(sim.shop().store(), lag.checkpoint);
                (Lagging(Rc::new(models)), lag)
            })
        })
    };
    let session = state.session();
    let models = match lagging.as_ref() {
        Some((view, _)) => view.0.as_ref(),
        None => session.shop().history().at_cursor(),
    };
    let cursor = models.position();

    let headline = |name: &str| -> String {
        match name {
            "Orders" => models
                .get::<OrderSummaries>()
                .map_or_else(String::new, |orders| {
                    format!(
                        "{} orders · {} paid · {} shipped · {} cancelled",
                        fmt_count(orders.len() as u64),
                        fmt_count(u64::from(orders.count_with(OrderStatus::Paid))),
                        fmt_count(u64::from(orders.count_with(OrderStatus::Shipped))),
                        fmt_count(u64::from(orders.count_with(OrderStatus::Cancelled))),
                    )
                }),
            "Inventory" => models
                .get::<InventoryLevels>()
                .map_or_else(String::new, |levels| {
                    let available: i64 = levels.iter().map(|level| level.available()).sum();
                    format!(
                        "{} products · {} units available",
                        levels.iter().count(),
                        crate::format::fmt_signed(available)
                    )
                }),
            "Revenue" => models
                .get::<RevenuePerCustomer>()
                .map_or_else(String::new, |revenue| {
                    format!("{} net revenue", revenue.total())
                }),
            "Activity" => models
                .get::<ActivityPerMinute>()
                .map_or_else(String::new, |activity| {
                    format!("{} minutes with activity", fmt_count(activity.len() as u64))
                }),
            _ => String::new(),
        }
    };

    let open = (*active).unwrap_or(ModelTab::BuiltIn(
        models.iter().next().map_or("", |model| model.name()),
    ));
    let tabs = models.iter().map(|model| {
        let tab = ModelTab::BuiltIn(model.name());
        let onclick = {
            let active = active.clone();
            Callback::from(move |_| active.set(Some(tab)))
        };
        let selected = tab == open;
        html! {
            <button type="button" role="tab" aria-selected={selected.to_string()} class={classes!("model-tab", selected.then_some("active"))}
                    {onclick} data-testid={format!("tab-{}", model.name().to_ascii_lowercase())}>
                <span class="model-name">{ model.name() }</span>
                <span class="model-headline" data-testid={format!("headline-{}", model.name().to_ascii_lowercase())}>{ headline(model.name()) }</span>
            </button>
        }
    });

    // Deployed projections (the user's scripts) are tabs after the built-in models.
    let scripted: Vec<crate::state::scripts::Deployed> = session
        .scripts
        .deployed
        .iter()
        .filter(|script| script.kind == eventide_shop::scripting::ScriptKind::Projection)
        .cloned()
        .collect();
    let script_tabs = scripted.iter().map(|script| {
        let tab = ModelTab::Script(script.id);
        let onclick = {
            let active = active.clone();
            Callback::from(move |_| active.set(Some(tab)))
        };
        let selected = tab == open;
        html! {
            <button type="button" role="tab" aria-selected={selected.to_string()} class={classes!("model-tab", "script-tab", selected.then_some("active"))}
                    {onclick} data-testid="tab-script">
                <span class="model-name">{ format!("{} v{}", script.name, script.version) }</span>
                <span class="model-headline">{"your script · run in the worker"}</span>
            </button>
        }
    });
    let selected_script = match open {
        ModelTab::Script(id) => scripted.iter().find(|script| script.id == id).cloned(),
        ModelTab::BuiltIn(_) => None,
    };
    // A script taken down leaves the first model open.
    let selected_model = models
        .iter()
        .find(|model| open == ModelTab::BuiltIn(model.name()))
        .or_else(|| models.iter().next());
    html! {
        <section class="panel read-models" aria-labelledby="models-title">
            <div class="panel-head">
                <h2 id="models-title" class="panel-title">{"Read models"}</h2>
                <span class="panel-meta">{ format!("as of position {}", fmt_count(cursor.0)) }</span>
            </div>
            if let Some((_, lag)) = lagging.as_ref() {
                <p class="lag-note" data-testid="projection-lag">
                    { format!("Eventually consistent: the projector is {} events behind the log; the oldest has waited {} ms.",
                        fmt_count(lag.behind), fmt_count(lag.waiting_ms.max(0) as u64)) }
                </p>
            }
            <div class="model-tabs" role="tablist">{ for tabs }{ for script_tabs }</div>
            if let Some(script) = selected_script {
                <super::deployed_scripts::DeployedProjection key={script.id.0} script={script.clone()} />
            } else {
                { selected_model.map(|model| html! {
                    <ModelTable name={model.name()} lagging={lagging.as_ref().as_ref().map(|(view, _)| view.clone())} />
                }).unwrap_or_default() }
            }
        </section>
    }
}

/// A tab of the read models: a built-in model by its name, or a deployed projection by its id
/// (never by its place in the row, which moves as scripts come and go).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ModelTab {
    BuiltIn(&'static str),
    Script(crate::state::scripts::ScriptId),
}

#[derive(Properties, PartialEq)]
struct ModelTableProps {
    name: &'static str,
    lagging: Option<Lagging>,
}

/// One read model as a table, virtualised; the row changed by the event at the cursor is marked.
#[function_component(ModelTable)]
fn model_table(props: &ModelTableProps) -> Html {
    let state = use_app();
    let session = state.session();
    let models = match &props.lagging {
        Some(view) => view.0.as_ref(),
        None => session.shop().history().at_cursor(),
    };
    let Some(model) = models.by_name(props.name) else {
        return html! {};
    };
    let at = models.position();
    let columns = model.columns();
    let count = model.row_count();
    let template = format!(
        "grid-template-columns: repeat({}, minmax(0, 1fr))",
        columns.len()
    );
    let render = {
        let state = state.clone();
        let name = props.name;
        let template = template.clone();
        let lagging = props.lagging.clone();
        Callback::from(move |index: usize| {
            let session = state.session();
            let models = match &lagging {
                Some(view) => view.0.as_ref(),
                None => session.shop().history().at_cursor(),
            };
            let Some(model) = models.by_name(name) else {
                return html! {};
            };
            render_row(&state, model, index, &template, at)
        })
    };
    let testid = format!("read-model-{}", props.name.to_ascii_lowercase());
    html! {
        <div class="model-table" data-testid={testid}>
            <p class="model-question">{ model.question() }</p>
            <div class="table-header" style={template.clone()} role="row">
                { for columns.iter().map(|column| html! { <span role="columnheader">{ *column }</span> }) }
            </div>
            if count == 0 {
                <p class="empty">{"No rows yet at this point in time."}</p>
            } else {
                <VirtualList count={count} row_height={ROW_HEIGHT} render={render} class="table-body" label={props.name} />
            }
        </div>
    }
}

fn render_row(
    state: &crate::state::AppContext,
    model: &dyn ReadModel<ShopEvent>,
    index: usize,
    template: &str,
    cursor: eventide_engine::Position,
) -> Html {
    let Some(row) = model.rows(index..index + 1).into_iter().next() else {
        return html! {};
    };
    let changed = row.cells.contains(&Cell::Event(cursor));
    let testid = match model.name() {
        "Orders" => "order-row".to_string(),
        name => format!("{}-row", name.to_ascii_lowercase()),
    };
    html! {
        <div class={classes!("table-row", changed.then_some("changed"))} style={template.to_string()} data-testid={testid} data-key={row.key.clone()}>
            { for row.cells.into_iter().map(|cell| match cell {
                Cell::Event(position) => {
                    let label = fmt_cell(&cell);
                    let dispatcher = state.dispatcher();
                    let onclick = Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))));
                    html! { <span><button type="button" class="link" {onclick} title="Show the event that last changed this row">{ label }</button></span> }
                }
                Cell::Count(_) | Cell::Cents(_) => html! { <span class="num">{ fmt_cell(&cell) }</span> },
                _ => html! { <span>{ fmt_cell(&cell) }</span> },
            }) }
        </div>
    }
}
