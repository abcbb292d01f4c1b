//! The signer view (`s`): tags × who signed them (identity, issuer, source repository, workflow
//! ref, commit, runner, trigger; for a Notary Project signer the subject DN, the signing scheme
//! in the issuer column, and its envelope, signing time and timestamp below). Cells that differ from the majority of builds are highlighted,
//! unsigned builds stand out, and the selected build's reasons are spelled out below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::Theme;
use crate::compare::{Attribute, Matrix, Row as Build};
use crate::tui::layout::list_offset;
use crate::untrusted::printable;

/// A value as shown: printable, without the URL scheme (the column says what it is).
fn shown(value: &str) -> String {
    let v = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value);
    printable(v).into_owned()
}

/// `value` in at most `width` characters, keeping its end (`…/workflows/release.yml`).
fn tail(value: &str, width: usize) -> String {
    let n = value.chars().count();
    if n <= width || width == 0 {
        return value.to_owned();
    }
    let kept: String = value.chars().skip(n - width + 1).collect();
    format!("…{kept}")
}

/// `value` in at most `width` characters, keeping its start.
fn head(value: &str, width: usize) -> String {
    if value.chars().count() <= width || width == 0 {
        return value.to_owned();
    }
    let kept: String = value.chars().take(width - 1).collect();
    format!("{kept}…")
}

/// Column widths: tag, identity, issuer, then (wide) source, ref, commit, runner, trigger.
struct Widths {
    wide: bool,
    identity: usize,
    issuer: usize,
    source: usize,
    git_ref: usize,
}

impl Widths {
    fn new(inner: u16) -> Widths {
        let inner = usize::from(inner);
        if inner >= 108 {
            // tag 11, issuer 18, source 15, ref 12, commit 7, runner 13, trigger 7, 7 gaps.
            let identity = inner
                .saturating_sub(11 + 18 + 15 + 12 + 7 + 13 + 7 + 7)
                .max(12);
            Widths {
                wide: true,
                identity,
                issuer: 18,
                source: 15,
                git_ref: 12,
            }
        } else {
            let identity = inner.saturating_sub(10 + 20 + 13 + 3).max(10);
            Widths {
                wide: false,
                identity,
                issuer: 20,
                source: 0,
                git_ref: 0,
            }
        }
    }

    fn constraints(&self) -> Vec<Constraint> {
        let len = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
        if self.wide {
            vec![
                len(11),
                len(self.identity),
                len(self.issuer),
                len(self.source),
                len(self.git_ref),
                len(7),
                len(13),
                len(7),
            ]
        } else {
            vec![len(10), len(self.identity), len(self.issuer), len(13)]
        }
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, matrix: &Matrix, selected: usize, theme: Theme) {
    // Over the panes, between the title and the status line.
    let rect = Rect::new(
        area.x,
        area.y.saturating_add(1),
        area.width,
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let outliers = matrix.outlier_count();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(format!(
            " signers: {} builds, {outliers} stand out  (↑↓ move, Esc close) ",
            matrix.rows.len()
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [table_area, why_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(5)]).areas(inner);
    let widths = Widths::new(inner.width);
    let height = usize::from(table_area.height.saturating_sub(2));
    let offset = list_offset(Some(selected), height);
    let rows = matrix
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, build)| row(build, &widths, i == selected, theme));
    let header: Vec<&str> = if widths.wide {
        vec![
            "TAG",
            "IDENTITY",
            "ISSUER",
            "SOURCE REPO",
            "REF",
            "COMMIT",
            "RUNNER",
            "TRIGGER",
        ]
    } else {
        vec!["TAG", "IDENTITY", "ISSUER", "RUNNER"]
    };
    let majority = majority_row(matrix, &widths, theme);
    let table = Table::new(std::iter::once(majority).chain(rows), widths.constraints())
        .header(Row::new(header).style(theme.dim()))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    frame.render_widget(
        Paragraph::new(reasons(matrix.rows.get(selected), theme)).wrap(Wrap { trim: false }),
        why_area,
    );
}

fn majority_row(matrix: &Matrix, w: &Widths, theme: Theme) -> Row<'static> {
    let get = |a: Attribute| {
        matrix
            .majority
            .get(&a)
            .map(|v| shown(v))
            .unwrap_or_default()
    };
    let mut cells = vec![
        "most builds".to_owned(),
        tail(&get(Attribute::Identity), w.identity),
        head(&get(Attribute::Issuer), w.issuer),
    ];
    if w.wide {
        cells.extend([
            tail(&get(Attribute::SourceRepository), w.source),
            String::new(),
            String::new(),
        ]);
    }
    cells.push(get(Attribute::Runner));
    if w.wide {
        cells.push(get(Attribute::Trigger));
    }
    Row::new(cells).style(theme.dim().add_modifier(Modifier::ITALIC))
}

