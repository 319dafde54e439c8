//! Reports: redaction, escaping, self-containment, the JSON schema, saved
//! records, and the HTML rendered in headless Chromium.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use troubleshoot::flow::engine::{Finish, Visit};
use troubleshoot::probe::{
    BrowserProfile, DesktopApp, ScanReport, Session, Source, StoreKind, Warning,
};
use troubleshoot::report::{
    self, Finding, FixRecord, Format, RECORD_SCHEMA, RedactionKind, ReportError, RunRecord,
    json as report_json,
};

const HOME: &str = "/home/janedoe";
const XSS: &str = "<script>alert(1)</script>";
const EMAILS: &[&str] = &["jane.doe@example.com", "j.doe+notion@corp.example.org"];
const USER_IDS: &[&str] = &[
    "7c1e2a90-1111-4a2b-9c3d-aaaaaaaaaaa1",
    "7c1e2a90-2222-4a2b-9c3d-aaaaaaaaaaa2",
];
const WORKSPACE_IDS: &[&str] = &[
    "0b6f1e4c-0001-4d3e-8f00-123456789001",
    "0b6f1e4c-0002-4d3e-8f00-123456789002",
    "0b6f1e4c-0003-4d3e-8f00-123456789003",
    "0b6f1e4c-0004-4d3e-8f00-123456789004",
];
const WORKSPACE_NAMES: &[&str] = &["Acme Corp", XSS, "Jane's Notes", "Side Project"];
/// A Chrome profile named after its owner.
const PROFILE_NAME: &str = "Jane Doe";

fn session(
    source: Source,
    browser: &str,
    profile: &str,
    store_id: &str,
    store_path: &str,
    ws: usize,
    user: usize,
) -> Session {
    Session {
        source,
        browser: browser.into(),
        profile: profile.into(),
        store_id: store_id.into(),
        store_path: store_path.into(),
        store_kind: if browser == "Firefox" {
            StoreKind::FirefoxLsng
        } else {
            StoreKind::ChromiumLeveldb
        },
        origin: "https://www.notion.so".into(),
        workspace_id: WORKSPACE_IDS[ws].into(),
        workspace_name: Some(WORKSPACE_NAMES[ws].into()),
        user_id: Some(USER_IDS[user].into()),
        keys: vec![format!("notion:workspace:{}", WORKSPACE_IDS[ws])],
        store_sessions: 1,
        store_accounts: Some(1),
        workspace_label: WORKSPACE_NAMES[ws].into(),
        sources: vec!["Local Storage keys notion:workspace:{space:text}".into()],
        accounts_evidence: "1 account, from Local Storage keys notion:workspace:{space:text}"
            .into(),
        sync_enabled: browser == "Chrome",
        running: false,
        linked_accounts: if source == Source::Desktop {
            vec!["google".into()]
        } else {
            vec![]
        },
    }
}

fn profile(
    browser: &str,
    id: &str,
    name: &str,
    dir: &str,
    path: &str,
    sessions: u32,
    users: &[usize],
) -> BrowserProfile {
    BrowserProfile {
        browser: browser.into(),
        browser_id: id.into(),
        profile: name.into(),
        profile_dir: dir.into(),
        path: path.into(),
        running: false,
        sync_enabled: browser == "Chrome",
        notion_cookies: vec![
            "token_v2".into(),
            "notion_user_id".into(),
            "notion_users".into(),
        ],
        accounts: Some(users.len() as u32),
        account_facts: Default::default(),
        user_ids: users.iter().map(|&u| USER_IDS[u].to_string()).collect(),
        sessions,
        linked_accounts: vec![],
    }
}

