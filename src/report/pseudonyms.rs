//! Redaction: personal values in a run record become stable pseudonyms before
//! a report leaves the machine.
//!
//! What is collected (from the whole record, the scan facts first so numbering
//! follows the scan's session order):
//! - workspace ids (`workspace_id`, `space_id`) → `workspace-1`, `workspace-2`…
//! - workspace names (`workspace_name`, and the answer to a question that
//!   picks an item of the scan, [`RunRecord::item_questions`], when it names
//!   no known id) → `Workspace 1`…
//! - user ids (`user_id`, `user_ids`, `current_user_id`) → `user-1`…, and
//!   the short form of an id that names an account in prose (its first 8
//!   characters, "account 5e21a7c3") → the same pseudonym
//! - e-mail addresses, found anywhere (any `x@y.z` token) → `email-1`…
//! - browser profile display names and profile folder names that are not a
//!   browser default ("Person 1", "Default", "Profile 2",
//!   "x1y2z3ab.default-release"…) → `profile-name-1`… (a Chrome profile is
//!   often named after its owner, and so is a Firefox profile's folder)
//! - the inspected home (`root`, and this user's real home folder) → `~`
//!
//! "workspace" in these pseudonyms and in their labels is the flow's
//! `terms.workspace` ("team" gives `team-1`, `Team 1`, "team id"); the
//! kinds keep their names (`workspace-id`) in every report.
//!
//! Every string of the record is rewritten, prose included (findings, step
//! details, messages, answers, plans) and object keys too. Replacement is one
//! left-to-right pass that takes the longest known value at each position, so
//! a name that contains another is replaced whole and a pseudonym is never
//! rewritten again. Values shorter than 4 characters are only replaced as
//! whole words (not inside other words), so a workspace named "A" does not
//! eat every capital A.
//!
//! `include_names` keeps workspace ids and names, user ids, e-mails and
//! profile names; the home still becomes `~`.
//!
//! Pseudonyms hide personal values, not secrets: secrets never enter a
//! record, and [`super::secrets`] checks that before every export.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ReportError;
use super::record::RunRecord;
use super::scan_fields::{WORKSPACE_ID, WORKSPACE_NAME};
use crate::flow::model::Terms;

/// What kind of value was replaced. `workspace-id` and `workspace-name`
/// are the ids and names of what the flow's `terms.workspace` names.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RedactionKind {
    WorkspaceId,
    WorkspaceName,
    UserId,
    Email,
    ProfileName,
    Home,
    /// The `--state-dir` a printed undo command names.
    StateFolder,
}

impl RedactionKind {
    /// Human label, in the flow's words, for the list shown before an
    /// export: "workspace id".
    pub fn label(self, terms: &Terms) -> String {
        match self {
            RedactionKind::WorkspaceId => format!("{} id", terms.workspace),
            RedactionKind::WorkspaceName => format!("{} name", terms.workspace),
            RedactionKind::UserId => "user id".into(),
            RedactionKind::Email => "e-mail address".into(),
            RedactionKind::ProfileName => "browser profile name".into(),
            RedactionKind::Home => "home folder".into(),
            RedactionKind::StateFolder => "state folder".into(),
        }
    }

    /// Kept when the user opts in with `--include-names`.
    fn is_name(self) -> bool {
        !matches!(self, RedactionKind::Home)
    }
}

/// One redacted value: its kind and its pseudonym, never the original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Redaction {
    pub kind: RedactionKind,
    pub pseudonym: String,
    /// How many times it was replaced in the record.
    pub occurrences: usize,
    /// The kind in the flow's words ([`RedactionKind::label`]), for the
    /// list shown before an export; not in the JSON, which has the kind.
    #[serde(skip)]
    #[schemars(skip)]
    pub label: String,
}

impl std::fmt::Display for Redaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let times = if self.occurrences == 1 {
            "time"
        } else {
            "times"
        };
        write!(
            f,
            "{} → {} ({} {times})",
            self.label, self.pseudonym, self.occurrences
        )
    }
}

#[derive(Debug, Clone)]
struct Rule {
    needle: String,
    pseudonym: String,
    kind: RedactionKind,
    /// Only replace where not inside a word (short values).
    whole_word: bool,
}

/// Values shorter than this are replaced as whole words only.
const SHORT: usize = 4;

