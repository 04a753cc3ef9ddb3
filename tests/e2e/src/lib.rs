//! Harness for end-to-end tests through the built desktop app: starts tauri-driver
//! (which drives WebKitWebDriver) with the app on a given data file, in a private
//! XDG home, and offers a few helpers keyed on `data-testid`.
//!
//! Run under a display and a session bus, as the README's test command does:
//! `xvfb-run -a dbus-run-session -- cargo test -p hotline-e2e -- --test-threads=1`.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Map, Value};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// The workspace's target directory, from where this test binary runs.
/// Every account the tests create signs in with this.
pub const PASSWORD: &str = "e2e-pass-123";

/// The first-run administrator (login `admin`), created in the store as setup would.
pub fn admin(store: &hotline_core::Store) -> Result<hotline_core::model::User> {
    if store.needs_setup()? {
        return Ok(store.setup_admin("admin", "管理员", PASSWORD)?);
    }
    Ok(store.first_admin()?)
}

/// Gives an existing user the sign-in `login` with `PASSWORD`.
pub fn account(store: &hotline_core::Store, user_id: i64, login: &str) -> Result {
    let a = admin(store)?;
    store.set_password(&a, user_id, login, PASSWORD)?;
    Ok(())
}

fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/debug/deps/<test> -> target/debug
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The text of a PDF as `pdftotext` reads it, whitespace removed (CJK text comes out with
/// spaces between letter-spaced characters). Some ideographs come back as their Kangxi
/// radical look-alikes (比 as ⽐, 工 as ⼯): compare text without those.
pub fn pdf_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path)?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(format!("{} is not a PDF", path.display()).into());
    }
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .map_err(|e| format!("pdftotext (apt-get install poppler-utils): {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect())
}

/// A call as the tests log it: by phone, general, normal urgency, named, no e-mail or
/// address; override fields with `NewTicket { .., ..phone_call(..) }`.
pub fn phone_call(
    caller: &str,
    phone: &str,
    description: &str,
    category: &str,
) -> hotline_core::NewTicket {
    hotline_core::NewTicket {
        caller_name: caller.into(),
        phone: phone.into(),
        description: description.into(),
        category: category.into(),
        occurred_at: None,
        channel: hotline_core::model::Channel::Phone,
        severity: hotline_core::model::Severity::General,
        urgency: hotline_core::model::Urgency::Normal,
        email: None,
        address: None,
        anonymous: false,
        withheld: false,
    }
}

/// WebKitWebDriver lost the element: the page re-rendered it (worth finding again).
fn stale(e: &fantoccini::error::CmdError) -> bool {
    matches!(e, fantoccini::error::CmdError::Standard(w)
        if w.error == fantoccini::error::ErrorStatus::StaleElementReference)
}

pub fn app_binary() -> PathBuf {
    std::env::var_os("HOTLINE_DESK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("hotline-desk"))
}

/// Where screenshots go: `tests/artifacts/` in the repository.
pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("artifacts");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn which(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(home)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The Notify calls on the session bus (every desk of a test shares it), one string per
/// call as `dbus-monitor` prints it, collected while the returned process runs.
pub fn notify_monitor() -> Result<(Child, std::sync::Arc<std::sync::Mutex<Vec<String>>>)> {
    use std::io::BufRead;
    let mut child = Command::new("dbus-monitor")
        .args([
            "--session",
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("dbus-monitor: {e} (apt-get install dbus)"))?;
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let out = child.stdout.take().ok_or("no stdout")?;
    let sink = calls.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            let mut calls = sink.lock().unwrap_or_else(|p| p.into_inner());
            if line.starts_with("method call") {
                calls.push(String::new());
            }
            if let Some(last) = calls.last_mut() {
                last.push_str(&line);
                last.push('\n');
            }
        }
    });
    Ok((child, calls))
}

/// A running `hotline-server` (the real process, over TLS on loopback), stopped when
/// dropped.
pub struct CentreServer {
    child: Child,
    /// `127.0.0.1:PORT`
    pub address: String,
    /// As the server printed it.
    pub fingerprint: String,
}

impl CentreServer {
    /// Starts the server over `data_dir` (its certificate), its store the PostgreSQL
    /// database `store` or, with none, `data_dir`'s `hotline.db`.
    pub fn start(data_dir: &Path, store: Option<&str>) -> Result<CentreServer> {
        use std::io::BufRead;
        let bin = target_dir().join("hotline-server");
        if !bin.is_file() {
            return Err(format!(
                "{} missing: cargo build -p hotline-server first",
                bin.display()
            )
            .into());
        }
        let config = data_dir.join("server.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\n{}",
                data_dir.display(),
                store
                    .map(|s| format!("store = \"{s}\"\n"))
                    .unwrap_or_default()
            ),
        )?;
        let mut child = Command::new(bin)
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::piped())
            .spawn()?;
        let mut out = std::io::BufReader::new(child.stdout.take().ok_or("stdout")?);
        let (mut first, mut second) = (String::new(), String::new());
        out.read_line(&mut first)?;
        out.read_line(&mut second)?;
        let address = first
            .trim()
            .strip_prefix("listening on https://")
            .ok_or_else(|| format!("unexpected: {first}"))?
            .to_string();
        let fingerprint = second
            .trim()
            .strip_prefix("certificate fingerprint ")
            .ok_or_else(|| format!("unexpected: {second}"))?
            .to_string();
        Ok(CentreServer {
            child,
            address,
            fingerprint,
        })
    }

    /// A desk's connection file for this server, its certificate already confirmed.
    pub fn connection_file(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join("connection.json");
        let c = json!({ "server": { "address": self.address, "fingerprint": self.fingerprint } });
        std::fs::write(&path, c.to_string())?;
        Ok(path)
    }
}

