//! Facts: the JSON tree a run accumulates (probe outputs, answers, selections),
//! dotted-path lookup, condition evaluation and `{placeholder}` templates.

use serde_json::{Map, Value};

use super::model::{Cond, Op};

/// Namespaces the engine itself fills.
pub const ANSWERS: &str = "answers";
/// The item a question's answer chose (`chosen.<question>`): refreshed by
/// each fresh probe while it is still there; once it is gone, kept as last
/// seen with [`GONE`] true. The one namespace flows need for it.
pub const CHOSEN: &str = "chosen";
/// The same item under its older name, kept as an alias for existing
/// flows: equal to `chosen.<question>` while the item is there, absent once
/// it is gone (older flows test that with `exists` `false`).
pub const SELECTED: &str = "selected";
/// The field `chosen.<question>.gone`: true once the item is no longer in
/// fresh evidence.
pub const GONE: &str = "gone";

/// All facts of a run, keyed by namespace (`scan`, `answers`, `selected`, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts(pub Map<String, Value>);

impl Facts {
    pub fn new() -> Facts {
        Facts::default()
    }

    /// Look up a dotted path (`scan.sessions.0.browser`). A trailing `len` on a
    /// list or string gives its length.
    pub fn get(&self, path: &str) -> Option<Value> {
        lookup(&self.0, path)
    }

    pub fn set(&mut self, namespace: &str, value: Value) {
        self.0.insert(namespace.to_string(), value);
    }

    /// Set `ns.key` inside an object namespace, creating it.
    pub fn set_in(&mut self, namespace: &str, key: &str, value: Value) {
        let entry = self
            .0
            .entry(namespace.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        if let Value::Object(m) = entry {
            m.insert(key.to_string(), value);
        }
    }

    pub fn remove_in(&mut self, namespace: &str, key: &str) {
        if let Some(Value::Object(m)) = self.0.get_mut(namespace) {
            m.remove(key);
        }
    }

    pub fn eval(&self, cond: &Cond) -> bool {
        match cond {
            Cond::All(v) => v.iter().all(|c| self.eval(c)),
            Cond::Any(v) => v.iter().any(|c| self.eval(c)),
            Cond::Not(c) => !self.eval(c),
            Cond::Test {
                fact,
                op,
                value,
                value_fact,
            } => match value_fact {
                // A missing value fact fails the test as a missing fact does.
                Some(vf) => match self.get(vf) {
                    Some(v) => compare(self.get(fact).as_ref(), *op, &v),
                    None => *op == Op::Ne,
                },
                None => compare(self.get(fact).as_ref(), *op, value),
            },
        }
    }

    /// Fill `{path}` placeholders from the facts.
    pub fn render(&self, template: &str) -> String {
        render_with(template, |path| self.get(path))
    }
}

/// Look up a dotted path in a JSON object.
pub fn lookup(root: &Map<String, Value>, path: &str) -> Option<Value> {
    let mut parts = path.split('.');
    let mut cur = root.get(parts.next()?)?;
    for part in parts {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => match part.parse::<usize>() {
                Ok(i) => a.get(i)?,
                Err(_) if part == "len" => return Some(Value::from(a.len())),
                Err(_) => return None,
            },
            Value::String(s) if part == "len" => return Some(Value::from(s.chars().count())),
            _ => return None,
        };
    }
    Some(cur.clone())
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Apply an operator. A missing fact fails every test except `exists: false`,
/// `truthy: false` and `ne`.
pub fn compare(fact: Option<&Value>, op: Op, value: &Value) -> bool {
    let want = value.as_bool().unwrap_or(true);
    match op {
        Op::Exists => fact.is_some_and(|f| !f.is_null()) == want,
        Op::Truthy => fact.is_some_and(truthy) == want,
        Op::Ne => !fact.is_some_and(|f| equal(f, value)),
        _ => {
            let Some(f) = fact else { return false };
            match op {
                Op::Eq => equal(f, value),
                Op::Lt | Op::Le | Op::Gt | Op::Ge => match (f.as_f64(), value.as_f64()) {
                    (Some(x), Some(y)) => match op {
                        Op::Lt => x < y,
                        Op::Le => x <= y,
                        Op::Gt => x > y,
                        _ => x >= y,
                    },
                    _ => false,
                },
                Op::In => value
                    .as_array()
                    .is_some_and(|list| list.iter().any(|v| equal(f, v))),
                Op::Contains => match (f, value) {
                    (Value::Array(a), v) => a.iter().any(|x| equal(x, v)),
                    (Value::String(s), Value::String(v)) => s.contains(v.as_str()),
                    _ => false,
                },
                Op::Ne | Op::Exists | Op::Truthy => false, // handled above
            }
        }
    }
}

/// Display a fact value in prose: strings bare, lists joined, null as "none".
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Array(a) if a.is_empty() => "none".into(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(display).collect();
            // Items that hold commas themselves read better apart.
            let sep = if items.iter().any(|i| i.contains(", ")) {
                "; "
            } else {
                ", "
            };
            items.join(sep)
        }
        other => other.to_string(),
    }
}

/// Fill `{path}` placeholders using `get`; `{{` and `}}` are literal braces;
/// unknown paths render as `?`.
pub fn render_with(template: &str, get: impl Fn(&str) -> Option<Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let (true, Some(end)) = (tail.starts_with('{'), tail.find('}')) {
            let path = &tail[1..end];
            out.push_str(&get(path).map(|v| display(&v)).unwrap_or_else(|| "?".into()));
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Placeholders a template uses, for validation.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(end) => {
                out.push(&tail[1..end]);
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    out
}
