//! Reports: redaction, escaping, self-containment, the JSON schema, saved
//! records, and the HTML rendered in headless Chromium.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use troubleshoot::flow::engine::{Finish, Outcome, Visit};
use troubleshoot::probe::{
    BrowserProfile, DesktopApp, ScanReport, Session, Source, StoreKind, Warning,
};
use troubleshoot::report::{
    self, Finding, FixRecord, Format, Host, ProgramVersion, RECORD_SCHEMA, RedactionKind,
    ReportError, RunRecord, json as report_json,
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
/// People's names labelling the accounts (`notion_user.name`).
const ACCOUNT_NAMES: &[&str] = &["Grace Quokkason", "Linus Zephyrwood"];
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
        short_id: None,
        user_id: Some(USER_IDS[user].into()),
        // A person's name, as the app's notion.db names accounts.
        account_label: ACCOUNT_NAMES[user].into(),
        account_workspace_labels: vec![WORKSPACE_NAMES[ws].into()],
        signed_in: Some(true),
        sign_in_cookies: vec!["token_v2".into()],
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
        account_key: format!("{}@{store_id}", USER_IDS[user]),
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
        store_id: format!("{id}/{dir}"),
        path: path.into(),
        running: false,
        sync_enabled: browser == "Chrome",
        app_cookies: vec![
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
            app_cookies: vec!["token_v2".into()],
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
    // The wizard's facts name each session's store, for option labels.
    for s in scan_facts["sessions"].as_array_mut().unwrap() {
        let place = if s["source"] == "desktop" {
            "Notion desktop app".to_string()
        } else {
            format!(
                "{}, profile {}",
                s["browser"].as_str().unwrap(),
                s["profile"].as_str().unwrap()
            )
        };
        s["place"] = json!(place);
    }
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
    answers.insert("method".into(), json!("clear-site"));
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
    let (flow, _) =
        troubleshoot::flow::builtin::resolve("notion-signout", troubleshoot::registry::builtin())
            .unwrap();
    RunRecord {
        schema: RECORD_SCHEMA,
        tool_version: "0.1.0".into(),
        run_id: "20260101-120000-abcd".into(),
        flow_id: "notion-signout".into(),
        flow_title: "Notion: Sign out is grayed out for a workspace session".into(),
        flow_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        // The flow this run saw (the built-in one of today, for the sample).
        flow: Some(
            serde_json::from_str(
                &std::fs::read_to_string(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/notion-signout.json"),
                )
                .unwrap(),
            )
            .unwrap(),
        ),
        // As the wizard records them, from the flow.
        terms: flow.terms.clone(),
        item_questions: Some(report::record::item_questions(&flow)),
        probes: Default::default(),
        started_at: "2026-01-01T12:00:00Z".into(),
        finished_at: "2026-01-01T12:01:30Z".into(),
        layout: "linux".into(),
        root: HOME.into(),
        dry_run: false,
        answers,
        // As the engine records them (`branch N`, `otherwise`); the first
        // steps carry what the wizard adds (question, answer, time), the
        // rest are as an older record has them.
        steps: vec![
            Visit {
                question: Some("What do you want to do in Notion?".into()),
                answer: Some(
                    "Sign out of one workspace (its Sign out button is grayed out)".into(),
                ),
                duration_ms: Some(4_200),
                ..visit("goal", "ask", Some("remove-one"), None)
            },
            Visit {
                duration_ms: Some(850),
                ..visit(
                    "scan",
                    "check",
                    Some("otherwise"),
                    Some("Found 5 workspace sessions in 4 browser profiles and the desktop app."),
                )
            },
            visit("workspace", "ask", Some(WORKSPACE_IDS[1]), None),
            visit("route", "check", Some("otherwise"), None),
            visit(
                "diagnose",
                "check",
                Some("otherwise"),
                Some(&format!(
                    "{} is the only workspace session in Chrome profile Person 2, so Notion grays out Sign out.",
                    WORKSPACE_NAMES[1]
                )),
            ),
            visit("shared-check", "check", Some("otherwise"), None),
            visit("method", "ask", Some("clear-site"), None),
            visit("fix-clear-site", "fix", Some("applied, verified"), None),
            visit("end-cleared", "end", Some("resolved"), None),
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
            Finding {
                step: "shared-check".into(),
                text: format!("The user wrote: I am {} | *urgent*", EMAILS[0]),
            },
        ],
        facts,
        facts_before_fix: None,
        fixes: vec![FixRecord {
            step: "fix-clear-site".into(),
            action: "clear-site-data".into(),
            title: "Remove Notion's sign-in data from Chrome, profile Person 2".into(),
            risk: troubleshoot::flow::Risk::Medium,
            // As `Plan::to_json` writes it.
            plan: json!({
                "action": "clear-site-data",
                "cookies": ["token_v2"],
                "files": [format!("{store}/000003.log"), format!("{store}/CURRENT"), format!("{store}/MANIFEST-000001")],
                "keys": [format!("notion:workspace:{}", WORKSPACE_IDS[1])],
                "moves": [],
                "owner": "Chrome",
                "risk": "medium",
                "steps": [
                    format!("sign out {}, the only Notion account signed in in Chrome, profile Person 2", USER_IDS[1]),
                    format!("delete Local Storage key notion:workspace:{} of https://www.notion.so", WORKSPACE_IDS[1]),
                    "delete cookie token_v2 on .www.notion.so (a sign-in cookie)",
                    "keep every other site's cookies and Local Storage in Chrome, profile Person 2, and every other profile as it is",
                ],
                "store_path": store,
            }),
            result: troubleshoot::report::FixStatus::Verified,
            reason: None,
            backup_id: Some("20260101-120000-abcd-1".into()),
        }],
        outcome: Some(Finish {
            step: "end-cleared".into(),
            outcome: Outcome::Resolved,
            message: format!(
                "Checked afresh: no Notion sign-in data is left in Chrome, profile Person 2 ({}), so every Notion account there is signed out.",
                WORKSPACE_IDS[1]
            ),
            rolled_back: false,
        }),
        error: None,
        exit_code: 0,
        warnings: vec![Warning {
            path: format!("{HOME}/.config/BraveSoftware/Brave-Browser/Default/Cookies"),
            reason: format!("database is locked (profile of {})", EMAILS[1]),
        }],
        undo: None,
        undo_command: Some("troubleshoot undo 20260101-120000-abcd".into()),
        host: Some(Host {
            os: "Debian GNU/Linux".into(),
            os_version: Some("12".into()),
            kernel: Some("6.1.0-28-amd64".into()),
            arch: "x86_64".into(),
            browsers: vec![
                version("Chrome", Some("131.0.6778.85"), "its Last Version file"),
                version("Edge", None, "no file of its profile names its version"),
                version(
                    "Firefox",
                    Some("128.5.0"),
                    "the profile's compatibility.ini",
                ),
            ],
            desktop_app: Some(version(
                "Notion desktop app",
                None,
                "no file of the app names its version",
            )),
        }),
    }
}

fn version(name: &str, v: Option<&str>, source: &str) -> ProgramVersion {
    ProgramVersion {
        name: name.into(),
        version: v.map(Into::into),
        source: source.into(),
    }
}

fn visit(step: &str, kind: &str, detail: Option<&str>, explain: Option<&str>) -> Visit {
    Visit {
        step: step.into(),
        kind: kind.into(),
        detail: detail.map(Into::into),
        explain: explain.map(Into::into),
        ..Visit::default()
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
    v.extend(ACCOUNT_NAMES);
    // The short form of an id the scan prints ("account 7c1e2a90").
    v.push("7c1e2a90");
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
            // Account labels live in the scan's facts, which only the JSON
            // report carries whole.
            if f != Format::Json && (ACCOUNT_NAMES.contains(&p) || p == "7c1e2a90") {
                continue;
            }
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
    assert!(md.contains(r"\<script\>alert(1)\</script\>"), "{md}");
    // Every `<` is escaped: no tag starts anywhere.
    assert!(!md.replace(r"\<", "").contains("<script"), "{md}");
    let html = render(&r, Format::Html, true);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    // Markdown-significant characters in user data are escaped too.
    assert!(
        md.contains(r"The user wrote: I am jane.doe@example.com \| \*urgent\*"),
        "{md}"
    );
}

#[test]
fn html_is_self_contained() {
    for names in [false, true] {
        let html = render(&sample_record(), Format::Html, names).to_ascii_lowercase();
        for bad in [
            "src=", "@import", "<script", "<link", "<iframe", "<img", "<object", "<embed",
            "http://",
        ] {
            assert!(!html.contains(bad), "HTML holds `{bad}`");
        }
        // `url(` only for the picture's own arrowheads.
        assert_eq!(
            html.matches("url(").count(),
            html.matches("url(#").count(),
            "HTML loads something"
        );
        // The one link is the flow's support page.
        let links: Vec<&str> = html.split("href=\"").skip(1).collect();
        assert_eq!(links.len(), 1, "links: {links:?}");
        assert!(links[0].starts_with("https://www.notion.so/help\""));
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("@media print"));
        assert!(html.contains("content-security-policy"));
    }
}

#[test]
fn html_leads_with_the_summary_then_findings_timeline_fixes_environment() {
    let html = render(&sample_record(), Format::Html, false);
    let at = |id: &str| {
        html.find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no section {id}"))
    };
    let order = [
        "summary",
        "findings",
        "timeline",
        "fixes",
        "environment",
        "host",
        "flow",
        "support",
        "warnings",
        "run",
    ];
    for w in order.windows(2) {
        assert!(at(w[0]) < at(w[1]), "{} before {}", w[0], w[1]);
    }
    assert_eq!(html.matches("class=\"banner").count(), 1, "one banner");
    assert!(html.contains("class=\"banner ok\""), "resolved is green");
    // The scan's evidence is under its finding.
    let findings = &html[at("findings")..at("timeline")];
    assert!(findings.contains("Chrome, profile profile-name-1: 1 workspace session (Workspace 1)"));
    assert!(
        html[at("fixes")..].contains("20260101-120000-abcd-1"),
        "backup id"
    );
    // The undo command is code, not backticks.
    let summary = &html[at("summary")..at("findings")];
    assert!(
        summary.contains(
            "<code class=\"cmd\"><span class=\"arg\">troubleshoot</span> <span class=\"arg\">undo</span> <span class=\"arg\">20260101-120000-abcd</span></code>"
        ),
        "{summary}"
    );
    assert!(!html.contains('`'), "literal backticks");

    let mut r = sample_record();
    r.outcome.as_mut().unwrap().outcome = Outcome::Unresolved;
    assert!(render(&r, Format::Html, false).contains("class=\"banner warn\""));
    r.outcome.as_mut().unwrap().outcome = Outcome::Escalate;
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
    assert_eq!(md.matches("**Resolved**").count(), 1, "one banner");
    let order = [
        "✅ **Resolved**",
        "- **What was wrong:**",
        "- **What was done:**",
        "- **The state now:**",
        "- **How to undo:** Run `troubleshoot undo 20260101-120000-abcd`",
        "## Findings",
        "## Timeline",
        "## Fixes",
        "## Environment",
        "## Where it ran",
        "## The flow and the path taken",
        "```mermaid",
        "## Support",
        "## Warnings",
        "## Run",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "`{}` before `{}`", w[0], w[1]);
    }
    assert!(
        md.contains("| Chrome, profile profile-name-1 | Workspace 1 (workspace-1) | user-1 |"),
        "{md}"
    );
    assert!(md.contains("Backup 20260101-120000-abcd-1"), "{md}");
    // The timeline speaks in the flow's words: questions, labels, cases.
    for t in [
        "**What do you want to do in Notion?**",
        "Answer: Sign out of one workspace (its Sign out button is grayed out)",
        "Answer: Workspace 2 (Chrome, profile Person 2)",
        "(4.2 s)",
        "Next: the question “Which workspace is this about?”, because none of the other cases held: the scan's number of workspace sessions is not 0 (it is 5)",
    ] {
        assert!(md.contains(t), "no `{t}` in\n{md}");
    }
    // The plan in sentences.
    for t in [
        "  - Sign out user-2, the only Notion account signed in in Chrome, profile Person 2.",
        "  - Delete Local Storage key notion:workspace:workspace-2 of https://www.notion.so.",
        "  - Keep every other site's cookies and Local Storage in Chrome, profile Person 2, and every other profile as it is.",
        "  - Back up 3 files of \\~/.config/google-chrome/Profile 1/Local Storage/leveldb first: 000003.log, CURRENT, MANIFEST-000001.",
        "  - Refuse to change anything while Chrome is running",
    ] {
        assert!(md.contains(t), "no `{t}` in\n{md}");
    }
}

