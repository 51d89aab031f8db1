#include "cmd/svg.h"

#include <string.h>

#include "cmd/escape.h"
#include "cmd/out.h"

void svg_escaped(const char *s) { out_xml(s, strlen(s)); }

void svg_begin(double width, double height)
{
	out_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		   "viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\">\n"
		   "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n",
		   width, height, width, height, width, height);
}

void svg_end(void) { out_str("</svg>\n"); }

void svg_rect(double x, double y, double w, double h, const char *fill, const char *title)
{
	out_printf("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"", x, y,
		   w, h, fill);
	if (!title) {
		out_str("/>\n");
		return;
	}
	out_str("><title>");
	svg_escaped(title);
	out_str("</title></rect>\n");
}

void svg_line(double x1, double y1, double x2, double y2, const char *stroke)
{
	out_printf("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\"/>\n", x1, y1,
		   x2, y2, stroke);
}

void svg_text(double x, double y, const char *anchor, double size, const char *text)
{
	out_printf("<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" font-size=\"%.1f\">", x, y,
		   anchor, size);
	svg_escaped(text);
	out_str("</text>\n");
}

void svg_text_clipped(double x, double y, double w, double h, double size, const char *text)
{
	out_printf("<svg x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">", x, y, w, h);
	out_printf("<text x=\"2\" y=\"%.2f\" font-size=\"%.1f\">", h - (h - size) / 2 - 1, size);
	svg_escaped(text);
	out_str("</text></svg>\n");
}
