//! The seed page's example response for `zero-trust-users-get-active-session`
//! decodes into the generated types, field for field; unknown fields are
//! kept in `extra`; `null` is accepted for optional fields; and the SDK call
//! returns the unwrapped `result`.

use cloudflare_sdk::resources::zero_trust::access::users::active_sessions::ActiveSessionGetParams;
use cloudflare_sdk::types::{AccessActiveSessionResponse, AccessMessagesItem, ActiveSession};
use cloudflare_sdk::{Client, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The example response of the seed page, verbatim.
const SEED_BODY: &str = r#"{"errors":[{"code":1000,"message":"message","documentation_url":"documentation_url","source":{"pointer":"pointer"}}],"messages":[{"code":1000,"message":"message","documentation_url":"documentation_url","source":{"pointer":"pointer"}}],"success":true,"result":{"account_id":"1234567890","auth_status":"NONE","common_name":"","device_id":"","device_sessions":{"foo":{"last_authenticated":1638832687}},"devicePosture":{"foo":{"id":"id","check":{"exists":true,"path":"path"},"data":{},"description":"description","error":"error","rule_name":"rule_name","success":true,"timestamp":"timestamp","type":"type"}},"email":"test@cloudflare.com","geo":{"country":"US"},"iat":1694791905,"idp":{"id":"id","type":"type"},"ip":"127.0.0.0","is_gateway":false,"is_warp":false,"isActive":true,"mtls_auth":{"auth_status":"auth_status","cert_issuer_dn":"cert_issuer_dn","cert_issuer_ski":"cert_issuer_ski","cert_presented":true,"cert_serial":"cert_serial"},"service_token_id":"","service_token_status":false,"user_uuid":"57cf8cf2-f55a-4588-9ac9-f5e41e9f09b4","version":2}}"#;

const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";
const NONCE: &str = "X1aXj1lFVcqqyoXF";

fn seed_envelope() -> AccessActiveSessionResponse {
    serde_json::from_str(SEED_BODY).expect("the seed body decodes as AccessActiveSessionResponse")
}

fn assert_seed_message(item: &AccessMessagesItem) {
    assert_eq!(item.code, 1000);
    assert_eq!(item.message, "message");
    assert_eq!(item.documentation_url.as_deref(), Some("documentation_url"));
    let source = item.source.as_ref().expect("source");
    assert_eq!(source.pointer.as_deref(), Some("pointer"));
    assert!(source.extra.is_empty());
    assert!(item.extra.is_empty());
}

/// Every field of the seed page's `result`, as the generated type holds it.
fn assert_seed_session(s: &ActiveSession) {
    assert_eq!(s.account_id.as_deref(), Some("1234567890"));
    assert_eq!(s.auth_status.as_deref(), Some("NONE"));
    assert_eq!(s.common_name.as_deref(), Some(""));
    assert_eq!(s.device_id.as_deref(), Some(""));

    let sessions = s.device_sessions.as_ref().expect("device_sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions["foo"].last_authenticated, Some(1638832687.0));
    assert!(sessions["foo"].extra.is_empty());

    let posture = s.device_posture.as_ref().expect("devicePosture");
    assert_eq!(posture.len(), 1);
    let rule = &posture["foo"];
    assert_eq!(rule.id.as_deref(), Some("id"));
    let check = rule.check.as_ref().expect("check");
    assert_eq!(check.exists, Some(true));
    assert_eq!(check.path.as_deref(), Some("path"));
    assert!(check.extra.is_empty());
    assert_eq!(rule.data, Some(json!({})));
    assert!(rule.data.as_ref().unwrap().is_object());
    assert_eq!(rule.description.as_deref(), Some("description"));
    assert_eq!(rule.error.as_deref(), Some("error"));
    assert_eq!(rule.rule_name.as_deref(), Some("rule_name"));
    assert_eq!(rule.success, Some(true));
    assert_eq!(rule.timestamp.as_deref(), Some("timestamp"));
    assert_eq!(rule.type_.as_deref(), Some("type"));
    assert!(rule.extra.is_empty(), "`type` must map to `type_`, not to extra: {:?}", rule.extra);

    assert_eq!(s.email.as_deref(), Some("test@cloudflare.com"));
    let geo = s.geo.as_ref().expect("geo");
    assert_eq!(geo.country.as_deref(), Some("US"));
    assert!(geo.extra.is_empty());
    assert_eq!(s.iat, Some(1694791905.0));
    let idp = s.idp.as_ref().expect("idp");
    assert_eq!(idp.id.as_deref(), Some("id"));
    assert_eq!(idp.type_.as_deref(), Some("type"));
    assert!(idp.extra.is_empty());
    assert_eq!(s.ip.as_deref(), Some("127.0.0.0"));
    assert_eq!(s.is_gateway, Some(false));
    assert_eq!(s.is_warp, Some(false));
    assert_eq!(s.is_active, Some(true));

    let mtls = s.mtls_auth.as_ref().expect("mtls_auth");
    assert_eq!(mtls.auth_status.as_deref(), Some("auth_status"));
    assert_eq!(mtls.cert_issuer_dn.as_deref(), Some("cert_issuer_dn"));
    assert_eq!(mtls.cert_issuer_ski.as_deref(), Some("cert_issuer_ski"));
    assert_eq!(mtls.cert_presented, Some(true));
    assert_eq!(mtls.cert_serial.as_deref(), Some("cert_serial"));
    assert!(mtls.extra.is_empty());

    assert_eq!(s.service_token_id.as_deref(), Some(""));
    assert_eq!(s.service_token_status, Some(false));
    assert_eq!(s.user_uuid.as_deref(), Some("57cf8cf2-f55a-4588-9ac9-f5e41e9f09b4"));
    assert_eq!(s.version, Some(2.0));
    assert!(s.extra.is_empty(), "every seed field is a known property: {:?}", s.extra);
}

#[test]
fn seed_envelope_decodes_field_for_field() {
    let envelope = seed_envelope();
    assert!(envelope.success);
    assert_eq!(envelope.errors.len(), 1);
    assert_seed_message(&envelope.errors[0]);
    assert_eq!(envelope.messages.len(), 1);
    assert_seed_message(&envelope.messages[0]);
    assert!(envelope.extra.is_empty());
    assert_seed_session(envelope.result.as_ref().expect("result"));
}

#[test]
fn seed_envelope_round_trips_through_serialize() {
    let envelope = seed_envelope();
    let reencoded = serde_json::to_value(&envelope).unwrap();
    // Same JSON as the seed (numbers compare as numbers: 2 == 2.0).
    let original: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
    let back: AccessActiveSessionResponse = serde_json::from_value(reencoded.clone()).unwrap();
    assert_eq!(back, envelope);
    assert_eq!(reencoded["result"]["devicePosture"]["foo"]["type"], "type");
    assert_eq!(reencoded["result"]["isActive"], true);
    assert_eq!(
        reencoded["result"].as_object().unwrap().len(),
        original["result"].as_object().unwrap().len(),
        "no field lost or invented when re-encoding"
    );
}

#[test]
fn unknown_fields_land_in_extra_at_every_level() {
    let mut v: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
    v["result_info"] = json!({"count": 1});
    v["errors"][0]["x_hint"] = json!("h");
    v["errors"][0]["source"]["line"] = json!(3);
    let r = &mut v["result"];
    r["new_field"] = json!({"nested": [1, 2, 3]});
    r["device_sessions"]["foo"]["client"] = json!("warp");
    r["devicePosture"]["foo"]["score"] = json!(99);
    r["devicePosture"]["foo"]["check"]["operator"] = json!(">=");
    r["geo"]["city"] = json!("Lisbon");
    r["idp"]["name"] = json!("okta");
    r["mtls_auth"]["cert_expiry"] = json!(null);

    let e: AccessActiveSessionResponse = serde_json::from_value(v).unwrap();
    assert_eq!(e.extra["result_info"], json!({"count": 1}));
    assert_eq!(e.errors[0].extra["x_hint"], json!("h"));
    assert_eq!(e.errors[0].source.as_ref().unwrap().extra["line"], json!(3));
    let s = e.result.as_ref().unwrap();
    assert_eq!(s.extra.len(), 1);
    assert_eq!(s.extra["new_field"], json!({"nested": [1, 2, 3]}));
    assert_eq!(s.device_sessions.as_ref().unwrap()["foo"].extra["client"], json!("warp"));
    let rule = &s.device_posture.as_ref().unwrap()["foo"];
    assert_eq!(rule.extra["score"], json!(99));
    assert_eq!(rule.check.as_ref().unwrap().extra["operator"], json!(">="));
    assert_eq!(s.geo.as_ref().unwrap().extra["city"], json!("Lisbon"));
    assert_eq!(s.idp.as_ref().unwrap().extra["name"], json!("okta"));
    assert_eq!(s.mtls_auth.as_ref().unwrap().extra["cert_expiry"], json!(null));
    // The known fields are unaffected.
    assert_eq!(s.geo.as_ref().unwrap().country.as_deref(), Some("US"));
    assert_eq!(rule.type_.as_deref(), Some("type"));

    // And they survive re-serialization.
    let again = serde_json::to_value(&e).unwrap();
    assert_eq!(again["result"]["new_field"]["nested"][2], 3);
    assert_eq!(again["result_info"]["count"], 1);
}

#[test]
fn null_is_accepted_for_every_optional_field() {
    let mut v: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
    let result = v["result"].as_object_mut().unwrap();
    let keys: Vec<String> = result.keys().cloned().collect();
    for k in &keys {
        result.insert(k.clone(), serde_json::Value::Null);
    }
    v["errors"][0]["documentation_url"] = json!(null);
    v["errors"][0]["source"] = json!(null);
    let e: AccessActiveSessionResponse = serde_json::from_value(v).unwrap();
    let s = e.result.unwrap();
    assert_eq!(s, ActiveSession::default(), "every property null means every field None");
    assert!(s.extra.is_empty(), "a null known property must not end up in extra");
    assert_eq!(e.errors[0].documentation_url, None);
    assert_eq!(e.errors[0].source, None);

    // Nested optionals too.
    let nested = json!({
        "devicePosture": {"foo": {"check": {"exists": null, "path": null}, "data": null, "type": null}},
        "device_sessions": {"foo": {"last_authenticated": null}},
        "geo": {"country": null},
        "idp": {"id": null, "type": null},
        "mtls_auth": {"cert_presented": null}
    });
    let s: ActiveSession = serde_json::from_value(nested).unwrap();
    let rule = &s.device_posture.as_ref().unwrap()["foo"];
    assert_eq!(rule.check.as_ref().unwrap().exists, None);
    assert_eq!(rule.data, None);
    assert_eq!(rule.type_, None);
    assert_eq!(s.device_sessions.as_ref().unwrap()["foo"].last_authenticated, None);
    assert_eq!(s.geo.as_ref().unwrap().country, None);
    assert_eq!(s.idp.as_ref().unwrap().type_, None);
    assert_eq!(s.mtls_auth.as_ref().unwrap().cert_presented, None);

    // `result: null` in the envelope itself.
    let e: AccessActiveSessionResponse =
        serde_json::from_value(json!({"success": true, "errors": [], "messages": [], "result": null})).unwrap();
    assert_eq!(e.result, None);
}

#[test]
fn required_envelope_fields_are_required() {
    // `success`, `errors` and `messages` are required by the schema.
    for missing in ["success", "errors", "messages"] {
        let mut v: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
        v.as_object_mut().unwrap().remove(missing);
        let err = serde_json::from_value::<AccessActiveSessionResponse>(v).unwrap_err();
        assert!(err.to_string().contains(missing), "{missing}: {err}");
    }
    // `code` and `message` are required in each message item.
    let err = serde_json::from_value::<AccessMessagesItem>(json!({"message": "m"})).unwrap_err();
    assert!(err.to_string().contains("code"), "{err}");
}

async fn seed_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/client/v4/accounts/{ACCOUNT_ID}/access/users/{USER_ID}/active_sessions/{NONCE}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SEED_BODY, "application/json"))
        .mount(&server)
        .await;
    server
}

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .api_token("test-token")
        .base_url(format!("{}/client/v4", server.uri()))
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn sdk_call_returns_the_unwrapped_result() {
    let server = seed_server().await;
    let client = client_for(&server);
    let session: ActiveSession = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .expect("the seed body decodes through the SDK");
    assert_seed_session(&session);
    assert_eq!(Some(&session), seed_envelope().result.as_ref());
}

