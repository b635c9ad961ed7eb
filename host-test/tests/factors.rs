//! Every `factors` node through the real component against the stateful mock.

mod common;

use common::*;
use okta_host::wit::factors::*;
use okta_host::wit::types::ErrorKind;

fn code_for(env: &Env, factor_id: &str) -> String {
    env.mock
        .state()
        .outbox
        .iter()
        .rev()
        .find(|m| m.factor_id == factor_id)
        .unwrap()
        .code
        .clone()
}

#[tokio::test]
async fn enroll_and_activate_an_sms_factor() {
    let env = Env::start().await;
    let user = env.add_user("mfa@example.com");
    let request = EnrollFactorRequest {
        phone_number: Some("+1-555-415-1337".into()),
        update_phone: Some(true),
        ..enroll("mfa@example.com", FactorType::Sms)
    };
    let factor = call!(env, okta_management_factors, call_enroll_factor, &request).unwrap();
    assert_eq!(
        (factor.factor_type, factor.status),
        (FactorType::Sms, FactorStatus::PendingActivation)
    );
    // Okta's factor profile keeps the number in E.164.
    assert_eq!(factor.phone_number.as_deref(), Some("+15554151337"));
    assert!(
        env.mock
            .requests()
            .last()
            .unwrap()
            .path
            .starts_with(&format!("/api/v1/users/{user}/factors"))
    );

    let wrong = ActivateFactorRequest {
        user_id: user.clone(),
        factor_id: factor.id.clone(),
        pass_code: "000000".into(),
    };
    let err = call!(env, okta_management_factors, call_activate_factor, &wrong).unwrap_err();
    assert_error(&err, ErrorKind::BadRequest, Some("E0000068"));
    let right = ActivateFactorRequest {
        pass_code: code_for(&env, &factor.id),
        ..wrong
    };
    let active = call!(env, okta_management_factors, call_activate_factor, &right).unwrap();
    assert_eq!(active.status, FactorStatus::Active);
    let err = call!(env, okta_management_factors, call_activate_factor, &right).unwrap_err();
    assert_error(&err, ErrorKind::InvalidState, Some("E0000001"));

    let again = call!(env, okta_management_factors, call_enroll_factor, &request).unwrap_err();
    assert_error(&again, ErrorKind::Conflict, Some("E0000001"));
}

#[tokio::test]
async fn a_totp_enrollment_returns_its_secret_and_qr_code() {
    let env = Env::start().await;
    let user = env.add_user("totp@example.com");
    let request = EnrollFactorRequest {
        provider: Some("GOOGLE".into()),
        ..enroll(&user, FactorType::TokenSoftwareTotp)
    };
    let factor = call!(env, okta_management_factors, call_enroll_factor, &request).unwrap();
    assert_eq!(factor.provider, "GOOGLE");
    assert!(
        factor
            .totp_shared_secret
            .as_deref()
            .is_some_and(|s| s.len() >= 16)
    );
    assert!(
        factor
            .totp_qr_code_url
            .as_deref()
            .is_some_and(|u| u.contains("/qr/"))
    );
    let activated = call!(
        env,
        okta_management_factors,
        call_activate_factor,
        &ActivateFactorRequest {
            user_id: user,
            factor_id: factor.id.clone(),
            pass_code: code_for(&env, &factor.id)
        }
    )
    .unwrap();
    assert_eq!(
        activated.totp_shared_secret, None,
        "the secret is shown only while pending"
    );
}

#[tokio::test]
async fn okta_verify_totp_puts_its_qr_code_beside_the_activation() {
    let env = Env::start().await;
    let user = env.add_user("verify@example.com");
    let factor = call!(
        env,
        okta_management_factors,
        call_enroll_factor,
        &enroll(&user, FactorType::TokenSoftwareTotp)
    )
    .unwrap();
    let raw: serde_json::Value = serde_json::from_str(factor.raw.as_deref().unwrap()).unwrap();
    let href = raw.pointer("/_embedded/_links/qrcode/href").unwrap();
    assert_eq!(factor.totp_qr_code_url.as_deref(), href.as_str());
    assert!(factor.totp_shared_secret.is_some());
}

#[tokio::test]
async fn sms_call_email_and_custom_totp_activate_at_enrollment() {
    let env = Env::start().await;
    for (kind, login) in [
        (FactorType::Sms, "auto-sms@example.com"),
        (FactorType::Call, "auto-call@example.com"),
        (FactorType::Email, "auto-email@example.com"),
    ] {
        let user = env.add_user(login);
        let request = EnrollFactorRequest {
            phone_number: (kind != FactorType::Email).then(|| "+1-555-415-1337".into()),
            email: (kind == FactorType::Email).then(|| login.into()),
            activate: Some(true),
            ..enroll(&user, kind)
        };
        let factor = call!(env, okta_management_factors, call_enroll_factor, &request).unwrap();
        assert_eq!(factor.status, FactorStatus::Active, "{kind:?}");
        let sent = env.api_requests().last().unwrap().clone();
        assert_eq!(sent.query.as_deref(), Some("activate=true"));
    }
    let user = env.add_user("hotp@example.com");
    let secret = "484f97be3213b117e3a20438e291540a";
    let hotp = EnrollFactorRequest {
        factor_profile_id: Some("fpr20l2mDyaUGWGCa0g4".into()),
        shared_secret: Some(secret.into()),
        activate: Some(true),
        ..enroll(&user, FactorType::TokenHotp)
    };
    let factor = call!(env, okta_management_factors, call_enroll_factor, &hotp).unwrap();
    assert_eq!(
        (factor.factor_type, factor.status, factor.provider.as_str()),
        (FactorType::TokenHotp, FactorStatus::Active, "CUSTOM")
    );
    let sent = env.api_requests().last().unwrap().clone();
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(body["factorProfileId"], "fpr20l2mDyaUGWGCa0g4");
    assert_eq!(body["profile"]["sharedSecret"], secret);
    assert!(
        !format!("{factor:?}").contains(secret),
        "the shared secret never comes back"
    );
    let missing = EnrollFactorRequest {
        shared_secret: None,
        ..hotp
    };
    let before = env.requests();
    let err = call!(env, okta_management_factors, call_enroll_factor, &missing).unwrap_err();
    assert_error(&err, ErrorKind::InvalidInput, None);
    assert!(err.message.contains("shared-secret"), "{}", err.message);
    assert_eq!(env.requests(), before);
}

