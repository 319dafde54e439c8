//! The engine: a pure state machine over a flow. No I/O, no terminal, no clock.
//! It says what it needs next ([`Need`]) and is fed the results; front-ends,
//! probes and fixes do the work. The same flow thus runs interactively, from
//! an answers file, replayed from a report, or under `flows test`. The types
//! it exchanges are in [`protocol`](super::protocol), re-exported here.

use serde_json::{Map, Value};

use super::facts::{ANSWERS, CHOSEN, GONE, SELECTED};
use super::facts::{Facts, display, lookup, render_with};
use super::model::*;
pub use super::protocol::*;

#[derive(Debug, Clone, PartialEq)]
enum State {
    /// About to enter the current step.
    Enter,
    AwaitAnswer(Question),
    AwaitProbe,
    /// Probe ran; evaluate branches.
    Branch,
    AwaitFix,
    AwaitReprobe,
    AwaitRollback,
    Done(Finish),
}

pub struct Engine<'f> {
    flow: &'f Flow,
    current: usize,
    state: State,
    facts: Facts,
    visits: Vec<Visit>,
    said: Vec<(String, String)>,
    /// Probes run so far (latest call per namespace), for re-probing after a fix.
    probes_run: Vec<ProbeCall>,
    /// Selections from generated options: question id -> (fact, id field, option id).
    selections: Vec<(String, OptionsFrom, String)>,
    since_ask: usize,
    rolled_back: bool,
    /// After [`FixResult::Unchanged`] or [`FixResult::NotRestored`]: the
    /// end step its edge leads to, and the words it ends with instead of
    /// the flow's (which speak of the owner running, or of a restore).
    end_words: Option<(String, String)>,
}

impl<'f> Engine<'f> {
    pub fn new(flow: &'f Flow) -> Engine<'f> {
        Engine {
            flow,
            current: 0,
            state: State::Enter,
            facts: Facts::new(),
            visits: Vec::new(),
            said: Vec::new(),
            probes_run: Vec::new(),
            selections: Vec::new(),
            since_ask: 0,
            rolled_back: false,
            end_words: None,
        }
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    pub fn visits(&self) -> &[Visit] {
        &self.visits
    }

    pub fn flow(&self) -> &Flow {
        self.flow
    }

    fn step(&self) -> &'f Step {
        &self.flow.steps[self.current]
    }

    fn goto(
        &mut self,
        id: &str,
        detail: Option<String>,
        explain: Option<String>,
    ) -> Result<(), EngineError> {
        let step = self.step();
        self.visits.push(Visit {
            step: step.id().to_string(),
            kind: step.kind().to_string(),
            detail,
            explain,
            ..Visit::default()
        });
        // Validation guarantees every target exists.
        self.current = self
            .flow
            .steps
            .iter()
            .position(|s| s.id() == id)
            .unwrap_or(self.current);
        self.state = State::Enter;
        self.since_ask += 1;
        if self.since_ask > STEP_BUDGET {
            return Err(EngineError::Budget {
                step: id.to_string(),
            });
        }
        Ok(())
    }

    fn say(&mut self, text: String) {
        let id = self.step().id().to_string();
        self.said.push((id, text));
    }

    /// What the engine needs now. Call again after feeding it.
    // Not an Iterator: it is fallible and must be fed between calls.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Need, EngineError> {
        loop {
            if !self.said.is_empty() {
                let (step, text) = self.said.remove(0);
                return Ok(Need::Say { step, text });
            }
            match self.state.clone() {
                State::Done(f) => return Ok(Need::Finished(f)),
                State::AwaitAnswer(q) => return Ok(Need::Ask(q)),
                State::AwaitProbe => return Ok(Need::Probe(self.probe_call()?)),
                State::AwaitFix => return Ok(Need::Fix(self.fix_call()?)),
                State::AwaitReprobe => {
                    return Ok(Need::Reprobe {
                        step: self.step().id().to_string(),
                        probes: self.probes_run.clone(),
                    });
                }
                State::AwaitRollback => {
                    return Ok(Need::Rollback {
                        step: self.step().id().to_string(),
                    });
                }
                State::Enter => self.enter()?,
                State::Branch => self.branch()?,
            }
        }
    }

