//! Loading a flow file: size and nesting caps, then serde with the JSON path of
//! any error, then validation. Every error names the file and where in it.

use std::path::Path;

use super::catalog::Catalog;
use super::error::FlowError;
use super::model::Flow;
use super::validate;

/// Largest flow file accepted (1 MiB, the bounded read's limit for a flow).
pub const MAX_FLOW_BYTES: usize = crate::bounded::Kind::Flow.limit() as usize;
/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// Read, parse and validate a flow file against `catalog`'s probes and actions.
pub fn load_file(path: &Path, catalog: &dyn Catalog) -> Result<Flow, FlowError> {
    let name = path.display().to_string();
    load_bytes(&name, &read_flow_file(path)?, catalog)
}

/// The bytes of a flow file: a regular file of at most [`MAX_FLOW_BYTES`]
/// (a FIFO or `/dev/zero` is refused at once, never read).
pub fn read_flow_file(path: &Path) -> Result<Vec<u8>, FlowError> {
    let name = path.display().to_string();
    crate::bounded::read(path, crate::bounded::Kind::Flow).map_err(|e| match e {
        crate::bounded::ReadError::TooLarge { .. } => {
            let len = std::fs::metadata(path).map_or(MAX_FLOW_BYTES + 1, |m| m.len() as usize);
            too_big(&name, len.max(MAX_FLOW_BYTES + 1))
        }
        e => FlowError::one(&name, "", format!("cannot read: {e}")),
    })
}

pub fn load_str(name: &str, text: &str, catalog: &dyn Catalog) -> Result<Flow, FlowError> {
    load_bytes(name, text.as_bytes(), catalog)
}

fn too_big(name: &str, len: usize) -> FlowError {
    FlowError::one(
        name,
        "",
        format!("file is {len} bytes; flows are limited to {MAX_FLOW_BYTES} bytes (1 MiB)"),
    )
}

/// Parse without validating against a catalog (for tools that want the
/// structure), with the author's shorthands spelled out
/// ([`super::expand`]: shared parameters, default fix edges).
pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Flow, FlowError> {
    if bytes.len() > MAX_FLOW_BYTES {
        return Err(too_big(name, bytes.len()));
    }
    let mut flow: Flow = parse_json(name, bytes, "a flow")?;
    let problems = super::expand::expand(&mut flow);
    if problems.is_empty() {
        Ok(flow)
    } else {
        Err(FlowError {
            file: name.to_string(),
            problems,
        })
    }
}

/// Parse JSON text into `T`, locating any error: not UTF-8, nested deeper
/// than [`MAX_DEPTH`], or a serde error with its line, column and JSON path.
/// `what` names the kind of file in messages ("a flow", "a test file").
pub fn parse_json<T: serde::de::DeserializeOwned>(
    name: &str,
    bytes: &[u8],
    what: &str,
) -> Result<T, FlowError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col(&bytes[..e.valid_up_to()]);
        FlowError::one(
            name,
            format!("{line}:{col}"),
            format!("not UTF-8 text; {what} is a JSON file"),
        )
    })?;
    if let Some((offset, depth)) = too_deep(text) {
        let (line, col) = line_col(&text.as_bytes()[..offset]);
        return Err(FlowError::one(
            name,
            format!("{line}:{col}"),
            format!("nested deeper than {MAX_DEPTH} levels ({depth} here); {what} is shallow"),
        ));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = if inner.line() > 0 {
            format!("{}:{}", inner.line(), inner.column())
        } else {
            String::new()
        };
        // serde_json appends " at line L column C"; we already say where.
        let msg = inner.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        let msg = if path.is_empty() || path == "." {
            msg
        } else {
            format!("at {path}: {msg}")
        };
        FlowError::one(name, location, msg)
    })
}

/// Parse and validate against `catalog`'s probes and actions.
pub fn load_bytes(name: &str, bytes: &[u8], catalog: &dyn Catalog) -> Result<Flow, FlowError> {
    let flow = parse_bytes(name, bytes)?;
    let problems = validate::validate(&flow, catalog);
    if problems.is_empty() {
        Ok(flow)
    } else {
        Err(FlowError {
            file: name.to_string(),
            problems,
        })
    }
}

/// Find the first place nesting exceeds the cap, outside strings.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((i, depth));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn line_col(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, col)
}
