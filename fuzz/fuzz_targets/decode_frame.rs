//! Distribution frames (after the length prefix) from an untrusted peer:
//! `Control::parse` must never panic, and a control message that parses
//! must encode and parse back to itself.
//! `cargo +nightly fuzz run decode_frame fuzz/corpus/decode_frame fuzz/seeds/decode_frame` (the seeds
//! are what OTP sends: `tests/erlang/fuzz_corpus.erl` writes them).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = actor_core::__dist_fuzz::decode_frame(data);
});
