//! Text made to fit a width without cutting a word in half: cut at the last space, `/` or
//! `,` that fits, and marked with `…`.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Columns `text` takes.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text` in at most `max` columns: whole when it fits, else cut after the last word boundary
/// that fits (or mid-word when a single word is wider) and ended with `…`.
pub fn cut(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut fitted = String::new();
    let mut boundary = None;
    // Two spaces part the items of a list of keys: cut between items rather than inside one.
    let mut gap = None;
    for c in text.chars() {
        let mut next = fitted.clone();
        next.push(c);
        if width(&next) + 1 > max {
            break;
        }
        if c == ' ' && fitted.ends_with(' ') {
            gap = Some(fitted.len());
        }
        fitted = next;
        if matches!(c, ' ' | '/' | ',') {
            boundary = Some(fitted.len());
        }
    }
    let half = |b: &usize| *b * 2 >= fitted.len();
    if let Some(at) = gap.filter(half).or(boundary.filter(half)) {
        fitted.truncate(at);
    }
    format!("{}…", fitted.trim_end())
}

/// The spans that fit in `max` columns: the first that does not is cut at a word boundary (if
/// a useful part of it fits) and the rest are dropped.
pub fn spans(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut used = 0;
    for span in spans {
        let w = span.width();
        if used + w <= max {
            used += w;
            out.push(span);
            continue;
        }
        let room = max - used;
        if room >= 8 {
            let text = cut(&span.content, room);
            out.push(Span::styled(text, span.style));
        }
        break;
    }
    out
}

/// The rows `line` takes in `width` columns, wrapped at word boundaries as the dialogs and the
/// signer view's reasons wrap it.
pub fn wrapped_rows(line: &Line<'static>, width: usize) -> usize {
    let width = u16::try_from(width).unwrap_or(u16::MAX).max(1);
    Paragraph::new(line.clone())
        .wrap(Wrap { trim: false })
        .line_count(width)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_a_word_boundary() {
        assert_eq!(
            cut("verifying for key ~/keys/release.pub", 100),
            "verifying for key ~/keys/release.pub"
        );
        assert_eq!(
            cut("verifying for key ~/keys/release.pub", 30),
            "verifying for key ~/keys/…"
        );
        assert_eq!(cut("abcdefghij", 5), "abcd…");
        assert_eq!(cut("  ↑↓ tag  ⏎ open  y copy", 20), "  ↑↓ tag  ⏎ open…");
        let parts = spans(
            vec![
                Span::raw(" sigscope "),
                Span::raw("registry.example/team/app"),
            ],
            28,
        );
        assert_eq!(parts[1].content, "registry.example/…");
    }
}
