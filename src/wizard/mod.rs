//! The wizard: drives the engine with a front-end, the probes and the fixes,
//! and records the run.

pub mod outcome;

pub use outcome::Outcome;

use serde_json::{Map, Value};

use crate::error::exit;
use crate::fix::{self, FixContext};
use crate::flow::engine::{EngineError, Finish, FixCall, Need, ProbeCall, Question, Visit};
use crate::flow::{Answer, Engine, FixResult, Flow};
use crate::probe::{Home, Warning, app_sessions};
use crate::registry::Registry;
use crate::report::{Finding, FixRecord, FixStatus, RECORD_SCHEMA, RunError, RunRecord};
use crate::ui::{Printer, Prompter};
use crate::{Error, Result};

pub struct Wizard<'a> {
    pub flow: &'a Flow,
    /// The probes and actions this run may call (the flow was loaded
    /// against it): the binary's, or a test's with more.
    pub registry: &'a Registry,
    pub flow_text: &'a str,
    pub home: &'a Home,
    pub state_dir: &'a std::path::Path,
    pub dry_run: bool,
    pub printer: Printer,
    /// Print the undo command after a fix (not for a sandbox deleted at the end).
    pub undo_hint: bool,
    /// Keeps the record (and any `--report`) when a signal ends the run
    /// midway; None: a signal ends it without a record.
    pub keep: Option<Keep>,
}

/// What keeps a finished record: saves it in the state folder and writes
/// any `--report`. Called from the signal thread when a signal ends the run.
pub type Keep = std::sync::Arc<dyn Fn(&mut RunRecord) + Send + Sync>;

fn answer_json(a: &Answer) -> Value {
    match a {
        Answer::Choice(s) | Answer::Text(s) => Value::String(s.clone()),
        Answer::Bool(b) => Value::Bool(*b),
    }
}

fn engine_err(e: EngineError) -> Error {
    Error::Usage(e.to_string())
}

