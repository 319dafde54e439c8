//! No import cycles among the modules of `src/`: at the top level (`flow`,
//! `probe`, `readers`, …) and among the files of one folder (`probe::scan`,
//! `probe::chromium`, …), so each room can be read, tested and changed
//! from the bottom up.
//!
//! How: every file under `src/` (not `main.rs`, the binary is a crate of its
//! own) is read with its comments, strings and `#[cfg(test)]` items blanked
//! out. Its `use` trees and its `crate::…`/`super::…`/`self::…` paths are
//! resolved to the module that defines the item, following `use` and
//! `pub use` (globs too) through the modules on the way, so `crate::Error`
//! is `error` and a `super::Foo` that the parent re-exports is the sibling
//! that defines it. A use of module `a::b::c` from `a::d::e` is an edge
//! `a::d -> a::b`: between the two children of their deepest common
//! ancestor. A module using its parent or its child is not an edge (the
//! parent is its children's namespace). Cycles are the strongly connected
//! components of that graph.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

#[test]
fn no_import_cycles_among_src_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_tree(&root, &root, &mut files);
    assert!(files.len() > 50, "read {} files under src/", files.len());
    let found = cycles(&files);
    let text: Vec<String> = found.iter().map(Cycle::to_string).collect();
    assert!(
        found.is_empty(),
        "import cycles among src/ modules:\n{}",
        text.join("\n")
    );
}

/// The README's architecture section names every top-level module, so the
/// map of the rooms cannot fall behind the tree.
#[test]
fn the_readme_architecture_names_every_top_level_module() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let start = readme
        .find("### Architecture")
        .expect("README has an architecture section");
    let rest = &readme[start + 3..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut missing = Vec::new();
    for e in std::fs::read_dir(dir.join("src")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let shown = if e.file_type().unwrap().is_dir() {
            format!("`{name}/`")
        } else if name == "lib.rs" {
            continue;
        } else {
            format!("`{name}`")
        };
        if !section.contains(&shown) {
            missing.push(shown);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "README.md's architecture section does not name {}",
        missing.join(", ")
    );
}

#[test]
fn a_cycle_is_found_and_named_with_the_uses_that_make_it() {
    let files = toy(&[
        (
            "lib.rs",
            "pub mod a;\npub mod b;\npub mod c;\npub use b::Thing;",
        ),
        ("a.rs", "use crate::Thing;\npub struct A;"),
        // `b` reaches `a` through a re-export in `c` and a glob.
        ("b/mod.rs", "pub mod inner;\npub use inner::*;"),
        ("b/inner.rs", "pub struct Thing(crate::c::Again);"),
        ("c.rs", "pub use crate::a::A as Again;"),
    ]);
    let found = cycles(&files);
    assert_eq!(found.len(), 1, "{found:?}");
    // `c` only passes `A` on: the use is of `a`.
    assert_eq!(found[0].modules, ["a", "b"]);
    let text = found[0].to_string();
    assert!(text.contains("a -> b"), "{text}");
    assert!(text.contains("b -> a"), "{text}");
    assert!(text.contains("src/a.rs: crate::Thing"), "{text}");
    assert!(text.contains("src/b/inner.rs: crate::c::Again"), "{text}");
}

#[test]
fn siblings_are_checked_and_tests_comments_strings_and_parents_are_not_edges() {
    let files = toy(&[
        ("lib.rs", "pub mod p;"),
        (
            "p/mod.rs",
            "pub mod x;\npub mod y;\npub use x::X;\nuse crate::p::y::Y;\npub struct P;",
        ),
        ("p/x.rs", "use super::{P, y::Y};\npub struct X;"),
        (
            "p/y.rs",
            concat!(
                "pub struct Y;\n",
                "// use super::x::X;\n",
                "/* crate::p::x::X */\n",
                "const S: &str = \"crate::p::x::X\";\n",
                "const R: &str = r#\"super::X\"#;\n",
                "fn f<'a>(c: char) -> bool { c == '\\'' || c == '\"' }\n",
                "#[cfg(test)]\nmod tests { use super::super::X; }\n",
                "#[cfg(test)]\nmod more;\n",
            ),
        ),
        ("p/y/more.rs", "use crate::p::X;"),
    ]);
    assert_eq!(cycles(&files), Vec::new());
    // The same use outside a test module makes the cycle x <-> y.
    let mut files = files;
    files[3].1.push_str("fn g(_: super::X) {}\n");
    let found = cycles(&files);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].modules, ["p::x", "p::y"]);
}

