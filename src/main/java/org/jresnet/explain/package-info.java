/**
 * Class activation maps: which pixels of an input made a ResNet predict a class (the view
 * torchcam and pytorch-grad-cam give). {@link ClassActivationMap} computes the map on the last
 * stage's output, {@link Bilinear} brings it to the input's size as PyTorch's
 * {@code F.interpolate(mode="bilinear", align_corners=False)} does, {@link Colormap} colours it and
 * {@link Overlay} lays it over the image the model saw. Above {@code models} and {@code data},
 * below {@code cli}.
 */
package org.jresnet.explain;
