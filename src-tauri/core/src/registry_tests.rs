//! The registry's table: names, gates against the permission matrix for every role,
//! argument checking, and that the UI's one door reaches every entry.

use super::*;
use crate::permissions::allows;
use crate::store::testutil::store;
use serde_json::json;

struct NoDoor;

fn ctx<'a>(store: &'a Store, seat: &'a Seat) -> Ctx<'a> {
    Ctx {
        store,
        seat,
        host: &NoDoor,
    }
}

impl Host for NoDoor {
    fn data_label(&self) -> String {
        "test".into()
    }
    fn downloads(&self) -> PathBuf {
        std::env::temp_dir()
    }
    fn progress(&self, _: Progress) {}
    fn open_reports(&self) -> Result<()> {
        Ok(())
    }
}

#[test]
fn names_are_unique_and_unknown_commands_are_refused() {
    let mut names: Vec<&str> = commands().map(|c| c.name).collect();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "a command declared twice");
    let (_d, s, _c) = store();
    let seat = Seat::default();
    let ctx = ctx(&s, &seat);
    let e = call(&ctx, "drop_table", json!({})).expect_err("unknown");
    assert_eq!(e.code(), "not_found");
}

/// Every gated command × every role: the gate follows the matrix, before any argument
/// is read; a signed-out caller is refused by every command that is not public.
#[test]
fn every_command_and_role_passes_the_gate_the_matrix_gives() {
    let (_d, s, _c) = store();
    let admin = s
        .setup_admin("admin", "管理员", "admin-pass-123")
        .expect("admin");
    let seat = Seat::default();
    let ctx = ctx(&s, &seat);
    for c in commands().filter(|c| c.gate.needs_user()) {
        let e = c.call(&ctx, json!({})).expect_err("signed out");
        assert_eq!(e.code(), "unauthenticated", "{}", c.name);
    }
    for role in Role::ALL {
        let login = format!("u-{}", role.as_str());
        s.create_account(
            &admin,
            &NewAccount {
                login: login.clone(),
                name: login.clone(),
                department_id: 1,
                role: *role,
                password: "role-pass-123".into(),
            },
        )
        .expect("account");
        seat.login(&s, &login, "role-pass-123").expect("login");
        for c in commands() {
            let Gate::Perm(p) = c.gate else { continue };
            // Arguments that no command accepts: past the gate, they are refused.
            let r = c.call(&ctx, json!({ "no_such_argument": 1 }));
            let code = r.as_ref().err().map(|e| e.code());
            if allows(*role, p) {
                assert_eq!(code, Some("invalid_arguments"), "{} as {role:?}", c.name);
            } else {
                assert_eq!(code, Some("forbidden"), "{} as {role:?}", c.name);
            }
        }
    }
}

#[test]
fn arguments_arrive_in_camel_case_and_results_as_json() {
    let (_d, s, _c) = store();
    s.setup_admin("admin", "管理员", "admin-pass-123")
        .expect("admin");
    let seat = Seat::default();
    let ctx = ctx(&s, &seat);
    call(
        &ctx,
        "login",
        json!({ "login": "admin", "password": "admin-pass-123" }),
    )
    .expect("login");
    let d = call(
        &ctx,
        "create_department",
        json!({ "code": "water", "name": "水务集团", "parentId": null }),
    )
    .expect("created");
    assert_eq!(d["code"], "water");
    let e = call(&ctx, "create_department", json!({ "code": "x" })).expect_err("missing");
    assert_eq!(e.code(), "invalid_arguments");
    assert_eq!(e.details()["command"], "create_department");
    let v = call(&ctx, "vocabulary", Value::Null).expect("vocabulary");
    assert_eq!(v["satisfactions"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["actions"].as_array().map(Vec::len), Some(19));
    for unit in crate::calendar::Span::UNITS {
        let span: crate::calendar::Span =
            serde_json::from_value(json!({ "unit": unit, "amount": 1 })).expect("unit");
        assert_eq!(serde_json::to_value(span).expect("json")["unit"], *unit);
    }
}

/// `ui/js/api.js` is the UI's only door: every command of the table is reachable through
/// it, and it names no command the table does not have.
#[test]
fn the_ui_door_reaches_every_command_and_no_other() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/js");
    let api = std::fs::read_to_string(root.join("api.js")).expect("api.js");
    for c in commands() {
        assert!(
            api.contains(&format!("'{}'", c.name)),
            "api.js does not reach {}",
            c.name
        );
    }
    let named = regex::Regex::new(r"call\('([a-z_:|]+)'").expect("regex");
    for m in named.captures_iter(&api) {
        let name = &m[1];
        assert!(
            name.starts_with("plugin:") || find(name).is_some(),
            "api.js calls {name}, which no command declares"
        );
    }
}

/// Files made for the user (report exports) are delivered by the front door; the default
/// delivery writes a plain file name into the exports folder, never a path elsewhere.
#[test]
fn a_delivered_file_lands_only_under_a_plain_name() {
    struct Folder(std::path::PathBuf);
    impl Host for Folder {
        fn data_label(&self) -> String {
            String::new()
        }
        fn downloads(&self) -> PathBuf {
            self.0.clone()
        }
        fn progress(&self, _: Progress) {}
        fn open_reports(&self) -> Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().expect("dir");
    let door = Folder(dir.path().to_path_buf());
    let path = door
        .deliver("report.csv", b"a,b\n", false)
        .expect("delivered");
    assert_eq!(std::fs::read(&path).expect("read"), b"a,b\n");
    assert_eq!(
        door.deliver("report.csv", b"x", false)
            .map_err(|e| e.code())
            .err(),
        Some("file_exists")
    );
    for bad in ["../report.csv", "sub/report.csv", "/etc/passwd", ""] {
        assert_eq!(
            door.deliver(bad, b"x", true).map_err(|e| e.code()).err(),
            Some("invalid_path"),
            "{bad}"
        );
    }
}