fn toy(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

/// Every `.rs` file under `dir`: (path relative to `root`, text).
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_tree(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

type Module = Vec<String>;

/// A `use` of a path, as written, and the name it binds (`None`: a glob).
type Use = (Vec<String>, Option<String>);

#[derive(Debug, PartialEq)]
struct Cycle {
    /// The modules in the cycle, sorted.
    modules: Vec<String>,
    /// One way around it, from the first module back to it, each step with
    /// a use that makes it.
    steps: Vec<(String, String, String)>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "cycle {}:", self.modules.join(", "))?;
        for (from, to, why) in &self.steps {
            writeln!(f, "  {from} -> {to}   ({why})")?;
        }
        Ok(())
    }
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// One parsed file.
struct File {
    path: String,
    /// Comments, strings and test items blanked out, `use` items too.
    code: String,
    uses: Vec<Use>,
    /// Names the file defines (`fn`, `struct`, `mod`, …).
    defines: BTreeSet<String>,
}

/// The import cycles of the crate made of `files` (path under `src/`, text).
fn cycles(files: &[(String, String)]) -> Vec<Cycle> {
    // Parse every file, leaving out the test modules' files.
    let mut parsed: BTreeMap<Module, File> = BTreeMap::new();
    let mut test_only: Vec<Module> = Vec::new();
    for (path, text) in files {
        let Some(module) = module_of(path) else {
            continue;
        };
        let (code, tests) = without_tests(&strip(text));
        test_only.extend(
            tests
                .into_iter()
                .map(|t| [module.clone(), vec![t]].concat()),
        );
        let (code, uses) = take_uses(&code);
        let defines = definitions(&code);
        let file = File {
            path: format!("src/{path}"),
            code,
            uses,
            defines,
        };
        parsed.insert(module, file);
    }
    parsed.retain(|m, _| !test_only.iter().any(|t| m.starts_with(t)));
    let crate_ = Crate { files: &parsed };

    // Module-to-module uses, then between the siblings under their deepest
    // common ancestor.
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (from, file) in &parsed {
        let written = file
            .uses
            .iter()
            .map(|(p, _)| p.clone())
            .chain(code_paths(&file.code));
        for path in written {
            let Some(to) = crate_
                .absolute(from, &path)
                .and_then(|p| crate_.resolve(&p, 0))
            else {
                continue;
            };
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue;
            }
            let a = name(&from[..=common]);
            let b = name(&to[..=common]);
            edges
                .entry(a)
                .or_default()
                .entry(b)
                .or_insert_with(|| format!("{}: {}", file.path, path.join("::")));
        }
    }
    strongly_connected(&edges)
        .into_iter()
        .map(|modules| {
            let steps = way_around(&edges, &modules);
            Cycle { modules, steps }
        })
        .collect()
}

/// `flow/engine.rs` -> `flow::engine`; `lib.rs` -> the root; `main.rs`
/// (the binary's own crate) -> none.
fn module_of(path: &str) -> Option<Module> {
    let stem = path.strip_suffix(".rs")?;
    let mut m: Module = stem.split('/').map(str::to_string).collect();
    match m.last().map(String::as_str) {
        Some("main") if m.len() == 1 => return None,
        Some("lib") if m.len() == 1 => m.clear(),
        Some("mod") => {
            m.pop();
        }
        _ => {}
    }
    Some(m)
}

struct Crate<'a> {
    files: &'a BTreeMap<Module, File>,
}

