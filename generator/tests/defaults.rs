//! Without a configuration, a generated crate takes its names from the spec alone: the crate
//! from `info.title`, credential setters from each scheme's kind, environment variables from
//! the crate's prefix and the kind, and a base-URL variable.

mod common;

use sdkgen::ir::SchemeKind;
use sdkgen::{Config, Options, Provenance};

const SPEC: &str = r#"
openapi: 3.0.3
info:
  title: Spotify Web API
  version: "1"
servers:
  - url: https://api.spotify.com/{version}
    variables:
      version:
        default: v1
paths:
  /me:
    get:
      operationId: getMe
      security:
        - oauth: []
        - basic: []
        - key: []
      responses:
        "200":
          description: OK
  /albums:
    get:
      operationId: getAlbums
      security:
        - key: []
        - partner: []
      responses:
        "200":
          description: OK
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        implicit:
          authorizationUrl: https://accounts.spotify.com/authorize
          scopes: {}
    basic:
      type: http
      scheme: basic
    key:
      type: apiKey
      in: header
      name: X-Api-Key
    partner:
      type: apiKey
      in: query
      name: partner_key
"#;

fn generate(config: &Config) -> sdkgen::Generated {
    let path = common::temp_spec("defaults", "spotify.yaml", SPEC);
    let loaded = sdkgen::load::load_spec(&path).unwrap();
    let options = Options {
        provenance: Provenance {
            spec: "spotify.yaml".into(),
            command: "sdkgen generate --spec spotify.yaml --out spotify".into(),
            crate_path: "spotify".into(),
        },
        standalone: true,
        lenient: false,
        contract_tests: false,
    };
    sdkgen::generate(&loaded, config, &options).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn names_come_from_the_spec_alone() {
    let generated = generate(&Config::default());
    let api = &generated.api;
    assert_eq!(api.package.name, "spotify-web-sdk");
    assert_eq!(api.package.library, "spotify_web_sdk");
    assert_eq!(api.base_url, "https://api.spotify.com/v1");
    assert_eq!(api.client.base_url_env.as_deref(), Some("SPOTIFY_BASE_URL"));
    let schemes: Vec<(&str, &str, Option<&str>)> =
        api.security_schemes.iter().map(|s| (s.name.as_str(), s.setter.as_str(), s.env.as_deref())).collect();
    assert_eq!(
        schemes,
        [
            ("oauth", "bearer_token", Some("SPOTIFY_ACCESS_TOKEN")),
            ("basic", "basic_auth", Some("SPOTIFY_BASIC_AUTH")),
            // Two API-key schemes: each is named after its key instead of both `api_key`.
            ("key", "key", Some("SPOTIFY_KEY")),
            ("partner", "partner", Some("SPOTIFY_PARTNER")),
        ]
    );
    assert!(matches!(api.security_schemes[1].kind, SchemeKind::Basic));
    let api_rs = &generated.files.iter().find(|f| f.path == "src/api.rs").unwrap().contents;
    assert!(
        api_rs.contains("pub fn basic_auth(\n        self,\n        user: impl Into<String>,\n        password: impl Into<String>,\n    ) -> Self"),
        "{api_rs}"
    );
    let cargo = &generated.files.iter().find(|f| f.path == "Cargo.toml").unwrap().contents;
    assert!(cargo.contains("name = \"spotify-web-sdk\""), "{cargo}");
    // The README is right for where the crate was generated, and how.
    let readme = &generated.files.iter().find(|f| f.path == "README.md").unwrap().contents;
    assert!(readme.contains("spotify-web-sdk = { path = \"spotify\" }"), "{readme}");
    assert!(readme.contains("`sdkgen generate --spec spotify.yaml --out spotify` regenerates them"), "{readme}");
    assert!(!readme.contains("cargo xtask"), "{readme}");
    let lib = &generated.files.iter().find(|f| f.path == "src/lib.rs").unwrap().contents;
    assert!(lib.contains("`SPOTIFY_ACCESS_TOKEN`") && lib.contains("`SPOTIFY_BASE_URL`"), "{lib}");
}

#[test]
fn configuration_still_wins() {
    let config = Config::parse(
        "[package]\nname = \"my-spotify\"\n[auth.schemes.oauth]\nsetter = \"oauth_token\"\nenv = \"MY_TOKEN\"\n",
        std::path::Path::new("codegen.toml"),
    )
    .unwrap();
    let generated = generate(&config);
    let api = &generated.api;
    assert_eq!(api.package.name, "my-spotify");
    let oauth = &api.security_schemes[0];
    assert_eq!((oauth.setter.as_str(), oauth.env.as_deref()), ("oauth_token", Some("MY_TOKEN")));
    // Unconfigured schemes keep their defaults, with the configured crate's prefix.
    assert_eq!(api.security_schemes[1].env.as_deref(), Some("MY_BASIC_AUTH"));
}
