//! The run record: everything a run did, saved in the state folder for every
//! run and exported as a report. Secrets never enter it: probes read no
//! cookie values but the non-secret user-id cookies.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::flow::engine::{Finish, Visit};
use crate::flow::model::{Flow, Risk, Step, Terms};
use crate::probe::Warning;

/// Version of the record and JSON report format; bump on breaking changes.
pub const RECORD_SCHEMA: u32 = 1;

/// Where records made before [`RunRecord::probes`] keep the scan.
const LEGACY_EVIDENCE: &str = "scan";

/// What one run of a flow asked, found, changed and concluded. Saved as is
/// in the state folder; exported (redacted) as the JSON report, which is
/// this record plus `redaction` and `report` (see [`super::json`]). Its
/// JSON Schema, `docs/report.schema.json`, is derived from these types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunRecord {
    /// Version of this format (bumped on breaking changes); currently 1.
    #[schemars(range(min = 1))]
    pub schema: u32,
    /// Version of troubleshoot that made the run.
    pub tool_version: String,
    /// Id of the run in the state folder (`troubleshoot report RUN_ID`).
    pub run_id: String,
    pub flow_id: String,
    pub flow_title: String,
    /// sha256 of the flow file's text, hex.
    pub flow_hash: String,
    /// The flow the run followed (its JSON document), so a report narrates
    /// the flow this run saw even after the built-in one changed. Absent in
    /// older records (the built-in flow is used when its hash still matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<Value>,
    /// The flow's words for what the report names (its `terms`), kept so
    /// the record renders the same without the flow; the neutral defaults
    /// in older records.
    #[serde(default)]
    pub terms: Terms,
    /// The flow's questions whose options are the items of a list fact
    /// (`options_from`, e.g. one per session): their answers name such an
    /// item, so reports redact them even when the scan does not know the
    /// value. Absent in older records (the built-in flow's are used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_questions: Option<Vec<String>>,
    /// Which probe filled which fact namespace (`{"scan": "app-sessions"}`),
    /// so a report finds the evidence by probe id whatever the flow named
    /// its check. Absent in older records: their evidence is `scan`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub probes: BTreeMap<String, String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// RFC 3339, UTC.
    pub finished_at: String,
    /// `linux`, `macos` or `windows`.
    pub layout: String,
    /// The home that was inspected (`~` in reports).
    pub root: String,
    pub dry_run: bool,
    /// Question id -> answer (option id, true/false or text), as fed to the
    /// engine; replayable with `run --from-report`.
    pub answers: Map<String, Value>,
    /// Visited steps in order, with the answer, branch or fix result that
    /// left each.
    pub steps: Vec<Visit>,
    /// Conclusions shown to the user, with the evidence they cite.
    pub findings: Vec<Finding>,
    /// Every fact of the run by namespace: probe outputs (`scan`: the
    /// `scan --json` document, with `evidence`), `answers`, `selected`.
    pub facts: Value,
    /// The facts as they were when the first fix was proposed: the evidence
    /// the diagnosis stood on, before any change (absent when no fix ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts_before_fix: Option<Value>,
    /// Each proposed fix and what became of it.
    pub fixes: Vec<FixRecord>,
    /// How the run ended; null when it was stopped by an error (see `error`).
    pub outcome: Option<Finish>,
    /// The error that stopped the run, with the question and answer it
    /// concerns. Absent when the run reached an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// 0 resolved, 1 problem remains, 2 usage/input error, 3 fix rolled
    /// back, 130 cancelled.
    pub exit_code: u8,
    /// Stores that could not be read, and why.
    pub warnings: Vec<Warning>,
    /// Set by `troubleshoot undo`: the run's fixes were undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<UndoRecord>,
    /// The command that undoes the run's fixes, exactly as it must be typed
    /// (`--state-dir` named unless the state folder is the default); set
    /// when a fix was applied. Absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_command: Option<String>,
    /// Where the run ran: the operating system, the browsers' and the
    /// desktop app's versions. Absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
}