/// Chrome (two profiles), Edge, Firefox and the desktop app, with every kind
/// of personal value planted: in facts, prose, answers, plans and warnings.
fn sample_record() -> RunRecord {
    let chrome = format!("{HOME}/.config/google-chrome");
    let edge = format!("{HOME}/.config/microsoft-edge");
    let firefox = format!("{HOME}/.mozilla/firefox/x1y2z3.default-release");
    let desktop = format!("{HOME}/.config/Notion");
    let sessions = vec![
        session(
            Source::Browser,
            "Chrome",
            PROFILE_NAME,
            "chrome/Default",
            &format!("{chrome}/Default/Local Storage/leveldb"),
            0,
            0,
        ),
        session(
            Source::Browser,
            "Chrome",
            "Person 2",
            "chrome/Profile 1",
            &format!("{chrome}/Profile 1/Local Storage/leveldb"),
            1,
            1,
        ),
        session(
            Source::Browser,
            "Edge",
            "Profile 1",
            "edge/Default",
            &format!("{edge}/Default/Local Storage/leveldb"),
            2,
            0,
        ),
        session(
            Source::Browser,
            "Firefox",
            "default-release",
            "firefox/x1y2z3.default-release",
            &format!("{firefox}/storage/default/https+++www.notion.so/ls/data.sqlite"),
            3,
            1,
        ),
        session(
            Source::Desktop,
            "Notion",
            "app",
            "desktop",
            &format!("{desktop}/Partitions/notion/Local Storage/leveldb"),
            0,
            0,
        ),
    ];
    let scan = ScanReport {
        schema: 1,
        layout: "linux".into(),
        root: HOME.into(),
        session_count: sessions.len() as u32,
        sessions,
        browsers: vec![
            profile(
                "Chrome",
                "chrome",
                PROFILE_NAME,
                "Default",
                &format!("{chrome}/Default"),
                1,
                &[0],
            ),
            profile(
                "Chrome",
                "chrome",
                "Person 2",
                "Profile 1",
                &format!("{chrome}/Profile 1"),
                1,
                &[1],
            ),
            profile(
                "Edge",
                "edge",
                "Profile 1",
                "Default",
                &format!("{edge}/Default"),
                1,
                &[0],
            ),
            profile(
                "Firefox",
                "firefox",
                "default-release",
                "x1y2z3.default-release",
                &firefox,
                1,
                &[1],
            ),
        ],
        desktop_app: DesktopApp {
            installed: true,
            running: false,
            data_dir: Some(desktop.clone()),
            size_bytes: 48_000_000,
            sessions: 1,
            accounts: Some(1),
            account_facts: Default::default(),
            user_ids: vec![USER_IDS[0].into()],
            notion_cookies: vec!["token_v2".into()],
            linked_accounts: vec!["google".into()],
        },
        any_sync: true,
        max_store_accounts: 1,
        warnings: vec![Warning {
            path: format!("{HOME}/.config/BraveSoftware/Brave-Browser/Default/Cookies"),
            reason: format!("database is locked (profile of {})", EMAILS[1]),
        }],
    };
    let mut scan_facts = serde_json::to_value(&scan).unwrap();
    scan_facts["evidence"] = json!([
        format!(
            "Chrome, profile {PROFILE_NAME}: 1 workspace session ({}), browser sync on",
            WORKSPACE_NAMES[0]
        ),
        format!(
            "Chrome, profile Person 2: 1 workspace session ({}), browser sync on",
            WORKSPACE_NAMES[1]
        ),
        format!(
            "Edge, profile Profile 1: 1 workspace session ({})",
            WORKSPACE_NAMES[2]
        ),
        format!(
            "Firefox, profile default-release: 1 workspace session ({})",
            WORKSPACE_NAMES[3]
        ),
        format!(
            "Notion desktop app: 1 workspace session ({}), linked google sign-in",
            WORKSPACE_NAMES[0]
        ),
        format!("Chrome is signed in to sync as {}", EMAILS[0]),
    ]);
    let selected = scan_facts["sessions"][1].clone();
    let mut answers = Map::new();
    answers.insert("goal".into(), json!("remove-one"));
    answers.insert("workspace".into(), json!(WORKSPACE_IDS[1]));
    answers.insert("method".into(), json!("remove-entry"));
    answers.insert(
        "note".into(),
        json!(format!("I am {} | *urgent*", EMAILS[0])),
    );
    let facts = json!({
        "scan": scan_facts,
        "answers": Value::Object(answers.clone()),
        "selected": { "workspace": selected },
    });
    let store = format!("{chrome}/Profile 1/Local Storage/leveldb");
    RunRecord {
        schema: RECORD_SCHEMA,
        tool_version: "0.1.0".into(),
        run_id: "20260101-120000-abcd".into(),
        flow_id: "notion-signout".into(),
        flow_title: "Notion: Sign out is grayed out for a workspace session".into(),
        flow_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        started_at: "2026-01-01T12:00:00Z".into(),
        finished_at: "2026-01-01T12:01:30Z".into(),
        layout: "linux".into(),
        root: HOME.into(),
        dry_run: false,
        answers,
        steps: vec![
            visit("goal", "ask", Some("remove-one"), None),
            visit(
                "scan",
                "check",
                Some("sessions found"),
                Some("Found 5 workspace sessions in 4 browser profiles and the desktop app."),
            ),
            visit("workspace", "ask", Some(WORKSPACE_IDS[1]), None),
            visit("route", "check", Some("otherwise"), None),
            visit(
                "diagnose",
                "check",
                Some("only session in its profile"),
                Some(&format!(
                    "{} is the only workspace session in Chrome profile Person 2, so Notion grays out Sign out.",
                    WORKSPACE_NAMES[1]
                )),
            ),
            visit("method", "ask", Some("remove-entry"), None),
            visit("fix-remove-entry", "fix", Some("applied, verified"), None),
            visit("end-removed", "end", Some("resolved"), None),
        ],
        findings: vec![
            Finding {
                step: "scan".into(),
                text: "Found 5 workspace sessions in 4 browser profiles and the desktop app."
                    .into(),
            },
            Finding {
                step: "diagnose".into(),
                text: format!(
                    "{} is the only workspace session in Chrome profile Person 2, so Notion grays out Sign out.",
                    WORKSPACE_NAMES[1]
                ),
            },
            Finding {
                step: "diagnose".into(),
                text: format!(
                    "Account {} ({}) is signed in to {} in Chrome profile {PROFILE_NAME}.",
                    USER_IDS[0], EMAILS[0], WORKSPACE_NAMES[0]
                ),
            },
        ],
        facts,
        facts_before_fix: None,
        fixes: vec![FixRecord {
            step: "fix-remove-entry".into(),
            action: "remove-workspace-entry".into(),
            title: format!("Remove the local session entry of {}", WORKSPACE_NAMES[1]),
            risk: "medium".into(),
            plan: json!({
                "store": store,
                "keys": [format!("notion:workspace:{}", WORKSPACE_IDS[1])],
                "backup": [{ "path": format!("{store}/000003.log"), "sha256": "ab12cd34" }],
                "refuses_while": "Chrome is running",
            }),
            result: "verified".into(),
            reason: None,
            backup_id: Some("20260101-120000-abcd-1".into()),
        }],
        outcome: Some(Finish {
            step: "end-removed".into(),
            outcome: "resolved".into(),
            message: format!(
                "The local session entry of {} is gone. Reopen Notion there: it shows the login screen for that workspace.",
                WORKSPACE_IDS[1]
            ),
            rolled_back: false,
        }),
        exit_code: 0,
        warnings: vec![Warning {
            path: format!("{HOME}/.config/BraveSoftware/Brave-Browser/Default/Cookies"),
            reason: format!("database is locked (profile of {})", EMAILS[1]),
        }],
        undo: None,
    }
}

