//! The client side of the centre server's wire: `POST /api/v1/{command}` with a bearer
//! token, sign-in and sign-out, the event stream, over TLS that trusts the centre by its
//! pinned fingerprint. Every failure is a `WireError` with a stable code, the same as the
//! server's and the desk's: a server that cannot be reached is `unreachable`, a certificate
//! that is not the pinned one `untrusted_server`, another protocol `protocol_mismatch`.

pub mod pin;

use futures_util::{SinkExt, StreamExt};
use hotline_core::registry::PROTOCOL;
use hotline_core::{Error, WireError};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// How long a desk waits for the server before it says it cannot be reached.
const TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What a command answered, and what the desk must do on its own machine (save a file,
/// print, open a window), in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub result: Value,
    pub effects: Vec<Value>,
}

pub struct Client {
    /// `https://host:port` (or `http://` on loopback, for tests).
    base: String,
    http: reqwest::Client,
    tls: Option<Arc<rustls::ClientConfig>>,
    seen: pin::Seen,
    seat: String,
    /// The fingerprint this client trusts.
    pin: Option<String>,
}

fn wire(e: Error) -> WireError {
    WireError::from(e)
}

/// A failure of this client or of a sign-in at the server as the core's error, for the
/// desk's own commands (which answer with the core's errors): the codes a connection and
/// a sign-in can give come back whole; anything else keeps its message.
pub fn to_core(w: WireError) -> Error {
    let text = |k: &str| w.details[k].as_str().unwrap_or_default().to_string();
    match w.code.as_str() {
        "unreachable" => Error::Unreachable {
            address: text("address"),
            reason: text("reason"),
        },
        "untrusted_server" => Error::UntrustedServer {
            fingerprint: text("fingerprint"),
        },
        "protocol_mismatch" => Error::ProtocolMismatch {
            server: w.details["server"].as_u64().unwrap_or(0) as u32,
            desk: PROTOCOL,
        },
        "bad_credentials" => Error::BadCredentials,
        "account_locked" => Error::AccountLocked {
            until: text("until"),
        },
        "rate_limited" => Error::RateLimited {
            seconds: w.details["seconds"].as_u64().unwrap_or(60),
        },
        "unauthenticated" => Error::Unauthenticated,
        "session_expired" => Error::SessionExpired,
        "setup_done" => Error::SetupDone,
        "invalid_value" => Error::InvalidValue {
            field: "server",
            value: text("value"),
        },
        _ => Error::Internal(w.message),
    }
}

/// The innermost cause of a transport failure (`Connection refused`, not "error sending
/// request"), short.
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string().chars().take(200).collect()
}

impl Client {
    /// A client of the server at `address` (`host:port`, `https://host:port`, or
    /// `http://127.0.0.1:port` for a loopback server without TLS), trusting `pin`.
    /// `seat` names this machine to the server (its host name).
    pub fn new(address: &str, pin: Option<&str>, seat: &str) -> Result<Client, WireError> {
        let address = address.trim();
        let bad = || {
            wire(Error::InvalidValue {
                field: "server",
                value: address.chars().take(200).collect(),
            })
        };
        let full = if address.contains("://") {
            address.to_string()
        } else {
            format!("https://{address}")
        };
        let url = reqwest::Url::parse(&full).map_err(|_| bad())?;
        let host = url.host().ok_or_else(bad)?;
        let plain = url.scheme() == "http";
        if !(plain || url.scheme() == "https")
            || url.path() != "/"
            || url.query().is_some()
            || !url.username().is_empty()
        {
            return Err(bad());
        }
        // Plain HTTP only to this machine: nothing crosses a network unencrypted.
        let loopback = match host {
            url::Host::Domain(d) => d == "localhost",
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        if plain && !loopback {
            return Err(bad());
        }
        let base = url.as_str().trim_end_matches('/').to_string();
        let seen = pin::Seen::default();
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .no_proxy();
        let tls = if plain {
            None
        } else {
            let c = pin::config(pin.map(str::to_string), seen.clone())
                .map_err(|e| wire(Error::Internal(e.to_string())))?;
            builder = builder.tls_backend_preconfigured(c.clone());
            Some(Arc::new(c))
        };
        let http = builder
            .build()
            .map_err(|e| wire(Error::Internal(cause(&e))))?;
        Ok(Client {
            base,
            http,
            tls,
            seen,
            seat: seat.chars().filter(|c| !c.is_control()).take(80).collect(),
            pin: pin.map(str::to_string),
        })
    }

    pub fn address(&self) -> &str {
        &self.base
    }

    /// The fingerprint of the certificate the server presented last, if any.
    pub fn presented(&self) -> Option<String> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A transport failure as the user should read it.
    fn failed(&self, e: &(dyn std::error::Error + 'static)) -> WireError {
        let reason = cause(e);
        // The server presented a certificate other than the pinned one (or none is pinned).
        if let Some(fingerprint) = self.presented().filter(|_| self.tls.is_some()) {
            let trusted = self
                .pin
                .as_deref()
                .is_some_and(|p| hotline_core::files::same_fingerprint(p, &fingerprint));
            if !trusted {
                return wire(Error::UntrustedServer { fingerprint });
            }
        }
        wire(Error::Unreachable {
            address: self.base.clone(),
            reason,
        })
    }

    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Result<Reply, WireError> {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-hotline-protocol", PROTOCOL.to_string())
            .header("x-hotline-seat", &self.seat)
            .json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.map_err(|e| self.failed(&e))?;
        let status = res.status();
        let effects = res.headers().contains_key("x-hotline-effects");
        let bytes = res.bytes().await.map_err(|e| self.failed(&e))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(match serde_json::from_value::<WireError>(value) {
                Ok(w) => w,
                Err(_) => wire(Error::Unreachable {
                    address: self.base.clone(),
                    reason: format!("HTTP {status}"),
                }),
            });
        }
        if effects {
            let list = value["effects"].as_array().cloned().unwrap_or_default();
            return Ok(Reply {
                result: value["result"].clone(),
                effects: list,
            });
        }
        Ok(Reply {
            result: value,
            effects: vec![],
        })
    }

    /// `GET /health`; refuses a server of another protocol.
    pub async fn health(&self) -> Result<Value, WireError> {
        let res = self
            .http
            .get(format!("{}/health", self.base))
            .send()
            .await
            .map_err(|e| self.failed(&e))?;
        let v: Value = res.json().await.map_err(|e| self.failed(&e))?;
        let server = v["protocol"].as_u64().unwrap_or(0) as u32;
        if server != PROTOCOL {
            return Err(wire(Error::ProtocolMismatch {
                server,
                desk: PROTOCOL,
            }));
        }
        Ok(v)
    }

    /// Signs in: `{token, user, state, protocol}`.
    pub async fn login(&self, login: &str, password: &str) -> Result<Value, WireError> {
        let body = json!({ "login": login, "password": password });
        Ok(self.post("/api/v1/login", None, &body).await?.result)
    }

    /// The centre's first administrator (only from the server's own machine).
    pub async fn setup_admin(
        &self,
        login: &str,
        name: &str,
        password: &str,
    ) -> Result<Value, WireError> {
        let body = json!({ "login": login, "name": name, "password": password });
        Ok(self.post("/api/v1/setup_admin", None, &body).await?.result)
    }

    pub async fn logout(&self, token: &str) -> Result<(), WireError> {
        self.post("/api/v1/logout", Some(token), &json!({})).await?;
        Ok(())
    }

    /// One command of the registry.
    pub async fn call(
        &self,
        token: Option<&str>,
        name: &str,
        args: &Value,
    ) -> Result<Reply, WireError> {
        if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') || name.is_empty() {
            return Err(wire(Error::NotFound {
                entity: "command",
                key: name.chars().take(60).collect(),
            }));
        }
        self.post(&format!("/api/v1/{name}"), token, args).await
    }

