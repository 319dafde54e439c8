//! What the planners of session actions share: the `session` parameter,
//! the session's store and who owns it, and the Local Storage keys it holds
//! in the store as it is now.

use std::path::{Path, PathBuf};

use crate::fix::error::FixError;
use crate::fix::{fsx, stores};
use crate::flow::catalog::{ParamDef, ParamKind};
use crate::flow::engine::FixCall;
use crate::probe::sessions::{LsItem, session_keys};
use crate::probe::{AppSpec, Home, Session, Source, StoreKind};
use crate::readers::leveldb::decode_string;

/// The `session` parameter: a fact holding one session from the scan.
pub(super) const SESSION: ParamDef = ParamDef {
    name: "session",
    kind: ParamKind::Fact,
    required: true,
};

/// The session a fix step names, as the scan found it.
pub(super) fn session_param(call: &FixCall) -> Result<Session, FixError> {
    let bad = |message: String| FixError::BadParams {
        action: call.action.clone(),
        param: "session".into(),
        message,
    };
    let v = call
        .params
        .get("session")
        .ok_or_else(|| bad("missing; it must name a fact holding one session".into()))?;
    serde_json::from_value::<Session>(v.clone())
        .map_err(|e| bad(format!("not a session from the scan ({e})")))
}

/// The owner's process names besides the browser table's: a desktop app
/// session's (none for a browser session).
pub(super) fn owner_processes(session: &Session, spec: &AppSpec) -> Vec<String> {
    match (session.source, &spec.desktop) {
        (Source::Desktop, Some(d)) => {
            let mut p = d.processes.clone();
            if p.is_empty() {
                p.push(d.folder.clone());
            }
            p
        }
        (Source::Desktop, None) => vec![session.browser.clone()],
        _ => Vec::new(),
    }
}

/// The session's store, refused unless it lies under the home.
pub(super) fn store_path_of(session: &Session, home: &Home) -> Result<PathBuf, FixError> {
    let p = PathBuf::from(&session.store_path);
    fsx::check_under(&home.root, &p)?;
    Ok(p)
}

/// "Chrome, profile Default" or "the Notion desktop app": where a session is.
pub(super) fn where_(session: &Session) -> String {
    if session.source == Source::Desktop {
        format!("the {} desktop app", session.browser)
    } else {
        format!("{}, profile {}", session.browser, session.profile)
    }
}

/// The Local Storage entries of `origin` in a LevelDB snapshot, as the
/// session model reads them.
pub(super) fn snapshot_items(
    snap: &stores::LdbSnapshot,
    store: &Path,
    origin: &str,
) -> Vec<LsItem> {
    snap.iter()
        .filter_map(|(raw, value)| {
            let (o, key) = stores::decode_entry_key(raw)?;
            (o == origin).then(|| LsItem {
                origin: o,
                key,
                value: decode_string(value),
                store_path: store.to_string_lossy().into_owned(),
                kind: StoreKind::ChromiumLeveldb,
            })
        })
        .collect()
}

/// The Local Storage entries of a Firefox LSNG database (all of `origin`),
/// as the session model reads them.
pub(super) fn lsng_items(
    db: &Path,
    origin: &str,
    store_path: &str,
) -> Result<Vec<LsItem>, FixError> {
    let rows = crate::readers::sqlite::read_lsng(db).map_err(|e| FixError::store(db, e.reason))?;
    Ok(rows
        .into_iter()
        .map(|(key, value)| LsItem {
            origin: origin.to_string(),
            key,
            value,
            store_path: store_path.to_string(),
            kind: StoreKind::FirefoxLsng,
        })
        .collect())
}

/// "workspace Acme Corp of account u-1": whose keys a plan deletes.
pub(super) fn session_note(session: &Session) -> String {
    // The label already says "workspace …" when it is no name.
    let ws = if session.workspace_label.is_empty() {
        format!("workspace {}", session.workspace_id)
    } else {
        session.workspace_label.clone()
    };
    let account = if session.account_label.is_empty() {
        session.user_id.clone()
    } else {
        Some(session.account_label.clone())
    };
    match account {
        Some(a) => format!("{ws} of {}", with_account_word(&a)),
        None => ws,
    }
}

/// "account 0f8fad5b" stays as it is; an email or a name gets the word.
fn with_account_word(label: &str) -> String {
    if label.starts_with("account ") {
        label.to_string()
    } else {
        format!("account {label}")
    }
}

/// The keys to delete for `session` in the store as it is now: the keys
/// the scan listed, and every key the flow's patterns match for that
/// workspace and account (written since the scan, or in the other spelling).
pub(super) fn session_keys_now(session: &Session, spec: &AppSpec, items: &[LsItem]) -> Vec<String> {
    let mut keys: Vec<String> = session
        .keys
        .iter()
        .filter(|k| items.iter().any(|i| &i.key == *k))
        .cloned()
        .collect();
    for k in session_keys(
        spec,
        items,
        &session.workspace_id,
        session.user_id.as_deref(),
    ) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort();
    keys
}