/// Issue 19's acceptance: no engine words and no raw plan keys; the
/// operating system and the tool version named; the HTML draws the path.
#[test]
fn reports_speak_plainly_and_say_where_they_ran() {
    let r = sample_record();
    for f in [Format::Md, Format::Html] {
        let text = render(&r, f, false);
        let lower = text.to_lowercase();
        for bad in [
            "branch 1",
            "branch 2",
            "otherwise",
            "cookies: none",
            "moves: none",
            "keys:",
            "store_path",
            "steps:",
            "export a report",
        ] {
            assert!(!lower.contains(bad), "{f}: holds `{bad}`");
        }
        for good in [
            "Debian GNU/Linux 12",
            "troubleshoot 0.1.0",
            "131.0.6778.85",
            "128.5.0",
            "Notion Help Center",
            "https://www.notion.so/help",
        ] {
            assert!(text.contains(good), "{f}: lacks `{good}`");
        }
    }
    let html = render(&r, Format::Html, false);
    let svg = &html[html.find("<svg").expect("an svg")..html.find("</svg>").unwrap()];
    // Every visited step is drawn as visited, and the moves between them.
    for id in ["goal", "scan", "diagnose", "fix-clear-site", "end-cleared"] {
        assert!(
            svg.contains("<g class=\"n v\"><title>") && svg.contains(&format!(">{id}</text>")),
            "{id} not drawn"
        );
    }
    assert!(svg.matches("class=\"n v\"").count() >= 9, "visited steps");
    assert!(svg.matches("class=\"e t\"").count() >= 8, "moves taken");
    let md = render(&r, Format::Md, false);
    assert!(
        md.contains("linkStyle "),
        "the mermaid chart marks the path"
    );
    // The JSON report carries the same view.
    let json: Value = serde_json::from_str(&render(&r, Format::Json, false)).unwrap();
    assert_eq!(json["report"]["version"], 2);
    assert_eq!(
        json["report"]["support"]["url"],
        "https://www.notion.so/help"
    );
    assert!(json["report"]["graph"]["path"].as_array().unwrap().len() >= 9);
}

