//! Keys and signed JWTs (RFC 7515 compact form): the client assertion of a service app
//! (RFC 7523, `private_key_jwt`) and DPoP proofs (RFC 9449).
//!
//! A key is read from PEM (PKCS#8, PKCS#1 RSA, SEC1 EC P-256) or a JWK. RS256 is RSASSA-
//! PKCS1-v1_5 with SHA-256; ES256 is ECDSA P-256 with SHA-256 and a deterministic nonce
//! (RFC 6979), its signature the 64 bytes `r || s`. Randomness (a `jti`, a generated DPoP
//! key) comes from the host's `wasi:random`. No key, assertion or proof is ever in an error
//! or a `Debug`.

use crate::client::error::invalid_input;
use crate::wit::types::OktaError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt;

/// The smallest RSA key accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// The largest key text read.
const MAX_KEY_TEXT: usize = 64 << 10;

/// A private key that signs JWTs.
#[derive(Clone)]
pub(crate) enum SigningKey {
    /// RS256.
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    /// ES256.
    Ec(EcKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SigningKey::Rsa(_) => "SigningKey::Rsa(<redacted>)",
            SigningKey::Ec(_) => "SigningKey::Ec(<redacted>)",
        })
    }
}

/// A key as read, before it is checked.
enum Parsed {
    Rsa(Box<rsa::RsaPrivateKey>),
    /// The secret scalar, and the public JWK when the key text gave it.
    Ec(p256::SecretKey, Option<Value>),
}

/// An EC P-256 private key: an ES256 client key or a DPoP key. Its public JWK is worked
/// out once (a scalar multiplication), not for every proof.
#[derive(Clone)]
pub(crate) struct EcKey {
    signing: p256::ecdsa::SigningKey,
    public: Value,
}

impl fmt::Debug for EcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcKey(<redacted>)")
    }
}

