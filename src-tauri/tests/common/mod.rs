//! What the desk's IPC tests share: one command through Tauri's IPC on the mock runtime,
//! and a centre server in-process for the connected-desk tests.
#![allow(dead_code)]

use serde_json::Value;
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub type W = tauri::WebviewWindow<tauri::test::MockRuntime>;

/// One command as the webview sends it: its result, or its `{code, message, details}`.
pub fn invoke(w: &W, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
}

pub const PASS: &str = "a long password 1";

/// A centre's store in `data` — the administrator `admin`, an `agent`, a `manager`, and
/// the lighting department with its handler `lighting`, all with `PASS` — and the server
/// on it, in-process on `rt`, with `extra` config lines (TLS unless `plain_http`). The
/// server and the lighting department's id.
pub fn centre(
    rt: &tokio::runtime::Runtime,
    data: &std::path::Path,
    extra: &str,
) -> (hotline_server::Running, i64) {
    use hotline_core::model::Role;
    std::fs::create_dir_all(data).expect("data");
    let lighting = {
        let s =
            hotline_core::Store::open(data.join("hotline.db"), Arc::new(hotline_core::SystemClock))
                .expect("store");
        let admin = s.setup_admin("admin", "管理员", PASS).expect("admin");
        let lighting = s
            .create_department(None, "lighting", "路灯管理所", None)
            .expect("dept")
            .id;
        for (login, role, dept) in [
            ("agent", Role::Agent, 1),
            ("manager", Role::Manager, 1),
            ("lighting", Role::Handler, lighting),
        ] {
            let u = s.create_user(None, login, dept, role).expect("user");
            s.set_password(&admin, u.id, login, PASS).expect("password");
        }
        lighting
    };
    let config = hotline_server::config::Config::parse(&format!(
        "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n{extra}",
        data.display()
    ))
    .expect("config");
    (
        rt.block_on(hotline_server::start(config)).expect("server"),
        lighting,
    )
}
