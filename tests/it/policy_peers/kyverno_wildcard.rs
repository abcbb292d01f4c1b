//! kyverno/kyverno's `ext/wildcard/match_test.go` (TestMatch): the `*` and `?` wildcards of
//! `imageReferences`, `subject`, `issuer` and `additionalExtensions`, as a function table.

use sigscope::policy::glob::Wildcard;

use super::{Controller, Table};

const KY: Controller = Controller::Kyverno;

/// TestMatch: (name, pattern, text, matched).
pub(super) fn wildcard_rows(t: &mut Table) {
    let rows: &[(&str, &str, &str, bool)] = &[
        ("star pattern matches any text", "*", "s3:GetObject", true),
        (
            "empty pattern matches nothing on non-empty text",
            "",
            "s3:GetObject",
            false,
        ),
        ("empty pattern matches empty text", "", "", true),
        (
            "single star wildcard at suffix matches prefix",
            "s3:*",
            "s3:ListMultipartUploadParts",
            true,
        ),
        (
            "no wildcard exact mismatch on suffix",
            "s3:ListBucketMultipartUploads",
            "s3:ListBucket",
            false,
        ),
        (
            "no wildcard exact match succeeds",
            "s3:ListBucket",
            "s3:ListBucket",
            true,
        ),
        (
            "no wildcard exact match succeeds long suffix",
            "s3:ListBucketMultipartUploads",
            "s3:ListBucketMultipartUploads",
            true,
        ),
        (
            "prefix with wildcard matches prefix alone",
            "my-bucket/oo*",
            "my-bucket/oo",
            true,
        ),
        (
            "star wildcard at suffix matches multiple subdirectories",
            "my-bucket/In*",
            "my-bucket/India/Karnataka/",
            true,
        ),
        (
            "star wildcard at suffix fails when prefixes are shuffled",
            "my-bucket/In*",
            "my-bucket/Karnataka/India/",
            false,
        ),
        (
            "multiple wildcards match correctly expanded path segments",
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Ban",
            true,
        ),
        (
            "multiple wildcards match when path segments are repeated",
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Ban/Ban/Ban/Ban/Ban",
            true,
        ),
        (
            "wildcard expands to match multiple intermediate subdirectories",
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Area1/Area2/Area3/Ban",
            true,
        ),
        (
            "wildcard expands at multiple levels",
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/State1/State2/Karnataka/Area1/Area2/Area3/Ban",
            true,
        ),
        (
            "multiple wildcards fail when trailing segment is modified",
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/Karnataka/Bangalore",
            false,
        ),
        (
            "multiple wildcards match when trailing segment contains wildcard",
            "my-bucket/In*/Ka*/Ban*",
            "my-bucket/India/Karnataka/Bangalore",
            true,
        ),
        (
            "star wildcard matches single folder path suffix",
            "my-bucket/*",
            "my-bucket/India",
            true,
        ),
        (
            "prefix wildcard fails on incorrect match prefix",
            "my-bucket/oo*",
            "my-bucket/odo",
            false,
        ),
        (
            "question mark wildcard fails on missing character",
            "my-bucket?/abc*",
            "mybucket/abc",
            false,
        ),
        (
            "question mark wildcard matches single numeric character",
            "my-bucket?/abc*",
            "my-bucket1/abc",
            true,
        ),
        (
            "question mark fails on missing middle character",
            "my-?-bucket/abc*",
            "my--bucket/abc",
            false,
        ),
        (
            "question mark matches middle number",
            "my-?-bucket/abc*",
            "my-1-bucket/abc",
            true,
        ),
        (
            "question mark matches middle character letter",
            "my-?-bucket/abc*",
            "my-k-bucket/abc",
            true,
        ),
        (
            "two question marks fail on missing characters",
            "my??bucket/abc*",
            "mybucket/abc",
            false,
        ),
        (
            "two question marks match two characters",
            "my??bucket/abc*",
            "my4abucket/abc",
            true,
        ),
        (
            "question mark matches path separator slash",
            "my-bucket?abc*",
            "my-bucket/abc",
            true,
        ),
        (
            "question mark matches middle character in filename",
            "my-bucket/abc?efg",
            "my-bucket/abcdefg",
            true,
        ),
        (
            "question mark matches slash separator in middle",
            "my-bucket/abc?efg",
            "my-bucket/abc/efg",
            true,
        ),
        (
            "four question marks fail on too short suffix",
            "my-bucket/abc????",
            "my-bucket/abc",
            false,
        ),
        (
            "four question marks fail on two short characters suffix",
            "my-bucket/abc????",
            "my-bucket/abcde",
            false,
        ),
        (
            "four question marks match exact character suffix length",
            "my-bucket/abc????",
            "my-bucket/abcdefg",
            true,
        ),
        (
            "single question mark fails on empty match character",
            "my-bucket/abc?",
            "my-bucket/abc",
            false,
        ),
        (
            "single question mark matches single character suffix",
            "my-bucket/abc?",
            "my-bucket/abcd",
            true,
        ),
        (
            "single question mark fails on too long suffix text",
            "my-bucket/abc?",
            "my-bucket/abcde",
            false,
        ),
        (
            "wildcard and question mark fails on missing single character",
            "my-bucket/mnop*?",
            "my-bucket/mnop",
            false,
        ),
        (
            "wildcard and question mark matches multi segment text",
            "my-bucket/mnop*?",
            "my-bucket/mnopqrst/mnopqr",
            true,
        ),
        (
            "wildcard and question mark matches multi segment text long",
            "my-bucket/mnop*?",
            "my-bucket/mnopqrst/mnopqrs",
            true,
        ),
        (
            "wildcard and question mark matches single character suffix",
            "my-bucket/mnop*?",
            "my-bucket/mnopq",
            true,
        ),
        (
            "wildcard and question mark matches two character suffix",
            "my-bucket/mnop*?",
            "my-bucket/mnopqr",
            true,
        ),
        (
            "wildcard and question mark with final suffix matches",
            "my-bucket/mnop*?and",
            "my-bucket/mnopqand",
            true,
        ),
        (
            "wildcard and question mark with final suffix fails on missing character",
            "my-bucket/mnop*?and",
            "my-bucket/mnopand",
            false,
        ),
        (
            "wildcard and question mark fails on prefix mismatch",
            "my-bucket/mnop*?",
            "my-bucket/mn",
            false,
        ),
        (
            "wildcard and two question marks match long text",
            "my-bucket/mnop*??",
            "my-bucket/mnopqrst",
            true,
        ),
        (
            "wildcard in middle matches correctly",
            "my-bucket/mnop*qrst",
            "my-bucket/mnopabcdegqrst",
            true,
        ),
        (
            "wildcards and question marks match trailing pattern segment",
            "my-bucket/mnop*?and?",
            "my-bucket/mnopqanda",
            true,
        ),
        (
            "wildcard and question mark fail on extra trailing suffix characters",
            "my-bucket/mnop*?and",
            "my-bucket/mnopqanda",
            false,
        ),
        (
            "question mark and wildcard fail when prefix is incorrect",
            "my-?-bucket/abc*",
            "my-bucket/mnopqanda",
            false,
        ),
    ];
    for (name, pattern, text, matched) in rows {
        let got = Wildcard::compile(pattern)
            .map(|w| w.matches_str(text))
            .map_err(|e| e.to_string());
        t.function(
            KY,
            &format!("Kyverno wildcard match_test TestMatch {name}"),
            *matched,
            got,
            "wildcard.Match is a function of two strings",
        );
    }
}
