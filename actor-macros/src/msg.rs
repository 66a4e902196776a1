//! The `msg!` grammar, parsed into a tree. Its rules are all syntactic, so
//! they are checked while parsing: a mistake that leaves the rest readable
//! (an unknown kind, a repeated key) is collected and parsing goes on.
//!
//! ```text
//! msg!( [crate = PATH ;] KIND [DATA] [ref EXPR] (> | >>) TARGET )
//! DATA  = { KEY: VALUE, … } | ( EXPR )
//! KEY   = ident | "string"
//! VALUE = { KEY: VALUE, … } | EXPR
//! ```

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{braced, token, Expr, Ident, LitStr, Path, Token};

use crate::errors::Errors;
use crate::kind;

pub(crate) struct Msg {
    /// `crate = path;`: where the `actor` crate is (for the runtime's own use).
    pub(crate) krate: Option<Path>,
    /// The kind as written, and its `Kind` variant.
    pub(crate) kind: Ident,
    pub(crate) variant: &'static str,
    pub(crate) data: Data,
    /// The expression after `ref`: a `Ref` or an `Option<Ref>`.
    pub(crate) reference: Option<Expr>,
    pub(crate) op: Op,
    pub(crate) target: Expr,
}

pub(crate) enum Data {
    /// No data: an empty map.
    None,
    Map(Map),
    /// `(expr)`: anything `Into<Term>`.
    Expr(Expr),
}

pub(crate) struct Map {
    pub(crate) brace: token::Brace,
    pub(crate) entries: Vec<Entry>,
}

pub(crate) struct Entry {
    pub(crate) key: LitStr,
    pub(crate) value: Value,
}

pub(crate) enum Value {
    Map(Map),
    Expr(Expr),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    /// `>`
    Send,
    /// `>>`
    Call,
}

const TARGETS: &str = "a `Pid`, a registered name or `(name, node)`";

impl Msg {
    /// Parses `msg!`'s input. A syntax error ends parsing; `errors` gets the
    /// mistakes found before it too.
    pub(crate) fn parse(input: TokenStream, errors: &mut Errors) -> Option<Msg> {
        let parser = |input: ParseStream| parse_msg(input, errors);
        match parser.parse2(input) {
            Ok(msg) => Some(msg),
            Err(err) => {
                errors.push(err);
                None
            }
        }
    }
}

/// The hidden leading `crate = path;` of the function-like macros, for the
/// runtime's own use.
pub(crate) fn parse_crate_prefix(input: ParseStream) -> syn::Result<Option<Path>> {
    if !(input.peek(Token![crate]) && input.peek2(Token![=])) {
        return Ok(None);
    }
    input.parse::<Token![crate]>()?;
    input.parse::<Token![=]>()?;
    let path = input.call(Path::parse_mod_style)?;
    input.parse::<Token![;]>()?;
    Ok(Some(path))
}

fn parse_msg(input: ParseStream, errors: &mut Errors) -> syn::Result<Msg> {
    let krate = parse_crate_prefix(input)?;

    let all_kinds = kind::list(kind::KINDS.iter().map(|(name, _)| *name));
    if !input.peek(Ident::peek_any) {
        return Err(input.error(format!("expected a message kind: {all_kinds}")));
    }
    let kind = input.call(Ident::parse_any)?;
    let variant = kind::variant(&kind.to_string()).unwrap_or_else(|| {
        errors.error(
            kind.span(),
            format!("unknown message kind `{kind}`, expected {all_kinds}"),
        );
        "Std"
    });

    let data = if input.peek(token::Brace) {
        Data::Map(parse_map(input, errors)?)
    } else if input.peek(token::Paren) {
        // The whole group, so `(a)` is a parenthesized expression and
        // `(a, b)` a tuple, and nothing after it is taken in.
        let group: TokenTree = input.parse()?;
        match syn::parse2(group.into())? {
            Expr::Paren(paren) => Data::Expr(*paren.expr),
            tuple => Data::Expr(tuple),
        }
    } else {
        Data::None
    };

    let reference = if input.peek(Token![ref]) {
        let ref_token: Token![ref] = input.parse()?;
        let tokens = input.step(|cursor| Ok(until_operator(*cursor)))?;
        if tokens.is_empty() {
            return Err(syn::Error::new(
                ref_token.span,
                "expected an expression after `ref`: a `Ref` or an `Option<Ref>`",
            ));
        }
        if input.is_empty() {
            return Err(syn::Error::new_spanned(
                tokens,
                "expected `>` to send or `>>` to call after the `ref` expression",
            ));
        }
        Some(syn::parse2(tokens)?)
    } else {
        None
    };

    let (op, op_span) = parse_op(input, &data, reference.is_some())?;
    if op == Op::Call && matches!(variant, "Kill" | "Link" | "Unlink") {
        let signal = kind.to_string();
        errors.error(
            kind.span(),
            format!(
                "`{signal}` is a signal, not a request: nothing replies to it, so it cannot \
                 be called; send it with `msg!({signal} > …)` or use `actor::{signal}(pid)`"
            ),
        );
    }
    if input.is_empty() {
        let op_str = if op == Op::Send { ">" } else { ">>" };
        return Err(syn::Error::new(
            op_span,
            format!("expected a target after `{op_str}`: {TARGETS}"),
        ));
    }
    let target: Expr = input.parse()?;
    if !input.is_empty() {
        return Err(
            input.error("unexpected tokens after the target; put a complex target in parentheses")
        );
    }
    Ok(Msg {
        krate,
        kind,
        variant,
        data,
        reference,
        op,
        target,
    })
}

