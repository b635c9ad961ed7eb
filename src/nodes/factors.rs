//! The `factors` interface: WIT requests → request specs, Okta answers → WIT outputs.

use crate::client::encode;
use crate::client::error::invalid_input;
use crate::client::paging;
use crate::client::spec::{RequestSpec, Retry};
use crate::client::{Client, Transport};
use crate::nodes::objects::{self, parse, text};
use crate::nodes::users::{self, user_ref};
use crate::wit::factors::{
    ActivateFactorRequest, EnrollFactorRequest, Factor, FactorStatus, FactorType, FactorsReset,
    ListFactorsRequest, ResetAllFactorsRequest, UnenrollFactorRequest, UnenrolledFactor,
};
use crate::wit::types::OktaError;
use serde_json::{Map, Value, json};

/// Each factor type and Okta's name for it.
const FACTOR_TYPES: &[(FactorType, &str)] = &[
    (FactorType::Call, "call"),
    (FactorType::Email, "email"),
    (FactorType::Push, "push"),
    (FactorType::Question, "question"),
    (FactorType::SignedNonce, "signed_nonce"),
    (FactorType::Sms, "sms"),
    (FactorType::Token, "token"),
    (FactorType::TokenHardware, "token:hardware"),
    (FactorType::TokenHotp, "token:hotp"),
    (FactorType::TokenSoftwareTotp, "token:software:totp"),
    (FactorType::U2f, "u2f"),
    (FactorType::Web, "web"),
    (FactorType::Webauthn, "webauthn"),
];

pub(crate) fn factor_type_name(kind: FactorType) -> Option<&'static str> {
    FACTOR_TYPES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, name)| *name)
}

fn factor_type(name: &str) -> FactorType {
    FACTOR_TYPES
        .iter()
        .find(|(_, n)| *n == name)
        .map_or(FactorType::Unknown, |(kind, _)| *kind)
}

fn factor_status(name: &str) -> FactorStatus {
    match name {
        "ACTIVE" => FactorStatus::Active,
        "DISABLED" => FactorStatus::Disabled,
        "ENROLLED" => FactorStatus::Enrolled,
        "EXPIRED" => FactorStatus::Expired,
        "INACTIVE" => FactorStatus::Inactive,
        "NOT_SETUP" => FactorStatus::NotSetup,
        "PENDING_ACTIVATION" => FactorStatus::PendingActivation,
        _ => FactorStatus::Unknown,
    }
}

/// Parses a factor, with a TOTP enrollment's shared secret and QR code.
pub(crate) fn factor(raw: &[u8]) -> Result<Factor, OktaError> {
    let object = parse(raw, "a factor")?;
    let profile = object.get("profile").cloned().unwrap_or(Value::Null);
    let activation = object
        .pointer("/_embedded/activation")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(Factor {
        id: objects::required(&object, "id", "a factor")?,
        factor_type: object
            .get("factorType")
            .and_then(Value::as_str)
            .map_or(FactorType::Unknown, factor_type),
        provider: text(&object, "provider").unwrap_or_default(),
        status: object
            .get("status")
            .and_then(Value::as_str)
            .map_or(FactorStatus::Unknown, factor_status),
        phone_number: text(&profile, "phoneNumber"),
        email: text(&profile, "email"),
        question: text(&profile, "question"),
        totp_shared_secret: text(&activation, "sharedSecret"),
        // Okta's examples put the QR code under the activation (Google Authenticator) or
        // beside it (Okta Verify).
        totp_qr_code_url: [
            "/_embedded/activation/_links/qrcode/href",
            "/_embedded/_links/qrcode/href",
        ]
        .iter()
        .find_map(|at| object.pointer(at).and_then(Value::as_str))
        .map(str::to_string),
        created: text(&object, "created"),
        last_updated: text(&object, "lastUpdated"),
        raw: Some(objects::raw_text(raw)),
    })
}

/// The user's id and their factors path (a login is looked up first).
fn factors_path<T: Transport>(
    client: &mut Client<T>,
    user: &users::UserRef,
) -> Result<(String, String), OktaError> {
    let (id, path) = users::id_and_path(client, user)?;
    Ok((id, format!("{path}/factors")))
}