fn visit(step: &str, kind: &str, detail: Option<&str>, explain: Option<&str>) -> Visit {
    Visit {
        step: step.into(),
        kind: kind.into(),
        detail: detail.map(Into::into),
        explain: explain.map(Into::into),
    }
}

const FORMATS: [Format; 3] = [Format::Json, Format::Md, Format::Html];

fn render(r: &RunRecord, f: Format, names: bool) -> String {
    report::render(r, f, names).unwrap().0
}

/// Every personal value planted in [`sample_record`], and the home.
fn planted() -> Vec<&'static str> {
    let mut v: Vec<&str> = Vec::new();
    v.extend(EMAILS);
    v.extend(USER_IDS);
    v.extend(WORKSPACE_IDS);
    v.extend(WORKSPACE_NAMES);
    v.push(PROFILE_NAME);
    v
}

/// The forms a value can take in a rendered report.
fn forms(s: &str, f: Format) -> Vec<String> {
    let mut v = vec![s.to_string()];
    match f {
        Format::Json => v.push(
            serde_json::to_string(s)
                .unwrap()
                .trim_matches('"')
                .to_string(),
        ),
        Format::Md => v.push(report::markdown::escape(s)),
        Format::Html => v.push(report::html::escape(s)),
    }
    v
}

#[test]
fn default_reports_hide_every_planted_value_and_the_home() {
    let r = sample_record();
    for f in FORMATS {
        let text = render(&r, f, false);
        assert!(!text.is_empty());
        for p in planted() {
            for form in forms(p, f) {
                assert!(!text.contains(&form), "{f}: `{form}` leaked");
            }
        }
        assert!(!text.contains(HOME), "{f}: home leaked");
        assert!(
            !text.contains("janedoe"),
            "{f}: user name of the home leaked"
        );
        assert!(!text.contains("alert(1)"), "{f}: XSS workspace name leaked");
        // Pseudonyms are there instead.
        for p in [
            "workspace-2",
            "Workspace 2",
            "user-1",
            "email-1",
            "profile-name-1",
            "~/.config/google-chrome",
        ] {
            assert!(text.contains(p), "{f}: no `{p}`");
        }
    }
}