/// `>` or `>>`, each `>` joined to the one before.
fn parse_op(input: ParseStream, data: &Data, has_ref: bool) -> syn::Result<(Op, Span)> {
    input.step(|cursor| {
        let mut rest = *cursor;
        let mut count = 0;
        let mut span = cursor.span();
        while let Some((punct, next)) = rest.punct() {
            if punct.as_char() != '>' {
                break;
            }
            count += 1;
            if count == 3 {
                return Err(syn::Error::new(
                    punct.span(),
                    "`>>>` is not an operator: use `>` to send or `>>` to call",
                ));
            }
            span = span.join(punct.span()).unwrap_or(span);
            rest = next;
            if punct.spacing() == proc_macro2::Spacing::Alone {
                break;
            }
        }
        match count {
            1 => Ok(((Op::Send, span), rest)),
            2 => Ok(((Op::Call, span), rest)),
            _ => {
                let expected = match (data, has_ref) {
                    (_, true) => "expected `>` to send or `>>` to call",
                    (Data::None, false) => {
                        "expected data `{ … }` or `( … )`, `ref`, `>` to send or `>>` to call; \
                         write an expression as data in parentheses: `std(data)`"
                    }
                    _ => "expected `ref`, `>` to send or `>>` to call",
                };
                Err(cursor.error(expected))
            }
        }
    })
}

/// The tokens of the `ref` expression: everything up to the first `>` that
/// is not part of `->`, `=>` or a turbofish's angle brackets.
fn until_operator(cursor: syn::buffer::Cursor) -> (TokenStream, syn::buffer::Cursor) {
    let mut rest = cursor;
    let mut tokens = TokenStream::new();
    let mut angles = 0usize;
    let mut joined_to: Option<char> = None;
    while let Some((tt, next)) = rest.token_tree() {
        if let TokenTree::Punct(p) = &tt {
            match p.as_char() {
                '<' if angles > 0 || joined_to == Some(':') => angles += 1,
                '>' if matches!(joined_to, Some('-' | '=')) => {}
                '>' if angles > 0 => angles -= 1,
                '>' => break,
                _ => {}
            }
        }
        joined_to = match &tt {
            TokenTree::Punct(p) if p.spacing() == proc_macro2::Spacing::Joint => Some(p.as_char()),
            _ => None,
        };
        tokens.extend([tt]);
        rest = next;
    }
    (tokens, rest)
}