/// With the scan from before the fix and the one after it, the environment
/// shows both, labelled, side by side; what the fix changed is marked.
#[test]
fn environment_before_and_after_side_by_side() {
    let mut r = sample_record();
    let before = r.facts.clone();
    let mut after = r.facts.clone();
    // The verify re-scan: the removed session is gone.
    let sessions = after["scan"]["sessions"].as_array_mut().unwrap();
    sessions.remove(1);
    after["scan"]["session_count"] = json!(4);
    after["scan"]["browsers"][1]["sessions"] = json!(0);
    r.facts_before_fix = Some(before);
    r.facts = after;
    let md = render(&r, Format::Md, false);
    assert!(
        md.contains("| What | Before the fix | After the fix |"),
        "{md}"
    );
    // (Pseudonyms follow the last scan, where the removed one is gone.)
    assert!(
        md.lines()
            .any(|l| l.starts_with("| Workspace sessions | 1 (Workspace ")
                && l.ends_with(" | **0** |")),
        "{md}"
    );
    assert!(
        md.contains("The scan after the fix found 4 workspace sessions"),
        "{md}"
    );
    let html = render(&r, Format::Html, false);
    assert!(
        html.contains("<tr class=\"changed\"><td data-label=\"What\">Workspace sessions</td><td data-label=\"Before the fix\">1 (Workspace "),
        "{html}"
    );
    assert!(
        html.contains("</td><td data-label=\"After the fix\">0</td></tr>"),
        "{html}"
    );

    // An older record without the snapshot says which scan it shows.
    let md = render(&sample_record(), Format::Md, false);
    assert!(md.contains("| What | After the fix |"), "{md}");
    assert!(md.contains("kept no scan from before the fix"), "{md}");
}

