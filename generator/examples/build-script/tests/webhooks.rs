//! The webhook payloads generated from the spec's 3.1 `webhooks` decode what a server receives.

use sdkgen_build_example::petstore::webhooks::{self, Webhook};
use sdkgen_build_example::petstore::Error;

const ADOPTED: &[u8] = br#"{"pet": {"id": "p1", "name": "Rex", "tag": null}, "adopter": "Ann", "note": "kept"}"#;

#[test]
fn a_payload_decodes_into_its_type() {
    let payload = webhooks::pet_adopted(ADOPTED).expect("payload");
    assert_eq!(payload.adopter, "Ann");
    assert_eq!(payload.pet.id, "p1");
    assert_eq!(payload.pet.name, "Rex");
    // A property the spec does not list is kept.
    assert_eq!(payload.extra.get("note"), Some(&serde_json::json!("kept")));
}

#[test]
fn parse_picks_the_webhook_by_name() {
    assert_eq!(Webhook::NAMES, ["petAdopted"]);
    let webhook = Webhook::parse("petAdopted", ADOPTED).expect("webhook");
    assert_eq!(webhook.name(), "petAdopted");
    assert!(matches!(&webhook, Webhook::PetAdopted(payload) if payload.adopter == "Ann"), "{webhook:?}");
    // A webhook added to the API later is kept as JSON, not refused.
    let other = Webhook::parse("petReturned", br#"{"id": "p1"}"#).expect("other");
    assert_eq!(other, Webhook::Other { name: "petReturned".into(), body: serde_json::json!({"id": "p1"}) });
}

#[test]
fn a_payload_that_does_not_match_names_the_path() {
    let error = webhooks::pet_adopted(br#"{"pet": {"id": 5, "name": "Rex"}, "adopter": "Ann"}"#).expect_err("mismatch");
    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(decode.path.as_deref(), Some("pet.id"), "{decode:?}");
    assert!(matches!(webhooks::pet_adopted(b"not json"), Err(Error::Decode(_))));
}
