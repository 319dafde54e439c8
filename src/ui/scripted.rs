//! Answers from `--answers FILE`, `--answer ID=VALUE` and `--yes`, falling back
//! to a person at the terminal, and failing fast (never hanging) without one.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use serde_json::Value;

use crate::flow::engine::Question;
use crate::flow::{Answer, AskKind};
use crate::ui::Prompter;
use crate::ui::interactive::Interactive;
use crate::{Error, Result};

pub struct Scripted {
    answers: BTreeMap<String, Value>,
    yes: bool,
    /// Replaying a report: question id -> the item chosen in the recorded run.
    /// A redacted report holds pseudonyms, so a recorded answer may match no
    /// option; the item's store then picks the session.
    replay: BTreeMap<String, Value>,
    /// How often each question was answered from the script: a flow that
    /// keeps coming back to a question would loop forever on a fixed answer.
    asked: BTreeMap<String, usize>,
    /// A person at a terminal answers what the script does not.
    fallback: Option<Interactive>,
}

impl Scripted {
    pub fn new(answers: BTreeMap<String, Value>, yes: bool) -> Scripted {
        let fallback = std::io::stdin().is_terminal().then(Interactive::new);
        Scripted {
            answers,
            yes,
            replay: BTreeMap::new(),
            asked: BTreeMap::new(),
            fallback,
        }
    }

    /// Items chosen in a recorded run, used when a recorded answer matches no option.
    pub fn with_replay(mut self, chosen: BTreeMap<String, Value>) -> Scripted {
        self.replay = chosen;
        self
    }

    /// The option of `q` standing for the recorded item: same store, and the
    /// same name when several share the store.
    fn replayed(&self, q: &Question) -> Option<Answer> {
        let chosen = self.replay.get(&q.id)?;
        let store = chosen.get("store_id")?;
        let same_store: Vec<_> = q
            .options
            .iter()
            .filter(|o| o.item.as_ref().and_then(|i| i.get("store_id")) == Some(store))
            .collect();
        let by_name = same_store.iter().find(|o| {
            let name = |v: &Value| v.get("workspace_name").cloned();
            o.item.as_ref().and_then(name).is_some()
                && o.item.as_ref().and_then(name) == name(chosen)
        });
        by_name
            .or(same_store.first())
            .map(|o| Answer::Choice(o.id.clone()))
    }

    /// Without a terminal fallback, whatever stdin is (tests, `flows test`).
    pub fn headless(answers: BTreeMap<String, Value>, yes: bool) -> Scripted {
        Scripted {
            answers,
            yes,
            replay: BTreeMap::new(),
            asked: BTreeMap::new(),
            fallback: None,
        }
    }

    pub fn answers(&self) -> &BTreeMap<String, Value> {
        &self.answers
    }
}

/// Read an answers file: a JSON object of question id -> answer.
pub fn read_answers_file(path: &Path) -> Result<BTreeMap<String, Value>> {
    let text = crate::bounded::read_string(path, crate::bounded::Kind::Answers).map_err(|e| {
        Error::Input {
            path: path.to_path_buf(),
            message: format!("cannot read answers file: {e}"),
        }
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!("{}:{}: not valid JSON: {e}", e.line(), e.column()),
    })?;
    let Value::Object(map) = value else {
        return Err(Error::Input {
            path: path.to_path_buf(),
            message: "an answers file is a JSON object: {\"question-id\": \"option-id\", ...}"
                .into(),
        });
    };
    for (k, v) in &map {
        if Answer::from_json(v).is_none() {
            return Err(Error::Input {
                path: path.to_path_buf(),
                message: format!("answer to `{k}` must be a string, number or true/false, not {v}"),
            });
        }
    }
    Ok(map.into_iter().collect())
}

/// Parse `--answer ID=VALUE`; `true`/`false` become booleans.
pub fn parse_answer_flag(s: &str) -> Result<(String, Value)> {
    let (id, value) = s
        .split_once('=')
        .filter(|(id, _)| !id.is_empty())
        .ok_or_else(|| Error::Usage(format!("--answer expects ID=VALUE, got `{s}`")))?;
    let v = match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        other => Value::String(other.to_string()),
    };
    Ok((id.to_string(), v))
}