/// Takes a required, non-blank field.
fn needed<'a>(value: &'a Option<String>, field: &str, kind: &str) -> Result<&'a str, OktaError> {
    encode::non_blank(value)
        .ok_or_else(|| invalid_input(format!("{field} is required for a {kind} factor")))
}

/// The enrollment body and query, checked for what the factor type needs; the path is put
/// under the user's factors path once the user is found.
pub(crate) fn build_enroll(req: &EnrollFactorRequest) -> Result<RequestSpec, OktaError> {
    let kind = factor_type_name(req.factor_type).unwrap_or("unknown");
    let mut profile = Map::new();
    let mut factor_profile_id = None;
    match req.factor_type {
        FactorType::Sms | FactorType::Call => {
            profile.insert(
                "phoneNumber".into(),
                needed(&req.phone_number, "phone-number", kind)?.into(),
            );
        }
        FactorType::Email => {
            profile.insert("email".into(), needed(&req.email, "email", kind)?.into());
        }
        FactorType::Question => {
            profile.insert(
                "question".into(),
                needed(&req.question, "question", kind)?.into(),
            );
            profile.insert("answer".into(), needed(&req.answer, "answer", kind)?.into());
        }
        FactorType::TokenHotp => {
            factor_profile_id = Some(needed(&req.factor_profile_id, "factor-profile-id", kind)?);
            profile.insert(
                "sharedSecret".into(),
                needed(&req.shared_secret, "shared-secret", kind)?.into(),
            );
        }
        FactorType::Push | FactorType::TokenSoftwareTotp => {}
        _ => {
            return Err(invalid_input(format!(
                "a {kind} factor is enrolled on the user's device, not through this node"
            )));
        }
    }
    // Okta auto-activates these four types only (`enrollFactor`'s `activate`).
    let auto = matches!(
        req.factor_type,
        FactorType::Sms | FactorType::Call | FactorType::Email | FactorType::TokenHotp
    );
    if req.activate.is_some() && !auto {
        return Err(invalid_input(
            "activate works only for sms, call, email and token-hotp factors",
        ));
    }
    let hotp = req.factor_type == FactorType::TokenHotp;
    let given = |field: &Option<String>| encode::non_blank(field).is_some();
    if !hotp && (given(&req.factor_profile_id) || given(&req.shared_secret)) {
        return Err(invalid_input(
            "factor-profile-id and shared-secret work only for a token-hotp factor",
        ));
    }
    let phone = matches!(req.factor_type, FactorType::Sms | FactorType::Call);
    if req.update_phone.is_some() && !phone {
        return Err(invalid_input(
            "update-phone works only for sms and call factors",
        ));
    }
    if req.token_lifetime_seconds.is_some() && !(phone || req.factor_type == FactorType::Email) {
        return Err(invalid_input(
            "token-lifetime-seconds works only for sms, call and email factors",
        ));
    }
    let lifetime = crate::catalog::limits::TOKEN_LIFETIME_SECONDS;
    if req
        .token_lifetime_seconds
        .is_some_and(|s| !lifetime.takes(s))
    {
        return Err(invalid_input(format!(
            "token-lifetime-seconds must be from {} to {}",
            lifetime.min, lifetime.max
        )));
    }
    let provider = encode::non_blank(&req.provider)
        .unwrap_or(if hotp { "CUSTOM" } else { "OKTA" })
        .to_ascii_uppercase();
    let mut body = json!({ "factorType": kind, "provider": provider });
    if let Some(id) = factor_profile_id {
        body["factorProfileId"] = id.into();
    }
    if !profile.is_empty() {
        body["profile"] = Value::Object(profile);
    }
    Ok(RequestSpec::post(String::new())
        .query_opt("activate", req.activate)
        .query_opt("updatePhone", req.update_phone)
        .query_opt("tokenLifetimeSeconds", req.token_lifetime_seconds)
        .json(body))
}

/// `factors.list-factors`.
pub(crate) fn list_factors<T: Transport>(
    client: &mut Client<T>,
    req: ListFactorsRequest,
) -> Result<Vec<Factor>, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let (_, path) = factors_path(client, &user)?;
    let paging = paging::everything(req.include_raw);
    Ok(client.list(RequestSpec::get(path), &paging, factor)?.0)
}