/// The machine a run ran on, and the versions of the programs whose data it
/// read (as far as their files tell).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Operating system name ("Debian GNU/Linux", "Darwin", "Windows").
    pub os: String,
    /// Its version ("12", "15.1.1"), when known.
    #[serde(default)]
    pub os_version: Option<String>,
    /// Kernel version, when known.
    #[serde(default)]
    pub kernel: Option<String>,
    /// CPU architecture (`x86_64`, `aarch64`).
    pub arch: String,
    /// One entry per browser installation seen by the scan.
    #[serde(default)]
    pub browsers: Vec<ProgramVersion>,
    /// The desktop app, when the scan found it installed.
    #[serde(default)]
    pub desktop_app: Option<ProgramVersion>,
}

/// A program and its version, with where the version was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramVersion {
    /// "Chrome", "Firefox", "Notion desktop app".
    pub name: String,
    /// The version, or null when no file of the program says it.
    pub version: Option<String>,
    /// Where the version was read ("Last Version file",
    /// "compatibility.ini"), or why it is unknown.
    pub source: String,
}

/// When and how a run's fixes were undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct UndoRecord {
    /// RFC 3339, UTC.
    pub at: String,
    /// `byte-identical` (files put back from the backup), `logical` (the
    /// exact inverse applied, keeping later writes) or `forced`.
    pub mode: String,
    /// How many fixes were undone.
    pub fixes: usize,
}

/// A conclusion shown to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Finding {
    /// The step that concluded it.
    pub step: String,
    pub text: String,
}

/// A proposed fix and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FixRecord {
    pub step: String,
    /// Registry action id (`remove-workspace-entry`, `clear-site-data`,
    /// `reset-desktop-app`).
    pub action: String,
    pub title: String,
    pub risk: Risk,
    /// The plan as shown to the user: files, keys, cookie names, moves.
    pub plan: Value,
    pub result: FixStatus,
    /// Why it was refused or failed.
    pub reason: Option<String>,
    /// The backup in the state folder (`backups/<id>`), when one was taken.
    pub backup_id: Option<String>,
}

/// What became of a proposed fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FixStatus {
    /// Applied; no fresh scan checked it (the step has no `verify`).
    Applied,
    /// Applied, and a fresh scan confirmed it.
    Verified,
    /// Applied, did not hold on a fresh scan, and its backup was restored.
    RolledBack,
    /// Could not be planned or applied; anything it changed was restored.
    Failed,
    /// Not applied: the owning program ran or held its lock.
    Refused,
    /// Not applied: the user answered No.
    Declined,
    /// `--dry-run`: planned and shown only.
    DryRun,
    /// Not applied: the run was cancelled (Esc, Ctrl-C or a signal) at its
    /// confirmation.
    Cancelled,
    /// Applied, then undone by `troubleshoot undo`.
    Undone,
}

impl FixStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FixStatus::Applied => "applied",
            FixStatus::Verified => "verified",
            FixStatus::RolledBack => "rolled-back",
            FixStatus::Failed => "failed",
            FixStatus::Refused => "refused",
            FixStatus::Declined => "declined",
            FixStatus::DryRun => "dry-run",
            FixStatus::Cancelled => "cancelled",
            FixStatus::Undone => "undone",
        }
    }

    /// The change is in the store now (so `undo` has something to undo).
    pub fn in_effect(self) -> bool {
        matches!(self, FixStatus::Applied | FixStatus::Verified)
    }
}

/// What stopped a run before it reached an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunError {
    /// The error, as the terminal showed it.
    pub message: String,
    /// What to do about it, as the terminal's `hint:` line said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The question being answered when it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The answer given to it (as given: an option id, a name, true/false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Value>,
}

impl std::fmt::Display for FixStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RunRecord {
    /// The fact namespace the session evidence (the `app-sessions`
    /// probe's facts) is under: the one the record says that probe filled
    /// (the first by name if several), else `scan` (records made before `probes` was recorded).
    pub fn evidence_ns(&self) -> &str {
        self.probe_ns(crate::probe::app_sessions::ID)
            .unwrap_or(LEGACY_EVIDENCE)
    }