#[tokio::test]
async fn sdk_keeps_the_session_when_one_nested_value_is_odd() {
    // `geo.country` is documented as a string; a number there costs only that field.
    let server = MockServer::start().await;
    let mut v: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
    v["result"]["geo"]["country"] = json!(42);
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(v)).mount(&server).await;
    let session = client_for(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .expect("one odd value does not fail the call");
    assert_eq!(session.geo.as_ref().map(|g| g.country.clone()), Some(None));
    assert_eq!(session.account_id.as_deref(), Some("1234567890"));
}

#[tokio::test]
async fn sdk_success_without_result_gives_an_empty_session() {
    // `result` is optional in the spec; a success without it (or with `null`) must not fail
    // the call: the caller gets an empty `ActiveSession` whose fields are all `None`.
    for body in [
        json!({"success": true, "errors": [], "messages": []}),
        json!({"success": true, "errors": [], "messages": [], "result": null}),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(&body)).mount(&server).await;
        let session = client_for(&server)
            .zero_trust()
            .access()
            .users()
            .active_sessions()
            .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(session, ActiveSession::default(), "{body}");
    }
}

#[tokio::test]
async fn sdk_result_of_the_wrong_shape_is_a_decode_error_at_result() {
    let server = MockServer::start().await;
    let body = json!({"success": true, "errors": [], "messages": [], "result": "not an object"});
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(&body)).mount(&server).await;
    let err = client_for(&server)
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(USER_ID, NONCE, &ActiveSessionGetParams::new(ACCOUNT_ID))
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else { panic!("expected Error::Decode, got {err:?}") };
    assert_eq!(d.path.as_deref(), Some("result"), "{err}");
}

