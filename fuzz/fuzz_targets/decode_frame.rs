//! Distribution frames (after the length prefix) from an untrusted peer:
//! the control message and payload decoders must never panic.
//! `cargo +nightly fuzz run decode_frame`
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = actor_core::__dist_fuzz::decode_frame(data);
});
