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
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG/PNG/BMP bytes with the JDK's ImageIO into the pixels PIL's
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

    /** Decodes {@code bytes}; {@code source} names the file or zip entry in errors. */
    public static RgbImage decode(byte[] bytes, String source) {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new BadImageException(source, "not a JPEG, PNG or BMP image");
            ImageReader reader = readers.next();
            String[] warning = new String[1];
            // libjpeg reports a truncated file as a warning and pads with grey; PIL refuses it.
            IIOReadWarningListener listener = (r, w) -> {
                if (warning[0] == null && w != null && w.startsWith("Premature end")) warning[0] = w;
            };
            try {
                reader.addIIOReadWarningListener(listener);
                reader.setInput(in, true, true);
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
            if (warning[0] != null) throw new BadImageException(source, "truncated (" + warning[0].trim() + ")");
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            throw new BadImageException(source, m == null || m.isBlank() ? e.getClass().getSimpleName() : m.trim());
        }
        if (img == null) throw new BadImageException(source, "no image in file");
        return toRgb(img, source);
    }

    /** PIL's {@code convert("RGB")} of a decoded image, from raw raster samples. */
    static RgbImage toRgb(BufferedImage img, String source) {
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
        if (!(cm instanceof ComponentColorModel)) {
            throw new BadImageException(source, "unsupported pixel layout (" + cm.getClass().getSimpleName() + ")");
        }
        int csType = cm.getColorSpace().getType();
        int bits = DataBuffer.getDataTypeSize(r.getTransferType());
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
