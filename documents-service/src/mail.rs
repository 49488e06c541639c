//! E-mail through lettre: SMTP (pooled; TLS or STARTTLS and credentials from the URL) when
//! configured, otherwise lettre's file transport into the data folder, so nothing is dropped.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use service_kit::calendar;

use crate::domain::kinds::DocumentKind;

/// `DOCUMENTS_SMTP_URL` (e.g. `smtps://user:pass@smtp.example.cn:465` or
/// `smtp://relay:587?tls=required`), `DOCUMENTS_MAIL_FROM`, and the mail folder.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp_url: Option<String>,
    pub from: String,
    pub mail_dir: PathBuf,
    /// After this many attempts a delivery ends as failed; 0: no count limit, only
    /// `retry.give_up_after` ends it.
    pub max_attempts: i32,
    /// When transient failures (451, an unreachable relay) are tried again, and for how long:
    /// 1 min doubling to 1 h, for 3 days by default, as mail servers do.
    pub retry: service_kit::queue::RetryPolicy,
    /// Where the secretariat is reached (term-end reminders).
    pub secretariat: Option<String>,
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub detail: String,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| format!("DOCUMENTS_MAIL_FROM: {e}"))?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("DOCUMENTS_SMTP_URL: {e}"))?
                    .pool_config(PoolConfig::new().max_size(4))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&settings.mail_dir)
                    .map_err(|e| format!("cannot create {}: {e}", settings.mail_dir.display()))?;
                Transport::File(AsyncFileTransport::<Tokio1Executor>::new(&settings.mail_dir))
            }
        };
        Ok(Self { transport, from })
    }

    /// The sender's address (the invitations' ORGANIZER).
    pub fn from_address(&self) -> &str {
        self.from.email.as_ref()
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| SendError {
                permanent: e.is_permanent(),
                detail: e.to_string(),
            }),
            Transport::File(t) => t.send(message).await.map(|_| ()).map_err(|e| SendError {
                permanent: false,
                detail: e.to_string(),
            }),
        }
    }

    /// The message for one delivery: Chinese subject and body, the PDF attached, and the
    /// delivery's fixed Message-ID.
    pub fn document_message(&self, m: &DocumentMail<'_>) -> Result<Message, SendError> {
        let to: Mailbox = m.recipient.parse().map_err(|e| SendError {
            permanent: true,
            detail: format!("not an e-mail address: {e}"),
        })?;
        let pdf_type = ContentType::parse("application/pdf").map_err(|e| SendError {
            permanent: true,
            detail: e.to_string(),
        })?;
        let text = SinglePart::plain(body(
            m.label,
            m.person_name,
            m.serial,
            m.verify_url,
            (m.reply_url, m.feed_url),
        ));
        let mut parts = match m.calendar {
            // The invitation (issue 13) as the message's calendar alternative, which mail
            // programs show with its accept buttons, and as `invite.ics` for the others.
            Some((ics, method)) => {
                let inline = ContentType::parse(&format!("{}; method={}", calendar::MEDIA_TYPE, method.as_str()))
                    .map_err(|e| SendError {
                        permanent: true,
                        detail: e.to_string(),
                    })?;
                let file = ContentType::parse("application/ics").map_err(|e| SendError {
                    permanent: true,
                    detail: e.to_string(),
                })?;
                MultiPart::mixed()
                    .multipart(
                        MultiPart::alternative()
                            .singlepart(text)
                            .singlepart(SinglePart::builder().header(inline).body(ics.to_owned())),
                    )
                    .singlepart(Attachment::new(format!("{}.pdf", m.serial)).body(m.pdf.to_vec(), pdf_type))
                    .singlepart(Attachment::new("invite.ics".to_owned()).body(ics.to_owned(), file))
            }
            None => MultiPart::mixed()
                .singlepart(text)
                .singlepart(Attachment::new(format!("{}.pdf", m.serial)).body(m.pdf.to_vec(), pdf_type)),
        };
        // A certificate's verifiable credential beside its PDF (issue 12), for wallets and
        // machines that check it without the suite.
        if let Some(credential) = m.credential {
            let vc_type = ContentType::parse(crate::domain::credentials::VC_JWT_MEDIA_TYPE).map_err(|e| SendError {
                permanent: true,
                detail: e.to_string(),
            })?;
            parts = parts.singlepart(Attachment::new(format!("{}.jwt", m.serial)).body(credential.to_owned(), vc_type));
        }
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject(m.label, m.serial))
            .message_id(Some(m.message_id.to_owned()))
            .multipart(parts)
            .map_err(|e| SendError {
                permanent: true,
                detail: e.to_string(),
            })
    }
}

