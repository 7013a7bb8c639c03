//! How messages cross between the page and the worker.
//!
//! Both ways, messages are [postcard] bytes in a `Uint8Array`: a
//! compact binary form whose decoder is a fraction of the size of
//! serde-wasm-bindgen's (which builds and reads one JS object per struct,
//! field by field) and which carries 64-bit numbers (timestamps in
//! nanoseconds since 1970, totals) exactly. postcard is not
//! self-describing, so [`Request`](crate::protocol::Request),
//! [`Response`](crate::protocol::Response) and everything in them must not
//! use `#[serde(tag)]`, `untagged`, `flatten` or `skip_serializing_if`;
//! `protocol`'s round-trip tests check every variant. The user's `File`
//! travels beside the request bytes as a `Blob`, never copied.

use js_sys::Uint8Array;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// Encodes a message for `postMessage`. The array owns its buffer, so the
/// sender can transfer it (see [`transfer_list`]) rather than have it copied.
pub fn to_js<T: Serialize>(value: &T) -> Result<Uint8Array, String> {
    let bytes = postcard::to_allocvec(value).map_err(|e| e.to_string())?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// The transfer list that moves `message`'s buffer to the receiver: a
/// flame scene is about a megabyte, and a copy left behind in the sender
/// is garbage that only a collection frees.
pub fn transfer_list(message: &Uint8Array) -> js_sys::Array {
    js_sys::Array::of1(&message.buffer())
}

/// Decodes what [`to_js`] encoded.
pub fn from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let bytes = value
        .dyn_ref::<Uint8Array>()
        .ok_or("not a byte array")?
        .to_vec();
    postcard::from_bytes(&bytes).map_err(|e| e.to_string())
}