/// Replaces the personal values of one record with pseudonyms.
#[derive(Debug, Clone)]
pub struct Redactor {
    /// Sorted longest first.
    rules: Vec<Rule>,
    /// Replacements made per rule.
    counts: Vec<usize>,
    /// The record's terms, for the labels of what was replaced.
    terms: Terms,
}

/// Profile names browsers give by default; they identify no one. Firefox's
/// profile folders are such a name behind a random salt
/// (`x1y2z3ab.default-release`).
fn generic_profile_name(name: &str) -> bool {
    if let Some((salt, rest)) = name.trim().split_once('.')
        && !salt.is_empty()
        && salt.len() <= 16
        && salt.chars().all(|c| c.is_ascii_alphanumeric())
        && generic_base(rest)
    {
        return true;
    }
    generic_base(name)
}

fn generic_base(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    let base = lower
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end();
    matches!(
        base,
        "" | "app"
            | "default"
            | "default-release"
            | "default-esr"
            | "default-nightly"
            | "dev-edition-default"
            | "person"
            | "profile"
            | "user"
            | "guest"
            | "system profile"
            | "your chrome"
            | "work"
            | "personal"
    )
}

#[derive(Default)]
struct Collector {
    seen: HashMap<String, usize>,
    rules: Vec<Rule>,
    next: HashMap<RedactionKind, usize>,
    /// `terms.workspace` as the pseudonyms of ids (`workspace`) and names
    /// (`Workspace`) start.
    id_word: String,
    name_word: String,
}

