package org.jresnet.web;

import java.util.List;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * An experiment's {@code summary.md} as HTML for the {@code /runs} page. Raw HTML in the markdown
 * is escaped and URLs sanitised (the folder's files are data, not code). A relative image or link
 * is rewritten to the folder's file in DIR: images carry it in {@code data-file} and the page
 * loads them with the API key; links go to {@code /runs/api/file}.
 */
final class SummaryHtml {
    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();

    private SummaryHtml() {}

    /** {@code folder}: the experiment's path relative to DIR, which relative links are resolved against. */
    static String render(String markdown, String folder) {
        String prefix = folder.equals(".") ? "" : folder + "/";
        HtmlRenderer r = HtmlRenderer.builder().extensions(EXTENSIONS).escapeHtml(true).sanitizeUrls(true)
                .attributeProviderFactory(ctx -> (node, tag, attrs) -> {
                    if (node instanceof Image img) {
                        // the folder's own figures only: nothing is fetched from another host
                        attrs.remove("src");
                        if (isLocal(img.getDestination())) attrs.put("data-file", prefix + img.getDestination());
                    } else if (node instanceof Link link) {
                        String d = link.getDestination();
                        if (isLocal(d)) {
                            attrs.put("href", RunsApi.FILE_ROUTE + "?path=" + java.net.URLEncoder.encode(
                                    prefix + d, java.nio.charset.StandardCharsets.UTF_8));
                        } else if (!isWeb(d) && !(d != null && d.startsWith("#"))) {
                            attrs.remove("href");   // data:, file: and the like: shown as text, not followed
                        }
                    }
                }).build();
        return r.render(PARSER.parse(markdown));
    }

    /** A link to the web a reader may follow in their own browser (it fetches nothing on its own). */
    static boolean isWeb(String dest) {
        String d = dest == null ? "" : dest.toLowerCase(java.util.Locale.ROOT);
        return d.startsWith("https://") || d.startsWith("http://");
    }

    /** A file of the folder itself: no scheme, no absolute path, no way up. */
    static boolean isLocal(String dest) {
        return dest != null && !dest.isEmpty() && !dest.contains(":") && !dest.startsWith("/") && !dest.startsWith("#")
                && !dest.contains("..");
    }
}