impl Crate<'_> {
    /// A path as written in `at` made absolute (segments from the root), or
    /// `None` when it leaves the crate (`std::…`, `serde::…`).
    fn absolute(&self, at: &Module, path: &[String]) -> Option<Module> {
        let mut base = at.clone();
        let mut rest = path;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                base.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
            }
            // A child module of `at` (`pub use engine::Need;` in `flow`).
            Some(first)
                if self
                    .files
                    .contains_key(&[at.clone(), vec![first.into()]].concat()) => {}
            _ => return None,
        }
        Some([base, rest.to_vec()].concat())
    }

    /// The module that defines what `path` names: the longest prefix that
    /// is a module, or, when the next segment is a name it imports, where
    /// that import leads.
    fn resolve(&self, path: &[String], depth: usize) -> Option<Module> {
        let n = (0..=path.len())
            .rev()
            .find(|&n| self.files.contains_key(&path[..n]))?;
        let module = path[..n].to_vec();
        let Some(item) = path.get(n) else {
            return Some(module);
        };
        if depth > 16 {
            return Some(module);
        }
        let file = &self.files[&module];
        if file.defines.contains(item) {
            return Some(module);
        }
        let follow = |target: Module| {
            let target = [target, path[n + 1..].to_vec()].concat();
            self.resolve(&target, depth + 1)
        };
        for (used, bound) in &file.uses {
            if bound.as_deref() == Some(item.as_str()) {
                return self.absolute(&module, used).and_then(follow);
            }
        }
        for (used, bound) in &file.uses {
            if bound.is_none()
                && let Some(glob) = self.absolute(&module, used)
                && glob != module
                && self.files.get(&glob).is_some_and(|g| {
                    g.defines.contains(item) || g.uses.iter().any(|(_, b)| b.as_ref() == Some(item))
                })
            {
                return follow([glob, vec![item.clone()]].concat());
            }
        }
        Some(module)
    }
}