/// A record from before view 2 (no question, answer, time, host or undo
/// command) still renders, from the flow's own words.
#[test]
fn an_older_record_renders_from_the_flow() {
    let mut r = sample_record();
    for v in &mut r.steps {
        v.question = None;
        v.answer = None;
        v.duration_ms = None;
    }
    r.host = None;
    r.undo_command = None;
    let md = render(&r, Format::Md, false);
    for t in [
        "**What do you want to do in Notion?**",
        "Answer: Sign out of one workspace (its Sign out button is grayed out)",
        "Answer: Workspace 2 (Chrome, profile Person 2)",
        "Operating system** | not recorded",
        "Run `troubleshoot undo 20260101-120000-abcd`",
    ] {
        assert!(md.contains(t), "no `{t}` in\n{md}");
    }
    // And the record itself reads back.
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("duration_ms") && !text.contains("\"host\""));
    let back: RunRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
}

/// A second app's report needs no code: what the report calls a session,
/// a workspace and an account, and the pseudonyms, come from the record's
/// terms (its flow's), and the answer that picked an item is redacted by
/// the question the flow recorded, whatever its id.
#[test]
fn a_second_apps_report_says_the_flows_words() {
    let mut r = sample_record();
    r.flow_id = "chat-signout".into();
    r.flow_title = "Chat: sign out of one team".into();
    r.terms = troubleshoot::flow::Terms {
        session: "team session".into(),
        sessions: "team sessions".into(),
        workspace: "team".into(),
        account: "member".into(),
        accounts: "members".into(),
    };
    let answer = r.answers.remove("workspace").unwrap();
    r.answers.insert("team".into(), json!("beta squad"));
    r.item_questions = Some(vec!["team".into()]);
    let md = render(&r, Format::Md, false);
    for t in [
        "### Team sessions (",
        "| Where | Team | Member | Team sessions in its store | Members in its store |",
        "| Team sessions | 1 (Team 1) |",
        "| Members | 1 |",
        "| Chrome, profile profile-name-1 | Team 1 (team-1) |",
        "4 team ids",
    ] {
        assert!(md.contains(t), "no `{t}` in\n{md}");
    }
    for t in [
        "Workspace sessions",
        "workspace-1",
        "Workspace 1",
        "workspace id",
    ] {
        assert!(!md.contains(t), "`{t}` in\n{md}");
    }
    let html = render(&r, Format::Html, false);
    assert!(html.contains("<h3>Team sessions ("), "{html}");
    let (json, redactions) = report::render(&r, Format::Json, false).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["terms"]["session"], json!("team session"));
    assert_eq!(
        v["report"]["environment"]["sessions_title"],
        json!("Team sessions")
    );
    // The kinds are the contract; the words and pseudonyms are the flow's.
    assert_eq!(v["redaction"]["redacted"][0]["kind"], json!("workspace-id"));
    assert_eq!(v["redaction"]["redacted"][0]["pseudonym"], json!("team-1"));
    assert!(
        redactions[0].to_string().starts_with("team id → team-1 ("),
        "{}",
        redactions[0]
    );
    for f in FORMATS {
        let text = render(&r, f, false);
        assert!(!text.contains("beta squad"), "{f}: the picked answer shows");
        assert!(!text.contains(answer.as_str().unwrap()), "{f}");
    }
    assert_valid(&report_validator(), &v, "a second app's report");
}

