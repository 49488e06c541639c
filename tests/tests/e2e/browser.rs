//! A real headless Chromium for the pages people see (Swagger UI, the verification page),
//! driven through chromedriver's W3C WebDriver HTTP protocol with `awc`. It needs Debian's
//! `chromium` and `chromium-driver` packages; without them a test using it fails, unless
//! `BROWSER_TEST_SKIP=1` (or the older `SWAGGER_UI_TEST_SKIP=1`) asks it to skip.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How WebDriver marks an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A chromedriver process (killed on drop) with one Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: awc::Client,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends the session if a failed assertion skipped [`Browser::quit`] (chromedriver then closes
    /// Chromium; killing chromedriver alone would leave Chromium running), then kills chromedriver.
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = delete_session_blocking(&self.base, &self.session);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE /session/{id}` without an async runtime, for [`Drop`].
fn delete_session_blocking(base: &str, session: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    // chromedriver answers once the browser is closed; the first bytes of the reply are enough.
    let mut reply = [0u8; 512];
    stream.read(&mut reply).map(|_| ())
}

impl Browser {
    pub async fn launch() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port for chromedriver: {e}"));
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir for the Chromium profile: {e}"));
        let mut browser = Self {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            client: awc::Client::builder().timeout(Duration::from_secs(60)).finish(),
            profile,
        };
        browser.wait_until_ready().await;
        let profile_arg = format!("--user-data-dir={}", browser.profile.path().display());
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1280,2000", profile_arg],
            },
        }}});
        let created = browser.call("POST", "/session", Some(caps)).await;
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {created}"))
            .to_owned();
        browser
    }

    async fn wait_until_ready(&self) {
        let started = Instant::now();
        loop {
            let ready = match self.client.get(format!("{}/status", self.base)).send().await {
                Ok(mut res) => res
                    .json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"].as_bool() == Some(true)),
                Err(_) => false,
            };
            if ready {
                return;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "chromedriver did not become ready on {}",
                self.base
            );
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One WebDriver command; returns its `value` and panics on a WebDriver error.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap_or(awc::http::Method::GET);
        let req = self.client.request(method, &url);
        let sent = match body {
            Some(b) => req.send_json(&b).await,
            None => req.send().await,
        };
        let mut res = sent.unwrap_or_else(|e| panic!("WebDriver {path} failed: {e}"));
        let bytes = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {path}: cannot read the reply: {e}"));
        let reply: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("WebDriver {path}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        assert!(
            res.status().is_success(),
            "WebDriver {path} answered {}: {}",
            res.status(),
            reply["value"]
        );
        reply["value"].clone()
    }

    pub fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", &self.session_path("/url"), Some(json!({"url": url})))
            .await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its result.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Runs `script` until it returns something other than `null`/`false`, and returns that.
    pub async fn wait_for(&self, what: &str, script: &str, args: Value) -> Value {
        let started = Instant::now();
        loop {
            let v = self.js(script, args.clone()).await;
            if !(v.is_null() || v == Value::Bool(false)) {
                return v;
            }
            if started.elapsed() > TIMEOUT {
                let shot = self.screenshot("timeout").await;
                panic!("timed out after {TIMEOUT:?} waiting for {what}; screenshot in {shot}");
            }
            actix_rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A real (WebDriver) click on an element reference returned by a script.
    pub async fn click(&self, element: &Value) {
        let id = element[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element reference: {element}"));
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/click")),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_into(&self, element: &Value, text: &str) {
        let id = element[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element reference: {element}"));
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/value")),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Saves a screenshot under the temp dir and returns its path.
    pub async fn screenshot(&self, name: &str) -> String {
        let b64 = self.call("GET", &self.session_path("/screenshot"), None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("screenshot is not base64: {e}"));
        let dir = screenshot_dir();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path.display().to_string()
    }

    /// Resizes the window so that the page's viewport is `width`×`height` CSS pixels.
    pub async fn viewport(&self, width: u32, height: u32) {
        // The window is larger than its viewport by the browser's frame; measure and correct.
        let mut size = (width, height);
        for _ in 0..3 {
            self.call(
                "POST",
                &self.session_path("/window/rect"),
                Some(json!({"width": size.0, "height": size.1})),
            )
            .await;
            let inner = self
                .js("return [window.innerWidth, window.innerHeight];", json!([]))
                .await;
            let (w, h) = (inner[0].as_u64().unwrap_or(0), inner[1].as_u64().unwrap_or(0));
            if (w, h) == (u64::from(width), u64::from(height)) {
                return;
            }
            let grow = |want: u32, got: u64, now: u32| (i64::from(now) + i64::from(want) - got as i64).max(1) as u32;
            size = (grow(width, w, size.0), grow(height, h, size.1));
        }
        let inner = self
            .js("return [window.innerWidth, window.innerHeight];", json!([]))
            .await;
        panic!("the viewport is {inner} instead of {width}x{height}");
    }

    /// The page's text as a person sees it (`innerText` respects CSS).
    pub async fn visible_text(&self) -> String {
        let v = self
            .js("return document.body ? document.body.innerText : '';", json!([]))
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The page's HTML as the browser holds it.
    /// Whether the page fits the window's width (no sideways scrolling).
    pub async fn fits_width(&self) -> bool {
        self.js(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            json!([]),
        )
        .await
            == Value::Bool(true)
    }

    /// Clicks the first element matching `css` once it is there.
    pub async fn click_css(&self, css: &str) {
        let element = self
            .wait_for(css, "return document.querySelector(arguments[0]);", json!([css]))
            .await;
        self.click(&element).await;
    }

    pub async fn html(&self) -> String {
        let v = self.js("return document.documentElement.outerHTML;", json!([])).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    pub async fn quit(mut self) {
        self.call("DELETE", &self.session_path(""), None).await;
        self.session.clear();
    }
}

/// Where screenshots go: `target/tmp/screenshots` (Cargo's temp dir for integration tests).
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// False (after saying why) when Chromium is missing and the run asked to skip browser tests;
/// panics when it is missing otherwise.
pub fn available(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let msg = format!("{test} needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install -y chromium chromium-driver");
    let skip = |v: &str| std::env::var(v).as_deref() == Ok("1");
    if skip("BROWSER_TEST_SKIP") || skip("SWAGGER_UI_TEST_SKIP") {
        eprintln!("SKIPPED (BROWSER_TEST_SKIP=1): {msg}");
        return false;
    }
    panic!("{msg} (or set BROWSER_TEST_SKIP=1 to skip this test)");
}
