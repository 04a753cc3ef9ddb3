//! The house plan, enforced: every module of hotline-core sits on a floor, and a module
//! may use what sits on its own floor or below, never above. Inside the store the same
//! holds for its parts. On top of that, no two modules may use each other in a circle.
//! Test code (a file's `#[cfg(test)]` module and `*_tests.rs` files) may use fixtures
//! from any floor and is not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The floors of the crate, bottom first. A module not listed here fails the test: a new
/// module is given its floor when it is added.
const FLOORS: &[(&str, &[&str])] = &[
    (
        "base",
        &[
            "error",
            "clock",
            "i18n",
            "paths",
            "validate",
            "phone",
            "local_time",
            "files",
            "sealed",
            "macros",
            "sql_value",
        ],
    ),
    (
        "rules",
        &[
            "model",
            "settings",
            "permissions",
            "search",
            "calendar",
            "sla",
            "alarms",
            "action",
            "lifecycle",
            "ticket",
            "mask",
            "slip",
            "cdr",
            "report",
            "backup",
            "auth",
            "report_file",
            "emergency",
            "complaint",
            "qa",
            "recording",
            "training",
            "attachment",
            "kb",
            "dispatch",
            "cohandling",
            "duplicates",
            "returns",
            "assessment",
            "supervision",
        ],
    ),
    ("store", &["store"]),
    ("services", &["exchange", "seed", "seed_causes", "seed_kb"]),
    ("door", &["access", "session"]),
    ("commands", &["registry"]),
];

/// The store's parts, bottom first: PostgreSQL's client (`pg`), the seam to the database
/// (`sql`), the connection, then rows and reference data, then
/// what sits on them. `store` itself (mod.rs: opening the file, the re-exports) is the
/// façade on top.
const STORE_FLOORS: &[&[&str]] = &[
    &["pg"],
    &["sql"],
    &["db", "migrate", "pg_migrate", "pg_tx"],
    &[
        "instances",
        "pg_search",
        "reference",
        "audit",
        "calendar",
        "rows",
        "queues",
        "outbox",
        "tokens",
        "presence",
        "attachments",
        "kpis",
    ],
    &[
        "sla",
        "supervision",
        "alarms",
        "notifications",
        "accounts",
        "calls",
        "listing",
        "settings",
        "drafts",
        "templates",
        "plans",
        "roster",
        "pages",
        "incident_views",
        "incidents",
        "incident_report",
        "notices",
        "complaints",
        "qa",
        "training",
        "onboarding",
        "kb",
        "dispatch",
        "co_parts",
        "returns",
        "adjustments",
    ],
    &["drill"],
    &["sqlite_backup", "pg_backup"],
    &[
        "tickets",
        "bulk",
        "report",
        "backup",
        "retention",
        "detect",
        "reviews",
        "improvements",
        "accountability",
        "complaint_report",
        "qa_report",
        "kb_views",
        "merges",
        "return_review",
        "appeals",
        "relocate",
    ],
    &["store"],
];

/// Where a module sits: (crate floor, floor inside the store).
fn floor(module: &str) -> Option<(usize, usize)> {
    let (top, sub) = match module.split_once("::") {
        Some((t, s)) => (t, Some(s)),
        None => (module, None),
    };
    let f = FLOORS.iter().position(|(_, ms)| ms.contains(&top))?;
    let inner = match (top, sub) {
        ("store", Some(s)) => STORE_FLOORS.iter().position(|ms| ms.contains(&s))?,
        ("store", None) => STORE_FLOORS.len() - 1,
        _ => 0,
    };
    Some((f, inner))
}

fn floor_name(module: &str) -> &'static str {
    floor(module).map_or("?", |(f, _)| FLOORS[f].0)
}

/// The non-test code of a source file.
fn without_tests(src: &str) -> &str {
    let mut from = 0;
    for line in src.lines() {
        let next = &src[from + line.len()..];
        let following = next.trim_start_matches('\n').trim_start();
        if line.trim() == "#[cfg(test)]"
            && (following.starts_with("mod ")
                || following.starts_with("pub(crate) mod ")
                || following.starts_with("#[path"))
        {
            return &src[..from];
        }
        from += line.len() + 1;
        if from > src.len() {
            break;
        }
    }
    src
}

/// The modules of this crate that `module`'s code names (`crate::x`, `crate::store::y`,
/// and `super::y` inside the store).
fn uses(module: &str, code: &str, store_parts: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let part = |name: &str| -> String {
        if store_parts.contains(name) {
            format!("store::{name}")
        } else {
            "store".to_string()
        }
    };
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let t = line.trim_start();
        // The store's façade declares and re-exports its parts.
        if module == "store"
            && (t.starts_with("mod ")
                || t.starts_with("pub use ")
                || t.starts_with("pub(crate) use "))
        {
            continue;
        }
        for (i, _) in line.match_indices("crate::") {
            if i > 0 && line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue; // e.g. `hotline_crate::`
            }
            let rest = &line[i + "crate::".len()..];
            let first: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if first.is_empty() {
                continue;
            }
            if first == "store" {
                let after = rest["store".len()..].strip_prefix("::").unwrap_or("");
                let second: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                out.insert(part(&second));
            } else {
                out.insert(first);
            }
        }
        if module.starts_with("store::") {
            for (i, _) in line.match_indices("super::") {
                let rest = &line[i + "super::".len()..];
                if rest.starts_with('{') {
                    // `use super::{a, b}` names items of the façade.
                    out.insert("store".into());
                    continue;
                }
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "super" {
                    out.insert(part(&name));
                }
            }
        }
    }
    out.remove(module);
    out
}

