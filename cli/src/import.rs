//! `eventide import FILE`: checks a CloudEvents batch or a scenario exactly as the browser's
//! import does (every event, all or nothing) and prints what it holds, or the first problem,
//! naming the event and the field, with exit code 2.

use std::path::PathBuf;

use clap::Args;
use eventide_shop::interchange;
use serde_json::json;

#[derive(Args)]
pub struct ImportArgs {
    /// A CloudEvents JSON batch or an Eventide scenario file.
    file: PathBuf,
}

pub fn run(args: &ImportArgs) -> Result<String, String> {
    let path = args.file.display();
    let unreadable = |error: std::io::Error| format!("cannot read {path}: {error}");
    // The size is known before reading: a file over the limit is never read into memory.
    let size = std::fs::metadata(&args.file).map_err(unreadable)?.len();
    interchange::check_size(size).map_err(|error| format!("{path}: {error}"))?;
    let bytes = std::fs::read(&args.file).map_err(unreadable)?;
    let imported = interchange::import(&bytes).map_err(|error| format!("{path}: {error}"))?;
    let summary = interchange::summarize(imported.shop.store());
    let mut report = json!({ "file": path.to_string(), "format": imported.format.name() });
    if let (Some(report), Some(figures)) = (report.as_object_mut(), summary.to_json().as_object()) {
        report.extend(figures.clone());
        if imported.format == interchange::Format::Scenario {
            report.insert("seed".into(), json!(imported.seed));
            report.insert("settings".into(), json!(imported.settings));
        }
    }
    serde_json::to_string_pretty(&report)
        .map_err(|error| format!("the summary could not be written: {error}"))
}