    fn enter(&mut self) -> Result<(), EngineError> {
        match self.step() {
            Step::Ask(a) => {
                let q = self.question(a)?;
                self.state = State::AwaitAnswer(q);
            }
            Step::Guide(g) => {
                let r = |t: &str| self.facts.render(t);
                let q = Question {
                    id: g.id.clone(),
                    kind: AskKind::Confirm,
                    prompt: r(&g.prompt),
                    help: None,
                    options: vec![],
                    default: Some(Value::Bool(g.default.unwrap_or(true))),
                    chooses: false,
                    guide: Some(GuideText {
                        title: r(&g.title),
                        steps: g.steps.iter().map(|s| r(s)).collect(),
                        url: g.url.clone(),
                    }),
                };
                self.state = State::AwaitAnswer(q);
            }
            Step::Check(c) => {
                self.state = if c.probe.is_some() || c.recheck.is_some() {
                    State::AwaitProbe
                } else {
                    State::Branch
                };
            }
            Step::Fix(_) => self.state = State::AwaitFix,
            Step::End(e) => {
                let message = match self.end_words.take() {
                    Some((end, words)) if end == e.id => words,
                    _ => self.facts.render(&e.message),
                };
                self.visits.push(Visit {
                    step: e.id.clone(),
                    kind: "end".into(),
                    detail: Some(e.outcome.name().into()),
                    explain: None,
                    ..Visit::default()
                });
                self.state = State::Done(Finish {
                    step: e.id.clone(),
                    outcome: e.outcome.into(),
                    message,
                    rolled_back: self.rolled_back,
                });
            }
        }
        Ok(())
    }

    fn question(&self, a: &Ask) -> Result<Question, EngineError> {
        let mut options: Vec<Offer> = a
            .options
            .iter()
            .filter(|c| c.when.as_ref().is_none_or(|w| self.facts.eval(w)))
            .map(|c| Offer {
                id: c.id.clone(),
                label: self.facts.render(&c.label),
                item: None,
            })
            .collect();
        if let Some(from) = &a.options_from {
            options.extend(
                generated(&self.facts, from)
                    .into_iter()
                    .map(|(id, label, item)| Offer {
                        id,
                        label,
                        item: Some(item),
                    }),
            );
        }
        if a.kind == AskKind::Select && options.is_empty() {
            let fact = a
                .options_from
                .as_ref()
                .map(|f| f.fact.clone())
                .unwrap_or_default();
            return Err(EngineError::NoOptions {
                question: a.id.clone(),
                fact,
            });
        }
        // A select's default must be on offer; else the first option.
        let default = match (a.kind, &a.default) {
            (AskKind::Select, Some(Value::String(d))) if options.iter().any(|o| &o.id == d) => {
                a.default.clone()
            }
            (AskKind::Select, _) => options.first().map(|o| Value::String(o.id.clone())),
            (AskKind::Confirm, None) => Some(Value::Bool(true)),
            _ => a.default.clone(),
        };
        Ok(Question {
            id: a.id.clone(),
            kind: a.kind,
            prompt: self.facts.render(&a.prompt),
            help: a.help.as_ref().map(|h| self.facts.render(h)),
            options,
            default,
            chooses: a.chooses,
            guide: None,
        })
    }

