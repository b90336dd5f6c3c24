//! The workspace layout (`[output] layout = "workspace"`): which crate holds each type.
//!
//! A single crate is one rustc process: it uses one core and its memory grows with every type.
//! Split into crates, cargo compiles them side by side and each rustc holds only its part.
//! The top-level resources are grouped, in order, into resource crates of at least
//! `[output] crate_weight` (operations plus the types a resource reaches); a type that the
//! resources of exactly one crate reach lives in that crate, every other one (reached by
//! several crates, by a webhook, or by a type of the core) in the core crate beside the
//! runtime. A type nothing reaches (compiled with `full`) goes where the reached types it
//! refers to are, if that is one resource crate, else to the core. What a
//! type refers to is reached by at least the same crates, so a resource crate's types refer
//! only to its own and the core's, and the core's only to the core's: no cycle.

use std::collections::BTreeSet;

use super::{collect_ids, member_types, operation_types};
use crate::ir::naming;
use crate::ir::{Api, MemberCrate, TypeId, Workspace};

/// Who reaches a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum User {
    /// A top-level resource, by position.
    Resource(usize),
    /// The core: a webhook's payload (the core's `webhooks` module needs it), or a type no
    /// operation reaches (it is compiled with `full`, in the core), and what they reach.
    Core,
}

/// Sets [`Api::workspace`]: the core crate, the resource crates and the types each holds.
/// `crate_weight` is the least weight of a resource crate (0: one crate per resource).
pub fn assign(api: &mut Api, crate_weight: usize) {
    let resources: Vec<&str> = api.resources.children.keys().map(String::as_str).collect();
    let mut users = type_users(api, &resources);
    // A resource's weight: its operations and the types it reaches.
    let mut weights = vec![0usize; resources.len()];
    for operation in &api.operations {
        if let Some(index) = operation.group.first().and_then(|top| resources.iter().position(|r| r == top)) {
            weights[index] += 1;
        }
    }
    for set in &users {
        for user in set {
            if let User::Resource(index) = user {
                weights[*index] += 1;
            }
        }
    }
    let groups = group(&weights, crate_weight);
    let mut crate_of = vec![0usize; resources.len()];
    for (number, group) in groups.iter().enumerate() {
        for &index in group {
            crate_of[index] = number;
        }
    }

    // A type no operation reaches (compiled with `full`) goes where the reached types it refers
    // to are: one resource crate's, or the core (several crates' or none), which then takes
    // everything it refers to, as a webhook's payload does.
    let unreached = |users: &[BTreeSet<User>]| -> Vec<TypeId> {
        (0..users.len()).filter(|index| users[*index].is_empty()).map(TypeId).collect()
    };
    let member_below = |users: &[BTreeSet<User>], id: TypeId| -> Option<usize> {
        match crates_below(api, id, users, &crate_of).into_iter().flatten().collect::<Vec<_>>().as_slice() {
            [number] => Some(*number),
            _ => None,
        }
    };
    let to_core: Vec<(User, TypeId)> = unreached(&users)
        .into_iter()
        .filter(|id| member_below(&users, *id).is_none())
        .map(|id| (User::Core, id))
        .collect();
    walk(api, to_core, &mut users);
    let adopted: Vec<(TypeId, Option<usize>)> =
        unreached(&users).into_iter().map(|id| (id, member_below(&users, id))).collect();

    let package = api.package.name.clone();
    let mut scope = naming::Scope::with_reserved(&[&package]);
    let member = |name: String, resources: Vec<String>, scope: &mut naming::Scope| {
        let package = scope.claim(&name).replace('_', "-");
        MemberCrate {
            library: package.replace('-', "_"),
            dir: format!("crates/{package}"),
            package,
            resources,
            types: Vec::new(),
        }
    };
    let mut core = member(format!("{package}-core"), Vec::new(), &mut scope);
    let mut members: Vec<MemberCrate> = groups
        .iter()
        .map(|group| {
            let names: Vec<String> = group.iter().map(|&index| resources[index].to_string()).collect();
            let first = crate_name_part(&names[0]);
            let name = match names.last() {
                Some(last) if names.len() > 1 => format!("{package}-{first}-to-{}", crate_name_part(last)),
                _ => format!("{package}-{first}"),
            };
            member(name, names, &mut scope)
        })
        .collect();
    for (id, home) in adopted {
        match home {
            Some(number) => members[number].types.push(id),
            None => core.types.push(id),
        }
    }
    for (index, set) in users.iter().enumerate().filter(|(_, set)| !set.is_empty()) {
        let crates: BTreeSet<Option<usize>> = set
            .iter()
            .map(|user| match user {
                User::Resource(resource) => Some(crate_of[*resource]),
                User::Core => None,
            })
            .collect();
        match crates.into_iter().collect::<Vec<_>>().as_slice() {
            [Some(number)] => members[*number].types.push(TypeId(index)),
            _ => core.types.push(TypeId(index)),
        }
    }
    for member in std::iter::once(&mut core).chain(&mut members) {
        member.types.sort();
    }
    api.workspace = Some(Workspace { core, members });
}

