package org.jresnet.explain;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jresnet.data.RgbImage;
import org.jresnet.io.AtomicFiles;

/**
 * A heat map laid over the image the model saw, as pytorch-grad-cam's {@code show_cam_on_image}
 * draws it: the map in {@link Colormap#jet}, blended half and half with the image (both in
 * [0,1]), the result divided by its largest value.
 */
public final class Overlay {
    private Overlay() {}

    /** pytorch-grad-cam's default {@code image_weight}: the image's share of each blended pixel. */
    static final double IMAGE_WEIGHT = 0.5;

    /**
     * {@code map} ({@code view}'s height x width, values in [0,1]) over {@code view}, each pixel
     * enlarged to {@code scale x scale} (nearest neighbour; 1 keeps the model's resolution).
     */
    public static RgbImage render(RgbImage view, float[] map, int scale) {
        int w = view.width(), h = view.height();
        if (map.length != w * h) throw new IllegalArgumentException(map.length + " map values for a " + w + "x" + h + " image");
        if (scale < 1) throw new IllegalArgumentException("scale must be >= 1, got " + scale);
        double[] blend = new double[w * h * 3];
        double max = 0;
        for (int p = 0; p < w * h; p++) {
            double[] heat = Colormap.jet(map[p]);
            for (int c = 0; c < 3; c++) {
                double v = (1 - IMAGE_WEIGHT) * heat[c] + IMAGE_WEIGHT * (view.pixels()[p * 3 + c] & 0xFF) / 255.0;
                blend[p * 3 + c] = v;
                max = Math.max(max, v);
            }
        }
        int sw = w * scale, sh = h * scale;
        byte[] out = new byte[sw * sh * 3];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int p = (y / scale) * w + x / scale;
                for (int c = 0; c < 3; c++) {
                    // max > 0: jet's blue channel is at least 0.5 where red and green are 0
                    out[(y * sw + x) * 3 + c] = (byte) (int) (255 * blend[p * 3 + c] / max);
                }
            }
        }
        return new RgbImage(sw, sh, out);
    }

    /** {@code img} as PNG bytes. */
    public static byte[] png(RgbImage img) throws IOException {
        BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                b.setRGB(x, y, img.get(x, y, 0) << 16 | img.get(x, y, 1) << 8 | img.get(x, y, 2));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(b, "png", out)) throw new IOException("no PNG writer in this JVM");
        return out.toByteArray();
    }

    /** {@code img} written as a PNG to {@code file}, atomically (readers see the old file or the whole new one). */
    public static void writePng(Path file, RgbImage img) throws IOException {
        AtomicFiles.writeBytes(file, png(img));
    }
}
