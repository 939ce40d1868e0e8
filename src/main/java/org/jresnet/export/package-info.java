/**
 * Export to deployment formats: ONNX ({@link org.jresnet.export.OnnxExporter}). Above {@code models}
 * and {@code io} (it reads a network and its metadata), below the CLI. The ONNX message classes in
 * {@code org.jresnet.export.proto} are generated at build time from {@code src/main/proto/onnx.proto}.
 */
package org.jresnet.export;