#[test]
fn an_odd_optional_value_does_not_fail_the_session() {
    // `iat` is documented as a number and `geo` as an object; a server that sends something
    // else for them still gives the caller the rest of the session.
    let result = json!({"account_id": "1234567890", "iat": "yesterday", "geo": "US", "isActive": true});
    let session: ActiveSession = serde_json::from_value(result).unwrap();
    assert_eq!(session.account_id.as_deref(), Some("1234567890"));
    assert_eq!(session.iat, None);
    assert_eq!(session.geo, None);
    assert_eq!(session.is_active, Some(true));
}

/// JSON equality as the runtime documents it: numbers by value, the rest exactly.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(key, value)| y.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => a == b,
    }
}

/// Nothing lost: values of the wrong shape stay reachable in `extra`, and the whole seed body,
/// with odd values at several levels, serializes back to what was received.
#[test]
fn odd_values_are_kept_and_the_body_round_trips() {
    let mut body: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
    body["result"]["iat"] = json!("yesterday");
    body["result"]["geo"] = json!({"country": 840});
    body["result"]["device_sessions"]["foo"]["last_authenticated"] = json!({"at": "noon"});
    body["result"]["is_warp"] = json!([1, 2]);
    let envelope: AccessActiveSessionResponse = serde_json::from_value(body.clone()).unwrap();
    let session = envelope.result.as_ref().expect("result");
    assert_eq!(session.iat, None);
    assert_eq!(session.extra["iat"], json!("yesterday"));
    assert_eq!(session.geo.as_ref().and_then(|geo| geo.extra.get("country")), Some(&json!(840)));
    assert_eq!(session.extra["is_warp"], json!([1, 2]));
    let written = serde_json::to_value(&envelope).unwrap();
    assert!(same_json(&body, &written), "received {body}\nwritten  {written}");
    let seed: serde_json::Value = serde_json::from_str(SEED_BODY).unwrap();
    assert!(same_json(&seed, &serde_json::to_value(seed_envelope()).unwrap()));
}