/// A record saved before terms were recorded renders with the neutral
/// words, and still redacts the answer that picked a session (by the
/// built-in flow's questions).
#[test]
fn an_older_record_without_terms_uses_the_neutral_words() {
    let mut v = serde_json::to_value(sample_record()).unwrap();
    let m = v.as_object_mut().unwrap();
    m.remove("terms");
    m.remove("item_questions");
    v["answers"]["workspace"] = json!("beta labs");
    let r: RunRecord = serde_json::from_value(v).unwrap();
    assert_eq!(r.terms, troubleshoot::flow::Terms::default());
    assert_eq!(r.item_questions, None);
    let md = render(&r, Format::Md, false);
    for t in [
        "### Sessions (",
        "| Where | Workspace | Account | Sessions in its store | Accounts in its store |",
        "| Sessions | 1 (Workspace 1) |",
        "number of sessions is not 0",
    ] {
        assert!(md.contains(t), "no `{t}` in\n{md}");
    }
    for f in FORMATS {
        assert!(!render(&r, f, false).contains("beta labs"), "{f}");
    }
}

/// `terms` in a flow: each left out keeps its default; a blank one is an
/// error that names it.
#[test]
fn flow_terms_default_one_by_one_and_are_never_blank() {
    let (text, _) = troubleshoot::flow::builtin::BUILTIN
        .iter()
        .find(|(id, _, _)| *id == "notion-signout")
        .map(|(_, _, t)| (t.to_string(), ()))
        .unwrap();
    let mut flow: Value = serde_json::from_str(&text).unwrap();
    flow["terms"] = json!({"session": "chat", "sessions": "chats"});
    let f = troubleshoot::flow::load_str(
        "f.json",
        &flow.to_string(),
        troubleshoot::registry::builtin(),
    )
    .unwrap();
    assert_eq!(f.terms.session, "chat");
    assert_eq!(f.terms.account, "account");
    flow["terms"] = json!({"session": " "});
    let e = troubleshoot::flow::load_str(
        "f.json",
        &flow.to_string(),
        troubleshoot::registry::builtin(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("terms.session") && e.contains("not blank"),
        "{e}"
    );
}

#[test]
fn markdown_snapshot() {
    // The user's real home is redacted too; keep the snapshot independent of it.
    insta::assert_snapshot!(
        "report_markdown",
        render(&sample_record(), Format::Md, false)
    );
}

/// The committed `docs/report.schema.json` (kept equal to what the record
/// types derive by `committed_schema_is_up_to_date`) as a validator.
fn report_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

#[test]
fn json_reports_and_saved_records_validate_against_the_schema() {
    let validator = report_validator();
    let text = render(&sample_record(), Format::Json, false);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], json!(RECORD_SCHEMA));
    assert!(
        text.starts_with("{\n  \"schema\": 1,"),
        "schema comes first"
    );
    assert_valid(&validator, &doc, "the exported report");
    let named: Value = serde_json::from_str(&render(&sample_record(), Format::Json, true)).unwrap();
    assert_valid(&validator, &named, "the report with --include-names");

    // A saved record (no `redaction`, no `report`) validates too, an older
    // one without the optional fields as well, and the exported report
    // reads back as a record.
    let saved = serde_json::to_value(sample_record()).unwrap();
    assert_valid(&validator, &saved, "the saved record");
    let mut older = sample_record();
    older.host = None;
    older.undo_command = None;
    older.facts_before_fix = None;
    older.steps.iter_mut().for_each(|v| v.duration_ms = None);
    let older = serde_json::to_value(older).unwrap();
    assert_valid(&validator, &older, "an older record");
    let back: RunRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back.run_id, "20260101-120000-abcd");

    // The schema is strict: a field it does not describe, a missing one or
    // a wrong type is an error, at the top and inside.
    let schema = report_json::schema();
    assert_eq!(schema["additionalProperties"], json!(false));
    for (pointer, change) in [
        ("", json!({"extra": 1})),
        ("/steps/0", json!({"extra": 1})),
        ("/report/environment", json!({"extra": 1})),
        ("/redaction/redacted/0", json!({"kind": "password"})),
        ("", json!({"exit_code": "one"})),
    ] {
        let mut bad = doc.clone();
        let target = bad.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        target.extend(change.as_object().unwrap().clone());
        assert!(!validator.is_valid(&bad), "{pointer}: {change} passed");
    }
    let mut bad = doc.clone();
    bad.as_object_mut().unwrap().remove("run_id");
    assert!(!validator.is_valid(&bad), "a report without run_id passed");
}

