//! Reads Okta's JSON objects member by member, straight into the WIT records: no
//! `serde_json::Value` tree is built for the object, and members nobody reads (`_links`,
//! `_embedded`) are skipped without being kept.
//!
//! Reading is as lenient as Okta's own clients: a member of another type than expected
//! reads as absent, never as an error; only text that is not JSON is one. Records are
//! filled through `dyn` traits, so the JSON reader is compiled once for all of them.

use crate::client::error::decode;
use crate::wit::types::OktaError;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// A record filled from the members of a JSON object.
pub(crate) trait Fill {
    /// Takes the member `key`: reads its value, or skips it.
    fn member(&mut self, key: &str, value: &mut dyn Member) -> Result<(), Stop>;
}

/// The value of one member, read once by one of these.
pub(crate) trait Member {
    /// The value as it is.
    fn value(&mut self) -> Result<Value, Stop>;
    /// Skips the value.
    fn skip(&mut self) -> Result<(), Stop>;
    /// Fills `record` from the value when it is an object (any other value fills nothing).
    fn object(&mut self, record: &mut dyn Fill) -> Result<(), Stop>;

    /// The value as text: a string, or `None` for any other value.
    fn text(&mut self) -> Result<Option<String>, Stop> {
        Ok(match self.value()? {
            Value::String(s) => Some(s),
            _ => None,
        })
    }

    /// Whether the value is there: anything but `null`.
    fn present(&mut self) -> Result<bool, Stop> {
        self.value().map(|v| !v.is_null())
    }
}

/// Reading stopped on text that is not JSON; the reader keeps the error.
pub(crate) struct Stop;

/// Fills `record` from the JSON text of one object. A value that is not an object fills
/// nothing; text that is not one JSON value is a `decode` error naming `what`.
pub(crate) fn fill(text: &[u8], what: &str, record: &mut dyn Fill) -> Result<(), OktaError> {
    let mut de = serde_json::Deserializer::from_slice(text);
    Object(record)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| decode(what, e))
}

/// Reads one text member of an object into its place (the object's other members are
/// skipped): `One("id", &mut type_id)` reads `{"id": "..."}`.
pub(crate) struct One<'t>(pub &'static str, pub &'t mut Option<String>);

impl Fill for One<'_> {
    fn member(&mut self, key: &str, value: &mut dyn Member) -> Result<(), Stop> {
        if key == self.0 {
            *self.1 = value.text()?;
            Ok(())
        } else {
            value.skip()
        }
    }
}

/// Fills a record from an object value.
struct Object<'r>(&'r mut dyn Fill);

impl<'de> DeserializeSeed<'de> for Object<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Object<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut entries = Entries {
            map: &mut map,
            error: None,
        };
        while let Some(Key(key)) = entries.map.next_key()? {
            if self.0.member(&key, &mut entries).is_err() {
                return Err(entries
                    .error
                    .unwrap_or_else(|| de::Error::custom("a member was not read")));
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The members of one object as they are read, and the first error (`E`, the map's).
struct Entries<'m, A, E> {
    map: &'m mut A,
    error: Option<E>,
}

impl<A, E> Entries<'_, A, E> {
    /// Keeps an error to return it from the visitor.
    fn keep<T>(&mut self, read: Result<T, E>) -> Result<T, Stop> {
        read.map_err(|e| {
            self.error = Some(e);
            Stop
        })
    }
}

impl<'de, A: MapAccess<'de>> Member for Entries<'_, A, A::Error> {
    fn value(&mut self) -> Result<Value, Stop> {
        let read = self.map.next_value();
        self.keep(read)
    }

    fn skip(&mut self) -> Result<(), Stop> {
        let read = self.map.next_value::<IgnoredAny>().map(drop);
        self.keep(read)
    }

    fn object(&mut self, record: &mut dyn Fill) -> Result<(), Stop> {
        let read = self.map.next_value_seed(Object(record));
        self.keep(read)
    }
}

/// An object's key: borrowed from the text, owned only when it had escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads a [`Key`].
struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
}