/// `factors.enroll-factor`.
pub(crate) fn enroll_factor<T: Transport>(
    client: &mut Client<T>,
    req: EnrollFactorRequest,
) -> Result<Factor, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let spec = build_enroll(&req)?;
    let spec = spec.under(&factors_path(client, &user)?.1);
    factor(&client.send(&spec)?.body)
}

/// `factors.activate-factor`.
pub(crate) fn activate_factor<T: Transport>(
    client: &mut Client<T>,
    req: ActivateFactorRequest,
) -> Result<Factor, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let factor_id = encode::segment("factor-id", &req.factor_id)?;
    let code = req.pass_code.trim();
    if code.is_empty() {
        return Err(invalid_input("pass-code is empty"));
    }
    let path = format!(
        "{}/{factor_id}/lifecycle/activate",
        factors_path(client, &user)?.1
    );
    let spec = RequestSpec::post(path)
        .transition()
        .json(json!({ "passCode": code }));
    factor(&client.send(&spec)?.body)
}

/// `factors.unenroll-factor`.
pub(crate) fn unenroll_factor<T: Transport>(
    client: &mut Client<T>,
    req: UnenrollFactorRequest,
) -> Result<UnenrolledFactor, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let factor_id = encode::segment("factor-id", &req.factor_id)?;
    let (user_id, factors) = factors_path(client, &user)?;
    client.send(
        &RequestSpec::delete(format!("{factors}/{factor_id}"))
            .query_opt("removeRecoveryEnrollment", req.remove_recovery_enrollment),
    )?;
    Ok(UnenrolledFactor {
        user_id,
        factor_id: req.factor_id.trim().to_string(),
    })
}

