//! How messages cross between the page and the worker: serde values as
//! structured-clone objects. 64-bit integers go as BigInt, because profile
//! timestamps (nanoseconds since 1970) and totals do not fit a JS number.

use serde::Serialize;
use wasm_bindgen::JsValue;

pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    let s = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    value.serialize(&s).map_err(|e| e.to_string())
}