    /// Feed the answer to the pending question.
    pub fn answer(&mut self, answer: Answer) -> Result<(), EngineError> {
        let State::AwaitAnswer(q) = self.state.clone() else {
            return Err(self.protocol("an answer"));
        };
        self.since_ask = 0;
        let bad = |expected: String, given: String| EngineError::BadAnswer {
            question: q.id.clone(),
            given,
            expected,
        };
        match self.step() {
            Step::Guide(g) => {
                let yes = match answer {
                    Answer::Bool(b) => b,
                    Answer::Choice(s) | Answer::Text(s) => {
                        parse_bool(&s).ok_or_else(|| bad("true or false".into(), s))?
                    }
                };
                self.facts.set_in(ANSWERS, &g.id, Value::Bool(yes));
                let next = if yes { &g.yes } else { &g.no };
                self.goto(next, Some(yes_no(yes).into()), None)
            }
            Step::Ask(a) => match a.kind {
                AskKind::Confirm => {
                    let yes = match answer {
                        Answer::Bool(b) => b,
                        Answer::Choice(s) | Answer::Text(s) => {
                            parse_bool(&s).ok_or_else(|| bad("true or false".into(), s))?
                        }
                    };
                    self.facts.set_in(ANSWERS, &a.id, Value::Bool(yes));
                    let next = if yes {
                        a.yes.as_deref()
                    } else {
                        a.no.as_deref()
                    };
                    self.goto(next.unwrap_or_default(), Some(yes_no(yes).into()), None)
                }
                AskKind::Text => {
                    let text = match answer {
                        Answer::Text(s) | Answer::Choice(s) => s,
                        Answer::Bool(b) => b.to_string(),
                    };
                    self.facts
                        .set_in(ANSWERS, &a.id, Value::String(text.clone()));
                    self.goto(a.next.as_deref().unwrap_or_default(), Some(text), None)
                }
                AskKind::Select => {
                    let given = match answer {
                        Answer::Choice(s) | Answer::Text(s) => s,
                        Answer::Bool(b) => b.to_string(),
                    };
                    let ids: Vec<&str> = q.options.iter().map(|o| o.id.as_str()).collect();
                    // Ids with their labels: names are accepted too, and a
                    // person recognises a workspace by its name.
                    let expected = || {
                        let listed: Vec<String> = q
                            .options
                            .iter()
                            .map(|o| {
                                if o.label.is_empty() || o.label == o.id {
                                    o.id.clone()
                                } else {
                                    format!("{} ({})", o.id, o.label)
                                }
                            })
                            .collect();
                        format!("one of: {}", listed.join(", "))
                    };
                    // Fixed options by id.
                    if let Some(c) = a
                        .options
                        .iter()
                        .find(|c| c.id == given && ids.contains(&c.id.as_str()))
                    {
                        self.facts
                            .set_in(ANSWERS, &a.id, Value::String(c.id.clone()));
                        return self.goto(&c.next, Some(c.id.clone()), None);
                    }
                    let Some(from) = &a.options_from else {
                        return Err(bad(expected(), given));
                    };
                    let items = generated(&self.facts, from);
                    let hits: Vec<&(String, String, Value)> = {
                        let exact: Vec<_> =
                            items.iter().filter(|(id, _, _)| *id == given).collect();
                        if !exact.is_empty() {
                            exact
                        } else {
                            let want = given.to_lowercase();
                            items
                                .iter()
                                .filter(|(_, _, item)| {
                                    std::iter::once(&from.id).chain(&from.match_also).any(|f| {
                                        item.get(f)
                                            .is_some_and(|v| display(v).to_lowercase() == want)
                                    })
                                })
                                .collect()
                        }
                    };
                    match hits.as_slice() {
                        [(id, _, item)] => {
                            let (id, item) = (id.clone(), item.clone());
                            self.facts.set_in(ANSWERS, &a.id, Value::String(id.clone()));
                            self.facts.set_in(SELECTED, &a.id, item.clone());
                            self.facts.set_in(CHOSEN, &a.id, item);
                            self.selections.retain(|(q, _, _)| q != &a.id);
                            self.selections
                                .push((a.id.clone(), from.clone(), id.clone()));
                            self.goto(&from.next, Some(id), None)
                        }
                        [] => Err(bad(expected(), given)),
                        many => Err(bad(
                            format!(
                                "one option, but it matches several; use one of: {}",
                                many.iter()
                                    .map(|(id, _, _)| id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            given,
                        )),
                    }
                }
            },
            _ => Err(self.protocol("an answer")),
        }
    }

    fn probe_call(&self) -> Result<ProbeCall, EngineError> {
        let Step::Check(c) = self.step() else {
            return Err(self.protocol("a probe request"));
        };
        // A recheck runs the probe of the check it names (validation makes
        // sure that is a check with a probe).
        let source = match &c.recheck {
            Some(id) => match self.flow.step(id) {
                Some(Step::Check(src)) => src,
                _ => return Err(self.protocol("a probe request")),
            },
            None => c,
        };
        Ok(ProbeCall {
            step: c.id.clone(),
            title: c.title.clone().or_else(|| source.title.clone()),
            probe: source.probe.clone().unwrap_or_default(),
            params: source.params.clone().unwrap_or(Value::Null),
            save_as: source.save_as.clone().unwrap_or_else(|| source.id.clone()),
        })
    }

    /// Feed the facts of the pending probe.
    pub fn probed(&mut self, facts: Value) -> Result<(), EngineError> {
        if self.state != State::AwaitProbe {
            return Err(self.protocol("probe facts"));
        }
        let call = self.probe_call()?;
        self.store_probe(call, facts);
        self.state = State::Branch;
        Ok(())
    }

    fn store_probe(&mut self, call: ProbeCall, facts: Value) {
        self.facts.set(&call.save_as, facts);
        self.probes_run.retain(|p| p.save_as != call.save_as);
        self.probes_run.push(call);
        self.reselect();
    }

    /// Point each choice at the same item in fresh facts. When the item is
    /// gone (what a fix's `verify` usually checks), `chosen.<q>` keeps it as
    /// last seen with `gone: true`, and the alias `selected.<q>` is dropped
    /// (so `selected.<q>` `exists` `false` says the same as older flows
    /// meant by it).
    fn reselect(&mut self) {
        for (q, from, id) in self.selections.clone() {
            match generated(&self.facts, &from)
                .into_iter()
                .find(|(i, _, _)| *i == id)
            {
                Some((_, _, item)) => {
                    self.facts.set_in(SELECTED, &q, item.clone());
                    self.facts.set_in(CHOSEN, &q, item);
                }
                None => {
                    self.facts.remove_in(SELECTED, &q);
                    if let Some(Value::Object(m)) = self.facts.0.get_mut(CHOSEN)
                        && let Some(Value::Object(item)) = m.get_mut(&q)
                    {
                        item.insert(GONE.into(), Value::Bool(true));
                    }
                }
            }
        }
    }

    fn branch(&mut self) -> Result<(), EngineError> {
        let Step::Check(c) = self.step() else {
            return Err(self.protocol("a branch"));
        };
        let taken = c
            .branches
            .iter()
            .enumerate()
            .find(|(_, b)| self.facts.eval(&b.when));
        let (next, detail, explain) = match taken {
            Some((i, b)) => (&b.next, format!("branch {}", i + 1), b.explain.as_ref()),
            None => (&c.otherwise, "otherwise".to_string(), c.explain.as_ref()),
        };
        let explain = explain.map(|e| self.facts.render(e));
        if let Some(e) = &explain {
            self.say(e.clone());
        }
        self.goto(next, Some(detail), explain)
    }

    fn fix_call(&self) -> Result<FixCall, EngineError> {
        let Step::Fix(f) = self.step() else {
            return Err(self.protocol("a fix request"));
        };
        let mut params = Map::new();
        for (k, v) in &f.params {
            let resolved = match v.as_str() {
                Some(fact) => self
                    .facts
                    .get(fact)
                    .ok_or_else(|| EngineError::MissingParam {
                        step: f.id.clone(),
                        param: k.clone(),
                        fact: fact.to_string(),
                    })?,
                None => v.clone(),
            };
            params.insert(k.clone(), resolved);
        }
        Ok(FixCall {
            step: f.id.clone(),
            title: self.facts.render(&f.title),
            action: f.action.clone(),
            params,
            risk: f.risk,
            changes: self.facts.render(&f.changes),
            evidence: self.flow.evidence_of(f).map(|c| Evidence {
                check: c.id.clone(),
                probe: c.probe.clone().unwrap_or_default(),
                params: c.params.clone().unwrap_or(Value::Null),
            }),
        })
    }

    /// Feed what happened to the pending fix.
    pub fn fixed(&mut self, result: FixResult) -> Result<(), EngineError> {
        if self.state != State::AwaitFix {
            return Err(self.protocol("a fix result"));
        }
        let Step::Fix(f) = self.step() else {
            return Err(self.protocol("a fix result"));
        };
        match result {
            FixResult::Applied if f.verify.is_some() && !self.probes_run.is_empty() => {
                self.state = State::AwaitReprobe;
                Ok(())
            }
            FixResult::Applied => self.goto(&f.on_success, Some("applied".into()), None),
            FixResult::Failed { reason } => {
                self.goto(&f.on_failure, Some(format!("failed: {reason}")), None)
            }
            FixResult::Refused { reason } => {
                self.goto(&f.on_refused, Some(format!("refused: {reason}")), None)
            }
            FixResult::NotRestored { reason } => {
                self.end_words = Some((
                    f.on_failure.clone(),
                    format!("The fix failed and could not be rolled back: {reason}"),
                ));
                self.goto(
                    &f.on_failure,
                    Some(format!("failed, not rolled back: {reason}")),
                    None,
                )
            }
            FixResult::Unchanged { reason } => {
                self.end_words = Some((
                    f.on_refused.clone(),
                    format!(
                        "Nothing was changed: {reason}. Once that is resolved, run `troubleshoot` again."
                    ),
                ));
                self.goto(
                    &f.on_refused,
                    Some(format!("refused before any change: {reason}")),
                    None,
                )
            }
            FixResult::Declined => self.goto(&f.on_declined, Some("declined".into()), None),
            FixResult::DryRun => {
                self.visits.push(Visit {
                    step: f.id.clone(),
                    kind: "fix".into(),
                    detail: Some("dry-run".into()),
                    explain: None,
                    ..Visit::default()
                });
                self.state = State::Done(Finish {
                    step: f.id.clone(),
                    outcome: Outcome::DryRun,
                    message: "Dry run: the plan above was not applied; nothing was changed.".into(),
                    rolled_back: false,
                });
                Ok(())
            }
        }
    }

    /// Feed fresh facts after an applied fix, in the order of [`Need::Reprobe`].
    pub fn reprobed(&mut self, results: Vec<(ProbeCall, Value)>) -> Result<(), EngineError> {
        if self.state != State::AwaitReprobe {
            return Err(self.protocol("re-probed facts"));
        }
        for (call, facts) in results {
            self.store_probe(call, facts);
        }
        let Step::Fix(f) = self.step() else {
            return Err(self.protocol("re-probed facts"));
        };
        if f.verify.as_ref().is_none_or(|v| self.facts.eval(v)) {
            self.goto(&f.on_success, Some("applied, verified".into()), None)
        } else {
            self.state = State::AwaitRollback;
            Ok(())
        }
    }

    /// Whether the last re-probe failed the fix's `verify` condition (the
    /// next need is [`Need::Rollback`]).
    pub fn awaiting_rollback(&self) -> bool {
        self.state == State::AwaitRollback
    }

    /// The backup of a fix that failed verification was restored.
    pub fn rolled_back(&mut self) -> Result<(), EngineError> {
        if self.state != State::AwaitRollback {
            return Err(self.protocol("a rollback"));
        }
        let Step::Fix(f) = self.step() else {
            return Err(self.protocol("a rollback"));
        };
        self.rolled_back = true;
        self.goto(
            &f.on_failure,
            Some("verify failed, rolled back".into()),
            None,
        )
    }

    fn protocol(&self, fed: &'static str) -> EngineError {
        EngineError::Protocol {
            fed,
            waiting: format!("{:?} at step `{}`", self.state, self.step().id()),
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Options generated from a list fact: (option id, label, item). Ids repeat
/// when the same value occurs in several items; those get `@<store_id>` or `#n`.
fn generated(facts: &Facts, from: &OptionsFrom) -> Vec<(String, String, Value)> {
    let Some(Value::Array(items)) = facts.get(&from.fact) else {
        return vec![];
    };
    let raw: Vec<String> = items
        .iter()
        .map(|it| it.get(&from.id).map(display).unwrap_or_default())
        .collect();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let base = &raw[i];
            let dup = raw.iter().filter(|r| *r == base).count() > 1;
            let id = match (dup, item.get("store_id").and_then(Value::as_str)) {
                (false, _) => base.clone(),
                (true, Some(store)) => format!("{base}@{store}"),
                (true, None) => format!("{base}#{}", i + 1),
            };
            let map = item.as_object().cloned().unwrap_or_default();
            let label = render_with(&from.label, |p| lookup(&map, p));
            (id, label, item.clone())
        })
        .collect()
}