impl Wizard<'_> {
    fn new_record(&self, run_id: &str) -> RunRecord {
        RunRecord {
            schema: RECORD_SCHEMA,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            run_id: run_id.into(),
            flow_id: self.flow.id.clone(),
            flow_title: self.flow.title.clone(),
            flow_hash: crate::digest::sha256_hex(self.flow_text.as_bytes()),
            flow: serde_json::from_str(self.flow_text).ok(),
            terms: self.flow.terms.clone(),
            item_questions: Some(crate::report::record::item_questions(self.flow)),
            probes: Default::default(),
            started_at: crate::clock::now(),
            finished_at: String::new(),
            layout: self.home.layout.name().into(),
            root: self.home.root.display().to_string(),
            dry_run: self.dry_run,
            answers: Map::new(),
            steps: vec![],
            findings: vec![],
            facts: Value::Null,
            facts_before_fix: None,
            fixes: vec![],
            outcome: None,
            error: None,
            exit_code: exit::USAGE,
            warnings: vec![],
            undo: None,
            undo_command: None,
            host: None,
        }
    }

    /// The desktop app's name, from the flow's `app-sessions` parameters.
    fn app_name(&self) -> String {
        app_sessions::spec_of(self.flow)
            .map(|spec| spec.app)
            .unwrap_or_else(|_| "the".into())
    }

    /// Run the flow to its end. The record is returned even when the run
    /// stops with an error, so it can still be saved.
    pub fn run(&self, prompter: &mut dyn Prompter) -> (RunRecord, Result<u8>) {
        let run_id = crate::run_id::new_run_id();
        let mut record = self.new_record(&run_id);
        let mut engine = Engine::new(self.flow);
        let mut clock = StepClock::new();
        let result = self.drive(&mut engine, prompter, &mut record, &mut clock);
        // From here the caller keeps the record; a signal ends the run as before.
        crate::signals::set_ending(None);
        clock.sync(engine.visits(), &mut record.steps);
        if let Err(e) = &result
            && !matches!(e, Error::Cancelled)
        {
            record.error = Some(run_error(e, clock.pending.take()));
        }
        let result = self.after_cancel(result, &mut record);
        record.finished_at = crate::clock::now();
        record.facts = Value::Object(engine.facts().0.clone());
        if self.undo_hint && record.fixes.iter().any(|f| f.result.in_effect()) {
            record.undo_command = Some(crate::state::undo_command(&record.run_id, self.state_dir));
        }
        record.host = Some(crate::report::host::collect(
            self.home,
            record.facts.get(record.evidence_ns()),
            &self.app_name(),
        ));
        record.exit_code = match &result {
            Ok(c) => *c,
            Err(e) => e.exit_code(),
        };
        (record, result)
    }

    fn probe(&self, call: &ProbeCall, record: &mut RunRecord, quiet: bool) -> Result<Value> {
        if let (Some(t), false) = (&call.title, quiet) {
            self.printer.status(&format!("{t}…"));
        }
        let what = call.title.as_deref().unwrap_or("Looking at the evidence");
        record
            .probes
            .insert(call.save_as.clone(), call.probe.clone());
        let probe = self
            .registry
            .runnable_probe(&call.probe)
            .ok_or_else(|| Error::Usage(format!("unknown probe `{}`", call.probe)))?;
        let run = crate::ui::progress::with_spinner(what, || probe.run(&call.params, self.home))
            .map_err(|e| Error::Usage(format!("probe `{}` parameters: {e}", call.probe)))?;
        for w in &run.warnings {
            if !record.warnings.contains(w) {
                self.printer.warn(&format!(
                    "{}: {}",
                    self.home.display(std::path::Path::new(&w.path)),
                    w.reason
                ));
                record.warnings.push(Warning {
                    path: w.path.clone(),
                    reason: w.reason.clone(),
                });
            }
        }
        Ok(run.facts)
    }

    fn drive(
        &self,
        engine: &mut Engine,
        prompter: &mut dyn Prompter,
        record: &mut RunRecord,
        clock: &mut StepClock,
    ) -> Result<u8> {
        let mut applied: Option<(fix::Applied, fix::StoreHold, usize)> = None;
        loop {
            // Every visit is timed when the engine records it: the time since
            // the one before is the time spent at that step.
            let need = engine.next().map_err(engine_err);
            clock.sync(engine.visits(), &mut record.steps);
            // A signal from now until the next step keeps the record as it stands.
            record.facts = Value::Object(engine.facts().0.clone());
            self.arm(record);
            match need? {
                Need::Say { step, text } => {
                    self.printer.finding(&text);
                    record.findings.push(Finding { step, text });
                }
                Need::Ask(q) => {
                    // Manual steps nobody answered for in a script: a dry run
                    // stops there (nothing was done), and `--yes` never says
                    // "I did it" for a person: `--yes` saying "it worked" would
                    // be fiction and the re-check would loop.
                    let unanswered_guide =
                        q.guide.is_some() && !prompter.interactive() && !prompter.has_answer(&q);
                    if unanswered_guide && (self.dry_run || prompter.assumes_yes()) {
                        self.show_guide(&q);
                        let (outcome, message) = if self.dry_run {
                            (
                                Outcome::DryRun,
                                "Dry run: follow the steps above by hand; nothing was changed."
                                    .to_string(),
                            )
                        } else {
                            (
                                Outcome::GuideNotConfirmed,
                                format!(
                                    "Not confirmed: --yes does not answer for manual steps. Follow the steps above, then run again with --answer {}=true (or false if they did not help).",
                                    q.id
                                ),
                            )
                        };
                        let code = outcome.exit_code(false, false);
                        let finish = Finish {
                            step: q.id.clone(),
                            outcome,
                            message,
                            rolled_back: false,
                        };
                        self.printer.blank();
                        if code == exit::OK {
                            self.printer.plain(&finish.message);
                        } else {
                            self.printer.failure(&finish.message);
                        }
                        record.outcome = Some(finish);
                        return Ok(code);
                    }
                    clock.pending = Some((q.id.clone(), None));
                    let a = match self.ask(prompter, &q) {
                        Err(Error::ScriptLoop { id, answer }) => {
                            let finish = Finish {
                                step: q.id.clone(),
                                outcome: Outcome::Unresolved,
                                message: format!(
                                    "Stopped: the scripted answer {id}={answer} leads back to the same question, so answering it again cannot get further. Choose another answer for `{id}`."
                                ),
                                rolled_back: false,
                            };
                            self.printer.blank();
                            self.printer.failure(&finish.message);
                            record.outcome = Some(finish);
                            return Ok(exit::UNRESOLVED);
                        }
                        other => other?,
                    };
                    clock.pending = Some((q.id.clone(), Some(answer_json(&a))));
                    clock.asked(&q, &a);
                    let given = answer_json(&a);
                    let fed = engine.answer(a).map_err(engine_err);
                    clock.sync(engine.visits(), &mut record.steps);
                    fed?;
                    record.answers.insert(q.id.clone(), given);
                    clock.pending = None;
                }
                Need::Probe(call) => {
                    let facts = self.probe(&call, record, false)?;
                    engine.probed(facts).map_err(engine_err)?;
                    clock.sync(engine.visits(), &mut record.steps);
                }
                Need::Fix(call) => {
                    if record.facts_before_fix.is_none() {
                        record.facts_before_fix = Some(Value::Object(engine.facts().0.clone()));
                    }
                    let result = self.fix(&call, prompter, record, &mut applied)?;
                    engine.fixed(result).map_err(engine_err)?;
                    clock.sync(engine.visits(), &mut record.steps);
                }
                Need::Reprobe { probes, .. } => {
                    self.printer
                        .status("Checking the result against fresh evidence…");
                    let mut fresh = Vec::new();
                    for call in probes {
                        let facts = self.probe(&call, record, true)?;
                        fresh.push((call, facts));
                    }
                    engine.reprobed(fresh).map_err(engine_err)?;
                    clock.sync(engine.visits(), &mut record.steps);
                    if !engine.awaiting_rollback() {
                        if let Some((_, _, i)) = &applied
                            && let Some(r) = record.fixes.get_mut(*i)
                        {
                            r.result = FixStatus::Verified;
                        }
                        // Verified: the stores' locks, held since the owner
                        // re-check, are released.
                        if let Some((done, _, _)) = &applied {
                            let mut note = format!(
                                "Interrupted. The fix (backup {}) stays applied and was verified",
                                done.backup_id
                            );
                            if self.undo_hint {
                                note.push_str(&format!(
                                    "; to undo it: {}",
                                    crate::state::undo_command(&record.run_id, self.state_dir)
                                ));
                            }
                            crate::signals::on_interrupt(Some((note, i32::from(exit::OK))));
                        }
                        applied = None;
                    }
                }
                Need::Rollback { .. } => {
                    let (done, held, i) = applied.take().ok_or_else(|| {
                        Error::Fix("verification failed but no fix was applied".into())
                    })?;
                    let ctx = self.ctx(&record.run_id);
                    self.printer
                        .failure("The fix did not hold on fresh evidence; restoring the backup.");
                    let deferred = crate::signals::Deferred::begin();
                    let restored = fix::rollback_held(&done, &held, &ctx);
                    drop(deferred);
                    restored?;
                    drop(held);
                    // Restored: a signal now ends the run with nothing changed.
                    crate::signals::on_interrupt(None);
                    self.printer
                        .success("Restored: the store is byte-for-byte as before.");
                    if let Some(r) = record.fixes.get_mut(i) {
                        r.result = FixStatus::RolledBack;
                        r.reason = Some("verify condition failed on fresh evidence".into());
                    }
                    engine.rolled_back().map_err(engine_err)?;
                    clock.sync(engine.visits(), &mut record.steps);
                }
                Need::Finished(mut finish) => {
                    finish.message = self.with_globals(&finish.message);
                    self.printer.blank();
                    let outcome = finish.outcome;
                    match outcome {
                        Outcome::DryRun => self.printer.plain(&finish.message),
                        o if o.is_success() => self.printer.success(&finish.message),
                        _ => self.printer.failure(&finish.message),
                    }
                    // Whatever the flow's words, a fix that stays applied
                    // ends with the one undo command that works as printed.
                    if self.undo_hint && record.fixes.iter().any(|f| f.result.in_effect()) {
                        self.printer.plain("To undo it:");
                        self.printer
                            .command(&crate::state::undo_command(&record.run_id, self.state_dir));
                    }
                    // A run that needs support says where, and how to send
                    // it (the report itself never asks to export itself).
                    if outcome == Outcome::Escalate || finish.rolled_back {
                        if let Some(s) = &self.flow.support {
                            self.printer
                                .plain(&format!("Support: {} ({})", s.title, s.url));
                        }
                        let report = crate::state::undo_command(&record.run_id, self.state_dir)
                            .replacen("troubleshoot undo", "troubleshoot report", 1);
                        self.printer.hint("to send them this run:");
                        self.printer
                            .command(&format!("{report} --format html -o report.html"));
                    }
                    let code = outcome.exit_code(finish.rolled_back, false);
                    record.outcome = Some(finish);
                    return Ok(code);
                }
            }
        }
    }

    /// Esc or Ctrl-C: the record says how the run was cancelled. After a
    /// fix was applied the fix stays, so the run is not "cancelled with
    /// nothing changed": say what stays applied and how to undo it, and end
    /// by what the fix achieved.
    fn after_cancel(&self, result: Result<u8>, record: &mut RunRecord) -> Result<u8> {
        if !matches!(result, Err(Error::Cancelled)) {
            return result;
        }
        let (finish, code) = self.cancelled(record);
        if let Some(code) = code {
            say_cancelled(self.printer, &finish.message);
            record.outcome = Some(finish);
            return Ok(code);
        }
        record.outcome = Some(finish);
        result
    }

    /// How a cancel now ends the run: its outcome, and the exit code when
    /// a fix stays applied (None: nothing was changed, 130 or 143).
    fn cancelled(&self, record: &RunRecord) -> (Finish, Option<u8>) {
        let Some(fix) = record.fixes.iter().rev().find(|f| f.result.in_effect()) else {
            let message = match record.fixes.last() {
                Some(f) if f.result == FixStatus::Cancelled => format!(
                    "Cancelled at the confirmation: the fix \"{}\" was proposed and not applied; nothing was changed.",
                    f.title
                ),
                _ => "Cancelled; nothing was changed.".into(),
            };
            let finish = Finish {
                step: record
                    .steps
                    .last()
                    .map(|s| s.step.clone())
                    .unwrap_or_default(),
                outcome: Outcome::Cancelled,
                message,
                rolled_back: false,
            };
            return (finish, None);
        };
        let verified = fix.result == FixStatus::Verified;
        let mut message = format!("Cancelled. The fix \"{}\" stays applied", fix.title);
        if !verified {
            message.push_str(" (it was not verified)");
        }
        if self.undo_hint {
            message.push_str(&format!(
                "{UNDO_IT}{}",
                crate::state::undo_command(&record.run_id, self.state_dir)
            ));
        } else {
            message.push('.');
        }
        let outcome = Outcome::CancelledAfterChange;
        let finish = Finish {
            step: fix.step.clone(),
            outcome,
            message,
            rolled_back: false,
        };
        (finish, Some(outcome.exit_code(false, verified)))
    }

    /// Arm the signal ending with `record` as it stands: a signal (at a
    /// prompt or not) restores the terminal, prints what Ctrl-C prints, and
    /// keeps the record cancelled here, with any `--report`.
    fn arm(&self, record: &RunRecord) {
        let Some(keep) = self.keep.clone() else {
            return;
        };
        let mut r = record.clone();
        let (finish, code) = self.cancelled(&r);
        if self.undo_hint && r.fixes.iter().any(|f| f.result.in_effect()) {
            r.undo_command = Some(crate::state::undo_command(&r.run_id, self.state_dir));
        }
        let home = self.home.clone();
        let app = self.app_name();
        let printer = self.printer;
        crate::signals::set_ending(Some(Box::new(move |sig| {
            crate::ui::interactive::restore_terminal();
            match code {
                Some(_) => say_cancelled(printer, &finish.message),
                None => {
                    printer.blank();
                    printer.plain("Cancelled; nothing was changed.");
                }
            }
            let code = code.unwrap_or_else(|| u8::try_from(128 + sig).unwrap_or(exit::CANCELLED));
            r.outcome = Some(finish);
            r.finished_at = crate::clock::now();
            let evidence = r.facts.get(r.evidence_ns()).cloned();
            r.host = Some(crate::report::host::collect(&home, evidence.as_ref(), &app));
            r.exit_code = code;
            keep(&mut r);
            i32::from(code)
        })));
    }

    /// `text` with every `troubleshoot …` command it quotes completed with
    /// the home (`--root`, `--layout`) and state folder this run used, so
    /// "run `troubleshoot` again" works as printed.
    fn with_globals(&self, text: &str) -> String {
        let mut flags = String::new();
        if self.home.explicit_root {
            flags.push_str(&format!(
                " --root {} --layout {}",
                crate::state::shell_quote(&self.home.root.display().to_string()),
                self.home.layout.name()
            ));
        }
        if crate::state::resolve(None).ok().as_deref() != Some(self.state_dir) {
            flags.push_str(&format!(
                " --state-dir {}",
                crate::state::shell_quote(&self.state_dir.display().to_string())
            ));
        }
        if flags.is_empty() {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("`troubleshoot") {
            let Some(len) = rest[start + 1..].find('`') else {
                break;
            };
            let span = &rest[start + 1..start + 1 + len];
            out.push_str(&rest[..start + 1]);
            out.push_str(span);
            if !span.contains("--root") && !span.contains("--state-dir") {
                out.push_str(&flags);
            }
            out.push('`');
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
        out
    }

    fn ask(&self, prompter: &mut dyn Prompter, q: &Question) -> Result<Answer> {
        // Scripted runs still show the instructions they answer for.
        if !prompter.interactive() {
            self.show_guide(q);
        }
        prompter.ask(q)
    }

    fn show_guide(&self, q: &Question) {
        if let Some(g) = &q.guide {
            self.printer.heading(&g.title);
            for (i, s) in g.steps.iter().enumerate() {
                self.printer.plain(&format!("  {}. {s}", i + 1));
            }
        }
    }

    fn ctx<'c>(&'c self, run_id: &'c str) -> FixContext<'c> {
        FixContext {
            home: self.home,
            state_dir: self.state_dir,
            run_id,
        }
    }

    fn fix(
        &self,
        call: &FixCall,
        prompter: &mut dyn Prompter,
        record: &mut RunRecord,
        applied: &mut Option<(fix::Applied, fix::StoreHold, usize)>,
    ) -> Result<FixResult> {
        let run_id = record.run_id.clone();
        let ctx = self.ctx(&run_id);
        // A previous fix of this run is done with: release its store locks
        // before this one takes its own.
        *applied = None;
        let mut rec = FixRecord {
            step: call.step.clone(),
            action: call.action.clone(),
            title: call.title.clone(),
            risk: call.risk,
            plan: Value::Null,
            // Each way out below sets what became of it before keeping the record.
            result: FixStatus::Failed,
            reason: None,
            backup_id: None,
        };
        let plan = match self.registry.plan(call, &ctx) {
            Ok(p) => p,
            Err(e) => {
                self.printer
                    .failure(&format!("cannot plan `{}`: {e}", call.action));
                rec.result = FixStatus::Failed;
                rec.reason = Some(e.to_string());
                record.fixes.push(rec);
                return Ok(FixResult::Failed {
                    reason: e.to_string(),
                });
            }
        };
        rec.plan = plan.to_json(self.home);
        rec.risk = plan.risk;
        self.show_plan(call, &plan, &run_id);
        if self.dry_run {
            rec.result = FixStatus::DryRun;
            record.fixes.push(rec);
            return Ok(FixResult::DryRun);
        }
        while let Some(reason) = fix::owner_running(&plan, &ctx) {
            self.printer
                .failure(&format!("Refusing to change anything: {reason}"));
            if !prompter.retry_when_closed(&reason)? {
                rec.result = FixStatus::Refused;
                rec.reason = Some(reason.clone());
                record.fixes.push(rec);
                return Ok(FixResult::Refused { reason });
            }
        }
        // A signal at the confirmation records the fix as proposed, not applied.
        let mut pending = record.clone();
        pending.fixes.push(FixRecord {
            result: FixStatus::Cancelled,
            ..rec.clone()
        });
        self.arm(&pending);
        let consent = prompter.consent(&call.step, &call.title);
        self.arm(record);
        if matches!(consent, Err(Error::Cancelled)) {
            rec.result = FixStatus::Cancelled;
            record.fixes.push(rec);
            return Err(Error::Cancelled);
        }
        if !consent? {
            // The flow's end says it was declined; said once.
            rec.result = FixStatus::Declined;
            record.fixes.push(rec);
            return Ok(FixResult::Declined);
        }
        // SIGINT or SIGTERM during the write: the atomic step finishes (or
        // rolls back) first; then the run ends, saying which.
        let deferred = crate::signals::Deferred::begin();
        let result = fix::apply_held(&plan, &ctx);
        let interrupted = deferred.interrupted();
        drop(deferred);
        if interrupted {
            crate::signals::take_pending();
        }
        match result {
            Ok((done, held)) if interrupted => {
                self.printer.plain(&format!(
                    "Interrupted: the fix was applied first (backup {}), not verified.",
                    done.backup_id
                ));
                rec.result = FixStatus::Applied;
                rec.backup_id = Some(done.backup_id.clone());
                record.fixes.push(rec);
                drop(held);
                Err(Error::Cancelled)
            }
            Err(e) if interrupted => {
                self.printer
                    .plain(&format!("Interrupted: the fix did not complete ({e})."));
                rec.result = FixStatus::Failed;
                rec.reason = Some(e.to_string());
                record.fixes.push(rec);
                Err(Error::Cancelled)
            }
            Ok((done, held)) => {
                // From here a signal must not end the run as "nothing changed".
                let mut note = format!(
                    "Interrupted. The fix \"{}\" stays applied (it was not verified)",
                    call.title
                );
                if self.undo_hint {
                    note.push_str(&format!(
                        "; to undo it: {}",
                        crate::state::undo_command(&run_id, self.state_dir)
                    ));
                }
                crate::signals::on_interrupt(Some((note, i32::from(exit::UNRESOLVED))));
                if self.undo_hint {
                    self.printer
                        .success(&format!("Applied. Backup {}. To undo it:", done.backup_id));
                    self.printer
                        .command(&crate::state::undo_command(&run_id, self.state_dir));
                } else {
                    self.printer
                        .success(&format!("Applied. Backup {}", done.backup_id));
                }
                rec.result = FixStatus::Applied;
                rec.backup_id = Some(done.backup_id.clone());
                record.fixes.push(rec);
                *applied = Some((done, held, record.fixes.len() - 1));
                Ok(FixResult::Applied)
            }
            // Refused or stopped before its first write: nothing changed,
            // and the end says why (not "restored", not "needs support").
            Err(e) if e.changed_nothing() => {
                rec.result = FixStatus::Refused;
                rec.reason = Some(e.to_string());
                record.fixes.push(rec);
                // Otherwise the run's end says it: "Nothing was changed: <why>".
                if e.is_owner_running() {
                    self.printer.failure(&format!("Nothing was changed: {e}"));
                    Ok(FixResult::Refused {
                        reason: e.to_string(),
                    })
                } else {
                    Ok(FixResult::Unchanged {
                        reason: e.to_string(),
                    })
                }
            }
            Err(e) => {
                self.printer.failure(&format!("The fix failed: {e}"));
                rec.result = FixStatus::Failed;
                rec.reason = Some(e.to_string());
                record.fixes.push(rec);
                let reason = e.to_string();
                Ok(if matches!(e, fix::FixError::FailedNotRestored(_)) {
                    FixResult::NotRestored { reason }
                } else {
                    FixResult::Failed { reason }
                })
            }
        }
    }

    fn show_plan(&self, call: &FixCall, plan: &fix::Plan, run_id: &str) {
        self.printer.blank();
        self.printer
            .heading(&format!("Fix: {} (risk: {})", call.title, plan.risk));
        self.printer.plain(&format!("  {}", call.changes));
        self.printer.plain("  Plan:");
        // A plan naming this run's undo says it as it must be typed (the
        // state folder named), or, in a dry run, with no id that can
        // never be undone.
        let plain = format!("troubleshoot undo {run_id}");
        let undo = if self.dry_run {
            "troubleshoot undo".to_string()
        } else {
            crate::state::undo_command(run_id, self.state_dir)
        };
        for s in &plan.steps {
            self.printer
                .plain(&format!("    - {}", s.replace(&plain, &undo)));
        }
        if !plan.files.is_empty() {
            self.printer.plain(&format!(
                "  Backed up first: {} file(s) under {}",
                plan.files.len(),
                self.home.display(&plan.store_path)
            ));
        }
    }
}

/// Where the undo command starts in a cancel's message.
const UNDO_IT: &str = "; to undo it: ";

/// A cancel's message, with its undo command on a line of its own.
fn say_cancelled(printer: crate::ui::Printer, message: &str) {
    printer.blank();
    match message.split_once(UNDO_IT) {
        Some((head, cmd)) => {
            printer.plain(&format!("{head}. To undo it:"));
            printer.command(cmd);
        }
        None => printer.plain(message),
    }
}

/// What stopped the run, with the question and answer it concerns.
fn run_error(e: &Error, pending: Option<(String, Option<Value>)>) -> RunError {
    let (question, answer) = match pending {
        Some((q, a)) => (Some(q), a),
        None => (None, None),
    };
    let question = question.or_else(|| match e {
        Error::MissingAnswer { id, .. } => Some(id.clone()),
        _ => None,
    });
    RunError {
        message: e.to_string(),
        hint: e.hint(),
        question,
        answer,
    }
}

/// Times the engine's visits and adds the question and answer as shown.
struct StepClock {
    /// When the last visit was recorded (or the run started).
    last: std::time::Instant,
    /// The last question answered, and the answer's words as given.
    asked: Option<(Question, String)>,
    /// The question being asked, and the answer given to it until the
    /// engine took it: what an error stopping the run concerns.
    pending: Option<(String, Option<Value>)>,
}

impl StepClock {
    fn new() -> StepClock {
        StepClock {
            last: std::time::Instant::now(),
            asked: None,
            pending: None,
        }
    }

    /// Note the question `q` was answered with `a`.
    fn asked(&mut self, q: &Question, a: &Answer) {
        let words = match a {
            Answer::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
            Answer::Choice(s) | Answer::Text(s) => s.clone(),
        };
        self.asked = Some((q.clone(), words));
    }

    /// Copy the visits the engine recorded since the last call into `steps`,
    /// each with the time since the one before, and the question and answer
    /// in the words shown (a select's answer is its option's label, also
    /// when it was answered by a name).
    fn sync(&mut self, visits: &[Visit], steps: &mut Vec<Visit>) {
        if visits.len() <= steps.len() {
            return;
        }
        let now = std::time::Instant::now();
        let ms = u64::try_from(now.duration_since(self.last).as_millis()).unwrap_or(u64::MAX);
        self.last = now;
        for (i, v) in visits[steps.len()..].iter().enumerate() {
            let mut v = v.clone();
            // Steps left in the same breath as the first took no time of their own.
            v.duration_ms = Some(if i == 0 { ms } else { 0 });
            if let Some((q, words)) = &self.asked
                && q.id == v.step
                && matches!(v.kind.as_str(), "ask" | "guide")
            {
                let label = match (q.kind, &v.detail) {
                    (crate::flow::model::AskKind::Select, Some(id)) => q
                        .options
                        .iter()
                        .find(|o| &o.id == id)
                        .map(|o| o.label.clone()),
                    _ => None,
                };
                v.question = Some(q.prompt.clone());
                v.answer = Some(label.unwrap_or_else(|| words.clone()));
                self.asked = None;
            }
            steps.push(v);
        }
    }
}
