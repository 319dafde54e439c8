//! Small checked strings of the probe's parameters: key name patterns with
//! named captures (`currentSpace:{space}:{user}`), dotted JSON paths
//! (`history.appRestorationState.windows[].tabs[]`) and SQL identifiers.
//! Each is parsed when a flow is loaded, so a bad one is a `flows check`
//! error with its JSON path, never a surprise during a scan.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a pattern capture stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// A workspace (Notion "space") id.
    Space,
    /// An account (user) id.
    User,
}

/// What text a capture matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A Notion id: a UUID, dashed (36 characters) or not (32 hex digits).
    Id,
    /// Any non-empty text.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Cap(Capture, Kind),
    /// `{*}`: any non-empty text, not captured (the rest of a key family:
    /// `LRU:LocalPreferenceStore3:{user}:{*}`).
    Any,
}

/// Why a pattern is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the pattern is empty")]
    Empty,
    #[error("`{{` at character {0} is not closed by `}}`")]
    Unclosed(usize),
    #[error("`}}` at character {0} closes nothing")]
    StrayClose(usize),
    #[error("unknown capture `{{{0}}}` (known: {{space}}, {{user}}, {{*}})")]
    UnknownCapture(String),
    #[error("unknown capture kind `{0}` (known: id, text)")]
    UnknownKind(String),
    #[error("capture `{{{0}}}` appears twice")]
    Duplicate(String),
    #[error("the pattern captures nothing; use {{space}} and/or {{user}}")]
    NoCapture,
    #[error("a text capture must be followed by literal text or end the pattern")]
    AmbiguousText,
}

/// A Local Storage key pattern: literal text with `{space}` and `{user}`
/// captures (`{space:text}` for any text). Serialised as its text.
#[derive(Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    parts: Vec<Part>,
}

/// What a key matched: the captured ids (Notion ids normalised to
/// lowercase dashed form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captures {
    pub space: Option<String>,
    pub user: Option<String>,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut seen: Vec<Capture> = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '{' => {
                    let close = chars[i..]
                        .iter()
                        .position(|&c| c == '}')
                        .ok_or(PatternError::Unclosed(i + 1))?;
                    let inner: String = chars[i + 1..i + close].iter().collect();
                    if inner == "*" {
                        if !lit.is_empty() {
                            parts.push(Part::Lit(std::mem::take(&mut lit)));
                        }
                        if matches!(parts.last(), Some(Part::Cap(_, Kind::Text) | Part::Any)) {
                            return Err(PatternError::AmbiguousText);
                        }
                        parts.push(Part::Any);
                        i += close + 1;
                        continue;
                    }
                    let (name, kind) = match inner.split_once(':') {
                        Some((n, k)) => (n, Some(k)),
                        None => (inner.as_str(), None),
                    };
                    let cap = match name {
                        "space" => Capture::Space,
                        "user" => Capture::User,
                        other => return Err(PatternError::UnknownCapture(other.to_string())),
                    };
                    let kind = match kind {
                        None | Some("id") => Kind::Id,
                        Some("text") => Kind::Text,
                        Some(k) => return Err(PatternError::UnknownKind(k.to_string())),
                    };
                    if seen.contains(&cap) {
                        return Err(PatternError::Duplicate(name.to_string()));
                    }
                    seen.push(cap);
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    if matches!(parts.last(), Some(Part::Cap(_, Kind::Text) | Part::Any)) {
                        return Err(PatternError::AmbiguousText);
                    }
                    parts.push(Part::Cap(cap, kind));
                    i += close + 1;
                }
                '}' => return Err(PatternError::StrayClose(i + 1)),
                c => {
                    lit.push(c);
                    i += 1;
                }
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        if seen.is_empty() {
            return Err(PatternError::NoCapture);
        }
        Ok(Pattern {
            text: text.to_string(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The pattern as a person reads it in evidence: each capture as
    /// `<space>` or `<user>`, its kind left out (`notion:workspace:<space>`).
    pub fn shown(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Lit(l) => l.as_str(),
                Part::Cap(Capture::Space, _) => "<space>",
                Part::Cap(Capture::User, _) => "<user>",
                Part::Any => "…",
            })
            .collect()
    }

    /// Which captures the pattern has.
    pub fn captures(&self, which: Capture) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Cap(c, _) if *c == which))
    }

    /// The ids in `key`, if the whole key matches.
    pub fn matches(&self, key: &str) -> Option<Captures> {
        let mut caps = Captures::default();
        match_from(&self.parts, key, &mut caps).then_some(caps)
    }
}

