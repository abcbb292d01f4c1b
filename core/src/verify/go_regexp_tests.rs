//! Go's regexp syntax (regexp/syntax, RE2) meaning the same after translation.

use rstest::rstest;

use super::translate;

fn compile(go: &str) -> regex::Regex {
    regex::Regex::new(&translate(go).unwrap()).unwrap()
}

#[rstest]
#[case::quoted_literal(r"^\Qa.b*c\E$", "a.b*c", "aXbbc")]
#[case::quote_to_the_end(r"x\Q(y", "x(y", "xy")]
#[case::octal(r"^a\101$", "aA", "a\u{1}01")]
#[case::octal_nul(r"^\0$", "\0", "0")]
#[case::case_insensitive_flag(
    r"(?i)^HTTPS://github\.com/acme$",
    "https://GitHub.com/ACME",
    "https://github.com/acme/x"
)]
#[case::ascii_digit(r"^\d+$", "123", "١٢٣")]
#[case::ascii_word(r"^\w+$", "abc_1", "é")]
#[case::ascii_space(r"^a\sb$", "a b", "a\u{b}b")]
#[case::literal_brace(r"^a{$", "a{", "a")]
#[case::literal_brace_comma(r"^a{,2}$", "a{,2}", "aa")]
#[case::counted(r"^a{2,3}$", "aaa", "a")]
#[case::class_set_ops_are_literals(r"^[a&&b]$", "&", "c")]
#[case::class_tilde_and_dashes(r"^[~-]+$", "~-~", "a")]
#[case::class_bracket_literal(r"^[[a]$", "[", "]")]
#[case::first_bracket_literal(r"^[]a]$", "]", "b")]
#[case::negated_digit_in_class(r"^[\Dx]$", "x", "1")]
#[case::posix(r"^[[:alpha:]]+$", "abc", "ab1")]
#[case::unicode_script(r"^\p{Greek}+$", "αβ", "ab")]
#[case::negated_unicode(r"^\p{^Greek}$", "a", "α")]
#[case::hex(r"^\x41\x{42}$", "AB", "ab")]
#[case::named(r"^(?P<a>x)(?<b>y)$", "xy", "yx")]
#[case::lazy(r"^a+?$", "aaa", "")]
#[case::flags_group(r"^(?i:ab)c$", "ABc", "ABC")]
#[case::ungreedy(r"(?U)^a+$", "aa", "b")]
#[case::ascii_word_boundary(r"\bfoo\b", "éfooé", "xfoox")]
fn go_patterns_mean_what_go_means(#[case] go: &str, #[case] yes: &str, #[case] no: &str) {
    let re = compile(go);
    assert!(re.is_match(yes), "{go} should match {yes:?}");
    assert!(!re.is_match(no), "{go} should not match {no:?}");
}

#[rstest]
#[case::backreference(r"(a)\1")]
#[case::any_byte(r"\C")]
#[case::capital_z(r"a\Z")]
#[case::lookahead(r"a(?=b)")]
#[case::unknown_flag(r"(?x)a b")]
#[case::empty_flags(r"(?)a")]
#[case::trailing_minus(r"(?i-)a")]
#[case::nested_repeat(r"a**")]
#[case::nested_repeat_lazy(r"a*?+")]
#[case::too_many(r"a{1001}")]
#[case::reversed_count(r"a{3,2}")]
#[case::unknown_escape(r"\e")]
#[case::unicode_escape(r"\u0041")]
#[case::bad_class_range(r"[z-a]")]
#[case::bad_posix(r"[[:foo:]]")]
#[case::unicode_lowercase_name(r"\p{greek}")]
#[case::eight(r"\8")]
#[case::trailing_backslash("a\\")]
fn what_go_refuses_is_refused(#[case] go: &str) {
    assert!(translate(go).is_err(), "{go} should be refused");
}

#[test]
fn translations_compile_for_every_accepted_case() {
    // Patterns policies and CI configurations use every day.
    for go in [
        r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*$",
        r".*@example\.com",
        r"https://token\.actions\.githubusercontent\.com",
        r"^(alice|bob)@acme\.example$",
        r"",
        r"[a-z0-9-]+",
    ] {
        compile(go);
    }
}