#[tokio::test]
async fn question_and_email_factors_and_what_each_needs() {
    let env = Env::start().await;
    let user = env.add_user("q@example.com");
    let question = EnrollFactorRequest {
        question: Some("disliked_food".into()),
        answer: Some("mayonnaise".into()),
        ..enroll(&user, FactorType::Question)
    };
    let factor = call!(env, okta_management_factors, call_enroll_factor, &question).unwrap();
    assert_eq!(
        (factor.status, factor.question.as_deref()),
        (FactorStatus::Active, Some("disliked_food"))
    );
    assert!(
        !factor.raw.as_deref().unwrap().contains("mayonnaise"),
        "the answer never comes back"
    );
    let email = EnrollFactorRequest {
        email: Some("q@example.com".into()),
        activate: Some(true),
        ..enroll(&user, FactorType::Email)
    };
    assert_eq!(
        call!(env, okta_management_factors, call_enroll_factor, &email)
            .unwrap()
            .status,
        FactorStatus::Active
    );

    let before = env.requests();
    for bad in [
        enroll(&user, FactorType::Sms),
        EnrollFactorRequest {
            question: Some("x".into()),
            ..enroll(&user, FactorType::Question)
        },
        enroll(&user, FactorType::Webauthn),
        EnrollFactorRequest {
            activate: Some(true),
            ..enroll(&user, FactorType::Push)
        },
    ] {
        assert_error(
            &call!(env, okta_management_factors, call_enroll_factor, &bad).unwrap_err(),
            ErrorKind::InvalidInput,
            None,
        );
    }
    assert_eq!(env.requests(), before);
    let bad_phone = EnrollFactorRequest {
        phone_number: Some("555".into()),
        ..enroll(&user, FactorType::Call)
    };
    assert_error(
        &call!(env, okta_management_factors, call_enroll_factor, &bad_phone).unwrap_err(),
        ErrorKind::BadRequest,
        Some("E0000098"),
    );
    let nobody = EnrollFactorRequest {
        question: Some("x".into()),
        answer: Some("y".into()),
        ..enroll("nobody@example.com", FactorType::Question)
    };
    assert_error(
        &call!(env, okta_management_factors, call_enroll_factor, &nobody).unwrap_err(),
        ErrorKind::NotFound,
        None,
    );
}

#[tokio::test]
async fn list_unenroll_and_reset_factors() {
    let env = Env::start().await;
    let user = env.add_user("list@example.com");
    for request in [
        EnrollFactorRequest {
            phone_number: Some("+15554151337".into()),
            ..enroll(&user, FactorType::Sms)
        },
        enroll(&user, FactorType::Push),
        enroll(&user, FactorType::TokenSoftwareTotp),
    ] {
        call!(env, okta_management_factors, call_enroll_factor, &request).unwrap();
    }
    let factors = call!(
        env,
        okta_management_factors,
        call_list_factors,
        &ListFactorsRequest {
            user_id: user.clone(),
            include_raw: None,
        }
    )
    .unwrap();
    assert_eq!(
        factors.iter().map(|f| f.factor_type).collect::<Vec<_>>(),
        [
            FactorType::Sms,
            FactorType::Push,
            FactorType::TokenSoftwareTotp
        ]
    );

    let remove = UnenrollFactorRequest {
        user_id: user.clone(),
        factor_id: factors[0].id.clone(),
        remove_recovery_enrollment: Some(true),
    };
    call!(env, okta_management_factors, call_unenroll_factor, &remove).unwrap();
    assert_eq!(
        env.api_requests().last().unwrap().query.as_deref(),
        Some("removeRecoveryEnrollment=true")
    );
    assert_error(
        &call!(env, okta_management_factors, call_unenroll_factor, &remove).unwrap_err(),
        ErrorKind::NotFound,
        None,
    );
    assert_eq!(
        call!(
            env,
            okta_management_factors,
            call_list_factors,
            &ListFactorsRequest {
                user_id: "list@example.com".into(),
                include_raw: None,
            }
        )
        .unwrap()
        .len(),
        2
    );

    call!(
        env,
        okta_management_factors,
        call_reset_all_factors,
        &ResetAllFactorsRequest {
            user_id: user.clone()
        }
    )
    .unwrap();
    assert!(
        call!(
            env,
            okta_management_factors,
            call_list_factors,
            &ListFactorsRequest {
                user_id: user,
                include_raw: None
            }
        )
        .unwrap()
        .is_empty()
    );
    let err = call!(
        env,
        okta_management_factors,
        call_reset_all_factors,
        &ResetAllFactorsRequest {
            user_id: "00unope".into()
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
    let err = call!(
        env,
        okta_management_factors,
        call_list_factors,
        &ListFactorsRequest {
            user_id: "00unope".into(),
            include_raw: None,
        }
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, None);
}
