//! E-mail through lettre: SMTP (pooled; TLS or STARTTLS and credentials from the URL) when
//! configured, otherwise lettre's file transport into the data folder, so nothing is dropped.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

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
        let mut parts = MultiPart::mixed()
            .singlepart(SinglePart::plain(body(m.kind, m.person_name, m.serial, m.verify_url)))
            .singlepart(Attachment::new(format!("{}.pdf", m.serial)).body(m.pdf.to_vec(), pdf_type));
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
            .subject(subject(m.kind, m.serial))
            .message_id(Some(m.message_id.to_owned()))
            .multipart(parts)
            .map_err(|e| SendError {
                permanent: true,
                detail: e.to_string(),
            })
    }
}

pub struct DocumentMail<'a> {
    pub kind: DocumentKind,
    pub serial: &'a str,
    pub person_name: &'a str,
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub verify_url: &'a str,
    pub pdf: &'a [u8],
    /// A certificate's credential (VC-JOSE JWT), attached as `{serial}.jwt`.
    pub credential: Option<&'a str>,
}

pub fn subject(kind: DocumentKind, serial: &str) -> String {
    format!("【技工联盟】{}（{serial}）", kind.label_zh())
}

fn body(kind: DocumentKind, name: &str, serial: &str, verify_url: &str) -> String {
    let what = match kind {
        DocumentKind::AppointmentCertificate => "您的聘书",
        DocumentKind::DismissalNotice => "解聘通知书",
        DocumentKind::LapseNotice => "任期届满通知",
        DocumentKind::ResignationAcceptance => "辞聘确认函",
        DocumentKind::CommendationCertificate => "荣誉证书",
        DocumentKind::MeetingNotice => "会议通知",
        DocumentKind::Roster => "成员名册",
    };
    format!(
        "{name}：\n\n　　附件为{what}（编号 {serial}），请查收。\n　　真伪可通过以下链接查验：{verify_url}\n\n\
         机械行业技工院校高水平专业建设联盟秘书处\n（本邮件由系统自动发送，请勿直接回复。）\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_the_document_in_chinese() {
        assert_eq!(
            subject(DocumentKind::AppointmentCertificate, "JGLM-PS-2026-000001"),
            "【技工联盟】聘书（JGLM-PS-2026-000001）"
        );
        assert!(body(DocumentKind::DismissalNotice, "张伟", "S", "U").contains("解聘通知书"));
    }
}
