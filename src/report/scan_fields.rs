//! The scan fields the report code names, each named once here.
//!
//! They belong to the `app-sessions` probe: its output (`scan --json`,
//! schema 1, [`crate::probe::ScanReport`]) is a public contract, the same
//! for every app, so a field keeps its name whatever the flow's `terms`
//! call the thing it holds. That is why `app_cookies` still carries the
//! name of the first app it was written for: renaming it is a change of the
//! scan's schema, not of a report. The report's words come from the
//! flow's `terms`; only these keys come from the probe.

/// A session's workspace id (the id the flows' session questions answer with).
pub const WORKSPACE_ID: &str = "workspace_id";
/// The workspace's name, where a local cache names it.
pub const WORKSPACE_NAME: &str = "workspace_name";
/// The workspace's name, else its id: for prose.
pub const WORKSPACE_LABEL: &str = "workspace_label";
/// The names (never the values) of the app's cookies in a browser profile
/// or the desktop app.
pub const APP_COOKIES: &str = "app_cookies";

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are the probe's own: its types serialise them
    /// (`workspace_label` is only on a `Session`, which the report tests
    /// build and render).
    #[test]
    fn the_names_are_the_probes() {
        let app = serde_json::to_value(crate::probe::DesktopApp::default()).unwrap();
        assert!(app.get(APP_COOKIES).is_some(), "{app}");
        let seen = serde_json::to_value(crate::probe::model::WorkspaceSeen {
            workspace_id: String::new(),
            workspace_name: None,
            short_id: None,
            label: String::new(),
            sources: Vec::new(),
        })
        .unwrap();
        assert!(seen.get(WORKSPACE_ID).is_some(), "{seen}");
        assert!(seen.get(WORKSPACE_NAME).is_some(), "{seen}");
    }
}