pub struct DocumentMail<'a> {
    /// What the document is called in the subject and text: its kind's name, or a notice's own
    /// (会议变更通知, 会议取消通知).
    pub label: &'a str,
    pub serial: &'a str,
    pub person_name: &'a str,
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub verify_url: &'a str,
    pub pdf: &'a [u8],
    /// A certificate's credential (VC-JOSE JWT), attached as `{serial}.jwt`.
    pub credential: Option<&'a str>,
    /// A meeting notice's calendar object and its method.
    pub calendar: Option<(&'a str, calendar::Method)>,
    /// A meeting notice's reply page (参加 / 请假).
    pub reply_url: Option<&'a str>,
    /// The invitee's own calendar feed.
    pub feed_url: Option<&'a str>,
}

/// The name a document goes by in mail: a notice's own (`notice_label` in its data), else its
/// kind's.
pub fn label_of(kind: DocumentKind, data: &serde_json::Value) -> String {
    data.get("notice_label")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(kind.label_zh())
        .to_owned()
}

pub fn subject(label: &str, serial: &str) -> String {
    format!("【技工联盟】{label}（{serial}）")
}

/// The text of a message; a meeting notice's `links` are its reply page and the invitee's feed.
fn body(label: &str, name: &str, serial: &str, verify_url: &str, links: (Option<&str>, Option<&str>)) -> String {
    let (reply_url, feed_url) = links;
    let what = if label == DocumentKind::AppointmentCertificate.label_zh() {
        "您的聘书".to_owned()
    } else {
        label.to_owned()
    };
    let calendar = if label.starts_with("会议") {
        "\n　　会议已附日历邀请（invite.ics），可加入手机或电脑日历；会议变更或取消时将再次通知。"
    } else {
        ""
    };
    let mut reply = reply_url
        .map(|u| format!("\n　　请在会议开始前回复参加或请假（请假须说明事由，可修改）：{u}"))
        .unwrap_or_default();
    if let Some(u) = feed_url {
        reply.push_str(&format!(
            "\n　　订阅您的会议日历（可加入手机日历，随会议安排自动更新）：{u}"
        ));
    }
    format!(
        "{name}：\n\n　　附件为{what}（编号 {serial}），请查收。{reply}\n　　真伪可通过以下链接查验：{verify_url}{calendar}\n\n\
         机械行业技工院校高水平专业建设联盟秘书处\n（本邮件由系统自动发送，请勿直接回复。）\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_the_document_in_chinese() {
        let label = label_of(DocumentKind::AppointmentCertificate, &serde_json::json!({}));
        assert_eq!(
            subject(&label, "JGLM-PS-2026-000001"),
            "【技工联盟】聘书（JGLM-PS-2026-000001）"
        );
        assert!(body(&label, "张伟", "S", "U", (None, None)).contains("您的聘书"));
        assert!(body(DocumentKind::DismissalNotice.label_zh(), "张伟", "S", "U", (None, None)).contains("解聘通知书"));
        let change = label_of(
            DocumentKind::MeetingNotice,
            &serde_json::json!({"notice_label": "会议变更通知"}),
        );
        assert_eq!(subject(&change, "S"), "【技工联盟】会议变更通知（S）");
        assert!(body(&change, "张伟", "S", "U", (None, None)).contains("invite.ics"));
        assert!(body(&change, "张伟", "S", "U", (Some("https://x/r/1-2-3-t"), None)).contains("https://x/r/1-2-3-t"));
    }
}
