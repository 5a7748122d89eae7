//! Destructive steps that wait for the user's yes. Nothing a user made is replaced or thrown
//! away without asking: the app first says exactly what would go and offers the export.

use super::Session;
use crate::format::fmt_count;

/// A step that would lose something, held until the user confirms or cancels it.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Replace the session with a file's log, read and replayed already (it waits in the
    /// session).
    Import { name: String, events: usize },
    /// Replace the session with a lesson's scenario (at a position, from a shared link).
    Lesson {
        slug: &'static str,
        at: Option<eventide_engine::Position>,
    },
    /// Replace the session with an empty one (a `#fresh` link pasted into the tab).
    Fresh,
    /// Make the open branch the main line; the main line is set aside (switch back to it).
    KeepBranch,
    /// Throw the open branch away, with the events recorded on it.
    DiscardBranch,
    /// Forget the line set aside when a branch was kept.
    ForgetSetAside,
}

/// What the confirmation says: a title, what would go (one line each), and the button's words.
#[derive(Clone, Debug, PartialEq)]
pub struct Asking {
    pub title: String,
    pub goes: Vec<String>,
    pub confirm: &'static str,
    /// What "export first" saves: the line that would go.
    pub export: ExportWhich,
}

/// Which line "export first" writes to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportWhich {
    /// The line the user works on now.
    Current,
    /// The main line, while a branch is open.
    Main,
    /// The line set aside when a branch was kept.
    SetAside,
}

impl Pending {
    /// The confirmation for this step, as of `session`.
    pub fn asking(&self, session: &Session) -> Asking {
        match self {
            Pending::Import { name, events } => Asking {
                title: format!(
                    "Open {name} ({} events)? It replaces this session.",
                    fmt_count(*events as u64)
                ),
                goes: session.what_a_replace_loses(),
                confirm: "Replace with the file",
                export: ExportWhich::Current,
            },
            Pending::Fresh => Asking {
                title: "Start afresh? An empty session replaces this one.".into(),
                goes: session.what_a_replace_loses(),
                confirm: "Start afresh",
                export: ExportWhich::Current,
            },
            Pending::Lesson { slug, .. } => {
                let title = crate::lessons::find(slug).map_or(*slug, |lesson| lesson.title);
                Asking {
                    title: format!("Open the lesson \u{201c}{title}\u{201d}? Its scenario replaces this session."),
                    goes: session.what_a_replace_loses(),
                    confirm: "Open the lesson",
                    export: ExportWhich::Current,
                }
            }
            Pending::KeepBranch => {
                let mut goes = Vec::new();
                if let Some(branch) = session.branch() {
                    let head = branch.main.shop().store().head();
                    let after = head.0.saturating_sub(branch.fork_at.0);
                    if after > 0 {
                        goes.push(format!(
                            "The main line's {} events after the fork (#{} to #{}) leave the log. They stay in a line set aside: switch back to it at any time in this tab.",
                            fmt_count(after),
                            fmt_count(branch.fork_at.0 + 1),
                            fmt_count(head.0)
                        ));
                    }
                }
                if let Some(set_aside) = session.set_aside() {
                    goes.push(format!(
                        "The line set aside before ({} events) is replaced by this one.",
                        fmt_count(set_aside.line.shop().store().head().0)
                    ));
                }
                Asking {
                    title: "Keep the branch as the main line?".into(),
                    goes,
                    confirm: "Keep the branch",
                    export: ExportWhich::Main,
                }
            }
            Pending::DiscardBranch => {
                let mut goes = Vec::new();
                if let Some(branch) = session.branch() {
                    let head = session.shop().store().head();
                    goes.push(format!(
                        "The branch's {} events recorded since it opened at position {} are thrown away.",
                        fmt_count(head.0.saturating_sub(branch.opened_at.0)),
                        fmt_count(branch.opened_at.0)
                    ));
                }
                Asking {
                    title: "Discard the branch?".into(),
                    goes,
                    confirm: "Discard the branch",
                    export: ExportWhich::Current,
                }
            }
            Pending::ForgetSetAside => {
                let events = session
                    .set_aside()
                    .map_or(0, |set_aside| set_aside.line.shop().store().head().0);
                Asking {
                    title: "Let the line set aside go?".into(),
                    goes: vec![format!(
                        "Its {} events are gone from this tab.",
                        fmt_count(events)
                    )],
                    confirm: "Let it go",
                    export: ExportWhich::SetAside,
                }
            }
        }
    }
}
