//! The generated crate's identity and the client's settings, from the configuration.

use crate::config::Config;
use crate::ir::{ClientSettings, Package};

/// The crate's package metadata. The configuration has been validated (`Config::validate`),
/// so its names are valid crate, identifier and environment-variable names.
pub(super) fn package(config: &Config, title: &str) -> Package {
    let package = &config.package;
    Package {
        name: package.name.clone(),
        library: config.library_name(),
        version: package.version.clone(),
        description: package.description.clone().unwrap_or_else(|| format!("Rust SDK for the {title}")),
        license: package.license.clone(),
        publish: package.publish,
        dev_dependencies: package.dev_dependencies.clone(),
        standalone: config.generator.standalone,
    }
}

/// What the runtime is generated with.
pub(super) fn client_settings(config: &Config) -> ClientSettings {
    let client = &config.client;
    ClientSettings {
        base_url_env: client.base_url_env.clone(),
        request_id_header: client.request_id_header.clone(),
        retry_count_header: client.retry_count_header.clone(),
        user_agent: format!("{}/{} (rust)", config.package.name, config.package.version),
    }
}
