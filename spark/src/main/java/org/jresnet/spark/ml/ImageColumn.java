package org.jresnet.spark.ml;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType$;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jresnet.data.BadImageException;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.RgbImage;

/**
 * The two kinds of image column a stage reads, and their pixels as RGB:
 * <ul>
 * <li>{@link #ENCODED}: the bytes of an image file (the {@code binaryFile} source's {@code content}),
 *     decoded by jresnet's decoder within {@link DecodeLimits}, exactly as {@code bin/jresnet predict}
 *     decodes the same file;</li>
 * <li>{@link #SPARK_IMAGE}: the {@code image} source's struct (origin, height, width, nChannels,
 *     mode, data), pixels as Spark decoded them: BGR(A) or grey bytes, row by row. Spark's decoder
 *     (ImageIO through its own conversion) is not PIL's, and it applies embedded colour profiles,
 *     so pixels, and then probabilities, may differ slightly from the decoded-bytes path.</li>
 * </ul>
 */
enum ImageColumn {
    ENCODED, SPARK_IMAGE;

    /** The kind of {@code column} in {@code schema}, or a one-line reason it is neither. */
    static ImageColumn of(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("no input column '" + column + "'; the columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        DataType t = schema.apply(column).dataType();
        if (t.equals(BinaryType$.MODULE$)) return ENCODED;
        if (t instanceof StructType s && fieldNames(s).containsAll(fieldNames(ImageSchema.columnSchema()))) return SPARK_IMAGE;
        throw new IllegalArgumentException("input column '" + column + "' is " + t.simpleString()
                + ": expected image file bytes (binary, as the binaryFile source gives) or the image source's struct");
    }

    private static Set<String> fieldNames(StructType s) {
        Set<String> names = new TreeSet<>();
        for (StructField f : s.fields()) names.add(f.name());
        return names;
    }

    /** The image in {@code value} (a byte[] or the image struct); {@code source} names it in errors. */
    RgbImage decode(Object value, String source, DecodeLimits limits) {
        if (value == null) throw new BadImageException(source, "no image (null)");
        return switch (this) {
            case ENCODED -> {
                byte[] b = (byte[]) value;
                if (b.length > limits.maxImageBytes()) {
                    throw new BadImageException(source, "too large: the file has more than the limit of "
                            + limits.maxImageBytes() + " bytes (raise it with maxImageBytes)");
                }
                yield ImageDecoder.decode(b, source, limits);
            }
            case SPARK_IMAGE -> fromSparkImage((Row) value, source, limits);
        };
    }

    /** Spark's BGR(A)/grey 8-bit rows into RGB; alpha dropped and grey replicated, as PIL's convert("RGB"). */
    static RgbImage fromSparkImage(Row img, String source, DecodeLimits limits) {
        int h = img.getInt(img.fieldIndex("height")), w = img.getInt(img.fieldIndex("width"));
        int c = img.getInt(img.fieldIndex("nChannels"));
        if (h <= 0 || w <= 0) throw new BadImageException(source, "Spark's image source could not decode it");
        if ((long) w * h > limits.maxPixels()) {
            throw new BadImageException(source, "too large: " + w + "x" + h + " pixels, more than the limit of " + limits.maxPixels());
        }
        if (c != 1 && c != 3 && c != 4) throw new BadImageException(source, "unsupported image with " + c + " channels");
        byte[] data = (byte[]) img.get(img.fieldIndex("data"));
        int pixels = w * h;
        if (data == null || data.length != pixels * c) {
            throw new BadImageException(source, "image struct holds " + (data == null ? 0 : data.length)
                    + " bytes, not " + w + "x" + h + "x" + c);
        }
        byte[] rgb = new byte[pixels * 3];
        for (int p = 0; p < pixels; p++) {
            int s = p * c, d = p * 3;
            if (c == 1) {
                rgb[d] = rgb[d + 1] = rgb[d + 2] = data[s];
            } else {
                rgb[d] = data[s + 2];
                rgb[d + 1] = data[s + 1];
                rgb[d + 2] = data[s];
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
