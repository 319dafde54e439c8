//! Flows embedded in the binary.

use std::path::Path;

use super::catalog::Catalog;
use super::error::FlowError;
use super::load::{load_bytes, read_flow_file};
use super::model::Flow;

/// (id, file name, text) of every built-in flow: the ids in
/// `flows/builtin.txt`, embedded by `build.rs`.
pub const BUILTIN: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_flows.rs"));

pub const DEFAULT_FLOW: &str = "notion-signout";

/// The file name and text of the built-in flow `id`.
pub fn find(id: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN
        .iter()
        .find(|(b, _, _)| *b == id)
        .map(|&(_, file, text)| (file, text))
}

/// A built-in flow id, or a path to a flow file.
pub fn resolve(name: &str, catalog: &dyn Catalog) -> Result<(Flow, String), FlowError> {
    if let Some((file, text)) = find(name) {
        return Ok((
            load_bytes(file, text.as_bytes(), catalog)?,
            text.to_string(),
        ));
    }
    let path = Path::new(name);
    if path.exists() || name.ends_with(".json") || name.contains('/') {
        // Read once: the flow run and the text hashed into the record are
        // the same bytes.
        let bytes = read_flow_file(path)?;
        let flow = load_bytes(&path.display().to_string(), &bytes, catalog)?;
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
