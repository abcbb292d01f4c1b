//! The artifact tree of the selected tag (tui-tree-widget), rebuilt from the state each frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use tui_tree_widget::{Tree, TreeItem, TreeState};

use super::Theme;
use crate::tui::nodes::{Node, NodeKind};
use crate::tui::state::{Focus, State, TagLoad};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::Tree;
    let name = state
        .selected_tag()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(format!(" artifacts {name} "));
    let Some(tag) = state.selected_tag() else {
        frame.render_widget(
            Paragraph::new("no tag selected")
                .style(theme.dim())
                .block(block),
            area,
        );
        return;
    };
    let message = match &tag.load {
        TagLoad::Pending => Some("inspecting…".to_owned()),
        TagLoad::Failed(e) => Some(format!("could not read this tag: {e}")),
        TagLoad::Loaded { .. } => None,
    };
    if let Some(message) = message {
        frame.render_widget(
            Paragraph::new(message)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .block(block),
            area,
        );
        return;
    }
    let items: Vec<TreeItem<'static, String>> =
        tag.nodes().iter().map(|n| item(n, theme)).collect();
    let Ok(tree) = Tree::new(&items) else {
        frame.render_widget(Paragraph::new("tree ids collide").block(block), area);
        return;
    };
    let tree = tree
        .block(block)
        .highlight_style(theme.selected(focused))
        .highlight_symbol("")
        .node_closed_symbol("▸ ")
        .node_open_symbol("▾ ")
        .node_no_children_symbol("  ");
    let mut nav = TreeState::default();
    for path in &state.tree.opened {
        nav.open(path.clone());
    }
    nav.select(state.tree.selected.clone());
    frame.render_stateful_widget(tree, area, &mut nav);
}

fn item(node: &Node, theme: Theme) -> TreeItem<'static, String> {
    let style = match node.kind {
        NodeKind::Image | NodeKind::Platform => theme.title(),
        NodeKind::Signature => theme.good(),
        NodeKind::Attestation | NodeKind::Bundle | NodeKind::Sbom => theme.accent(),
        NodeKind::Error => theme.bad(),
        NodeKind::Claim | NodeKind::Sct | NodeKind::Group => ratatui::style::Style::new(),
        _ => ratatui::style::Style::new(),
    };
    let (head, tail) = node
        .label
        .split_once("  ")
        .unwrap_or((node.label.as_str(), ""));
    let text = Line::from(vec![
        Span::styled(head.to_owned(), style),
        Span::raw(if tail.is_empty() { "" } else { "  " }),
        Span::styled(tail.to_owned(), theme.dim()),
    ]);
    let children: Vec<_> = node.children.iter().map(|c| item(c, theme)).collect();
    if children.is_empty() {
        TreeItem::new_leaf(node.id.clone(), text)
    } else {
        TreeItem::new(node.id.clone(), text.clone(), children)
            .unwrap_or_else(|_| TreeItem::new_leaf(node.id.clone(), text))
    }
}