impl Drop for CentreServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Desk {
    pub client: Client,
    driver: Child,
    _home: tempfile::TempDir,
}

impl Desk {
    /// Starts the app on `db` and waits until the desk has rendered.
    pub async fn launch(db: &Path) -> Result<Desk> {
        Self::launch_with(db, None, &[]).await
    }

    /// Starts the app connected as the connection file `connection` says (a centre server).
    pub async fn launch_connected(db: &Path, connection: &Path) -> Result<Desk> {
        let path = connection.display().to_string();
        Self::launch_with(db, None, &[("HOTLINE_CONNECTION", path.as_str())]).await
    }

    /// Launches at a window size the app sets itself (`HOTLINE_WINDOW_SIZE`): resizing
    /// through WebDriver waits on a window manager that Xvfb does not have, and now and
    /// then never returns.
    pub async fn launch_sized(db: &Path, login: &str, (w, h): (u32, u32)) -> Result<Desk> {
        let desk = Self::launch_with(db, Some((w, h)), &[]).await?;
        desk.until("the window size", || async {
            Ok(desk.js("return window.innerWidth").await? == w)
        })
        .await?;
        desk.login(login, PASSWORD).await?;
        Ok(desk)
    }

    async fn launch_with(
        db: &Path,
        size: Option<(u32, u32)>,
        env: &[(&str, &str)],
    ) -> Result<Desk> {
        if std::env::var_os("DISPLAY").is_none() {
            return Err("no DISPLAY: run the end-to-end tests under xvfb-run (see README)".into());
        }
        let app = app_binary();
        if !app.is_file() {
            return Err(format!(
                "{} missing: cargo build -p hotline-desk first",
                app.display()
            )
            .into());
        }
        let driver_bin = which("tauri-driver")
            .ok_or("tauri-driver not found: cargo install tauri-driver --locked")?;
        let native = which("WebKitWebDriver")
            .ok_or("WebKitWebDriver not found: apt-get install webkit2gtk-driver")?;
        let home = tempfile::tempdir()?;
        for d in ["data", "cache", "config"] {
            std::fs::create_dir_all(home.path().join(d))?;
        }
        let (port, native_port) = (free_port()?, free_port()?);
        let driver = Command::new(driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .arg("--native-driver")
            .arg(native)
            .env("HOTLINE_DB", db)
            .env(
                "HOTLINE_WINDOW_SIZE",
                size.map(|(w, h)| format!("{w}x{h}")).unwrap_or_default(),
            )
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err("tauri-driver did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": app }));
        // tauri-driver accepts connections before its WebKitWebDriver is ready: retry the
        // session for a while instead of failing on the first refused request.
        let url = format!("http://127.0.0.1:{port}");
        let client = loop {
            match ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let desk = Desk {
            client,
            driver,
            _home: home,
        };
        // The window is up when it shows the sign-in (or first-run) gate.
        desk.wait_for("body[data-gate='login'], body[data-gate='setup'], body[data-ready='true']")
            .await?;
        Ok(desk)
    }