fn row(build: &Build, w: &Widths, selected: bool, theme: Theme) -> Row<'static> {
    let base = if selected {
        theme.selected(true)
    } else {
        Style::new()
    };
    let flagged = |a: Attribute| build.outliers.iter().any(|o| o.attribute == Some(a));
    let cell = |value: Option<&str>, attribute: Option<Attribute>, fit: &dyn Fn(&str) -> String| {
        let style = match attribute {
            Some(a) if flagged(a) => theme.bad().add_modifier(Modifier::REVERSED),
            _ => Style::new(),
        };
        let text = match value {
            Some(v) => fit(&shown(v)),
            // An absent value where the majority has one is itself the difference.
            None if attribute.is_some_and(flagged) => "(absent)".to_owned(),
            None => String::new(),
        };
        Cell::from(Span::styled(text, style))
    };
    let whole = |v: &str| v.to_owned();
    let tag_style = if build.outliers.is_empty() {
        Style::new()
    } else {
        theme.bad()
    };
    let mark = if build.outliers.is_empty() { " " } else { "!" };
    let mut cells = vec![Cell::from(Span::styled(
        format!("{mark}{}", printable(&build.tag)),
        tag_style,
    ))];
    let Some(signer) = &build.signer else {
        let what = if build.key_signed {
            "signed with a key"
        } else if build.digest.is_none() {
            "unreadable"
        } else {
            "UNSIGNED"
        };
        cells.push(Cell::from(Span::styled(
            what,
            theme.bad().add_modifier(Modifier::REVERSED),
        )));
        return Row::new(cells).style(base);
    };
    cells.push(cell(
        signer.value(Attribute::Identity),
        Some(Attribute::Identity),
        &|v| tail(v, w.identity),
    ));
    cells.push(cell(
        signer.issuer.as_deref(),
        Some(Attribute::Issuer),
        &|v| head(v, w.issuer),
    ));
    if w.wide {
        cells.push(cell(
            signer.source_repository.as_deref(),
            Some(Attribute::SourceRepository),
            &|v| tail(v, w.source),
        ));
        cells.push(cell(signer.git_ref.as_deref(), None, &|v| {
            tail(v, w.git_ref)
        }));
        let commit = signer.commit.as_deref().map(|c| c.get(..7).unwrap_or(c));
        cells.push(cell(commit, None, &whole));
    }
    cells.push(cell(
        signer.runner.as_deref(),
        Some(Attribute::Runner),
        &whole,
    ));
    if w.wide {
        cells.push(cell(
            signer.trigger.as_deref(),
            Some(Attribute::Trigger),
            &whole,
        ));
    }
    Row::new(cells).style(base)
}

/// Why the selected build stands out, in words (or that it does not).
fn reasons(build: Option<&Build>, theme: Theme) -> Vec<Line<'static>> {
    let Some(build) = build else {
        return vec![Line::styled("no build loaded yet", theme.dim())];
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(printable(&build.tag).into_owned(), theme.title()),
        Span::styled(
            build
                .signer
                .as_ref()
                .map(|s| format!("  {}", printable(&s.identity)))
                .unwrap_or_default(),
            theme.dim(),
        ),
    ])];
    if let Some(n) = build.signer.as_ref().and_then(|s| s.notation.as_ref()) {
        let when = n
            .signing_time
            .as_deref()
            .map(|t| format!(", signed {t}"))
            .unwrap_or_default();
        let stamp = n.timestamp.as_deref().map_or_else(
            || ", no timestamp".to_owned(),
            |t| format!(", RFC 3161 timestamp {t}"),
        );
        lines.push(Line::raw(
            printable(&format!(
                "  Notary Project {} signature, scheme {}{when}{stamp}",
                n.envelope, n.signing_scheme
            ))
            .into_owned(),
        ));
    }
    if build.outliers.is_empty() {
        lines.push(Line::styled("  like the majority of builds", theme.good()));
    }
    for o in &build.outliers {
        lines.push(Line::styled(
            format!("  ! {}", printable(&o.reason)),
            theme.bad(),
        ));
    }
    lines
}
