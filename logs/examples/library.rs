//! Writes the lending library's example log as NDJSON to standard output:
//! `cargo run -p eventide-logs --example library > static/examples/library.ndjson`, or
//! `... --example library -- 330000` for a log of about a million events (to measure with).

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use eventide_logs::example::{write_library_log, LOANS, SEED};

fn main() -> ExitCode {
    let loans = match std::env::args().nth(1).map(|text| text.parse::<u64>()) {
        None => LOANS,
        Some(Ok(loans)) => loans,
        Some(Err(error)) => {
            eprintln!("error: the number of loans must be a whole number: {error}");
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut written = Ok(());
    write_library_log(SEED, loans, &mut |event| {
        if written.is_ok() {
            written = serde_json::to_writer(&mut out, &event)
                .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io));
        }
    });
    match written.and_then(|()| out.flush().map_err(serde_json::Error::io)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