    /// Launches and signs in as `login` (with `PASSWORD`).
    pub async fn launch_as(db: &Path, login: &str) -> Result<Desk> {
        let desk = Desk::launch(db).await?;
        desk.login(login, PASSWORD).await?;
        Ok(desk)
    }

    /// Signs in through the form and waits for the desk to be ready.
    pub async fn login(&self, login: &str, password: &str) -> Result {
        self.wait_for("body[data-gate='login']").await?;
        self.fill("login-name", login).await?;
        self.fill("login-password", password).await?;
        self.click("login-submit").await?;
        self.wait_for("body[data-ready='true']:not([data-gate])")
            .await
    }

    /// Signs out (the page starts afresh at the sign-in form).
    pub async fn sign_out(&self) -> Result {
        self.click_reloading("logout", "body[data-gate='login']")
            .await
    }

    /// Clicks `id`, which starts the page afresh, and waits until the new page matches
    /// `css`. The old page is marked first so that it never counts, and a WebDriver call
    /// that meets the unload ("callback was not called before the unload event") is a
    /// "not yet" rather than a failure.
    pub async fn click_reloading(&self, id: &str, css: &str) -> Result {
        self.js("window.__e2eOldPage = true").await?;
        let clicked = self.click(id).await;
        let probe = format!(
            "return !window.__e2eOldPage && !!document.querySelector({})",
            Value::String(css.into())
        );
        let fresh = self
            .until(&format!("a fresh page with {css}"), || async {
                Ok(self.js(&probe).await? == Value::Bool(true))
            })
            .await;
        match (fresh, clicked) {
            (Ok(()), _) => Ok(()),
            (Err(_), Err(click)) => Err(click),
            (Err(wait), Ok(())) => Err(wait),
        }
    }

    /// A shift change at the same workstation: sign out, sign in as `login`.
    pub async fn switch_to(&self, login: &str) -> Result {
        self.sign_out().await?;
        self.login(login, PASSWORD).await
    }

    /// Waits until queue `queue`'s badge shows `want`.
    /// Opens ticket `number` from the queue of all tickets.
    pub async fn open_ticket(&self, number: &str) -> Result {
        self.click("queue-all").await?;
        let row = format!("[data-testid='ticket-row'][data-number='{number}']");
        self.until("the ticket in the queue", || async {
            Ok(self.count(&row).await? == 1)
        })
        .await?;
        self.js(&format!(
            "document.querySelector(\"{row} [data-testid='open-ticket']\").click()"
        ))
        .await?;
        self.until("detail", || async { self.visible("view-detail").await })
            .await
    }

    pub async fn count_is(&self, queue: &str, want: i64) -> Result {
        self.until(&format!("count of {queue} = {want}"), || async {
            Ok(self.text(&format!("count-{queue}")).await? == want.to_string())
        })
        .await
    }

