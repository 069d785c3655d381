//! The zhaoshang domain: typed values, the records of a city's investment projects, the stage
//! rules, and the figures computed from them.
//!
//! This crate owns every rule about what a record may hold and what a figure means. It performs
//! no I/O, holds no clock (today's date is always passed in), and knows nothing of SQL or HTTP:
//! the store, the importers and the web layer call into it, never the other way round.

pub mod access;
pub mod agencies;
pub mod audit;
pub mod blockers;
pub mod chains;
pub mod credit_code;
pub mod duplicates;
pub mod enterprise;
pub mod error;
pub mod factors;
pub mod figures;
pub mod financing;
pub mod inputs;
pub mod money;
pub mod packaged;
pub mod period;
pub mod records;
pub mod reminders;
pub mod responsibility;
pub mod review;
pub mod roadmap;
pub mod security;
pub mod stage;
pub mod text;
pub mod visits;
pub mod warnings;

pub use credit_code::CreditCode;
pub use error::FieldError;
pub use money::{Currency, Money};
pub use period::{Period, PeriodKind};
pub use stage::{EventKind, Stage};
