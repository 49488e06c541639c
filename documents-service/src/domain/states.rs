//! Where documents, batches and mail deliveries stand. Each is a `vocabulary!` enum: its wire
//! value is what the API sends and the database stores (the migrations' CHECK lists), so no
//! state is compared or written as a bare string.

pub use alliance_events::vocab::DeliveryStatus;

alliance_events::vocabulary! {
    /// Where an issued document stands; what its verification link answers.
    pub enum DocumentStatus {
        Valid = "valid" => "有效",
        /// Revoked: the appointment it certifies ended early.
        Revoked = "revoked" => "已撤销",
        /// Replaced by a newer document of its kind about the same subject (a reissue, a renewal).
        Superseded = "superseded" => "已被替代",
    }
}

alliance_events::vocabulary! {
    /// Where a batch stands.
    pub enum BatchStatus {
        /// Items are still pending; the worker takes it chunk by chunk.
        Running = "running" => "进行中",
        Finished = "finished" => "已完成",
    }
}

alliance_events::vocabulary! {
    /// What became of one appointment of a batch.
    pub enum BatchItemStatus {
        Pending = "pending" => "待签发",
        /// A new certificate was issued.
        Issued = "issued" => "已签发",
        /// A valid certificate existed already (without `reissue`), or was issued before a crash.
        Existing = "existing" => "已有证书",
        Failed = "failed" => "签发失败",
    }
}

alliance_events::vocabulary! {
    /// The outcome of one attempt to deliver a document by e-mail.
    pub enum AttemptOutcome {
        /// Written before the SMTP transaction; replaced by its outcome after it.
        Sending = "sending" => "发送中",
        Sent = "sent" => "已发送",
        /// A transient failure; the delivery is tried again later.
        Retry = "retry" => "稍后重试",
        Failed = "failed" => "发送失败",
        /// Its worker stopped during the SMTP transaction; sent again with the same Message-ID.
        Interrupted = "interrupted" => "已中断",
    }
}

impl AttemptOutcome {
    /// The delivery's stored status after an attempt with this outcome (`Retry` waits queued).
    pub fn delivery_status(self) -> DeliveryStatus {
        match self {
            AttemptOutcome::Sent => DeliveryStatus::Sent,
            AttemptOutcome::Failed => DeliveryStatus::Failed,
            AttemptOutcome::Sending | AttemptOutcome::Retry | AttemptOutcome::Interrupted => DeliveryStatus::Queued,
        }
    }
}

/// The status a delivery shows: the database stores queued, sent or failed; a queued one whose
/// SMTP transaction began (`sending_since`) shows as sending.
pub fn shown_delivery_status(stored: DeliveryStatus, sending: bool) -> DeliveryStatus {
    match stored {
        DeliveryStatus::Queued if sending => DeliveryStatus::Sending,
        s => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_are_the_migrations_check_lists() {
        let wire = |all: &[&str]| all.join(",");
        assert_eq!(
            wire(&DocumentStatus::ALL.map(DocumentStatus::as_str)),
            "valid,revoked,superseded"
        );
        assert_eq!(wire(&BatchStatus::ALL.map(BatchStatus::as_str)), "running,finished");
        assert_eq!(
            wire(&BatchItemStatus::ALL.map(BatchItemStatus::as_str)),
            "pending,issued,existing,failed"
        );
        assert_eq!(
            wire(&AttemptOutcome::ALL.map(AttemptOutcome::as_str)),
            "sending,sent,retry,failed,interrupted"
        );
    }

    #[test]
    fn a_queued_delivery_in_an_smtp_transaction_shows_as_sending() {
        assert_eq!(
            shown_delivery_status(DeliveryStatus::Queued, true),
            DeliveryStatus::Sending
        );
        assert_eq!(
            shown_delivery_status(DeliveryStatus::Queued, false),
            DeliveryStatus::Queued
        );
        assert_eq!(
            shown_delivery_status(DeliveryStatus::Failed, true),
            DeliveryStatus::Failed
        );
        assert_eq!(AttemptOutcome::Retry.delivery_status(), DeliveryStatus::Queued);
        assert_eq!(AttemptOutcome::Sent.delivery_status(), DeliveryStatus::Sent);
    }
}
