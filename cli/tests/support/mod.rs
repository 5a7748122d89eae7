//! What the CLI's integration tests share: running the binary, and files that clean up.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `eventide` with these arguments.
pub fn eventide(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventide"))
        .args(args)
        .output()
        .expect("the eventide binary runs")
}

/// A file in the system's temp directory, removed when dropped. Its name carries the test
/// process's id, so parallel runs do not meet.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(name: &str, contents: impl AsRef<[u8]>) -> TempFile {
        let path = std::env::temp_dir().join(format!("eventide-{}-{name}", std::process::id()));
        fs::write(&path, contents).expect("the temp file is written");
        TempFile(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
