//! The generated crate's identity and the client's settings, from the configuration.

use crate::config::Config;
use crate::ir::{ClientSettings, Package};

/// The crate's package metadata. The configuration has been validated (`Config::validate`),
/// so its names are valid crate, identifier and environment-variable names; without a
/// configured name, the crate is named after `info.title`.
pub(super) fn package(config: &Config, title: &str) -> Package {
    let package = &config.package;
    let name = package.name.clone().unwrap_or_else(|| crate_name_from_title(title));
    Package {
        library: name.replace('-', "_"),
        name,
        version: package.version.clone(),
        description: package.description.clone().unwrap_or_else(|| format!("Rust SDK for the {title}")),
        license: package.license.clone(),
        publish: package.publish,
        dev_dependencies: package.dev_dependencies.clone(),
        standalone: config.generator.standalone,
        contract_tests: config.tests.contract,
        // Set by `generate` from the provenance, which lowering does not see.
        crate_path: String::new(),
        regenerate: String::new(),
        spec: String::new(),
    }
}

/// What the runtime is generated with.
pub(super) fn client_settings(config: &Config, package: &Package) -> ClientSettings {
    let client = &config.client;
    ClientSettings {
        base_url_env: client.base_url_env.clone().or_else(|| Some(format!("{}_BASE_URL", env_prefix(&package.name)))),
        request_id_header: client.request_id_header.clone(),
        retry_count_header: client.retry_count_header.clone(),
        user_agent: format!("{}/{} (rust)", package.name, package.version),
    }
}

/// Words of a title that say nothing about which API it is.
const FILLER_WORDS: &[&str] =
    &["api", "apis", "openapi", "rest", "restful", "http", "the", "spec", "specification", "sdk"];

/// The longest derived crate name.
const MAX_CRATE_NAME: usize = 48;

/// A crate name from `info.title`: its ASCII words in kebab-case, without filler words
/// (`API`, `REST`, `OpenAPI`...), then `-sdk`: `Cloudflare API` gives `cloudflare-sdk`,
/// `Spotify Web API` gives `spotify-web-sdk`. A title with no usable word gives `openapi-sdk`.
pub fn crate_name_from_title(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    // Version numbers (`3.0`) and filler say nothing about which API it is.
    let meaningful: Vec<&String> = words
        .iter()
        .filter(|w| !FILLER_WORDS.contains(&w.as_str()) && !w.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let chosen: Vec<&String> = if meaningful.is_empty() { words.iter().collect() } else { meaningful };
    let mut name = String::new();
    for word in chosen {
        if name.len() + word.len() + 1 > MAX_CRATE_NAME - "-sdk".len() {
            break;
        }
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(word);
    }
    if name.is_empty() {
        return "openapi-sdk".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "api-");
    }
    name.push_str("-sdk");
    name
}

/// The prefix of the crate's environment variables: the first word of its name, upper-case
/// (`cloudflare-sdk` gives `CLOUDFLARE`); `API_` comes first when that word starts with a digit.
pub fn env_prefix(crate_name: &str) -> String {
    let first = crate_name.split(['-', '_']).find(|w| !w.is_empty() && *w != "api").unwrap_or("api");
    let prefix = first.to_ascii_uppercase();
    if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        format!("API_{prefix}")
    } else {
        prefix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_come_from_titles() {
        for (title, expected) in [
            ("Cloudflare API", "cloudflare-sdk"),
            ("Spotify Web API", "spotify-web-sdk"),
            ("Twilio - Api", "twilio-sdk"),
            ("GitHub v3 REST API", "github-v3-sdk"),
            ("Swagger Petstore - OpenAPI 3.0", "swagger-petstore-sdk"),
            ("1Password Connect", "api-1password-connect-sdk"),
            ("API", "api-sdk"),
            ("日本語", "openapi-sdk"),
            ("", "openapi-sdk"),
        ] {
            assert_eq!(crate_name_from_title(title), expected, "{title}");
        }
        let long = crate_name_from_title(&"word ".repeat(100));
        assert!(long.len() <= MAX_CRATE_NAME && long.ends_with("-sdk"), "{long}");
        assert_eq!(env_prefix("spotify-web-sdk"), "SPOTIFY");
        assert_eq!(env_prefix("api-1password-connect-sdk"), "API_1PASSWORD");
        assert_eq!(env_prefix("cloudflare-sdk"), "CLOUDFLARE");
    }
}