/// What the command line writes validates: the `--report` of a real run on
/// a sample home, in each outcome a test can reach quickly, and the record
/// the run saved.
#[test]
fn reports_written_by_real_runs_validate_against_the_schema() {
    use crate::util::{Env, NOTION};
    use troubleshoot::probe::Layout;
    let validator = report_validator();
    let env = Env::new();
    const WS: &str = "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01";
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(
            NOTION,
            WS,
            "Acme Corp",
            "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50",
        )
        .workspace(
            NOTION,
            "2f8e1c0a-2222-4c2b-9a57-0d6c3c9e0a02",
            "Acme Labs",
            "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50",
        )
        .write()
        .unwrap();
    let runs = [
        ("dry-run.json", vec!["--dry-run"]),
        ("guide.json", vec!["--yes"]),
    ];
    for (name, extra) in &runs {
        let report = env.dir.path().join(name);
        let mut args = extra.clone();
        args.extend(["--report", report.to_str().unwrap()]);
        let o = env.run_method("linux", None, WS, "second-session", &args);
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", crate::util::stderr(&o)));
        assert!(doc["redaction"].is_object() && doc["report"].is_object());
        assert_valid(&validator, &doc, name);
    }
    let saved: Vec<PathBuf> = std::fs::read_dir(env.state().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), runs.len());
    for path in saved {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_valid(&validator, &doc, &path.display().to_string());
    }
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

