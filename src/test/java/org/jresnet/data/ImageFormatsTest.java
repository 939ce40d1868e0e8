package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Only the formats whose pixels are tested against PIL (JPEG, PNG, BMP, GIF:
 * {@link ImageDecoderPilParityTest}) are decoded; ImageIO's other readers are refused by name.
 * WBMP has no signature, so its reader also claims stray bytes that are no image at all.
 */
class ImageFormatsTest {
    private static byte[] write(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).as("the JDK writes " + format).isTrue();
        return out.toByteArray();
    }

    @Test void tiffAndWbmpAreRefusedByName() throws Exception {
        BufferedImage rgb = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        assertThatThrownBy(() -> ImageDecoder.decode(write(rgb, "tiff"), "x.tif"))
                .isInstanceOf(BadImageException.class).hasMessageContaining("x.tif")
                .hasMessageContaining("TIFF images are not supported").hasMessageContaining("JPEG, PNG, BMP, GIF");
        BufferedImage bits = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY);
        assertThatThrownBy(() -> ImageDecoder.decode(write(bits, "wbmp"), "x.wbmp"))
                .isInstanceOf(BadImageException.class).hasMessageContaining("WBMP images are not supported");
    }

    @Test void theTestedFormatsDecode() throws Exception {
        RgbImage img = TestImages.pattern(5, 4, 3);
        for (String f : new String[] {"png", "bmp", "jpg", "gif"}) {
            RgbImage back = ImageDecoder.decode(TestImages.encode(img, f), "x." + f);
            assertThat(back.width()).as(f).isEqualTo(5);
            assertThat(back.height()).as(f).isEqualTo(4);
        }
    }
}
