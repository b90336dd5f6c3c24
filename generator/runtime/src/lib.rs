//! `sdk-runtime`: the hand-written HTTP runtime that the SDK generator copies
//! verbatim into every generated SDK crate as `src/runtime/<module>.rs`.
//!
//! This `lib.rs` is **not** copied; the generated SDK declares the same modules
//! from its own `runtime/mod.rs`. For that reason the modules refer to each
//! other only through `super::` paths, never `crate::`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod auth;
pub mod client;
pub mod error;
pub mod object;
pub mod page;
pub mod request;
pub mod response;
pub mod retry;
pub mod stream;
pub mod trace;
pub mod union;
pub mod upload;
pub mod validate;