    /// Waits until the ticket on screen has status `want`.
    /// Waits for the ticket on screen to show status `want`; on timeout, says what it showed.
    pub async fn status_is(&self, want: &str) -> Result {
        let seen = std::sync::Mutex::new(Value::Null);
        let r = self
            .until(&format!("status {want}"), || async {
                let v = self
                    .js("return [document.querySelector(\"[data-testid='detail-status']\")?.dataset.status ?? '', [...document.querySelectorAll('[id^=view-]')].filter((e) => !e.hidden).map((e) => e.id).join(',')]")
                    .await?;
                let ok = v[0] == want;
                *seen.lock().map_err(|e| e.to_string())? = v;
                Ok(ok)
            })
            .await;
        let seen = seen.lock().map(|v| v.to_string()).unwrap_or_default();
        r.map_err(|e| format!("{e}; [status, view] last seen {seen}").into())
    }

    /// Waits up to 20 s for a CSS selector to match.
    pub async fn wait_for(&self, css: &str) -> Result {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waiting for {css}: {e}"))?;
        Ok(())
    }

    /// Clicks the action `id` until its form shows `css`, for up to 20 s: a view drawn again
    /// just after the click (a live event, a language switch) drops the form it opened.
    pub async fn open_form(&self, id: &str, css: &str) -> Result {
        let probe = format!(
            "return !!document.querySelector({})",
            Value::String(css.into())
        );
        let started = Instant::now();
        loop {
            self.click(id).await?;
            let shown = self
                .until_for(css, Duration::from_secs(5), || async {
                    Ok(self.js(&probe).await? == Value::Bool(true))
                })
                .await;
            if shown.is_ok() || started.elapsed() > Duration::from_secs(20) {
                return shown;
            }
        }
    }

