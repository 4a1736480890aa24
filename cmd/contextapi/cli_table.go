package main

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// column is one column of a table for people.
type column struct {
	header string
	// rank is the column's importance, 0 the most important: a table too wide for the
	// terminal drops the columns of highest rank first.
	rank int
	// min, when set, lets the column be cut short with an ellipsis down to min
	// characters before any column is dropped; 0: never cut.
	min int
	// right aligns the column to the right (numbers).
	right bool
}

// cell is one value of a table, with its colour (an ANSI code; "" for none).
type cell struct {
	text string
	// short, when set, stands in for text in a column too narrow for every text: a
	// target's name without its kind, before anything is cut with an ellipsis.
	short  string
	colour string
}

// in is the cell's text, or its short form in a column that uses them.
func (c cell) in(short bool) string {
	if short && c.short != "" {
		return c.short
	}
	return c.text
}

// plain is a cell without colour.
func plain(s string) cell { return cell{text: s} }

// table is columns and rows, printed with aligned columns that fit the view's width.
type table struct {
	cols []column
	rows [][]cell
}

// add appends a row: one cell per column.
func (t *table) add(cells ...cell) { t.rows = append(t.rows, cells) }

// gap separates two columns.
const gap = "  "

// layout chooses the columns shown, their widths and whether they use their cells'
// short forms, for a view width characters wide (0: no limit): first it drops the least
// important columns until the rest fit at their narrowest, then it narrows the widest of
// those it may cut until they fit: to their short forms first, if they have any, then
// one character at a time (the least important first among equally wide ones), so that
// the cuts level the widest columns.
func (t *table) layout(width int) (shown, widths []int, short []bool) {
	full := make([]int, len(t.cols))  // every cell's text fits
	brief := make([]int, len(t.cols)) // every cell's short form fits
	for i, c := range t.cols {
		full[i] = utf8.RuneCountInString(c.header)
		brief[i] = full[i]
		for _, r := range t.rows {
			full[i] = max(full[i], utf8.RuneCountInString(r[i].text))
			brief[i] = max(brief[i], utf8.RuneCountInString(r[i].in(true)))
		}
		shown = append(shown, i)
	}
	widths, short = slices.Clone(full), make([]bool, len(t.cols))
	if width <= 0 {
		return shown, widths, short
	}
	narrowest := func(i int) int {
		if t.cols[i].min == 0 {
			return widths[i]
		}
		return min(widths[i], t.cols[i].min)
	}
	total := func(w func(int) int) int {
		n := len(gap) * (len(shown) - 1)
		for _, i := range shown {
			n += w(i)
		}
		return n
	}
	for len(shown) > 1 && total(narrowest) > width {
		drop := 0
		for k, i := range shown {
			if t.cols[i].rank >= t.cols[shown[drop]].rank {
				drop = k
			}
		}
		shown = slices.Delete(shown, drop, drop+1)
	}
	for over := total(func(i int) int { return widths[i] }) - width; over > 0; {
		widest := -1
		for _, i := range shown {
			if widths[i] > narrowest(i) && (widest < 0 || widths[i] > widths[widest] ||
				widths[i] == widths[widest] && t.cols[i].rank > t.cols[widest].rank) {
				widest = i
			}
		}
		switch {
		case widest < 0:
			return shown, widths, short
		case !short[widest] && brief[widest] < full[widest]:
			short[widest] = true
			over -= widths[widest] - max(brief[widest], narrowest(widest))
			widths[widest] = max(brief[widest], narrowest(widest))
		default:
			widths[widest]--
			over--
		}
	}
	return shown, widths, short
}

// render writes the table: a header line, then one line per row.
func (t *table) render(v *view) {
	shown, widths, short := t.layout(v.width)
	var out strings.Builder
	line := func(cells []cell, header bool) {
		var b strings.Builder
		for n, i := range shown {
			text := cells[i].in(short[i] && !header)
			if utf8.RuneCountInString(text) > widths[i] {
				text = string([]rune(text)[:max(widths[i]-1, 0)]) + "…"
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(text))
			if !header {
				text = v.paint(text, cells[i].colour)
			}
			switch {
			case t.cols[i].right:
				b.WriteString(pad + text)
			case n < len(shown)-1:
				b.WriteString(text + pad)
			default:
				b.WriteString(text) // no trailing spaces
			}
			if n < len(shown)-1 {
				b.WriteString(gap)
			}
		}
		out.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	header := make([]cell, len(t.cols))
	for i, c := range t.cols {
		header[i] = plain(c.header)
	}
	line(header, true)
	for _, r := range t.rows {
		line(r, false)
	}
	_, _ = v.w.Write([]byte(out.String()))
}
