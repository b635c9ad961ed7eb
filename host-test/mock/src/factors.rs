//! `/api/v1/users/{id}/factors`: MFA enrollment and activation. Codes the mock "sends"
//! go to an outbox (`GET /mock/outbox`), so a flow can complete an enrollment offline.

use super::errors::MockError;
use super::state::{MockFactor, OutboxMessage, State, timestamp};
use super::{Call, Mock, Reply, page};
use axum::extract::{Path, State as Extract};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use std::time::SystemTime;

/// The factor types the mock enrolls, with the providers it accepts for each.
const TYPES: &[(&str, &[&str])] = &[
    ("sms", &["OKTA"]),
    ("call", &["OKTA"]),
    ("email", &["OKTA"]),
    ("question", &["OKTA"]),
    ("push", &["OKTA"]),
    ("token:software:totp", &["OKTA", "GOOGLE"]),
    ("token:hotp", &["CUSTOM"]),
];

/// The factor types Okta activates at enrollment with `activate=true` (`enrollFactor`).
const AUTO_ACTIVATED: &[&str] = &["sms", "call", "email", "token:hotp"];

const PREFIX: &[(&str, &str)] = &[
    ("sms", "mbl"),
    ("call", "clf"),
    ("email", "emf"),
    ("question", "ufs"),
    ("push", "opf"),
    ("token:software:totp", "uft"),
    ("token:hotp", "chf"),
];

/// A factor as Okta returns it, without the secrets enrolled with it; a pending TOTP factor
/// carries its activation.
fn factor_json(user_id: &str, f: &MockFactor, base: &str) -> Value {
    let mut profile = f.profile.clone();
    profile.remove("answer");
    profile.remove("sharedSecret");
    let mut json = json!({
        "id": f.id,
        "factorType": f.factor_type,
        "provider": f.provider,
        "vendorName": f.provider,
        "status": f.status,
        "created": timestamp(f.created),
        "lastUpdated": timestamp(f.last_updated),
        "profile": profile,
        "_links": {
            "self": { "href": format!("{base}/api/v1/users/{user_id}/factors/{}", f.id) },
            "user": { "href": format!("{base}/api/v1/users/{user_id}") },
        },
    });
    if f.status == "PENDING_ACTIVATION" {
        if let Some(secret) = &f.shared_secret {
            let qrcode = json!({ "qrcode": {
                "href": format!("{base}/api/v1/users/{user_id}/factors/{}/qr/{secret}", f.id),
                "type": "image/png",
            }});
            json["_embedded"] = json!({ "activation": {
                "timeStep": 30,
                "sharedSecret": secret,
                "encoding": "base32",
                "keyLength": 6,
            }});
            // As in Okta's examples: Google Authenticator's link is inside the activation,
            // Okta Verify's beside it.
            if f.provider == "GOOGLE" {
                json["_embedded"]["activation"]["_links"] = qrcode;
            } else {
                json["_embedded"]["_links"] = qrcode;
            }
        }
        json["_links"]["activate"] = json!({ "href": format!("{base}/api/v1/users/{user_id}/factors/{}/lifecycle/activate", f.id) });
    }
    json
}

/// The user's id, or Okta's 404 (factor routes take only ids).
fn user(state: &State, id: &str) -> Result<String, MockError> {
    state
        .users
        .get(id)
        .map(|u| u.id.clone())
        .ok_or_else(|| MockError::not_found(id, "User"))
}

