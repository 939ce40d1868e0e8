package org.jresnet.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG/PNG/BMP/GIF bytes with the JDK's ImageIO into the pixels PIL's
 * {@code Image.open(f).convert("RGB")} gives, which is what torchvision's ImageFolder feeds a model.
 *
 * <p>The JDK's JPEG decoder is libjpeg 6b with the ISLOW IDCT and fancy upsampling, the same
 * arithmetic as PIL's libjpeg-turbo defaults: {@code ImageDecoderPilParityTest} measures the
 * largest difference (0 on the bundled CIFAR sample). Samples are read from the raster, never via
 * {@code getRGB}, because ImageIO tags grey images with a linear grey colour space that
 * {@code getRGB} would "correct" to sRGB, and embedded ICC profiles would be applied; PIL does
 * neither. Conversions follow PIL's {@code convert("RGB")}: grey is replicated, alpha is dropped
 * (not composited), palettes are looked up, 16-bit colour keeps the high byte, 16-bit grey clips
 * at 255 (PIL's I→RGB).
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    static {
        // Decoding from memory: no temporary files for ImageIO's stream cache.
        ImageIO.setUseCache(false);
    }

    /** The formats tested against PIL; ImageIO's others (TIFF, WBMP, ...) are refused by name. */
    public static final List<String> FORMATS = List.of("JPEG", "PNG", "BMP", "GIF");

    /** Decodes {@code bytes} within the default {@link DecodeLimits}. */
    public static RgbImage decode(byte[] bytes, String source) {
        return decode(bytes, source, DecodeLimits.defaults());
    }

    /**
     * Decodes {@code bytes}; {@code source} names the file or zip entry in errors. The pixel count
     * is checked against {@code limits} from the header, before any pixel is decoded.
     */
    public static RgbImage decode(byte[] bytes, String source, DecodeLimits limits) {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(in, source);
            List<String> truncation = new ArrayList<>();
            // libjpeg reports a cut file as a warning and pads the missing part with grey; PIL refuses it.
            IIOReadWarningListener listener = (r, w) -> {
                if (w != null && isTruncationWarning(w)) truncation.add(w.trim());
            };
            try {
                reader.addIIOReadWarningListener(listener);
                reader.setInput(in, true, true);
                BadImageException tooLarge = limits.checkPixels(source, reader.getWidth(0), reader.getHeight(0));
                if (tooLarge != null) throw tooLarge;
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
            if (!truncation.isEmpty()) throw new BadImageException(source, "truncated (" + truncation.get(0) + ")");
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            throw new BadImageException(source, m == null || m.isBlank() ? e.getClass().getSimpleName() : m.trim());
        }
        if (img == null) throw new BadImageException(source, "no image in file");
        return toRgb(img, source);
    }

    /**
     * The JDK's libjpeg glue says "Truncated File - Missing EOI marker" when the data ends early and
     * "Corrupt JPEG data: premature end of data segment" when a scan is cut; libjpeg itself says
     * "Premature end of JPEG file". Other warnings (e.g. extraneous bytes before a marker) PIL
     * accepts too.
     */
    private static boolean isTruncationWarning(String w) {
        String m = w.toLowerCase(Locale.ROOT);
        return m.contains("truncated file") || m.contains("premature end");
    }

    /** The first ImageIO reader of a supported format; an image of another format is refused by name. */
    private static ImageReader readerFor(ImageInputStream in, String source) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        String other = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String format;
            try {
                format = displayName(r.getFormatName());
            } catch (IOException e) {
                r.dispose();
                continue;
            }
            if (FORMATS.contains(format)) return r;
            if (other == null) other = format;
            r.dispose();
        }
        String supported = String.join(", ", FORMATS);
        if (other != null) throw new BadImageException(source, other + " images are not supported (only " + supported + ")");
        throw new BadImageException(source, "not an image of a supported format (" + supported + ")");
    }

    private static String displayName(String imageIoFormat) {
        String f = imageIoFormat.toUpperCase(Locale.ROOT);
        return f.equals("TIF") ? "TIFF" : f;
    }

    /**
     * A CMYK JPEG (ImageNet's training set has a few) as PIL converts it: each of R, G, B is
     * (255 - K) - C * (255 - K) / 255, rounded as Pillow's MULDIV255.
     */
    private static RgbImage cmykToRgb(Raster r, int w, int h, byte[] out) {
        int[] row = new int[w * 4];
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0, i = 0, o = y * w * 3; x < w; x++, i += 4, o += 3) {
                int nk = 255 - row[i + 3];
                for (int c = 0; c < 3; c++) out[o + c] = (byte) clip8(nk - mulDiv255(row[i + c], nk));
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Pillow's MULDIV255: a * b / 255, rounded. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clip8(int v) { return v < 0 ? 0 : Math.min(v, 255); }

    /** Whether a packed layout's red, green and blue are 8 bits each: read exactly, no scaling. */
    private static boolean eightBitMasks(java.awt.image.DirectColorModel cm) {
        return Integer.bitCount(cm.getRedMask()) == 8 && Integer.bitCount(cm.getGreenMask()) == 8
                && Integer.bitCount(cm.getBlueMask()) == 8;
    }

    /**
     * PIL's {@code convert("RGB")} of an image already decoded (by ImageIO, say), from its raw
     * raster samples: grey replicated as stored (getRGB would turn ImageIO's linear grey into
     * sRGB, 128 into 188), alpha dropped, palettes looked up.
     *
     * @throws BadImageException (naming {@code source}) for a layout it does not read: premultiplied
     *     alpha, packed components of other than 8 bits, colour spaces other than grey, RGB and CMYK
     */
    public static RgbImage toRgb(BufferedImage img, String source) {
        int w = img.getWidth(), h = img.getHeight();
        Raster r = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[w * h * 3];
        int bands = r.getNumBands();
        int[] row = new int[w * bands];
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int idx = row[x];
                    out[o] = (byte) icm.getRed(idx);
                    out[o + 1] = (byte) icm.getGreen(idx);
                    out[o + 2] = (byte) icm.getBlue(idx);
                }
            }
            return new RgbImage(w, h, out);
        }
        if (cm instanceof java.awt.image.DirectColorModel dcm && dcm.getColorSpace().isCS_sRGB()
                && !dcm.isAlphaPremultiplied() && eightBitMasks(dcm)) {
            // packed pixels (a 32-bit BMP): each component as stored, the fourth byte dropped, as PIL's RGB
            Object px = null;
            for (int y = 0; y < h; y++) {
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    px = r.getDataElements(x, y, px);
                    out[o] = (byte) dcm.getRed(px);
                    out[o + 1] = (byte) dcm.getGreen(px);
                    out[o + 2] = (byte) dcm.getBlue(px);
                }
            }
            return new RgbImage(w, h, out);
        }
        if (!(cm instanceof ComponentColorModel)) {
            throw new BadImageException(source, "unsupported pixel layout (" + cm.getClass().getSimpleName() + ")");
        }
        int csType = cm.getColorSpace().getType();
        int bits = DataBuffer.getDataTypeSize(r.getTransferType());
        if (csType == ColorSpace.TYPE_CMYK && bands == 4 && bits == 8) return cmykToRgb(r, w, h, out);
        boolean grey = csType == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2);
        boolean rgb = csType == ColorSpace.TYPE_RGB && (bands == 3 || bands == 4);
        if (!(grey || rgb) || (bits != 8 && bits != 16)) {
            throw new BadImageException(source, "unsupported colour format (" + bands + " bands of "
                    + bits + " bits, colour space type " + csType + ")");
        }
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0, i = 0, o = y * w * 3; x < w; x++, i += bands, o += 3) {
                if (grey) {
                    int v = row[i];
                    byte g = (byte) (bits == 8 ? v : Math.min(v, 255));
                    out[o] = g;
                    out[o + 1] = g;
                    out[o + 2] = g;
                } else {
                    int shift = bits - 8;
                    out[o] = (byte) (row[i] >> shift);
                    out[o + 1] = (byte) (row[i + 1] >> shift);
                    out[o + 2] = (byte) (row[i + 2] >> shift);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
