//! The desktop app's local cache (`notion.db`) as a source of names for
//! every store: a workspace id or an account id is the same in a browser
//! profile and in the app, so the app's `space` names and `notion_user`
//! emails and names label them everywhere (issue 23: "names from
//! notion.db"). Read once, before the browsers are scanned.

use std::collections::BTreeMap;

use super::ctx::{Ctx, Names};
use super::pattern::normalize_id;
use crate::readers::sqlite::{read_names, read_rows};

/// The cache's names, or `None` when the spec names no cache or the app
/// has none. A table that cannot be read is a warning.
pub(crate) fn load(ctx: &mut Ctx<'_>) -> Option<Names> {
    let desktop = ctx.spec.desktop.clone()?;
    let db = desktop.database?;
    let path = ctx
        .home
        .roaming_app_data()
        .join(&desktop.folder)
        .join(&db.path);
    path.symlink_metadata().ok()?;
    let t = &db.spaces;
    let spaces = match read_names(&path, t.table.as_str(), t.id.as_str(), t.name.as_str()) {
        Ok(names) => names
            .into_iter()
            .map(|(k, v)| (normalize_id(&k), v))
            .collect(),
        Err(e) => {
            ctx.warn_store(e);
            BTreeMap::new()
        }
    };
    let mut people = BTreeMap::new();
    if let Some(t) = &db.users {
        let cols = [t.id.as_str(), t.email.as_str(), t.name.as_str()];
        match read_rows(&path, t.table.as_str(), &cols) {
            Ok(rows) => {
                for r in rows {
                    if let Some(Some(id)) = r.first() {
                        let email = r.get(1).cloned().flatten();
                        let name = r.get(2).cloned().flatten();
                        people.insert(normalize_id(id), (email, name));
                    }
                }
            }
            Err(e) => ctx.warn_store(e),
        }
    }
    Some(Names {
        spaces,
        people,
        source: format!("{} {} names", db.path, t.table.as_str()),
    })
}
