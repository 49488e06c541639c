//! The gateway's rules, free of I/O: who may hold which role and scope, what a client may be
//! granted, when tokens issued so far must end, the login throttle and the verification rate.

pub mod accounts;
pub mod clients;
pub mod rate;
pub mod throttle;