fn parse_map(input: ParseStream, errors: &mut Errors) -> syn::Result<Map> {
    let content;
    let brace = braced!(content in input);
    let mut entries: Vec<Entry> = Vec::new();
    while !content.is_empty() {
        let key = if content.peek(LitStr) {
            content.parse::<LitStr>()?
        } else if content.peek(Ident::peek_any) {
            let ident = content.call(Ident::parse_any)?;
            LitStr::new(&ident.unraw().to_string(), ident.span())
        } else {
            return Err(content.error(
                "expected a map key: an identifier or a string literal, such as `hi` or `\"hi\"`",
            ));
        };
        let name = key.value();
        if !content.peek(Token![:]) || content.peek(Token![::]) {
            return Err(content.error(format!("expected `:` after the key `{name}`")));
        }
        content.parse::<Token![:]>()?;
        if content.is_empty() || content.peek(Token![,]) {
            return Err(content.error(format!("expected a value after `{name}:`")));
        }
        let value = if content.peek(token::Brace) {
            Value::Map(parse_map(&content, errors)?)
        } else {
            Value::Expr(content.parse()?)
        };
        if entries.iter().any(|e| e.key.value() == name) {
            errors.error(
                key.span(),
                format!("the key `{name}` is given twice; a map has each key once"),
            );
        }
        entries.push(Entry { key, value });
        if content.is_empty() {
            break;
        }
        if !content.peek(Token![,]) {
            return Err(content.error("expected `,` between map entries"));
        }
        content.parse::<Token![,]>()?;
    }
    Ok(Map { brace, entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn parse(src: &str) -> Result<Msg, Vec<String>> {
        let mut errors = Errors::default();
        let msg = Msg::parse(src.parse().expect("tokens"), &mut errors);
        match msg {
            Some(msg) if errors.is_empty() => Ok(msg),
            _ => Err(errors.messages()),
        }
    }

    fn err(src: &str) -> String {
        match parse(src) {
            Ok(_) => panic!("`{src}` parsed"),
            Err(e) => e.join(" | "),
        }
    }

    fn keys(map: &Map) -> Vec<String> {
        map.entries.iter().map(|e| e.key.value()).collect()
    }

    #[test]
    fn send_and_call() {
        let m = parse("std > pid").expect("parses");
        assert_eq!((m.variant, m.op), ("Std", Op::Send));
        assert!(matches!(m.data, Data::None) && m.reference.is_none());
        let m = parse("down >> (\"name\", \"node@host\")").expect("parses");
        assert_eq!((m.variant, m.op), ("Down", Op::Call));
        assert!(matches!(m.target, Expr::Tuple(_)));
    }

    #[test]
    fn maps() {
        let m =
            parse(r#"info { hi: "hey", "two words": 1 + 2, nested: { a: x, r#type: [1], }, } > p"#)
                .expect("parses");
        let Data::Map(map) = &m.data else {
            panic!("not a map")
        };
        assert_eq!(keys(map), ["hi", "two words", "nested"]);
        let Value::Map(nested) = &map.entries[2].value else {
            panic!("not nested")
        };
        assert_eq!(keys(nested), ["a", "type"]);
        let m = parse("std {} > p").expect("parses");
        assert!(matches!(&m.data, Data::Map(map) if map.entries.is_empty()));
    }

    #[test]
    fn data_and_ref() {
        let m = parse("std(msg.data) ref msg.reference > msg.from").expect("parses");
        assert!(matches!(m.data, Data::Expr(Expr::Field(_))));
        assert_eq!(m.reference.to_token_stream().to_string(), "msg . reference");
        assert_eq!(m.target.to_token_stream().to_string(), "msg . from");
        let m = parse("err((1, 2)) ref pick::<Vec<u8>>(|x| -> u8 { x }) >> p").expect("parses");
        assert_eq!(
            m.reference.to_token_stream().to_string(),
            "pick :: < Vec < u8 > > (| x | -> u8 { x })"
        );
        assert_eq!(m.op, Op::Call);
        assert!(matches!(m.data, Data::Expr(Expr::Tuple(_))));
        let m = parse("std(a, b) > p").expect("parses");
        assert!(matches!(m.data, Data::Expr(Expr::Tuple(_))));
    }

    #[test]
    fn crate_prefix() {
        let m = parse("crate = crate; kill > p").expect("parses");
        assert_eq!(m.krate.to_token_stream().to_string(), "crate");
        assert_eq!(m.variant, "Kill");
    }

    #[test]
    fn mistakes() {
        assert!(err("stdd > p").starts_with("unknown message kind `stdd`, expected `std`, `info`"));
        assert!(err("> p").starts_with("expected a message kind"));
        assert!(err("std {a: 1} p").starts_with("expected `ref`, `>` to send or `>>` to call"));
        assert!(err("std data > p").starts_with("expected data `{ … }`"));
        assert!(err("std").starts_with("unexpected end of input, expected data"));
        assert!(err("std ref r p").starts_with("expected `>`"));
        assert!(err("std >>> p").starts_with("`>>>` is not an operator"));
        assert!(err("std >").starts_with("expected a target after `>`"));
        assert!(err("std >>").starts_with("expected a target after `>>`"));
        assert!(err("std ref > p").starts_with("expected an expression after `ref`"));
        assert!(err("std > p q").starts_with("unexpected tokens after the target"));
        assert!(err("std {a 1} > p").starts_with("expected `:` after the key `a`"));
        assert!(err("std {a::b: 1} > p").starts_with("expected `:` after the key `a`"));
        assert!(err("std {a: } > p").contains("expected a value after `a:`"));
        assert!(err("std {a: , b: 2} > p").starts_with("expected a value after `a:`"));
        assert!(err("std {a: 1 b: 2} > p").starts_with("expected `,` between map entries"));
        assert!(err("std {1: 2} > p").starts_with("expected a map key"));
        assert!(err("std {a: {b: }} > p").contains("expected a value after `b:`"));
    }

    #[test]
    fn collected_mistakes() {
        let e = err(r#"stdd {a: 1, "a": 2, b: {c: 1, c: 2}} > p"#);
        assert_eq!(e.matches(" | ").count(), 2, "{e}");
        assert!(e.contains("key `a` is given twice") && e.contains("key `c` is given twice"));
    }
}