    /// Polls `f` until it returns true (the UI updates asynchronously), for up to 20 s.
    pub async fn until<F, Fut>(&self, what: &str, f: F) -> Result
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        self.until_for(what, Duration::from_secs(20), f).await
    }

    pub async fn until_for<F, Fut>(&self, what: &str, limit: Duration, mut f: F) -> Result
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        let started = Instant::now();
        loop {
            // The UI re-renders while we poll: an element gone stale is a "not yet".
            let last = match f().await {
                Ok(true) => return Ok(()),
                Ok(false) => String::new(),
                Err(e) => format!(" (last error: {e})"),
            };
            if started.elapsed() > limit {
                return Err(format!("timed out waiting for {what}{last}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn by_testid(&self, id: &str) -> Result<fantoccini::elements::Element> {
        Ok(self
            .client
            .find(Locator::Css(&format!("[data-testid='{id}']")))
            .await?)
    }

    /// The rendered text of an element, read in one step (no stale handle in between).
    pub async fn text(&self, id: &str) -> Result<String> {
        let v = self
            .client
            .execute(
                "const el = document.querySelector(`[data-testid='${arguments[0]}']`); return el ? el.innerText : null;",
                vec![Value::String(id.into())],
            )
            .await?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element [data-testid='{id}']").into())
    }

    /// Clicks an element, finding it again if a re-render replaced it meanwhile. It is
    /// scrolled to first as a person would, also inside a scrolling card (WebKitWebDriver
    /// scrolls only the page).
    pub async fn click(&self, id: &str) -> Result {
        let mut tries = 0;
        loop {
            self.client
                .execute(
                    "document.querySelector(`[data-testid='${arguments[0]}']`)?.scrollIntoView({ block: 'center', inline: 'center' });",
                    vec![Value::String(id.into())],
                )
                .await?;
            match self.by_testid(id).await?.click().await {
                Ok(()) => return Ok(()),
                Err(e) if tries < 5 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(format!("click [data-testid='{id}']: {e}").into()),
            }
        }
    }

    /// Replaces the value of an input or textarea by typing, as a person would; found
    /// again when a re-render replaced it between finding and typing.
    pub async fn fill(&self, id: &str, text: &str) -> Result {
        let mut tries = 0;
        loop {
            let typed = async {
                let e = self
                    .client
                    .find(Locator::Css(&format!("[data-testid='{id}']")))
                    .await?;
                e.clear().await?;
                e.send_keys(text).await
            };
            match typed.await {
                Ok(()) => return Ok(()),
                Err(e) if stale(&e) && tries < 5 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => return Err(format!("fill [data-testid='{id}']: {err}").into()),
            }
        }
    }

    /// Chooses an option of a select by value and lets the page react. The form and its
    /// options may still be drawing (a view renders after its data arrives): waits up to
    /// 20 s for the option.
    pub async fn select(&self, id: &str, value: &str) -> Result {
        let what = format!("option {value} in [data-testid='{id}']");
        self.until(&what, || async {
            let found = self
                .client
                .execute(
                    "const s = document.querySelector(`[data-testid='${arguments[0]}']`); \
                     if (!s || ![...s.options].some(o => o.value === arguments[1])) return false; \
                     s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
                    vec![Value::String(id.into()), Value::String(value.into())],
                )
                .await?;
            Ok(found == Value::Bool(true))
        })
        .await
    }

    /// Presses keys on the focused element (WebDriver key codes for modifiers). The page
    /// may re-render the focused element between finding and typing: then it is found again.
    pub async fn keys(&self, keys: &str) -> Result {
        let mut tries = 0;
        loop {
            let typed = async { self.client.active_element().await?.send_keys(keys).await };
            match typed.await {
                Ok(()) => return Ok(()),
                Err(e) if stale(&e) && tries < 5 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Whether an element is shown, found again if a re-render replaced it between
    /// finding and asking.
    pub async fn visible(&self, id: &str) -> Result<bool> {
        let mut tries = 0;
        loop {
            let shown = async {
                self.client
                    .find(Locator::Css(&format!("[data-testid='{id}']")))
                    .await?
                    .is_displayed()
                    .await
            };
            match shown.await {
                Ok(v) => return Ok(v),
                Err(e) if stale(&e) && tries < 5 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// An attribute of an element, read in one step (no stale handle in between).
    pub async fn attr(&self, id: &str, name: &str) -> Result<Option<String>> {
        let v = self
            .client
            .execute(
                "const el = document.querySelector(`[data-testid='${arguments[0]}']`); \
                 return el ? [el.getAttribute(arguments[1])] : null;",
                vec![Value::String(id.into()), Value::String(name.into())],
            )
            .await?;
        match v {
            Value::Array(a) => Ok(a
                .into_iter()
                .next()
                .and_then(|v| v.as_str().map(str::to_owned))),
            _ => Err(format!("no element [data-testid='{id}']").into()),
        }
    }

    pub async fn count(&self, css: &str) -> Result<usize> {
        let found = self.client.find_all(Locator::Css(css)).await;
        Ok(found.map_err(|e| format!("count {css}: {e}"))?.len())
    }

    pub async fn js(&self, script: &str) -> Result<Value> {
        let v = self.client.execute(script, vec![]).await;
        Ok(v.map_err(|e| format!("js {}: {e}", script.chars().take(80).collect::<String>()))?)
    }

    /// Saves a PNG of the window to `tests/artifacts/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // WebKitWebDriver answers a screenshot after the page's next paint, and without
        // compositing (the app's default) a page with nothing changing never paints
        // again: a 1-pixel, nearly transparent dot keeps changing until the shot is taken.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const dot = document.createElement('div');
                 dot.id = 'screenshot-tick';
                 Object.assign(dot.style, { position: 'fixed', left: '0', bottom: '0', width: '1px',
                   height: '1px', pointerEvents: 'none', background: 'rgba(0, 0, 0, 0.01)' });
                 document.body.append(dot);
                 let n = 0;
                 window.screenshotTick = setInterval(() => {
                   dot.style.background = n++ % 2 ? 'rgba(0, 0, 0, 0.01)' : 'rgba(0, 0, 0, 0.02)';
                 }, 30);
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = tokio::time::timeout(Duration::from_secs(30), self.client.screenshot())
            .await
            .map_err(|_| format!("no screenshot of {name} within 30 s"))??;
        self.client
            .execute(
                "clearInterval(window.screenshotTick); document.getElementById('screenshot-tick')?.remove();",
                vec![],
            )
            .await?;
        let path = artifacts().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    pub async fn close(mut self) -> Result {
        let r = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        Ok(r.map_err(|e| format!("close the session: {e}"))?)
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