fn match_from(parts: &[Part], rest: &str, caps: &mut Captures) -> bool {
    let Some((first, more)) = parts.split_first() else {
        return rest.is_empty();
    };
    match first {
        Part::Lit(l) => rest
            .strip_prefix(l.as_str())
            .is_some_and(|r| match_from(more, r, caps)),
        Part::Any => rest
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .any(|end| match_from(more, &rest[end..], caps)),
        Part::Cap(cap, kind) => {
            let ends: Vec<usize> = match kind {
                Kind::Id => [36usize, 32]
                    .into_iter()
                    .filter(|&n| rest.get(..n).is_some_and(is_notion_id))
                    .collect(),
                Kind::Text => rest.char_indices().map(|(i, c)| i + c.len_utf8()).collect(),
            };
            for end in ends {
                let value = &rest[..end];
                if match_from(more, &rest[end..], caps) {
                    let v = normalize_id(value);
                    match cap {
                        Capture::Space => caps.space = Some(v),
                        Capture::User => caps.user = Some(v),
                    }
                    return true;
                }
            }
            false
        }
    }
}

/// A UUID, dashed (`8-4-4-4-12` hex digits) or as 32 hex digits.
pub fn is_notion_id(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        32 => b.iter().all(u8::is_ascii_hexdigit),
        36 => b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        }),
        _ => false,
    }
}

/// A Notion id in one spelling (lowercase, dashed), so the same account or
/// workspace seen in a cookie and in a key name is one; anything that is not
/// a Notion id is kept as it is.
pub fn normalize_id(s: &str) -> String {
    let s = s.trim();
    if !is_notion_id(s) {
        return s.to_string();
    }
    let hex: String = s
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.text)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for Pattern {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Pattern::parse(&s)
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Pattern::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Pattern {
    fn schema_name() -> Cow<'static, str> {
        "KeyNamePattern".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A Local Storage key name: literal text with captures {space} and {user} (a Notion id), or {space:text} / {user:text} (any text), and {*} for any text that is not captured.",
            "pattern": "^([^{}]|\\{(space|user)(:(id|text))?\\}|\\{\\*\\})+$",
            "examples": ["LRU:KeyValueStore2:onAppStartPreference:{user}:{space}", "LRU:LocalPreferenceStore3:{user}:{*}"]
        })
    }
}

/// One step of a [`JsonPath`]: a field, then every item when it is a list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    field: String,
    each: bool,
}

/// A dotted path into JSON: `a.b[].c` is field `a`, field `b`, every item
/// of that list, field `c`.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

/// Why a JSON path is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonPathError {
    #[error("the path is empty")]
    Empty,
    #[error("step {0} of the path is empty")]
    EmptyStep(usize),
    #[error("step `{0}`: `[]` may only end a step")]
    BadBrackets(String),
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, JsonPathError> {
        if text.is_empty() {
            return Err(JsonPathError::Empty);
        }
        let mut steps = Vec::new();
        for (i, raw) in text.split('.').enumerate() {
            let (field, each) = match raw.strip_suffix("[]") {
                Some(f) => (f, true),
                None => (raw, false),
            };
            if field.is_empty() {
                return Err(JsonPathError::EmptyStep(i + 1));
            }
            if field.contains(['[', ']']) {
                return Err(JsonPathError::BadBrackets(raw.to_string()));
            }
            steps.push(Step {
                field: field.to_string(),
                each,
            });
        }
        Ok(JsonPath {
            text: text.to_string(),
            steps,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Every value the path reaches in `root` (missing fields reach nothing).
    pub fn values<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut cur = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for v in cur {
                let Some(child) = v.get(&step.field) else {
                    continue;
                };
                if step.each {
                    if let Value::Array(items) = child {
                        next.extend(items.iter());
                    }
                } else {
                    next.push(child);
                }
            }
            cur = next;
        }
        cur
    }
}

impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({:?})", self.text)
    }
}

impl Serialize for JsonPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for JsonPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        JsonPath::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for JsonPath {
    fn schema_name() -> Cow<'static, str> {
        "JsonPath".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Dotted fields into a JSON file; `[]` after a field means every item of that list.",
            "pattern": "^[^.\\[\\]]+(\\[\\])?(\\.[^.\\[\\]]+(\\[\\])?)*$",
            "examples": ["history.appRestorationState.windows[].tabs[].appStoreState"]
        })
    }
}

/// An SQL identifier (a table or column name): letters, digits and `_`,
/// not starting with a digit, at most 64 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Ident(String);

impl Ident {
    pub fn parse(s: &str) -> Result<Ident, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit());
        if ok {
            Ok(Ident(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a table or column name (letters, digits and _, not starting with a digit)"
            ))
        }
    }

    /// The identifier quoted for SQL.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ident({:?})", self.0)
    }
}

