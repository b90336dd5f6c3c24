//! `cargo xtask corpus`: not written yet.

/// Not written yet.
pub fn run(_args: &[String]) -> Result<bool, String> {
    Err("`cargo xtask corpus` is not implemented yet".into())
}