/// `factors.reset-all-factors`.
pub(crate) fn reset_all_factors<T: Transport>(
    client: &mut Client<T>,
    req: ResetAllFactorsRequest,
) -> Result<FactorsReset, OktaError> {
    let user = user_ref("user-id", &req.user_id)?;
    let (user_id, path) = users::id_and_path(client, &user)?;
    // Resetting twice leaves no factor either way.
    let reset = RequestSpec::post(format!("{path}/lifecycle/reset_factors"));
    client.send(&reset.retry(Retry::Safe).transition())?;
    Ok(FactorsReset { user_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wit::types::ErrorKind;

    fn enroll(kind: FactorType) -> EnrollFactorRequest {
        EnrollFactorRequest {
            user_id: "00u1".into(),
            factor_type: kind,
            provider: None,
            phone_number: None,
            email: None,
            question: None,
            answer: None,
            factor_profile_id: None,
            shared_secret: None,
            activate: None,
            update_phone: None,
            token_lifetime_seconds: None,
        }
    }

    #[test]
    fn each_factor_type_needs_its_profile() {
        let path = "/api/v1/users/00u1/factors";
        assert_eq!(
            build_enroll(&enroll(FactorType::Sms)).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        let sms = EnrollFactorRequest {
            phone_number: Some("+1-555-415-1337".into()),
            update_phone: Some(true),
            ..enroll(FactorType::Sms)
        };
        let spec = build_enroll(&sms).unwrap().under(path);
        assert_eq!(
            spec.path_and_query(),
            "/api/v1/users/00u1/factors?updatePhone=true"
        );
        assert_eq!(
            spec.body.unwrap(),
            json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+1-555-415-1337"}})
        );
        let question = EnrollFactorRequest {
            question: Some("disliked_food".into()),
            ..enroll(FactorType::Question)
        };
        assert!(build_enroll(&question).is_err(), "an answer is needed");
        let totp = EnrollFactorRequest {
            provider: Some("google".into()),
            ..enroll(FactorType::TokenSoftwareTotp)
        };
        assert_eq!(
            build_enroll(&totp).unwrap().body.unwrap(),
            json!({"factorType": "token:software:totp", "provider": "GOOGLE"})
        );
        assert!(build_enroll(&enroll(FactorType::Webauthn)).is_err());
        let email = EnrollFactorRequest {
            email: Some("a@x.com".into()),
            activate: Some(true),
            ..enroll(FactorType::Email)
        };
        assert_eq!(
            build_enroll(&email).unwrap().query_value("activate"),
            Some("true")
        );
        let bad = EnrollFactorRequest {
            activate: Some(true),
            ..totp
        };
        assert!(build_enroll(&bad).is_err());
    }

    #[test]
    fn okta_auto_activates_sms_call_email_and_custom_totp() {
        for (kind, phone) in [
            (FactorType::Sms, true),
            (FactorType::Call, true),
            (FactorType::Email, false),
        ] {
            let req = EnrollFactorRequest {
                phone_number: phone.then(|| "+1-555-415-1337".into()),
                email: (!phone).then(|| "a@x.com".into()),
                activate: Some(true),
                ..enroll(kind)
            };
            assert_eq!(
                build_enroll(&req).unwrap().query_value("activate"),
                Some("true"),
                "{kind:?}"
            );
        }
        for kind in [FactorType::Push, FactorType::Question] {
            let req = EnrollFactorRequest {
                activate: Some(false),
                question: Some("q".into()),
                answer: Some("a".into()),
                ..enroll(kind)
            };
            assert!(build_enroll(&req).is_err(), "{kind:?}");
        }
    }

    #[test]
    fn a_custom_totp_token_needs_its_profile_and_secret() {
        let hotp = EnrollFactorRequest {
            factor_profile_id: Some("fpr20l2mDyaUGWGCa0g4".into()),
            shared_secret: Some("484f97be3213b117e3a20438e291540a".into()),
            activate: Some(true),
            ..enroll(FactorType::TokenHotp)
        };
        let spec = build_enroll(&hotp).unwrap();
        assert_eq!(spec.query_value("activate"), Some("true"));
        // Okta's own example request (`EnrollFactorCustomTotpRequest`).
        assert_eq!(
            spec.body.unwrap(),
            json!({"factorType": "token:hotp", "provider": "CUSTOM", "factorProfileId": "fpr20l2mDyaUGWGCa0g4",
                "profile": {"sharedSecret": "484f97be3213b117e3a20438e291540a"}})
        );
        for missing in [
            EnrollFactorRequest {
                shared_secret: None,
                ..hotp.clone()
            },
            EnrollFactorRequest {
                factor_profile_id: Some(" ".into()),
                ..hotp.clone()
            },
        ] {
            let err = build_enroll(&missing).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput);
            assert!(!err.message.contains("484f97"), "{}", err.message);
        }
        let stray = EnrollFactorRequest {
            shared_secret: Some("s".into()),
            phone_number: Some("+1-555-415-1337".into()),
            ..enroll(FactorType::Sms)
        };
        assert!(build_enroll(&stray).is_err());
    }

    #[test]
    fn parses_a_totp_enrollment() {
        let raw = br#"{"id":"uft1","factorType":"token:software:totp","provider":"OKTA","status":"PENDING_ACTIVATION",
            "_embedded":{"activation":{"sharedSecret":"JBSWY3DPEHPK3PXP","_links":{"qrcode":{"href":"https://x/qr.png"}}}}}"#;
        let f = factor(raw).unwrap();
        assert_eq!(
            (f.factor_type, f.status),
            (
                FactorType::TokenSoftwareTotp,
                FactorStatus::PendingActivation
            )
        );
        assert_eq!(f.totp_shared_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(f.totp_qr_code_url.as_deref(), Some("https://x/qr.png"));
        // Okta Verify's example (`EnrollFactorOVTotpResponse`) puts the link beside the
        // activation.
        let verify = factor(br#"{"id":"ostf1","factorType":"token:software:totp","provider":"OKTA","status":"PENDING_ACTIVATION",
            "_embedded":{"activation":{"timeStep":30,"sharedSecret":"JBTWGV22G4ZGKV3N","encoding":"base32","keyLength":6},
            "_links":{"qrcode":{"href":"https://x/qr/00fuk","type":"image/png"}}}}"#).unwrap();
        assert_eq!(
            verify.totp_shared_secret.as_deref(),
            Some("JBTWGV22G4ZGKV3N")
        );
        assert_eq!(
            verify.totp_qr_code_url.as_deref(),
            Some("https://x/qr/00fuk")
        );
        let sms = factor(
            br#"{"id":"mbl1","factorType":"sms","status":"ACTIVE","profile":{"phoneNumber":"+1"}}"#,
        )
        .unwrap();
        assert_eq!(
            (sms.factor_type, sms.phone_number.as_deref()),
            (FactorType::Sms, Some("+1"))
        );
        assert_eq!(
            factor(br#"{"id":"x","factorType":"new:thing"}"#)
                .unwrap()
                .factor_type,
            FactorType::Unknown
        );
    }
}
