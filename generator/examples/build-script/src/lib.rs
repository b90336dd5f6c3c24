//! A crate whose API client is generated at build time (see `build.rs`): the one line below
//! brings in `pub mod petstore`, with `petstore::Client`, its resources and types.

include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