/// The option of a select that a scripted answer names: its id; else the
/// one option whose id, label or name (an item's `…name` / `…label`
/// field) is the answer, ignoring case; else the one option whose id,
/// label or name starts with it (`name@store` narrows to the options of
/// the stores starting with `store`). Several: an error listing them, each with
/// the id to answer. None: the answer goes to the engine as given, which
/// says what it expected.
fn resolve_choice(q: &Question, given: &str) -> Result<String> {
    if q.options.iter().any(|o| o.id == given) {
        return Ok(given.to_string());
    }
    let want = given.to_lowercase();
    let names = |o: &crate::flow::engine::Offer| -> Vec<String> {
        let mut n = vec![o.id.to_lowercase(), o.label.to_lowercase()];
        if let Some(Value::Object(item)) = &o.item {
            for (k, v) in item {
                if (k.ends_with("name") || k.ends_with("label"))
                    && let Some(s) = v.as_str()
                {
                    n.push(s.to_lowercase());
                }
            }
        }
        n
    };
    let exact: Vec<_> = q
        .options
        .iter()
        .filter(|o| names(o).contains(&want))
        .collect();
    // `name@store`: a name (or its start) in a store (or its start), as
    // `Acme@chrome` for the Acme workspace in Chrome.
    let (name, store) = match want.rsplit_once('@') {
        Some((n, st)) if exact.is_empty() => (n.to_string(), Some(st.to_string())),
        _ => (want.clone(), None),
    };
    let in_store = |o: &&crate::flow::engine::Offer| match (&store, o.id.rsplit_once('@')) {
        (None, _) => true,
        (Some(st), Some((_, at))) => at.to_lowercase().starts_with(st.as_str()),
        (Some(_), None) => false,
    };
    let hits = if exact.is_empty() && !name.is_empty() {
        let named: Vec<_> = q
            .options
            .iter()
            .filter(in_store)
            .filter(|o| names(o).contains(&name))
            .collect();
        if named.is_empty() {
            q.options
                .iter()
                .filter(in_store)
                .filter(|o| names(o).iter().any(|n| n.starts_with(&name)))
                .collect()
        } else {
            named
        }
    } else {
        exact
    };
    match hits.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Ok(given.to_string()),
        many => Err(Error::Usage(format!(
            "answer `{given}` to question `{}` matches {} choices; answer with the id of one: {}",
            q.id,
            many.len(),
            many.iter()
                .map(|o| format!("{} ({})", o.id, o.label))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Whether `q` chooses what to act on among more than one option on offer
/// (after `when`): a question the flow marks `chooses` (which fix), or one
/// whose options are the items of a list fact (a workspace, an account, a
/// store). `--yes` consents, it never picks the target.
fn picks_a_target(q: &Question) -> bool {
    if q.chooses {
        return q.options.len() > 1;
    }
    q.options.iter().filter(|o| o.item.is_some()).count() > 1
}

impl Prompter for Scripted {
    fn ask(&mut self, q: &Question) -> Result<Answer> {
        let yes = self.yes && !picks_a_target(q);
        if self.has_answer(q) || (yes && q.default.is_some()) {
            let n = self.asked.entry(q.id.clone()).or_default();
            *n += 1;
            if *n > 1 {
                // The same scripted answer can only lead the same way again.
                let answer = self
                    .answers
                    .get(&q.id)
                    .or(q.default.as_ref())
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default();
                return Err(Error::ScriptLoop {
                    id: q.id.clone(),
                    answer,
                });
            }
        }
        if let Some(v) = self.answers.get(&q.id) {
            let offered = |s: &str| q.options.is_empty() || q.options.iter().any(|o| o.id == s);
            if let (Some(s), Some(a)) = (v.as_str(), self.replayed(q))
                && !offered(s)
            {
                return Ok(a);
            }
            if let (AskKind::Select, Some(s)) = (q.kind, v.as_str()) {
                return resolve_choice(q, s).map(Answer::Choice);
            }
            return Answer::from_json(v)
                .ok_or_else(|| Error::Usage(format!("bad answer for `{}`", q.id)));
        }
        if yes
            && let Some(d) = &q.default
            && let Some(a) = Answer::from_json(d)
        {
            return Ok(a);
        }
        let targeted = self.yes && picks_a_target(q);
        if let Some(person) = self.fallback.as_mut().filter(|_| !targeted) {
            return person.ask(q);
        }
        let example = match q.kind {
            AskKind::Select => q
                .options
                .first()
                .map(|o| o.id.clone())
                .unwrap_or_else(|| "VALUE".into()),
            AskKind::Confirm => "true".into(),
            AskKind::Text => "TEXT".into(),
        };
        let choices = if q.options.is_empty() {
            String::new()
        } else {
            format!(
                " (one of: {})",
                q.options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let hint = if targeted {
            format!(
                "it chooses what to change, so --yes does not answer it: pass --answer {}=ID{choices}, or add it to --answers FILE",
                q.id
            )
        } else {
            format!(
                "stdin is not a terminal: pass --answer {}={example}{choices}, add it to --answers FILE, or use --yes to take the default",
                q.id
            )
        };
        Err(Error::MissingAnswer {
            id: q.id.clone(),
            hint,
        })
    }

    fn consent(&mut self, step: &str, title: &str) -> Result<bool> {
        if self.yes {
            return Ok(true);
        }
        if let Some(person) = self.fallback.as_mut() {
            return person.consent(step, title);
        }
        Err(Error::MissingAnswer {
            id: step.to_string(),
            hint: "a fix needs consent: pass --yes to apply it, or --dry-run to only see the plan"
                .into(),
        })
    }

    fn retry_when_closed(&mut self, reason: &str) -> Result<bool> {
        match self.fallback.as_mut() {
            Some(person) if !self.yes => person.retry_when_closed(reason),
            _ => Ok(false),
        }
    }

    fn offer_export(&mut self) -> Result<Option<std::path::PathBuf>> {
        match self.fallback.as_mut() {
            Some(person) if !self.yes => person.offer_export(),
            _ => Ok(None),
        }
    }

    fn interactive(&self) -> bool {
        self.fallback.is_some() && !self.yes
    }

    fn has_answer(&self, q: &Question) -> bool {
        self.answers.contains_key(&q.id)
    }

    fn assumes_yes(&self) -> bool {
        self.yes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::engine::Offer;

    fn method(ids: &[&str]) -> Question {
        Question {
            id: "method".into(),
            kind: AskKind::Select,
            prompt: "How?".into(),
            help: None,
            options: ids
                .iter()
                .map(|id| Offer {
                    id: (*id).into(),
                    label: format!("label of {id}"),
                    item: None,
                })
                .collect(),
            default: Some(Value::String(ids[0].into())),
            chooses: true,
            guide: None,
        }
    }

    /// `--yes` takes a `chooses` question's only option, and refuses to
    /// pick among several: exit 2 naming it and listing them.
    #[test]
    fn yes_answers_a_chooses_question_only_when_one_option_is_on_offer() {
        // Fresh each time: a script asked the same question twice stops.
        let s = || Scripted::headless(BTreeMap::new(), true);
        let got = s().ask(&method(&["local"])).unwrap();
        assert_eq!(got, Answer::Choice("local".into()));
        let err = s().ask(&method(&["local", "reset"])).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("`method`"), "{err}");
        let hint = err.hint().unwrap_or_default();
        assert!(hint.contains("--yes does not answer it"), "{hint}");
        assert!(hint.contains("one of: local, reset"), "{hint}");
        let mut plain = method(&["local", "reset"]);
        plain.chooses = false;
        let got = s().ask(&plain).unwrap();
        assert_eq!(got, Answer::Choice("local".into()), "unmarked: the default");
    }
}
