package org.jresnet.io.torch;

/**
 * Caps that bound the work and memory a checkpoint can demand before it is refused. Real
 * checkpoints are far below every one: a ResNet-152 state dict pickle is about 60 kB with some
 * 2,000 objects, nesting depth under 10, strings under 100 bytes.
 *
 * @param maxPickleBytes   size of one pickle stream (data.pkl, or the legacy file's pickles)
 * @param maxStringBytes   one str, bytes or protocol-0 text line
 * @param maxLongBytes     one arbitrary-precision int (LONG1/LONG4 operand)
 * @param maxDepth         containers nested inside containers
 * @param maxMemo          memo entries
 * @param maxObjects       values pushed or inserted in total (stack, lists, dicts, sets)
 * @param maxMarks         open MARKs at once
 * @param maxDims          dimensions of one tensor
 * @param maxTensorElements elements of one tensor (a Java array's reach)
 */
public record Limits(long maxPickleBytes, int maxStringBytes, int maxLongBytes, int maxDepth, int maxMemo,
                     long maxObjects, int maxMarks, int maxDims, long maxTensorElements) {

    public static final Limits DEFAULT = new Limits(256L << 20, 64 << 20, 1024, 200, 1 << 20, 8_000_000L, 10_000,
            16, Integer.MAX_VALUE - 16);
}
