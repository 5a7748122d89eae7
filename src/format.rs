//! How numbers, times and ids look on screen: one place, so every panel agrees.

use chrono::{Datelike, Timelike};
use eventide_engine::projection::Cell;
use eventide_engine::Timestamp;
use eventide_shop::ids::format_cents;

/// `1234567` as `1,234,567`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A size in bytes as people read it: `812 bytes`, `1.0 MiB`, `375.2 MiB`.
pub fn fmt_bytes(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    match bytes {
        0..KIB => format!("{bytes} bytes"),
        KIB..MIB => format!("{:.1} KiB", bytes as f64 / KIB as f64),
        MIB..GIB => format!("{:.1} MiB", bytes as f64 / MIB as f64),
        _ => format!("{:.1} GiB", bytes as f64 / GIB as f64),
    }
}

pub fn fmt_signed(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", fmt_count(n.unsigned_abs()))
}

// Times are formatted from their parts: chrono's strftime interpreter costs the bundle more than
// these few lines.

/// `2026-11-26 09:14:03` (UTC), the form every panel uses.
pub fn fmt_time(time: Timestamp) -> String {
    time.to_datetime()
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_else(|| time.to_string())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `26 Nov 09:14:03`: for tables, where the year is noise.
pub fn fmt_short_time(time: Timestamp) -> String {
    time.to_datetime()
        .map(|t| {
            let month = MONTHS.get(t.month0() as usize).copied().unwrap_or("?");
            format!(
                "{:02} {month} {:02}:{:02}:{:02}",
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_else(|| time.to_string())
}

/// A duration as people say it: `850 ms`, `6.4 s`, `2 min 5 s`.
pub fn fmt_duration(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1_000.0),
        ms => {
            let seconds = ms / 1_000;
            format!(
                "{} min {} s",
                fmt_count((seconds / 60) as u64),
                seconds % 60
            )
        }
    }
}

/// `09:14:03.120`: for the log, where the date rarely changes.
pub fn fmt_clock(time: Timestamp) -> String {
    time.to_datetime()
        .map(|t| {
            let millis = time.0.rem_euclid(1000);
            format!(
                "{:02}:{:02}:{:02}.{millis:03}",
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_else(|| time.to_string())
}

/// A read-model cell as text.
pub fn fmt_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) => fmt_signed(*n),
        Cell::Cents(cents) => format_cents(*cents),
        Cell::Time(time) => fmt_short_time(*time),
        Cell::Event(position) => format!("#{}", fmt_count(position.0)),
    }
}

/// At most `max` characters of `text` (an ellipsis marks a cut), for echoing input back.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_unit_that_fits() {
        assert_eq!(fmt_bytes(812), "812 bytes");
        assert_eq!(fmt_bytes(1 << 20), "1.0 MiB");
        assert_eq!(fmt_bytes(393_445_000), "375.2 MiB");
        assert_eq!(fmt_bytes(3 << 30), "3.0 GiB");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1_000), "1,000");
        assert_eq!(fmt_count(1_234_567), "1,234,567");
        assert_eq!(fmt_signed(-1_500), "-1,500");
    }

    #[test]
    fn times_are_shown_in_utc() {
        let time = Timestamp::from_millis(1_795_683_600_120);
        assert_eq!(fmt_time(time), "2026-11-26 09:00:00");
        assert_eq!(fmt_clock(time), "09:00:00.120");
        assert_eq!(fmt_short_time(time), "26 Nov 09:00:00");
    }
}
