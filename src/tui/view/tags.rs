//! The tags pane: one row per tag with digest, age, platforms and badges.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::Theme;
use super::signer_columns::head;
use crate::tui::layout::{inner_rows, list_offset};
use crate::tui::state::{Focus, Listing, SortKey, State, TagEntry, TagLoad};
use crate::tui::summary::{age, badges, platforms};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::Tags;
    let visible = state.visible();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(format!(" tags {}/{} ", visible.len(), state.tags.len()));
    if visible.is_empty() {
        let (text, style) = match &state.listing {
            Listing::Loading => ("listing tags…".to_owned(), theme.dim()),
            Listing::Failed(e) => (
                format!("could not list tags: {e}\n\n(: opens another repository, R tries again)"),
                theme.bad(),
            ),
            _ if state.tags.is_empty() => ("no tags".to_owned(), theme.dim()),
            _ => (
                format!("no tag matches /{}", state.filter.text()),
                theme.dim(),
            ),
        };
        // An error is shown whole, wrapped: it is the one thing to read.
        frame.render_widget(
            ratatui::widgets::Paragraph::new(text)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .style(style)
                .block(block),
            area,
        );
        return;
    }
    let wide = area.width >= 60;
    // A wide pane gives long tag names room (up to 20 columns); a name still too long is cut
    // with an ellipsis, never silently (`v1.0.0-rc1-evil` must not read as `v1.0.0-rc1`).
    let longest = visible
        .iter()
        .map(|&i| state.tags[i].name.chars().count())
        .max()
        .unwrap_or(0);
    let name_width = match (wide, area.width >= 80) {
        (true, true) => longest.clamp(11, 20),
        (true, false) => 11,
        (false, _) => 12,
    };
    let attestations = state.attestations();
    let selected = state.selected_position(visible);
    let offset = list_offset(selected, inner_rows(area, true));
    let rows = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_rows(area, true))
        .map(|(pos, &i)| {
            let style = if Some(pos) == selected {
                theme.selected(focused)
            } else {
                ratatui::style::Style::new()
            };
            row(
                &state.tags[i],
                state.now,
                wide,
                name_width,
                attestations,
                theme,
            )
            .style(style)
        });
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(u16::try_from(name_width).unwrap_or(11)),
            Constraint::Length(12),
            Constraint::Length(4),
            Constraint::Length(11),
            Constraint::Fill(1),
        ]
    } else {
        vec![
            Constraint::Length(u16::try_from(name_width).unwrap_or(12)),
            Constraint::Length(4),
            Constraint::Fill(1),
        ]
    };
    // The sorted column is marked ▼ (▲ reversed; newest first is the date's ▼).
    let mark = if state.reverse { "▲" } else { "▼" };
    let head = |label: &'static str, key: SortKey| {
        if state.sort == key {
            format!("{label}{mark}")
        } else {
            label.to_owned()
        }
    };
    let header: Vec<String> = if wide {
        vec![
            head("TAG", SortKey::Name),
            head("DIGEST", SortKey::Digest),
            head("AGE", SortKey::Date),
            head("PLATFORMS", SortKey::Platforms),
            head("STATE", SortKey::State),
        ]
    } else {
        vec![
            head("TAG", SortKey::Name),
            head("AGE", SortKey::Date),
            head("STATE", SortKey::State),
        ]
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}

fn row(
    tag: &TagEntry,
    now: i64,
    wide: bool,
    name_width: usize,
    attestations: bool,
    theme: Theme,
) -> Row<'static> {
    let image = tag.image();
    let digest = image
        .map(|i| {
            i.digest
                .to_string()
                .chars()
                .take(19)
                .skip(7)
                .collect::<String>()
        })
        .unwrap_or_default();
    let when = tag.created().map(|c| age(c, now)).unwrap_or_default();
    let plats = image.map(platforms).unwrap_or_default();
    let mut spans = Vec::new();
    for b in badges(tag, attestations) {
        spans.push(Span::styled(b.text(), theme.badge(b)));
        spans.push(Span::raw(" "));
    }
    if let TagLoad::Failed(e) = &tag.load {
        spans.push(Span::styled(e.clone(), theme.dim()));
    }
    let state = Cell::from(Line::from(spans));
    let name = if tag.orphan {
        Cell::from(Span::styled("(orphan)", theme.warn()))
    } else {
        Cell::from(head(&tag.name, name_width))
    };
    if wide {
        Row::new(vec![
            name,
            Cell::from(Span::styled(digest, theme.dim())),
            Cell::from(when),
            Cell::from(plats),
            state,
        ])
    } else {
        Row::new(vec![name, Cell::from(when), state])
    }
}
