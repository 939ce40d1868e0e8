package org.jresnet.train;

import org.jresnet.data.CropSchedule;
import org.jresnet.data.Dataset;
import org.jresnet.io.Normalization;
import org.jresnet.data.PadCropFlip;
import org.jresnet.data.RandomResizedCropFlip;
import org.jresnet.data.ResizeCenterCrop;
import org.jresnet.data.Transform;

/**
 * Which transforms a model's images get, from the model's input size ({@code [3, H, W]}, stored in
 * its metadata) and the dataset:
 * <ul>
 *   <li>CIFAR-style data (every image already {@code H x W}): the paper's pad-4 crop + flip for
 *       training, normalisation only for evaluation;</li>
 *   <li>anything else: torchvision's ImageNet recipe — RandomResizedCrop + flip for training;
 *       for evaluation Resize(256)+CenterCrop(224) at 224, i.e. resize to {@code H·256/224}
 *       then centre crop {@code H} (for small inputs: resize to H, crop H).</li>
 * </ul>
 */
public final class Preprocessing {
    /** torchvision evaluates ImageNet models at 224 after resizing the shorter side to 256. */
    private static final double RESIZE_OVER_CROP = (double) ResizeCenterCrop.IMAGENET_RESIZE / ResizeCenterCrop.IMAGENET_CROP;
    /** Inputs at least this large are treated as ImageNet-style (resize-then-crop). */
    private static final int IMAGENET_STYLE_MIN = 128;

    private Preprocessing() {}

    private static boolean matches(Dataset ds, int size) {
        return ds.height() == size && ds.width() == size;
    }

    public static Transform training(Dataset ds, Normalization norm, int size) {
        return matches(ds, size) ? PadCropFlip.train(norm, size, size) : new RandomResizedCropFlip(norm, size);
    }

    /**
     * As {@link #training(Dataset, Normalization, int)}, but the first {@code cropEpochs} epochs take
     * {@code cropSize x cropSize} crops (CIFAR-style data only: the ImageNet recipe has its own scales).
     */
    public static Transform training(Dataset ds, Normalization norm, int size, int cropEpochs, int cropSize) {
        if (cropEpochs == 0) return training(ds, norm, size);
        if (!matches(ds, size)) {
            throw new TrainConfig.Invalid("cropEpochs", "applies to images of the model's input size (" + size + "x" + size
                    + ", CIFAR-style), not to " + ds.width() + "x" + ds.height() + " ones");
        }
        if (cropSize >= size) {
            throw new TrainConfig.Invalid("cropSize", "must be smaller than the " + size + "x" + size + " images, got " + cropSize);
        }
        return new CropSchedule(PadCropFlip.trainCrops(norm, size, size, cropSize), cropEpochs, PadCropFlip.train(norm, size, size));
    }

    public static Transform evaluation(Dataset ds, Normalization norm, int size) {
        return matches(ds, size) ? PadCropFlip.eval(norm, size, size) : resizeCrop(norm, size);
    }

    /** Evaluation preprocessing of a single image of any size. */
    public static ResizeCenterCrop resizeCrop(Normalization norm, int size) {
        int resize = size >= IMAGENET_STYLE_MIN ? (int) Math.round(size * RESIZE_OVER_CROP) : size;
        return new ResizeCenterCrop(norm, resize, size);
    }
}
