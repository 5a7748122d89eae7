//! The centre's tabs, as a type: chosen by an action, so a shared link can carry the one the
//! sharer had open and a lesson can read it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CenterTab {
    #[default]
    ReadModels,
    Services,
    Trace,
    Compare,
    Catalog,
    Time,
    Scripts,
}

impl CenterTab {
    /// In the order the tab bar shows them.
    pub const ALL: [CenterTab; 7] = [
        CenterTab::ReadModels,
        CenterTab::Services,
        CenterTab::Trace,
        CenterTab::Compare,
        CenterTab::Catalog,
        CenterTab::Time,
        CenterTab::Scripts,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CenterTab::ReadModels => "Read models",
            CenterTab::Services => "Services",
            CenterTab::Trace => "Trace",
            CenterTab::Compare => "Compare",
            CenterTab::Catalog => "Catalog",
            CenterTab::Time => "Time machine",
            CenterTab::Scripts => "Scripts",
        }
    }

    /// The tab button's testid (kept as they were when the tab was a number).
    pub fn testid(self) -> &'static str {
        match self {
            CenterTab::ReadModels => "center-read-models",
            CenterTab::Services => "center-services",
            CenterTab::Trace => "center-trace",
            CenterTab::Compare => "center-compare",
            CenterTab::Catalog => "center-catalog",
            CenterTab::Time => "center-time",
            CenterTab::Scripts => "center-scripts",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tab_has_its_own_testid_and_survives_serde() {
        let mut ids: Vec<_> = CenterTab::ALL.iter().map(|tab| tab.testid()).collect();
        ids.dedup();
        assert_eq!(ids.len(), CenterTab::ALL.len());
        for tab in CenterTab::ALL {
            let text = serde_json::to_string(&tab).expect("serialises");
            assert_eq!(serde_json::from_str::<CenterTab>(&text).ok(), Some(tab));
        }
    }
}
