//! `eventide schema check` as a user runs it: the changes, one per line, then `compatible`
//! (exit code 0) or `incompatible` (exit code 1); a file it cannot use is exit code 2 with a
//! message naming the file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// A folder of schema files under the system's temporary folder, removed when dropped.
struct Schemas {
    dir: PathBuf,
}

impl Schemas {
    /// `test` keeps folders of tests running in parallel apart.
    fn new(test: &str) -> Schemas {
        let dir =
            std::env::temp_dir().join(format!("eventide-schema-cli-{}-{test}", std::process::id()));
        fs::create_dir_all(&dir).expect("a temporary folder");
        Schemas { dir }
    }

    fn write(&self, name: &str, schema: &Value) -> PathBuf {
        self.write_text(name, &schema.to_string())
    }

    fn write_text(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        fs::write(&path, text).expect("a writable temporary file");
        path
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn schema_check(mode: &str, files: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventide"))
        .args(["schema", "check", "--mode", mode])
        .args(files)
        .output()
        .expect("the eventide binary runs")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn product(max_name_length: u64) -> Value {
    json!({
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": max_name_length}},
        "additionalProperties": false
    })
}

#[test]
fn a_compatible_schema_prints_its_changes_then_compatible_and_exits_0() {
    let schemas = Schemas::new("compatible");
    let old = schemas.write("old.json", &product(10));
    let new = schemas.write("new.json", &product(20));
    let output = schema_check("BACKWARD", &[&old, &new]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("MAX_LENGTH_INCREASED #/properties/name/maxLength"),
        "{lines:?}"
    );
    assert!(lines[0].contains("old.json"), "{lines:?}");
    assert_eq!(lines[1], "compatible");
}

#[test]
fn an_incompatible_schema_prints_incompatible_last_and_exits_1() {
    let schemas = Schemas::new("incompatible");
    let old = schemas.write("old.json", &product(20));
    let new = schemas.write("new.json", &product(10));
    let output = schema_check("backward", &[&old, &new]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = stdout_lines(&output);
    assert!(
        lines[0].starts_with("MAX_LENGTH_DECREASED #/properties/name/maxLength (incompatible"),
        "{lines:?}"
    );
    assert_eq!(lines.last().map(String::as_str), Some("incompatible"));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn mode_names_are_read_in_any_case() {
    let schemas = Schemas::new("modes");
    let old = schemas.write("old.json", &product(10));
    let new = schemas.write("new.json", &product(20));
    // Widening is backward compatible but not forward compatible.
    for (mode, code) in [
        ("Backward", 0),
        ("forward", 1),
        ("FULL", 1),
        ("full_transitive", 1),
        ("None", 0),
    ] {
        let output = schema_check(mode, &[&old, &new]);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{mode}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn transitive_modes_check_every_earlier_file() {
    let schemas = Schemas::new("transitive");
    let with_currency = |currency: Value, required: Value| {
        json!({
            "type": "object",
            "properties": {"total": {"type": "number"}, "currency": currency},
            "required": required
        })
    };
    let v1 = schemas.write(
        "v1.json",
        &with_currency(json!({"type": "string"}), json!(["total"])),
    );
    let v2 = schemas.write(
        "v2.json",
        &with_currency(
            json!({"type": "string", "default": "EUR"}),
            json!(["total", "currency"]),
        ),
    );
    let v3 = schemas.write(
        "v3.json",
        &with_currency(json!({"type": "string"}), json!(["total", "currency"])),
    );

    let latest_only = schema_check("BACKWARD", &[&v1, &v2, &v3]);
    assert_eq!(
        latest_only.status.code(),
        Some(0),
        "{}",
        stderr(&latest_only)
    );

    let every_version = schema_check("BACKWARD_TRANSITIVE", &[&v1, &v2, &v3]);
    assert_eq!(every_version.status.code(), Some(1));
    let lines = stdout_lines(&every_version);
    assert!(
        lines.iter().any(|line| line.starts_with(
            "REQUIRED_ATTRIBUTE_ADDED #/required/currency (incompatible; backward against"
        ) && line.ends_with("v1.json)")),
        "{lines:?}"
    );
}

#[test]
fn a_file_that_cannot_be_used_is_named_with_exit_code_2() {
    let schemas = Schemas::new("unusable");
    let good = schemas.write("good.json", &product(10));
    let missing = schemas.dir.join("missing.json");
    let broken = schemas.write_text("broken.json", "{\"type\": ");
    let not_a_schema = schemas.write("not-a-schema.json", &json!({"type": "text"}));
    for (bad, complaint) in [
        (&missing, "cannot read"),
        (&broken, "is not valid JSON"),
        (&not_a_schema, "is not a valid JSON Schema"),
    ] {
        for files in [[&good, bad], [bad, &good]] {
            let output = schema_check("BACKWARD", &[files[0], files[1]]);
            assert_eq!(output.status.code(), Some(2), "{}", bad.display());
            let message = stderr(&output);
            assert!(message.contains(&bad.display().to_string()), "{message}");
            assert!(message.contains(complaint), "{message}");
            assert!(output.stdout.is_empty());
        }
    }
}

#[test]
fn an_unknown_mode_or_a_missing_file_argument_exits_with_code_2() {
    let schemas = Schemas::new("arguments");
    let old = schemas.write("old.json", &product(10));
    let unknown_mode = schema_check("sideways", &[&old, &old]);
    assert_eq!(unknown_mode.status.code(), Some(2));
    assert!(stderr(&unknown_mode).contains("BACKWARD_TRANSITIVE"));

    let one_file = schema_check("BACKWARD", &[&old]);
    assert_eq!(one_file.status.code(), Some(2));
}

/// An order schema in draft 2020-12: a model closed by `unevaluatedProperties`, an id defined
/// under `$defs`, and lines as a `prefixItems` tuple.
fn order_2020_12(extra: Value, unevaluated: Value) -> Value {
    let mut properties = json!({
        "id": {"$ref": "#/$defs/id"},
        "lines": {"type": "array", "prefixItems": [{"type": "string"}], "items": false}
    });
    if let (Value::Object(properties), Value::Object(extra)) = (&mut properties, extra) {
        properties.extend(extra);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": ["id"],
        "unevaluatedProperties": unevaluated,
        "$defs": {"id": {"type": "string", "pattern": "^O-[0-9]+$"}}
    })
}

#[test]
fn a_draft_2020_12_schema_gets_confluents_change_names_and_verdicts() {
    let schemas = Schemas::new("draft-2020-12");
    let v1 = schemas.write("v1.json", &order_2020_12(json!({}), json!(false)));
    let with_note = order_2020_12(json!({"note": {"type": "string"}}), json!(false));
    let v2 = schemas.write("v2.json", &with_note);

    // Closed by `unevaluatedProperties: false`: a new optional property reads all old data.
    let backward = schema_check("BACKWARD", &[&v1, &v2]);
    assert_eq!(backward.status.code(), Some(0), "{}", stderr(&backward));
    assert_eq!(
        stdout_lines(&backward),
        [
            format!(
                "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/note (compatible; \
                 backward against {})",
                v1.display()
            ),
            "compatible".to_string()
        ]
    );
    // ... but the old schema refuses data that holds it.
    let forward = schema_check("FORWARD", &[&v1, &v2]);
    assert_eq!(forward.status.code(), Some(1), "{}", stderr(&forward));
    let lines = stdout_lines(&forward);
    assert!(
        lines[0].starts_with(
            "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/note (incompatible; forward"
        ),
        "{lines:?}"
    );
    assert_eq!(lines.last().map(String::as_str), Some("incompatible"));

    // Opening the model is UNEVALUATED_PROPERTIES_ADDED: backward, not forward.
    let open = schemas.write("open.json", &order_2020_12(json!({}), json!(true)));
    let opened = schema_check("FULL", &[&v1, &open]);
    assert_eq!(opened.status.code(), Some(1), "{}", stderr(&opened));
    let lines = stdout_lines(&opened);
    assert!(
        lines[0].starts_with(
            "UNEVALUATED_PROPERTIES_ADDED #/unevaluatedProperties (compatible; backward"
        ),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|line| line.starts_with(
            "UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties (incompatible; forward"
        )),
        "{lines:?}"
    );

    // A 2020-12 keyword of the wrong type is the user's to fix.
    let broken = schemas.write(
        "broken.json",
        &json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": {}}),
    );
    let refused = schema_check("BACKWARD", &[&v1, &broken]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("prefixItems"),
        "{}",
        stderr(&refused)
    );
}
