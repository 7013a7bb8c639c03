//! prost messages for proto/profile.proto. (Being written.)
