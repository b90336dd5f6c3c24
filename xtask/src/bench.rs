//! `cargo xtask bench`: not written yet.

/// Not written yet.
pub fn run(_args: &[String]) -> Result<bool, String> {
    Err("`cargo xtask bench` is not implemented yet".into())
}
