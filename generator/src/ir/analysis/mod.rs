//! Analysis passes: facts computed over the lowered model (recursion boxing, which Cargo
//! feature compiles each type, which types have a `Default`, how list operations page, which
//! types are identical to another,
//! which crate of the workspace layout holds each type). Emission reads their results
//! from the model and computes nothing of its own.

pub mod cycles;
pub mod dedupe;
pub mod defaults;
pub mod features;
pub mod pagination;
pub mod placement;
