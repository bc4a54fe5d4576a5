//! Headless Chromium, driven over the DevTools protocol (CDP) on a WebSocket.
//!
//! Only what the book's checks need: open one tab, set its width, load a page and wait for its
//! `load` event, run a script and take its value (and follow the link it clicked), take a
//! screenshot, and keep every event the page sent (console messages, exceptions, failed
//! requests) for the checks to read.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// How long one page may take to load and settle. Generous: the machine may be busy building.
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);

/// The flags every headless run here needs: no sandbox (root), and none of the background
/// connections that this machine's closed network refuses.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
];

/// One Chromium process and one tab in it.
pub struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Events that arrived while waiting for something else, oldest first.
    events: VecDeque<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `chromium` with a fresh profile and opens one blank tab.
    pub fn launch(chromium: &Path) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| format!("profile directory: {e}"))?;
        let mut child = Command::new(chromium)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", chromium.display()))?;
        let url = match child.stderr.take() {
            Some(stderr) => devtools_url(stderr),
            None => Err("chromium's stderr was not captured".to_owned()),
        };
        let url = match url {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let socket = connect(&url)?;
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: VecDeque::new(),
            _profile: profile,
        };
        browser.open_tab()?;
        Ok(browser)
    }

    /// Creates a tab, attaches to it, and turns on the events the checks read.
    fn open_tab(&mut self) -> Result<(), String> {
        let target = self.browser_call("Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"].clone();
        let attached = self.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        self.session = attached["sessionId"]
            .as_str()
            .ok_or("Target.attachToTarget gave no sessionId")?
            .to_owned();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            self.call(domain, json!({}))?;
        }
        Ok(())
    }

    /// Lays the page out `width` CSS pixels wide, as a desktop (or, narrow, a phone) would.
    pub fn set_width(&mut self, width: u32) -> Result<(), String> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}),
        )?;
        Ok(())
    }

    /// Loads `url` and waits for its `load` event. Returns every event the tab sent meanwhile.
    pub fn load(&mut self, url: &str) -> Result<Vec<Value>, String> {
        self.events.clear();
        let navigated = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(error) = navigated["errorText"].as_str() {
            return Err(format!("{url}: {error}"));
        }
        self.wait_for("Page.loadEventFired")?;
        Ok(self.events.drain(..).collect())
    }

    /// Runs `script`, which may make the tab leave its page (a click on a link), and when the
    /// script's value says `navigating: true` waits for the page it leads to: its `load`
    /// event, or the move within the page that a link to a fragment of it makes.
    pub fn follow(&mut self, script: &str) -> Result<(Value, Vec<Value>), String> {
        self.events.clear();
        let (value, mut events) = self.evaluate(script)?;
        let arrived = |e: &Value| {
            matches!(
                e["method"].as_str(),
                Some("Page.loadEventFired" | "Page.navigatedWithinDocument")
            )
        };
        if value["navigating"] == true && !events.iter().any(arrived) {
            self.wait_for_any(&["Page.loadEventFired", "Page.navigatedWithinDocument"])?;
            events.extend(self.events.drain(..));
        }
        Ok((value, events))
    }

    /// Waits for the tab's next `load` event, or takes the one that already arrived and that no
    /// call has returned yet (a page that replaced itself while a script ran).
    pub fn wait_for_load(&mut self) -> Result<(), String> {
        let loaded = |e: &Value| e["method"] == "Page.loadEventFired";
        if let Some(at) = self.events.iter().position(loaded) {
            self.events.remove(at);
            return Ok(());
        }
        self.wait_for("Page.loadEventFired").map(|_| ())
    }

    /// Runs `script` (an expression; a promise is awaited) and returns its value as JSON, with
    /// the events that arrived meanwhile.
    pub fn evaluate(&mut self, script: &str) -> Result<(Value, Vec<Value>), String> {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": script, "awaitPromise": true, "returnByValue": true}),
        )?;
        if let Some(exception) = result.get("exceptionDetails") {
            return Err(format!("the check script failed: {exception}"));
        }
        let value = result["result"]["value"].clone();
        Ok((value, self.events.drain(..).collect()))
    }

    /// PNGs of the whole page, as bytes, one for each `tile` CSS pixels of its height.
    pub fn screenshots(&mut self, tile: f64) -> Result<Vec<Vec<u8>>, String> {
        let metrics = self.call("Page.getLayoutMetrics", json!({}))?;
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap_or(1280.0);
        let height = size["height"].as_f64().unwrap_or(900.0);
        let mut shots = Vec::new();
        let mut top = 0.0;
        while top < height {
            let clip = json!({
                "x": 0, "y": top, "scale": 1, "width": width, "height": tile.min(height - top),
            });
            let shot = self.call(
                "Page.captureScreenshot",
                json!({"format": "png", "clip": clip, "captureBeyondViewport": true}),
            )?;
            let data = shot["data"].as_str().ok_or("no screenshot data")?;
            shots.push(decode_base64(data)?);
            top += tile;
        }
        Ok(shots)
    }

    /// A command to the tab.
    fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let session = self.session.clone();
        self.send(method, params, Some(&session))
    }

    /// A command to the browser itself.
    fn browser_call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.send(method, params, None)
    }

    fn send(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("{method}: sending to chromium: {e}"))?;
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            let reply = self.receive(method, deadline)?;
            if reply["id"].as_u64() == Some(id) {
                if let Some(error) = reply.get("error") {
                    return Err(format!("{method}: {error}"));
                }
                return Ok(reply["result"].clone());
            }
            self.keep(reply);
        }
    }

    /// Waits for the tab's next `method` event, keeping the others.
    fn wait_for(&mut self, method: &str) -> Result<Value, String> {
        self.wait_for_any(&[method])
    }

    /// Waits for the tab's next event of one of `methods`, keeping the others.
    fn wait_for_any(&mut self, methods: &[&str]) -> Result<Value, String> {
        let deadline = Instant::now() + PAGE_TIMEOUT;
        let waiting_for = methods.join(" or ");
        loop {
            let event = self.receive(&waiting_for, deadline)?;
            let method = event["method"].as_str().unwrap_or("");
            if methods.contains(&method) && event["sessionId"] == self.session.as_str() {
                return Ok(event);
            }
            self.keep(event);
        }
    }

    /// Keeps an event from this tab; replies to other commands cannot arrive (one at a time).
    fn keep(&mut self, message: Value) {
        if message.get("method").is_some() && message["sessionId"] == self.session.as_str() {
            self.events.push_back(message);
        }
    }

    /// The next message from chromium, or an error once `deadline` has passed.
    fn receive(&mut self, waiting_for: &str, deadline: Instant) -> Result<Value, String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "chromium did not answer {waiting_for} in {PAGE_TIMEOUT:?}"
                ));
            }
            // The read timeout is only a guard against a browser that hung: every wait here
            // ends on a message that chromium sends.
            let _ = self.socket.get_ref().set_read_timeout(Some(left));
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return serde_json::from_str(text.as_str())
                        .map_err(|e| format!("chromium sent bad JSON: {e}"));
                }
                Ok(_) => continue,
                // Interrupted: another test's child ended and the test process's SIGCHLD
                // handler ran; the kernel never restarts a read that has a timeout (signal(7)).
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(format!("waiting for {waiting_for}: {e}")),
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.socket.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads chromium's stderr until it prints the browser's WebSocket address; a thread then
/// keeps draining it, so that chromium never blocks on a full pipe.
fn devtools_url(stderr: std::process::ChildStderr) -> Result<String, String> {
    let (found, url) = mpsc::channel();
    thread::spawn(move || {
        let mut found = Some(found);
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("ws://") {
                if let Some(sender) = found.take() {
                    let _ = sender.send(Ok(line[at..].trim().to_owned()));
                }
            } else if found.is_some() {
                seen.push(line);
            }
        }
        if let Some(sender) = found {
            let _ = sender.send(Err(seen.join("\n")));
        }
    });
    match url.recv_timeout(PAGE_TIMEOUT) {
        Ok(Ok(url)) => Ok(url),
        Ok(Err(stderr)) => Err(format!(
            "chromium exited without a DevTools address:\n{stderr}"
        )),
        Err(_) => Err(format!(
            "chromium printed no DevTools address in {PAGE_TIMEOUT:?}"
        )),
    }
}

/// Opens the WebSocket at `url` (`ws://127.0.0.1:PORT/devtools/browser/ID`).
fn connect(url: &str) -> Result<WebSocket<TcpStream>, String> {
    let host = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| format!("not a ws:// address: {url}"))?;
    let stream = TcpStream::connect(host).map_err(|e| format!("connecting to {host}: {e}"))?;
    let (socket, _) =
        tungstenite::client(url, stream).map_err(|e| format!("WebSocket handshake: {e}"))?;
    Ok(socket)
}

/// Standard base64, as CDP sends screenshots.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let mut bits = 0u32;
    let mut count = 0;
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = value(c).ok_or("screenshot: not base64")?;
        bits = bits << 6 | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
        }
    }
    Ok(bytes)
}