/// A resource's part of a crate name: lower case with hyphens (`zero_trust` → `zero-trust`).
fn crate_name_part(resource: &str) -> String {
    naming::feature_name(resource).replace('_', "-")
}

/// Consecutive resources grouped until each group weighs at least `least` (the last group may
/// weigh less); a resource that weighs `least` alone has a group of its own, so that the large
/// resources compile side by side. With `least` 0, one group per resource.
fn group(weights: &[usize], least: usize) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut weight = 0;
    for (index, &own) in weights.iter().enumerate() {
        if own >= least && !open.is_empty() {
            groups.push(std::mem::take(&mut open));
            weight = 0;
        }
        open.push(index);
        weight += own;
        if weight >= least {
            groups.push(std::mem::take(&mut open));
            weight = 0;
        }
    }
    if !open.is_empty() {
        groups.push(open);
    }
    groups
}

/// For each type, who reaches it: the top-level resources whose operations reach it, and the
/// core for webhook payloads and types nothing reaches, through fields, variants, additional properties and aliases
/// (an alias names its target).
fn type_users(api: &Api, resources: &[&str]) -> Vec<BTreeSet<User>> {
    let mut roots: Vec<(User, TypeId)> = Vec::new();
    for operation in &api.operations {
        let Some(index) = operation.group.first().and_then(|top| resources.iter().position(|r| r == top)) else {
            continue;
        };
        let mut found = Vec::new();
        operation_types(operation, &mut found);
        roots.extend(found.into_iter().map(|id| (User::Resource(index), id)));
    }
    for webhook in &api.webhooks {
        let mut found = Vec::new();
        collect_ids(&webhook.payload, &mut found);
        roots.extend(found.into_iter().map(|id| (User::Core, id)));
    }
    let mut users = vec![BTreeSet::new(); api.types.len()];
    walk(api, roots, &mut users);
    users
}

/// The crates of the types `start` refers to that some resource reaches, looking through
/// types nothing reaches (`None` is the core).
fn crates_below(api: &Api, start: TypeId, users: &[BTreeSet<User>], crate_of: &[usize]) -> BTreeSet<Option<usize>> {
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack = references(api, start);
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if users[id.0].is_empty() {
            stack.extend(references(api, id));
        } else {
            found.extend(users[id.0].iter().map(|user| match user {
                User::Resource(resource) => Some(crate_of[*resource]),
                User::Core => None,
            }));
        }
    }
    found
}

/// The types a type names: its alias target, fields, additional properties, variants.
fn references(api: &Api, id: TypeId) -> Vec<TypeId> {
    let def = api.type_def(id);
    let mut next = Vec::new();
    next.extend(def.alias_of);
    member_types(&def.kind, &mut next);
    next
}

/// Adds each root's user to the type and to every type it reaches.
fn walk(api: &Api, roots: Vec<(User, TypeId)>, users: &mut [BTreeSet<User>]) {
    let mut stack = roots;
    while let Some((user, id)) = stack.pop() {
        if !users[id.0].insert(user) {
            continue;
        }
        stack.extend(references(api, id).into_iter().map(|id| (user, id)));
    }
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn small_resources_are_grouped_in_order_until_heavy_enough() {
        assert_eq!(group(&[5, 1, 1, 9, 2], 0), vec![vec![0], vec![1], vec![2], vec![3], vec![4]]);
        assert_eq!(group(&[5, 1, 1, 9, 2], 3), vec![vec![0], vec![1, 2], vec![3], vec![4]]);
        assert_eq!(group(&[1, 1, 1, 1, 2], 3), vec![vec![0, 1, 2], vec![3, 4]]);
        assert_eq!(group(&[5, 1, 1, 9, 2], 100), vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(group(&[], 3), Vec::<Vec<usize>>::new());
    }
}