#[test]
fn pseudonyms_are_stable_and_follow_the_scan_order() {
    let r = sample_record();
    let (json, redactions) = report::render(&r, Format::Json, false).unwrap();
    assert_eq!(
        json,
        render(&r, Format::Json, false),
        "same record, same bytes"
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    let sessions = v["facts"]["scan"]["sessions"].as_array().unwrap();
    for (i, s) in sessions.iter().enumerate().take(4) {
        assert_eq!(s["workspace_id"], json!(format!("workspace-{}", i + 1)));
        assert_eq!(s["workspace_name"], json!(format!("Workspace {}", i + 1)));
    }
    // The desktop app shares workspace 1 and user 1 with Chrome's first profile.
    assert_eq!(sessions[4]["workspace_id"], json!("workspace-1"));
    assert_eq!(sessions[4]["user_id"], json!("user-1"));
    assert_eq!(v["answers"]["workspace"], json!("workspace-2"));
    assert_eq!(v["root"], json!("~"));
    // The list shown before an export: kinds and pseudonyms, never values.
    assert_eq!(report::redactions(&r, false).unwrap(), redactions);
    let kinds: Vec<RedactionKind> = redactions.iter().map(|r| r.kind).collect();
    for k in [
        RedactionKind::WorkspaceId,
        RedactionKind::WorkspaceName,
        RedactionKind::UserId,
        RedactionKind::Email,
        RedactionKind::ProfileName,
        RedactionKind::Home,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {redactions:?}");
    }
    assert_eq!(
        redactions
            .iter()
            .filter(|r| r.kind == RedactionKind::WorkspaceId)
            .count(),
        4
    );
    let shown = redactions
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for p in planted() {
        assert!(!shown.contains(p), "redaction list shows `{p}`");
    }
    assert!(!shown.contains(HOME));
    assert_eq!(v["redaction"]["names_included"], json!(false));
    assert!(v["redaction"]["redacted"].as_array().unwrap().len() >= 12);
}

#[test]
fn include_names_keeps_names_ids_and_emails_but_not_the_home() {
    let r = sample_record();
    for f in FORMATS {
        let text = render(&r, f, true);
        for p in planted() {
            assert!(
                forms(p, f).iter().any(|form| text.contains(form)),
                "{f}: `{p}` missing with include_names"
            );
        }
        assert!(!text.contains(HOME), "{f}: home leaked with include_names");
        assert!(text.contains("~/.config/google-chrome"), "{f}");
    }
    let (_, redactions) = report::render(&r, Format::Md, true).unwrap();
    assert!(
        redactions.iter().all(|x| x.kind == RedactionKind::Home),
        "{redactions:?}"
    );
}

#[test]
fn the_xss_workspace_name_stays_text() {
    let r = sample_record();
    let md = render(&r, Format::Md, true);
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(!md.contains("<script"));
    let html = render(&r, Format::Html, true);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    // Markdown-significant characters in user data are escaped too.
    assert!(
        md.contains(r"I am jane.doe@example.com \| \*urgent\*"),
        "{md}"
    );
}

#[test]
fn html_is_self_contained() {
    for names in [false, true] {
        let html = render(&sample_record(), Format::Html, names).to_ascii_lowercase();
        for bad in [
            "src=", "href=", "@import", "url(", "<script", "<link", "<iframe", "<img", "http://",
            "https://",
        ] {
            assert!(!html.contains(bad), "HTML holds `{bad}`");
        }
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("@media print"));
        assert!(html.contains("content-security-policy"));
    }
}

#[test]
fn html_leads_with_findings_then_timeline_fixes_outcome() {
    let html = render(&sample_record(), Format::Html, false);
    let at = |id: &str| {
        html.find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no section {id}"))
    };
    assert!(at("findings") < at("timeline"));
    assert!(at("timeline") < at("fixes"));
    assert!(at("fixes") < at("outcome"));
    assert!(html.contains("class=\"banner ok\""), "resolved is green");
    // Evidence of the scan step is in the timeline.
    let timeline = &html[at("timeline")..at("fixes")];
    assert!(timeline.contains("Chrome, profile profile-name-1: 1 workspace session (Workspace 1)"));
    assert!(
        html[at("fixes")..].contains("20260101-120000-abcd-1"),
        "backup id"
    );

    let mut r = sample_record();
    r.outcome.as_mut().unwrap().outcome = "unresolved".into();
    assert!(render(&r, Format::Html, false).contains("class=\"banner warn\""));
    r.outcome.as_mut().unwrap().outcome = "escalate".into();
    assert!(render(&r, Format::Html, false).contains("class=\"banner bad\""));
    r.outcome.as_mut().unwrap().rolled_back = true;
    r.exit_code = 3;
    assert!(render(&r, Format::Html, false).contains("Fix failed, rolled back"));
}

