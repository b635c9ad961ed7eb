//! A web app a user authorized, for the tests that need one (kept out of `common`, whose
//! other users do not depend on the crates it needs).

use super::common::{ALL_SCOPES, Env, ORG};
use okta_host::Connection;

/// The web app's redirect URI.
pub const WEB_REDIRECT: &str = "https://engine.example/callback";
/// The PKCE verifier of its code.
pub const WEB_VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123";
/// Its client secret.
pub const WEB_SECRET: &str = "SENTINEL-web-secret";

/// Registers a web app with the mock, runs the browser's part of the authorization code
/// flow (the mock signs the admin in at once) and returns a connection holding the code.
pub fn web_app(env: &Env, auth: okta_mock::oauth::web::ClientAuth) -> Connection {
    use okta_host::wit::types::{AuthorizationCode, ClientAuth, CodeGrant, Grant};
    use okta_mock::oauth::web::{ClientAuth as MockAuth, WebApp};
    env.mock.state().oauth.register_web(WebApp {
        client_id: "0oaweb".into(),
        client_secret: WEB_SECRET.into(),
        auth,
        redirect_uris: vec![WEB_REDIRECT.into()],
        scopes: ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
        leeway: 30,
    });
    let challenge = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(WEB_VERIFIER))
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", "0oaweb")
        .append_pair("response_type", "code")
        .append_pair("scope", "okta.users.read okta.groups.read offline_access")
        .append_pair("redirect_uri", WEB_REDIRECT)
        .append_pair("state", "s")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let answer = env.mock.state().oauth.authorize_code(&query);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let code = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    Connection::new(
        ORG,
        okta_host::Credential::WebApp(AuthorizationCode {
            client_id: "0oaweb".into(),
            client_secret: WEB_SECRET.into(),
            client_auth: Some(match auth {
                MockAuth::Basic => ClientAuth::Basic,
                MockAuth::Post => ClientAuth::Post,
            }),
            grant: Grant::Code(CodeGrant {
                code,
                redirect_uri: WEB_REDIRECT.into(),
                code_verifier: Some(WEB_VERIFIER.into()),
            }),
        }),
    )
}