/// Blank out comments, string and char literals (their text is not code).
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, from: usize, to: usize| {
        out.extend(std::iter::repeat_n(' ', to - from));
    };
    while i < b.len() {
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i..].starts_with(b"//") {
            let end = src[i..].find('\n').map_or(b.len(), |e| i + e);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let (mut j, mut depth) = (i, 0);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j.min(b.len()));
            i = j.min(b.len());
        } else if !ident_before && raw_string_at(b, i).is_some() {
            let (open, hashes) = raw_string_at(b, i).unwrap_or_default();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let end = (open..b.len())
                .find(|&j| b[j..].starts_with(&close))
                .map_or(b.len(), |j| j + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\''), else a lifetime.
            let end = if b.get(i + 1) == Some(&b'\\') {
                (i + 3..b.len()).find(|&j| b[j] == b'\'').map(|j| j + 1)
            } else {
                let c = src[i + 1..].chars().next().map_or(0, char::len_utf8);
                (b.get(i + 1 + c) == Some(&b'\'')).then_some(i + 2 + c)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = src[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// At `r"`, `r#"`, `br"`…: (index after the opening quote, number of `#`).
fn raw_string_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if b.get(j) == Some(&b'b') {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    j += hashes;
    (b.get(j) == Some(&b'"')).then_some((j + 1, hashes))
}

/// Blank out every `#[cfg(test)]` item; the names of the test modules kept
/// in files of their own (`#[cfg(test)] mod tests;`).
fn without_tests(code: &str) -> (String, Vec<String>) {
    let mut code = code.to_string();
    let mut files = Vec::new();
    while let Some(at) = code.find("#[cfg(test)]") {
        let b = code.as_bytes();
        let body = at + "#[cfg(test)]".len();
        let stop = (body..b.len()).find(|&j| b[j] == b';' || b[j] == b'{');
        let end = match stop {
            Some(j) if b[j] == b';' => {
                let item = tokens(&code[body..j]);
                if let [.., m, name] = item.as_slice()
                    && m == "mod"
                {
                    files.push(name.clone());
                }
                j + 1
            }
            Some(j) => matching_brace(b, j),
            None => b.len(),
        };
        code.replace_range(at..end, &" ".repeat(end - at));
    }
    (code, files)
}

/// The index after the `}` closing the `{` at `open`.
fn matching_brace(b: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (j, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    b.len()
}

/// Identifiers and the punctuation of paths and use trees.
fn tokens(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(code[start..i].to_string());
        } else if b[i..].starts_with(b"::") {
            out.push("::".into());
            i += 2;
        } else {
            if !c.is_ascii_whitespace() && c.is_ascii() {
                out.push((c as char).to_string());
            }
            i += code[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Take the `use` items out of `code`: the code without them, and each
/// path they import with the name it binds.
fn take_uses(code: &str) -> (String, Vec<Use>) {
    let mut rest = code.to_string();
    let mut uses = Vec::new();
    let mut from = 0;
    while let Some(found) = rest[from..].find("use") {
        let at = from + found;
        from = at + 3;
        let b = rest.as_bytes();
        let before_ok = at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_');
        let after_ok = b.get(at + 3).is_some_and(|c| c.is_ascii_whitespace());
        if !(before_ok && after_ok) {
            continue;
        }
        let Some(len) = rest[at..].find(';') else {
            break;
        };
        let end = at + len + 1;
        let t = tokens(&rest[at + 3..end - 1]);
        let mut i = 0;
        use_tree(&t, &mut i, Vec::new(), &mut uses);
        rest.replace_range(at..end, &" ".repeat(end - at));
    }
    (rest, uses)
}

fn use_tree(t: &[String], i: &mut usize, mut path: Vec<String>, out: &mut Vec<Use>) {
    while let Some(tok) = t.get(*i) {
        match tok.as_str() {
            "::" => *i += 1,
            "{" => {
                *i += 1;
                while t.get(*i).is_some_and(|x| x != "}") {
                    use_tree(t, i, path.clone(), out);
                    if t.get(*i).is_some_and(|x| x == ",") {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            "*" => {
                *i += 1;
                out.push((path, None));
                return;
            }
            "," | "}" => return,
            id => {
                let id = id.to_string();
                *i += 1;
                if t.get(*i).is_some_and(|x| x == "::") {
                    path.push(id);
                    continue;
                }
                let mut bound = match id.as_str() {
                    "self" => path.last().cloned().unwrap_or_default(),
                    _ => {
                        path.push(id.clone());
                        id
                    }
                };
                if t.get(*i).is_some_and(|x| x == "as") {
                    bound = t.get(*i + 1).cloned().unwrap_or_default();
                    *i += 2;
                }
                out.push((path, Some(bound)));
                return;
            }
        }
    }
}

/// Names a file defines at any depth (`fn`, `struct`, `mod`, …): enough
/// to tell a glob import's items.
fn definitions(code: &str) -> BTreeSet<String> {
    let t = tokens(code);
    t.windows(2)
        .filter(|w| {
            matches!(
                w[0].as_str(),
                "fn" | "struct" | "enum" | "trait" | "type" | "const" | "static" | "union" | "mod"
            )
        })
        .map(|w| w[1].clone())
        .collect()
}

/// The `crate::…`, `super::…` and `self::…` paths in code outside `use`.
fn code_paths(code: &str) -> Vec<Vec<String>> {
    let t = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let starts = matches!(t[i].as_str(), "crate" | "super" | "self")
            && t.get(i + 1).is_some_and(|x| x == "::")
            && (i == 0 || t[i - 1] != "::");
        if !starts {
            i += 1;
            continue;
        }
        let mut path = vec![t[i].clone()];
        i += 1;
        while t.get(i).is_some_and(|x| x == "::")
            && t.get(i + 1)
                .is_some_and(|x| x.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        {
            path.push(t[i + 1].clone());
            i += 2;
        }
        out.push(path);
    }
    out
}

/// Tarjan's strongly connected components of more than one node, each
/// sorted, in the order of their first node.
fn strongly_connected(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<&'a str, (usize, usize)>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, (n, n));
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flat_map(|m| m.keys()) {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let low = s.index[w.as_str()].1.min(s.index[v].1);
                s.index.get_mut(v).unwrap().1 = low;
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.index[w.as_str()].0.min(s.index[v].1);
                s.index.get_mut(v).unwrap().1 = low;
            }
        }
        if s.index[v].0 == s.index[v].1 {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                scc.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                s.out.push(scc);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// The shortest way from the first module of `scc` back to it, with the
/// use behind each step.
fn way_around(
    edges: &BTreeMap<String, BTreeMap<String, String>>,
    scc: &[String],
) -> Vec<(String, String, String)> {
    let start = &scc[0];
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in edges[v].keys().filter(|w| scc.contains(w)) {
            if w == start {
                let mut way = vec![(v.clone(), w.clone(), edges[v][w].clone())];
                let mut at = v;
                while at != start {
                    let prev = came_from[at];
                    way.push((prev.clone(), at.clone(), edges[prev][at].clone()));
                    at = prev;
                }
                way.reverse();
                return way;
            }
            if !came_from.contains_key(w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    Vec::new()
}
