//! Generates the Pet Store client into `OUT_DIR/petstore.rs` (included by `src/lib.rs`).
//! A problem in the spec fails the build with the file and the JSON pointer.

fn main() -> Result<(), sdkgen::build::BuildError> {
    sdkgen::build::Build::new("petstore.yaml").module("petstore").generate()?;
    Ok(())
}
