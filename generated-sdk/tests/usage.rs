//! Compile-only: pins the call shapes the README shows. None of these
//! functions is run (they would need a real API token); if the generated API
//! changes shape, this file stops compiling.

#![allow(dead_code)]

use cloudflare_sdk::resources::zero_trust::access::users::active_sessions::ActiveSessionGetParams;
use cloudflare_sdk::types::ActiveSession;
use cloudflare_sdk::{ApiResponse, Call, Client, Error};

/// README: the first example.
async fn readme_quickstart() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder().api_token(std::env::var("CLOUDFLARE_API_TOKEN")?).build()?;
    let result = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(
            "f174e90a-fafe-4643-bbbc-4a0ed4fc8415",
            "X1aXj1lFVcqqyoXF",
            &ActiveSessionGetParams::new("023e105f4ecef8ad9ca31a8372d0c353"),
        )
        .await?;
    println!("{result:?}");
    Ok(())
}

/// README: "Errors".
async fn readme_errors() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder().api_token(std::env::var("CLOUDFLARE_API_TOKEN")?).build()?;
    let outcome = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(
            "f174e90a-fafe-4643-bbbc-4a0ed4fc8415",
            "X1aXj1lFVcqqyoXF",
            &ActiveSessionGetParams::new("023e105f4ecef8ad9ca31a8372d0c353"),
        )
        .await;
    match outcome {
        Ok(body) => println!("{body:?}"),
        Err(error) if error.is_not_found() => println!("not found"),
        Err(error) if error.is_rate_limited() => println!("slow down"),
        Err(error) => {
            if let Some(api_error) = error.api_error() {
                println!("status {} request {:?}: {:?}", api_error.status, api_error.request_id, api_error.message());
            }
            if let Some(body) = error.api_error_body::<cloudflare_sdk::types::AccessApiResponseCommonFailure>() {
                println!("{body:?}");
            }
            return Err(error.into());
        }
    }
    Ok(())
}

/// README: "Retries and timeouts".
async fn readme_retries_and_timeouts() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .api_token(std::env::var("CLOUDFLARE_API_TOKEN")?)
        .timeout(std::time::Duration::from_secs(20))
        .max_retries(5)
        .build()?;
    let result = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(
            "f174e90a-fafe-4643-bbbc-4a0ed4fc8415",
            "X1aXj1lFVcqqyoXF",
            &ActiveSessionGetParams::new("023e105f4ecef8ad9ca31a8372d0c353"),
        )
        .timeout(std::time::Duration::from_secs(5))
        .max_retries(0)
        .header("x-example", "1")
        .await?;
    let _ = result;
    Ok(())
}

/// README: "Raw responses".
async fn readme_raw() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder().api_token(std::env::var("CLOUDFLARE_API_TOKEN")?).build()?;
    let result = client
        .zero_trust()
        .access()
        .users()
        .active_sessions()
        .get(
            "f174e90a-fafe-4643-bbbc-4a0ed4fc8415",
            "X1aXj1lFVcqqyoXF",
            &ActiveSessionGetParams::new("023e105f4ecef8ad9ca31a8372d0c353"),
        )
        .send_raw()
        .await?;
    println!("{} {:?} {:?}", result.status, result.request_id(), result.body);
    Ok(())
}

/// README: "Authentication" (legacy pair and environment).
fn readme_authentication() -> Result<(), Error> {
    let _legacy = Client::builder().api_email("user@example.com").api_key("global-api-key").build()?;
    let _from_env = Client::from_env()?;
    let _prefixed = Client::builder().api_token("token").base_url("http://127.0.0.1:4010/client/v4").build()?;
    Ok(())
}

/// The exact types behind the README's calls.
fn pinned_types(client: &Client) {
    let params = ActiveSessionGetParams::new("023e105f4ecef8ad9ca31a8372d0c353");
    let call: Call<'_, ActiveSession> =
        client.zero_trust().access().users().active_sessions().get("user", "nonce", &params);
    let _future = async move {
        let result: Result<ActiveSession, Error> = call.await;
        result
    };
    let raw = async {
        let r: Result<ApiResponse<ActiveSession>, Error> =
            client.zero_trust().access().users().active_sessions().get("user", "nonce", &params).send_raw().await;
        r
    };
    drop(raw);
    let _account: &String = &params.account_id;
}

fn assert_send<T: Send>(_: &T) {}

/// The futures can be spawned on a multi-threaded runtime.
#[test]
fn call_futures_are_send() {
    let client = Client::builder().api_token("t").build().unwrap();
    let params = ActiveSessionGetParams::new("acc");
    let sessions = client.zero_trust().access().users().active_sessions();
    let awaited = async { sessions.get("u", "n", &params).await };
    assert_send(&awaited);
    let raw = sessions.get("u", "n", &params).send_raw();
    assert_send(&raw);
    assert_send(&readme_quickstart());
    assert_send(&readme_errors());
}