/// Base64url without padding, as JOSE writes every binary value.
pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` random bytes from the host.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], OktaError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| {
        crate::client::error::failure(
            crate::wit::types::ErrorKind::Transport,
            "the host gave no random bytes",
        )
    })?;
    Ok(bytes)
}

/// A fresh `jti`: 128 random bits.
pub(crate) fn jti() -> Result<String, OktaError> {
    Ok(b64(&random::<16>()?))
}

impl SigningKey {
    /// Reads a private key; `field` names the input in the error, which never quotes it.
    pub(crate) fn parse(field: &str, text: &str) -> Result<Self, OktaError> {
        let text = text.trim();
        let bad = |why: &str| invalid_input(format!("{field} {why}"));
        if text.is_empty() {
            return Err(bad("is empty"));
        }
        if text.len() > MAX_KEY_TEXT {
            return Err(bad("is too long to be a key"));
        }
        let key = if text.starts_with('{') {
            Self::from_jwk(text).ok_or_else(|| {
                bad("is not a private JWK: an RSA key (n, e, d, p, q) or an EC P-256 key (x, y, d)")
            })?
        } else if text.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            rsa::RsaPrivateKey::from_pkcs1_pem(text)
                .map(|k| Parsed::Rsa(Box::new(k)))
                .map_err(|_| bad("is not a PKCS#1 RSA private key"))?
        } else if text.starts_with("-----BEGIN EC PRIVATE KEY-----") {
            p256::SecretKey::from_sec1_pem(text)
                .map(|k| Parsed::Ec(k, None))
                .map_err(|_| bad("is not a SEC1 EC P-256 private key"))?
        } else if text.starts_with("-----BEGIN PRIVATE KEY-----") {
            rsa::RsaPrivateKey::from_pkcs8_pem(text)
                .map(|k| Parsed::Rsa(Box::new(k)))
                .or_else(|_| p256::SecretKey::from_pkcs8_pem(text).map(|k| Parsed::Ec(k, None)))
                .map_err(|_| bad("is not a PKCS#8 RSA or EC P-256 private key"))?
        } else {
            return Err(bad(
                "is not a private key: give a PEM (PKCS#8, PKCS#1 RSA or SEC1 EC P-256) or a JWK",
            ));
        };
        match key {
            Parsed::Rsa(key) => {
                use rsa::traits::PublicKeyParts as _;
                let bits = key.size() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(bad(&format!(
                        "is an RSA key of {bits} bits; Okta needs at least {MIN_RSA_BITS}"
                    )));
                }
                Ok(SigningKey::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(
                    *key,
                ))))
            }
            Parsed::Ec(key, public) => Ok(SigningKey::Ec(EcKey::new(&key, public))),
        }
    }

    fn from_jwk(text: &str) -> Option<Parsed> {
        let jwk: Value = serde_json::from_str(text).ok()?;
        match jwk.get("kty")?.as_str()? {
            "RSA" => {
                let int = |name: &str| -> Option<rsa::BigUint> {
                    let bytes = URL_SAFE_NO_PAD.decode(jwk.get(name)?.as_str()?).ok()?;
                    Some(rsa::BigUint::from_bytes_be(&bytes))
                };
                let key = rsa::RsaPrivateKey::from_components(
                    int("n")?,
                    int("e")?,
                    int("d")?,
                    vec![int("p")?, int("q")?],
                )
                .ok()?;
                Some(Parsed::Rsa(Box::new(key)))
            }
            // The public point is taken as the JWK gives it: working it out from `d` costs
            // a scalar multiplication, on every call that passes a DPoP token's key back.
            "EC" if jwk.get("crv")? == "P-256" => {
                let d = URL_SAFE_NO_PAD.decode(jwk.get("d")?.as_str()?).ok()?;
                let secret = p256::SecretKey::from_slice(&d).ok()?;
                let coordinate = |name: &str| {
                    jwk.get(name)
                        .and_then(Value::as_str)
                        .filter(|c| URL_SAFE_NO_PAD.decode(c).is_ok_and(|b| b.len() == 32))
                };
                let public = match (coordinate("x"), coordinate("y")) {
                    (Some(x), Some(y)) => {
                        Some(json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}))
                    }
                    _ => None,
                };
                Some(Parsed::Ec(secret, public))
            }
            _ => None,
        }
    }

    /// The JWS `alg`.
    pub(crate) fn alg(&self) -> &'static str {
        match self {
            SigningKey::Rsa(_) => "RS256",
            SigningKey::Ec(_) => "ES256",
        }
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            SigningKey::Rsa(key) => {
                use rsa::signature::SignatureEncoding as _;
                key.sign(input).to_vec()
            }
            SigningKey::Ec(key) => key.sign(input),
        }
    }

    /// A compact JWS of `claims` with this header.
    pub(crate) fn jwt(&self, mut header: Value, claims: &Value) -> String {
        header["alg"] = self.alg().into();
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature = b64(&self.sign(input.as_bytes()));
        format!("{input}.{signature}")
    }
}

impl EcKey {
    fn new(key: &p256::SecretKey, public: Option<Value>) -> Self {
        let public = public.unwrap_or_else(|| {
            let point = p256::EncodedPoint::from(key.public_key());
            json!({
                "kty": "EC",
                "crv": "P-256",
                "x": point.x().map(|x| b64(x)).unwrap_or_default(),
                "y": point.y().map(|y| b64(y)).unwrap_or_default(),
            })
        });
        EcKey {
            signing: p256::ecdsa::SigningKey::from(key),
            public,
        }
    }

    /// Reads an EC P-256 private key (PEM or JWK); `field` names the input in the error.
    pub(crate) fn parse(field: &str, text: &str) -> Result<Self, OktaError> {
        match SigningKey::parse(field, text)? {
            SigningKey::Ec(key) => Ok(key),
            SigningKey::Rsa(_) => Err(invalid_input(format!(
                "{field} is an RSA key; a DPoP key is EC P-256"
            ))),
        }
    }

    /// A new key from the host's randomness.
    pub(crate) fn generate() -> Result<Self, OktaError> {
        // A random scalar is valid but for a chance of about 2^-128; try again then.
        for _ in 0..4 {
            if let Ok(key) = p256::SecretKey::from_slice(&random::<32>()?) {
                return Ok(EcKey::new(&key, None));
            }
        }
        Err(crate::client::error::failure(
            crate::wit::types::ErrorKind::Transport,
            "the host's random bytes made no key",
        ))
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        let signature: p256::ecdsa::Signature = self.signing.sign(input);
        signature.to_bytes().to_vec()
    }

    /// The public key as a JWK (the `jwk` header of a DPoP proof).
    #[cfg(test)]
    pub(crate) fn public_jwk(&self) -> Value {
        self.public.clone()
    }

    /// The private key as a JWK, for a host to keep with the token it is bound to.
    pub(crate) fn private_jwk(&self) -> String {
        let mut jwk = self.public.clone();
        jwk["d"] = b64(&self.signing.to_bytes()).into();
        jwk.to_string()
    }

    /// A DPoP proof for one request: `htm` and `htu` (the URL without query or fragment),
    /// `ath` for a call with an access token, and the server's `nonce` when it gave one.
    pub(crate) fn proof(
        &self,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
        now: u64,
    ) -> Result<String, OktaError> {
        let mut claims = json!({"htm": htm, "htu": htu, "iat": now, "jti": jti()?});
        if let Some(token) = access_token {
            claims["ath"] = b64(&Sha256::digest(token.as_bytes())).into();
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        Ok(format!("{input}.{}", b64(&self.sign(input.as_bytes()))))
    }
}

/// `htu`: a URL without its query and fragment, the path as sent.
pub(crate) fn htu(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier as _;

    const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/host-test/tests/keys/");

    fn key(name: &str) -> String {
        std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
    }

    fn parts(jwt: &str) -> (Value, Value, Vec<u8>, String) {
        let mut it = jwt.split('.');
        let (h, c, s) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        let json = |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
        (
            json(h),
            json(c),
            URL_SAFE_NO_PAD.decode(s).unwrap(),
            format!("{h}.{c}"),
        )
    }

    #[test]
    fn reads_every_key_form() {
        for (name, alg) in [
            ("rsa-pkcs8.pem", "RS256"),
            ("rsa-pkcs1.pem", "RS256"),
            ("rsa.jwk", "RS256"),
            ("ec-pkcs8.pem", "ES256"),
            ("ec-sec1.pem", "ES256"),
            ("ec.jwk", "ES256"),
        ] {
            let parsed = SigningKey::parse("auth.private-key", &key(name)).unwrap();
            assert_eq!(parsed.alg(), alg, "{name}");
            assert!(!format!("{parsed:?}").contains("BEGIN"));
        }
        for bad in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "{\"kty\":\"oct\",\"k\":\"AAAA\"}",
            "{\"kty\":\"EC\",\"crv\":\"P-384\"}",
        ] {
            let err = SigningKey::parse("auth.private-key", bad).unwrap_err();
            assert!(
                err.message.starts_with("auth.private-key"),
                "{}",
                err.message
            );
            if !bad.is_empty() {
                assert!(!err.message.contains(bad), "{}", err.message);
            }
        }
        let err = EcKey::parse("auth.dpop-key", &key("rsa-pkcs8.pem")).unwrap_err();
        assert!(err.message.contains("EC P-256"), "{}", err.message);
    }

    #[test]
    fn signs_verifiable_jwts() {
        let claims = json!({"iss": "0oa1", "sub": "0oa1"});
        // RS256, checked with the public key.
        let rsa_key = rsa::RsaPrivateKey::from_pkcs8_pem(&key("rsa-pkcs8.pem")).unwrap();
        let jwt = SigningKey::parse("k", &key("rsa-pkcs1.pem"))
            .unwrap()
            .jwt(json!({"kid": "k1"}), &claims);
        let (header, got, signature, input) = parts(&jwt);
        assert_eq!(header, json!({"kid": "k1", "alg": "RS256"}));
        assert_eq!(got, claims);
        let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(rsa_key.to_public_key());
        let signature = rsa::pkcs1v15::Signature::try_from(&signature[..]).unwrap();
        rsa::signature::Verifier::verify(&verifier, input.as_bytes(), &signature).unwrap();
        // ES256.
        let ec = p256::SecretKey::from_pkcs8_pem(&key("ec-pkcs8.pem")).unwrap();
        let jwt = SigningKey::parse("k", &key("ec.jwk"))
            .unwrap()
            .jwt(json!({}), &claims);
        let (header, _, signature, input) = parts(&jwt);
        assert_eq!(header["alg"], "ES256");
        let verifier = p256::ecdsa::VerifyingKey::from(ec.public_key());
        let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
        verifier.verify(input.as_bytes(), &signature).unwrap();
    }

    #[test]
    fn a_dpop_proof_carries_its_key_and_binds_the_token() {
        let dpop = EcKey::generate().unwrap();
        let proof = dpop
            .proof(
                "GET",
                "https://x.okta.com/api/v1/users/a%2Bb%40x.com",
                Some("tok"),
                Some("n1"),
                1_700_000_000,
            )
            .unwrap();
        let (header, claims, signature, input) = parts(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(
            header["jwk"].get("d").is_none(),
            "the proof shows no private key"
        );
        assert_eq!(
            claims["htu"],
            "https://x.okta.com/api/v1/users/a%2Bb%40x.com"
        );
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["nonce"], "n1");
        assert_eq!(claims["iat"], 1_700_000_000);
        // ath = base64url(SHA-256("tok")).
        assert_eq!(claims["ath"], "GnZ0607njffhrEOak8P6jjyUV4TU3sn9jjARc4svHWI");
        let public = p256::PublicKey::from_jwk_str(&header["jwk"].to_string()).unwrap();
        let verifier = p256::ecdsa::VerifyingKey::from(public);
        verifier
            .verify(
                input.as_bytes(),
                &p256::ecdsa::Signature::from_slice(&signature).unwrap(),
            )
            .unwrap();
        // The private JWK reads back as the same key.
        let again = EcKey::parse("k", &dpop.private_jwk()).unwrap();
        assert_eq!(again.public_jwk(), dpop.public_jwk());
        assert_ne!(jti().unwrap(), jti().unwrap());
    }

    #[test]
    fn htu_drops_the_query_and_keeps_the_path_as_sent() {
        assert_eq!(
            htu("https://x.okta.com/api/v1/users/a%2Bb%40x.com?expand=x#f"),
            "https://x.okta.com/api/v1/users/a%2Bb%40x.com"
        );
        assert_eq!(
            htu("https://x.okta.com/oauth2/v1/token"),
            "https://x.okta.com/oauth2/v1/token"
        );
    }
}
