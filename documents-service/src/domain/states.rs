//! Where documents, batches and mail deliveries stand. Each is a `vocabulary!` enum: its wire
//! value is what the API sends and the database stores (the migrations' CHECK lists), so no
//! state is compared or written as a bare string.

// Declared in the shared vocabulary, so that members-service's `/labels` can list them.
pub use alliance_events::vocab::{AttemptOutcome, BatchItemStatus, BatchStatus, DeliveryStatus, DocumentStatus};

/// The delivery's stored status after an attempt with this outcome (`Retry` waits queued).
pub fn delivery_status_after(outcome: AttemptOutcome) -> DeliveryStatus {
    match outcome {
        AttemptOutcome::Sent => DeliveryStatus::Sent,
        AttemptOutcome::Failed => DeliveryStatus::Failed,
        AttemptOutcome::Sending | AttemptOutcome::Retry | AttemptOutcome::Interrupted => DeliveryStatus::Queued,
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
        assert_eq!(delivery_status_after(AttemptOutcome::Retry), DeliveryStatus::Queued);
        assert_eq!(delivery_status_after(AttemptOutcome::Sent), DeliveryStatus::Sent);
    }
}
