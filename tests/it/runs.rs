//! `troubleshoot runs` and retention (issue 18): the recorded runs with
//! their fix state, and pruning of old records and of the backups of fixes
//! that are done with, at the start of `run` and with `runs --prune`.

use std::path::{Path, PathBuf};

use troubleshoot::probe::Layout;

use crate::util::*;

const WS: &str = "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01";
const USER: &str = "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50";

fn home(env: &Env) {
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS, "Acme Corp", USER)
        .workspace(
            NOTION,
            "2f8e1c0a-2222-4c2b-9a57-0d6c3c9e0a02",
            "Acme Labs",
            USER,
        )
        .write()
        .unwrap();
    // A second profile, for runs after a fix cleared the first one.
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Profile 1", "Work")
        .workspace(
            NOTION,
            "2f8e1c0a-3333-4c2b-9a57-0d6c3c9e0a03",
            "Side Gig",
            USER,
        )
        .write()
        .unwrap();
}

fn runs_json(env: &Env) -> Vec<serde_json::Value> {
    let o = env.run("linux", &["runs", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    v["runs"].as_array().unwrap().clone()
}

fn fix_of(runs: &[serde_json::Value], id: &str) -> String {
    runs.iter()
        .find(|r| r["run_id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {runs:?}"))["fix"]
        .as_str()
        .unwrap()
        .to_string()
}

fn backups(env: &Env) -> Vec<PathBuf> {
    match std::fs::read_dir(env.state().join("backups")) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => vec![],
    }
}

/// Run one fix with `--yes`; its run id.
fn fix(env: &Env) -> String {
    let before: Vec<String> = runs_json(env)
        .iter()
        .map(|r| r["run_id"].as_str().unwrap().to_string())
        .collect();
    let o = env.run_method("linux", None, WS, "clear-site", &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    runs_json(env)
        .iter()
        .map(|r| r["run_id"].as_str().unwrap().to_string())
        .find(|id| !before.contains(id))
        .unwrap()
}

#[test]
fn runs_lists_each_run_with_where_its_fix_stands() {
    let env = Env::new();
    home(&env);
    let o = env.run("linux", &["runs"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("No runs recorded"), "{}", stderr(&o));

    let o = env.run_method("linux", None, WS, "clear-site", &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dry = runs_json(&env)[0]["run_id"].as_str().unwrap().to_string();
    let fixed = fix(&env);
    let runs = runs_json(&env);
    assert_eq!(runs.len(), 2);
    assert_eq!(fix_of(&runs, &dry), "none");
    assert_eq!(fix_of(&runs, &fixed), "applied");
    let r = runs.iter().find(|r| r["run_id"] == fixed.as_str()).unwrap();
    assert_eq!(r["flow_id"], "notion-signout");
    assert_eq!(r["outcome"], "resolved");
    assert!(r["started_at"].as_str().unwrap().starts_with("20"));

    let o = env.run("linux", &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fix_of(&runs_json(&env), &fixed), "undone");

    let o = env.run("linux", &["runs"]);
    let out = stdout(&o);
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["RUN", "STARTED", "FLOW", "OUTCOME", "FIX"],
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with(&fixed)
            && l.contains("notion-signout")
            && l.contains("  resolved  ")
            && l.ends_with("undone")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with(&dry) && l.contains("dry run: nothing changed")),
        "outcomes in plain words: {out}"
    );
    // A record that cannot be read is listed as such.
    std::fs::write(env.state().join("runs/broken.json"), "{").unwrap();
    let out = stdout(&env.run("linux", &["runs"]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("broken") && l.contains("unreadable")),
        "{out}"
    );
}

fn journal(env: &Env) -> rusqlite::Connection {
    rusqlite::Connection::open(env.state().join("journal.sqlite")).unwrap()
}

/// Date a run record back to 2020.
fn age_record(env: &Env, run_id: &str) {
    let path = env.state().join(format!("runs/{run_id}.json"));
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["started_at"] = serde_json::json!("2020-01-01T00:00:00Z");
    std::fs::write(&path, v.to_string()).unwrap();
}

fn exists(p: &Path) -> bool {
    p.symlink_metadata().is_ok()
}

#[test]
fn old_records_and_backups_of_undone_fixes_are_pruned_at_the_next_run() {
    let env = Env::new();
    home(&env);
    let undone = fix(&env);
    let o = env.run("linux", &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let applied = fix(&env);
    assert_eq!(backups(&env).len(), 2);

    // Recent: the documented age keeps everything.
    let o = env.run("linux", &["runs", "--prune"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Pruned 0 run record(s) and 0 backup(s)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(backups(&env).len(), 2);

    // Both runs dated back, the undo too; a tampered row naming a folder
    // outside `backups/`.
    age_record(&env, &undone);
    age_record(&env, &applied);
    let j = journal(&env);
    j.execute(
        "UPDATE actions SET started_at = '2020-01-01T00:00:00Z', finished_at = '2020-01-01T00:00:00Z'",
        [],
    )
    .unwrap();
    let victim = env.dir.path().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("keep"), "x").unwrap();
    j.execute(
        "INSERT INTO actions (run_id, backup_id, action, store_path, owner, plan_json, status, started_at, finished_at)
         SELECT run_id, '../../victim', action, store_path, owner, plan_json, 'undone', started_at, finished_at
         FROM actions LIMIT 1",
        [],
    )
    .unwrap();
    drop(j);
    let (undone_backup, applied_backup): (Vec<PathBuf>, Vec<PathBuf>) =
        backups(&env).into_iter().partition(|b| {
            b.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&undone)
        });

    // A dry run prunes nothing; a real run does.
    let o = env.run_method("linux", None, "Side Gig", "clear-site", &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(exists(&undone_backup[0]));
    let o = env.run_method("linux", None, "Side Gig", "clear-site", &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("Pruned 1 run record(s) and 1 backup(s) of undone fixes older than 30 days"),
        "{}",
        stderr(&o)
    );
    assert!(
        !exists(&undone_backup[0]),
        "the undone fix's backup is gone"
    );
    assert!(
        !exists(&env.state().join(format!("runs/{undone}.json"))),
        "the old record is gone"
    );
    // The fix that is still applied keeps its backup and its record.
    assert!(exists(&applied_backup[0]));
    assert!(exists(&env.state().join(format!("runs/{applied}.json"))));
    assert!(
        victim.join("keep").exists(),
        "nothing outside backups/ is touched"
    );
    for _ in 0..2 {
        let o = env.run("linux", &["undo"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }

    // --prune --older-than 0: everything done with goes.
    let o = env.run("linux", &["runs", "--prune", "--older-than", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(backups(&env).is_empty(), "{:?}", backups(&env));
    assert!(runs_json(&env).is_empty(), "{:?}", runs_json(&env));
    assert!(victim.join("keep").exists());
}

/// A run stopped by an input error keeps the error in its record, with the
/// question and the answer it concerns; `runs` and the report say so in
/// words (the answer redacted unless names are included).
#[test]
fn an_input_error_run_records_the_error_and_the_answer() {
    let env = Env::new();
    home(&env);
    let report = env.state().with_file_name("stopped.md");
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            "goal=remove-one",
            "--answer",
            "workspace=Nowhere Inc",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let runs = runs_json(&env);
    assert_eq!(runs.len(), 1);
    let id = runs[0]["run_id"].as_str().unwrap();
    let text = std::fs::read_to_string(env.state().join(format!("runs/{id}.json"))).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["error"]["question"], "workspace", "{r:#}");
    assert_eq!(r["error"]["answer"], "Nowhere Inc", "{r:#}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        stderr(&o).contains(message),
        "the record keeps the error as shown: {message}\n{}",
        stderr(&o)
    );
    assert!(r["answers"].get("workspace").is_none(), "{r:#}");

    let out = stdout(&env.run("linux", &["runs"]));
    assert!(
        out.lines()
            .any(|l| l.starts_with(id) && l.contains("stopped by an error")),
        "{out}"
    );
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("**Stopped by an error**"), "{md}");
    assert!(
        md.contains("- **The state now:** Stopped by an error: "),
        "{md}"
    );
    assert!(!md.contains("Nowhere Inc"), "the answer is redacted: {md}");
    let named = stdout(&env.run("linux", &["report", id, "--include-names"]));
    let now = named
        .lines()
        .find(|l| l.starts_with("- **The state now:**"))
        .unwrap_or_else(|| panic!("{named}"));
    assert!(
        now.contains("\"Nowhere Inc\"") && now.contains("workspace"),
        "the error names the question and the answer: {now}"
    );
}
