//! `#[actor]` and `msg!` for the `actor` crate. Depend on `actor`, which
//! re-exports them.

mod ast;
mod attr;
mod errors;
mod expand;
mod kind;
mod msg;
mod valid;

use proc_macro::TokenStream;

/// Makes an inherent impl an actor. (Docs to come.)
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::actor(args.into(), input.into()).into()
}

/// Sends or calls. (Docs to come.)
#[proc_macro]
pub fn msg(input: TokenStream) -> TokenStream {
    expand::msg(input.into()).into()
}