/// Run headless Chromium with `args` (and a profile in `dir`); its stdout.
fn headless(browser: &Path, dir: &Path, args: &[String]) -> String {
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
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
    String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
}

/// The report's layout measured in a frame `width` px wide (headless
/// Chromium's window is never narrower than 500 px, a frame is): the frame
/// document's scrollWidth and clientWidth, and every element that reaches
/// past either edge outside a box that scrolls on its own.
fn measure(browser: &Path, dir: &Path, width: u32) -> Value {
    let wrapper = dir.join(format!("frame-{width}.html"));
    std::fs::write(
        &wrapper,
        format!(
            r#"<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="report.html" style="width:{width}px;height:1500px;border:0"></iframe>
<pre id="result">pending</pre>
<script>
// The wrapper's load comes after its frame's.
window.addEventListener('load', function () {{
  var d = document.getElementById('f').contentDocument, w = d.defaultView;
  var cw = d.documentElement.clientWidth, out = [];
  d.querySelectorAll('body *').forEach(function (e) {{
    for (var p = e.parentElement; p && p !== d.body; p = p.parentElement) {{
      var o = w.getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return;
    }}
    var r = e.getBoundingClientRect();
    if (r.width > 0 && (r.left < -0.5 || r.right > cw + 0.5))
      out.push(e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }});
  // An argument of a command laid out on more than one line is broken.
  var broken = [];
  d.querySelectorAll('code.cmd .arg').forEach(function (e) {{
    if (e.getClientRects().length > 1) broken.push(e.textContent);
  }});
  var commands = d.querySelectorAll('code.cmd').length;
  document.getElementById('result').textContent = JSON.stringify({{
    broken_args: broken, commands: commands,
    scroll_width: d.documentElement.scrollWidth, client_width: cw,
    body_width: d.body.scrollWidth, outside: out.slice(0, 20),
    text: d.body.innerText.length }});
}});
</script></body></html>"#
        ),
    )
    .unwrap();
    let dom = headless(
        browser,
        dir,
        &[
            "--allow-file-access-from-files".into(),
            "--window-size=1300,1600".into(),
            "--dump-dom".into(),
            format!("file://{}", wrapper.display()),
        ],
    );
    let start = dom.find("<pre id=\"result\">").expect("no result") + "<pre id=\"result\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The HTML report of a multi-browser run, before and after its fix, reads
/// at 390 px (a phone) and at 1200 px without anything sideways past the
/// page (tables stack or scroll in their own box), and prints to PDF.
#[test]
fn html_fits_390_and_1200_px_and_prints_to_pdf() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is missing on CI; .ci/install-browsers.sh installs it");
        }
        eprintln!("note: skipping html_fits_390_and_1200_px_and_prints_to_pdf: no chromium");
        return;
    };
    let mut r = sample_record();
    // A long undo command, as a run with its own state folder prints it.
    r.undo_command = Some(
        "troubleshoot undo 20260101-120000-abcd --state-dir /home/someone/.local/state/troubleshoot-tests/state-for-the-demo-run"
            .into(),
    );
    let mut after = r.facts.clone();
    after["scan"]["sessions"].as_array_mut().unwrap().remove(1);
    r.facts_before_fix = Some(std::mem::replace(&mut r.facts, after));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.html"),
        render(&r, Format::Html, false),
    )
    .unwrap();
    for width in [390, 1200] {
        let m = measure(&browser, dir.path(), width);
        eprintln!("{width} px: {m}");
        let (sw, cw) = (
            m["scroll_width"].as_u64().unwrap(),
            m["client_width"].as_u64().unwrap(),
        );
        assert!(cw > 0 && cw <= u64::from(width), "{m}");
        assert!(
            sw <= cw,
            "{width} px: the page is {sw} px wide in {cw} px: {m}"
        );
        assert_eq!(m["outside"], json!([]), "{width} px: {m}");
        assert!(m["commands"].as_u64().unwrap() > 0, "{m}");
        assert_eq!(
            m["broken_args"],
            json!([]),
            "{width} px: a command broken inside an argument: {m}"
        );
        assert!(m["text"].as_u64().unwrap() > 2000, "rendered: {m}");
    }
    let pdf = dir.path().join("report.pdf");
    headless(
        &browser,
        dir.path(),
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
            format!("file://{}", dir.path().join("report.html").display()),
        ],
    );
    let bytes = std::fs::read(&pdf).expect("no PDF written");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let pages = bytes
        .windows(10)
        .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
        .count();
    eprintln!("PDF: {} bytes, ~{pages} page objects", bytes.len());
    assert!(bytes.len() > 20_000, "a PDF of {} bytes", bytes.len());
}