/// `term` as one lower-case word for an id: letters and digits, the rest
/// `-` ("Team space" → `team-space`).
fn id_word(term: &str) -> String {
    let mut out = String::new();
    for c in term.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

impl Collector {
    fn new(terms: &Terms) -> Collector {
        let fallback = Terms::default().workspace;
        let word = Some(terms.workspace.trim())
            .filter(|w| !w.is_empty())
            .unwrap_or(&fallback);
        let id = Some(id_word(word))
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| fallback.clone());
        Collector {
            id_word: id,
            name_word: super::words::first_upper(word),
            ..Collector::default()
        }
    }

    fn add(&mut self, kind: RedactionKind, value: &str) {
        let value = value.trim();
        if value.is_empty() || self.seen.contains_key(value) {
            return;
        }

        if kind == RedactionKind::ProfileName && generic_profile_name(value) {
            return;
        }
        let n = self.next.entry(kind).or_insert(0);
        *n += 1;
        let pseudonym = match kind {
            RedactionKind::WorkspaceId => format!("{}-{n}", self.id_word),
            RedactionKind::WorkspaceName => format!("{} {n}", self.name_word),
            RedactionKind::UserId => format!("user-{n}"),
            RedactionKind::Email => format!("email-{n}"),
            RedactionKind::ProfileName => format!("profile-name-{n}"),
            RedactionKind::Home => "~".to_string(),
            RedactionKind::StateFolder => "<state folder>".to_string(),
        };
        self.seen.insert(value.to_string(), self.rules.len());
        self.rules.push(Rule {
            needle: value.to_string(),
            pseudonym,
            kind,
            whole_word: kind != RedactionKind::Home && value.chars().count() < SHORT,
        });
        // The scan shows ids by their first eight characters ("account
        // 0f8fad5b", "workspace 7c9e6679"): hide that form too, under the
        // same pseudonym.
        if matches!(kind, RedactionKind::UserId | RedactionKind::WorkspaceId)
            && crate::probe::pattern::is_notion_id(value)
        {
            let short: String = value.chars().take(8).collect();
            if !self.seen.contains_key(short.as_str()) {
                let pseudonym = self.rules[self.rules.len() - 1].pseudonym.clone();
                self.seen.insert(short.clone(), self.rules.len());
                self.rules.push(Rule {
                    needle: short,
                    pseudonym,
                    kind,
                    whole_word: true,
                });
            }
        }
    }

    /// The short form of user id `id` (its first 8 characters, what the
    /// scan names an account by when nothing else does) gets the id's own
    /// pseudonym, so "account 5e21a7c3" becomes "account user-1".
    fn add_short_form(&mut self, id: &str) {
        let id = id.trim();
        let short: String = id.chars().take(8).collect();
        if short.chars().count() < 8 || short == id || self.seen.contains_key(&short) {
            return;
        }
        let Some(&i) = self.seen.get(id) else { return };
        let pseudonym = self.rules[i].pseudonym.clone();
        self.seen.insert(short.clone(), self.rules.len());
        self.rules.push(Rule {
            needle: short,
            pseudonym,
            kind: RedactionKind::UserId,
            whole_word: true,
        });
    }

    fn add_home(&mut self, root: &str) {
        let trimmed = root.trim().trim_end_matches(['/', '\\']);
        // "/" or "C:" would match every path: not a home worth hiding.
        if trimmed.chars().count() < 3 || (trimmed.len() == 2 && trimmed.ends_with(':')) {
            return;
        }
        self.add(RedactionKind::Home, trimmed);
        for variant in [trimmed.replace('\\', "/"), trimmed.replace('/', "\\")] {
            if variant != trimmed {
                self.add(RedactionKind::Home, &variant);
            }
        }
    }

    /// Values by the key that holds them, anywhere in `v`.
    fn walk_keys(&mut self, v: &Value) {
        match v {
            Value::Object(m) => {
                for (k, val) in m {
                    self.key_value(k, val);
                    self.walk_keys(val);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.walk_keys(x)),
            _ => {}
        }
    }

    fn key_value(&mut self, key: &str, val: &Value) {
        let kind = match key {
            WORKSPACE_ID | "space_id" | "short_id" => RedactionKind::WorkspaceId,
            WORKSPACE_NAME => RedactionKind::WorkspaceName,
            "user_id" | "user_ids" | "current_user_id" => RedactionKind::UserId,
            "email" | "emails" | "user_email" => RedactionKind::Email,
            // A profile's folder is named by its user as often as its
            // display name ("Profile 1" and "x1y2z3ab.default" are not).
            "profile" | "profile_name" | "profile_dir" => RedactionKind::ProfileName,
            "root" | "home" => {
                if let Value::String(s) = val {
                    self.add_home(s);
                }
                return;
            }
            _ => return,
        };
        let mut add = |s: &str| {
            self.add(kind, s);
            if kind == RedactionKind::UserId {
                self.add_short_form(s);
            }
        };
        match val {
            Value::String(s) => add(s),
            Value::Array(a) => a.iter().filter_map(Value::as_str).for_each(add),
            _ => {}
        }
    }

    /// People's names among account labels: an account's `name` and
    /// `label` beside its `user_id`, a session's `account_label`. A label
    /// that is an email or the short form of an id is hidden by those
    /// rules; a name is hidden as the account's. After the ids, so
    /// `user-1` is still the first account.
    fn walk_names(&mut self, v: &Value) {
        let name = |c: &mut Self, s: &str| {
            if !(s.starts_with("account ") || s.contains('@')) {
                c.add(RedactionKind::UserId, s);
            }
        };
        match v {
            Value::Object(m) => {
                if m.contains_key("user_id") {
                    for k in ["name", "label"] {
                        if let Some(Value::String(s)) = m.get(k) {
                            name(self, s);
                        }
                    }
                }
                if let Some(Value::String(s)) = m.get("account_label") {
                    name(self, s);
                }
                m.values().for_each(|x| self.walk_names(x));
            }
            Value::Array(a) => a.iter().for_each(|x| self.walk_names(x)),
            _ => {}
        }
    }

    /// E-mail addresses in every string and key of `v`.
    fn walk_emails(&mut self, v: &Value) {
        match v {
            Value::String(s) => self.emails_in(s),
            Value::Object(m) => {
                for (k, val) in m {
                    self.emails_in(k);
                    self.walk_emails(val);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.walk_emails(x)),
            _ => {}
        }
    }

    fn emails_in(&mut self, s: &str) {
        for email in find_emails(s) {
            self.add(RedactionKind::Email, email);
        }
    }
}

/// `x@y.z` tokens in `s`, without a regex: maximal runs of address characters
/// holding one `@` with a non-empty local part and a dotted domain.
pub fn find_emails(s: &str) -> Vec<&str> {
    let is_addr = |c: char| c.is_alphanumeric() || "._%+-@'".contains(c);
    let mut out = Vec::new();
    for token in s.split(|c: char| !is_addr(c)) {
        let token = token.trim_matches(|c: char| ".'-".contains(c));
        let Some((local, domain)) = token.split_once('@') else {
            continue;
        };
        if local.is_empty() || domain.contains('@') {
            continue;
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            continue;
        }
        let tld = labels[labels.len() - 1];
        if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
            continue;
        }
        out.push(token);
    }
    out
}

/// The `--state-dir` a printed undo command names (a folder anywhere, a
/// user name in it), as quoted there and as a path: shown as
/// `<state folder>` in a redacted report.
fn state_folder_rules(undo_command: Option<&str>) -> Vec<Rule> {
    let Some((_, quoted)) = undo_command.and_then(|c| c.split_once(" --state-dir ")) else {
        return Vec::new();
    };
    let quoted = quoted.trim();
    let plain = match quoted.strip_prefix('\'').and_then(|q| q.strip_suffix('\'')) {
        Some(inner) => inner.replace("'\\''", "'"),
        None => quoted.to_string(),
    };
    let rule = |needle: &str, pseudonym: &str| Rule {
        needle: needle.to_string(),
        pseudonym: pseudonym.to_string(),
        kind: RedactionKind::StateFolder,
        whole_word: false,
    };
    let mut out = vec![rule(quoted, "'<state folder>'")];
    if plain != quoted && plain.chars().count() >= 3 {
        out.push(rule(&plain, "<state folder>"));
    }
    out
}

impl Redactor {
    /// Collect the personal values of `record`. With `include_names`, only
    /// the home folder is replaced.
    pub fn new(record: &RunRecord, include_names: bool) -> Redactor {
        let whole = serde_json::to_value(record).unwrap_or(Value::Null);
        let mut c = Collector::new(&record.terms);
        // The inspected home, then this user's own home (reports of a
        // `--root` run may still mention real paths).
        c.add_home(&record.root);
        if let Some(home) = dirs::home_dir() {
            c.add_home(&home.to_string_lossy());
        }
        // Scan sessions first, in order, so `workspace-1` is the first session.
        if let Some(sessions) = record.facts.pointer("/scan/sessions") {
            c.walk_keys(sessions);
        }
        c.walk_keys(&whole);
        // An answer picking an item of the scan is its id or its name (with
        // `@store` when several stores hold it); a value not seen there is
        // still personal.
        // The answer that stopped a run with an error is one too.
        let refused = record
            .error
            .as_ref()
            .and_then(|e| Some((e.question.clone()?, e.answer.clone()?)));
        for q in item_questions(record) {
            let given = record
                .answers
                .get(&q)
                .into_iter()
                .chain(refused.as_ref().filter(|(id, _)| *id == q).map(|(_, a)| a));
            for a in given {
                if let Value::String(w) = a {
                    let w = w.split('@').next().unwrap_or(w);
                    c.add(RedactionKind::WorkspaceName, w);
                }
            }
        }
        c.walk_emails(&whole);
        c.walk_names(&whole);
        let mut rules: Vec<Rule> = c
            .rules
            .into_iter()
            .filter(|r| !(include_names && r.kind.is_name()))
            .collect();
        if !include_names {
            rules.extend(state_folder_rules(record.undo_command.as_deref()));
        }
        rules.sort_by_key(|r| std::cmp::Reverse(r.needle.len()));
        let counts = vec![0; rules.len()];
        Redactor {
            rules,
            counts,
            terms: record.terms.clone(),
        }
    }

    /// Replace every known value in `s`.
    pub fn redact_str(&mut self, s: &str) -> String {
        if self.rules.is_empty() {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        let bytes = s.as_bytes();
        'scan: while i < s.len() {
            for (n, r) in self.rules.iter().enumerate() {
                if bytes[i..].starts_with(r.needle.as_bytes())
                    && (!r.whole_word || whole_word(s, i, i + r.needle.len()))
                {
                    out.push_str(&r.pseudonym);
                    i += r.needle.len();
                    self.counts[n] += 1;
                    continue 'scan;
                }
            }
            // Advance by one whole character.
            let ch = s[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
        out
    }

    /// Replace every known value in every string and key of `v`.
    pub fn redact_value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.redact_str(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.redact_value(x)).collect()),
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, val) in m {
                    let k = self.redact_str(k);
                    let val = self.redact_value(val);
                    out.insert(k, val);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// The redacted record and what was replaced in it.
    pub fn redact(
        &mut self,
        record: &RunRecord,
    ) -> Result<(RunRecord, Vec<Redaction>), ReportError> {
        let value = serde_json::to_value(record).map_err(ReportError::Encode)?;
        let redacted = self.redact_value(&value);
        let record: RunRecord = serde_json::from_value(redacted).map_err(ReportError::Encode)?;
        Ok((record, self.redactions()))
    }

    /// What was replaced so far: kind, pseudonym and count; never the value.
    /// Ordered by kind, then pseudonym number.
    pub fn redactions(&self) -> Vec<Redaction> {
        let mut by_pseudonym: Vec<Redaction> = Vec::new();
        for (r, &n) in self.rules.iter().zip(&self.counts) {
            if n == 0 {
                continue;
            }
            // Variants of one home share the pseudonym `~`.
            match by_pseudonym
                .iter_mut()
                .find(|x| x.kind == r.kind && x.pseudonym == r.pseudonym)
            {
                Some(x) => x.occurrences += n,
                None => by_pseudonym.push(Redaction {
                    kind: r.kind,
                    pseudonym: r.pseudonym.clone(),
                    occurrences: n,
                    label: r.kind.label(&self.terms),
                }),
            }
        }
        by_pseudonym.sort_by_key(|r| (r.kind, pseudonym_number(&r.pseudonym), r.pseudonym.clone()));
        by_pseudonym
    }
}

/// The questions of `record` whose answers pick an item of the scan: as
/// recorded, else (an older record) those of the built-in flow it ran.
fn item_questions(record: &RunRecord) -> Vec<String> {
    match &record.item_questions {
        Some(q) => q.clone(),
        None => super::record::flow_of(record)
            .map(|f| super::record::item_questions(&f))
            .unwrap_or_default(),
    }
}

fn pseudonym_number(p: &str) -> u64 {
    let digits: String = p.chars().rev().take_while(char::is_ascii_digit).collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

fn whole_word(s: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let before = s[..start].chars().next_back().is_none_or(|c| !word(c));
    let after = s[end..].chars().next().is_none_or(|c| !word(c));
    before && after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_found_in_prose() {
        assert_eq!(
            find_emails("Signed in as <Jane.Doe+x@example.co.uk>, also bob@corp.io."),
            vec!["Jane.Doe+x@example.co.uk", "bob@corp.io"]
        );
        assert!(find_emails("user@localhost and @handle and a@b.1").is_empty());
    }

    #[test]
    fn generic_profile_names_are_kept() {
        for n in [
            "Default",
            "Person 1",
            "Profile 12",
            "default-release",
            "app",
            "Your Chrome",
        ] {
            assert!(generic_profile_name(n), "{n}");
        }
        assert!(!generic_profile_name("Jane Doe"));
    }

    #[test]
    fn short_values_only_as_words() {
        let mut c = Collector::new(&Terms::default());
        c.add(RedactionKind::WorkspaceName, "A");
        c.add(RedactionKind::WorkspaceName, "Acme Labs");
        c.add(RedactionKind::WorkspaceName, "Acme");
        let mut r = Redactor {
            terms: Terms::default(),
            counts: vec![0; c.rules.len()],
            rules: {
                let mut v = c.rules;
                v.sort_by_key(|r| std::cmp::Reverse(r.needle.len()));
                v
            },
        };
        assert_eq!(
            r.redact_str("A Sign out: Acme Labs, Acme, ANSWER"),
            "Workspace 1 Sign out: Workspace 2, Workspace 3, ANSWER"
        );
    }

    #[test]
    fn pseudonyms_say_the_flows_word() {
        let terms = Terms {
            workspace: "team space".into(),
            ..Terms::default()
        };
        let mut c = Collector::new(&terms);
        c.add(RedactionKind::WorkspaceId, "T0123456");
        c.add(RedactionKind::WorkspaceName, "Acme Labs");
        let p: Vec<&str> = c.rules.iter().map(|r| r.pseudonym.as_str()).collect();
        assert_eq!(p, ["team-space-1", "Team space 1"]);
        assert_eq!(RedactionKind::WorkspaceId.label(&terms), "team space id");
        assert_eq!(id_word(" Équipe / Team "), "équipe-team");
    }

    /// The redaction summary calls a `--state-dir` what it is, not a home.
    #[test]
    fn the_state_folder_is_its_own_kind() {
        let rules = state_folder_rules(Some("troubleshoot undo 1 --state-dir '/srv/ann s/state'"));
        let kinds: Vec<(RedactionKind, &str)> =
            rules.iter().map(|r| (r.kind, r.needle.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (RedactionKind::StateFolder, "'/srv/ann s/state'"),
                (RedactionKind::StateFolder, "/srv/ann s/state"),
            ]
        );
        assert_eq!(
            RedactionKind::StateFolder.label(&Terms::default()),
            "state folder"
        );
    }
}
