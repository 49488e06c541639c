//! Calendar dates as the charter counts them (China Standard Time unless configured).

pub use service_kit::clock::{offset_hours, today};