/// A report narrates the flow its run saw: a record carrying an older
/// version of the built-in flow renders from it (its support page, its
/// graph), and a record of a changed flow that carries none is not
/// narrated with today's flow.
#[test]
fn a_report_renders_from_the_flow_version_the_run_saw() {
    let mut r = sample_record();
    let flow = r.flow.as_mut().unwrap();
    flow["support"]["title"] = json!("Support page of an older flow");
    flow["support"]["url"] = json!("https://example.test/older-help");
    let html = render(&r, Format::Html, false);
    assert!(
        html.contains("Support page of an older flow"),
        "recorded flow used"
    );
    assert!(html.contains("https://example.test/older-help"));
    assert!(!html.contains("Notion Help Center"), "not today's flow");
    assert!(html.contains("<section id=\"flow\">"), "its graph is drawn");

    // No recorded flow, and the built-in flow's text is not the one hashed.
    r.flow = None;
    let html = render(&r, Format::Html, false);
    assert!(
        !html.contains("Notion Help Center"),
        "today's flow is not narrated"
    );
    assert!(
        !html.contains("<section id=\"flow\">"),
        "no graph of another flow"
    );
    // The same record with today's hash: the built-in flow is the one.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/notion-signout.json"),
    )
    .unwrap();
    r.flow_hash = troubleshoot::digest::sha256_hex(text.as_bytes());
    let html = render(&r, Format::Html, false);
    assert!(
        html.contains("Notion Help Center"),
        "built-in flow, same hash"
    );
}
