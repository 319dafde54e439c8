//! The JSON Schema of the flow format (`flows/schema.json`, `flows
//! schema`): the model's types, narrowed by a catalog to the probes and
//! actions it knows and each probe's parameters.

use serde_json::Value;

use super::catalog::Catalog;
use super::model::Flow;

/// The JSON Schema of the flow format, as written to `flows/schema.json`:
/// the model's types, with the probe and action ids and each probe's
/// parameters taken from `catalog`.
pub fn schema_json(catalog: &dyn Catalog) -> String {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut params = Vec::new();
    for p in catalog.probes() {
        let mut one = p.params_schema(&mut generator).to_value();
        if let Some(o) = one.as_object_mut() {
            o.entry("description")
                .or_insert_with(|| Value::from(format!("Parameters of the `{}` probe.", p.id())));
        }
        params.push(one);
    }
    let mut schema = generator.into_root_schema_for::<Flow>().to_value();
    // A shared block is some probe's parameters, like a check's `params`.
    if let Some(shared) = schema.pointer_mut("/properties/shared") {
        shared["additionalProperties"] = serde_json::json!({ "anyOf": params.clone() });
    }
    let defs = schema.get_mut("$defs").and_then(Value::as_object_mut);
    if let Some(defs) = defs {
        if let Some(check) = defs.get_mut("Check").and_then(|c| c.get_mut("properties")) {
            check["probe"] = ids_schema(&check["probe"], &catalog.probe_ids());
            check["params"] = serde_json::json!({
                "description": check["params"].get("description").cloned().unwrap_or(Value::Null),
                "anyOf": params,
            });
        }
        if let Some(fix) = defs.get_mut("Fix").and_then(|c| c.get_mut("properties")) {
            fix["action"] = ids_schema(&fix["action"], &catalog.action_ids());
        }
    }
    // Back to a `Schema`, whose serializer puts keywords in their usual order.
    let schema = schemars::Schema::try_from(schema).unwrap_or_default();
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// A string property narrowed to the registry's ids, keeping its description.
fn ids_schema(was: &Value, ids: &[&str]) -> Value {
    let mut ids: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    let optional = was["type"]
        .as_array()
        .is_some_and(|t| t.contains(&Value::from("null")));
    if optional {
        ids.push(Value::Null);
    }
    let mut v = serde_json::json!({ "enum": ids });
    if let Some(d) = was.get("description") {
        v["description"] = d.clone();
    }
    v
}
