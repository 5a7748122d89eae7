//! The app's panels, one module each. Every component reads the shared state through
//! [`crate::state::use_app`] and sends it [`crate::state::Action`]s.

mod app;
mod autosave;
mod branch_bar;
mod catalog_view;
mod choreography_panel;
mod command_panel;
mod compare_view;
mod confirm_dialog;
mod deployed_scripts;
mod event_detail;
mod event_log;
pub mod explore;
mod files_panel;
mod frame_width;
mod generate_panel;
mod header;
mod icons;
mod kept_sessions;
mod knobs;
mod lessons_panel;
mod match_histogram;
mod notices;
mod past_banner;
mod query_bar;
mod read_models;
mod room_badge;
mod room_services;
mod scripts_panel;
mod service_graph;
mod services_view;
mod subscriptions;
mod time_view;
mod timeline;
mod trace_view;
mod virtual_list;
mod welcome;

pub use app::App;
pub use virtual_list::VirtualList;