impl Serialize for Ident {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Ident {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ident::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Ident {
    fn schema_name() -> Cow<'static, str> {
        "SqlIdentifier".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A table or column name: letters, digits and _, not starting with a digit.",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const U: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn captures_ids_around_literals_and_dashes() {
        let p = Pattern::parse("currentSpace:{space}:{user}").unwrap();
        let c = p.matches(&format!("currentSpace:{S}:{U}")).unwrap();
        assert_eq!((c.space.as_deref(), c.user.as_deref()), (Some(S), Some(U)));
        // Dashes inside UUIDs and between captures are told apart.
        let p = Pattern::parse("notion-sidebar-sidebar-state-{space}-{user}").unwrap();
        let c = p
            .matches(&format!("notion-sidebar-sidebar-state-{S}-{U}"))
            .unwrap();
        assert_eq!((c.space.as_deref(), c.user.as_deref()), (Some(S), Some(U)));
        // Undashed and uppercase ids are normalised.
        let undashed = S.replace('-', "").to_uppercase();
        let c = p
            .matches(&format!("notion-sidebar-sidebar-state-{undashed}-{U}"))
            .unwrap();
        assert_eq!(c.space.as_deref(), Some(S));
        assert!(p.matches("notion-sidebar-sidebar-state-x-y").is_none());
        assert!(
            Pattern::parse("currentSpace:{space}:{user}")
                .unwrap()
                .matches(&format!("currentSpace:{S}:{U}:extra"))
                .is_none()
        );
    }

    #[test]
    fn text_captures_take_any_id() {
        let p = Pattern::parse("notion:workspace:{space:text}").unwrap();
        assert_eq!(
            p.matches("notion:workspace:ws-acme")
                .unwrap()
                .space
                .as_deref(),
            Some("ws-acme")
        );
        assert!(p.matches("notion:workspace:").is_none());
        assert_eq!(p.shown(), "notion:workspace:<space>");
        let p = Pattern::parse("a:{space:text}:{user:text}").unwrap();
        assert_eq!(p.shown(), "a:<space>:<user>");
        let c = p.matches("a:s1:u:2").unwrap();
        assert_eq!(
            (c.space.as_deref(), c.user.as_deref()),
            (Some("s1"), Some("u:2"))
        );
        assert!(p.captures(Capture::User) && p.captures(Capture::Space));
    }

    #[test]
    fn a_wildcard_takes_the_rest_of_a_family() {
        let p = Pattern::parse("BlockFrecency:{user}:{space}:{*}").unwrap();
        let c = p.matches(&format!("BlockFrecency:{U}:{S}:3::{S}")).unwrap();
        assert_eq!((c.space.as_deref(), c.user.as_deref()), (Some(S), Some(U)));
        assert!(p.matches(&format!("BlockFrecency:{U}:{S}:")).is_none());
        assert_eq!(p.shown(), "BlockFrecency:<user>:<space>:…");
        let p = Pattern::parse("LRU:LocalPreferenceStore3:{user}:{*}").unwrap();
        assert!(
            p.matches("LRU:LocalPreferenceStore3:guest:forkPageTemplate")
                .is_none()
        );
        let c = p
            .matches(&format!("LRU:LocalPreferenceStore3:{U}:userSessionCount"))
            .unwrap();
        assert_eq!((c.space, c.user.as_deref()), (None, Some(U)));
        let p = Pattern::parse("x:{user}:Shared:{*}:{space}").unwrap();
        let c = p.matches(&format!("x:{U}:Shared:{U}:{S}")).unwrap();
        assert_eq!(c.space.as_deref(), Some(S));
        assert_eq!(Pattern::parse("a{*}{*}"), Err(PatternError::AmbiguousText));
        assert_eq!(Pattern::parse("a:{*}"), Err(PatternError::NoCapture));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert_eq!(Pattern::parse(""), Err(PatternError::Empty));
        assert_eq!(Pattern::parse("a{space"), Err(PatternError::Unclosed(2)));
        assert_eq!(Pattern::parse("a}"), Err(PatternError::StrayClose(2)));
        assert_eq!(
            Pattern::parse("{team}"),
            Err(PatternError::UnknownCapture("team".into()))
        );
        assert_eq!(
            Pattern::parse("{space:uuid}"),
            Err(PatternError::UnknownKind("uuid".into()))
        );
        assert_eq!(
            Pattern::parse("{space}{space}"),
            Err(PatternError::Duplicate("space".into()))
        );
        assert_eq!(Pattern::parse("plain"), Err(PatternError::NoCapture));
        assert_eq!(
            Pattern::parse("{space:text}{user}"),
            Err(PatternError::AmbiguousText)
        );
        assert!(serde_json::from_str::<Pattern>("\"x{nope}\"").is_err());
    }

    #[test]
    fn json_paths_walk_lists() {
        let p = JsonPath::parse("h.w[].t[].s").unwrap();
        let v = serde_json::json!({"h": {"w": [{"t": [{"s": 1}, {"s": 2}]}, {"t": [{"s": 3}, {}]}, {}]}});
        let got: Vec<i64> = p.values(&v).iter().filter_map(|v| v.as_i64()).collect();
        assert_eq!(got, vec![1, 2, 3]);
        assert!(JsonPath::parse("a..b").is_err());
        assert!(JsonPath::parse("a[0]").is_err());
        assert!(JsonPath::parse("").is_err());
    }

    #[test]
    fn identifiers() {
        assert_eq!(Ident::parse("space").unwrap().quoted(), "\"space\"");
        assert!(Ident::parse("space; DROP TABLE x").is_err());
        assert!(Ident::parse("1x").is_err());
        assert!(Ident::parse("").is_err());
    }
}
