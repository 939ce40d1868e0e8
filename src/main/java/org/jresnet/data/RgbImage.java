package org.jresnet.data;

/**
 * A decoded 8-bit RGB image, {@code pixels[(y * width + x) * 3 + c]} (HWC, c = R, G, B), as PIL's
 * {@code np.asarray(img.convert("RGB"))} lays it out.
 */
public record RgbImage(int width, int height, byte[] pixels) {
    public RgbImage {
        if (width <= 0 || height <= 0 || pixels.length != width * height * 3) {
            throw new IllegalArgumentException("bad RGB image " + width + "x" + height + " with "
                    + pixels.length + " bytes");
        }
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
