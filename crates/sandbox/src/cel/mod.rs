//! A CEL (Common Expression Language) interpreter for CRD validation rules
//! (`x-kubernetes-validations`): `parse` (text → expression tree, cel-go's error texts),
//! `check` (static types from the schema, the checker's errors) and `eval` (values, the
//! standard functions, the Kubernetes list/string extensions, a cost limit).
//!
//! Written here rather than taken from crates.io: the CEL crates there (`cel-interpreter`,
//! now `cel`) bring an ANTLR runtime, have no cost accounting, and word their errors their
//! own way, while the API server's answers quote cel-go's texts (`ERROR: <input>:1:5: ...`).
//!
//! What is not implemented (the quantity, URL, IP/CIDR, semver, format and authorizer
//! libraries, a few math/sets/lists functions) compiles, and a rule that calls it at run time
//! is skipped: an object is never rejected because of a rule the sandbox cannot evaluate.
//! The static cost estimate of the real server (which refuses a CRD whose rules could cost
//! too much) is not reproduced; the run-time limit is (`eval::PER_CALL_LIMIT`).

pub mod check;
pub mod eval;
pub mod parse;

pub use check::{schema_type, Ty};
pub use eval::{Fail, Val};

/// A compiled expression.
#[derive(Debug)]
pub struct Program {
    pub expr: parse::Expr,
    /// The static result type.
    pub ty: Ty,
    pub uses_old_self: bool,
}

