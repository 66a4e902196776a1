//! The grammar of `assert_receive!` and `refute_receive!`, parsed into a
//! tree. Its rules are all syntactic, so they are checked while parsing: a
//! mistake that leaves the rest readable (an unknown option, a repeated
//! `timeout`) is collected and parsing goes on.
//!
//! ```text
//! assert_receive!( [crate = PATH ;] PATTERN [if GUARD] [, timeout: EXPR] [,] )
//! ```

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::buffer::Cursor;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Pat, Path, Token};

use crate::errors::Errors;
use crate::msg::parse_crate_prefix;

pub(crate) struct Receive {
    /// `crate = path;`: where the `actor` crate is (for the runtime's own use).
    pub(crate) krate: Option<Path>,
    pub(crate) pat: Pat,
    pub(crate) guard: Option<(Token![if], Expr)>,
    /// The pattern and the guard as they came, for the failure messages
    /// (syn's trees, printed again, lose the groups' spans).
    pub(crate) written: TokenStream,
    /// `timeout: EXPR`, a `Duration`.
    pub(crate) timeout: Option<Expr>,
}

impl Receive {
    /// Parses the macro's input; `name` is the macro's, for the messages.
    /// A syntax error ends parsing; `errors` gets the mistakes found before
    /// it too.
    pub(crate) fn parse(input: TokenStream, name: &str, errors: &mut Errors) -> Option<Receive> {
        let parser = |input: ParseStream| parse_receive(input, name, errors);
        match parser.parse2(input) {
            Ok(receive) => Some(receive),
            Err(err) => {
                errors.push(err);
                None
            }
        }
    }
}

fn parse_receive(input: ParseStream, name: &str, errors: &mut Errors) -> syn::Result<Receive> {
    let krate = parse_crate_prefix(input)?;
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "expected a pattern for the message: `{name}!(Message {{ kind: Kind::Info, .. }})`"
            ),
        ));
    }
    let begin = input.cursor();
    let pat = Pat::parse_multi_with_leading_vert(input)?;
    let guard = if input.peek(Token![if]) {
        let if_token: Token![if] = input.parse()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Err(syn::Error::new(
                if_token.span,
                "expected a condition after `if`: `if data[\"n\"] == 1`",
            ));
        }
        Some((if_token, input.parse()?))
    } else {
        None
    };
    let written = between(begin, input.cursor());
    let mut timeout = None;
    while !input.is_empty() {
        if !input.peek(Token![,]) {
            let what = if guard.is_some() {
                "the guard"
            } else {
                "the pattern"
            };
            return Err(input.error(format!(
                "expected `, timeout: Duration` or the end of `{name}!` after {what}"
            )));
        }
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        parse_option(input, &mut timeout, errors)?;
    }
    Ok(Receive {
        krate,
        pat,
        guard,
        written,
        timeout,
    })
}

/// The token trees from `begin` up to `end`, on the same level.
fn between(begin: Cursor, end: Cursor) -> TokenStream {
    let mut tokens = TokenStream::new();
    let mut cursor = begin;
    while cursor != end {
        let Some((tt, next)) = cursor.token_tree() else {
            break;
        };
        tokens.extend([tt]);
        cursor = next;
    }
    tokens
}

/// One `key: value` after the pattern: `timeout` is the only key.
fn parse_option(
    input: ParseStream,
    timeout: &mut Option<Expr>,
    errors: &mut Errors,
) -> syn::Result<()> {
    let named = input.peek(Ident::peek_any) && input.peek2(Token![:]) && !input.peek2(Token![::]);
    if !named {
        if input.peek(Ident::peek_any) && input.peek2(Token![=]) {
            let key = input.call(Ident::parse_any)?;
            if key == "timeout" {
                let eq: Token![=] = input.parse()?;
                return Err(syn::Error::new(
                    eq.span,
                    "write `timeout: Duration`, with a colon",
                ));
            }
            return Err(unknown(&key));
        }
        // A bare duration, most likely: say how to name it.
        let rest = input.step(|cursor| {
            let mut rest = *cursor;
            let mut tokens = TokenStream::new();
            while let Some((tt, next)) = rest.token_tree() {
                if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                    break;
                }
                tokens.extend([tt]);
                rest = next;
            }
            Ok((tokens, rest))
        })?;
        return Err(syn::Error::new_spanned(
            &rest,
            format!(
                "expected `timeout: Duration` after the comma: write `timeout: {}`",
                rest.to_string().replace(" :: ", "::").replace(" (", "(")
            ),
        ));
    }
    let key = input.call(Ident::parse_any)?;
    input.parse::<Token![:]>()?;
    let value: Expr = input.parse()?;
    if key != "timeout" {
        errors.push(unknown(&key));
    } else if timeout.is_some() {
        errors.error(key.span(), "`timeout` is given twice; keep one");
    } else {
        *timeout = Some(value);
    }
    Ok(())
}

fn unknown(key: &Ident) -> syn::Error {
    syn::Error::new(
        key.span(),
        format!("unknown option `{key}`, expected `timeout: Duration`"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn parse(src: &str) -> (Option<Receive>, Vec<String>) {
        let mut errors = Errors::default();
        let r = Receive::parse(src.parse().expect("tokens"), "assert_receive", &mut errors);
        (r, errors.messages())
    }

    #[test]
    fn forms() {
        let (r, e) = parse("Message { kind: Kind::Info, ref data, .. } if data[\"n\"] == 1");
        let r = r.expect("parses");
        assert!(e.is_empty() && r.guard.is_some() && r.timeout.is_none());
        let (r, e) = parse("_, timeout: Duration::from_secs(1),");
        let r = r.expect("parses");
        assert!(e.is_empty() && r.guard.is_none());
        assert_eq!(
            r.timeout.expect("a timeout").to_token_stream().to_string(),
            "Duration :: from_secs (1)"
        );
        let (r, e) = parse("| Message { kind: Kind::Std, .. } | Message { kind: Kind::Info, .. }");
        assert!(e.is_empty() && matches!(r.expect("parses").pat, Pat::Or(_)));
        let (r, e) = parse("crate = crate; m if m.from == p, timeout: t");
        let r = r.expect("parses");
        assert!(e.is_empty() && r.krate.is_some() && r.timeout.is_some());
    }

    #[test]
    fn mistakes() {
        let msg = |src: &str| parse(src).1;
        assert!(msg("")[0].starts_with("expected a pattern for the message"));
        assert!(msg("m if")[0].starts_with("expected a condition after `if`"));
        assert!(msg("m if , timeout: t")[0].starts_with("expected a condition after `if`"));
        assert!(msg("m => 1")[0].starts_with("expected `, timeout: Duration` or the end"));
        assert_eq!(
            msg("m, timeout = t"),
            ["write `timeout: Duration`, with a colon"]
        );
        assert_eq!(
            msg("m, Duration::from_millis(5)"),
            ["expected `timeout: Duration` after the comma: write `timeout: Duration::from_millis(5)`"]
        );
        assert_eq!(
            msg("m, timout: t, timeout: a, timeout: b"),
            [
                "unknown option `timout`, expected `timeout: Duration`",
                "`timeout` is given twice; keep one"
            ]
        );
    }
}