#[test]
fn markdown_reads_well_in_an_issue() {
    let md = render(&sample_record(), Format::Md, false);
    let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("no `{s}` in\n{md}"));
    assert!(md.starts_with("# Troubleshoot report: Notion: Sign out is grayed out"));
    assert!(pos("✅ **Resolved**") < pos("## Findings"));
    assert!(pos("## Findings") < pos("## Environment"));
    assert!(pos("## Environment") < pos("## Timeline"));
    assert!(pos("## Timeline") < pos("## Fixes"));
    assert!(pos("## Fixes") < pos("## Warnings"));
    assert!(
        md.contains("| 1 | Chrome | profile-name-1 | Workspace 1 (workspace-1) | user-1 |"),
        "{md}"
    );
    assert!(md.contains("**Backup:** 20260101-120000-abcd-1"), "{md}");
}

#[test]
fn markdown_snapshot() {
    // The user's real home is redacted too; keep the snapshot independent of it.
    insta::assert_snapshot!(
        "report_markdown",
        render(&sample_record(), Format::Md, false)
    );
}

#[test]
fn json_report_matches_its_schema() {
    let text = render(&sample_record(), Format::Json, false);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], json!(RECORD_SCHEMA));
    assert!(
        text.starts_with("{\n  \"schema\": 1,"),
        "schema comes first"
    );
    // Strict parse against the schema's mirror types.
    report_json::validate(&text).unwrap();

    let schema = report_json::schema();
    let props = schema["properties"].as_object().unwrap();
    let keys = doc.as_object().unwrap();
    for k in keys.keys() {
        assert!(props.contains_key(k), "`{k}` is not in the schema");
    }
    for req in schema["required"].as_array().unwrap() {
        assert!(
            keys.contains_key(req.as_str().unwrap()),
            "required `{req}` missing"
        );
    }
    assert_eq!(schema["additionalProperties"], json!(false));

    // A saved record (no `redaction`) validates too, and the exported report
    // reads back as a record.
    let saved = serde_json::to_string(&sample_record()).unwrap();
    report_json::validate(&saved).unwrap();
    let back: RunRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back.run_id, "20260101-120000-abcd");
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let want = report_json::schema_text();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale; regenerate with `UPDATE_SCHEMA=1 cargo test committed_schema`",
        path.display()
    );
}

