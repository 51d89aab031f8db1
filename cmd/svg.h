/*
 * Writing SVG through cmd/out.h: the few elements `lotrace timeline --svg`
 * draws.  Coordinates are pixels; text is XML-escaped here (out_xml(): also
 * what is not valid UTF-8, say a label cut in the middle of a character).
 */
#ifndef LOT_CMD_SVG_H
#define LOT_CMD_SVG_H

#include <stddef.h>

void svg_begin(double width, double height);
void svg_end(void);
/* A filled rectangle; title (may be NULL) is the tooltip a browser shows. */
void svg_rect(double x, double y, double w, double h, const char *fill, const char *title);
void svg_line(double x1, double y1, double x2, double y2, const char *stroke);
/* anchor: "start", "middle" or "end". */
void svg_text(double x, double y, const char *anchor, double size, const char *text);
/* Text clipped to a width (an SVG nested viewport): span labels inside bars. */
void svg_text_clipped(double x, double y, double w, double h, double size, const char *text);
/* XML character data or attribute value, escaped. */
void svg_escaped(const char *s);

#endif
