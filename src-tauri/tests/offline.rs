//! Intake during an outage, through Tauri's IPC against a real server behind a proxy the
//! test controls: while the server cannot be reached an agent's calls are kept on the
//! desk, sealed; everything else says it needs the server; when it is back they are sent,
//! and a send whose reply is cut on the way is sent again without creating a second ticket.

mod common;
use common::{invoke, PASS};
use hotline_desk_lib::{builder, state::Desk};
use serde_json::json;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::WebviewWindowBuilder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Passes everything.
const PASS_ALL: u8 = 0;
/// Refuses every connection (the network is down).
const DOWN: u8 = 1;
/// Forwards `intake_offline` requests to the server but cuts the connection before the
/// reply comes back: the server commits, the desk never hears.
const CUT_REPLIES: u8 = 2;

/// A TCP proxy in front of the server; changing its mode also cuts the open connections.
struct Proxy {
    mode: Arc<AtomicU8>,
    open: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    cut: Arc<Mutex<u32>>,
}

impl Proxy {
    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        for h in self.open.lock().expect("open").drain(..) {
            h.abort();
        }
    }
}

async fn proxy(to: std::net::SocketAddr) -> (String, Proxy) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let p = Proxy {
        mode: Arc::new(AtomicU8::new(PASS_ALL)),
        open: Arc::default(),
        cut: Arc::default(),
    };
    let (mode, open, cut) = (p.mode.clone(), p.open.clone(), p.cut.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            if mode.load(Ordering::SeqCst) == DOWN {
                continue;
            }
            let (mode, cut) = (mode.clone(), cut.clone());
            let task = tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(to).await else {
                    return;
                };
                let mut first = vec![0u8; 64 * 1024];
                let Ok(n) = client.read(&mut first).await else {
                    return;
                };
                let cutting = mode.load(Ordering::SeqCst) == CUT_REPLIES
                    && first[..n].starts_with(b"POST /api/v1/intake_offline");
                if server.write_all(&first[..n]).await.is_err() {
                    return;
                }
                if cutting {
                    // Whatever the server answers is lost with the connection.
                    let mut reply = [0u8; 1];
                    let _ = server.read(&mut reply).await;
                    *cut.lock().expect("cut") += 1;
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
            open.lock().expect("open").push(task.abort_handle());
        }
    });
    (format!("http://{addr}"), p)
}

#[test]
fn calls_logged_in_an_outage_are_kept_and_sent_once() {
    let dir = tempfile::tempdir().expect("tmp");
    std::env::set_var("HOME", dir.path());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (server, _) = common::centre(&rt, &dir.path().join("centre"), "plain_http = true\n");
    let to: std::net::SocketAddr = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let (address, proxy) = rt.block_on(proxy(to));

    let local = dir.path().join("desk/hotline.db");
    let app = builder(
        mock_builder(),
        Desk::configured(&local, dir.path().join("connection.json")),
    )
    .build(mock_context(noop_assets()))
    .expect("app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let setup = json!({ "setup": { "mode": "server", "address": address, "login": "admin", "password": PASS } });
    invoke(&w, "set_connection", setup).expect("connected");
    invoke(&w, "login", json!({ "login": "agent", "password": PASS })).expect("login");
    let call = |phone: &str| json!({ "ticket": { "caller_name": "张三", "phone": phone, "description": "停水", "category": "help_request" }, "then": null });

    // The network goes down: calls are kept here; the rest needs the server.
    proxy.set(DOWN);
    for phone in ["13812345678", "13912345678"] {
        let kept = invoke(&w, "intake", call(phone)).expect("kept");
        assert_eq!(kept["offline"], true, "{kept}");
    }
    let e = invoke(&w, "queue_counts", json!({})).expect_err("needs the server");
    assert_eq!(e["code"], "needs_server");
    let waiting = invoke(&w, "offline_outbox", json!({})).expect("outbox");
    assert_eq!(waiting.as_array().map(Vec::len), Some(2));
    assert!(waiting
        .as_array()
        .expect("list")
        .iter()
        .all(|e| e["state"] == "waiting"));
    assert_eq!(waiting[0]["phone"], "138****5678", "masked in the list");
    // Sealed on disk: no caller's number in the clear.
    let files: Vec<_> = std::fs::read_dir(local.parent().expect("dir").join("offline"))
        .expect("offline folder")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(files[0].path()).expect("read");
    assert!(!String::from_utf8_lossy(&raw).contains("13812345678"));

    // The server is back but the first reply is cut on its way: the server has the call,
    // the desk does not know; it sends again and gets the same ticket.
    proxy.set(CUT_REPLIES);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while *proxy.cut.lock().expect("cut") == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(*proxy.cut.lock().expect("cut"), 1, "a reply was cut");
    proxy.set(PASS_ALL);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut sent = json!([]);
    while std::time::Instant::now() < deadline {
        sent = invoke(&w, "offline_outbox", json!({})).expect("outbox");
        if sent
            .as_array()
            .expect("list")
            .iter()
            .all(|e| e["state"] == "sent")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let numbers: Vec<&str> = sent
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["number"].as_str())
        .collect();
    assert_eq!(numbers.len(), 2, "{sent}");
    assert_ne!(numbers[0], numbers[1]);
    // No duplicate, no loss: exactly the two calls on the server.
    let page = invoke(&w, "list_tickets", json!({ "query": {} })).expect("list");
    assert_eq!(page["total"], 2, "{page}");
    server.handle.shutdown();
}