#[test]
fn a_secret_in_the_record_fails_every_export() {
    let cases = [
        json!({"cookies": [{"name": "token_v2", "value": "v10SECRETSECRET"}]}),
        json!({"row": {"host_key": ".notion.so", "name": "token_v2", "value": "v10SECRETSECRET"}}),
        json!({"token_v2": "v10SECRETSECRET"}),
        json!({"header": "Cookie: token_v2=v10SECRETSECRET; notion_user_id=1"}),
    ];
    for planted in cases {
        let mut r = sample_record();
        r.facts["leak"] = planted.clone();
        for f in FORMATS {
            let err = report::render(&r, f, false).unwrap_err();
            assert!(
                matches!(err, ReportError::Secret { .. }),
                "{planted}: {err}"
            );
            let msg = err.to_string();
            assert!(msg.contains("/facts/leak"), "{msg}");
            assert!(!msg.contains("SECRET"), "the error shows the secret: {msg}");
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(report::save_record(dir.path(), &r).is_err());
        let out = dir.path().join("r.html");
        assert!(report::export(&r, &out, None, false).is_err());
        assert!(!out.exists(), "nothing is written");
    }
}

fn record_at(run_id: &str, started_at: &str) -> RunRecord {
    let mut r = sample_record();
    r.run_id = run_id.into();
    r.started_at = started_at.into();
    r
}

#[test]
fn records_save_list_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    assert!(report::list_runs(&state).unwrap().is_empty());
    assert!(matches!(
        report::load_record(&state, None),
        Err(ReportError::NoRuns { .. })
    ));

    let a = record_at("20260101-120000-aaaa", "2026-01-01T12:00:00Z");
    let b = record_at("20260102-090000-bbbb", "2026-01-02T09:00:00Z");
    let c = record_at("20260101-130000-cccc", "2026-01-01T13:00:00Z");
    for r in [&a, &b, &c] {
        let path = report::save_record(&state, r).unwrap();
        assert_eq!(path, state.join("runs").join(format!("{}.json", r.run_id)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", path.display());
        }
    }
    // Saved records are the full, unredacted record.
    assert_eq!(
        report::load_record(&state, Some("20260101-130000-cccc")).unwrap(),
        c
    );
    assert_eq!(
        report::load_record(&state, None).unwrap().run_id,
        b.run_id,
        "latest by started_at"
    );
    assert_eq!(
        report::load_record(&state, Some("20260102"))
            .unwrap()
            .run_id,
        b.run_id,
        "unique prefix"
    );
    assert!(matches!(
        report::load_record(&state, Some("20260101")),
        Err(ReportError::Ambiguous { .. })
    ));
    let missing = report::load_record(&state, Some("2027")).unwrap_err();
    assert!(matches!(missing, ReportError::NotFound { .. }), "{missing}");
    assert!(matches!(
        report::load_record(&state, Some("..")),
        Err(ReportError::BadRunId(_))
    ));
    assert!(matches!(
        report::load_record(&state, Some("../x")),
        Err(ReportError::BadRunId(_))
    ));

    // A corrupt file is listed with its problem, named, and skipped for "latest".
    let bad = state.join("runs").join("20300101-000000-dead.json");
    std::fs::write(&bad, "{not json").unwrap();
    let runs = report::list_runs(&state).unwrap();
    assert_eq!(runs.len(), 4);
    assert!(runs[0].problem.is_some());
    let ids: Vec<&str> = runs[1..].iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(
        ids,
        [a.run_id.as_str(), c.run_id.as_str(), b.run_id.as_str()]
    );
    assert_eq!(runs[3].outcome.as_deref(), Some("resolved"));
    assert_eq!(report::load_record(&state, None).unwrap().run_id, b.run_id);
    let err = report::load_record(&state, Some("20300101-000000-dead"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("20300101-000000-dead.json") && err.contains("not a run record"),
        "{err}"
    );

    // An exported JSON report loads by path (for replay or re-rendering).
    let out = dir.path().join("shared report.json");
    let redactions = report::export(&a, &out, None, false).unwrap();
    assert!(!redactions.is_empty());
    let back = report::load_record(&state, Some(out.to_str().unwrap())).unwrap();
    assert_eq!(back.answers["workspace"], json!("workspace-2"));
    assert_eq!(report::load_record_file(&out).unwrap(), back);
}

#[test]
fn format_from_the_file_name() {
    assert_eq!(Format::from_path(Path::new("r.json")), Some(Format::Json));
    assert_eq!(Format::from_path(Path::new("dir/R.MD")), Some(Format::Md));
    assert_eq!(Format::from_path(Path::new("r.markdown")), Some(Format::Md));
    assert_eq!(Format::from_path(Path::new("r.htm")), Some(Format::Html));
    assert_eq!(Format::from_path(Path::new("r.html")), Some(Format::Html));
    assert_eq!(Format::from_path(Path::new("r.txt")), None);
    assert_eq!(Format::from_path(Path::new("report")), None);
    let err = report::export(
        &sample_record(),
        Path::new("/nonexistent/r.pdf"),
        None,
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("r.pdf"), "{err}");
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is missing on CI; .ci/install-browsers.sh installs it");
        }
        eprintln!(
            "note: skipping html_renders_in_headless_chromium: no chromium (run .ci/install-browsers.sh)"
        );
        return;
    };
    let r = sample_record();
    let (html, _) = report::render(&r, Format::Html, false).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<section id=\"findings\">"),
        "no rendered DOM:\n{dom}"
    );
    // Rendered text holds the findings (redacted) and the outcome.
    for text in [
        "Found 5 workspace sessions in 4 browser profiles and the desktop app.",
        "Workspace 2 is the only workspace session in Chrome profile Person 2, so Notion grays out Sign out.",
        "Account user-1 (email-1) is signed in to Workspace 1 in Chrome profile profile-name-1.",
        "Resolved",
    ] {
        assert!(dom.contains(text), "rendered DOM lacks `{text}`");
    }
    assert!(!dom.to_ascii_lowercase().contains("<script"));
    for p in planted() {
        assert!(!dom.contains(p), "rendered DOM holds `{p}`");
    }
}