    /// The fact namespace probe `probe` filled in this run, if it ran.
    pub fn probe_ns(&self, probe: &str) -> Option<&str> {
        self.probes
            .iter()
            .find(|(_, p)| p.as_str() == probe)
            .map(|(ns, _)| ns.as_str())
    }

    /// Cap every string of the record, in place, at `max` characters
    /// ([`crate::sanitize::cap`]: `…(N chars)` ends a cut one); true if any
    /// was cut. Nothing is copied, so a record quoting a 10 MB name thirty
    /// times shrinks without first doubling.
    pub fn cap_strings(&mut self, max: usize) -> bool {
        use crate::sanitize::{cap_json, cap_string};
        // No `..`: a new field must be decided on here.
        let RunRecord {
            schema: _,
            tool_version,
            run_id,
            flow_id,
            flow_title,
            flow_hash,
            flow,
            terms,
            item_questions,
            probes,
            started_at,
            finished_at,
            layout,
            root,
            dry_run: _,
            answers,
            steps,
            findings,
            facts,
            facts_before_fix,
            fixes,
            outcome,
            error,
            exit_code: _,
            warnings,
            undo,
            undo_command,
            host,
        } = self;
        let mut any = false;
        let mut s = |x: &mut String| any |= cap_string(x, max);
        for x in [
            tool_version,
            run_id,
            flow_id,
            flow_title,
            flow_hash,
            started_at,
            finished_at,
            layout,
            root,
        ] {
            s(x);
        }
        let Terms {
            session,
            sessions,
            workspace,
            account,
            accounts,
        } = terms;
        for x in [session, sessions, workspace, account, accounts] {
            s(x);
        }
        item_questions.iter_mut().flatten().for_each(&mut s);
        // Namespaces and probe ids come from the flow, not the home: kept
        // whole, so the report still finds its evidence.
        let _ = probes;
        for f in findings.iter_mut() {
            let Finding { step, text } = f;
            s(step);
            s(text);
        }
        for v in steps.iter_mut() {
            let Visit {
                step,
                kind,
                detail,
                explain,
                question,
                answer,
                duration_ms: _,
            } = v;
            s(step);
            s(kind);
            detail.iter_mut().for_each(&mut s);
            explain.iter_mut().for_each(&mut s);
            question.iter_mut().for_each(&mut s);
            answer.iter_mut().for_each(&mut s);
        }
        for f in fixes.iter_mut() {
            let FixRecord {
                step,
                action,
                title,
                risk: _,
                plan: _,
                result: _,
                reason,
                backup_id,
            } = f;
            for x in [step, action, title] {
                s(x);
            }
            reason.iter_mut().for_each(&mut s);
            backup_id.iter_mut().for_each(&mut s);
        }
        if let Some(Finish {
            step,
            outcome: _,
            message,
            rolled_back: _,
        }) = outcome
        {
            s(step);
            s(message);
        }
        for w in warnings.iter_mut() {
            let Warning { path, reason } = w;
            s(path);
            s(reason);
        }
        if let Some(UndoRecord { at, mode, fixes: _ }) = undo {
            s(at);
            s(mode);
        }
        if let Some(RunError {
            message,
            hint,
            question,
            answer: _,
        }) = error
        {
            s(message);
            hint.iter_mut().for_each(&mut s);
            question.iter_mut().for_each(&mut s);
        }
        undo_command.iter_mut().for_each(&mut s);
        if let Some(Host {
            os,
            os_version,
            kernel,
            arch,
            browsers,
            desktop_app,
        }) = host
        {
            s(os);
            s(arch);
            os_version.iter_mut().for_each(&mut s);
            kernel.iter_mut().for_each(&mut s);
            for p in browsers.iter_mut().chain(desktop_app.iter_mut()) {
                let ProgramVersion {
                    name,
                    version,
                    source,
                } = p;
                s(name);
                s(source);
                version.iter_mut().for_each(&mut s);
            }
        }
        for f in fixes.iter_mut() {
            any |= cap_json(&mut f.plan, max);
        }
        let mut answers_value = Value::Object(std::mem::take(answers));
        any |= cap_json(&mut answers_value, max);
        if let Value::Object(m) = answers_value {
            *answers = m;
        }
        any |= cap_json(facts, max);
        if let Some(f) = flow {
            any |= cap_json(f, max);
        }
        if let Some(a) = error.as_mut().and_then(|e| e.answer.as_mut()) {
            any |= cap_json(a, max);
        }
        if let Some(f) = facts_before_fix {
            any |= cap_json(f, max);
        }
        any
    }