/// `GET /api/v1/users/{id}/factors`.
pub async fn list(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let id = user(&state, &id)?;
    let factors = state
        .factors
        .get(&id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(page::json(
        factors
            .iter()
            .map(|f| factor_json(&id, f, &call.base))
            .collect(),
    ))
}

/// `GET /api/v1/users/{id}/factors/{factorId}`.
pub async fn get(
    Extract(mock): Extract<Mock>,
    Path((id, factor_id)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let state = mock.lock();
    let id = user(&state, &id)?;
    state
        .factors
        .get(&id)
        .and_then(|factors| factors.iter().find(|f| f.id == factor_id))
        .map(|f| page::json(factor_json(&id, f, &call.base)))
        .ok_or_else(|| MockError::not_found(&factor_id, "UserFactor"))
}

/// `GET /api/v1/users/{id}/factors/catalog`: the factors the user can enroll, each with
/// its enrollment status.
pub async fn catalog(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let state = mock.lock();
    let id = user(&state, &id)?;
    let enrolled = state
        .factors
        .get(&id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let enroll = format!("{}/api/v1/users/{id}/factors", call.base);
    let enroll = &enroll;
    let supported = TYPES.iter().flat_map(|(kind, providers)| {
        providers.iter().map(move |provider| {
            let status = if enrolled
                .iter()
                .any(|f| f.factor_type == *kind && f.provider == *provider)
            {
                "ACTIVE"
            } else {
                "NOT_SETUP"
            };
            json!({
                "factorType": kind,
                "provider": provider,
                "vendorName": provider,
                "enrollment": "OPTIONAL",
                "status": status,
                "_links": { "enroll": {
                    "href": enroll,
                    "hints": { "allow": ["POST"] },
                }},
            })
        })
    });
    Ok(page::json(supported.collect()))
}

/// The security questions Okta offers (a few of them).
const QUESTIONS: &[(&str, &str)] = &[
    (
        "disliked_food",
        "What is the food you least liked as a child?",
    ),
    (
        "name_of_first_plush_toy",
        "What is the name of your first stuffed animal?",
    ),
    (
        "first_award",
        "What did you earn your first medal or award for?",
    ),
    (
        "favorite_security_question",
        "What is your favorite security question?",
    ),
    (
        "favorite_toy",
        "What is the toy/stuffed animal you liked the most as a kid?",
    ),
];

/// `GET /api/v1/users/{id}/factors/questions`.
pub async fn questions(Extract(mock): Extract<Mock>, Path(id): Path<String>) -> Reply {
    user(&mock.lock(), &id)?;
    Ok(page::json(
        QUESTIONS
            .iter()
            .map(|(question, text)| json!({ "question": question, "questionText": text }))
            .collect(),
    ))
}

/// A six-digit code, different each time.
fn code(state: &mut State) -> String {
    let n = state
        .next_id("")
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    format!("{:06}", n % 1_000_000)
}

/// `POST /api/v1/users/{id}/factors`.
pub async fn enroll(Extract(mock): Extract<Mock>, Path(id): Path<String>, call: Call) -> Reply {
    let body = call.json()?;
    let activate = call.bool_param("activate")?.unwrap_or(false);
    call.bool_param("updatePhone")?;
    call.usize_param("tokenLifetimeSeconds")?;
    let factor_type = body
        .get("factorType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let provider = body
        .get("provider")
        .and_then(Value::as_str)
        .unwrap_or("OKTA")
        .to_string();
    let Some((_, providers)) = TYPES.iter().find(|(t, _)| *t == factor_type) else {
        return Err(MockError::validation(
            "factor",
            format!("factorType: {factor_type} is not enabled in this org"),
        ));
    };
    if !providers.contains(&provider.as_str()) {
        return Err(MockError::validation(
            "factor",
            format!("provider: {provider} is not enabled for {factor_type}"),
        ));
    }
    let mut profile: Map<String, Value> = body
        .get("profile")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let field = |k: &str| {
        profile
            .get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty())
            .map(str::to_string)
    };
    let destination = match factor_type.as_str() {
        "sms" | "call" => {
            let phone = field("phoneNumber").ok_or_else(|| {
                MockError::validation("factor", "phoneNumber: The field cannot be left blank")
            })?;
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if !phone.starts_with('+') || digits.len() < 8 || digits.len() > 15 {
                return Err(MockError::new(
                    400,
                    "E0000098",
                    "This phone number is invalid.",
                ));
            }
            // Kept in E.164, as the spec's factor profile has it.
            Some(format!("+{digits}"))
        }
        "email" => Some(field("email").ok_or_else(|| {
            MockError::validation("factor", "email: The field cannot be left blank")
        })?),
        "question" => {
            field("question").ok_or_else(|| {
                MockError::validation("factor", "question: The field cannot be left blank")
            })?;
            field("answer").ok_or_else(|| {
                MockError::validation("factor", "answer: The field cannot be left blank")
            })?;
            None
        }
        "token:hotp" => {
            if body
                .get("factorProfileId")
                .and_then(Value::as_str)
                .is_none()
            {
                return Err(MockError::validation(
                    "factor",
                    "factorProfileId: The field cannot be left blank",
                ));
            }
            field("sharedSecret").ok_or_else(|| {
                MockError::validation("factor", "sharedSecret: The field cannot be left blank")
            })?;
            None
        }
        _ => None,
    };
    if let (Some(phone), "sms" | "call") = (&destination, factor_type.as_str()) {
        profile.insert("phoneNumber".into(), phone.clone().into());
    }
    let mut state = mock.lock();
    let user_id = user(&state, &id)?;
    let enrolled = state.factors.get(&user_id).is_some_and(|fs| {
        fs.iter()
            .any(|f| f.factor_type == factor_type && f.provider == provider)
    });
    if enrolled {
        return Err(MockError::validation(
            "factor",
            "A factor of this type already exists.",
        ));
    }
    let now = SystemTime::now();
    let prefix = PREFIX
        .iter()
        .find(|(t, _)| *t == factor_type)
        .map_or("fct", |(_, p)| *p);
    let factor_id = state.next_id(prefix);
    let immediate =
        factor_type == "question" || (activate && AUTO_ACTIVATED.contains(&factor_type.as_str()));
    let pass_code = (!immediate).then(|| code(&mut state));
    let shared_secret = (factor_type == "token:software:totp").then(|| {
        format!(
            "JBSWY3DPEHPK3PXP{}",
            &factor_id[factor_id.len() - 4..].to_uppercase()
        )
    });
    let factor = MockFactor {
        id: factor_id.clone(),
        factor_type: factor_type.clone(),
        provider,
        status: if immediate {
            "ACTIVE"
        } else {
            "PENDING_ACTIVATION"
        },
        profile,
        pass_code: pass_code.clone(),
        shared_secret,
        created: now,
        last_updated: now,
    };
    let reply = page::json(factor_json(&user_id, &factor, &call.base));
    if let Some(code) = pass_code {
        state.outbox.push(OutboxMessage {
            user_id: user_id.clone(),
            factor_id: factor_id.clone(),
            channel: factor_type.clone(),
            to: destination.unwrap_or_else(|| factor_id.clone()),
            code,
        });
    }
    state
        .factors
        .entry(user_id.clone())
        .or_default()
        .push(factor);
    let target = state.user_target(&user_id);
    state.log(
        "user.mfa.factor.update",
        &format!("Enroll {factor_type} factor"),
        vec![target],
    );
    Ok(reply)
}

/// `POST /api/v1/users/{id}/factors/{factorId}/lifecycle/activate`.
pub async fn activate(
    Extract(mock): Extract<Mock>,
    Path((id, factor_id)): Path<(String, String)>,
    call: Call,
) -> Reply {
    let body = call.json()?;
    let given = body
        .get("passCode")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut state = mock.lock();
    let user_id = user(&state, &id)?;
    let factor = state
        .factors
        .get_mut(&user_id)
        .and_then(|fs| fs.iter_mut().find(|f| f.id == factor_id))
        .ok_or_else(|| MockError::not_found(&factor_id, "UserFactor"))?;
    if factor.status != "PENDING_ACTIVATION" {
        return Err(MockError::validation(
            "factor",
            "The factor is not pending activation",
        ));
    }
    if factor.pass_code.as_deref() != Some(given.as_str()) {
        return Err(MockError::new(403, "E0000068", "Invalid Passcode/Answer")
            .cause("Your passcode doesn't match our records. Please try again."));
    }
    factor.status = "ACTIVE";
    factor.pass_code = None;
    factor.last_updated = SystemTime::now();
    let reply = page::json(factor_json(&user_id, factor, &call.base));
    let target = state.user_target(&user_id);
    state.log(
        "user.mfa.factor.activate",
        "Activate factor for user",
        vec![target],
    );
    Ok(reply)
}

/// `DELETE /api/v1/users/{id}/factors/{factorId}`.
pub async fn unenroll(
    Extract(mock): Extract<Mock>,
    Path((id, factor_id)): Path<(String, String)>,
    call: Call,
) -> Reply {
    call.bool_param("removeRecoveryEnrollment")?;
    let mut state = mock.lock();
    let user_id = user(&state, &id)?;
    let factors = state.factors.entry(user_id.clone()).or_default();
    let before = factors.len();
    factors.retain(|f| f.id != factor_id);
    if factors.len() == before {
        return Err(MockError::not_found(&factor_id, "UserFactor"));
    }
    let target = state.user_target(&user_id);
    state.log(
        "user.mfa.factor.deactivate",
        "Reset factor for user",
        vec![target],
    );
    Ok(page::no_content())
}

/// A 1×1 PNG: the QR code image of a TOTP enrollment.
const QR_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0xe5, 0x27, 0xde, 0xfc, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// `GET /api/v1/users/{id}/factors/{factorId}/qr/{secret}`: the QR code a TOTP
/// enrollment links to, as an image.
pub async fn qr_code(
    Extract(mock): Extract<Mock>,
    Path((id, factor_id, secret)): Path<(String, String, String)>,
) -> Reply {
    let state = mock.lock();
    let pending = state.factors.get(&id).is_some_and(|fs| {
        fs.iter()
            .any(|f| f.id == factor_id && f.shared_secret.as_deref() == Some(secret.as_str()))
    });
    if !pending {
        return Err(MockError::not_found(&factor_id, "UserFactor"));
    }
    Ok(([(axum::http::header::CONTENT_TYPE, "image/png")], QR_PNG).into_response())
}

/// `GET /mock/outbox`: the codes the mock "sent", newest last (a mock control route).
pub async fn outbox(Extract(mock): Extract<Mock>, call: Call) -> Reply {
    let state = mock.lock();
    let messages: Vec<Value> = state
        .outbox
        .iter()
        .filter(|m| call.param("user").is_none_or(|u| u == m.user_id))
        .filter(|m| call.param("factor").is_none_or(|f| f == m.factor_id))
        .map(|m| json!({ "userId": m.user_id, "factorId": m.factor_id, "channel": m.channel, "to": m.to, "code": m.code }))
        .collect();
    Ok(page::json(Value::Array(messages)))
}
