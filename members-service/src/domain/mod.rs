//! The charter's rules as plain Rust, free of I/O. Rule ids (R1…) are those of
//! ../shared/DOMAIN.md; each module's tests cite them.

pub mod applications;
pub mod appointments;
pub mod assessments;
pub mod audit;
pub mod bodies;
pub mod elections;
pub mod eligibility;
pub mod hanzi;
pub mod import;
pub mod people;
pub mod posts;
pub mod search;
pub mod terms;
pub mod values;
