//! Terms in the external format from an untrusted peer: decoding must never
//! panic, and what decodes must survive a round trip.
//! `cargo +nightly fuzz run decode_term fuzz/corpus/decode_term fuzz/seeds/decode_term` (the seeds
//! are what OTP sends: `tests/erlang/fuzz_corpus.erl` writes them).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    actor_core::__dist_fuzz::decode_term(data);
});
