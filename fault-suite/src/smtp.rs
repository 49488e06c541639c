//! A real SMTP server: `smtp_sink.py` (shipped with this crate) on Debian's python3-aiosmtpd,
//! writing each accepted message as a JSON line and answering 451 while told to refuse.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Debian's interpreter, which sees Debian's python3-aiosmtpd (a pyenv `python3` would not).
const PYTHON: &str = "/usr/bin/python3";

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    pub message_id: String,
    pub to: Vec<String>,
    pub subject: String,
    /// Seconds since the epoch when the server stored it.
    pub at: f64,
}

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl SmtpSink {
    pub fn start() -> Self {
        let check = Command::new(PYTHON).args(["-c", "import aiosmtpd"]).output();
        assert!(
            check.is_ok_and(|o| o.status.success()),
            "{PYTHON} cannot import aiosmtpd: apt-get install python3-aiosmtpd (.ci/run installs it)"
        );
        let dir = tempfile::Builder::new()
            .prefix("fault-smtp-")
            .tempdir()
            .expect("a temporary folder for the SMTP sink");
        let port = crate::free_ports(1)[0];
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("smtp_sink.py");
        let log = std::fs::File::create(dir.path().join("sink.log")).expect("the sink's log file");
        let mut child = Command::new(PYTHON)
            .arg(&script)
            .arg(port.to_string())
            .arg(dir.path())
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let deadline = Instant::now() + Duration::from_secs(20);
        while !dir.path().join("ready").exists() {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(dir.path().join("sink.log")).unwrap_or_default();
                panic!("the SMTP sink exited ({status}): {log}");
            }
            assert!(Instant::now() < deadline, "the SMTP sink did not start in 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { port, dir, child }
    }

    /// `smtp://127.0.0.1:<port>` for `DOCUMENTS_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// From the next transaction on, answer every RCPT and DATA with 451 (or accept again).
    pub fn refuse(&self, on: bool) {
        let flag = self.dir.path().join("refuse");
        if on {
            std::fs::write(&flag, b"").expect("the refuse flag");
        } else if flag.exists() {
            std::fs::remove_file(&flag).expect("removing the refuse flag");
        }
    }

    /// Wait this long before answering DATA (0: at once).
    pub fn set_delay_ms(&self, ms: u64) {
        std::fs::write(self.dir.path().join("delay_ms"), ms.to_string()).expect("the delay file");
    }

    fn lines(&self, file: &str) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.path().join(file)).unwrap_or_default();
        // A line being written at this instant does not parse yet; it is read next time.
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// Every message accepted so far, in arrival order.
    pub fn messages(&self) -> Vec<Mail> {
        self.lines("messages.jsonl")
            .into_iter()
            .map(|v| Mail {
                message_id: v["message_id"].as_str().unwrap_or_default().to_owned(),
                to: v["to"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
                subject: v["subject"].as_str().unwrap_or_default().to_owned(),
                at: v["at"].as_f64().unwrap_or_default(),
            })
            .collect()
    }

    /// How many RCPT/DATA commands were answered 451.
    pub fn refusals(&self) -> usize {
        self.lines("refused.jsonl").len()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts of a set of messages by Message-ID.
pub struct MailCounts {
    pub messages: usize,
    pub distinct_ids: usize,
    /// Messages beyond the first of their Message-ID.
    pub duplicates: usize,
    pub by_id: HashMap<String, usize>,
}

impl MailCounts {
    pub fn of<'a>(mails: impl IntoIterator<Item = &'a Mail>) -> Self {
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut messages = 0;
        for m in mails {
            messages += 1;
            *by_id.entry(m.message_id.clone()).or_default() += 1;
        }
        Self {
            messages,
            distinct_ids: by_id.len(),
            duplicates: messages - by_id.len(),
            by_id,
        }
    }
}