/// Compiles `src` with `self` (and `oldSelf`) of the given types; errors are cel-go's
/// rendering of every issue, joined by newlines.
pub fn compile(src: &str, vars: &[(&str, Ty)]) -> Result<Program, String> {
    let expr = parse::parse(src).map_err(|i| parse::render(src, &i))?;
    let mut c = check::Checker {
        vars: vars
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect(),
        issues: Vec::new(),
        uses_old_self: false,
    };
    let ty = c.check(&expr);
    if !c.issues.is_empty() {
        return Err(c
            .issues
            .iter()
            .map(|i| parse::render(src, i))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    Ok(Program {
        expr,
        ty,
        uses_old_self: c.uses_old_self,
    })
}

/// Evaluates a program with variables bound, within the per-call cost limit.
pub fn run(p: &Program, vars: Vec<(&str, Val)>) -> Result<Val, Fail> {
    run_costed(p, vars).0
}

/// [`run`], with the cost the evaluation spent.
pub fn run_costed(p: &Program, vars: Vec<(&str, Val)>) -> (Result<Val, Fail>, u64) {
    let mut e = eval::Eval {
        vars: vars
            .into_iter()
            .map(|(n, v)| (std::rc::Rc::from(n), v))
            .collect(),
        cost: 0,
        limit: eval::PER_CALL_LIMIT,
    };
    let r = e.eval(&p.expr);
    (r, e.cost)
}

/// An RE2-syntax regular expression (the `regex` crate has RE2's guarantees: linear time, no
/// backtracking), with its compiled size bounded.
pub fn regex(re: &str) -> Result<regex::Regex, String> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(String, regex::Regex)>> = const { std::cell::RefCell::new(None) };
    }
    if let Some(r) = LAST.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|(s, _)| s == re)
            .map(|(_, r)| r.clone())
    }) {
        return Ok(r);
    }
    let r = regex::RegexBuilder::new(re)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string())?;
    LAST.with(|l| *l.borrow_mut() = Some((re.to_string(), r.clone())));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval_with(
        src: &str,
        me: serde_json::Value,
        schema: serde_json::Value,
    ) -> Result<Val, String> {
        let p = compile(src, &[("self", schema_type(&schema))])?;
        run(&p, vec![("self", eval::from_json(&me, &schema))]).map_err(|e| format!("{e:?}"))
    }

    fn truth(src: &str) -> bool {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "integer"}, "s": {"type": "string"}, "f": {"type": "number"},
            "l": {"type": "array", "items": {"type": "string"}},
            "m": {"type": "object", "additionalProperties": {"type": "integer"}},
            "t": {"type": "string", "format": "date-time"}, "o": {"type": "string"}}});
        let me = json!({"n": 3, "s": "Hello", "f": 1.5, "l": ["a", "bb", "ccc"], "m": {"x": 1, "y": 2},
                        "t": "2024-05-01T10:00:00Z"});
        match eval_with(src, me, schema) {
            Ok(Val::Bool(b)) => b,
            other => panic!("{src}: {other:?}"),
        }
    }

    #[test]
    fn evaluates_what_crd_rules_use() {
        for src in [
            "self.n == 3 && self.n > 2 && self.n >= 3 && self.n < 4 && self.n != 4",
            "self.n + 2 * 3 - 1 == 8 && self.n / 2 == 1 && self.n % 2 == 1 && -self.n == -3",
            "self.f > 1 && self.f < 2u && 2 > self.f && self.f + 0.5 == 2.0",
            "has(self.s) && !has(self.o) && size(self.s) == 5 && self.s.size() == 5",
            "self.s.startsWith('He') && self.s.endsWith('lo') && self.s.contains('ell')",
            "self.s.matches('^H[a-z]+$') && matches(self.s, 'l+') && !self.s.matches('^x')",
            "self.s.lowerAscii() == 'hello' && self.s.upperAscii() == 'HELLO'",
            "self.s.split('l') == ['He', '', 'o'] && ['a','b'].join('-') == 'a-b'",
            "self.s.indexOf('l') == 2 && self.s.lastIndexOf('l') == 3 && self.s.substring(1, 3) == 'el'",
            "self.l.all(x, x.size() < 4) && self.l.exists(x, x == 'bb') && self.l.exists_one(x, x.size() == 1)",
            "self.l.map(x, x.size()) == [1, 2, 3] && self.l.filter(x, x != 'a') == ['bb', 'ccc']",
            "self.l.map(x, x.size() > 1, x + '!') == ['bb!', 'ccc!']",
            "'a' in self.l && !('z' in self.l) && 'x' in self.m && self.m.all(k, self.m[k] > 0)",
            "self.n > 5 ? false : true",
            "int('12') == 12 && uint(3) == 3u && double(1) == 1.0 && string(12) == '12' && string(1.5) == '1.5'",
            "duration('1h30m') > duration('90m') == false && duration('1h') < duration('61m')",
            "self.t > timestamp('2024-01-01T00:00:00Z') && self.t - timestamp('2024-05-01T09:00:00Z') == duration('1h')",
            "self.t.getFullYear() == 2024 && self.t.getMonth() == 4",
            "[1, 2, 3].sum() == 6 && [3, 1, 2].min() == 1 && [1, 2].isSorted() && [2, 1].isSorted() == false",
            "{'a': 1}['a'] == 1 && size({'a': 1, 'b': 2}) == 2 && [1, 2] + [3] == [1, 2, 3]",
            "type(1) == int && type('a') == string",
            "optional.of(1).hasValue() && optional.none().orValue(5) == 5",
            r#"r'\d' == '\\d' && '\u0041' == 'A' && "x" == 'x' && '''a''' == 'a'"#,
            "true || 1 / 0 == 1",
            "!(false && 1 / 0 == 1)",
            "0x10 == 16 && 1e3 == 1000.0",
        ] {
            assert!(truth(src), "{src}");
        }
    }

    #[test]
    fn runtime_errors_are_cels() {
        let e = |src: &str| {
            eval_with(
                src,
                json!({"m": {}}),
                json!({"type": "object", "properties": {
                "m": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
            )
            .unwrap_err()
        };
        assert!(e("self.m['zz'] > 0").contains("no such key: zz"));
        assert!(e("1 / (size(self.m) - 0) > 0").contains("division by zero"));
        assert!(e("duration('bogus') > duration('1s')")
            .contains("type conversion error from 'string' to 'google.protobuf.Duration'"));
        assert!(e("9223372036854775807 + 1 > 0").contains("integer overflow"));
    }

    #[test]
    fn compile_errors_are_worded_as_cel_go_words_them() {
        let schema = json!({"type": "object", "properties": {"num": {"type": "integer"}, "str": {"type": "string"}}});
        let c = |src: &str| match compile(src, &[("self", schema_type(&schema))]) {
            Err(e) => e,
            Ok(_) => String::new(),
        };
        // Texts from a real v1.36 server's answers (see tests/fixtures/crdv2).
        assert_eq!(
            c("self.nope > 1"),
            "ERROR: <input>:1:5: undefined field 'nope'\n | self.nope > 1\n | ....^"
        );
        assert_eq!(c("self.num +"), "ERROR: <input>:1:11: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | self.num +\n | ..........^");
        assert_eq!(c("self.num == 'a'"), "ERROR: <input>:1:10: found no matching overload for '_==_' applied to '(int, string)'\n | self.num == 'a'\n | .........^");
        assert_eq!(c("self.num + self.str"), "ERROR: <input>:1:10: found no matching overload for '_+_' applied to '(int, string)'\n | self.num + self.str\n | .........^");
        assert_eq!(c("self.str.nope()"), "ERROR: <input>:1:14: undeclared reference to 'nope' (in container '')\n | self.str.nope()\n | .............^");
        assert_eq!(c("nope(self.str)"), "ERROR: <input>:1:5: undeclared reference to 'nope' (in container '')\n | nope(self.str)\n | ....^");
        assert_eq!(
            c("x > 1"),
            "ERROR: <input>:1:1: undeclared reference to 'x' (in container '')\n | x > 1\n | ^"
        );
        assert_eq!(
            c("self.str.matches(\"[\")"),
            "ERROR: <input>:1:18: invalid matches argument\n | self.str.matches(\"[\")\n | .................^"
        );
        assert_eq!(
            c("!has(self)"),
            "ERROR: <input>:1:6: invalid argument to has() macro\n | !has(self)\n | .....^"
        );
        assert_eq!(c("self.num > 1.0 && self.num > 1u"), "");
    }

    /// Hostile rules end with an error, never a hang or a crash: nesting past the parser's
    /// limit, and evaluations past the cost limit.
    #[test]
    fn hostile_rules_are_bounded() {
        let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(compile(&deep, &[])
            .unwrap_err()
            .contains("recursion limit exceeded"));
        let deep_not = format!("{}true", "!".repeat(10_000));
        assert!(compile(&deep_not, &[])
            .unwrap_err()
            .contains("recursion limit exceeded"));
        let list: Vec<String> = (0..3000).map(|i| format!("item-{i}")).collect();
        let schema = json!({"type": "array", "items": {"type": "string"}});
        let e = eval_with(
            "self.all(x, self.all(y, x == y || x != y))",
            json!(list),
            schema.clone(),
        )
        .unwrap_err();
        assert!(e.contains("actual cost limit exceeded"), "{e}");
        let e = eval_with(
            "self.all(x, x.matches('(a+)+$'))",
            json!(vec!["a".repeat(5000); 3000]),
            schema,
        )
        .unwrap_err();
        assert!(e.contains("actual cost limit exceeded"), "{e}");
    }
}
