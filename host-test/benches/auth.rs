//! What a service app costs: minting a token through the component (a client assertion
//! signed in wasm, the token request, DPoP proofs when bound) next to a call with a cached
//! token, and the same call with an API token. Baselines run in the same process: the same
//! signature made natively, and the same HTTP request sent natively to the mock.
//!
//! `cargo bench -p okta-host --bench auth` (release build; the mock in process, rate
//! limits and the request log off). Prints medians and ratios.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use okta_host::wit::types::{ClientCredentials, DpopMode};
use okta_host::wit::users::GetUserRequest;
use okta_host::{Connection, Credential, Host, HostConfig};
use okta_mock::oauth::ServiceApp;
use okta_mock::{MockConfig, MockOkta};
use rsa::signature::{SignatureEncoding as _, Signer as _};
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

const ORG: &str = "dev-424242.okta.com";
const RUNS: usize = 60;

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn public(name: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(&key(name)).unwrap();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        jwk.as_object_mut().unwrap().remove(private);
    }
    jwk
}

async fn median<F: Future<Output = ()>>(mut run: impl FnMut() -> F) -> Duration {
    for _ in 0..5 {
        run().await;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mock = MockOkta::start(MockConfig {
        seed: true,
        rate_limit_scale: 0.0,
        concurrency_limit: 0,
        log_capacity: 1,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let host = Host::new(HostConfig {
        route_to: Some(mock.url()),
        ..HostConfig::default()
    })
    .unwrap();
    let request = GetUserRequest {
        user_id: "admin@example.com".into(),
        expand: None,
    };

    // Native baselines: the RS256 signature of an assertion, and the HTTP request itself.
    let rsa = {
        let jwk: Value = serde_json::from_str(&key("rsa.jwk")).unwrap();
        let int = |n: &str| {
            rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(jwk[n].as_str().unwrap()).unwrap())
        };
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(
            rsa::RsaPrivateKey::from_components(
                int("n"),
                int("e"),
                int("d"),
                vec![int("p"), int("q")],
            )
            .unwrap(),
        )
    };
    let sign = median(|| {
        let signature = rsa.sign(b"a client assertion's header and claims").to_vec();
        async move {
            std::hint::black_box(signature);
        }
    })
    .await;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<Bytes>>();
    let admin_url = format!("{}/api/v1/users/admin@example.com", mock.url());
    let token = mock.token();
    let native_get = median(|| {
        let request = http::Request::get(&admin_url)
            .header("authorization", format!("SSWS {token}"))
            .header("host", ORG)
            .body(Empty::new())
            .unwrap();
        let sent = http.request(request);
        async move {
            let body = sent.await.unwrap().into_body().collect().await.unwrap();
            std::hint::black_box(body);
        }
    })
    .await;

    let ssws = Connection::api_token(ORG, mock.token());
    let api_token_call = median(|| async {
        let mut node = host.node(&ssws).await.unwrap();
        node.nodes
            .okta_management_users()
            .call_get_user(&mut node.store, &node.conn, &request)
            .await
            .unwrap()
            .unwrap();
    })
    .await;

    println!("native RS256 signature: {}", ms(sign));
    println!("native GET of a user (SSWS): {}", ms(native_get));
    println!(
        "get-user, API token, through the component: {} ({:.1}x the native GET)",
        ms(api_token_call),
        api_token_call.as_secs_f64() / native_get.as_secs_f64()
    );
    for (label, file, dpop) in [
        ("RS256, Bearer", "rsa.jwk", false),
        ("ES256, Bearer", "ec.jwk", false),
        ("RS256, DPoP", "rsa.jwk", true),
        ("ES256, DPoP", "ec.jwk", true),
    ] {
        let client_id = format!("0oabench{}{}", file.len(), dpop);
        mock.state().oauth.register(ServiceApp {
            client_id: client_id.clone(),
            keys: vec![public(file)],
            scopes: vec!["okta.users.read".into()],
            dpop,
        });
        let app = Connection::new(
            ORG,
            Credential::ServiceApp(ClientCredentials {
                client_id,
                private_key: key(file),
                key_id: None,
                scopes: vec!["okta.users.read".into()],
                dpop: Some(if dpop { DpopMode::On } else { DpopMode::Off }),
                dpop_key: None,
            }),
        );
        // A mint: get-access-token through a fresh instance, as the cache does it.
        let mint = median(|| async {
            let mut node = host.node_uncached(&app).await.unwrap();
            node.nodes
                .okta_management_connection()
                .call_get_access_token(&mut node.store, &node.conn)
                .await
                .unwrap()
                .unwrap();
        })
        .await;
        // A call with the cached token.
        host.authorized(&app).await.unwrap().unwrap();
        let cached = median(|| async {
            let mut node = host.node(&app).await.unwrap();
            node.nodes
                .okta_management_users()
                .call_get_user(&mut node.store, &node.conn, &request)
                .await
                .unwrap()
                .unwrap();
        })
        .await;
        println!(
            "{label}: mint {} ({:.1}x a cached call), get-user with the cached token {} ({:.2}x the API token call)",
            ms(mint),
            mint.as_secs_f64() / cached.as_secs_f64(),
            ms(cached),
            cached.as_secs_f64() / api_token_call.as_secs_f64()
        );
    }
}
