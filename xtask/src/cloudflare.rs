//! `cargo xtask cloudflare`: the whole Cloudflare document, generated (and optionally checked).

/// Not written yet.
pub fn run(_args: &[String]) -> Result<bool, String> {
    Err("`cargo xtask cloudflare` is not implemented yet".into())
}
