//! The contract tests, `tests/contract.rs`: one test per operation that calls it through the
//! public API with values derived from the spec, against a mock server of the spec.

use crate::ir::{Api, Resource};

/// One operation's contract test, as a runner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractCase {
    /// Index into [`Api::operations`].
    pub operation: usize,
    /// The libtest name: the resource path and the method, joined by `::`
    /// (`zones::dns::records::list`).
    pub test: String,
    /// Why the operation cannot be called through the public API, when it cannot (its test
    /// then panics with `contract: not callable: <why>`).
    pub not_callable: Option<String>,
}

/// Every operation's contract test, in the order of the resource tree.
pub fn contract_cases(api: &Api) -> Vec<ContractCase> {
    let mut cases = Vec::with_capacity(api.operations.len());
    let mut path = Vec::new();
    collect_cases(api, &api.resources, &mut path, &mut cases);
    cases
}

fn collect_cases(api: &Api, resource: &Resource, path: &mut Vec<String>, cases: &mut Vec<ContractCase>) {
    for &operation in &resource.operations {
        let mut test = path.clone();
        test.push(api.operations[operation].method_name.clone());
        cases.push(ContractCase { operation, test: test.join("::"), not_callable: None });
    }
    for child in resource.children.values() {
        path.push(child.name.clone());
        collect_cases(api, child, path, cases);
        path.pop();
    }
}