    /// The event stream from after `after`: entries `{seq, kind, ticket_id, data}` as they
    /// are committed, or an `{error}` frame before the server ends it.
    pub async fn events(&self, token: &str, after: i64) -> Result<Events, WireError> {
        let ws = self.base.replacen("http", "ws", 1);
        let mut req = format!("{ws}/api/v1/events?after={after}")
            .into_client_request()
            .map_err(|e| self.failed(&e))?;
        let h = req.headers_mut();
        for (k, v) in [
            ("authorization", format!("Bearer {token}")),
            ("x-hotline-seat", self.seat.clone()),
            ("x-hotline-protocol", PROTOCOL.to_string()),
        ] {
            if let Ok(v) = v.parse() {
                h.insert(k, v);
            }
        }
        let connector = self.tls.clone().map(tokio_tungstenite::Connector::Rustls);
        let connect = tokio_tungstenite::connect_async_tls_with_config(req, None, true, connector);
        let (socket, _) = tokio::time::timeout(CONNECT_TIMEOUT * 2, connect)
            .await
            .map_err(|e| self.failed(&e))?
            .map_err(|e| match e {
                tokio_tungstenite::tungstenite::Error::Http(res) => {
                    let body = res.body().as_deref().unwrap_or_default();
                    serde_json::from_slice::<WireError>(body).unwrap_or_else(|_| {
                        self.failed(&tokio_tungstenite::tungstenite::Error::Http(res))
                    })
                }
                e => self.failed(&e),
            })?;
        Ok(Events { socket })
    }
}

/// A subscribed event stream.
pub struct Events {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Events {
    /// The next entry; `None` when the stream ended (the desk reconnects from its last
    /// sequence), an error when the server ended it with one (signed out, expired).
    pub async fn next(&mut self) -> Option<Result<Value, WireError>> {
        loop {
            match self.socket.next().await? {
                Ok(Message::Text(t)) => {
                    let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                    if let Ok(w) = serde_json::from_value::<WireError>(v["error"].clone()) {
                        return Some(Err(w));
                    }
                    return Some(Ok(v));
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Tells the server the desk is leaving.
    pub async fn close(mut self) {
        let _ = self.socket.send(Message::Close(None)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_https_unless_on_this_machine() {
        let ok = |a: &str| Client::new(a, None, "desk").map(|c| c.base);
        assert_eq!(
            ok("centre.example:8443").as_deref(),
            Ok("https://centre.example:8443")
        );
        assert_eq!(
            ok("https://10.0.0.5:8443/").as_deref(),
            Ok("https://10.0.0.5:8443")
        );
        assert_eq!(
            ok("http://127.0.0.1:9000").as_deref(),
            Ok("http://127.0.0.1:9000")
        );
        assert!(ok("http://[::1]:9000").is_ok());
        for bad in [
            "http://10.0.0.5:8443",
            "ftp://x",
            "https://",
            "https://h:1/api",
            "",
        ] {
            assert_eq!(
                ok(bad).map_err(|e| e.code),
                Err("invalid_value".into()),
                "{bad}"
            );
        }
    }
}
