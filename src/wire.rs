//! How messages cross between the page and the worker.
//!
//! Responses (worker to page) are [postcard] bytes in a `Uint8Array`: a
//! compact binary form whose decoder is a fraction of the size of
//! serde-wasm-bindgen's (which builds and reads one JS object per struct,
//! field by field) and which carries 64-bit numbers (timestamps in
//! nanoseconds since 1970, totals) exactly. postcard is not
//! self-describing, so [`Response`](crate::protocol::Response) and
//! everything in it must not use `#[serde(tag)]`, `untagged`, `flatten` or
//! `skip_serializing_if`; `protocol`'s round-trip test checks every variant.
//!
//! Requests (page to worker) stay structured-clone objects from
//! serde-wasm-bindgen, because the worker reads them with
//! `serde_wasm_bindgen::from_value`: they are few and small. They are
//! externally tagged (serde's default): an internally tagged enum is read
//! through serde's buffered `Content`, which cost the worker 16 KB gzipped.

use js_sys::Uint8Array;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// Encodes a worker's answer for `postMessage`.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    let bytes = postcard::to_allocvec(value).map_err(|e| e.to_string())?;
    Ok(Uint8Array::from(bytes.as_slice()).into())
}

/// Decodes what [`to_js`] encoded.
pub fn from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let bytes = value.dyn_ref::<Uint8Array>().ok_or("not a byte array")?.to_vec();
    postcard::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Encodes a request as a structured-clone object; 64-bit integers go as
/// BigInt.
pub fn request_to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    let s = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    value.serialize(&s).map_err(|e| e.to_string())
}