    /// Whether [`RunRecord::cap_strings`] would cut anything.
    pub fn needs_cap(&self, max: usize) -> bool {
        use crate::sanitize::{json_needs_cap, needs_cap};
        let long = |x: &str| needs_cap(x, max);
        let opt = |x: &Option<String>| x.as_deref().is_some_and(long);
        [
            &self.tool_version,
            &self.run_id,
            &self.flow_id,
            &self.flow_title,
            &self.flow_hash,
            &self.started_at,
            &self.finished_at,
            &self.layout,
            &self.root,
        ]
        .iter()
        .any(|x| long(x))
            || [
                &self.terms.session,
                &self.terms.sessions,
                &self.terms.workspace,
                &self.terms.account,
                &self.terms.accounts,
            ]
            .iter()
            .any(|x| long(x))
            || self.item_questions.iter().flatten().any(|x| long(x))
            || self.findings.iter().any(|f| long(&f.step) || long(&f.text))
            || self.steps.iter().any(|v| {
                long(&v.step)
                    || long(&v.kind)
                    || opt(&v.detail)
                    || opt(&v.explain)
                    || opt(&v.question)
                    || opt(&v.answer)
            })
            || self.fixes.iter().any(|f| {
                [&f.step, &f.action, &f.title].iter().any(|x| long(x))
                    || opt(&f.reason)
                    || opt(&f.backup_id)
                    || json_needs_cap(&f.plan, max)
            })
            || self
                .outcome
                .as_ref()
                .is_some_and(|o| long(&o.step) || long(&o.message))
            || self
                .warnings
                .iter()
                .any(|w| long(&w.path) || long(&w.reason))
            || self
                .undo
                .as_ref()
                .is_some_and(|u| long(&u.at) || long(&u.mode))
            || self
                .answers
                .iter()
                .any(|(k, v)| long(k) || json_needs_cap(v, max))
            || json_needs_cap(&self.facts, max)
            || self
                .facts_before_fix
                .as_ref()
                .is_some_and(|f| json_needs_cap(f, max))
            || opt(&self.undo_command)
            || self.host.as_ref().is_some_and(|h| {
                long(&h.os)
                    || long(&h.arch)
                    || opt(&h.os_version)
                    || opt(&h.kernel)
                    || h.browsers
                        .iter()
                        .chain(&h.desktop_app)
                        .any(|p| long(&p.name) || long(&p.source) || opt(&p.version))
            })
    }
}

/// The ids of `flow`'s questions whose options come from a list fact
/// (`options_from`), for [`RunRecord::item_questions`].
pub fn item_questions(flow: &Flow) -> Vec<String> {
    flow.steps
        .iter()
        .filter_map(|s| match s {
            Step::Ask(a) if a.options_from.is_some() => Some(a.id.clone()),
            _ => None,
        })
        .collect()
}

/// The flow a record ran: the one it carries, else the built-in flow by
/// its id while its text is still the one the run hashed (a record never
/// makes the report read a file it names; a changed flow is not narrated
/// as if the run had seen it). Only its structure is needed (steps, titles,
/// edges), so it is parsed, not validated against a registry: the report
/// of a flow run with more probes reads the same way.
pub fn flow_of(r: &RunRecord) -> Option<Flow> {
    if let Some(v) = &r.flow {
        let bytes = serde_json::to_vec(v).ok()?;
        return crate::flow::load::parse_bytes(&format!("{}.json", r.flow_id), &bytes).ok();
    }
    let (file, text) = crate::flow::builtin::find(&r.flow_id)?;
    if crate::digest::sha256_hex(text.as_bytes()) != r.flow_hash {
        return None;
    }
    crate::flow::load::parse_bytes(file, text.as_bytes()).ok()
}
