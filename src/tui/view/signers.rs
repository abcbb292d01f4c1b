//! The signer view (`s`): tags × who signed them, one line per signature (identity, issuer,
//! source repository, workflow ref, commit, runner, trigger; for a Notary Project signer the
//! subject DN, the signing scheme in the issuer column, and its envelope, signing time and
//! timestamp below). Cells that differ from the majority of builds are highlighted (in red on a
//! build that stands out, in yellow on a second signer beside the majority's), copied
//! signatures and unsigned builds stand out, and the selected build's reasons are spelled out
//! below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

use super::Theme;
use super::fit::wrapped_rows;
use super::overlay::more;
use super::signer_columns::{Widths, head, path, shown, tail};
use crate::compare::{Attribute, Matrix, Row as Build, Signature};
use crate::tui::layout::list_offset;
use crate::tui::signer_view::SignerView;
use crate::untrusted::printable;

pub fn draw(frame: &mut Frame<'_>, area: Rect, view: &SignerView, theme: Theme) {
    // Over the panes, between the title and the status line.
    let rect = Rect::new(
        area.x,
        area.y.saturating_add(1),
        area.width,
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let matrix = &view.matrix;
    let outliers = matrix.outlier_count();
    let why = reasons(view, theme);
    // The reasons get the rows they need once wrapped (a long identity takes two), plus the
    // rule above them, up to a third of the view: a reason is never cut off below its header.
    let width = usize::from(rect.width.saturating_sub(2)).max(1);
    let wrapped: usize = why.iter().map(|l| wrapped_rows(l, width)).sum();
    let why_rows = u16::try_from(wrapped + 1)
        .unwrap_or(u16::MAX)
        .clamp(3, (rect.height / 3).max(3));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(super::fit::cut(
            &format!(
                " signers: {} builds, {outliers} stand out  (↑↓ move  ⏎ verify for this signer  Esc close) ",
                matrix.rows.len()
            ),
            usize::from(rect.width.saturating_sub(2)),
        ));
    let inner = block.inner(rect);
    let [table_area, why_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(why_rows)]).areas(inner);
    let height = usize::from(table_area.height.saturating_sub(2));
    let offset = list_offset(Some(view.selected), height);
    let below = view.lines.len().saturating_sub(offset + height);
    frame.render_widget(block.title_bottom(more(offset, below)), rect);
    let widths = Widths::new(inner.width);
    let rows = view
        .lines
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, line)| {
            let build = &matrix.rows[line.row];
            let signature = line.signature.and_then(|s| build.signatures.get(s));
            let first = line.signature.is_none_or(|s| s == 0);
            row(build, signature, first, &widths, i == view.selected, theme)
        });
    let majority = majority_row(matrix, &widths, theme);
    let table = Table::new(std::iter::once(majority).chain(rows), widths.constraints())
        .header(Row::new(widths.header()).style(theme.dim()))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    let rule = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.dim());
    frame.render_widget(
        Paragraph::new(why).wrap(Wrap { trim: false }).block(rule),
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
    let label = if w.tag >= 11 {
        "most builds"
    } else {
        "majority"
    };
    let mut cells = vec![
        label.to_owned(),
        path(&get(Attribute::Identity), w.identity),
        head(&get(Attribute::Issuer), w.issuer),
    ];
    if w.wide {
        cells.extend([
            path(&get(Attribute::SourceRepository), w.source),
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

/// One line: a build's signature (the tag on its first line only), or a build without any.
fn row(
    build: &Build,
    signature: Option<&Signature>,
    first: bool,
    w: &Widths,
    selected: bool,
    theme: Theme,
) -> Row<'static> {
    let stands_out = !build.outliers.is_empty();
    let flag = if selected {
        theme.flagged_selected()
    } else if stands_out {
        theme.flagged()
    } else {
        theme.noted()
    };
    let base = if selected {
        theme.selected(true)
    } else {
        Style::new()
    };
    // A name too long for its column is cut with an ellipsis, never silently.
    let name = head(&printable(&build.tag), w.tag.saturating_sub(1));
    let tag = if !first {
        "  +".to_owned()
    } else if stands_out {
        format!("!{name}")
    } else {
        format!(" {name}")
    };
    // On the selection the tag keeps the selection's colours, bold when it stands out.
    let tag_style = match (selected, stands_out && first) {
        (_, false) => Style::new(),
        (true, true) => Style::new().add_modifier(Modifier::BOLD),
        (false, true) => theme.bad(),
    };
    let mut cells = vec![Cell::from(Span::styled(tag, tag_style))];
    let Some(signature) = signature else {
        let what = if build.digest.is_none() {
            "unreadable"
        } else {
            "UNSIGNED"
        };
        cells.push(Cell::from(Span::styled(what, flag)));
        return Row::new(cells).style(base);
    };
    let copied = signature.copied_from.is_some();
    let Some(signer) = &signature.signer else {
        let what = if copied {
            "COPIED: key signature"
        } else {
            "signed with a key"
        };
        let style = if stands_out || copied {
            flag
        } else {
            Style::new()
        };
        cells.push(Cell::from(Span::styled(what, style)));
        return Row::new(cells).style(base);
    };
    let differs = |a: Attribute| signature.differs.contains(&a);
    let cell = |value: Option<&str>, attribute: Option<Attribute>, fit: &dyn Fn(&str) -> String| {
        let style = match attribute {
            Some(a) if differs(a) => flag,
            _ => Style::new(),
        };
        let text = match value {
            Some(v) => fit(&shown(v)),
            // An absent value where the majority has one is itself the difference.
            None if attribute.is_some_and(differs) => "(absent)".to_owned(),
            None => String::new(),
        };
        Cell::from(Span::styled(text, style))
    };
    let whole = |v: &str| v.to_owned();
    if copied {
        // The mark first, then as much of the identity as fits.
        let identity = shown(signer.value(Attribute::Identity).unwrap_or_default());
        cells.push(Cell::from(Line::from(vec![
            Span::styled("COPIED ", flag),
            Span::styled(path(&identity, w.identity.saturating_sub(7)), flag),
        ])));
    } else {
        cells.push(cell(
            signer.value(Attribute::Identity),
            Some(Attribute::Identity),
            &|v| path(v, w.identity),
        ));
    }
    cells.push(cell(
        signer.issuer.as_deref(),
        Some(Attribute::Issuer),
        &|v| head(v, w.issuer),
    ));
    if w.wide {
        cells.push(cell(
            signer.source_repository.as_deref(),
            Some(Attribute::SourceRepository),
            &|v| path(v, w.source),
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

/// Why the selected build stands out, in words (or that it does not), and its selected
/// signature in full.
fn reasons(view: &SignerView, theme: Theme) -> Vec<Line<'static>> {
    let Some(build) = view.selected_row() else {
        return vec![Line::styled("no build loaded yet", theme.dim())];
    };
    let signature = view.selected_signature();
    let count = match build.signatures.len() {
        0 => "no signature".to_owned(),
        1 => "1 signature".to_owned(),
        n => format!("{n} signatures"),
    };
    let who = signature
        .map(|s| match &s.signer {
            Some(signer) => format!("  {}", printable(&signer.identity)),
            None => "  a key".to_owned(),
        })
        .unwrap_or_default();
    let via = signature
        .map(|s| format!("  ({})", printable(&s.found_via)))
        .unwrap_or_default();
    let mut lines = vec![Line::from(vec![
        Span::styled(printable(&build.tag).into_owned(), theme.title()),
        Span::styled(format!(" ({count})"), theme.dim()),
        Span::raw(who),
        Span::styled(via, theme.dim()),
    ])];
    if let Some(n) = signature
        .and_then(|s| s.signer.as_ref())
        .and_then(|s| s.notation.as_ref())
    {
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
    for note in &build.notes {
        lines.push(Line::styled(
            format!("  note: {}", printable(note)),
            theme.warn(),
        ));
    }
    lines
}
