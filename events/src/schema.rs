//! The events' contract, generated from the types: an OpenAPI document holding one JSON Schema
//! per destination (`ToDocuments`, `ToMembers`, `ToMeetings`: `kind` and its `payload`) and the
//! schemas they use. Written to `openapi/events.json` by `generate-openapi`.

use utoipa::OpenApi;

use crate::{ToDocuments, ToMeetings, ToMembers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "机械行业技工院校高水平专业建设联盟：服务间事件 · events between services",
        description = "各服务在 `POST /internal/v1/events` 接收的事件：发件箱的信封（`event_id`、`kind`、\
`source`、`occurred_at`、`payload`），`kind` 与 `payload` 为下列接收方模式之一。接收方读不了的事件连同原因\
存为死信；不认识的字段忽略。\n\nWhat each service accepts at `POST /internal/v1/events`: the outbox's envelope \
(`event_id`, `kind`, `source`, `occurred_at`, `payload`) with `kind` and `payload` as one of the \
destination's schemas below. A consumer parks an event it cannot read as a dead letter with the \
reason; fields it does not know are ignored."
    ),
    components(schemas(ToDocuments, ToMembers, ToMeetings))
)]
struct EventsDoc;

/// The events' contract.
pub fn schema() -> utoipa::openapi::OpenApi {
    EventsDoc::openapi()
}