/// Every broken rule of the house plan in these files (path below `src/`, text).
fn violations(files: &[(String, String)]) -> Vec<String> {
    let module_of = |path: &str| -> Option<String> {
        let p = path.strip_suffix(".rs")?;
        if p == "lib" || p == "main" || p.ends_with("_tests") {
            return None;
        }
        let p = p.strip_suffix("/mod").unwrap_or(p);
        Some(p.replace('/', "::"))
    };
    let store_parts: BTreeSet<String> = files
        .iter()
        .filter_map(|(p, _)| module_of(p))
        .filter_map(|m| m.strip_prefix("store::").map(str::to_string))
        .collect();
    let mut problems = Vec::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, src) in files {
        let Some(module) = module_of(path) else {
            continue;
        };
        let Some(mine) = floor(&module) else {
            problems.push(format!("{module} ({path}) has no floor in FLOORS"));
            continue;
        };
        let used = uses(&module, without_tests(src), &store_parts);
        for other in &used {
            match floor(other) {
                None => problems.push(format!("{module} uses {other}, which has no floor")),
                Some(theirs) if theirs > mine => problems.push(format!(
                    "{module} (floor {}) uses {other} (floor {}): a floor may use only its own and those below",
                    floor_name(&module),
                    floor_name(other),
                )),
                _ => {}
            }
        }
        graph.insert(module, used);
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!("import cycle: {}", cycle.join(" -> ")));
    }
    problems
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut c = stack[at..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if !state.contains_key(n.as_str()) {
            if let Some(c) = visit(n, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

fn sources(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src is readable")
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            sources(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p
                .strip_prefix(base)
                .expect("below src")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).expect("utf-8 source")));
        }
    }
}

#[test]
fn every_module_uses_only_its_floor_and_below_and_nothing_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.len() > 30, "read {} files", files.len());
    let problems = violations(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself: the wrong imports this plan was written to end are caught.
#[test]
fn the_checker_catches_an_upward_import_and_a_cycle() {
    let f = |p: &str, s: &str| (p.to_string(), s.to_string());
    // The store's queues reaching up into the permission door (the old department scope).
    let upward = vec![
        f("access.rs", "use crate::store::Store;\n"),
        f("store/mod.rs", "mod queues;\npub use queues::COUNT_CAP;\n"),
        f(
            "store/queues.rs",
            "use super::db::Store;\nfn x() { crate::access::department_scope(me) }\n",
        ),
        f("store/db.rs", "use crate::error::Result;\n"),
        f("error.rs", ""),
    ];
    let p = violations(&upward);
    assert!(
        p.iter()
            .any(|m| m.starts_with("store::queues (floor store) uses access (floor door)")),
        "{p:?}"
    );
    // Inside the store: rows below tickets and alarms.
    let inner = vec![
        f("store/rows.rs", "use super::tickets::load;\n"),
        f("store/tickets.rs", "use super::rows::load;\n"),
    ];
    assert!(violations(&inner)
        .iter()
        .any(|m| m.starts_with("store::rows (floor store) uses store::tickets")));
    // Two modules of one floor using each other.
    let circle = vec![
        f("mask.rs", "use crate::cdr::CallRow;\n"),
        f("cdr.rs", "use crate::mask::Mask;\n"),
    ];
    assert!(violations(&circle)
        .iter()
        .any(|m| m.starts_with("import cycle: cdr -> mask -> cdr")));
    // Test modules may use fixtures from above.
    let tests_only = vec![
        f("store/db.rs", "use crate::error::Result;\n"),
        f(
            "auth.rs",
            "fn a() {}\n#[cfg(test)]\nmod tests {\n    use crate::store::testutil::t0;\n}\n",
        ),
    ];
    assert_eq!(violations(&tests_only), Vec::<String>::new());
    // A module without a floor.
    assert!(violations(&[f("gadget.rs", "")])[0].contains("has no floor"));
}

/// The store's parts that are SQLite's own business: the seam itself, opening the file,
/// its migrations, its backups and its bulk loading. Every other part writes SQL through
/// the seam (`store::sql`), so a second database can stand behind it.
const SQLITE_OWN: &[&str] = &[
    "store/sql.rs",
    "store/db.rs",
    "store/migrate.rs",
    "store/sqlite_backup.rs",
    "store/bulk.rs",
    "store/mod.rs",
];

#[test]
fn only_the_sqlite_parts_of_the_store_name_rusqlite() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    let named: Vec<&str> = files
        .iter()
        .filter(|(p, code)| {
            !SQLITE_OWN.contains(&p.as_str())
                && !p.ends_with("_tests.rs")
                && without_tests(code).contains("rusqlite")
        })
        .map(|(p, _)| p.as_str())
        .collect();
    assert!(
        named.is_empty(),
        "rusqlite named outside the seam: {named:?}"
    );
}
