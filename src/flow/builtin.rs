//! Flows embedded in the binary.

use std::path::Path;

use super::load::{FlowError, load_bytes, read_flow_file};
use super::model::{Flow, Step};
use crate::probe::AppSpec;

/// (id, file name, text) of every built-in flow.
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "notion-signout",
        "flows/notion-signout.json",
        include_str!("../../flows/notion-signout.json"),
    ),
    (
        "notion-desktop-relogin",
        "flows/notion-desktop-relogin.json",
        include_str!("../../flows/notion-desktop-relogin.json"),
    ),
];

pub const DEFAULT_FLOW: &str = "notion-signout";

/// A built-in flow id, or a path to a flow file.
pub fn resolve(name: &str) -> Result<(Flow, String), FlowError> {
    if let Some((_, file, text)) = BUILTIN.iter().find(|(id, _, _)| *id == name) {
        return Ok((load_bytes(file, text.as_bytes())?, text.to_string()));
    }
    let path = Path::new(name);
    if path.exists() || name.ends_with(".json") || name.contains('/') {
        // Read once: the flow run and the text hashed into the record are
        // the same bytes.
        let bytes = read_flow_file(path)?;
        let flow = load_bytes(&path.display().to_string(), &bytes)?;
        let text = String::from_utf8(bytes).unwrap_or_default();
        return Ok((flow, text));
    }
    let known: Vec<&str> = BUILTIN.iter().map(|(id, _, _)| *id).collect();
    Err(FlowError::one(
        name,
        "",
        format!(
            "no built-in flow or file by that name (built-in: {})",
            known.join(", ")
        ),
    ))
}

/// The `app-sessions` parameters of a flow's first such check: what `scan`
/// looks for with that flow.
pub fn app_spec_of(flow: &Flow) -> crate::Result<AppSpec> {
    let params = flow
        .steps
        .iter()
        .find_map(|s| match s {
            Step::Check(c) if c.probe.as_deref() == Some("app-sessions") => c.params.clone(),
            _ => None,
        })
        .ok_or_else(|| {
            crate::Error::Usage(format!(
                "flow `{}` has no app-sessions check to scan with",
                flow.id
            ))
        })?;
    serde_json::from_value(params)
        .map_err(|e| crate::Error::Usage(format!("probe parameters: {e}")))
}

/// The `app-sessions` parameters of the built-in flow `id` (the one source
/// of the spec the tests and benchmarks scan with, too).
pub fn app_spec(id: &str) -> crate::Result<AppSpec> {
    let (_, file, text) = BUILTIN
        .iter()
        .find(|(b, _, _)| *b == id)
        .ok_or_else(|| crate::Error::Usage(format!("no built-in flow `{id}`")))?;
    app_spec_of(&load_bytes(file, text.as_bytes())?)
}
