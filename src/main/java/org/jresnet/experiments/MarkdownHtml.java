package org.jresnet.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML for the markdown the experiments write — headings, paragraphs, "- " lists, pipe tables,
 * images, links, `code` and **bold** — with images inlined as base64 so that the page stands alone.
 */
final class MarkdownHtml {
    private static final Pattern IMAGE_LINE = Pattern.compile("^!\\[([^\\]]*)\\]\\(([^)]+)\\)$");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\(([^)]+)\\)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern BOLD = Pattern.compile("\\*\\*([^*]+)\\*\\*");

    private MarkdownHtml() {}

    /**
     * {@code dir}: where images are read from; {@code linkPrefix}: prepended to relative links; an
     * image that is not there, or cannot be read, goes to {@code missing} and shows as its caption,
     * not a broken link.
     */
    static String render(String md, Path dir, String linkPrefix, java.util.function.Consumer<Path> missing) throws IOException {
        StringBuilder out = new StringBuilder();
        List<String> para = new ArrayList<>(), list = new ArrayList<>(), table = new ArrayList<>();
        for (String raw : md.split("\n", -1)) {
            String line = raw.strip();
            boolean isList = line.startsWith("- ");
            boolean isTable = line.startsWith("|");
            if (!isList) flushList(list, out, linkPrefix);
            if (!isTable) flushTable(table, out, linkPrefix);
            if (line.isEmpty() || line.startsWith("#") || isList || isTable || IMAGE_LINE.matcher(line).matches()) {
                flushPara(para, out, linkPrefix);
            }
            if (line.isEmpty()) continue;
            Matcher img = IMAGE_LINE.matcher(line);
            if (line.startsWith("#")) {
                int level = Math.min(6, line.indexOf(' ') < 0 ? 1 : line.indexOf(' '));
                out.append("<h").append(level).append('>').append(inline(line.substring(level).strip(), linkPrefix))
                        .append("</h").append(level).append(">\n");
            } else if (isList) {
                list.add(line.substring(2));
            } else if (isTable) {
                table.add(line);
            } else if (img.matches()) {
                Path f = dir.resolve(img.group(2)).normalize();
                String uri = null;
                if (Files.isRegularFile(f)) {
                    try {
                        uri = Report.dataUri(f);
                    } catch (IOException unreadable) {
                        // left out and said, as a missing one: one figure does not stop the report
                    }
                }
                if (uri != null) {
                    out.append("<p><img alt=\"").append(Report.escape(img.group(1))).append("\" src=\"").append(uri)
                            .append("\"></p>\n");
                } else {
                    missing.accept(f);
                    out.append("<p><em>figure ").append(Files.exists(f) ? "unreadable" : "missing").append(": ")
                            .append(Report.escape(img.group(1))).append(" (").append(Report.escape(img.group(2))).append(")</em></p>\n");
                }
            } else {
                para.add(line);
            }
        }
        flushList(list, out, linkPrefix);
        flushTable(table, out, linkPrefix);
        flushPara(para, out, linkPrefix);
        return out.toString();
    }

    private static void flushPara(List<String> para, StringBuilder out, String prefix) {
        if (para.isEmpty()) return;
        out.append("<p>").append(inline(String.join(" ", para), prefix)).append("</p>\n");
        para.clear();
    }

    private static void flushList(List<String> list, StringBuilder out, String prefix) {
        if (list.isEmpty()) return;
        out.append("<ul>\n");
        for (String item : list) out.append("<li>").append(inline(item, prefix)).append("</li>\n");
        out.append("</ul>\n");
        list.clear();
    }

    private static void flushTable(List<String> rows, StringBuilder out, String prefix) {
        if (rows.isEmpty()) return;
        out.append("<table>\n");
        boolean header = rows.size() > 1 && rows.get(1).matches("^\\|[\\s|:-]+\\|?$");
        for (int i = 0; i < rows.size(); i++) {
            if (header && i == 1) continue;
            String tag = header && i == 0 ? "th" : "td";
            out.append("<tr>");
            for (String cell : cells(rows.get(i))) {
                out.append('<').append(tag).append('>').append(inline(cell, prefix)).append("</").append(tag).append('>');
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n");
        rows.clear();
    }

    /** The cells of "| a | b \| c |", honouring escaped pipes. */
    static List<String> cells(String row) {
        String r = row.strip();
        if (r.startsWith("|")) r = r.substring(1);
        if (r.endsWith("|") && !r.endsWith("\\|")) r = r.substring(0, r.length() - 1);
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c == '\\' && i + 1 < r.length() && r.charAt(i + 1) == '|') {
                cur.append('|');
                i++;
            } else if (c == '|') {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }

    private static String inline(String s, String prefix) {
        String e = Report.escape(s);
        e = CODE.matcher(e).replaceAll("<code>$1</code>");
        e = BOLD.matcher(e).replaceAll("<strong>$1</strong>");
        e = LINK.matcher(e).replaceAll(r -> Matcher.quoteReplacement("<a href=\"" + prefix + r.group(2) + "\">"
                + r.group(1) + "</a>"));
        return e;
    }
}
