//! report.json against docs/report-schema.json: the documented, versioned
//! schema scripts rely on. The checker covers the JSON Schema keywords that
//! file uses (type, required, properties, additionalProperties, items,
//! enum, const); anything else in it would be a test failure, not a pass.

use serde_json::Value;

use crate::common::Workdir;

fn schema() -> Value {
    let text = std::fs::read_to_string(format!("{}/docs/report-schema.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "enum",
    "const",
];

/// Every way `value` breaks `schema`, with the path to it.
fn violations(value: &Value, schema: &Value, path: &str, found: &mut Vec<String>) {
    let rules = schema.as_object().expect("a schema is an object");
    for keyword in rules.keys() {
        assert!(KNOWN.contains(&keyword.as_str()), "the checker does not know `{keyword}` (at {path})");
    }
    if let Some(types) = rules.get("type") {
        let types: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().map(|one| one.as_str().unwrap()).collect(),
            _ => panic!("bad type at {path}"),
        };
        if !types.iter().any(|kind| is_of(value, kind)) {
            found.push(format!("{path}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(expected) = rules.get("const").filter(|expected| *expected != value) {
        found.push(format!("{path}: {value} is not {expected}"));
    }
    if let Some(allowed) = rules.get("enum").and_then(Value::as_array).filter(|allowed| !allowed.contains(value)) {
        found.push(format!("{path}: {value} is not one of {allowed:?}"));
    }
    if let Some(object) = value.as_object() {
        for key in rules.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap()) {
                found.push(format!("{path}: `{}` is missing", key.as_str().unwrap()));
            }
        }
        let properties = rules.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            match properties.and_then(|properties| properties.get(key)) {
                Some(rule) => violations(item, rule, &format!("{path}.{key}"), found),
                None => match rules.get("additionalProperties") {
                    Some(Value::Bool(false)) => found.push(format!("{path}: `{key}` is not in the schema")),
                    Some(rule @ Value::Object(_)) => violations(item, rule, &format!("{path}.{key}"), found),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(rule)) = (value.as_array(), rules.get("items")) {
        for (index, item) in items.iter().enumerate() {
            violations(item, rule, &format!("{path}[{index}]"), found);
        }
    }
}

fn is_of(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("unknown type {other}"),
    }
}

fn check(report: &Value) -> Vec<String> {
    let mut found = Vec::new();
    violations(report, &schema(), "report", &mut found);
    found
}

#[test]
fn report_json_of_every_command_follows_the_documented_schema() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "validate", "--max-reject-rate", "5%"]).assert_success();
    wd.run(&["dedupe", "migration.toml", "--out", "dedupe"]).assert_success();
    wd.run(&["run", "migration.toml", "--out", "run"]).assert_success();
    for out in ["validate", "dedupe", "run"] {
        let report: Value = serde_json::from_str(&wd.read(&format!("{out}/report.json"))).unwrap();
        assert_eq!(check(&report), Vec::<String>::new(), "{out}/report.json");
    }
    let stdout = wd.run(&["validate", "migration.toml", "--json"]).assert_success().json();
    assert_eq!(check(&stdout), Vec::<String>::new(), "--json");
}

#[test]
fn the_schema_check_catches_a_missing_field_and_a_wrong_type() {
    let wd = Workdir::from_fixture("demo");
    let mut report = wd.run(&["validate", "migration.toml", "--json"]).assert_success().json();
    report.as_object_mut().unwrap().remove("reconciled");
    report["sources"][0]["rows_read"] = Value::String("153".into());
    report["issues"][0]["severity"] = Value::String("fatal".into());
    let found = check(&report);
    assert_eq!(
        found,
        [
            "report: `reconciled` is missing",
            "report.issues[0].severity: \"fatal\" is not one of [String(\"error\"), String(\"warning\")]",
            "report.sources[0].rows_read: \"153\" is not [\"integer\"]",
        ]
    );
}
